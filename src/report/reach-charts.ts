/**
 * The two reach charts both reports show: reach per platform (bars, the counts stacked) and reach
 * over time (a line per count, one point per round of readings).
 */
import type { ReachReading } from '../journal/reach.js';
import { beijingTime, chartFigure } from './page.js';
import { countsPresent, reachByPlatform, reachOverTime } from './reach-series.js';

/** The names the platforms go by in the charts. */
const PLATFORM_NAMES: Readonly<Record<string, string>> = {
  weibo: 'Weibo',
  tencent: 'Tencent Weibo',
  wechat: 'WeChat',
};

/** The reach-per-platform and reach-over-time figures of `readings`. */
export async function reachCharts(readings: readonly ReachReading[]): Promise<string[]> {
  const counts = countsPresent(readings);
  const shown = counts.length === 0 ? (['reposts', 'comments', 'likes'] as const) : counts;
  const byPlatform = reachByPlatform(readings);
  const overTime = reachOverTime(readings);
  return [
    await chartFigure({
      id: 'reach-platform',
      title: 'Reach per platform',
      note:
        readings.length === 0
          ? 'No reach readings yet: run `release-hall metrics CAMPAIGN`.'
          : 'Each post’s latest reading, summed; a count a platform does not give is left out.',
      spec: {
        kind: 'bar',
        stacked: true,
        categories: byPlatform.map((entry) => PLATFORM_NAMES[entry.platform] ?? entry.platform),
        series: shown.map((name) => ({
          name,
          data: byPlatform.map((entry) => entry.counts[name] ?? null),
        })),
      },
    }),
    await chartFigure({
      id: 'reach-time',
      title: 'Reach over time',
      note: 'One point per round of readings (Beijing time); each post counts with its latest reading so far.',
      spec: {
        kind: 'line',
        categories: overTime.map((point) => beijingTime(point.at).slice(5)),
        series: shown.map((name) => ({
          name,
          data: overTime.map((point) => point.counts[name] ?? null),
        })),
      },
    }),
  ];
}
