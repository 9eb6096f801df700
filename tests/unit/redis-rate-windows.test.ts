/**
 * Sliding rate windows shared through a real redis-server: never more than the limit in a window,
 * however many clients race; a full window says how long to wait; a call that did not land frees
 * its slot; one that did counts from its answer.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseHallError } from 'release-hall';
import { type RedisRateWindows, createRedisRateWindows } from 'release-hall/redis';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';

let server: RedisTestServer;
const clients: Redis[] = [];

function windows(prefix = `rate-${randomUUID()}:`): RedisRateWindows {
  const client = new Redis(server.url);
  client.on('error', () => undefined);
  clients.push(client);
  return createRedisRateWindows({ client, prefix });
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

describe('Redis rate windows', () => {
  it('gives `limit` slots in a window, then says how long until the oldest stops counting', async () => {
    const rate = windows();
    const limits = { limit: 3, windowMs: 300 };
    for (let index = 0; index < 3; index += 1) {
      expect((await rate.acquire('weibo:1', limits)).ok).toBe(true);
    }
    const full = await rate.acquire('weibo:1', limits);
    expect(full.ok).toBe(false);
    if (full.ok) return;
    expect(full.retryInMs).toBeGreaterThan(0);
    expect(full.retryInMs).toBeLessThanOrEqual(300);
    expect(await rate.count('weibo:1')).toBe(3);
    // Another key has its own window.
    expect((await rate.acquire('weibo:2', limits)).ok).toBe(true);
    await sleep(full.retryInMs + 5);
    expect((await rate.acquire('weibo:1', limits)).ok).toBe(true);
  });

  it('never lets racing clients take more than the limit', async () => {
    const prefix = `race-${randomUUID()}:`;
    const racers = [windows(prefix), windows(prefix), windows(prefix), windows(prefix)];
    const limits = { limit: 10, windowMs: 60_000 };
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, index) =>
        racers[index % 4]!.acquire('platform:wechat', limits),
      ),
    );
    expect(answers.filter((answer) => answer.ok)).toHaveLength(10);
    for (const answer of answers) {
      if (!answer.ok) expect(answer.retryInMs).toBeGreaterThan(59_000);
    }
    expect(await racers[0]!.count('platform:wechat')).toBe(10);
  });

  it('frees the slot of a call that did not land; a landed call counts from its answer', async () => {
    const rate = windows();
    const limits = { limit: 1, windowMs: 200 };
    const first = await rate.acquire('a', limits);
    if (!first.ok) throw new Error('expected a slot');
    await first.slot.settle(false);
    expect(await rate.count('a')).toBe(0);
    const second = await rate.acquire('a', limits);
    if (!second.ok) throw new Error('expected a slot');
    await sleep(120);
    await second.slot.settle(true);
    await second.slot.settle(false); // settling twice does nothing
    await sleep(120);
    // 240 ms after it was taken, 120 ms after its answer: it still counts.
    const blocked = await rate.acquire('a', limits);
    expect(blocked.ok).toBe(false);
    if (!blocked.ok) expect(blocked.retryInMs).toBeGreaterThan(40);
  });

  it('keeps an unanswered call counting for holdMs beyond the window', async () => {
    const rate = windows();
    const limits = { limit: 1, windowMs: 50, holdMs: 200 };
    expect((await rate.acquire('a', limits)).ok).toBe(true);
    await sleep(80);
    const blocked = await rate.acquire('a', limits);
    expect(blocked.ok).toBe(false);
    if (!blocked.ok) expect(blocked.retryInMs).toBeGreaterThan(100);
  });

  it('take() waits as long as the window says, and stops on abort', async () => {
    const rate = windows();
    const limits = { limit: 2, windowMs: 150 };
    const started = Date.now();
    const slots = [];
    for (let index = 0; index < 4; index += 1) slots.push(await rate.take('a', limits));
    expect(slots).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    const controller = new AbortController();
    const waiting = rate.take('a', limits, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const error: unknown = await waiting.catch((reason: unknown) => reason);
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ABORTED' });
  });

  it('refuses limits that are not whole positive numbers', async () => {
    const rate = windows();
    for (const limits of [
      { limit: 0, windowMs: 100 },
      { limit: 1.5, windowMs: 100 },
      { limit: 1, windowMs: 0 },
      { limit: 1, windowMs: 100, holdMs: -1 },
    ]) {
      const error: unknown = await rate.acquire('a', limits).catch((reason: unknown) => reason);
      expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    }
  });

  it('keeps windows under the prefix, gone once nothing counts', async () => {
    const prefix = `keys-${randomUUID()}:`;
    const client = new Redis(server.url);
    clients.push(client);
    const rate = createRedisRateWindows({ client, prefix });
    await rate.acquire('weibo:9', { limit: 5, windowMs: 50 });
    expect(await client.zcard(`${prefix}rate:weibo:9`)).toBe(1);
    const ttl = await client.pttl(`${prefix}rate:weibo:9`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(50);
    await sleep(70);
    expect(await client.exists(`${prefix}rate:weibo:9`)).toBe(0);
  });
});
