/** The Tencent Weibo readiness check against the msw handlers: each read as Tencent takes it. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '#core';
import type { Account, CheckContext, ReadinessFinding } from '#core';
import { createTencentAdapter } from '../../adapters/tencent/index.js';
import { tencentHandlers } from '../../adapters/tencent/fake/msw.js';
import { TencentPlatform } from '../../adapters/tencent/fake/protocol.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2019, 5, 4, 2, 0, 0);
const APP_KEY = '801000000';
const OPENID = 'B624064BA065E01CB73F835017FE96FA';
const OTHER = 'C735175CB176F12DC84G946128GF07GB'.replace(/G/g, 'A');
const TOKEN = 'tencent-check-token-0001';
const OTHER_TOKEN = 'tencent-check-token-0002';

const account: Account = {
  id: 'beijing-fabu/tencent',
  memberId: 'beijing-fabu',
  platform: 'tencent',
  handle: 'beijingfabu',
  credentials: 'tencent-beijing-fabu',
  settings: { openid: OPENID },
};

const platform = new TencentPlatform({ now: () => NOW });
platform.addAccount({
  openid: OPENID,
  name: 'beijingfabu',
  nick: '北京发布',
  accessToken: TOKEN,
  appKey: APP_KEY,
});
platform.addAccount({ openid: OTHER, name: 'other', accessToken: OTHER_TOKEN, appKey: APP_KEY });
const server = setupServer(...tencentHandlers(platform));
const seen: URL[] = [];
server.events.on('request:start', ({ request }) => {
  expect(request.method).toBe('GET');
  seen.push(new URL(request.url));
});
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  platform.reset();
  seen.length = 0;
  platform.setVerified(OPENID, true);
  platform.setLastPostAt(OPENID, NOW - 3 * DAY);
});

const tencent = createTencentAdapter({ appKey: APP_KEY, clientIp: '203.0.113.7' });
function context(token: string): CheckContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: token },
    logger: silentLogger,
    requestTimeoutMs: 5_000,
    now: new Date(NOW),
    dormantDays: 30,
  };
}
const byAspect = (findings: readonly ReadinessFinding[]): Record<string, ReadinessFinding> =>
  Object.fromEntries(findings.map((finding) => [finding.aspect, finding]));

const OAUTH = {
  oauth_consumer_key: APP_KEY,
  access_token: TOKEN,
  openid: OPENID,
  clientip: '203.0.113.7',
  oauth_version: '2.a',
  scope: 'all',
  format: 'json',
};

describe('Tencent checkAccount', () => {
  it('reads user/info with the five OAuth parameters and format=json, and finds it ready', async () => {
    const result = await tencent.checkAccount!(account, context(TOKEN));
    expect(result.findings.map((finding) => finding.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(byAspect(result.findings)['last-post']?.summary).toBe('3 d ago');
    expect(result.screenName).toBe('北京发布');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.pathname).toBe('/api/user/info');
    expect(Object.fromEntries(seen[0]?.searchParams ?? [])).toEqual(OAUTH);
  });

  it('reads broadcast_timeline (reqnum=1) when user/info shows no tweet, and warns of an account that never tweeted', async () => {
    platform.setLastPostAt(OPENID, undefined);
    const found = byAspect((await tencent.checkAccount!(account, context(TOKEN))).findings);
    expect(found['last-post']).toMatchObject({ status: 'warning', summary: 'none found' });
    expect(seen.map((url) => url.pathname)).toEqual([
      '/api/user/info',
      '/api/statuses/broadcast_timeline',
    ]);
    expect(Object.fromEntries(seen[1]?.searchParams ?? [])).toEqual({
      ...OAUTH,
      pageflag: '0',
      pagetime: '0',
      reqnum: '1',
      lastid: '0',
      type: '0',
      contenttype: '0',
    });
  });

  it('finds a dormant, unverified account', async () => {
    platform.setLastPostAt(OPENID, NOW - 60 * DAY);
    platform.setVerified(OPENID, false);
    const found = byAspect((await tencent.checkAccount!(account, context(TOKEN))).findings);
    expect(found['last-post']).toMatchObject({ status: 'problem', summary: '60 d ago' });
    expect(found.verified?.status).toBe('warning');
  });

  it('finds an expired token and a token of another openid as refused tokens', async () => {
    platform.expireToken(TOKEN);
    const expired = byAspect((await tencent.checkAccount!(account, context(TOKEN))).findings);
    expect(expired.token).toMatchObject({ status: 'problem', summary: 'expired' });
    const foreign = byAspect((await tencent.checkAccount!(account, context(OTHER_TOKEN))).findings);
    expect(foreign.token?.status).toBe('problem');
    expect(foreign.token?.message).not.toContain(OTHER_TOKEN);
    expect(foreign.token?.message).not.toContain(APP_KEY);
  });
});
