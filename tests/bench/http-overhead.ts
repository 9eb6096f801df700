/**
 * Scenario `overhead`: release-hall's throughput against a bare `fetch` loop sending the same
 * requests (same endpoint, same form body and headers, same concurrency) to the Weibo sandbox at
 * zero latency over real HTTP; 20,000 accounts of a synthetic hall, one original post each, the
 * sandbox's per-account limit off. The measuring runs in a plain Node process
 * (`overhead-child.ts`), the sandbox in another (`weibo-sandbox-process.ts`).
 */
import type { BenchRow, BenchSize, Scenario, ScenarioResult } from './bench-types.js';
import { bundleScript } from './bundle-script.js';
import { count, now, round } from './measure.js';
import type { Client, OverheadFigures, OverheadRun } from './overhead-child.js';
import { runChild } from './run-child.js';

/** Deliveries per second of a run. */
function rate(run: OverheadRun): number {
  return (run.deliveries / run.ms) * 1000;
}

/** Client CPU per delivery of a run, in microseconds. */
function cpuUs(run: OverheadRun): number {
  return (run.cpuMs * 1000) / run.deliveries;
}

const LABELS: Readonly<Record<Client, string>> = {
  bare: 'bare fetch loop',
  adapter: 'Weibo adapter alone (no core)',
  memory: 'release-hall, MemoryJournal',
  sqlite: 'release-hall, SqliteJournal (WAL, synchronous=FULL)',
};

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const figures = await runChild<OverheadFigures>(
    'overhead-child',
    [size, await bundleScript('weibo-sandbox-process')],
    { timeoutMs: 170_000, nodeFlags: ['--expose-gc'] },
  );
  const { runs } = figures;
  const bareRate = rate(runs.bare);
  const allSent = Object.values(runs).every((each) => each.succeeded === each.deliveries);
  const measured = (client: Client): string =>
    `${count(rate(runs[client]))} deliveries/s (${round(cpuUs(runs[client]), 0)} µs CPU each)`;
  const baseline = `${measured('bare')} bare`;
  const row = (client: Client, target: number | undefined): BenchRow => {
    const ratio = rate(runs[client]) / bareRate;
    return {
      check: `throughput of ${LABELS[client]} vs ${LABELS.bare}`,
      measured: measured(client),
      baseline,
      ratio: round(ratio, 3),
      target: target === undefined ? '—' : `≥ ${target}`,
      pass: target === undefined ? null : ratio >= target && allSent,
    };
  };
  return {
    name: 'overhead',
    title: 'Overhead over raw HTTP',
    parameters: {
      deliveries: `${count(figures.accounts)} per client (one original post per account of a ${count(figures.accounts)}-account hall)`,
      platform:
        'Weibo statuses/share on the sandbox in its own process: latency 0, no per-account limit',
      concurrency: `${figures.concurrency} requests in flight (Weibo's platformConcurrency) for every client`,
      interleaving: `${count(figures.chunk)}-account chunks, each sent by every client in turn (rotating order, sandbox emptied in between); totals summed`,
      clients: Object.values(LABELS).join(', '),
    },
    rows: [row('memory', 0.85), row('sqlite', 0.5), row('adapter', undefined)],
    figures: {
      accounts: figures.accounts,
      chunk: figures.chunk,
      concurrency: figures.concurrency,
      ...Object.fromEntries(
        Object.entries(runs).flatMap(([client, each]) => [
          [`${client}.rate`, round(rate(each), 1)],
          [`${client}.cpuUsPerDelivery`, round(cpuUs(each), 1)],
          [`${client}.ms`, round(each.ms, 0)],
          [`${client}.succeeded`, each.succeeded],
        ]),
      ),
      memoryRatio: round(rate(runs.memory) / bareRate, 3),
      sqliteRatio: round(rate(runs.sqlite) / bareRate, 3),
      adapterRatio: round(rate(runs.adapter) / bareRate, 3),
      sandboxPosts: figures.sandboxPosts,
      sandboxRefused: figures.sandboxRefused,
      everyDeliverySucceeded: allSent,
    },
    notes: [
      'A release-hall client publishes one campaign per part, planning included; the two loops send the renditions release-hall plans for that part (made beforehand, not timed).',
      'The sandbox answers with "connection: close", so every request of every client opens a TCP connection.',
      'The clients are bound by the client process’s CPU (see the µs CPU per delivery): the ratio of throughputs follows the ratio of CPU per delivery.',
    ],
    durationMs: now() - begun,
  };
}

/** The `overhead` scenario. */
export const overheadScenario: Scenario = {
  name: 'overhead',
  title: 'Overhead over raw HTTP',
  run,
};
