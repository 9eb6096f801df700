/**
 * How a reach collection is shown: a table per account with totals, or CSV (RFC 4180). Pure: no
 * input, no output.
 */
import type { ReachCollection } from './collect.js';

/** The columns of {@link reachCsv}, in order. */
export const REACH_CSV_COLUMNS = [
  'campaign_id',
  'account_id',
  'platform',
  'post_id',
  'reposts',
  'comments',
  'likes',
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
        reading.reposts,
        reading.comments,
        reading.likes,
        reading.readAt,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, index) => {
      const width = widths[index] ?? cell.length;
      // Counts are right-aligned; names and times left-aligned.
      return index >= 2 && index <= 4 ? cell.padStart(width) : cell.padEnd(width);
    })
    .join('  ')
    .trimEnd();
}

/**
 * The collection as a table: one line per post of each account (reposts, comments, likes, read
 * at), the totals, then the accounts not read and why.
 */
export function reachTable(collection: ReachCollection): string {
  const header = ['account', 'post', 'reposts', 'comments', 'likes', 'read at'];
  const body = collection.readings.map((reading) => [
    reading.accountId,
    reading.postId,
    String(reading.reposts),
    String(reading.comments),
    String(reading.likes),
    reading.readAt,
  ]);
  const { totals } = collection;
  const total = [
    'total',
    `${collection.readings.length} post${collection.readings.length === 1 ? '' : 's'}`,
    String(totals.reposts),
    String(totals.comments),
    String(totals.likes),
    '',
  ];
  const all = [header, ...body, total];
  const widths = header.map((_, index) => Math.max(...all.map((cells) => cells[index]!.length)));
  const lines = [
    `reach of campaign ${collection.campaignId}`,
    row(header, widths),
    ...body.map((cells) => row(cells, widths)),
    row(total, widths),
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
