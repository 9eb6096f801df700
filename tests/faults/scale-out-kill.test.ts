/**
 * Crash tests of the scale-out: a campaign is run by three BullMQ workers, each in its own process
 * and talking to a platform server of its own over the same platform state, with the journal and
 * the queue on a real Redis server. At seeded moments a worker is killed with SIGKILL (at random
 * progress, or exactly when the platform has applied its write and holds back the answer) and a
 * new one is started; the publisher in this process waits until every delivery has settled. Then
 * the platform's own record is checked: every account holds its write exactly once, and nothing
 * is left unconfirmed. A last test kills Redis itself mid-campaign and starts it again from its
 * append-only file.
 *
 * RH_SCALE_KILL_RUNS=weibo,tencent,wechat changes how many seeded runs each platform gets;
 * RH_SCALE_KILL_SEED=<platform>:<seed> replays one worker-kill run (the seed is in every failure
 * message); RH_SCALE_KILL_REDIS_RUNS=n gives the Redis kill n seeded runs per platform.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Adapter,
  type CampaignOptions,
  type StatementInput,
  createPublisher,
} from 'release-hall';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { createBullmqRunner } from 'release-hall/bullmq';
import { createRedisJournal } from 'release-hall/journal/redis';
import {
  type TencentSandbox,
  type WechatSandbox,
  type WeiboSandbox,
  startTencentSandbox,
  startWechatSandbox,
  startWeiboSandbox,
} from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';
import { type ChildRun, campaignChild, random, root, waitFor } from './harness.js';

type Platform = 'weibo' | 'tencent' | 'wechat';

const [weiboRuns, tencentRuns, wechatRuns] = (process.env.RH_SCALE_KILL_RUNS ?? '20,15,15')
  .split(',')
  .map(Number);
const RUNS: Record<Platform, number> = {
  weibo: weiboRuns ?? 20,
  tencent: tencentRuns ?? 15,
  wechat: wechatRuns ?? 15,
};
const REPLAY = process.env.RH_SCALE_KILL_SEED?.split(':');
/** Runs per platform of the Redis kill. */
const REDIS_RUNS = Number(process.env.RH_SCALE_KILL_REDIS_RUNS ?? 1);

const WORKERS = 3;
const LOCK_MS = 1_000;
const RECONCILE_MS = 200;
/** Deliveries each worker runs at once: few, so the hall goes out in waves a kill can cut. */
const CONCURRENCY = 2;
const MEMBERS = 11;

const child = campaignChild('worker-child', {
  source: fileURLToPath(new URL('./worker-child.ts', import.meta.url)),
  readyLine: 'ready',
});
const cover = join(root, 'examples', 'beijing-hall', 'cover.jpg');
const ids = Array.from({ length: MEMBERS + 1 }, (_, index) => (index === 0 ? 'lead' : `m${index}`));
const secretOf = (id: string): string => `secret-${id}-0123456789abcdef`;
const uidOf = (index: number): string => String(1000000000 + index);
const openidOf = (index: number): string => `A${String(index).padStart(31, '0')}`;
const appidOf = (index: number): string => `wx${String(index).padStart(16, '0')}`;
const tokens = Object.fromEntries(ids.map((id) => [`c-${id}`, secretOf(id)]));

function accountOf(platform: Platform, index: number): Record<string, string> {
  const credentials = `c-${ids[index]!}`;
  if (platform === 'weibo') return { handle: `单位${index}`, uid: uidOf(index), credentials };
  if (platform === 'tencent')
    return { handle: `unit${index}`, openid: openidOf(index), credentials };
  return { handle: `单位${index}`, appid: appidOf(index), kind: 'service', credentials };
}

function hallFor(platform: Platform): unknown {
  return {
    id: 'scale-crash-hall',
    name: '测试发布厅',
    lead: 'lead',
    site: { domain: 'www.example.gov.cn' },
    members: ids.map((id, index) => ({
      id,
      name: `单位${index}`,
      accounts: { [platform]: accountOf(platform, index) },
    })),
  };
}

/** A platform server a worker talks to, over the platform state the test inspects. */
interface Server {
  readonly url: string;
  openConnections(): number;
  close(): Promise<void>;
}

