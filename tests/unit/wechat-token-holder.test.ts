/**
 * The access-token holder: one fetch for many callers, refresh ahead of expiry, compare-and-expire,
 * shared stores, and no secret or token in any error.
 */
import { describe, expect, it } from 'vitest';
import { ReleaseHallError } from '#core';
import type { FetchLike } from '#adapter-kit';
import {
  MemoryTokenStore,
  WechatTokenHolder,
  tokenStoreKey,
} from '../../adapters/wechat/token-holder.js';

const APPID = 'wx0123456789abcdef';
const SECRET = 'appsecret-for-unit-tests-0001';
const BASE = 'https://api.weixin.qq.com/cgi-bin/';

interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly body: string;
}

/** A fetch that answers token requests from a script, after an optional delay. */
function tokenServer(
  answer: (count: number) => Record<string, unknown> | 'html',
  delayMs = 0,
): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchLike = async (
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    seen.push({
      method: init?.method ?? 'GET',
      url,
      body: typeof init?.body === 'string' ? init.body : '',
    });
    const count = seen.length;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const reply = answer(count);
    if (reply === 'html') {
      return new Response('<html>busy</html>', {
        status: 200,
        headers: { 'content-type': 'text/html' },
      });
    }
    return new Response(JSON.stringify(reply), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetchLike, seen };
}

function clock(start = Date.UTC(2026, 10, 26, 1, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function failure(work: Promise<unknown>): Promise<ReleaseHallError> {
  try {
    await work;
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('WechatTokenHolder: requests', () => {
  it('stable mode POSTs JSON with grant_type, appid, secret and force_refresh=false', async () => {
    const server = tokenServer(() => ({ access_token: 'TOKEN-1', expires_in: 7200 }));
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    expect(holder.mode).toBe('stable');
    expect(await holder.getToken({ secret: SECRET })).toBe('TOKEN-1');
    const [request, ...more] = server.seen;
    expect(more).toHaveLength(0);
    expect(request?.method).toBe('POST');
    expect(request?.url.href).toBe(`${BASE}stable_token`);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      grant_type: 'client_credential',
      appid: APPID,
      secret: SECRET,
      force_refresh: false,
    });
  });

  it('classic mode GETs token with grant_type, appid and secret in the query', async () => {
    const server = tokenServer(() => ({ access_token: 'TOKEN-C', expires_in: 7200 }));
    const holder = new WechatTokenHolder({ appid: APPID, mode: 'classic', fetch: server.fetch });
    expect(await holder.getToken({ secret: SECRET })).toBe('TOKEN-C');
    const request = server.seen[0];
    expect(request?.method).toBe('GET');
    expect(request?.url.pathname).toBe('/cgi-bin/token');
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({
      grant_type: 'client_credential',
      appid: APPID,
      secret: SECRET,
    });
  });
});

describe('WechatTokenHolder: single-flight', () => {
  it('50 concurrent callers share one fetch', async () => {
    const server = tokenServer(() => ({ access_token: 'SHARED', expires_in: 7200 }), 5);
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => holder.getToken({ secret: SECRET })),
    );
    expect(new Set(tokens)).toEqual(new Set(['SHARED']));
    expect(server.seen).toHaveLength(1);
    expect(holder.fetches).toBe(1);
  });

  it('callers that arrive while the fetch is finishing still share it (double-checked read)', async () => {
    const server = tokenServer(() => ({ access_token: 'ONE', expires_in: 7200 }));
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    const first = holder.getToken({ secret: SECRET });
    await Promise.resolve();
    const rest = await Promise.all([
      first,
      ...Array.from({ length: 10 }, () => holder.getToken({ secret: SECRET })),
    ]);
    expect(new Set(rest)).toEqual(new Set(['ONE']));
    expect(server.seen).toHaveLength(1);
  });

  it('a failed shared fetch fails every waiting caller once, and the next call tries again', async () => {
    const server = tokenServer(
      (count) =>
        count === 1
          ? { errcode: -1, errmsg: 'system error rid: 1-2-3' }
          : { access_token: 'LATER', expires_in: 7200 },
      5,
    );
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => holder.getToken({ secret: SECRET })),
    );
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(server.seen).toHaveLength(1);
    const reason = (results[0] as PromiseRejectedResult).reason as ReleaseHallError;
    expect(reason.code).toBe('TRANSIENT');
    expect(await holder.getToken({ secret: SECRET })).toBe('LATER');
  });

  it('a caller that aborts stops waiting; the shared fetch goes on for the others', async () => {
    const server = tokenServer(() => ({ access_token: 'KEPT', expires_in: 7200 }), 20);
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    const controller = new AbortController();
    const impatient = holder.getToken({ secret: SECRET, signal: controller.signal });
    const patient = holder.getToken({ secret: SECRET });
    controller.abort();
    expect((await failure(impatient)).code).toBe('ABORTED');
    expect(await patient).toBe('KEPT');
    expect(server.seen).toHaveLength(1);
  });
});

