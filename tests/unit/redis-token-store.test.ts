/**
 * The WeChat token store in a real redis-server: processes (here, separate ioredis clients, each
 * with its own holders) share one token per appid and one fetch per appid, wait for the holder's
 * result rather than fetching, and expire a token only while it is still the one that failed.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseHallError } from '#core';
import type { FetchLike } from '#adapter-kit';
import {
  WechatTokenHolder,
  tokenStoreKey,
  type StoredToken,
} from '../../adapters/wechat/token-holder.js';
import {
  RedisTokenStore,
  createRedisTokenStore,
} from 'release-hall/adapters/wechat/redis-token-store';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';

const SECRET = 'appsecret-for-redis-tests-0001';

let server: RedisTestServer;
const clients: Redis[] = [];

function client(): Redis {
  const made = new Redis(server.url);
  made.on('error', () => undefined);
  clients.push(made);
  return made;
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const made of clients) made.disconnect();
  await server?.stop();
});

/**
 * A token endpoint that counts its calls per appid and answers, after `delayMs`, a token named
 * after the appid and the call's number, or the error `answer` gives.
 */
function tokenEndpoint(
  delayMs: number,
  answer: (appid: string, count: number) => Record<string, unknown> | undefined = () => undefined,
) {
  const calls = new Map<string, number>();
  const fetchLike: FetchLike = async (_input, init) => {
    const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as {
      appid: string;
      secret: string;
    };
    const count = (calls.get(body.appid) ?? 0) + 1;
    calls.set(body.appid, count);
    await sleep(delayMs);
    const reply = answer(body.appid, count) ?? {
      access_token: `TOKEN-${body.appid}-${count}`,
      expires_in: 7200,
    };
    return new Response(JSON.stringify(reply), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return {
    fetch: fetchLike,
    calls,
    total: () => [...calls.values()].reduce((sum, count) => sum + count, 0),
  };
}

/** One process: its own client, store and holders. */
function process_(
  prefix: string,
  fetch: FetchLike,
  options: { lockMs?: number; pollMs?: number } = {},
) {
  const store = createRedisTokenStore({ client: client(), prefix, ...options });
  const holders = new Map<string, WechatTokenHolder>();
  return {
    store,
    holder(appid: string): WechatTokenHolder {
      let holder = holders.get(appid);
      if (holder === undefined) {
        holder = new WechatTokenHolder({ appid, fetch, store });
        holders.set(appid, holder);
      }
      return holder;
    },
  };
}

const token = (accessToken: string, lifeMs = 7_200_000): StoredToken => {
  const now = Date.now();
  return {
    accessToken,
    fetchedAt: now,
    expiresAt: now + lifeMs,
    refreshAt: now + lifeMs - 300_000,
  };
};

describe('RedisTokenStore', () => {
  it('stores, reads and compare-and-expires a token', async () => {
    const store = new RedisTokenStore({ client: client(), prefix: `basic-${randomUUID()}:` });
    expect(await store.get('wechat:stable:wx1')).toBeUndefined();
    const stored = token('T1', 60_000);
    await store.set('wechat:stable:wx1', stored);
    expect(await store.get('wechat:stable:wx1')).toEqual(stored);
    expect(await store.compareAndDelete('wechat:stable:wx1', 'T0')).toBe(false);
    expect((await store.get('wechat:stable:wx1'))?.accessToken).toBe('T1');
    expect(await store.compareAndDelete('wechat:stable:wx1', 'T1')).toBe(true);
    expect(await store.get('wechat:stable:wx1')).toBeUndefined();
    expect(await store.compareAndDelete('wechat:stable:wx1', 'T1')).toBe(false);
  });

  it('lets Redis drop a token at the end of its life', async () => {
    const prefix = `ttl-${randomUUID()}:`;
    const redis = client();
    const store = createRedisTokenStore({ client: redis, prefix });
    await store.set('wechat:stable:wx1', token('T1', 60_000));
    const ttl = await redis.pttl(`${prefix}token:wechat:stable:wx1`);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('4 processes racing for 72 appids make exactly 72 fetches, one token per appid', async () => {
    const prefix = `race-${randomUUID()}:`;
    const endpoint = tokenEndpoint(30);
    const processes = Array.from({ length: 4 }, () => process_(prefix, endpoint.fetch));
    const appids = Array.from({ length: 72 }, (_, index) => `wx${String(index).padStart(16, '0')}`);
    const results = await Promise.all(
      processes.flatMap((each) =>
        appids.flatMap((appid) =>
          [0, 1, 2].map(async () => ({
            appid,
            token: await each.holder(appid).getToken({ secret: SECRET }),
          })),
        ),
      ),
    );
    expect(endpoint.total()).toBe(72);
    for (const appid of appids) expect(endpoint.calls.get(appid)).toBe(1);
    for (const result of results) expect(result.token).toBe(`TOKEN-${result.appid}-1`);
    // Afterwards every process reads the shared token without fetching.
    expect(await processes[3]!.holder(appids[5]!).getToken({ secret: SECRET })).toBe(
      `TOKEN-${appids[5]!}-1`,
    );
    expect(endpoint.total()).toBe(72);
  });

  it('expires the token on 40001/42001 only while it is still the one that failed', async () => {
    const prefix = `expire-${randomUUID()}:`;
    const endpoint = tokenEndpoint(5);
    const [a, b] = [process_(prefix, endpoint.fetch), process_(prefix, endpoint.fetch)];
    const appid = 'wx0123456789abcdef';
    const first = await a.holder(appid).getToken({ secret: SECRET });
    expect(await b.holder(appid).getToken({ secret: SECRET })).toBe(first);
    // Both saw a call fail with the first token; B reports it first and fetches anew.
    expect(await b.holder(appid).invalidate(first)).toBe(true);
    const second = await b.holder(appid).getToken({ secret: SECRET });
    expect(second).not.toBe(first);
    // A's report comes late: the token in the store is no longer the bad one, it stays.
    expect(await a.holder(appid).invalidate(first)).toBe(false);
    expect(await a.holder(appid).getToken({ secret: SECRET })).toBe(second);
    expect(endpoint.total()).toBe(2);
  });

  it('the processes that waited for a failed fetch get its error, without fetching themselves', async () => {
    const prefix = `fail-${randomUUID()}:`;
    const endpoint = tokenEndpoint(40, () => ({ errcode: 40013, errmsg: 'invalid appid' }));
    const processes = Array.from({ length: 4 }, () => process_(prefix, endpoint.fetch));
    const outcomes = await Promise.allSettled(
      processes.map((each) => each.holder('wxbad').getToken({ secret: SECRET })),
    );
    expect(endpoint.total()).toBe(1);
    const codes = outcomes.map((outcome) =>
      outcome.status === 'rejected' && ReleaseHallError.isInstance(outcome.reason)
        ? [outcome.reason.code, outcome.reason.platformCode]
        : outcome.status,
    );
    expect(new Set(codes.map((code) => JSON.stringify(code))).size).toBe(1);
    expect(codes[0]).toEqual([expect.any(String), '40013']);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(String(outcome.reason)).not.toContain(SECRET);
    }
    // A caller that comes after the failure tries again.
    await expect(processes[0]!.holder('wxbad').getToken({ secret: SECRET })).rejects.toThrow();
    expect(endpoint.total()).toBe(2);
  });

  it('takes the fetch over when the lock holder died, once its deadline has passed', async () => {
    const prefix = `dead-${randomUUID()}:`;
    const redis = client();
    const key = tokenStoreKey('stable', 'wxdead');
    // A holder that took the lock and died: its lock has 150 ms left.
    await redis.set(`${prefix}token-lock:${key}`, 'dead-holder', 'PX', 150);
    const endpoint = tokenEndpoint(5);
    const processes = Array.from({ length: 3 }, () =>
      process_(prefix, endpoint.fetch, { lockMs: 1_000, pollMs: 20 }),
    );
    const started = Date.now();
    const tokens = await Promise.all(
      processes.map((each) => each.holder('wxdead').getToken({ secret: SECRET })),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(new Set(tokens)).toEqual(new Set(['TOKEN-wxdead-1']));
    expect(endpoint.total()).toBe(1);
    expect(await redis.exists(`${prefix}token-lock:${key}`)).toBe(0);
  });

  it('closes a connection it made from a URL, and not a client handed over', async () => {
    const lent = client();
    await createRedisTokenStore({ client: lent }).close();
    expect(await lent.ping()).toBe('PONG');
    const own = createRedisTokenStore({ url: server.url, prefix: `own-${randomUUID()}:` });
    await own.set('k', token('T'));
    expect((await own.get('k'))?.accessToken).toBe('T');
    await own.close();
    expect(() => new RedisTokenStore({} as { url: string })).toThrow(/either url or client/);
  });
});