/** What the test needs of one platform's fake. */
interface Target {
  readonly platform: Platform;
  /** Account keys on the fake, in member order. */
  readonly keys: readonly string[];
  /** A new server over the same platform state. */
  serve(): Promise<Server>;
  /** Forgets the writes of the last run and sets this run's latency. */
  reset(seed: number): void;
  clearFaults(): void;
  /** Holds back the answer to the next write of this account after applying it. */
  holdAfterApply(key: string): void;
  /** Writes the fake holds per account (posts, relays, pushes). */
  writesPerAccount(): Map<string, number>;
  /** Moves the fake's clock (WeChat refuses a repeated push within a minute). */
  advance(ms: number): void;
  /** The publisher's adapter (it plans; the workers send). */
  adapter(): Adapter;
  readonly field: string;
  readonly statement: StatementInput;
  readonly publishOptions: CampaignOptions;
}

let redis: RedisTestServer;
let weibo: WeiboSandbox;
let tencent: TencentSandbox;
let wechat: WechatSandbox;

const latencyOf = (seed: number) => ({ fixedMs: 2, jitterMs: 8, seed });
const total = (counts: Map<string, number>): number =>
  [...counts.values()].reduce((sum, count) => sum + count, 0);

const targets: Record<Platform, () => Target> = {
  weibo: () => ({
    platform: 'weibo',
    keys: ids.map((_, index) => uidOf(index)),
    serve: () => startWeiboSandbox({ platform: weibo.platform }),
    reset: (seed) => {
      weibo.platform.reset();
      weibo.platform.configure({ latency: latencyOf(seed) });
    },
    clearFaults: () => weibo.platform.clearFaults(),
    holdAfterApply: (key) =>
      weibo.platform.injectFault({ kind: 'timeout-after-apply', uid: key, hangMs: 20_000 }),
    writesPerAccount: () => {
      const counts = new Map<string, number>();
      for (const post of weibo.platform.allPosts())
        counts.set(post.uid, (counts.get(post.uid) ?? 0) + 1);
      return counts;
    },
    advance: () => undefined,
    adapter: () =>
      createWeiboAdapter({
        baseURL: weibo.url,
        rip: '203.0.113.10',
        limits: { requestTimeoutMs: 2_000 },
      }),
    field: 'access_token',
    statement: rebuttal,
    publishOptions: { mode: 'relay' },
  }),
  tencent: () => ({
    platform: 'tencent',
    keys: ids.map((_, index) => openidOf(index)),
    serve: () => startTencentSandbox({ platform: tencent.platform }),
    reset: (seed) => {
      tencent.platform.reset();
      tencent.platform.configure({ latency: latencyOf(seed) });
    },
    clearFaults: () => tencent.platform.clearFaults(),
    holdAfterApply: (key) =>
      tencent.platform.injectFault({ kind: 'timeout-after-apply', openid: key, hangMs: 20_000 }),
    writesPerAccount: () => {
      const counts = new Map<string, number>();
      for (const tweet of tencent.platform.allPosts())
        counts.set(tweet.openid, (counts.get(tweet.openid) ?? 0) + 1);
      return counts;
    },
    advance: () => undefined,
    adapter: () =>
      createTencentAdapter({
        baseURL: tencent.url,
        appKey: '801000000',
        clientIp: '203.0.113.10',
        limits: { requestTimeoutMs: 2_000 },
      }),
    field: 'access_token',
    statement: { ...rebuttal, images: [cover] },
    publishOptions: { mode: 'relay' },
  }),
  wechat: () => ({
    platform: 'wechat',
    keys: ids.map((_, index) => appidOf(index)),
    serve: () => startWechatSandbox({ platform: wechat.platform }),
    reset: (seed) => {
      wechat.platform.reset();
      wechat.platform.configure({ latency: latencyOf(seed) });
    },
    clearFaults: () => wechat.platform.clearFaults(),
    holdAfterApply: (key) =>
      wechat.platform.injectFault({
        kind: 'timeout-after-apply',
        appid: key,
        endpoint: 'message/mass/sendall',
      }),
    writesPerAccount: () => {
      const counts = new Map<string, number>();
      for (const [index] of ids.entries()) {
        const sends = wechat.platform.massSends(appidOf(index)).length;
        if (sends > 0) counts.set(appidOf(index), sends);
      }
      return counts;
    },
    advance: (ms) => wechat.platform.advanceClock(ms),
    adapter: () =>
      createWechatAdapter({
        baseURL: wechat.url,
        publishPoll: { intervalsMs: [1, 2, 4, 8, 16] },
        limits: { requestTimeoutMs: 2_000 },
      }),
    field: 'secret',
    statement: { ...rebuttal, images: [cover] },
    // Every account pushes to its followers: the write that must never happen twice.
    publishOptions: { mode: 'relay', push: { policy: 'push', spendLast: true } },
  }),
};

