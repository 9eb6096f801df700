/**
 * Scenario `scale`: a synthetic hall on the in-process memory adapter, one relay campaign
 * published with the in-memory journal, at 10,000 and 100,000 accounts. Each size runs in a plain
 * Node process of its own (`scale-child.ts`, bundled), so its peak RSS is its own and no
 * TypeScript loader is counted.
 */
import type { BenchRow, BenchSize, Scenario, ScenarioResult } from './bench-types.js';
import { count, megabytes, now, round } from './measure.js';
import { runChild } from './run-child.js';
import type { ScaleChildResult } from './scale-child.js';

const SIZES: Readonly<Record<BenchSize, readonly [number, number]>> = {
  full: [10_000, 100_000],
  smoke: [200, 1_000],
};

/** The RSS target at the larger size, in MB. */
const RSS_TARGET_MB = 300;

function peakOf(result: ScaleChildResult): number {
  return megabytes(Math.max(result.peakRss, result.maxRss));
}

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const [small, large] = SIZES[size];
  const measure = (accounts: number): Promise<ScaleChildResult> =>
    runChild<ScaleChildResult>('scale-child', [String(accounts)], {
      timeoutMs: 110_000,
      nodeFlags: ['--expose-gc'],
    });
  const atSmall = await measure(small);
  const atLarge = await measure(large);
  const perSmallUs = (atSmall.publishMs * 1000) / atSmall.deliveries;
  const perLargeUs = (atLarge.publishMs * 1000) / atLarge.deliveries;
  const costRatio = perLargeUs / perSmallUs;
  const peakMb = peakOf(atLarge);
  const allSent =
    atSmall.succeeded === atSmall.deliveries && atLarge.succeeded === atLarge.deliveries;
  const rows: BenchRow[] = [
    {
      check: `publish cost per delivery at ${count(large)} vs ${count(small)} accounts`,
      measured: `${round(perLargeUs, 1)} µs (${count(atLarge.publishMs)} ms in all)`,
      baseline: `${round(perSmallUs, 1)} µs (${count(atSmall.publishMs)} ms in all)`,
      ratio: round(costRatio, 3),
      target: '≤ 1.3',
      pass: costRatio <= 1.3 && allSent,
    },
    {
      check: `peak RSS at ${count(large)} accounts (plain Node process)`,
      measured: `${peakMb} MB`,
      baseline: `${megabytes(atLarge.baseRss)} MB at start; ${peakOf(atSmall)} MB at ${count(small)}`,
      ratio: round(peakMb / RSS_TARGET_MB, 3),
      target: `< ${RSS_TARGET_MB} MB`,
      pass: peakMb < RSS_TARGET_MB,
    },
  ];
  return {
    name: 'scale',
    title: 'Scale',
    parameters: {
      adapter: 'in-process memory adapter, latency 0, platformConcurrency 16',
      campaign: 'one relay campaign (lead + N − 1 relays), MemoryJournal',
      sizes: `${count(small)} and ${count(large)} accounts, each in its own plain Node process`,
      timed: 'publish, from the call to the report (rendering and planning included)',
      rss: 'max of RSS sampled every 10 ms and the kernel high-water mark (resourceUsage().maxRSS)',
    },
    rows,
    figures: {
      smallAccounts: small,
      smallPublishMs: round(atSmall.publishMs, 0),
      smallPlanningMs: round(atSmall.planningMs, 0),
      smallSetupMs: round(atSmall.setupMs, 0),
      smallPerDeliveryUs: round(perSmallUs, 2),
      smallPeakRssMb: peakOf(atSmall),
      smallHeapAfterMb: atSmall.heapAfterMb,
      largeAccounts: large,
      largePublishMs: round(atLarge.publishMs, 0),
      largePlanningMs: round(atLarge.planningMs, 0),
      largeSetupMs: round(atLarge.setupMs, 0),
      largePerDeliveryUs: round(perLargeUs, 2),
      largePeakRssMb: peakMb,
      largeBaseRssMb: megabytes(atLarge.baseRss),
      largeHeapAfterMb: atLarge.heapAfterMb,
      costRatio: round(costRatio, 3),
      everyDeliverySucceeded: allSent,
    },
    notes: [
      `Of the publish time, checking, rendering, planning and journaling the campaign took ${count(atSmall.planningMs)} ms at ${count(small)} and ${count(atLarge.planningMs)} ms at ${count(large)} accounts.`,
      `After the campaign the V8 heap still holds ${atLarge.heapAfterMb} MB at ${count(large)} accounts (the resolved hall, the journal with every delivery's plan and history, the report), before the garbage of the run is counted.`,
    ],
    durationMs: now() - begun,
  };
}

/** The `scale` scenario. */
export const scaleScenario: Scenario = { name: 'scale', title: 'Scale', run };
