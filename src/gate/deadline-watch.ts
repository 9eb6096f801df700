/**
 * The response deadline watched during a run: when the deadline of the statement's clock passes
 * (or has passed when the run starts) with accounts of the campaign not live yet, the publisher
 * emits `deadline:missed` once, naming them.
 */
import type { DeadlineMissedEvent } from '../events.js';
import type { Deadlines } from '../model/hall.js';
import type { Statement } from '../model/statement.js';
import { clockStart } from './clocks.js';

/** What the watch needs of one delivery of the campaign. */
export interface WatchedDelivery {
  readonly accountId: string;
  readonly memberId: string;
  readonly platform: string;
  readonly action: string;
}

/** A running watch: told when an account goes live, stopped when the run ends. */
export interface DeadlineWatch {
  live(accountId: string): void;
  stop(): void;
}

/**
 * Starts watching, or returns `undefined` when the statement carries no `eventAt`/`detectedAt`.
 * `alreadyLive` names the accounts a resumed campaign already carries.
 */
export function watchDeadline(input: {
  readonly campaignId: string;
  readonly statement: Pick<Statement, 'urgency' | 'eventAt' | 'detectedAt'>;
  readonly deadlines: Deadlines;
  readonly deliveries: readonly WatchedDelivery[];
  readonly alreadyLive: Iterable<string>;
  readonly emit: (event: DeadlineMissedEvent) => void;
}): DeadlineWatch | undefined {
  const start = clockStart(input.statement, input.deadlines);
  if (start === undefined) return undefined;
  const waiting = new Map<string, DeadlineMissedEvent['accounts'][number]>();
  for (const delivery of input.deliveries) {
    if (delivery.action === 'retract' || waiting.has(delivery.accountId)) continue;
    const { accountId, memberId, platform } = delivery;
    waiting.set(accountId, { accountId, memberId, platform });
  }
  for (const accountId of input.alreadyLive) waiting.delete(accountId);
  const fire = (): void => {
    if (waiting.size === 0) return;
    input.emit({
      campaignId: input.campaignId,
      from: start.field,
      startedAt: new Date(start.at).toISOString(),
      deadlineMinutes: start.deadlineMinutes,
      deadlineAt: new Date(start.deadline).toISOString(),
      accounts: [...waiting.values()],
    });
  };
  // A timer of more than 2^31 - 1 ms fires at once: such a deadline is checked again then.
  const MAX_TIMER_MS = 2_147_483_647;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const wait = start.deadline - Date.now();
    if (wait <= 0) {
      // After the run's synchronous start, so the accounts it already holds are counted live.
      timer = setTimeout(fire, 0);
    } else {
      timer = setTimeout(wait > MAX_TIMER_MS ? arm : fire, Math.min(wait, MAX_TIMER_MS));
    }
    timer.unref();
  };
  arm();
  return {
    live: (accountId) => {
      waiting.delete(accountId);
    },
    stop: () => {
      clearTimeout(timer);
    },
  };
}
