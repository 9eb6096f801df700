/**
 * One size of the `scale` scenario, in a process of its own so its peak RSS is its own: a
 * synthetic hall of N accounts on the in-process memory adapter, one relay campaign published
 * with the report keeping only the lines that did not succeed (`reportDeliveries:
 * 'unsuccessful'`), on the in-memory or the SQLite journal. Sends one {@link ScaleChildResult} to
 * the parent and exits.
 *
 *   node scale-child.mjs 100000 memory|sqlite
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Journal, MemoryJournal, createPublisher } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { RssSampler, isMain, now } from './measure.js';
import { benchStatement, syntheticCredentials, syntheticHall } from './synthetic-hall.js';

/** The journals the scenario runs with. */
export type ScaleJournal = 'memory' | 'sqlite';

/** What one size reports. */
export interface ScaleChildResult {
  readonly accounts: number;
  readonly journal: ScaleJournal;
  readonly deliveries: number;
  readonly succeeded: number;
  /** Building the hall and the publisher (checking the hall). */
  readonly setupMs: number;
  /**
   * From the `publish` call to the start of the run (`report.startedAt`): checking, rendering,
   * planning and journaling the campaign.
   */
  readonly planningMs: number;
  /** The campaign: `publish`, from the call to the report (planning included). */
  readonly publishMs: number;
  /** RSS when the process had loaded its modules, before the hall existed. */
  readonly baseRss: number;
  /**
   * Highest RSS sampled (every 10 ms and after each phase). A run on the memory adapter hardly
   * yields to timers, so `maxRss` is the figure to trust.
   */
  readonly peakRss: number;
  /** The kernel's high-water mark of RSS for the process (`resourceUsage().maxRSS`). */
  readonly maxRss: number;
  /** V8 heap in use after the campaign, once collected (needs `--expose-gc`; else not collected). */
  readonly heapAfterMb: number;
}

/** Runs one size in this process. */
export async function runScaleSize(
  accounts: number,
  journalKind: ScaleJournal,
): Promise<ScaleChildResult> {
  const sampler = new RssSampler(10);
  const baseRss = process.memoryUsage.rss();
  const directory = mkdtempSync(join(tmpdir(), 'release-hall-scale-'));
  const journal: Journal =
    journalKind === 'sqlite'
      ? new SqliteJournal(join(directory, 'journal.db'))
      : new MemoryJournal();
  const started = now();
  const publisher = createPublisher({
    hall: syntheticHall({ accounts, platform: 'memory' }),
    adapters: [createMemoryAdapter()],
    credentials: syntheticCredentials,
    journal,
  });
  const ready = now();
  sampler.sample();
  const called = Date.now();
  const report = await publisher.publish(benchStatement(), {
    mode: 'relay',
    reportDeliveries: 'unsuccessful',
  });
  const finished = now();
  const peakRss = sampler.stop();
  (globalThis as { gc?: () => void }).gc?.();
  const heapAfterMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  await journal.close();
  rmSync(directory, { recursive: true, force: true });
  return {
    accounts,
    journal: journalKind,
    deliveries: report.counts.total,
    succeeded: report.counts.succeeded,
    setupMs: ready - started,
    planningMs: Date.parse(report.startedAt) - called,
    publishMs: finished - ready,
    baseRss,
    peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapAfterMb,
  };
}

if (isMain(import.meta.url) && process.send !== undefined && process.argv[2] !== undefined) {
  const result = await runScaleSize(
    Number(process.argv[2]),
    process.argv[3] === 'sqlite' ? 'sqlite' : 'memory',
  );
  process.send(result, () => {
    process.exit(0);
  });
}
