/**
 * Reach readings in the journal: the reposts, comments and likes of a campaign's posts, each
 * reading kept with the time it was read. Readings are appended, never overwritten, so a post read
 * an hour and a day after it went out keeps both readings.
 */
import { type PostReach, REACH_COUNTS, type ReachCount } from '../adapter.js';
import type { Journal } from './journal.js';

/** One reading of one post of a campaign, as the journal keeps it. */
export interface ReachReading extends PostReach {
  readonly campaignId: string;
  /** The delivery that made the post. */
  readonly deliveryId: string;
  readonly accountId: string;
  readonly platform: string;
}

/**
 * The reach methods of a journal. The journals of this package have them; a journal of another
 * maker may not ({@link hasReach}).
 */
export interface JournalReach {
  /** Appends readings; earlier readings of the same posts stay as they are. */
  putReach(readings: readonly ReachReading[]): Promise<void>;
  /** Every reading of the campaign's posts, oldest first (by `readAt`, then in the order stored). */
  listReach(campaignId: string): Promise<readonly ReachReading[]>;
}

/** True when `journal` keeps reach readings (every journal of this package does). */
export function hasReach(journal: Journal): journal is Journal & JournalReach {
  const candidate = journal as Partial<JournalReach>;
  return typeof candidate.putReach === 'function' && typeof candidate.listReach === 'function';
}

/** The counts a reading holds, in the order of {@link REACH_COUNTS}; absent ones left out. */
export function countsOf(reading: PostReach): Partial<Record<ReachCount, number>> {
  const counts: Partial<Record<ReachCount, number>> = {};
  for (const name of REACH_COUNTS) {
    const value = reading[name];
    if (value !== undefined) counts[name] = value;
  }
  return counts;
}

/** A reading with its fields in a fixed order and only those: what every journal stores. */
export function storedReachReading(reading: ReachReading): ReachReading {
  return {
    campaignId: reading.campaignId,
    deliveryId: reading.deliveryId,
    accountId: reading.accountId,
    platform: reading.platform,
    postId: reading.postId,
    ...countsOf(reading),
    readAt: reading.readAt,
  };
}

/** Orders readings oldest first by `readAt`; readings read at the same time keep their order. */
export function oldestReadingFirst(readings: readonly ReachReading[]): ReachReading[] {
  return readings
    .map((reading, order) => ({ reading, order }))
    .sort((a, b) => {
      const byTime = Date.parse(a.reading.readAt) - Date.parse(b.reading.readAt);
      return byTime !== 0 ? byTime : a.order - b.order;
    })
    .map((entry) => entry.reading);
}
