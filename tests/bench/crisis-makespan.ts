/**
 * Scenario `crisis`: a hall in relay mode on Weibo, Tencent Weibo and WeChat, over loopback
 * sandboxes at 60–100 ms per request, journaled in SQLite as the CLI does. Two halls: Beijing's
 * (lead + 71 members, examples/beijing-hall) and a synthetic one of 700 accounts on all three
 * platforms. Measures time to the first and the last post from the `publish` call and compares the
 * last with the ideal the platforms' documented rules allow (crisis-ideal.ts), not with one built
 * from release-hall's own limits.
 *
 * The sandboxes run in a process of their own, one per hall. Each hall is published once to warm
 * the process (not counted), then measured `runs` times, each on fresh sandbox state with a fresh
 * journal file; every figure is the median of those runs, with min and max.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Adapter,
  type CampaignReport,
  type CredentialsSource,
  type DeliveryResult,
  type Statement,
  createPublisher,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { resolveLimits } from '../../src/run/options.js';
import { beijingRebuttal } from '../helpers/beijing.js';
import type { BenchRow, BenchSize, Figure, Scenario, ScenarioResult } from './bench-types.js';
import { bundleScript } from './bundle-script.js';
import { crisisHall, writeHallFile } from './crisis-hall.js';
import { type PlatformIdeal, hallIdeal, platformIdeal } from './crisis-ideal.js';
import {
  type HallSandboxCommand,
  type HallSandboxMessage,
  type HallSandboxSettings,
  beijingHallPath,
  benchToken,
} from './hall-sandbox-process.js';
import { IpcProcess } from './ipc-process.js';
import { type Spread, count, formatSpread, now, repeatRuns, round, spreadOf } from './measure.js';

/** Sandbox latency: `fixedMs + jitterMs × random`, so the mean is `fixedMs + jitterMs / 2`. */
interface Latency {
  readonly fixedMs: number;
  readonly jitterMs: number;
}

/** What one size of the scenario runs. */
interface SizeSettings {
  readonly latency: Latency;
  /** How long the WeChat sandbox's publish job runs after the submit, in ms. */
  readonly wechatPublishDelayMs: number;
  /** Measured runs per hall. */
  readonly runs: number;
  /** Whether each hall is published once, unmeasured, before the measured runs. */
  readonly warmUp: boolean;
  /** Accounts of the synthetic hall. */
  readonly syntheticAccounts: number;
}

const SIZES: Readonly<Record<BenchSize, SizeSettings>> = {
  full: {
    latency: { fixedMs: 60, jitterMs: 40 },
    wechatPublishDelayMs: 1_000,
    runs: Number(process.env.CRISIS_RUNS ?? 3),
    warmUp: !process.env.CRISIS_RUNS,
    syntheticAccounts: 700,
  },
  smoke: {
    latency: { fixedMs: 1, jitterMs: 0 },
    wechatPublishDelayMs: 0,
    runs: 1,
    warmUp: false,
    syntheticAccounts: 20,
  },
};

/** The sandboxes' per-account post limits, the same as the adapters' defaults (posts per hour). */
const SANDBOX_POSTS_PER_HOUR = 30;

/** The target: time to the last post at most this many times the platform-rule ideal. */
const TARGET_RATIO = 1.25;

type HallPlatforms = Record<string, { settings?: Record<string, unknown> } | undefined>;

