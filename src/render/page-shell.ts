/**
 * The shell every self-contained page of release-hall shares (the preview page, the scorecard and
 * reach reports): a document that fetches nothing (its Content-Security-Policy allows inline styles
 * only), sends no referrer, uses system fonts, and wraps long text inside its box.
 */
import { escapeHtml } from './preview-page-text.js';

/** The pages' Content-Security-Policy: inline styles only, no request at all. */
export const SELF_CONTAINED_PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The CSS every page starts with: box sizing, system fonts (Chinese ones first), wrapping. */
export const BASE_PAGE_STYLE = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  padding: 12px;
  font: 15px/1.6 system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
    "Noto Sans CJK SC", sans-serif;
  color: #1f2328;
  background: #f2f3f5;
  overflow-wrap: anywhere;
  word-break: break-word;
}
h1 { font-size: 1.3rem; margin: 0 0 4px; }`;

/** The whole document: head (policy, title, style) and `<main class="page">` around `body`. */
export function selfContainedPage(
  title: string,
  style: string,
  body: readonly string[],
  footer: string,
): string {
  return [
    '<!doctype html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${SELF_CONTAINED_PAGE_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    '<main class="page">',
    ...body,
    `<footer>${escapeHtml(footer)}</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
