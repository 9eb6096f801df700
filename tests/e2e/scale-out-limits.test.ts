/**
 * What workers share through Redis, measured on the sandboxes' own records: one account's post
 * window (four workers never go over the platform's limit, and keep close to it), and one WeChat
 * token per appid (four workers fetch no more tokens than there are apps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Adapter, type StatementInput, createPublisher } from 'release-hall';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createRedisTokenStore } from 'release-hall/adapters/wechat/redis-token-store';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type ReleaseHallWorker, createBullmqRunner, startWorker } from 'release-hall/bullmq';
import { createRedisJournal } from 'release-hall/journal/redis';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { fastRetry } from '../helpers/fixtures.js';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';

let redis: RedisTestServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

/** Four workers and a publisher on one prefix; `adapters` makes each one's own adapters. */
async function hallOnWorkers(input: {
  readonly prefix: string;
  readonly hall: unknown;
  readonly sandbox: HallSandbox;
  readonly adapters: () => Adapter[];
  readonly limits?: Record<string, { postsPerWindow: number; windowMs: number }>;
}) {
  const workers: ReleaseHallWorker[] = [];
  for (let index = 0; index < 4; index += 1) {
    workers.push(
      await startWorker({
        hall: input.hall,
        adapters: input.adapters(),
        credentials: input.sandbox.credentials,
        retry: fastRetry,
        url: redis.url,
        prefix: input.prefix,
        concurrency: 16,
        lockMs: 5_000,
        reconcileEveryMs: 500,
        ...(input.limits === undefined ? {} : { limits: input.limits }),
      }),
    );
  }
  const journal = await createRedisJournal({ url: redis.url, prefix: input.prefix });
  const runner = createBullmqRunner({ url: redis.url, prefix: input.prefix, settlePollMs: 20 });
  const publisher = createPublisher({
    hall: input.hall,
    adapters: input.adapters(),
    credentials: input.sandbox.credentials,
    journal,
    runner,
    retry: fastRetry,
    ...(input.limits === undefined ? {} : { limits: input.limits }),
  });
  return {
    publisher,
    close: async () => {
      for (const worker of workers) await worker.close();
      await runner.close();
      await journal.close();
    },
  };
}

describe('limits shared by workers through Redis', () => {
  it('four workers posting 8 times for one account keep to its window: no refusal, ≥ 95 % of the limit', async () => {
    const POSTS = 4;
    const WINDOW_MS = 5_000;
    const CAMPAIGNS = 8;
    const hall = await beijingHall();
    const sandbox = await startHallSandbox(hall, {
      weibo: {
        latency: { fixedMs: 3, jitterMs: 2, seed: 7 },
        rateLimit: { posts: POSTS, windowMs: WINDOW_MS },
      },
    });
    const setup = await hallOnWorkers({
      prefix: 'limits-rate:',
      hall,
      sandbox,
      adapters: () => [
        createWeiboAdapter({ baseURL: sandbox.baseURLs.weibo, rip: '203.0.113.10' }),
      ],
      limits: { weibo: { postsPerWindow: POSTS, windowMs: WINDOW_MS } },
    });
    try {
      const base = await beijingRebuttal();
      const statements: StatementInput[] = Array.from({ length: CAMPAIGNS }, (_, index) => ({
        ...base,
        id: `window-${index}`,
        headline: `${base.headline}（第${index + 1}次通报）`,
      }));
      const reports = await Promise.all(
        statements.map((statement) =>
          setup.publisher.publish(statement, {
            mode: 'original',
            selection: { members: ['beijing-fabu'] },
          }),
        ),
      );
      expect(reports.map((report) => report.counts.succeeded)).toEqual(
        Array.from({ length: CAMPAIGNS }, () => 1),
      );
      const requests = sandbox.weibo.platform.requests();
      const refused = requests.filter(
        (request) => request.errorCode === 20016 || request.errorCode === 10023,
      );
      expect(refused).toEqual([]);
      const posted = requests
        .filter(
          (request) =>
            request.uid === '2418724427' &&
            request.method === 'POST' &&
            request.errorCode === undefined &&
            request.status === 200,
        )
        .map((request) => request.at.getTime())
        .sort((a, b) => a - b);
      expect(posted).toHaveLength(CAMPAIGNS);
      // 8 posts at 4 per window need one full window after the first four; the limit is
      // achieved when the span comes close to that.
      const ideal = (CAMPAIGNS / POSTS - 1) * WINDOW_MS;
      const span = posted.at(-1)! - posted[0]!;
      expect(span).toBeGreaterThanOrEqual(ideal);
      expect(ideal / span, `span ${span} ms against ${ideal} ms`).toBeGreaterThanOrEqual(0.95);
    } finally {
      await setup.close();
      await sandbox.close();
    }
  }, 60_000);

  it('four workers publishing for 72 WeChat apps fetch at most one token per app', async () => {
    const hall = await beijingHall(['wechat']);
    const sandbox = await startHallSandbox(hall);
    const stores: ReturnType<typeof createRedisTokenStore>[] = [];
    const setup = await hallOnWorkers({
      prefix: 'limits-token:',
      hall,
      sandbox,
      adapters: () => {
        const tokenStore = createRedisTokenStore({ url: redis.url, prefix: 'limits-token:' });
        stores.push(tokenStore);
        return [
          createWechatAdapter({
            baseURL: sandbox.baseURLs.wechat,
            publishPoll: { intervalsMs: [1, 2, 4, 8] },
            tokenStore,
          }),
        ];
      },
    });
    try {
      const report = await setup.publisher.publish(await beijingRebuttal(), { mode: 'original' });
      const apps = report.counts.total;
      expect(apps).toBe(72);
      expect(report.counts.succeeded).toBe(72);
      const fetched = sandbox
        .wechat!.platform.requests()
        .filter((request) => request.endpoint === 'token' || request.endpoint === 'stable_token');
      expect(fetched.length).toBeGreaterThan(0);
      expect(fetched.length, 'token fetches for 72 apps').toBeLessThanOrEqual(72);
    } finally {
      await setup.close();
      for (const store of stores) await store.close();
      await sandbox.close();
    }
  }, 60_000);
});