/** The running sandboxes, as the publisher sees them. */
interface Sandboxes {
  readonly process: IpcProcess<HallSandboxMessage, HallSandboxCommand>;
  readonly baseURLs: Readonly<Record<string, string>>;
  readonly settings: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Every account's sandbox token is `bench-<reference>`, whatever its secret field is called. */
const sandboxCredentials: CredentialsSource = ({ ref, fields }) =>
  Object.fromEntries(fields.map((field) => [field, benchToken(ref)]));

/** The adapters of the hall's platforms, wired to the sandboxes as the CLI's `--sandbox` does. */
function sandboxAdapters(hallData: unknown, sandboxes: Sandboxes): Adapter[] {
  const platforms = (hallData as { platforms?: HallPlatforms }).platforms ?? {};
  const optionsFor = (platform: string): Record<string, unknown> => ({
    ...sandboxes.settings[platform],
    ...platforms[platform]?.settings,
    baseURL: sandboxes.baseURLs[platform],
  });
  const adapters: Adapter[] = [createWeiboAdapter(optionsFor('weibo'))];
  if (sandboxes.baseURLs.tencent !== undefined) {
    adapters.push(createTencentAdapter(optionsFor('tencent')));
  }
  if (sandboxes.baseURLs.wechat !== undefined) {
    adapters.push(createWechatAdapter(optionsFor('wechat')));
  }
  return adapters;
}

async function startSandboxes(settings: HallSandboxSettings): Promise<Sandboxes> {
  const started = await IpcProcess.start<HallSandboxMessage, HallSandboxCommand>(
    await bundleScript('hall-sandbox-process'),
    [JSON.stringify(settings)],
  );
  if (started.ready.type !== 'ready') throw new Error('the sandbox process did not start');
  return {
    process: started.process,
    baseURLs: started.ready.baseURLs,
    settings: started.ready.settings,
  };
}

async function requestsPerPlatform(sandboxes: Sandboxes): Promise<Map<string, number>> {
  const answer = await sandboxes.process.ask({ type: 'requests' });
  return new Map(answer.type === 'requests' ? Object.entries(answer.perPlatform) : []);
}

/** When each delivery that succeeded finished, in ms after `origin` (epoch ms). */
function finishTimes(results: readonly DeliveryResult[], origin: number): number[] {
  return results
    .filter((result) => result.status === 'succeeded' && result.finishedAt !== undefined)
    .map((result) => Date.parse(result.finishedAt!) - origin);
}

/** What one measured publish of a hall gave. */
interface RunFigures {
  readonly firstPostMs: number;
  readonly lastPostMs: number;
  readonly lastPostMsByPlatform: ReadonlyMap<string, number>;
  /** CPU time (user + system) of the publishing process during the publish, in ms. */
  readonly cpuMs: number;
  readonly succeeded: number;
  readonly total: number;
  readonly requests: ReadonlyMap<string, number>;
  readonly retries: ReadonlyMap<string, number>;
  readonly report: CampaignReport;
}

/**
 * One publish of the whole hall on fresh sandbox state and a fresh SQLite journal (opened before
 * the clock starts, as the CLI opens it before publishing), timed from the `publish` call.
 */
async function publishOnce(
  hallData: unknown,
  sandboxes: Sandboxes,
  statement: Statement,
  directory: string,
  name: string,
): Promise<RunFigures> {
  await sandboxes.process.ask({ type: 'reset' });
  const adapters = sandboxAdapters(hallData, sandboxes);
  const journal = new SqliteJournal(join(directory, `${name}.sqlite`));
  try {
    const publisher = createPublisher({
      hall: resolveHall(hallData, adapters),
      adapters,
      journal,
      credentials: sandboxCredentials,
    });
    const retries = new Map<string, number>();
    publisher.on('delivery:retrying', ({ code, message, platform, delayMs }) => {
      if (process.env.CRISIS_DEBUG)
        process.stderr.write(`RETRY ${platform} ${code} ${delayMs} ${message.slice(0, 200)}\n`);
      retries.set(code, (retries.get(code) ?? 0) + 1);
    });
    const origin = Date.now();
    const cpuBefore = process.cpuUsage();
    const report = await publisher.publish(statement, { mode: 'relay' });
    const cpu = process.cpuUsage(cpuBefore);
    const times = finishTimes(report.deliveries, origin);
    const lastPostMsByPlatform = new Map<string, number>();
    for (const adapter of adapters) {
      const own = report.deliveries.filter((delivery) => delivery.platform === adapter.platform);
      lastPostMsByPlatform.set(adapter.platform, Math.max(...finishTimes(own, origin)));
    }
    return {
      firstPostMs: Math.min(...times),
      lastPostMs: Math.max(...times),
      lastPostMsByPlatform,
      cpuMs: (cpu.user + cpu.system) / 1000,
      succeeded: report.counts.succeeded,
      total: report.counts.total,
      requests: await requestsPerPlatform(sandboxes),
      retries,
      report,
    };
  } finally {
    await journal.close();
  }
}

/** A hall measured: its runs, its ideal, and what it ran with. */
interface HallMeasure {
  readonly key: string;
  readonly label: string;
  readonly runs: readonly RunFigures[];
  readonly warmUp: RunFigures | undefined;
  readonly ideals: readonly PlatformIdeal[];
  readonly idealMs: number;
  readonly concurrency: ReadonlyMap<string, number>;
}

async function measureHall(
  key: string,
  label: string,
  hallPath: string,
  size: SizeSettings,
  statement: Statement,
): Promise<HallMeasure> {
  const hallData = await readDataFile(hallPath, 'hall');
  const sandboxes = await startSandboxes({
    hallPath,
    latency: { ...size.latency, seed: 7 },
    postsPerHour: SANDBOX_POSTS_PER_HOUR,
    wechatPublishDelayMs: size.wechatPublishDelayMs,
  });
  const directory = mkdtempSync(join(tmpdir(), 'release-hall-crisis-journal-'));
  try {
    const warmUp = size.warmUp
      ? await publishOnce(hallData, sandboxes, statement, directory, 'warm-up')
      : undefined;
    const runs = await repeatRuns(size.runs, (run) =>
      publishOnce(hallData, sandboxes, statement, directory, `run-${run}`),
    );
    const adapters = sandboxAdapters(hallData, sandboxes);
    const resolved = resolveHall(hallData, adapters);
    const meanLatencyMs = size.latency.fixedMs + size.latency.jitterMs / 2;
    const deliveries = runs[0]!.report.deliveries;
    const ideals = adapters.map((adapter) =>
      platformIdeal(
        adapter.platform,
        deliveries.filter((delivery) => delivery.platform === adapter.platform).length,
        { meanLatencyMs, wechatPublishDelayMs: size.wechatPublishDelayMs },
      ),
    );
    const concurrency = new Map(
      adapters.map((adapter) => [
        adapter.platform,
        resolveLimits(adapter.limits.rate, resolved.hall.platforms[adapter.platform]?.limits)
          .platformConcurrency,
      ]),
    );
    return { key, label, runs, warmUp, ideals, idealMs: hallIdeal(ideals), concurrency };
  } finally {
    await sandboxes.process.close({ type: 'close' });
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The spread of one figure over a hall's runs. */
function spreadOver(hall: HallMeasure, figure: (run: RunFigures) => number): Spread {
  return spreadOf(hall.runs.map(figure));
}

const ms = (value: number): string => count(value);

/** The table rows of one hall: the whole hall against its ideal, then each platform's. */
function hallRows(hall: HallMeasure): BenchRow[] {
  const last = spreadOver(hall, (run) => run.lastPostMs);
  const first = spreadOver(hall, (run) => run.firstPostMs);
  const allPosted = hall.runs.every((run) => run.succeeded === run.total);
  const ratio = last.median / hall.idealMs;
  const rows: BenchRow[] = [
    {
      check: `${hall.label}: time to last post vs platform-rule ideal (first post at ${formatSpread(first, 'ms', ms)}${allPosted ? '' : '; NOT every delivery succeeded'})`,
      measured: formatSpread(last, 'ms', ms),
      baseline: `${count(hall.idealMs)} ms ideal`,
      ratio: round(ratio, 3),
      target: `≤ ${TARGET_RATIO}`,
      pass: ratio <= TARGET_RATIO && allPosted,
    },
  ];
  const cpu = spreadOver(hall, (run) => run.cpuMs);
  rows.push({
    check: `${hall.label}: CPU time of the publishing process during the publish vs the ideal (one thread does the work)`,
    measured: formatSpread(cpu, 'ms', ms),
    baseline: `${count(hall.idealMs)} ms ideal`,
    ratio: round(cpu.median / hall.idealMs, 3),
    target: '—',
    pass: null,
  });
  for (const ideal of hall.ideals) {
    const own = spreadOver(hall, (run) => run.lastPostMsByPlatform.get(ideal.platform) ?? NaN);
    rows.push({
      check: `${hall.label}, ${ideal.platform} alone: its last post vs its own ideal (${ideal.accounts} accounts)`,
      measured: formatSpread(own, 'ms', ms),
      baseline: `${count(ideal.idealMs)} ms ideal`,
      ratio: round(own.median / ideal.idealMs, 3),
      target: '—',
      pass: null,
    });
  }
  return rows;
}

/** Every raw figure of one hall, keyed `<hall>.<figure>`. */
function hallFigures(hall: HallMeasure): Record<string, Figure> {
  const figures: Record<string, Figure> = {};
  const put = (name: string, spread: Spread): void => {
    figures[`${hall.key}.${name}.median`] = round(spread.median, 0);
    figures[`${hall.key}.${name}.min`] = round(spread.min, 0);
    figures[`${hall.key}.${name}.max`] = round(spread.max, 0);
    spread.values.forEach((value, run) => {
      figures[`${hall.key}.${name}.run${run + 1}`] = round(value, 0);
    });
  };
  put(
    'lastPostMs',
    spreadOver(hall, (run) => run.lastPostMs),
  );
  put(
    'firstPostMs',
    spreadOver(hall, (run) => run.firstPostMs),
  );
  put(
    'publisherCpuMs',
    spreadOver(hall, (run) => run.cpuMs),
  );
  figures[`${hall.key}.idealMs`] = round(hall.idealMs, 0);
  figures[`${hall.key}.ratio`] = round(
    spreadOver(hall, (run) => run.lastPostMs).median / hall.idealMs,
    3,
  );
  figures[`${hall.key}.deliveries`] = hall.runs[0]!.total;
  hall.runs.forEach((run, index) => {
    figures[`${hall.key}.succeeded.run${index + 1}`] = run.succeeded;
  });
  if (hall.warmUp !== undefined) {
    figures[`${hall.key}.warmUpLastPostMs`] = round(hall.warmUp.lastPostMs, 0);
    figures[`${hall.key}.warmUpSucceeded`] = hall.warmUp.succeeded;
  }
  for (const ideal of hall.ideals) {
    const platform = ideal.platform;
    put(
      `lastPostMs.${platform}`,
      spreadOver(hall, (run) => run.lastPostMsByPlatform.get(platform) ?? NaN),
    );
    figures[`${hall.key}.idealMs.${platform}`] = round(ideal.idealMs, 0);
    figures[`${hall.key}.deliveries.${platform}`] = ideal.accounts;
    figures[`${hall.key}.protocolRequestsPerDelivery.${platform}`] = ideal.requestsPerDelivery;
    const requests = spreadOver(hall, (run) => run.requests.get(platform) ?? 0);
    figures[`${hall.key}.measuredRequestsPerDelivery.${platform}`] = round(
      requests.median / Math.max(1, ideal.accounts),
      2,
    );
    figures[`${hall.key}.platformConcurrency.${platform}`] = hall.concurrency.get(platform) ?? null;
  }
  const retries = new Map<string, number>();
  for (const run of hall.runs) {
    for (const [code, times] of run.retries) retries.set(code, (retries.get(code) ?? 0) + times);
  }
  for (const [code, times] of retries) figures[`${hall.key}.retries.${code}`] = times;
  figures[`${hall.key}.retriesRateLimited`] = retries.get('RATE_LIMITED') ?? 0;
  figures[`${hall.key}.retriesOther`] = [...retries.entries()]
    .filter(([code]) => code !== 'RATE_LIMITED')
    .reduce((sum, [, times]) => sum + times, 0);
  return figures;
}

async function run(sizeName: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const size = SIZES[sizeName];
  const meanLatencyMs = size.latency.fixedMs + size.latency.jitterMs / 2;
  const statement = await beijingRebuttal();
  const beijingData = (await readDataFile(beijingHallPath, 'hall')) as {
    site?: unknown;
    platforms?: unknown;
  };
  const syntheticPath = writeHallFile(crisisHall(size.syntheticAccounts, beijingData));
  const halls: HallMeasure[] = [];
  try {
    halls.push(await measureHall('beijing', 'Beijing', beijingHallPath, size, statement));
    halls.push(
      await measureHall(
        `hall${size.syntheticAccounts}`,
        `${size.syntheticAccounts}-account hall`,
        syntheticPath,
        size,
        statement,
      ),
    );
  } finally {
    rmSync(join(syntheticPath, '..'), { recursive: true, force: true });
  }
  const figures: Record<string, Figure> = {};
  for (const hall of halls) Object.assign(figures, hallFigures(hall));
  const beijing = halls[0]!;
  const concurrency = [...beijing.concurrency.entries()]
    .map(([platform, value]) => `${platform} ${value}`)
    .join(', ');
  const idealText = (hall: HallMeasure): string =>
    `${hall.label}: ${count(hall.idealMs)} ms (${hall.ideals
      .map((ideal) => `${ideal.platform} ${count(ideal.idealMs)} ms: ${ideal.path}`)
      .join('; ')})`;
  const bindingText = (hall: HallMeasure): string =>
    `${hall.label}: ${hall.ideals.map((ideal) => `${ideal.platform}: ${ideal.binding}`).join('; ')}`;
  return {
    name: 'crisis',
    title: 'Crisis makespan',
    parameters: {
      halls: `examples/beijing-hall (lead + 71 members: ${beijing.ideals.map((ideal) => `${ideal.accounts} ${ideal.platform}`).join(', ')}); a synthetic hall of ${size.syntheticAccounts} members, each on weibo, tencent and wechat`,
      mode: 'relay (WeChat cannot relay: every member publishes its own article)',
      latency: `${size.latency.fixedMs}–${size.latency.fixedMs + size.latency.jitterMs} ms per request (mean ${meanLatencyMs} ms), sandboxes in their own process, connections kept alive`,
      wechatPublishDelay: `${size.wechatPublishDelayMs} ms: the sandbox's WeChat publish job ends this long after it took freepublish/submit (real jobs take seconds; the duration is not documented)`,
      sandboxLimits: `${SANDBOX_POSTS_PER_HOUR} posts per account per hour on weibo and tencent`,
      publisherLimits: `adapter defaults: requests in flight ${concurrency}`,
      journal:
        'SQLite (release-hall/journal/sqlite), a fresh temporary file per run, as the CLI journals',
      runs: `${size.warmUp ? 'one unmeasured warm-up publish per hall, then ' : ''}${size.runs} measured run${size.runs === 1 ? '' : 's'} per hall, fresh sandbox state for each; median (min–max)`,
      ideal: halls.map(idealText).join(' | '),
      bindingRules: halls.map(bindingText).join(' | '),
    },
    rows: halls.flatMap(hallRows),
    figures,
    notes: [
      'Times are measured from the publish() call (rendering, planning, pre-flight and the journal included) to each delivery’s answer.',
      'The ideal comes from the platforms’ documented rules only (docs/platforms/, platforms.md §1.2–1.8, §2.5, §3.4), never from release-hall’s own caps: each account’s request chain at the mean latency, the lead first then every relay at once; the hall’s ideal is its slowest platform’s.',
      'The ideal takes every request at the mean latency; with 60–100 ms jitter the slowest of many accounts is slower than the mean, so a ratio of 1 is out of reach by construction.',
      'measuredRequestsPerDelivery counts what the sandbox received; above the protocol count it is the extra freepublish/get polls (and any retry).',
    ],
    durationMs: now() - begun,
  };
}

/** The `crisis` scenario. */
export const crisisScenario: Scenario = { name: 'crisis', title: 'Crisis makespan', run };
