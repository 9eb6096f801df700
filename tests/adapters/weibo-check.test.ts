/**
 * The Weibo readiness check against the msw handlers: each read exactly as Weibo takes it, and
 * each finding from the fake's state (token life, another uid's token, verification, dormancy).
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '#core';
import type { Account, CheckContext, ReadinessFinding } from '#core';
import { createWeiboAdapter } from '../../adapters/weibo/index.js';
import { weiboHandlers } from '../../adapters/weibo/fake/msw.js';
import { WeiboPlatform } from '../../adapters/weibo/fake/protocol.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 3, 2, 0, 0);
const TOKEN = '2.00CheckTokenForMswTests0001';
const OTHER_TOKEN = '2.00OtherUidTokenForMswTest02';

const account: Account = {
  id: 'beijing-fabu/weibo',
  memberId: 'beijing-fabu',
  platform: 'weibo',
  handle: '北京发布',
  credentials: 'weibo-beijing-fabu',
  settings: { uid: '2418724427' },
};

const platform = new WeiboPlatform({ now: () => NOW });
const server = setupServer(...weiboHandlers(platform));
const seen: { method: string; url: URL; headers: Headers; body: string }[] = [];
server.events.on('request:start', ({ request }) => {
  const copy = request.clone();
  void copy.text().then((body) => {
    seen.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body,
    });
  });
});

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  platform.reset();
  seen.length = 0;
  if (platform.accounts().length === 0) {
    platform.addAccount({
      uid: '2418724427',
      screenName: '北京发布',
      accessToken: TOKEN,
      tokenExpiresAt: NOW + 40 * DAY,
    });
    platform.addAccount({ uid: '7132135868', screenName: '平安北京', accessToken: OTHER_TOKEN });
  }
  platform.setVerified('2418724427', true, 1);
  platform.setLastPostAt('2418724427', NOW - 2 * DAY);
});
afterEach(() => server.resetHandlers());

function context(token: string, now = NOW): CheckContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: token },
    logger: silentLogger,
    requestTimeoutMs: 5_000,
    now: new Date(now),
    dormantDays: 30,
  };
}

const weibo = createWeiboAdapter({ rip: '203.0.113.7' });

function byAspect(findings: readonly ReadinessFinding[]): Record<string, ReadinessFinding> {
  return Object.fromEntries(findings.map((finding) => [finding.aspect, finding]));
}

describe('Weibo checkAccount', () => {
  it('reads the token, then the account, exactly as Weibo takes them, and finds it ready', async () => {
    const result = await weibo.checkAccount!(account, context(TOKEN));
    const found = byAspect(result.findings);
    expect(result.findings.map((finding) => finding.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(found.token?.summary).toBe('valid, 40 d left');
    expect(result.tokenExpiresInSeconds).toBe(40 * 86_400);
    expect(found.verified?.summary).toBe('government (1)');
    expect(found['last-post']?.summary).toBe('2 d ago');
    expect(result.screenName).toBe('北京发布');

    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toHaveLength(2);
    const [info, show] = seen;
    // get_token_info: POST beside the versioned API, the token in the form body only.
    expect(info?.method).toBe('POST');
    expect(info?.url.toString()).toBe('https://api.weibo.com/oauth2/get_token_info');
    expect(info?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(info?.body))).toEqual({ access_token: TOKEN });
    // users/show: GET with the uid, the token in the Authorization header, never the URL.
    expect(show?.method).toBe('GET');
    expect(show?.url.pathname).toBe('/2/users/show.json');
    expect(Object.fromEntries(show?.url.searchParams ?? [])).toEqual({ uid: '2418724427' });
    expect(show?.headers.get('authorization')).toBe(`OAuth2 ${TOKEN}`);
    expect(show?.url.toString()).not.toContain(TOKEN);
    // Nothing was posted.
    expect(platform.counts().posts).toBe(0);
  });

  it('counts expire_in down with the platform clock: a warning within a week, a problem at 0', async () => {
    platform.advanceClock(35 * DAY);
    const soon = byAspect(
      (await weibo.checkAccount!(account, context(TOKEN, NOW + 35 * DAY))).findings,
    );
    expect(soon.token).toMatchObject({ status: 'warning', summary: 'expires in 5 d' });

    platform.advanceClock(5 * DAY);
    const result = await weibo.checkAccount!(account, context(TOKEN, NOW + 40 * DAY));
    const gone = byAspect(result.findings);
    expect(gone.token).toMatchObject({ status: 'problem', summary: 'expired' });
    expect(gone.token?.message).toContain('21327');
    expect(gone.token?.message).not.toContain(TOKEN);
    expect(gone.identity?.summary).toBe('not checked');
    expect(platform.requests().at(-1)?.errorCode).toBe(21327);
  });

  it('finds a token expired by the test control', async () => {
    platform.expireToken(TOKEN);
    const found = byAspect((await weibo.checkAccount!(account, context(TOKEN))).findings);
    expect(found.token?.status).toBe('problem');
  });

  it('finds a token of another uid and reads nothing about the other account', async () => {
    const result = await weibo.checkAccount!(account, context(OTHER_TOKEN));
    const found = byAspect(result.findings);
    expect(found.token?.status).toBe('ok');
    expect(found.identity).toMatchObject({ status: 'problem', summary: 'uid 7132135868' });
    expect(found.identity?.message).toContain('2418724427');
    expect(platform.requests().map((request) => request.endpoint)).toEqual([
      'oauth2/get_token_info',
    ]);
  });

  it('finds an account dormant by the hall limit, and one that is not verified as government', async () => {
    platform.setLastPostAt('2418724427', NOW - 45 * DAY);
    platform.setVerified('2418724427', true, 3);
    const found = byAspect((await weibo.checkAccount!(account, context(TOKEN))).findings);
    expect(found['last-post']).toMatchObject({ status: 'problem', summary: '45 d ago' });
    expect(found.verified).toMatchObject({ status: 'warning', summary: 'media (3)' });
  });

  it("takes the newest of the fake's own posts as the last post", async () => {
    platform.setLastPostAt('2418724427', NOW - 90 * DAY);
    const post = await weibo.publish(
      {
        format: 'text',
        text: '通知 http://www.beijing.gov.cn/a',
        length: 10,
        topics: [],
        summarised: false,
      },
      account,
      {
        signal: new AbortController().signal,
        idempotencyKey: 'k',
        credentials: { access_token: TOKEN },
        logger: silentLogger,
        requestTimeoutMs: 5_000,
      },
    );
    expect(post.status).toBe('posted');
    const found = byAspect((await weibo.checkAccount!(account, context(TOKEN))).findings);
    expect(found['last-post']).toMatchObject({ status: 'ok', summary: '0 d ago' });
  });

  it('refuses a GET of get_token_info and a users/show without uid, as Weibo does', async () => {
    const get = await fetch(`https://api.weibo.com/oauth2/get_token_info?access_token=${TOKEN}`);
    expect(get.status).toBe(405);
    const show = await fetch('https://api.weibo.com/2/users/show.json', {
      headers: { authorization: `OAuth2 ${TOKEN}` },
    });
    expect(((await show.json()) as { error_code: number }).error_code).toBe(10016);
    const anonymous = await fetch('https://api.weibo.com/2/users/show.json?uid=2418724427');
    expect(((await anonymous.json()) as { error_code: number }).error_code).toBe(21301);
  });
});
