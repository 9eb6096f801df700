/**
 * Preview: every account's rendition, its count against the platform's limit, the lint findings
 * and the plan's order, as data ({@link buildPreview}) and as a terminal table
 * ({@link formatPreviewTable}). Nothing is sent; nothing here does I/O.
 */
import type { Rendition } from '../adapter.js';
import type { LintFinding, LintResult } from '../lint/lint-types.js';
import type { PlannedDelivery } from '../run/types.js';
import {
  type ArticleMeasure,
  type ProfilesByPlatform,
  articleLength,
  limitsFor,
  measureRendition,
} from './fit-profile.js';

/** A delivery to preview. A planned delivery (`plan.deliveries[i]`) has this shape. */
export interface PreviewDelivery {
  readonly id?: string;
  readonly accountId: string;
  readonly memberId?: string;
  readonly platform: string;
  readonly action: PlannedDelivery['action'];
  /** For a relay: the delivery id of the post it relays. */
  readonly dependsOn?: string;
  readonly rendition: Rendition;
  /** What the plan decided for this account (e.g. its push quota). */
  readonly note?: string;
  /** Refused before sending (e.g. no push left). */
  readonly blocked?: { readonly reason: string };
}

/** Inputs of {@link buildPreview}. */
export interface PreviewInput {
  /** The plan's deliveries, in the order they start. */
  readonly deliveries: readonly PreviewDelivery[];
  /** Limits by platform: the publisher's adapter map, adapters' `limits`, or text profiles. */
  readonly profiles: ProfilesByPlatform;
  /** Lint findings (`lintStatement(...)` or its `findings`), shown with their accounts. */
  readonly lint?: LintResult | readonly LintFinding[];
  /** Account names shown to followers, by account id. */
  readonly handles?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  readonly campaignId?: string;
  readonly mode?: 'original' | 'relay';
}

/** The article fields of a preview row. */
export interface ArticlePreview {
  readonly title: string;
  readonly author?: string;
  readonly digest: string;
  readonly html: string;
  readonly sourceUrl: string;
  readonly cover?: string;
  /** Every field against its limit (absent when the platform has no article profile). */
  readonly fields?: ArticleMeasure;
}

/** One account in a preview. */
export interface AccountPreview {
  /** Position in the plan, from 1. */
  readonly order: number;
  readonly deliveryId?: string;
  readonly accountId: string;
  readonly memberId?: string;
  readonly platform: string;
  readonly handle?: string;
  readonly action: PlannedDelivery['action'];
  /** For a relay: the `order` of the post it relays, when that post is in the preview. */
  readonly after?: number;
  readonly format: 'text' | 'article';
  /** The text of a text rendition. */
  readonly text?: string;
  readonly article?: ArticlePreview;
  /** Count by the platform's rule (for an article: the content's length). */
  readonly count: number;
  /** Largest count accepted; absent when no profile was given for the platform. */
  readonly limit?: number;
  /** Whether the rendition fits; absent when no profile was given for the platform. */
  readonly fits?: boolean;
  /** True when the statement was summarised to fit (text renditions). */
  readonly summarised?: boolean;
  /** Lint findings about this account's rendition. */
  readonly findings: readonly LintFinding[];
  /** What the plan decided for this account (e.g. "push: 1 of 1 pushes left today"). */
  readonly note?: string;
  /** True when the delivery will be refused without a call (e.g. no push left). */
  readonly blocked?: boolean;
}

/** Counts over a preview. */
export interface PreviewTotals {
  readonly accounts: number;
  readonly posts: number;
  readonly relays: number;
  readonly fit: number;
  /** Renditions over their platform's limit. */
  readonly over: number;
  /** Renditions whose platform has no profile in the input. */
  readonly unmeasured: number;
  readonly errors: number;
  readonly warnings: number;
  /** Accounts per platform. */
  readonly byPlatform: Readonly<Record<string, number>>;
}

/** What {@link buildPreview} returns. */
export interface RenditionPreview {
  readonly campaignId?: string;
  readonly mode?: 'original' | 'relay';
  readonly accounts: readonly AccountPreview[];
  /** Findings about the statement or the hall rather than one account. */
  readonly findings: readonly LintFinding[];
  readonly totals: PreviewTotals;
}

