/**
 * How a scorecard is shown: a text table, or CSV (RFC 4180, the same quoting as the reach CSV).
 * Pure: no input, no output. A figure not known is `?` in the table and an empty field in the
 * CSV, with the reason in the `unknown` column; never 0.
 */
import { REACH_COUNTS } from '../adapter.js';
import { csvField } from '../metrics/render-reach.js';
import type { MemberScore, Scorecard } from './types.js';

/** The columns of {@link scorecardCsv}, in order. */
export const SCORECARD_CSV_COLUMNS = [
  'member_id',
  'name',
  'lead',
  'took_part',
  'missed',
  'unsettled',
  'median_delay_s',
  'delay_samples',
  'followers',
  'posts_per_week',
  ...REACH_COUNTS,
  'inbox_items',
  'unanswered',
  'overdue',
  'median_reply_s',
  'dormant_accounts',
  'unknown',
] as const;

/** A duration in words for a table cell: `45s`, `12m 5s`, `3h 20m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${sign}${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${sign}${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${sign}${hours}h ${minutes % 60}m`;
  return `${sign}${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** The reasons a member's activity is not known, as `account: reason` joined by `; `. */
export function unknownOf(member: MemberScore): string {
  return member.accounts
    .filter((account) => account.unknown !== undefined)
    .map((account) => `${account.accountId}: ${account.unknown ?? ''}`)
    .join('; ');
}

const seconds = (ms: number | undefined): string =>
  ms === undefined ? '' : String(Math.round(ms / 1000));

/** The scorecard as CSV: a header line, one line per member, CRLF line ends. */
export function scorecardCsv(scorecard: Scorecard): string {
  const lines = [SCORECARD_CSV_COLUMNS.join(',')];
  for (const member of scorecard.members) {
    lines.push(
      [
        member.memberId,
        member.name,
        member.isLead ? 'yes' : '',
        member.tookPart,
        member.missed.length,
        member.unsettled,
        seconds(member.medianDelayMs),
        member.delaySamples,
        member.followers ?? '',
        member.postsPerWeek ?? '',
        ...REACH_COUNTS.map((name) => member.reach[name] ?? ''),
        member.inboxItems,
        member.unanswered,
        member.overdue,
        seconds(member.medianReplyMs),
        member.dormantAccounts.join(' '),
        unknownOf(member),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The cells of one member's line in the table. */
function tableCells(member: MemberScore): string[] {
  const truncated = member.accounts.some((account) => account.postsTruncated === true);
  return [
    member.isLead ? `${member.memberId} (lead)` : member.memberId,
    String(member.tookPart),
    String(member.missed.length),
    member.isLead
      ? '-'
      : member.medianDelayMs === undefined
        ? '-'
        : formatDuration(member.medianDelayMs),
    member.followers === undefined ? '?' : String(member.followers),
    member.postsPerWeek === undefined
      ? '?'
      : `${truncated ? '≥' : ''}${member.postsPerWeek.toFixed(1)}`,
    String(
      REACH_COUNTS.reduce(
        (sum, name) => sum + (name === 'sent' ? 0 : (member.reach[name] ?? 0)),
        0,
      ),
    ),
    member.overdue === 0
      ? String(member.unanswered)
      : `${member.unanswered} (${member.overdue} late)`,
    member.medianReplyMs === undefined ? '-' : formatDuration(member.medianReplyMs),
    member.dormantAccounts.length === 0 ? '' : member.dormantAccounts.join(' '),
  ];
}

const HEADER = [
  'member',
  'took part',
  'missed',
  'median delay',
  'followers',
  'posts/wk',
  'reach',
  'unanswered',
  'median reply',
  'dormant',
];
/** Columns right-aligned (counts and durations). */
const NUMERIC = new Set([1, 2, 3, 4, 5, 6, 7, 8]);

/**
 * The scorecard as a text table: one line per member (reach = reposts + comments + likes + reads
 * of its posts' latest readings), then the campaigns missed and the figures not known, with why.
 */
export function scorecardTable(scorecard: Scorecard): string {
  const rows = [HEADER, ...scorecard.members.map(tableCells)];
  const widths = HEADER.map((_, index) =>
    Math.max(...rows.map((cells) => [...(cells[index] ?? '')].length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => {
        const pad = (widths[index] ?? 0) - [...cell].length;
        return NUMERIC.has(index) ? ' '.repeat(pad) + cell : cell + ' '.repeat(pad);
      })
      .join('  ')
      .trimEnd();
  const out = [
    `scorecard of hall ${scorecard.hallId} since ${scorecard.since} (${scorecard.campaigns.length} campaign${scorecard.campaigns.length === 1 ? '' : 's'}; dormant after ${scorecard.dormantDays} days)`,
    ...rows.map(line),
  ];
  const missed = scorecard.members.filter((member) => member.missed.length > 0);
  if (missed.length > 0) {
    out.push('', 'missed:');
    for (const member of missed) {
      out.push(
        `  ${member.memberId}: ${member.missed.map((entry) => `${entry.campaignId} (${entry.why})`).join(', ')}`,
      );
    }
  }
  const unknown = scorecard.members.filter((member) => unknownOf(member) !== '');
  if (unknown.length > 0) {
    out.push('', 'not known (? above):');
    for (const member of unknown) {
      for (const account of member.accounts) {
        if (account.unknown !== undefined) out.push(`  ${account.accountId}: ${account.unknown}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
