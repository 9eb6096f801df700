/**
 * Campaigns run by workers over BullMQ on a real Redis server (started here, on loopback): the
 * publisher hands the deliveries out and waits; the workers post through the sandbox.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import {
  type ReleaseHallWorker,
  createBullmqRunner,
  reconcileOnce,
  startWorker,
} from 'release-hall/bullmq';
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

async function setUp(prefix: string, workers: number) {
  const hall = await beijingHall();
  const sandbox: HallSandbox = await startHallSandbox(hall, {
    weibo: { latency: { fixedMs: 2, jitterMs: 3, seed: 1 } },
  });
  const adapters = () => [
    createWeiboAdapter({
      baseURL: sandbox.baseURLs.weibo,
      rip: '203.0.113.10',
      rateLimitRetryAfterMs: 20,
      limits: { requestTimeoutMs: 5_000 },
    }),
  ];
  const started: ReleaseHallWorker[] = [];
  for (let index = 0; index < workers; index += 1) {
    started.push(
      await startWorker({
        hall,
        adapters: adapters(),
        credentials: sandbox.credentials,
        retry: fastRetry,
        url: redis.url,
        prefix,
        concurrency: 8,
        lockMs: 2_000,
        reconcileEveryMs: 200,
        pausePollMs: 20,
      }),
    );
  }
  const journal = await createRedisJournal({ url: redis.url, prefix });
  const runner = createBullmqRunner({ url: redis.url, prefix, settlePollMs: 20 });
  const publisher = createPublisher({
    hall,
    adapters: adapters(),
    credentials: sandbox.credentials,
    journal,
    runner,
    retry: fastRetry,
  });
  return {
    hall,
    sandbox,
    journal,
    runner,
    publisher,
    workers: started,
    close: async () => {
      for (const worker of started) await worker.close();
      await runner.close();
      await journal.close();
      await sandbox.close();
    },
  };
}

describe('scale-out over BullMQ', () => {
  it('two workers run the Beijing relay campaign: 72 accounts, one post each', async () => {
    const setup = await setUp('t1:', 2);
    try {
      const ran = new Map<string, number>();
      for (const [index, worker] of setup.workers.entries()) {
        worker.events.on('delivery:succeeded', () =>
          ran.set(`w${index}`, (ran.get(`w${index}`) ?? 0) + 1),
        );
      }
      const report = await setup.publisher.publish(await beijingRebuttal(), { mode: 'relay' });
      expect(report.counts).toEqual({
        total: 72,
        succeeded: 72,
        failed: 0,
        skipped: 0,
        unconfirmed: 0,
      });
      expect(report.aborted).toBe(false);
      const platform = setup.sandbox.weibo.platform;
      const posts = platform.allPosts();
      expect(posts).toHaveLength(72);
      expect(new Set(posts.map((post) => post.uid)).size).toBe(72);
      const lead = platform.livePostsOf('2418724427');
      expect(lead).toHaveLength(1);
      expect(
        posts
          .filter((post) => post.kind === 'repost')
          .every((post) => post.sourceId === lead[0]?.id),
      ).toBe(true);
      // Both workers took part.
      expect([...ran.values()].reduce((sum, count) => sum + count, 0)).toBe(72);
      expect(ran.size).toBe(2);
      expect((await setup.journal.getCampaign(report.campaignId))?.state).toBe('finished');
      expect(await setup.journal.check()).toEqual([]);
    } finally {
      await setup.close();
    }
  });

  it('the reconciler gives a job again to a delivery that lost its own, and nothing is posted twice', async () => {
    const setup = await setUp('t2:', 1);
    try {
      // Publish with the workers' queue emptied under them: the reconciler must notice.
      const queue = new Queue('release-hall-deliveries', {
        connection: { host: '127.0.0.1', port: redis.port },
        prefix: 't2:queue',
      });
      await setup.workers[0]!.close();
      const publishing = setup.publisher.publish(await beijingRebuttal(), { mode: 'original' });
      let count = 0;
      while (count < 72) {
        count = await queue.getJobCountByTypes('wait', 'prioritized');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await queue.obliterate({ force: true });
      const client = new Redis(redis.url);
      const report = await reconcileOnce({
        journal: setup.journal,
        queue,
        client,
        prefix: 't2:',
      });
      expect(report.requeued).toHaveLength(72);
      const again = await reconcileOnce({
        journal: setup.journal,
        queue,
        client,
        prefix: 't2:',
      });
      expect(again.requeued).toEqual([]);
      const hall = setup.hall;
      const worker = await startWorker({
        hall,
        adapters: [
          createWeiboAdapter({
            baseURL: setup.sandbox.baseURLs.weibo,
            rip: '203.0.113.10',
            rateLimitRetryAfterMs: 20,
          }),
        ],
        credentials: setup.sandbox.credentials,
        retry: fastRetry,
        url: redis.url,
        prefix: 't2:',
        concurrency: 8,
        lockMs: 2_000,
        reconcileEveryMs: 200,
      });
      setup.workers.splice(0, 1, worker);
      const result = await publishing;
      expect(result.counts.succeeded).toBe(72);
      const posts = setup.sandbox.weibo.platform.allPosts();
      expect(posts).toHaveLength(72);
      expect(new Set(posts.map((post) => post.uid)).size).toBe(72);
      await queue.close();
      client.disconnect();
    } finally {
      await setup.close();
    }
  });
});