function handleOf(handles: PreviewInput['handles'], accountId: string): string | undefined {
  if (handles === undefined) return undefined;
  if (handles instanceof Map) return (handles as ReadonlyMap<string, string>).get(accountId);
  const record = handles as Readonly<Record<string, string>>;
  return Object.hasOwn(record, accountId) ? record[accountId] : undefined;
}

/**
 * Builds the preview data: one row per delivery, in plan order, with its count against the limit
 * and its lint findings; findings not about one account are kept apart.
 *
 * @example
 * const lint = lintStatement(statement, { hall, renditions: plan.deliveries, profiles: adapters });
 * const preview = buildPreview({ deliveries: plan.deliveries, profiles: adapters, lint });
 * console.log(formatPreviewTable(preview));
 */
export function buildPreview(input: PreviewInput): RenditionPreview {
  const findings: readonly LintFinding[] =
    input.lint === undefined ? [] : 'findings' in input.lint ? input.lint.findings : input.lint;
  const orderById = new Map<string, number>();
  input.deliveries.forEach((delivery, index) => {
    if (delivery.id !== undefined) orderById.set(delivery.id, index + 1);
  });

  const accounts = input.deliveries.map((delivery, index): AccountPreview => {
    const { rendition } = delivery;
    const limits = limitsFor(input.profiles, delivery.platform);
    const measured = limits === undefined ? undefined : measureRendition(rendition, limits);
    const handle = handleOf(input.handles, delivery.accountId);
    const after = delivery.dependsOn === undefined ? undefined : orderById.get(delivery.dependsOn);
    const base = {
      order: index + 1,
      ...(delivery.id === undefined ? {} : { deliveryId: delivery.id }),
      accountId: delivery.accountId,
      ...(delivery.memberId === undefined ? {} : { memberId: delivery.memberId }),
      platform: delivery.platform,
      ...(handle === undefined ? {} : { handle }),
      action: delivery.action,
      ...(after === undefined ? {} : { after }),
      ...(measured === undefined ? {} : { limit: measured.limit, fits: measured.fits }),
      findings: findings.filter((finding) => finding.accountId === delivery.accountId),
      ...(delivery.note === undefined ? {} : { note: delivery.note }),
      ...(delivery.blocked === undefined ? {} : { blocked: true }),
    };
    if (rendition.format === 'text') {
      return {
        ...base,
        format: 'text',
        text: rendition.text,
        count: measured?.count ?? rendition.length,
        summarised: rendition.summarised,
      };
    }
    return {
      ...base,
      format: 'article',
      article: {
        title: rendition.title,
        ...(rendition.author === undefined ? {} : { author: rendition.author }),
        digest: rendition.digest,
        html: rendition.html,
        sourceUrl: rendition.sourceUrl,
        ...(rendition.cover === undefined ? {} : { cover: rendition.cover }),
        ...(measured?.article === undefined ? {} : { fields: measured.article }),
      },
      count: measured?.count ?? articleLength(rendition.html),
    };
  });

  const byPlatform: Record<string, number> = {};
  for (const account of accounts)
    byPlatform[account.platform] = (byPlatform[account.platform] ?? 0) + 1;
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  return {
    ...(input.campaignId === undefined ? {} : { campaignId: input.campaignId }),
    ...(input.mode === undefined ? {} : { mode: input.mode }),
    accounts,
    findings: findings.filter(
      (finding) =>
        finding.accountId === undefined ||
        !accounts.some((account) => account.accountId === finding.accountId),
    ),
    totals: {
      accounts: accounts.length,
      posts: accounts.filter((account) => account.action === 'post').length,
      relays: accounts.filter((account) => account.action === 'relay').length,
      fit: accounts.filter((account) => account.fits === true).length,
      over: accounts.filter((account) => account.fits === false).length,
      unmeasured: accounts.filter((account) => account.fits === undefined).length,
      errors,
      warnings: findings.length - errors,
      byPlatform,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The terminal table

/** Options of {@link formatPreviewTable}. */
export interface PreviewTableOptions {
  /**
   * `full`: every rendition's text under its row; `none`: rows only.
   * @default 'full'
   */
  readonly text?: 'full' | 'none';
  /** Shows article content HTML under article rows. @default false */
  readonly html?: boolean;
}

/** Columns a character takes on a terminal: 2 for East Asian wide and fullwidth characters. */
export function terminalWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1f300 && code <= 0x1f64f) ||
      (code >= 0x1f900 && code <= 0x1f9ff) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

const pad = (text: string, width: number): string =>
  `${text}${' '.repeat(Math.max(0, width - terminalWidth(text)))}`;
const padStart = (text: string, width: number): string =>
  `${' '.repeat(Math.max(0, width - terminalWidth(text)))}${text}`;
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

function findingLine(finding: LintFinding): string {
  return `${finding.severity} ${finding.rule} (${finding.path}): ${finding.message} → ${finding.fix}`;
}

/**
 * Formats a preview as a table for a terminal: a summary line, one row per account (order,
 * account and handle, platform, action, count/limit, fits), the rendition under it, its findings,
 * then the findings about the statement.
 */
export function formatPreviewTable(
  preview: RenditionPreview,
  options: PreviewTableOptions = {},
): string {
  const { totals } = preview;
  const showText = (options.text ?? 'full') === 'full';
  const platforms = Object.entries(totals.byPlatform)
    .map(([platform, count]) => `${platform} ${count}`)
    .join(', ');
  const heading = [
    `Preview${preview.campaignId === undefined ? '' : ` of ${preview.campaignId}`}${preview.mode === undefined ? '' : ` (${preview.mode})`}:`,
    `${plural(totals.accounts, 'account')}${platforms === '' ? '' : ` (${platforms})`},`,
    `${plural(totals.posts, 'post')}, ${plural(totals.relays, 'relay')};`,
    `${totals.fit} fit, ${totals.over} over the limit${totals.unmeasured > 0 ? `, ${totals.unmeasured} unmeasured` : ''};`,
    `lint: ${plural(totals.errors, 'error')}, ${plural(totals.warnings, 'warning')}`,
  ].join(' ');

  const rows = preview.accounts.map((account) => ({
    account,
    cells: [
      String(account.order),
      account.handle === undefined ? account.accountId : `${account.accountId} ${account.handle}`,
      account.platform,
      account.after === undefined ? account.action : `${account.action} #${account.after}`,
      account.format === 'article' ? 'article' : 'text',
      account.limit === undefined ? `${account.count}/?` : `${account.count}/${account.limit}`,
      account.fits === undefined ? '?' : account.fits ? 'yes' : 'NO',
    ],
  }));
  const header = ['#', 'account', 'platform', 'action', 'form', 'count', 'fits'];
  const widths = header.map((title, column) =>
    Math.max(terminalWidth(title), ...rows.map((row) => terminalWidth(row.cells[column] ?? ''))),
  );
  const rightAligned = new Set([0, 5]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        rightAligned.has(column)
          ? padStart(cell, widths[column] ?? 0)
          : pad(cell, widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const indent = ' '.repeat((widths[0] ?? 1) + 2);

  const lines = [heading, '', line(header)];
  for (const { account, cells } of rows) {
    lines.push(line(cells));
    if (showText && account.format === 'text' && account.text !== undefined) {
      lines.push(`${indent}${account.text}${account.summarised === true ? '  [summary]' : ''}`);
    }
    if (showText && account.article !== undefined) {
      const article = account.article;
      const fields = article.fields;
      const counted = (value: string, name: 'title' | 'author' | 'digest'): string =>
        fields === undefined ? value : `${value}  [${fields[name].count}/${fields[name].limit}]`;
      lines.push(`${indent}title:  ${counted(article.title, 'title')}`);
      if (article.author !== undefined)
        lines.push(`${indent}author: ${counted(article.author, 'author')}`);
      lines.push(`${indent}digest: ${counted(article.digest, 'digest')}`);
      lines.push(
        `${indent}source: ${article.sourceUrl}${article.cover === undefined ? '' : `  cover: ${article.cover}`}`,
      );
      if (options.html === true) lines.push(`${indent}html:   ${article.html}`);
    }
    if (account.note !== undefined) {
      lines.push(
        `${indent}${account.blocked === true ? 'REFUSED, nothing sent: ' : ''}${account.note}`,
      );
    }
    for (const finding of account.findings) lines.push(`${indent}${findingLine(finding)}`);
  }
  if (preview.findings.length > 0) {
    lines.push('', 'Statement:');
    for (const finding of preview.findings) lines.push(`  ${findingLine(finding)}`);
  }
  return lines.join('\n');
}
