/**
 * The stylesheet of the preview page, inlined in it: system fonts only, no `url()`, no
 * `@import`. Narrow screens first (one column from 320 px up); wider screens get a grid of cards.
 * Long words and links wrap, so nothing is wider than the screen.
 */

import { BASE_PAGE_STYLE } from './page-shell.js';

/** The preview page's CSS. */
export const PREVIEW_PAGE_STYLE = `${BASE_PAGE_STYLE}
h2 { font-size: 1.1rem; margin: 24px 0 8px; }
h3 { font-size: 1rem; margin: 0; }
p { margin: 6px 0; }
ul { margin: 6px 0; padding-left: 1.2em; }
.page { max-width: 1240px; margin: 0 auto; }
.summary, .gate, .statement-findings, .refusals {
  background: #fff;
  border-radius: 8px;
  padding: 12px 14px;
  margin: 10px 0;
}
.facts { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 0; padding: 0; list-style: none; }
.facts li { background: #eef1f5; border-radius: 12px; padding: 2px 10px; font-size: 0.85rem; }
.gate.gate-open { border-left: 4px solid #2da44e; }
.gate.gate-short { border-left: 4px solid #cf222e; }
.gate.gate-none { border-left: 4px solid #8c959f; }
.refusals { border-left: 4px solid #cf222e; }
.cards {
  display: grid;
  grid-template-columns: minmax(0, 1fr);
  gap: 12px;
}
@media (min-width: 720px) {
  body { padding: 20px; }
  .cards { grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
}
.card {
  min-width: 0;
  background: #fff;
  border-radius: 8px;
  border-top: 4px solid #8c959f;
  padding: 12px 14px;
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.08);
}
.card-weibo { border-top-color: #e6162d; }
.card-tencent { border-top-color: #1b95e0; }
.card-wechat { border-top-color: #07c160; }
.card-over { outline: 2px solid #cf222e; }
.card-blocked { opacity: 0.75; }
.card-head { display: flex; align-items: center; gap: 10px; }
.avatar {
  flex: none;
  width: 40px;
  height: 40px;
  border-radius: 50%;
  display: flex;
  align-items: center;
  justify-content: center;
  background: #eef1f5;
  font-weight: 600;
}
.who { min-width: 0; flex: 1; }
.handle { font-weight: 600; }
.account-id, .platform-name { color: #59636e; font-size: 0.8rem; }
.badges { display: flex; flex-wrap: wrap; gap: 4px; margin: 8px 0; }
.badge {
  font-size: 0.75rem;
  border-radius: 10px;
  padding: 1px 8px;
  background: #eef1f5;
  white-space: nowrap;
}
.action-push { background: #dafbe1; color: #116329; font-weight: 600; }
.action-publish { background: #ddf4ff; color: #0a3069; }
.action-relay { background: #fff8c5; color: #4d2d00; }
.action-refused { background: #ffebe9; color: #82071e; font-weight: 600; }
.post-text { white-space: pre-wrap; font-size: 1rem; }
.link { color: #0969da; text-decoration: underline; }
.count { font-variant-numeric: tabular-nums; color: #59636e; font-size: 0.85rem; }
.count-over { color: #cf222e; font-weight: 600; }
.note { font-size: 0.85rem; color: #59636e; }
.quota { font-size: 0.85rem; }
.cover {
  width: 100%;
  aspect-ratio: 2.35 / 1;
  object-fit: cover;
  border-radius: 6px;
  display: block;
  background: #d0d7de;
}
.cover-placeholder {
  display: flex;
  align-items: center;
  justify-content: center;
  color: #59636e;
  font-size: 0.8rem;
  padding: 8px;
  text-align: center;
}
.article-title { font-size: 1.1rem; margin: 8px 0 4px; }
.digest { color: #59636e; font-size: 0.9rem; }
.article-body { border-top: 1px solid #d8dee4; margin-top: 8px; padding-top: 4px; }
.article-body p { text-indent: 2em; }
.fields { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 6px 0; padding: 0; list-style: none; }
.fields li { font-size: 0.8rem; color: #59636e; }
.findings { font-size: 0.85rem; }
.finding-error { color: #82071e; }
.finding-warning { color: #4d2d00; }
mark.lint { border-radius: 3px; padding: 0 1px; }
mark.lint-error { background: #ffcecb; box-shadow: inset 0 -2px 0 #cf222e; }
mark.lint-warning { background: #fff2b3; box-shadow: inset 0 -2px 0 #bf8700; }
footer { color: #59636e; font-size: 0.8rem; margin: 20px 0 8px; }
`;