beforeAll(async () => {
  await child.bundle();
  redis = await startRedisServer();
  // A real platform's duplicate check is a narrow window, not a guarantee: off here, so only the
  // library's own look-up before a re-send can keep a post from going out twice.
  weibo = await startWeiboSandbox({ safeDomain: 'www.example.gov.cn', refuseRepeats: false });
  tencent = await startTencentSandbox({ refuseRepeats: false });
  wechat = await startWechatSandbox();
  ids.forEach((id, index) => {
    weibo.platform.addAccount({
      uid: uidOf(index),
      screenName: `单位${index}`,
      accessToken: secretOf(id),
    });
    tencent.platform.addAccount({
      openid: openidOf(index),
      name: `unit${index}`,
      accessToken: secretOf(id),
      appKey: '801000000',
    });
    wechat.platform.addAccount({
      appid: appidOf(index),
      secret: secretOf(id),
      kind: 'service',
      pushQuota: 1000,
    });
  });
}, 60_000);
afterAll(async () => {
  await weibo?.close();
  await tencent?.close();
  await wechat?.close();
  await redis?.stop();
});

/** A worker process, the server it talks to, and what it said it was doing. */
interface WorkerProc {
  readonly run: ChildRun;
  readonly server: Server;
  /** Attempts started and not ended, per account. */
  readonly inFlight: Map<string, number>;
  /** Every account it started an attempt for. */
  readonly started: Set<string>;
  dead: boolean;
}

async function startWorkerProc(target: Target, prefix: string): Promise<WorkerProc> {
  const server = await target.serve();
  const run = child.start({
    RH_PLATFORM: target.platform,
    RH_BASE_URL: server.url,
    RH_HALL: JSON.stringify(hallFor(target.platform)),
    RH_TOKENS: JSON.stringify(tokens),
    RH_REDIS_URL: redis.url,
    RH_PREFIX: prefix,
    RH_LOCK_MS: String(LOCK_MS),
    RH_RECONCILE_MS: String(RECONCILE_MS),
    RH_CONCURRENCY: String(CONCURRENCY),
  });
  const proc: WorkerProc = {
    run,
    server,
    inFlight: new Map(),
    started: new Set(),
    dead: false,
  };
  let pending = '';
  run.process.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [word, accountId] = line.split(' ');
      if (accountId === undefined) continue;
      if (word === 'started') {
        proc.started.add(accountId);
        proc.inFlight.set(accountId, (proc.inFlight.get(accountId) ?? 0) + 1);
      } else if (word === 'ended') proc.inFlight.delete(accountId);
    }
  });
  try {
    await run.planned;
  } catch (error) {
    await server.close();
    throw error;
  }
  return proc;
}

interface Kill {
  /** Writes on the platform when the worker died. */
  readonly writesBefore: number;
  /** The killed worker had an attempt under way. */
  readonly inFlight: boolean;
}

