/**
 * Reach read on a schedule (`metrics CAMPAIGN --at 1h,24h`): each offset is a time after the
 * campaign started at which every live post is read once. A time already past with a reading at or
 * after it counts as done; a time past without one is read now (late, and said so; several late
 * times share one reading); a time to come is waited for. Readings are appended to the journal as
 * any collection's, so stopping and starting again never reads a done time twice.
 */
import { invalidInput } from '../errors.js';
import { hasReach } from '../journal/reach.js';
import { type CollectReachOptions, type ReachCollection, collectReach } from './collect.js';

const UNITS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a list of offsets such as `1h,24h`, `30m,6h,7d` (minutes, hours, days; whole numbers)
 * into milliseconds, in ascending order, each once.
 *
 * @throws ReleaseHallError `INVALID_INPUT` naming `at` and the offset that is wrong.
 */
export function parseReadingOffsets(text: string): number[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) {
    throw invalidInput('schedule', [
      { path: 'at', message: 'expected times after the start, e.g. "1h,24h"' },
    ]);
  }
  const offsets = parts.map((part) => {
    const match = /^(\d{1,4})([mhd])$/.exec(part);
    const unit = match?.[2] === undefined ? undefined : UNITS[match[2]];
    if (match === null || unit === undefined || Number(match[1]) === 0) {
      throw invalidInput('schedule', [
        {
          path: 'at',
          message: `"${part}" is not a time after the start: write a whole number of minutes, hours or days, e.g. 30m, 1h, 7d`,
        },
      ]);
    }
    return Number(match[1]) * unit;
  });
  return [...new Set(offsets)].sort((a, b) => a - b);
}

/** One scheduled reading and where it stands. */
export interface ScheduledReading {
  /** Milliseconds after the campaign started. */
  readonly offsetMs: number;
  /** When it is due. */
  readonly dueAt: Date;
  /** True when the journal holds a reading of the campaign taken at or after `dueAt`. */
  readonly done: boolean;
}

/** Where each offset stands, given the start and the times of the readings the journal holds. */
export function scheduleReadings(
  offsets: readonly number[],
  start: Date,
  readAt: readonly string[],
): ScheduledReading[] {
  const latest = readAt.reduce(
    (max, at) => Math.max(max, Date.parse(at)),
    Number.NEGATIVE_INFINITY,
  );
  return offsets.map((offsetMs) => {
    const dueAt = new Date(start.getTime() + offsetMs);
    return { offsetMs, dueAt, done: latest >= dueAt.getTime() };
  });
}

/** Options of {@link collectOnSchedule}. */
export interface CollectOnScheduleOptions extends CollectReachOptions {
  /** Milliseconds after the campaign started ({@link parseReadingOffsets}). */
  readonly offsets: readonly number[];
  /** The clock. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
  /**
   * Waits `ms` or until `signal` aborts. @default a timer
   */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Told before each wait: the reading waited for. */
  readonly onWait?: ((next: ScheduledReading) => void) | undefined;
  /**
   * Told after each collection: the readings it stands for, and whether it came late. Awaited
   * before the next wait: a failure here (a report that cannot be written) stops the schedule.
   */
  readonly onCollected?:
    | ((
        collection: ReachCollection,
        covers: readonly ScheduledReading[],
        late: boolean,
      ) => void | Promise<void>)
    | undefined;
}

/** What {@link collectOnSchedule} did. */
export interface ScheduleResult {
  /** Every offset and where it stood at the start. */
  readonly schedule: readonly ScheduledReading[];
  /** The collections made, in order. */
  readonly collections: readonly ReachCollection[];
  /** True when the signal stopped it before the last reading. */
  readonly stopped: boolean;
}

/** The longest wait one timer may hold (2^31 − 1 ms). */
const MAX_SLEEP_MS = 2_147_483_647;

function timer(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const handle = setTimeout(done, ms);
    function done(): void {
      clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Reads the campaign's reach at each offset after it started: late times at once (one reading for
 * all of them), times to come when they are due. Resolves when every time is done or the signal
 * stops it.
 *
 * @throws ReleaseHallError `INVALID_INPUT` for an unknown campaign or a journal without readings.
 */
export async function collectOnSchedule(
  options: CollectOnScheduleOptions,
): Promise<ScheduleResult> {
  const { journal, campaignId } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? timer;
  const signal = options.signal ?? new AbortController().signal;
  const campaign = await journal.getCampaign(campaignId);
  if (campaign === undefined) {
    throw invalidInput('schedule', [
      {
        path: 'campaign',
        message: `campaign ${campaignId} is not in the journal: name one that \`release-hall list\` shows`,
      },
    ]);
  }
  if (!hasReach(journal)) {
    throw invalidInput('schedule', [
      { path: 'journal', message: 'this journal keeps no reach readings (it has no putReach)' },
    ]);
  }
  const start = new Date(campaign.createdAt);
  const held = (await journal.listReach(campaignId)).map((reading) => reading.readAt);
  const schedule = scheduleReadings(options.offsets, start, held);
  const collections: ReachCollection[] = [];
  const pending = schedule.filter((reading) => !reading.done);
  const waitedFor = new Set<number>();
  let index = 0;
  while (index < pending.length) {
    if (signal.aborted) return { schedule, collections, stopped: true };
    const next = pending[index]!;
    const wait = next.dueAt.getTime() - now().getTime();
    if (wait > 0) {
      if (!waitedFor.has(index)) options.onWait?.(next);
      waitedFor.add(index);
      // Timers hold at most about 24.8 days: a longer wait is slept in parts.
      await sleep(Math.min(wait, MAX_SLEEP_MS), signal);
      continue;
    }
    const at = now().getTime();
    const covers = pending.slice(index).filter((reading) => reading.dueAt.getTime() <= at);
    const collection = await collectReach(options);
    collections.push(collection);
    await options.onCollected?.(collection, covers, !waitedFor.has(index));
    index += covers.length;
  }
  return { schedule, collections, stopped: false };
}
