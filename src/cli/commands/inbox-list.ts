/**
 * `release-hall inbox list`: the comments, mentions and messages stored in the journal, newest
 * first, with their age; items unanswered past the reply deadline are flagged: `--reply-deadline`
 * hours, else the hall's `inbox.replyDeadlineHours` with `--hall`, else 24 hours. Reads the
 * journal, never writes it.
 */
import {
  DEFAULT_REPLY_DEADLINE_MS,
  type InboxItemAge,
  ReleaseHallError,
  hasInbox,
  inboxItemAges,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { buildAdapters } from '../build-adapters.js';
import type { RedisFlags } from '../flags.js';
import { openReadJournal } from '../open-publisher.js';

/** Flags of `inbox list`. */
export interface InboxListFlags extends RedisFlags {
  unanswered?: boolean;
  member?: string;
  assignedTo?: string;
  campaign?: string;
  limit?: string;
  /** Hours an item may wait for an answer before it is flagged. */
  replyDeadline?: string;
  journal?: string;
  /** The hall file whose `inbox.replyDeadlineHours` applies. */
  hall?: string;
  json?: boolean;
}

/** An age as its two largest units: `45s`, `12m`, `3h05m`, `2d04h`. */
export function formatAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new ReleaseHallError(
      `[release-hall] --${name}: expected a positive number, got "${value}"`,
      { code: 'INVALID_INPUT', issues: [{ path: name, message: 'not a positive number' }] },
    );
  }
  return number;
}

function formatLine({ item, ageMs, overdue }: InboxItemAge): string {
  const flag = overdue ? 'OVERDUE' : item.answeredAt === undefined ? '' : 'answered';
  const text = item.text.replace(/\s+/g, ' ');
  return [
    formatAge(ageMs).padStart(7),
    flag.padEnd(8),
    item.remoteId.padEnd(20),
    item.accountId.padEnd(26),
    item.kind.padEnd(8),
    `${item.author.name}: ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`,
    item.campaignId === undefined ? '' : `(campaign ${item.campaignId})`,
    item.assignedTo === undefined ? '' : `→ ${item.assignedTo}`,
  ]
    .join(' ')
    .trimEnd();
}

export async function inboxListCommand(flags: InboxListFlags): Promise<number> {
  let deadlineHours = positive(flags.replyDeadline, 'reply-deadline');
  if (deadlineHours === undefined && flags.hall !== undefined) {
    const hallData = await readDataFile(flags.hall, 'hall');
    deadlineHours = resolveHall(hallData, buildAdapters(hallData)).hall.inbox.replyDeadlineHours;
  }
  const deadlineMs =
    deadlineHours === undefined ? DEFAULT_REPLY_DEADLINE_MS : deadlineHours * 3_600_000;
  const limit = positive(flags.limit, 'limit');
  const journal = await openReadJournal(flags);
  const where = journal.path ?? 'the journal';
  try {
    if (!hasInbox(journal)) {
      throw new ReleaseHallError('[release-hall] this journal keeps no inbox', {
        code: 'INVALID_INPUT',
      });
    }
    const items = await journal.listInbox({
      memberId: flags.member,
      assignedTo: flags.assignedTo,
      campaignId: flags.campaign,
      unanswered: flags.unanswered === true,
      limit: limit === undefined ? undefined : Math.floor(limit),
    });
    const aged = inboxItemAges(items, new Date(), deadlineMs);
    if (flags.json) {
      const rows = aged.map(({ item, ageMs, overdue }) => ({ ...item, ageMs, overdue }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (aged.length === 0) {
      process.stdout.write(`no inbox items in ${where}\n`);
      return 0;
    }
    for (const row of aged) process.stdout.write(`${formatLine(row)}\n`);
    const overdue = aged.filter((row) => row.overdue).length;
    process.stdout.write(
      `${aged.length} item${aged.length === 1 ? '' : 's'}, ${overdue} unanswered past the reply deadline of ${deadlineMs / 3_600_000} h\n`,
    );
    return 0;
  } finally {
    await journal.close();
  }
}
