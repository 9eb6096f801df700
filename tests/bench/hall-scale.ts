/**
 * Scenario `scale`: a synthetic hall on the in-process memory adapter, one relay campaign
 * published (the report keeping only the lines that did not succeed, `reportDeliveries:
 * 'unsuccessful'`), at 10,000 and 100,000 accounts, on the in-memory and on the SQLite journal.
 * Each size and journal runs in a plain Node process of its own (`scale-child.ts`, bundled), so
 * its peak RSS is its own and no TypeScript loader is counted; each is measured three times, and
 * every figure is the median of the runs with their minimum and maximum.
 *
 * With `RELEASE_HALL_BENCH_1M=1` it also runs 1,000,000 accounts on SQLite, once (it takes several
 * minutes), to show how cost and memory grow with the hall.
 */
import type { BenchRow, BenchSize, Figure, Scenario, ScenarioResult } from './bench-types.js';
import {
  type Spread,
  count,
  formatSpread,
  megabytes,
  now,
  repeatRuns,
  round,
  spreadOf,
} from './measure.js';
import { runChild } from './run-child.js';
import type { ScaleChildResult, ScaleJournal } from './scale-child.js';

const SIZES: Readonly<Record<BenchSize, readonly [number, number]>> = {
  full: [10_000, 100_000],
  smoke: [200, 1_000],
};

/** Measured runs of each size and journal. */
const RUNS: Readonly<Record<BenchSize, number>> = { full: 3, smoke: 1 };

/** The opt-in size: 1,000,000 accounts on SQLite, one run. */
const MILLION = 1_000_000;
const MILLION_ENABLED = process.env.RELEASE_HALL_BENCH_1M === '1';

/** The RSS target at the larger size, in MB. */
const RSS_TARGET_MB = 300;

const JOURNALS: readonly ScaleJournal[] = ['memory', 'sqlite'];
const JOURNAL_LABELS: Readonly<Record<ScaleJournal, string>> = {
  memory: 'MemoryJournal',
  sqlite: 'SqliteJournal',
};

/** Peak RSS of a run in MB: the sampled peak or the kernel's high-water mark, whichever is higher. */
function peakOf(result: ScaleChildResult): number {
  return megabytes(Math.max(result.peakRss, result.maxRss));
}

/** Publish cost per delivery of a run, in µs. */
function perDeliveryUs(result: ScaleChildResult): number {
  return (result.publishMs * 1000) / result.deliveries;
}

function measure(
  accounts: number,
  journal: ScaleJournal,
  timeoutMs: number,
): Promise<ScaleChildResult> {
  return runChild<ScaleChildResult>('scale-child', [String(accounts), journal], {
    timeoutMs,
    nodeFlags: ['--expose-gc'],
  });
}