describe('WechatTokenHolder: refresh ahead of expiry', () => {
  it('stable tokens are kept until expires_in − 300 s, then fetched again', async () => {
    const time = clock();
    let issued = 0;
    const server = tokenServer(() => ({ access_token: `T${++issued}`, expires_in: 7200 }));
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch, now: time.now });
    expect(await holder.getToken({ secret: SECRET })).toBe('T1');
    time.advance((7200 - 300) * 1000 - 1);
    expect(await holder.getToken({ secret: SECRET })).toBe('T1');
    expect(server.seen).toHaveLength(1);
    time.advance(1);
    expect(await holder.getToken({ secret: SECRET })).toBe('T2');
    expect(server.seen).toHaveLength(2);
  });

  it('classic tokens use a larger margin (1500 s)', async () => {
    const time = clock();
    let issued = 0;
    const server = tokenServer(() => ({ access_token: `C${++issued}`, expires_in: 7200 }));
    const holder = new WechatTokenHolder({
      appid: APPID,
      mode: 'classic',
      fetch: server.fetch,
      now: time.now,
    });
    await holder.getToken({ secret: SECRET });
    time.advance((7200 - 1500) * 1000 - 1);
    expect(await holder.getToken({ secret: SECRET })).toBe('C1');
    time.advance(1);
    expect(await holder.getToken({ secret: SECRET })).toBe('C2');
  });

  it('a stable token returned with little life left (expires_in 345) is kept 45 s, never refetched per call', async () => {
    const time = clock();
    const server = tokenServer((count) =>
      count === 1
        ? { access_token: 'OLD', expires_in: 345 }
        : { access_token: 'NEW', expires_in: 7200 },
    );
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch, now: time.now });
    expect(await holder.getToken({ secret: SECRET })).toBe('OLD');
    time.advance(44_000);
    expect(await holder.getToken({ secret: SECRET })).toBe('OLD');
    time.advance(1_000);
    expect(await holder.getToken({ secret: SECRET })).toBe('NEW');
    expect(server.seen).toHaveLength(2);
  });

  it('an expires_in given as text, or missing, is tolerated', async () => {
    const time = clock();
    const server = tokenServer((count) =>
      count === 1 ? { access_token: 'S', expires_in: '7200' } : { access_token: 'M' },
    );
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch, now: time.now });
    expect(await holder.getToken({ secret: SECRET })).toBe('S');
    expect((await holder.peek())?.expiresAt).toBe(time.now() + 7_200_000);
  });

  it('when a refresh ahead fails, the still-valid cached token is used', async () => {
    const time = clock();
    const server = tokenServer((count) =>
      count === 1
        ? { access_token: 'GOOD', expires_in: 7200 }
        : { errcode: -1, errmsg: 'system error' },
    );
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch, now: time.now });
    await holder.getToken({ secret: SECRET });
    time.advance(6_950_000); // past refreshAt (6 900 s), 250 s before expiry
    expect(await holder.getToken({ secret: SECRET })).toBe('GOOD');
    expect(server.seen).toHaveLength(2);
  });
});