interface RunOutcome {
  readonly platform: Platform;
  readonly seed: number;
  readonly kind: 'at-apply' | 'random-time';
  readonly kills: readonly Kill[];
  /** The kill came when the victim's write was applied and its delivery still `sending`. */
  readonly killedAtApply: boolean;
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function killRun(
  platform: Platform,
  seed: number,
  what: 'worker' | 'redis' = 'worker',
): Promise<RunOutcome> {
  const target = targets[platform]();
  const name = `${platform} ${what === 'redis' ? 'Redis-kill ' : ''}seed ${seed}`;
  const next = random(seed * 7919 + platform.length);
  target.reset(seed);
  const keys = target.keys;
  const kind = what === 'worker' && seed % 2 === 0 ? 'at-apply' : 'random-time';
  const victim = keys[Math.floor(next() * keys.length)]!;
  const victimAccount = `${ids[keys.indexOf(victim)]!}/${platform}`;
  // One or two kills at seeded points of progress (the at-apply runs kill once, at the victim's write).
  const killPoints =
    kind === 'at-apply'
      ? []
      : Array.from({ length: next() < 0.5 ? 1 : 2 }, () =>
          Math.floor(next() * (keys.length - 1)),
        ).sort((a, b) => a - b);
  if (kind === 'at-apply') target.holdAfterApply(victim);

  const prefix = `${platform}-${what}-${seed}:`;
  const campaignId = `${platform}-scale-crash-${seed}`;
  const workers: WorkerProc[] = [];
  const servers: Server[] = [];
  const journal = await createRedisJournal({ url: redis.url, prefix });
  const runner = createBullmqRunner({ url: redis.url, prefix, settlePollMs: 20 });
  const spawnWorker = async (): Promise<void> => {
    const proc = await startWorkerProc(target, prefix);
    workers.push(proc);
    servers.push(proc.server);
  };
  try {
    await Promise.all(Array.from({ length: WORKERS }, spawnWorker));
    const publisher = createPublisher({
      hall: hallFor(platform),
      adapters: [target.adapter()],
      credentials: ({ ref }) =>
        tokens[ref] === undefined ? undefined : { [target.field]: tokens[ref] },
      journal,
      runner,
      retry: fastRetry,
    });
    const publishing = publisher.publish(target.statement, {
      ...target.publishOptions,
      campaignId,
    });
    publishing.catch(() => undefined);

    const kills: Kill[] = [];
    let killedAtApply = false;
    const killWorker = async (proc: WorkerProc): Promise<void> => {
      const inFlight = proc.inFlight.size > 0;
      proc.dead = true;
      await proc.run.kill();
      // A request the worker had sent may still be read after its death: the platform is judged
      // (and its clock moved) once every one of them has been carried out.
      expect(
        await waitFor(() => proc.server.openConnections() === 0, 10_000),
        `${name}: the killed worker's connections stayed open`,
      ).toBe(true);
      kills.push({ writesBefore: total(target.writesPerAccount()), inFlight });
      target.clearFaults();
      target.advance(61_000);
      await spawnWorker();
    };
    const alive = (): WorkerProc[] => workers.filter((proc) => !proc.dead);

    if (what === 'redis') {
      // Kill Redis itself once part of the hall is written, and start it again from its
      // append-only file a moment later: the workers and the publisher reconnect.
      const point = 1 + Math.floor(next() * (keys.length - 3));
      await waitFor(() => total(target.writesPerAccount()) >= point, 15_000);
      await redis.kill();
      kills.push({ writesBefore: total(target.writesPerAccount()), inFlight: true });
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(next() * 250)));
      await redis.restart();
    } else if (kind === 'at-apply') {
      // Kill exactly when the platform has applied the victim's write and holds back its answer,
      // the worker that sent it.
      expect(
        await waitFor(() => (target.writesPerAccount().get(victim) ?? 0) > 0, 15_000),
        `${name}: the victim ${victim} was never written`,
      ).toBe(true);
      let holder: WorkerProc | undefined;
      await waitFor(() => {
        holder = alive().find((proc) => proc.inFlight.has(victimAccount));
        return holder !== undefined;
      }, 2_000);
      expect(holder, `${name}: no worker said it started ${victimAccount}`).toBeDefined();
      const record = (await journal.getDeliveries(campaignId)).find(
        (found) => found.delivery.accountId === victimAccount,
      );
      killedAtApply = target.writesPerAccount().get(victim) === 1 && record?.state === 'sending';
      await killWorker(holder!);
    } else {
      for (const point of killPoints) {
        await waitFor(() => total(target.writesPerAccount()) >= point, 15_000);
        await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 6)));
        const living = alive();
        await killWorker(living[Math.floor(next() * living.length)]!);
      }
    }

    const report = await within(
      publishing,
      60_000,
      `${name}: the campaign did not settle within 60 s (writes ${JSON.stringify([...target.writesPerAccount()])})`,
    );
    const counts = target.writesPerAccount();
    for (const [key, count] of counts)
      expect(count, `${name}: ${key} written ${count} times`).toBe(1);
    expect(
      keys.filter((key) => !counts.has(key)),
      `${name}: accounts never written`,
    ).toEqual([]);
    // Every platform here can tell whether a write landed, so nothing is left unconfirmed.
    expect(
      report.deliveries
        .filter((result) => result.status !== 'succeeded')
        .map((result) => `${result.accountId} ${result.status} ${result.errorMessage ?? ''}`),
      `${name}: deliveries not succeeded`,
    ).toEqual([]);
    expect(report.counts.succeeded, `${name}: succeeded`).toBe(keys.length);
    if (platform === 'weibo') {
      // The post ids in the report are the platform's own, whichever worker found them.
      for (const result of report.deliveries) {
        const uid = uidOf(ids.indexOf(result.accountId.split('/')[0]!));
        expect(result.remoteId, `${name}: ${result.accountId}`).toBe(
          weibo.platform.postsOf(uid)[0]?.id,
        );
      }
    }
    expect(await journal.check(), `${name}: journal check`).toEqual([]);
    return { platform, seed, kind, kills, killedAtApply };
  } finally {
    await Promise.all(workers.filter((proc) => !proc.dead).map((proc) => proc.run.kill()));
    await runner.close();
    await journal.close();
    await Promise.all(servers.map((server) => server.close()));
  }
}

