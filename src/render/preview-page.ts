/**
 * The preview page: one self-contained HTML document showing every account's post as its
 * followers will see it (a Weibo or Tencent Weibo card, a WeChat article), its count against the
 * platform's limit, who pushes and who publishes, the lint findings marked in the text, and the
 * gate's approvals. The page loads nothing: its CSS is inline, pictures are `data:` URIs or
 * placeholders, links are text, and its Content-Security-Policy forbids any request. Pure: the
 * caller reads pictures and writes the page.
 */
import type { InputIssue } from '../errors.js';
import type { LintFinding } from '../lint/lint-types.js';
import type { AccountPreview, RenditionPreview } from './preview.js';
import { SELF_CONTAINED_PAGE_POLICY, selfContainedPage } from './page-shell.js';
import { PREVIEW_PAGE_STYLE } from './preview-page-style.js';
import {
  type PhraseMark,
  articleParagraphs,
  escapeHtml,
  markText,
  phraseMarks,
} from './preview-page-text.js';
import { findLinks } from './split-text.js';

/** Where the gate stands for the previewed plan. */
export interface PreviewApproval {
  /** Approvals the hall's policy asks for a statement of this urgency (0: none). */
  readonly required: number;
  /** Approvers whose approval counts for exactly this plan; absent when not checked. */
  readonly approvedBy?: readonly string[];
  /** The statement's urgency, which chose the rule. */
  readonly urgency?: string;
  /** A statement sent on this rule is reviewed within this many hours. */
  readonly reviewWithinHours?: number;
}

/** What {@link renderPreviewPage} shows: a publisher's preview, or the table alone. */
export type PreviewPageInput =
  | RenditionPreview
  | {
      readonly table: RenditionPreview;
      /** What publish would refuse (the pre-flight); listed at the top of the page. */
      readonly refusals?: readonly InputIssue[];
    };