describe('WechatTokenHolder: compare-and-expire', () => {
  it('invalidate drops the cached token only if it is the one that failed', async () => {
    let issued = 0;
    const server = tokenServer(() => ({ access_token: `T${++issued}`, expires_in: 7200 }));
    const store = new MemoryTokenStore();
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch, store });
    const first = await holder.getToken({ secret: SECRET });
    // Two calls failed with the same token: the first invalidation drops it...
    expect(await holder.invalidate(first)).toBe(true);
    const second = await holder.getToken({ secret: SECRET });
    expect(second).toBe('T2');
    // ...the second, late one names a token that is no longer cached and changes nothing.
    expect(await holder.invalidate(first)).toBe(false);
    expect(await holder.getToken({ secret: SECRET })).toBe('T2');
    expect(server.seen).toHaveLength(2);
    expect((await store.get(tokenStoreKey('stable', APPID)))?.accessToken).toBe('T2');
  });

  it('many callers refreshing after one invalidation still make one fetch', async () => {
    let issued = 0;
    const server = tokenServer(() => ({ access_token: `T${++issued}`, expires_in: 7200 }), 5);
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    const failed = await holder.getToken({ secret: SECRET });
    const refreshed = await Promise.all(
      Array.from({ length: 20 }, async () => {
        await holder.invalidate(failed);
        return holder.getToken({ secret: SECRET });
      }),
    );
    expect(new Set(refreshed)).toEqual(new Set(['T2']));
    expect(server.seen).toHaveLength(2);
  });

  it('holders of two processes sharing one store share the token', async () => {
    const server = tokenServer(() => ({ access_token: 'FROM-STORE', expires_in: 7200 }));
    const store = new MemoryTokenStore();
    const one = new WechatTokenHolder({ appid: APPID, fetch: server.fetch, store });
    const two = new WechatTokenHolder({ appid: APPID, fetch: server.fetch, store });
    expect(await one.getToken({ secret: SECRET })).toBe('FROM-STORE');
    expect(await two.getToken({ secret: SECRET })).toBe('FROM-STORE');
    expect(server.seen).toHaveLength(1);
    expect(store.size).toBe(1);
  });

  it('stable and classic tokens of one appid are kept apart', () => {
    expect(tokenStoreKey('stable', APPID)).not.toBe(tokenStoreKey('classic', APPID));
  });
});

describe('WechatTokenHolder: errors', () => {
  it('a wrong secret is AUTH_INVALID, and neither the secret nor the URL query is in the error', async () => {
    const server = tokenServer(() => ({
      errcode: 40125,
      errmsg: 'invalid appsecret rid: 6a-7b-8c',
    }));
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    const error = await failure(holder.getToken({ secret: SECRET, accountId: 'police/wechat' }));
    expect(error.code).toBe('AUTH_INVALID');
    expect(error.accountId).toBe('police/wechat');
    expect(error.message).toBe(
      '[release-hall] [wechat] stable_token failed (40125 invalid appsecret): the AppSecret is invalid for account "police/wechat": check the appid in the hall file and the "secret" in its credentials (rid 6a-7b-8c)',
    );
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it('classic: 40001 means a wrong AppSecret, and the secret in the URL never shows', async () => {
    const server = tokenServer(() => ({ errcode: 40001, errmsg: 'invalid credential' }));
    const holder = new WechatTokenHolder({ appid: APPID, mode: 'classic', fetch: server.fetch });
    const error = await failure(holder.getToken({ secret: SECRET }));
    expect(error.code).toBe('AUTH_INVALID');
    expect(`${error.message} ${error.stack ?? ''}`).not.toContain(SECRET);
  });

  it('an IP off the whitelist is PERMISSION_DENIED', async () => {
    const server = tokenServer(() => ({
      errcode: 40164,
      errmsg: 'invalid ip 203.0.113.7, not in whitelist',
    }));
    const holder = new WechatTokenHolder({ appid: APPID, fetch: server.fetch });
    expect((await failure(holder.getToken({ secret: SECRET }))).code).toBe('PERMISSION_DENIED');
  });

  it('an HTML page or a reply without access_token is TRANSIENT', async () => {
    const html = new WechatTokenHolder({ appid: APPID, fetch: tokenServer(() => 'html').fetch });
    expect((await failure(html.getToken({ secret: SECRET }))).code).toBe('TRANSIENT');
    const empty = new WechatTokenHolder({
      appid: APPID,
      fetch: tokenServer(() => ({ expires_in: 7200 })).fetch,
    });
    expect((await failure(empty.getToken({ secret: SECRET }))).code).toBe('TRANSIENT');
  });

  it('a network failure that carries the secret in its text is scrubbed', async () => {
    const holder = new WechatTokenHolder({
      appid: APPID,
      mode: 'classic',
      fetch: (input) =>
        Promise.reject(
          new TypeError(
            `fetch failed for ${input instanceof Request ? input.url : input.toString()}`,
          ),
        ),
    });
    const error = await failure(holder.getToken({ secret: SECRET }));
    expect(error.code).toBe('TRANSIENT');
    expect(error.message).not.toContain(SECRET);
    expect(String((error.cause as Error | undefined)?.message ?? '')).not.toContain(SECRET);
  });
});