function seedsOf(platform: Platform): number[] {
  if (REPLAY !== undefined) return REPLAY[0] === platform ? [Number(REPLAY[1])] : [];
  return Array.from({ length: RUNS[platform] }, (_, index) => index + 1);
}

const outcomes: RunOutcome[] = [];

describe('SIGKILL a BullMQ worker at seeded moments', () => {
  for (const platform of ['weibo', 'tencent', 'wechat'] as const) {
    const seeds = seedsOf(platform);
    it.skipIf(seeds.length === 0)(
      `${platform}: ${seeds.length} seeded runs, nothing lost, nothing written twice`,
      async () => {
        for (const seed of seeds) outcomes.push(await killRun(platform, seed));
      },
      300_000,
    );
  }

  it.skipIf(REPLAY !== undefined)('the kills landed mid-campaign', () => {
    expect(outcomes.length, 'runs').toBe(RUNS.weibo + RUNS.tencent + RUNS.wechat);
    if (process.env.RH_FAULT_VERBOSE) console.log(JSON.stringify(outcomes));
    const kills = outcomes.flatMap((outcome) => outcome.kills);
    // Some kills cut a campaign in the middle: part of the hall written, the worker busy.
    const mid = kills.filter((kill) => kill.writesBefore > 0 && kill.writesBefore < ids.length);
    expect(mid.length, `${mid.length} of ${kills.length} kills mid-campaign`).toBeGreaterThan(
      kills.length / 2,
    );
    expect(kills.filter((kill) => kill.inFlight).length).toBeGreaterThan(kills.length / 3);
    // Every at-apply run killed the worker holding the victim's applied, unanswered write.
    const atApply = outcomes.filter((outcome) => outcome.kind === 'at-apply');
    expect(atApply.length).toBeGreaterThan(0);
    expect(
      atApply
        .filter((outcome) => !outcome.killedAtApply)
        .map((outcome) => `${outcome.platform} seed ${outcome.seed}`),
    ).toEqual([]);
  });
});

describe('SIGKILL Redis mid-campaign, then start it again from its append-only file', () => {
  for (const platform of ['weibo', 'tencent', 'wechat'] as const) {
    const seeds = Array.from({ length: REDIS_RUNS }, (_, index) => index + 1);
    it.skipIf(REPLAY !== undefined)(
      `${platform}: the workers carry on, every account written exactly once`,
      async () => {
        for (const seed of seeds) {
          const outcome = await killRun(platform, seed, 'redis');
          const [kill] = outcome.kills;
          expect(
            kill !== undefined && kill.writesBefore < ids.length,
            `${platform} Redis-kill seed ${seed}: Redis died after the campaign (${kill?.writesBefore ?? 0} writes)`,
          ).toBe(true);
        }
      },
      90_000 * REDIS_RUNS,
    );
  }
});
