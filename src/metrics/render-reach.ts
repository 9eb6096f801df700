/**
 * How a reach collection is shown: a table per account with totals, or CSV (RFC 4180). Pure: no
 * input, no output.
 */
import { REACH_COUNTS, type ReachCount } from '../adapter.js';
import type { ReachCollection } from './collect.js';

/** The columns of {@link reachCsv}, in order. */
export const REACH_CSV_COLUMNS = [
  'campaign_id',
  'account_id',
  'platform',
  'post_id',
  ...REACH_COUNTS,
  'read_at',
] as const;

/** One CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The readings of a collection as CSV: a header line, one line per reading, CRLF line ends. */
export function reachCsv(collection: ReachCollection): string {
  const lines = [REACH_CSV_COLUMNS.join(',')];
  for (const reading of collection.readings) {
    lines.push(
      [
        reading.campaignId,
        reading.accountId,
        reading.platform,
        reading.postId,
        ...REACH_COUNTS.map((name) => reading[name] ?? ''),
        reading.readAt,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The counts every table shows; reads and sent only when a reading holds them. */
const ALWAYS_SHOWN: readonly ReachCount[] = ['reposts', 'comments', 'likes'];

function row(cells: readonly string[], widths: readonly number[], counts: number): string {
  return cells
    .map((cell, index) => {
      const width = widths[index] ?? cell.length;
      // Counts are right-aligned; names and times left-aligned.
      return index >= 2 && index < 2 + counts ? cell.padStart(width) : cell.padEnd(width);
    })
    .join('  ')
    .trimEnd();
}

/**
 * The collection as a table: one line per post of each account (reposts, comments, likes, and
 * reads and followers reached when a reading holds them, read at), the totals, then the accounts
 * not read and why. A count the platform does not give shows as `-`.
 */
export function reachTable(collection: ReachCollection): string {
  const counts = REACH_COUNTS.filter(
    (name) =>
      ALWAYS_SHOWN.includes(name) ||
      collection.readings.some((reading) => reading[name] !== undefined),
  );
  const cell = (value: number | undefined) => (value === undefined ? '-' : String(value));
  const header = ['account', 'post', ...counts, 'read at'];
  const body = collection.readings.map((reading) => [
    reading.accountId,
    reading.postId,
    ...counts.map((name) => cell(reading[name])),
    reading.readAt,
  ]);
  const { totals } = collection;
  const total = [
    'total',
    `${collection.readings.length} post${collection.readings.length === 1 ? '' : 's'}`,
    ...counts.map((name) => cell(totals[name])),
    '',
  ];
  const all = [header, ...body, total];
  const widths = header.map((_, index) => Math.max(...all.map((cells) => cells[index]!.length)));
  const lines = [
    `reach of campaign ${collection.campaignId}`,
    row(header, widths, counts.length),
    ...body.map((cells) => row(cells, widths, counts.length)),
    row(total, widths, counts.length),
  ];
  for (const account of collection.accounts) {
    if (account.missing.length > 0) {
      lines.push(
        `${account.accountId}: no counts for ${account.missing.join(', ')} (deleted, or no longer shown)`,
      );
    }
    if (account.status !== 'read') {
      const why = account.error === undefined ? '' : `: ${account.error.message}`;
      lines.push(`${account.accountId}: ${account.status}${why}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
