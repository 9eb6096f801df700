/**
 * The figures the reach charts plot, from the journal's readings. Pure.
 *
 * - By platform: each post's latest reading, summed per platform and count.
 * - Over time: readings are put into rounds (a collection reads every account within moments; a
 *   reading more than {@link ROUND_GAP_MS} after the round's first starts a new round). At the
 *   end of each round, every post counts with its latest reading so far, and the counts are
 *   summed: a post read in an earlier round keeps counting with that reading.
 */
import { REACH_COUNTS, type ReachCount } from '../adapter.js';
import type { ReachReading } from '../journal/reach.js';
import { reachTotals } from '../metrics/collect.js';
import { latestReadings } from '../scorecard/compute.js';

/** Readings this close to a round's first belong to the round. */
export const ROUND_GAP_MS = 5 * 60_000;

/** The counts any of `readings` holds, in the order of REACH_COUNTS. */
export function countsPresent(readings: readonly ReachReading[]): ReachCount[] {
  return REACH_COUNTS.filter((name) => readings.some((reading) => reading[name] !== undefined));
}

/** Each platform's summed counts, from each post's latest reading; platforms in first-seen order. */
export function reachByPlatform(
  readings: readonly ReachReading[],
): { readonly platform: string; readonly counts: Partial<Record<ReachCount, number>> }[] {
  const latest = latestReadings(readings);
  const platforms = [...new Set(latest.map((reading) => reading.platform))];
  return platforms.map((platform) => ({
    platform,
    counts: { ...reachTotals(latest.filter((reading) => reading.platform === platform)) },
  }));
}

/** One point of the reach over time: the end of a round and the sums then. */
export interface ReachPoint {
  readonly at: string;
  readonly posts: number;
  readonly counts: Partial<Record<ReachCount, number>>;
}

/** The reach over time (see the module comment), oldest first. */
export function reachOverTime(readings: readonly ReachReading[]): ReachPoint[] {
  const sorted = [...readings]
    .filter((reading) => !Number.isNaN(Date.parse(reading.readAt)))
    .sort((a, b) => Date.parse(a.readAt) - Date.parse(b.readAt));
  const rounds: ReachReading[][] = [];
  let roundStart = Number.NEGATIVE_INFINITY;
  for (const reading of sorted) {
    const at = Date.parse(reading.readAt);
    const current = rounds.at(-1);
    if (current === undefined || at - roundStart > ROUND_GAP_MS) {
      rounds.push([reading]);
      roundStart = at;
    } else current.push(reading);
  }
  const points: ReachPoint[] = [];
  const latest = new Map<string, ReachReading>();
  for (const round of rounds) {
    for (const reading of round) {
      latest.set(JSON.stringify([reading.campaignId, reading.accountId, reading.postId]), reading);
    }
    const last = round.at(-1);
    if (last === undefined) continue;
    points.push({
      at: last.readAt,
      posts: latest.size,
      counts: { ...reachTotals([...latest.values()]) },
    });
  }
  return points;
}
