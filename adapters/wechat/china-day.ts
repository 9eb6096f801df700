/**
 * Calendar days in China (UTC+8, no daylight saving time), as WeChat's statistics count them
 * (platforms-listening.md §3.3): dates are `YYYY-MM-DD` in UTC+8, the newest day that can be asked
 * is yesterday, and a day's figures are ready after 08:00 the next day.
 */

/** China's offset from UTC. */
export const CHINA_OFFSET_MS = 8 * 3_600_000;

const DAY_MS = 86_400_000;

/** Hour (UTC+8) after which the day before is ready in the statistics. */
export const WECHAT_STATS_READY_HOUR = 8;

/** The China day of a time, `YYYY-MM-DD`. */
export function chinaDay(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The day `days` after `day` (negative: before). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (`YYYY-MM-DD` both). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * The newest day whose statistics are ready at `now`: yesterday (UTC+8) from 08:00, the day
 * before yesterday until then.
 */
export function newestReadyDay(now: number): string {
  const hour = new Date(now + CHINA_OFFSET_MS).getUTCHours();
  return addDays(chinaDay(now), hour >= WECHAT_STATS_READY_HOUR ? -1 : -2);
}
