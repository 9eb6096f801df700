/**
 * Response clocks: how long after the event (or after the rumor was spotted) each account's first
 * post went live, against the hall's deadline for the statement's urgency. Pure: the times come in,
 * nothing is read or written.
 */
import type { Deadlines } from '../model/hall.js';
import type { Statement } from '../model/statement.js';

/** What a clock needs of one delivery. */
export interface ClockedDelivery {
  readonly accountId: string;
  readonly memberId: string;
  readonly platform: string;
  readonly status: 'succeeded' | 'failed' | 'skipped' | 'unconfirmed' | 'pending';
  /** When it ended (for a success: when the post went live). */
  readonly finishedAt?: string | undefined;
}

/** Where one account stands against the deadline. */
export type ClockState =
  /** Live before the deadline. */
  | 'on-time'
  /** Live, after the deadline. */
  | 'late'
  /** Not live, and the deadline has passed. */
  | 'missing'
  /** Not live yet; the deadline is still ahead. */
  | 'due';

/** One account's clock. */
export interface AccountClock {
  readonly accountId: string;
  readonly memberId: string;
  readonly platform: string;
  readonly state: ClockState;
  /** When its first post went live. */
  readonly liveAt?: string;
  /** Minutes from the clock's start to `liveAt`. */
  readonly minutes?: number;
}

/** The clocks of a campaign. */
export interface ResponseClocks {
  /** The field the clock starts from: the earlier of `eventAt` and `detectedAt`. */
  readonly from: 'eventAt' | 'detectedAt';
  readonly startedAt: string;
  readonly deadlineMinutes: number;
  readonly deadlineAt: string;
  readonly accounts: readonly AccountClock[];
  /** Accounts late or missing. */
  readonly overdue: number;
}

/** Where a statement's clock starts and when its deadline falls (epoch milliseconds). */
export interface ClockStart {
  readonly field: 'eventAt' | 'detectedAt';
  readonly at: number;
  readonly deadlineMinutes: number;
  readonly deadline: number;
}

/**
 * The start of a statement's clock: the earlier of `eventAt` and `detectedAt`, with the hall's
 * deadline for its urgency; `undefined` when it carries neither.
 */
export function clockStart(
  statement: Pick<Statement, 'urgency' | 'eventAt' | 'detectedAt'>,
  deadlines: Deadlines,
): ClockStart | undefined {
  const start = (['eventAt', 'detectedAt'] as const)
    .filter((field) => statement[field] !== undefined)
    .map((field) => ({ field, at: Date.parse(statement[field]!) }))
    .sort((a, b) => a.at - b.at)[0];
  if (start === undefined) return undefined;
  const deadlineMinutes = deadlines[statement.urgency];
  return { ...start, deadlineMinutes, deadline: start.at + deadlineMinutes * 60_000 };
}

/**
 * The response clocks of a campaign, or `undefined` when the statement carries neither `eventAt`
 * nor `detectedAt`. An account counts once: its first successful delivery.
 */
export function responseClocks(input: {
  readonly statement: Pick<Statement, 'urgency' | 'eventAt' | 'detectedAt'>;
  readonly deadlines: Deadlines;
  readonly deliveries: readonly ClockedDelivery[];
  readonly now: Date;
}): ResponseClocks | undefined {
  const start = clockStart(input.statement, input.deadlines);
  if (start === undefined) return undefined;
  const { deadlineMinutes, deadline } = start;
  const byAccount = new Map<string, ClockedDelivery[]>();
  for (const delivery of input.deliveries) {
    const list = byAccount.get(delivery.accountId) ?? [];
    list.push(delivery);
    byAccount.set(delivery.accountId, list);
  }
  const accounts: AccountClock[] = [];
  for (const [accountId, deliveries] of byAccount) {
    const first = deliveries[0]!;
    const live = deliveries
      .filter((delivery) => delivery.status === 'succeeded' && delivery.finishedAt !== undefined)
      .map((delivery) => Date.parse(delivery.finishedAt!))
      .sort((a, b) => a - b)[0];
    const base = { accountId, memberId: first.memberId, platform: first.platform };
    if (live === undefined) {
      accounts.push({ ...base, state: input.now.getTime() > deadline ? 'missing' : 'due' });
      continue;
    }
    accounts.push({
      ...base,
      state: live > deadline ? 'late' : 'on-time',
      liveAt: new Date(live).toISOString(),
      minutes: Math.round((live - start.at) / 60_000),
    });
  }
  return {
    from: start.field,
    startedAt: new Date(start.at).toISOString(),
    deadlineMinutes,
    deadlineAt: new Date(deadline).toISOString(),
    accounts,
    overdue: accounts.filter((clock) => clock.state === 'late' || clock.state === 'missing').length,
  };
}

/** The clocks as lines for a terminal; with `onlyOverdue`, only late and missing accounts. */
export function formatClocks(clocks: ResponseClocks, onlyOverdue = false): string {
  const hours = (clocks.deadlineMinutes / 60).toFixed(clocks.deadlineMinutes % 60 === 0 ? 0 : 1);
  const lines = [
    `response clock from ${clocks.from} ${clocks.startedAt}: deadline ${hours} h, at ${clocks.deadlineAt}; ${clocks.overdue} account${clocks.overdue === 1 ? '' : 's'} late or missing`,
  ];
  for (const clock of clocks.accounts) {
    if (onlyOverdue && clock.state !== 'late' && clock.state !== 'missing') continue;
    const when = clock.minutes === undefined ? 'not live' : `live after ${clock.minutes} min`;
    lines.push(`  ${clock.state.padEnd(8)} ${clock.accountId.padEnd(26)} ${when}`);
  }
  return lines.join('\n');
}
