/**
 * Scenario `overhead`: release-hall's throughput against a bare `fetch` loop sending the same
 * requests (same endpoint, same form body and headers, same concurrency) to the Weibo sandbox at
 * zero latency over real HTTP, connections kept open on both sides; 20,000 accounts of a synthetic
 * hall, one original post each, the sandbox's per-account limit off. The measuring runs in a plain
 * Node process (`overhead-child.ts`), the sandbox in another (`weibo-sandbox-process.ts`); each
 * measured run is a fresh pair of processes, and every figure is the median of the runs, with
 * their minimum and maximum.
 */
import type { BenchRow, BenchSize, Figure, Scenario, ScenarioResult } from './bench-types.js';
import { bundleScript } from './bundle-script.js';
import { type Spread, formatSpread, now, repeatRuns, round, spreadOf } from './measure.js';
import { CLIENTS, type Client, type OverheadFigures, type OverheadRun } from './overhead-child.js';
import { runChild } from './run-child.js';

/** Measured runs per size (the smoke run only checks that figures come out). */
const RUNS: Readonly<Record<BenchSize, number>> = { full: 3, smoke: 1 };

/** Targets: throughput of each release-hall client as a share of the bare loop's. */
const TARGETS: Readonly<Partial<Record<Client, number>>> = { memory: 0.9, sqlite: 0.6 };

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

const oneDecimal = (value: number): string => value.toFixed(1);
const threeDecimals = (value: number): string => value.toFixed(3);

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const sandbox = await bundleScript('weibo-sandbox-process');
  const runs = await repeatRuns(RUNS[size], () =>
    runChild<OverheadFigures>('overhead-child', [size, sandbox], {
      // A run takes about 75 s on a quiet 2-core machine; a busy one may take several times that.
      timeoutMs: 480_000,
      nodeFlags: ['--expose-gc'],
    }),
  );
  const first = runs[0]!;
  const allSent = runs.every((figures) =>
    Object.values(figures.runs).every((each) => each.succeeded === each.deliveries),
  );
  const spreadBy = (measure: (figures: OverheadFigures) => number): Spread =>
    spreadOf(runs.map(measure));
  const rates = (client: Client): Spread => spreadBy((figures) => rate(figures.runs[client]));
  const cpus = (client: Client): Spread => spreadBy((figures) => cpuUs(figures.runs[client]));
  // Each run's ratio is taken against the bare loop of the same run.
  const ratios = (client: Client): Spread =>
    spreadBy((figures) => rate(figures.runs[client]) / rate(figures.runs.bare));
  const measured = (client: Client): string =>
    `${formatSpread(rates(client), 'deliveries/s')}; ${formatSpread(cpus(client), 'µs CPU each', (value) => value.toFixed(0))}`;
  const baseline = `${measured('bare')} bare`;
  const row = (client: Client): BenchRow => {
    const target = TARGETS[client];
    const ratio = ratios(client);
    return {
      check: `throughput of ${LABELS[client]} vs ${LABELS.bare} (ratio: median of the runs', ${threeDecimals(ratio.min)}–${threeDecimals(ratio.max)} over ${ratio.values.length})`,
      measured: measured(client),
      baseline,
      ratio: round(ratio.median, 3),
      target: target === undefined ? '—' : `≥ ${target}`,
      pass: target === undefined ? null : ratio.median >= target && allSent,
    };
  };
  const figures: Record<string, Figure> = {
    accounts: first.accounts,
    chunk: first.chunk,
    concurrency: first.concurrency,
    runs: runs.length,
    everyDeliverySucceeded: allSent,
    sandboxPosts: runs.reduce((sum, figures) => sum + figures.sandboxPosts, 0),
    sandboxRefused: runs.reduce((sum, figures) => sum + figures.sandboxRefused, 0),
  };
  for (const client of CLIENTS) {
    for (const [name, spread] of [
      ['rate', rates(client)],
      ['cpuUsPerDelivery', cpus(client)],
      ['ratio', ratios(client)],
    ] as const) {
      if (name === 'ratio' && client === 'bare') continue;
      figures[`${client}.${name}.median`] = round(spread.median, 3);
      figures[`${client}.${name}.min`] = round(spread.min, 3);
      figures[`${client}.${name}.max`] = round(spread.max, 3);
      figures[`${client}.${name}.values`] = spread.values.map((value) => round(value, 3)).join(' ');
    }
    figures[`${client}.ms.values`] = runs
      .map((figures) => round(figures.runs[client].ms, 0))
      .join(' ');
  }
  const cpu = (client: Client): string => `${oneDecimal(cpus(client).median)} µs`;
  return {
    name: 'overhead',
    title: 'Overhead over raw HTTP',
    parameters: {
      deliveries: `${first.accounts.toLocaleString('en-US')} per client and run (one original post per account of a ${first.accounts.toLocaleString('en-US')}-account hall)`,
      platform:
        'Weibo statuses/share on the sandbox in its own process: latency 0, no per-account limit, connections kept open',
      concurrency: `${first.concurrency} requests in flight for every client (release-hall's Weibo adapter set to the same)`,
      interleaving: `${first.chunk.toLocaleString('en-US')}-account chunks, each sent by every client in turn (rotating order, sandbox emptied in between); totals summed per run`,
      runs: `${runs.length} measured run${runs.length === 1 ? '' : 's'}, each a fresh client and sandbox process; median (min–max) shown`,
      clients: Object.values(LABELS).join(', '),
    },
    rows: [row('memory'), row('sqlite'), row('adapter')],
    figures,
    notes: [
      'A release-hall client publishes one campaign per part, planning included; the two loops send the renditions release-hall plans for that part (made beforehand, not timed).',
      'Every client keeps its connections open (fetch’s default agent; the sandbox answers without "connection: close"); every request, the bare loop’s included, refuses redirects as the adapters do.',
      `Client CPU per delivery (median): bare ${cpu('bare')}, adapter alone ${cpu('adapter')}, release-hall with MemoryJournal ${cpu('memory')}, with SqliteJournal ${cpu('sqlite')}. The clients are bound by the client process’s CPU (the sandbox takes the other core), so the ratio of throughputs follows the ratio of CPU per delivery.`,
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
