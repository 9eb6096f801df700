/**
 * Scenario `scale-out`: one relay campaign of a synthetic Weibo hall (2,000 accounts) run by 1, 2
 * and 4 workers over BullMQ, each worker a plain Node process of its own (`scale-out-worker.ts`,
 * bundled), on a real `redis-server` started here (loopback, append-only file fsynced on every
 * write, as the Redis journal requires). The publisher runs in this process with the BullMQ runner
 * and the Redis journal; the Weibo sandbox answers every request after 80 ms in a process of its
 * own (`scale-out-sandbox.ts`).
 *
 * Per worker count: the makespan (the `publish` call to the report), against the ideal the
 * platform's rules allow once each process may have only so many deliveries in flight; deliveries
 * per second, in all and per worker; and the speed-up of 2 and 4 workers against 1, measured in
 * the same run. Every run is checked on the sandbox: each account got exactly one post, every
 * relay reposts the lead's; the scenario fails otherwise.
 */
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { type CampaignReport, createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { createBullmqRunner } from 'release-hall/bullmq';
import { createRedisJournal } from 'release-hall/journal/redis';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';
import type { BenchRow, BenchSize, Figure, Scenario, ScenarioResult } from './bench-types.js';
import { bundleScript } from './bundle-script.js';
import { WEIBO_RULES, hoursWaited } from './crisis-ideal.js';
import { IpcProcess } from './ipc-process.js';
import { type Spread, count, formatSpread, now, repeatRuns, round, spreadOf } from './measure.js';
import type {
  ScaleOutSandboxCommand,
  ScaleOutSandboxMessage,
  ScaleOutTally,
} from './scale-out-sandbox.js';
import type {
  ScaleOutWorkerCommand,
  ScaleOutWorkerMessage,
  ScaleOutWorkerSettings,
} from './scale-out-worker.js';
import {
  BENCH_RIP,
  benchStatement,
  syntheticCredentials,
  syntheticHall,
} from './synthetic-hall.js';

/** What one size of the scenario runs. */
interface SizeSettings {
  readonly accounts: number;
  readonly workerCounts: readonly number[];
  /** Measured runs per worker count. */
  readonly runs: number;
  /** Whether each worker count publishes once, unmeasured, before its measured runs. */
  readonly warmUp: boolean;
}

const SIZES: Readonly<Record<BenchSize, SizeSettings>> = {
  full: { accounts: 2_000, workerCounts: [1, 2, 4], runs: 3, warmUp: true },
  smoke: { accounts: 100, workerCounts: [1, 2], runs: 1, warmUp: false },
};

/** The sandbox's latency for every request, in ms (no jitter: the ideal is exact). */
const LATENCY_MS = 80;

/** Deliveries each worker runs at once: `startWorker`'s default. */
const WORKER_CONCURRENCY = 32;

/**
 * How often the publisher reads the journal while the workers run the campaign, in ms: the
 * runner's default. Each read takes the whole campaign while more than 32 deliveries are open, so
 * a shorter period costs the publisher CPU the workers need on a machine of few cores.
 */
const SETTLE_POLL_MS = 250;

/**
 * Target: makespan ÷ ideal at most this, whatever the number of workers: what a worker adds to a
 * delivery (its job, its journal writes, its post window) should take no longer than the
 * platform's own answer.
 */
const IDEAL_RATIO_TARGET = 2;

/**
 * Targets: speed-up against 1 worker at least this, per worker count above 1. A campaign here
 * takes about 4 ms of CPU per delivery across the publisher, the workers, Redis and the sandbox,
 * all on the same cores: on two free cores that allows about 2× over one worker (whose makespan is
 * about twice the CPU floor), and 1.5× is asked of 2 and of 4 workers alike, since 4 workers get
 * no more cores than 2.
 */
const SPEED_UP_TARGET: Readonly<Record<number, number>> = { 2: 1.5, 4: 1.5 };

/** The makespan a publisher could reach under the platform's rules, with and without a cap. */
interface Ideal {
  /** The platform's rules alone: the lead's share, then every repost at once. */
  readonly platformRulesMs: number;
  /** Deliveries in flight at once across every worker. */
  readonly inFlight: number;
  /** The platform's rules with at most `inFlight` deliveries at once: one wave of reposts per `inFlight`. */
  readonly cappedMs: number;
}

/**
 * The ideal of a Weibo relay campaign of `accounts` accounts (platforms.md §2.3, §2.5, as in
 * crisis-ideal.ts): the lead's `statuses/share`, then each member's `statuses/repost`, one request
 * each; one post per account is far under the 30 allowed per user per hour, and the calls stay
 * under a normal-level app's per-IP hourly quota. A worker has at most `perProcess` deliveries in
 * flight, so the reposts go in waves of `workers × perProcess`.
 */
export function scaleOutIdeal(
  accounts: number,
  workers: number,
  perProcess: number,
  latencyMs: number,
): Ideal {
  const waited = hoursWaited(accounts, WEIBO_RULES.callsPerIpPerHourNormal) * 3_600_000;
  const relays = accounts - 1;
  const inFlight = workers * perProcess;
  return {
    platformRulesMs: (relays > 0 ? 2 : 1) * latencyMs + waited,
    inFlight,
    cappedMs: latencyMs + Math.ceil(relays / inFlight) * latencyMs + waited,
  };
}

/** What one measured publish gave. */
interface RunFigures {
  readonly makespanMs: number;
  /** From the `publish` call to the platform taking the last post. */
  readonly lastPostMs: number;
  readonly report: CampaignReport;
  readonly tally: ScaleOutTally;
  /** Deliveries each worker ended. */
  readonly ranPerWorker: readonly number[];
  /** Deliveries the workers' reconciler gave a job again during the campaign. */
  readonly requeued: number;
  /** CPU time during the campaign, in ms: this process, the workers, Redis, the sandbox. */
  readonly cpuMs: {
    readonly publisher: number;
    readonly workers: number;
    readonly redis: number;
    readonly sandbox: number;
  };
}

/** What one worker count gave. */
interface WorkersMeasure {
  readonly workers: number;
  readonly runs: readonly RunFigures[];
  readonly ideal: Ideal;
  readonly makespan: Spread;
}

type SandboxProcess = IpcProcess<ScaleOutSandboxMessage, ScaleOutSandboxCommand>;
type WorkerProcess = IpcProcess<ScaleOutWorkerMessage, ScaleOutWorkerCommand>;

/** CPU time Redis has used since it started (`INFO cpu`), in ms. */
async function redisCpuMs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const read = (field: string): number =>
    Number(new RegExp(`^${field}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (read('used_cpu_user') + read('used_cpu_sys')) * 1000;
}

/** Throws unless the platform holds exactly one post per account and every relay is the lead's. */
function verify(label: string, accounts: number, run: RunFigures): void {
  const { tally, report } = run;
  const problems: string[] = [];
  if (tally.accountsWithOnePost !== accounts) {
    problems.push(
      `${tally.accountsWithOnePost} of ${accounts} accounts have exactly one post (${tally.accountsWithoutPost} none, ${tally.accountsWithSeveralPosts} several)`,
    );
  }
  if (tally.posts !== accounts) problems.push(`${tally.posts} posts for ${accounts} accounts`);
  if (tally.strayReposts > 0) problems.push(`${tally.strayReposts} reposts not of the lead's post`);
  if (report.counts.succeeded !== accounts || report.aborted) {
    problems.push(
      `the report counts ${report.counts.succeeded} of ${accounts} succeeded${report.aborted ? ', aborted' : ''}`,
    );
  }
  const ran = run.ranPerWorker.reduce((sum, each) => sum + each, 0);
  if (ran !== accounts) problems.push(`the workers ended ${ran} deliveries for ${accounts}`);
  if (problems.length > 0) throw new Error(`${label}: ${problems.join('; ')}`);
}

async function askWorkers(
  workers: readonly WorkerProcess[],
): Promise<{ ran: number[]; requeued: number; cpuMs: number }> {
  const answers = await Promise.all(workers.map((worker) => worker.ask({ type: 'stats' })));
  const ran: number[] = [];
  let requeued = 0;
  let cpuMs = 0;
  for (const answer of answers) {
    if (answer.type !== 'stats') throw new Error(`a worker answered "${answer.type}"`);
    ran.push(answer.ran);
    requeued += answer.requeued;
    cpuMs += answer.cpuMs;
  }
  return { ran, requeued, cpuMs };
}

async function measureWorkers(
  size: SizeSettings,
  workerCount: number,
  redis: RedisTestServer,
  redisClient: Redis,
  sandbox: SandboxProcess,
  baseURL: string,
): Promise<WorkersMeasure> {
  const { accounts } = size;
  const prefix = `scale-out-${workerCount}:`;
  const settings: ScaleOutWorkerSettings = {
    accounts,
    baseURL,
    url: redis.url,
    prefix,
    concurrency: WORKER_CONCURRENCY,
  };
  const bundle = await bundleScript('scale-out-worker');
  const started = await Promise.all(
    Array.from({ length: workerCount }, () =>
      IpcProcess.start<ScaleOutWorkerMessage, ScaleOutWorkerCommand>(bundle, [
        JSON.stringify(settings),
      ]),
    ),
  );
  const workers = started.map((each) => each.process);
  const journal = await createRedisJournal({ url: redis.url, prefix });
  const runner = createBullmqRunner({ url: redis.url, prefix, settlePollMs: SETTLE_POLL_MS });
  try {
    const publisher = createPublisher({
      hall: syntheticHall({ accounts }),
      adapters: [createWeiboAdapter({ baseURL, rip: BENCH_RIP })],
      credentials: syntheticCredentials,
      journal,
      runner,
    });
    const publishOnce = async (variant: number): Promise<RunFigures> => {
      await sandbox.ask({ type: 'reset' });
      await askWorkers(workers);
      const redisBefore = await redisCpuMs(redisClient);
      const cpuBefore = process.cpuUsage();
      const origin = Date.now();
      const begun = now();
      const report = await publisher.publish(benchStatement(variant), {
        mode: 'relay',
        reportDeliveries: 'unsuccessful',
      });
      const makespanMs = now() - begun;
      const cpu = process.cpuUsage(cpuBefore);
      const redisAfter = await redisCpuMs(redisClient);
      const tally = await sandbox.ask({ type: 'tally' });
      if (tally.type !== 'tally') throw new Error(`the sandbox answered "${tally.type}"`);
      const stats = await askWorkers(workers);
      const run: RunFigures = {
        makespanMs,
        lastPostMs: tally.lastPostAt - origin,
        report,
        tally,
        ranPerWorker: stats.ran,
        requeued: stats.requeued,
        cpuMs: {
          publisher: (cpu.user + cpu.system) / 1000,
          workers: stats.cpuMs,
          redis: redisAfter - redisBefore,
          sandbox: tally.cpuMs,
        },
      };
      verify(`${workerCount} worker(s), campaign ${variant}`, accounts, run);
      return run;
    };
    const base = workerCount * 100;
    if (size.warmUp) await publishOnce(base);
    const runs = await repeatRuns(size.runs, (run) => publishOnce(base + 1 + run));
    return {
      workers: workerCount,
      runs,
      ideal: scaleOutIdeal(accounts, workerCount, WORKER_CONCURRENCY, LATENCY_MS),
      makespan: spreadOf(runs.map((run) => run.makespanMs)),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.close({ type: 'close' })));
    await runner.close();
    await journal.close();
  }
}

const perSecond = (accounts: number, ms: number): number => accounts / (ms / 1000);
const oneDecimal = (value: number): string => value.toFixed(1);
const workersLabel = (workers: number): string => `${workers} worker${workers === 1 ? '' : 's'}`;

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const settings = SIZES[size];
  const { accounts } = settings;
  const loadBefore = loadavg()[0]!;
  const redis = await startRedisServer();
  const redisClient = new Redis(redis.url);
  const { process: sandbox, ready } = await IpcProcess.start<
    ScaleOutSandboxMessage,
    ScaleOutSandboxCommand
  >(await bundleScript('scale-out-sandbox'), [String(accounts), String(LATENCY_MS)]);
  const measures: WorkersMeasure[] = [];
  try {
    if (ready.type !== 'ready') throw new Error('the sandbox process did not start');
    for (const workers of settings.workerCounts) {
      measures.push(
        await measureWorkers(settings, workers, redis, redisClient, sandbox, ready.url),
      );
    }
  } finally {
    await sandbox.close({ type: 'close' });
    redisClient.disconnect();
    await redis.stop();
  }

  const rows: BenchRow[] = [];
  const figures: Record<string, Figure> = {
    accounts,
    latencyMs: LATENCY_MS,
    workerConcurrency: WORKER_CONCURRENCY,
    runs: settings.runs,
    everyAccountOnePost: true,
    'loadAverage1m.start': round(loadBefore, 2),
    'loadAverage1m.end': round(loadavg()[0]!, 2),
  };
  const single = measures.find((measure) => measure.workers === 1)!;
  for (const measure of measures) {
    const { workers, ideal, makespan } = measure;
    const label = workersLabel(workers);
    const ratio = makespan.median / ideal.cappedMs;
    rows.push({
      check: `${label}: makespan vs the platform-rule ideal with ${count(ideal.inFlight)} deliveries in flight (${workers} × ${WORKER_CONCURRENCY})`,
      measured: formatSpread(makespan, 'ms'),
      baseline: `${count(ideal.cappedMs)} ms (platform rules alone: ${count(ideal.platformRulesMs)} ms)`,
      ratio: round(ratio, 2),
      target: `≤ ${IDEAL_RATIO_TARGET}`,
      pass: ratio <= IDEAL_RATIO_TARGET,
    });
    const rate = perSecond(accounts, makespan.median);
    rows.push({
      check: `${label}: deliveries per second (per worker), against the ideal's`,
      measured: `${oneDecimal(rate)} /s (${oneDecimal(rate / workers)} /s per worker)`,
      baseline: `${oneDecimal(perSecond(accounts, ideal.cappedMs))} /s (${oneDecimal(perSecond(accounts, ideal.cappedMs) / workers)} /s per worker)`,
      ratio: round(rate / perSecond(accounts, ideal.cappedMs), 2),
      target: '—',
      pass: null,
    });
    if (workers > 1) {
      const speedUp = single.makespan.median / makespan.median;
      const wanted = SPEED_UP_TARGET[workers];
      rows.push({
        check: `${label}: speed-up against 1 worker (makespan of 1 ÷ makespan of ${workers}; ideal ${oneDecimal(single.ideal.cappedMs / ideal.cappedMs)}×)`,
        measured: `${count(makespan.median)} ms`,
        baseline: `${count(single.makespan.median)} ms (1 worker)`,
        ratio: round(speedUp, 2),
        target: wanted === undefined ? '—' : `≥ ${wanted}`,
        pass: wanted === undefined ? null : speedUp >= wanted,
      });
    }
    const key = `workers${workers}`;
    const median = (read: (run: RunFigures) => number): number =>
      spreadOf(measure.runs.map(read)).median;
    figures[`${key}.makespanMs.median`] = round(makespan.median, 0);
    figures[`${key}.makespanMs.min`] = round(makespan.min, 0);
    figures[`${key}.makespanMs.max`] = round(makespan.max, 0);
    figures[`${key}.makespanMs.values`] = makespan.values.map((value) => round(value, 0)).join(' ');
    figures[`${key}.lastPostMs.median`] = round(
      median((each) => each.lastPostMs),
      0,
    );
    figures[`${key}.idealMs`] = ideal.cappedMs;
    figures[`${key}.platformRulesIdealMs`] = ideal.platformRulesMs;
    figures[`${key}.ratioToIdeal`] = round(ratio, 3);
    figures[`${key}.deliveriesPerSecond`] = round(rate, 1);
    figures[`${key}.deliveriesPerSecondPerWorker`] = round(rate / workers, 1);
    figures[`${key}.speedUp`] = round(single.makespan.median / makespan.median, 3);
    figures[`${key}.ranPerWorker`] = measure.runs
      .map((each) => each.ranPerWorker.join('/'))
      .join(' ');
    figures[`${key}.requeued.values`] = measure.runs.map((each) => each.requeued).join(' ');
    figures[`${key}.requests.median`] = median((each) => each.tally.requests);
    figures[`${key}.refused.max`] = Math.max(...measure.runs.map((each) => each.tally.refused));
    for (const part of ['publisher', 'workers', 'redis', 'sandbox'] as const) {
      figures[`${key}.cpuMs.${part}.median`] = round(
        median((each) => each.cpuMs[part]),
        0,
      );
    }
    const busy = median(
      (each) =>
        (each.cpuMs.publisher + each.cpuMs.workers + each.cpuMs.redis + each.cpuMs.sandbox) /
        each.makespanMs,
    );
    figures[`${key}.coresBusy.median`] = round(busy, 2);
    figures[`${key}.cpuPerDeliveryMs.median`] = round(
      median(
        (each) =>
          (each.cpuMs.publisher + each.cpuMs.workers + each.cpuMs.redis + each.cpuMs.sandbox) /
          accounts,
      ),
      2,
    );
    // No schedule can end before the CPU work of every process is done on the machine's cores.
    figures[`${key}.cpuFloorMs.median`] = round(
      median(
        (each) =>
          (each.cpuMs.publisher + each.cpuMs.workers + each.cpuMs.redis + each.cpuMs.sandbox) /
          cpus().length,
      ),
      0,
    );
  }
  const cpuLine = measures
    .map((measure) => {
      const key = `workers${measure.workers}`;
      return `${workersLabel(measure.workers)}: publisher ${String(figures[`${key}.cpuMs.publisher.median`])} ms, workers ${String(figures[`${key}.cpuMs.workers.median`])} ms, Redis ${String(figures[`${key}.cpuMs.redis.median`])} ms, sandbox ${String(figures[`${key}.cpuMs.sandbox.median`])} ms (${String(figures[`${key}.cpuPerDeliveryMs.median`])} ms per delivery; ${String(figures[`${key}.coresBusy.median`])} cores busy on average; all of it spread over ${cpus().length} cores takes at least ${count(Number(figures[`${key}.cpuFloorMs.median`]))} ms)`;
    })
    .join('; ');
  return {
    name: 'scale-out',
    title: 'Scale-out over BullMQ',
    parameters: {
      hall: `synthetic, ${count(accounts)} Weibo accounts (lead + ${count(accounts - 1)} members)`,
      campaign:
        "one relay campaign (the lead's statuses/share, then every member's statuses/repost), reportDeliveries: 'unsuccessful'",
      sandbox: `Weibo sandbox in a process of its own, ${LATENCY_MS} ms per request, no jitter, no per-account limit`,
      redis:
        'redis-server started by the scenario on loopback (appendonly yes, appendfsync always, noeviction, no RDB): the Redis journal, the post windows and the BullMQ queue',
      publisher: `this process: createPublisher with createBullmqRunner (settlePollMs ${SETTLE_POLL_MS}, the default) and createRedisJournal`,
      workers: `${settings.workerCounts.join(', ')}; each startWorker in a plain Node process of its own (bundled), concurrency ${WORKER_CONCURRENCY} (the default), Weibo platformConcurrency 1,000 (the adapter's default)`,
      runs: `${settings.warmUp ? 'one unmeasured warm-up campaign, then ' : ''}${settings.runs} measured per worker count, each on fresh sandbox posts; median (min–max) shown`,
      timed:
        'makespan: the publish call to the report (the publisher sees the last delivery end at its next journal read)',
    },
    rows,
    figures,
    notes: [
      `Ideal: the platform's rules (platforms.md §2.3, §2.5) allow the lead's share, then all ${count(accounts - 1)} reposts at once: ${count(single.ideal.platformRulesMs)} ms at ${LATENCY_MS} ms per request, whatever the number of workers (one post per account is far under 30 per user per hour; ${count(accounts)} calls stay under a normal-level app's ${count(WEIBO_RULES.callsPerIpPerHourNormal)} per IP per hour, while a test-level app's ${count(WEIBO_RULES.callsPerIpPerHour)} would push the rest an hour on). The table's ideal adds the per-process cap: each worker runs at most ${WORKER_CONCURRENCY} deliveries at once (below the Weibo adapter's platformConcurrency of 1,000 per process), so the reposts go in waves of workers × ${WORKER_CONCURRENCY}, and the ideal is ${LATENCY_MS} ms + ⌈${count(accounts - 1)} ÷ (workers × ${WORKER_CONCURRENCY})⌉ × ${LATENCY_MS} ms: it falls as 1 ÷ workers until workers × ${WORKER_CONCURRENCY} reaches ${count(accounts - 1)}, then stays at the platform-rule ideal.`,
      `Every run was checked on the sandbox: each of the ${count(accounts)} accounts holds exactly one post, every repost is of the lead's post, the report counts every delivery succeeded and the workers ended as many as there are accounts (ran per worker, per run: ${measures.map((measure) => `${workersLabel(measure.workers)} ${String(figures[`workers${measure.workers}.ranPerWorker`])}`).join('; ')}).`,
      `CPU time during a campaign (medians): ${cpuLine}. Every process of the scenario (publisher, workers, Redis, sandbox) shares the machine's ${cpus().length} cores (and, on a shared machine, with whatever else runs), so once the campaign is CPU-bound rather than latency-bound, more worker processes cannot make it faster: when the cores busy stay the same for every worker count, the makespan is the CPU time over the cores the scenario got, and the speed-up shows what the workers' own overhead costs, not what separate hosts would give.`,
      `The machine's 1-minute load average was ${String(figures['loadAverage1m.start'])} when the scenario started and ${String(figures['loadAverage1m.end'])} when it ended, on ${cpus().length} cores: other work ran alongside, which is what spreads the runs of one worker count.`,
      `Each delivery on a worker is a BullMQ job (taken, locked, completed) and several journal writes, each written and fsynced by Redis before the answer (appendfsync always); the makespan also includes the publisher's last journal read (every ${SETTLE_POLL_MS} ms): the platform took the last post ${measures.map((measure) => `${count(Number(figures[`workers${measure.workers}.lastPostMs.median`]))} ms`).join(', ')} after the publish call (medians, ${measures.map((measure) => workersLabel(measure.workers)).join(', ')}).`,
      `Deliveries the workers' reconciler gave a job again during each campaign (no worker failed; per run): ${measures.map((measure) => `${workersLabel(measure.workers)} ${String(figures[`workers${measure.workers}.requeued.values`])}`).join('; ')}. Its pass reads the campaign's records once, then asks the queue for each open delivery's job in turn, while the workers carry on: a delivery whose job completed in between (jobs are removed on completion), or a relay whose lead ended but whose job the lead's worker has not added yet, looks like one without a job and is given a new one. The journal turns those jobs away (no account got a second post), but each is queue and journal work the campaign did not need.`,
    ],
    durationMs: now() - begun,
  };
}

/** The `scale-out` scenario. */
export const scaleOutScenario: Scenario = {
  name: 'scale-out',
  title: 'Scale-out over BullMQ',
  run,
};