const oneDecimal = (value: number): string => value.toFixed(1);

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const [small, large] = SIZES[size];
  const results = new Map<string, ScaleChildResult[]>();
  for (const journal of JOURNALS) {
    for (const accounts of [small, large]) {
      results.set(
        `${journal}.${accounts}`,
        await repeatRuns(RUNS[size], () => measure(accounts, journal, 170_000)),
      );
    }
  }
  const million =
    MILLION_ENABLED && size === 'full' ? await measure(MILLION, 'sqlite', 1_800_000) : undefined;
  const of = (journal: ScaleJournal, accounts: number): ScaleChildResult[] =>
    results.get(`${journal}.${accounts}`)!;
  const spread = (
    journal: ScaleJournal,
    accounts: number,
    figure: (result: ScaleChildResult) => number,
  ): Spread => spreadOf(of(journal, accounts).map(figure));
  const allSent =
    [...results.values()].every((runs) =>
      runs.every((each) => each.succeeded === each.deliveries),
    ) &&
    (million === undefined || million.succeeded === million.deliveries);

  const rows: BenchRow[] = [];
  const figures: Record<string, Figure> = {
    smallAccounts: small,
    largeAccounts: large,
    runs: RUNS[size],
    everyDeliverySucceeded: allSent,
  };
  for (const journal of JOURNALS) {
    const label = JOURNAL_LABELS[journal];
    const costSmall = spread(journal, small, perDeliveryUs);
    const costLarge = spread(journal, large, perDeliveryUs);
    const costRatio = costLarge.median / costSmall.median;
    rows.push({
      check: `${label}: publish cost per delivery at ${count(large)} vs ${count(small)} accounts`,
      measured: formatSpread(costLarge, 'µs', oneDecimal),
      baseline: formatSpread(costSmall, 'µs', oneDecimal),
      ratio: round(costRatio, 3),
      target: '≤ 1.3',
      pass: costRatio <= 1.3 && allSent,
    });
    const peakLarge = spread(journal, large, peakOf);
    const peakSmall = spread(journal, small, peakOf);
    const baseRss = spread(journal, large, (result) => megabytes(result.baseRss));
    rows.push({
      check: `${label}: peak RSS at ${count(large)} accounts (plain Node process)`,
      measured: formatSpread(peakLarge, 'MB', oneDecimal),
      baseline: `${oneDecimal(baseRss.median)} MB at start; ${formatSpread(peakSmall, 'MB', oneDecimal)} at ${count(small)}`,
      ratio: round(peakLarge.median / RSS_TARGET_MB, 3),
      target: `< ${RSS_TARGET_MB} MB`,
      pass: peakLarge.median < RSS_TARGET_MB,
    });
    for (const [name, accounts] of [
      ['small', small],
      ['large', large],
    ] as const) {
      const prefix = `${journal}.${name}`;
      for (const [figure, read] of [
        ['perDeliveryUs', perDeliveryUs],
        ['peakRssMb', peakOf],
        ['publishMs', (result: ScaleChildResult) => result.publishMs],
        ['planningMs', (result: ScaleChildResult) => result.planningMs],
        ['setupMs', (result: ScaleChildResult) => result.setupMs],
        ['heapAfterMb', (result: ScaleChildResult) => result.heapAfterMb],
      ] as const) {
        const values = spread(journal, accounts, read);
        figures[`${prefix}.${figure}.median`] = round(values.median, 2);
        figures[`${prefix}.${figure}.min`] = round(values.min, 2);
        figures[`${prefix}.${figure}.max`] = round(values.max, 2);
        figures[`${prefix}.${figure}.values`] = values.values
          .map((value) => round(value, 2))
          .join(' ');
      }
    }
  }
  if (million !== undefined) {
    rows.push({
      check: `SqliteJournal at ${count(MILLION)} accounts: cost per delivery and peak RSS (opt-in, 1 run)`,
      measured: `${oneDecimal(perDeliveryUs(million))} µs; ${oneDecimal(peakOf(million))} MB`,
      baseline: `${oneDecimal(spread('sqlite', large, perDeliveryUs).median)} µs; ${oneDecimal(spread('sqlite', large, peakOf).median)} MB at ${count(large)}`,
      ratio: round(perDeliveryUs(million) / spread('sqlite', large, perDeliveryUs).median, 3),
      target: '—',
      pass: null,
    });
    figures['sqlite.million.perDeliveryUs'] = round(perDeliveryUs(million), 2);
    figures['sqlite.million.peakRssMb'] = peakOf(million);
    figures['sqlite.million.publishMs'] = round(million.publishMs, 0);
    figures['sqlite.million.planningMs'] = round(million.planningMs, 0);
    figures['sqlite.million.heapAfterMb'] = million.heapAfterMb;
  }
  const heap = (journal: ScaleJournal): number =>
    spread(journal, large, (result) => result.heapAfterMb).median;
  return {
    name: 'scale',
    title: 'Scale',
    parameters: {
      adapter: 'in-process memory adapter, latency 0, platformConcurrency 16',
      campaign:
        "one relay campaign (lead + N − 1 relays), reportDeliveries: 'unsuccessful' (the report keeps the lines that did not succeed)",
      journals: 'MemoryJournal; SqliteJournal (WAL, synchronous=FULL, in a temporary directory)',
      sizes: `${count(small)} and ${count(large)} accounts, each size and journal in its own plain Node process${MILLION_ENABLED && size === 'full' ? `; ${count(MILLION)} on SQLite, once (RELEASE_HALL_BENCH_1M=1)` : ''}`,
      runs: `${RUNS[size]} per size and journal; median (min–max) shown`,
      timed: 'publish, from the call to the report (rendering and planning included)',
      rss: 'max of RSS sampled every 10 ms and the kernel high-water mark (resourceUsage().maxRSS); the peak of each run, median across runs',
    },
    rows,
    figures,
    notes: [
      `After the campaign, once collected, the V8 heap holds ${heap('memory')} MB with the MemoryJournal and ${heap('sqlite')} MB with the SqliteJournal at ${count(large)} accounts (medians): the checked hall, the memory adapter's own posts and, for the MemoryJournal, every delivery's plan and history, which it keeps by design.`,
      'The SqliteJournal commits each state change before the call it guards (group commits, one fsync each): on the memory adapter at zero latency its cost per delivery is the commits’ wait, not CPU.',
      ...(MILLION_ENABLED
        ? []
        : [
            '1,000,000 accounts on SQLite (several minutes): RELEASE_HALL_BENCH_1M=1 npm run bench -- scale.',
          ]),
    ],
    durationMs: now() - begun,
  };
}

/** The `scale` scenario. */
export const scaleScenario: Scenario = { name: 'scale', title: 'Scale', run };