/** Options of {@link renderPreviewPage}. */
export interface PreviewPageOptions {
  /** The page's title. @default 'Preview of <campaign id>' */
  readonly title?: string;
  /** The gate's approvals for this plan; without it the page says they are not checked here. */
  readonly approval?: PreviewApproval;
  /**
   * Pictures as `data:image/…` URIs, by the path or URL a rendition names (a WeChat cover).
   * A picture not given here, or not a `data:image/` URI, is shown as a placeholder.
   */
  readonly images?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

/** The page's Content-Security-Policy: inline styles and `data:` pictures, no request at all. */
export const PREVIEW_PAGE_POLICY = SELF_CONTAINED_PAGE_POLICY;

/** The names followers know the platforms by. */
const PLATFORM_NAMES: Readonly<Record<string, string>> = {
  weibo: 'Weibo',
  tencent: 'Tencent Weibo',
  wechat: 'WeChat',
};
const PLATFORM_ORDER = ['weibo', 'tencent', 'wechat'];

const platformName = (platform: string): string =>
  Object.hasOwn(PLATFORM_NAMES, platform) ? (PLATFORM_NAMES[platform] ?? platform) : platform;

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

function imageOf(images: PreviewPageOptions['images'], key: string): string | undefined {
  if (images === undefined) return undefined;
  const value =
    images instanceof Map
      ? (images as ReadonlyMap<string, string>).get(key)
      : Object.hasOwn(images, key)
        ? (images as Readonly<Record<string, string>>)[key]
        : undefined;
  return value !== undefined && /^data:image\/[a-z0-9.+-]+[;,]/iu.test(value) ? value : undefined;
}

/** The label of an account's action as its followers see it. */
export function actionLabel(account: AccountPreview): {
  readonly kind: string;
  readonly text: string;
} {
  if (account.blocked === true) return { kind: 'refused', text: 'refused, nothing sent' };
  if (account.platform === 'wechat' || account.format === 'article') {
    return account.action === 'push'
      ? { kind: 'push', text: 'push: to every follower' }
      : { kind: 'publish', text: 'publish: no push' };
  }
  if (account.action === 'relay') {
    return {
      kind: 'relay',
      text: account.after === undefined ? 'relay' : `relay of #${account.after}`,
    };
  }
  return { kind: account.action, text: account.action };
}

/** The pushes left that a plan's note states (`push: 4 of 4 pushes left this month`), if any. */
export function pushQuotaOf(note: string | undefined): string | undefined {
  if (note === undefined) return undefined;
  const match = /(\d+) of (\d+) push(?:es)? left(?: (today|this month))?/u.exec(note);
  if (match === null) return undefined;
  return `${match[1] ?? ''} of ${match[2] ?? ''} left${match[3] === undefined ? '' : ` ${match[3]}`}`;
}

function findingItem(finding: LintFinding): string {
  return (
    `<li class="finding-${finding.severity}" data-rule="${escapeHtml(finding.rule)}">` +
    `<strong>${escapeHtml(finding.severity)}</strong> ${escapeHtml(finding.rule)}: ` +
    `${escapeHtml(finding.message)} → ${escapeHtml(finding.fix)}</li>`
  );
}

function findingsList(findings: readonly LintFinding[]): string {
  if (findings.length === 0) return '';
  return `<ul class="findings">${findings.map(findingItem).join('')}</ul>`;
}

function countLine(account: AccountPreview): string {
  const over = account.fits === false;
  const limit = account.limit === undefined ? '?' : String(account.limit);
  const what = account.format === 'article' ? 'content' : 'counted';
  return (
    `<p class="count${over ? ' count-over' : ''}" data-count="${account.count}"` +
    `${account.limit === undefined ? '' : ` data-limit="${account.limit}"`}>` +
    `${what} <span class="count-value">${account.count} / ${limit}</span>` +
    `${over ? ' (over the limit)' : account.fits === undefined ? ' (no limit known)' : ''}` +
    `${account.summarised === true ? ' · summary of the full text' : ''}</p>`
  );
}

function textBody(account: AccountPreview, marks: readonly PhraseMark[]): string {
  const text = account.text ?? '';
  const link = findLinks(text)[0];
  return (
    `<p class="post-text">${markText(text, marks)}</p>` +
    countLine(account) +
    (link === undefined
      ? ''
      : `<p class="note">link: <span class="link">${escapeHtml(link)}</span></p>`)
  );
}

function articleBody(
  account: AccountPreview,
  marks: readonly PhraseMark[],
  images: PreviewPageOptions['images'],
): string {
  const article = account.article;
  if (article === undefined) return countLine(account);
  const picture = article.cover === undefined ? undefined : imageOf(images, article.cover);
  const cover =
    picture === undefined
      ? `<div class="cover cover-placeholder" role="img" aria-label="cover">${
          article.cover === undefined
            ? 'no cover'
            : `cover: ${escapeHtml(article.cover.split(/[\\/]/u).pop() ?? article.cover)}`
        }</div>`
      : `<img class="cover" alt="cover" src="${escapeHtml(picture)}">`;
  const fields = article.fields;
  const fieldItems =
    fields === undefined
      ? ''
      : `<ul class="fields">${(['title', 'author', 'digest'] as const)
          .filter((name) => name !== 'author' || article.author !== undefined)
          .map(
            (name) =>
              `<li${fields[name].fits ? '' : ' class="count-over"'}>${name} ${fields[name].count} / ${fields[name].limit}</li>`,
          )
          .join('')}</ul>`;
  return (
    cover +
    `<h3 class="article-title">${markText(article.title, marks)}</h3>` +
    (article.author === undefined ? '' : `<p class="note">${escapeHtml(article.author)}</p>`) +
    `<p class="digest">${markText(article.digest, marks)}</p>` +
    `<div class="article-body">${articleParagraphs(article.html)
      .map((paragraph) => `<p>${markText(paragraph, marks)}</p>`)
      .join('')}</div>` +
    `<p class="note">read original: <span class="link">${escapeHtml(article.sourceUrl)}</span></p>` +
    countLine(account) +
    fieldItems
  );
}

function card(
  account: AccountPreview,
  statementFindings: readonly LintFinding[],
  options: PreviewPageOptions,
): string {
  const marks = phraseMarks([...account.findings, ...statementFindings]);
  const name = account.handle ?? account.accountId;
  const action = actionLabel(account);
  const quota = pushQuotaOf(account.note);
  const classes = [
    'card',
    `card-${escapeHtml(account.platform)}`,
    ...(account.fits === false ? ['card-over'] : []),
    ...(account.blocked === true ? ['card-blocked'] : []),
  ];
  return (
    `<article class="${classes.join(' ')}" id="account-${account.order}"` +
    ` data-account="${escapeHtml(account.accountId)}" data-platform="${escapeHtml(account.platform)}"` +
    ` data-action="${escapeHtml(action.kind)}">` +
    `<header class="card-head"><span class="avatar" aria-hidden="true">${escapeHtml(
      Array.from(name)[0] ?? '?',
    )}</span><span class="who"><span class="handle">${escapeHtml(name)}</span><br>` +
    `<span class="account-id">#${account.order} · ${escapeHtml(account.accountId)}</span></span>` +
    `<span class="platform-name">${escapeHtml(platformName(account.platform))}</span></header>` +
    `<p class="badges"><span class="badge action action-${escapeHtml(action.kind)}">${escapeHtml(action.text)}</span>` +
    (quota === undefined ? '' : `<span class="badge quota">pushes ${escapeHtml(quota)}</span>`) +
    `</p>` +
    (account.format === 'article'
      ? articleBody(account, marks, options.images)
      : textBody(account, marks)) +
    (account.note === undefined
      ? ''
      : `<p class="note plan-note">${account.blocked === true ? 'refused, nothing sent: ' : ''}${escapeHtml(account.note)}</p>`) +
    findingsList(account.findings) +
    `</article>`
  );
}

function gateSection(preview: RenditionPreview, approval: PreviewApproval | undefined): string {
  const { errors, warnings } = preview.totals;
  const lint =
    errors > 0
      ? `lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}: publish refuses unless overridden with a reason`
      : `lint: no error, ${plural(warnings, 'warning')}`;
  let state = 'none';
  let line: string;
  if (approval === undefined) {
    line = 'approvals: not checked in this preview (they are checked when the campaign is created)';
  } else if (approval.required === 0) {
    state = 'open';
    line = `approvals: none required${approval.urgency === undefined ? '' : ` for ${escapeHtml(approval.urgency)} statements`}`;
  } else {
    const rule = `${approval.required} required${approval.urgency === undefined ? '' : ` (urgency ${escapeHtml(approval.urgency)})`}`;
    const review =
      approval.reviewWithinHours === undefined
        ? ''
        : `; reviewed afterwards within ${approval.reviewWithinHours} h`;
    if (approval.approvedBy === undefined) {
      line = `approvals: ${rule}, checked when the campaign is created${review}`;
    } else {
      const present = approval.approvedBy.length;
      state = present >= approval.required ? 'open' : 'short';
      const by =
        present === 0 ? '' : ` (${approval.approvedBy.map((id) => escapeHtml(id)).join(', ')})`;
      line = `approvals: ${present} of ${rule}${by}${review}`;
    }
  }
  return `<section class="gate gate-${state}" data-gate="${state}"${
    approval === undefined
      ? ''
      : ` data-required="${approval.required}"${
          approval.approvedBy === undefined ? '' : ` data-present="${approval.approvedBy.length}"`
        }`
  }><h2>Gate</h2><p class="approvals">${line}</p><p class="lint-state">${escapeHtml(lint)}</p></section>`;
}

function summarySection(preview: RenditionPreview): string {
  const { totals } = preview;
  const wechat = preview.accounts.filter((account) => account.platform === 'wechat');
  const pushes = wechat.filter((account) => account.action === 'push').length;
  const facts = [
    plural(totals.accounts, 'account'),
    ...Object.entries(totals.byPlatform).map(
      ([platform, count]) => `${platformName(platform)} ${count}`,
    ),
    plural(totals.posts, 'post'),
    plural(totals.relays, 'relay'),
    ...(wechat.length === 0 ? [] : [`WeChat: ${pushes} push, ${wechat.length - pushes} publish`]),
    `${totals.fit} fit`,
    `${totals.over} over the limit`,
    ...(totals.unmeasured === 0 ? [] : [`${totals.unmeasured} unmeasured`]),
  ];
  return `<section class="summary"><p>${
    preview.mode === undefined ? '' : `mode: ${escapeHtml(preview.mode)} · `
  }nothing has been sent</p><ul class="facts">${facts
    .map((fact) => `<li>${escapeHtml(fact)}</li>`)
    .join('')}</ul></section>`;
}

/**
 * Renders a preview as one self-contained HTML page: a card per account in plan order, grouped
 * by platform, with the counted length against the limit, the action (post, relay, push,
 * publish) and push quota, the lint findings marked in the text, the gate and what publish would
 * refuse. Every text from the statement, the hall or the plan is escaped.
 *
 * @example
 * const preview = await publisher.preview(statement, { mode: 'relay' });
 * await writeFile('preview.html', renderPreviewPage(preview));
 */
export function renderPreviewPage(
  input: PreviewPageInput,
  options: PreviewPageOptions = {},
): string {
  const preview = 'table' in input ? input.table : input;
  const refusals = 'table' in input ? (input.refusals ?? []) : [];
  const title =
    options.title ??
    `Preview${preview.campaignId === undefined ? '' : ` of ${preview.campaignId}`}`;
  const platforms = [
    ...PLATFORM_ORDER.filter((platform) =>
      preview.accounts.some((account) => account.platform === platform),
    ),
    ...new Set(
      preview.accounts
        .map((account) => account.platform)
        .filter((platform) => !PLATFORM_ORDER.includes(platform)),
    ),
  ];
  const sections = platforms.map((platform) => {
    const accounts = preview.accounts.filter((account) => account.platform === platform);
    return (
      `<section class="platform" data-platform="${escapeHtml(platform)}">` +
      `<h2>${escapeHtml(platformName(platform))} (${accounts.length})</h2><div class="cards">` +
      accounts.map((account) => card(account, preview.findings, options)).join('') +
      `</div></section>`
    );
  });
  const refusalSection =
    refusals.length === 0
      ? ''
      : `<section class="refusals"><h2>Publish would refuse this campaign</h2><ul>${refusals
          .map(
            (issue) =>
              `<li><strong>${escapeHtml(issue.path)}</strong>: ${escapeHtml(issue.message)}</li>`,
          )
          .join('')}</ul></section>`;
  const statementFindings =
    preview.findings.length === 0
      ? ''
      : `<section class="statement-findings"><h2>Lint findings on the statement</h2>${findingsList(
          preview.findings,
        )}</section>`;
  return selfContainedPage(
    title,
    PREVIEW_PAGE_STYLE,
    [
      `<h1>${escapeHtml(title)}</h1>`,
      summarySection(preview),
      refusalSection,
      gateSection(preview, options.approval),
      statementFindings,
      ...sections,
    ],
    'release-hall preview: what each account would send; nothing has been sent.',
  );
}
