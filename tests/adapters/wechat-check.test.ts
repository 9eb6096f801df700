/**
 * The WeChat readiness check against the msw handlers: each of its three reads exactly as WeChat
 * takes it (method, path, query, JSON body), and each finding from the fake's state: a healthy
 * account, a refused AppSecret, an IP off the whitelist (before and after the token was fetched),
 * a dormant account dated by the fake's clock, an account without any article, and one that may
 * not use freepublish. Also the fake's own rules for `get_api_domain_ip` and `no_content`.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type {
  Account,
  ArticleRendition,
  CheckContext,
  DeliveryContext,
  ReadinessFinding,
} from '#core';
import { createWechatAdapter } from '../../adapters/wechat/index.js';
import type { WechatAdapter } from '../../adapters/wechat/index.js';
import { wechatHandlers } from '../../adapters/wechat/fake/msw.js';
import { WechatPlatform } from '../../adapters/wechat/fake/protocol.js';

const API = 'https://api.weixin.qq.com/cgi-bin/';
const DAY = 86_400_000;
// 10:00 in Shanghai.
const NOW = Date.UTC(2026, 2, 3, 2, 0, 0);

const HEALTHY = { appid: 'wxc0c0c0c0c0c00001', secret: 'healthy-appsecret-0123456789ab' };
const EMPTY = { appid: 'wxc0c0c0c0c0c00002', secret: 'empty-appsecret-0123456789abcd' };
const FENCED = { appid: 'wxc0c0c0c0c0c00003', secret: 'fenced-appsecret-0123456789abc' };
const UNVERIFIED = { appid: 'wxc0c0c0c0c0c00004', secret: 'unverified-appsecret-012345678' };

const platform = new WechatPlatform({ now: () => NOW });
platform.addAccount({ ...HEALTHY, name: '北京发布' });
platform.addAccount({ ...EMPTY, name: '北京气象' });
platform.addAccount({ ...FENCED, name: '平安北京', ipRefused: true });
platform.addAccount({ ...UNVERIFIED, name: '北京消防', verified: false });

const server = setupServer(...wechatHandlers(platform));

interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly endpoint: string;
  readonly contentType: string | null;
  readonly body: string;
}
let captured: Promise<Captured>[] = [];
server.events.on('request:start', ({ request }) => {
  const copy = request.clone();
  captured.push(
    copy.text().then((body) => ({
      method: request.method,
      url: new URL(request.url),
      endpoint: new URL(request.url).pathname.replace('/cgi-bin/', ''),
      contentType: request.headers.get('content-type'),
      body,
    })),
  );
});

async function requests(): Promise<Captured[]> {
  return Promise.all(captured);
}

function wechatAccount(memberId: string, handle: string, appid: string): Account {
  return {
    id: `${memberId}/wechat`,
    memberId,
    platform: 'wechat',
    handle,
    credentials: `wechat-${memberId}`,
    kind: 'subscription',
    settings: { appid },
  };
}

const healthy = wechatAccount('beijing-fabu', '北京发布', HEALTHY.appid);
const empty = wechatAccount('weather', '北京气象', EMPTY.appid);
const fenced = wechatAccount('police', '平安北京', FENCED.appid);
const unverified = wechatAccount('fire', '北京消防', UNVERIFIED.appid);

function jpeg(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  for (let index = 4; index < size; index++) bytes[index] = index % 251;
  return bytes;
}

function adapter(): WechatAdapter {
  return createWechatAdapter({
    now: () => platform.now(),
    publishPoll: { intervalsMs: [0, 0, 0] },
    loadImage: () => Promise.resolve(jpeg(8_000)),
  });
}

function checkContext(secret: string, overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    signal: new AbortController().signal,
    credentials: { secret },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
    now: new Date(platform.now()),
    dormantDays: 30,
    ...overrides,
  };
}

/** Publishes one article on the account at the fake's current time, as a campaign would. */
async function publishArticle(account: Account, secret: string, label: string): Promise<void> {
  const rendition: ArticleRendition = {
    format: 'article',
    title: `关于${label}的通告`,
    author: '北京发布',
    digest: '通告摘要。',
    html: `<p>通告正文（${label}）。</p>`,
    sourceUrl: 'https://www.beijing.gov.cn/tongzhi.html',
    cover: 'cover.jpg',
  };
  const context: DeliveryContext = {
    signal: new AbortController().signal,
    idempotencyKey: `check-test:${account.id}:${label}`,
    credentials: { secret },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
  };
  const result = await adapter().publish(rendition, account, context);
  expect(result.status).toBe('posted');
}

function byAspect(findings: readonly ReadinessFinding[]): Record<string, ReadinessFinding> {
  return Object.fromEntries(findings.map((finding) => [finding.aspect, finding]));
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  captured = [];
});
afterEach(() => {
  server.resetHandlers();
  platform.reset();
  platform.setIpRefused(HEALTHY.appid, false);
});
afterAll(() => server.close());

describe('WeChat checkAccount', () => {
  it('reads the token, the API domain and the newest article exactly, and finds a healthy account ready', async () => {
    await publishArticle(healthy, HEALTHY.secret, '春运');
    const [article] = platform.liveArticles(HEALTHY.appid);
    platform.advanceClock(3 * DAY);
    const before = platform.counts();
    captured = [];

    const wechat = adapter();
    const result = await wechat.checkAccount!(healthy, checkContext(HEALTHY.secret));
    const found = byAspect(result.findings);
    expect(result.findings.map((finding) => [finding.aspect, finding.status])).toEqual([
      ['token', 'ok'],
      ['identity', 'ok'],
      ['reachability', 'ok'],
      ['verified', 'ok'],
      ['last-post', 'ok'],
    ]);
    expect(found.token?.summary).toBe('valid (stable_token)');
    expect(found.identity?.summary).toBe(`appid ${HEALTHY.appid}`);
    expect(found.identity?.message).toContain('only this far');
    expect(found.reachability?.summary).toBe('reachable, IP whitelisted');
    expect(found.verified?.summary).toBe('not checkable');
    expect(found['last-post']?.summary).toBe('3 d ago');
    expect(result.lastPostAt?.getTime()).toBe(
      Math.floor((article?.publishedAt.getTime() ?? 0) / 1000) * 1000,
    );
    expect(result.tokenExpiresInSeconds).toBeUndefined();

    const token = (await wechat.tokenHolder(HEALTHY.appid).peek())?.accessToken ?? '';
    expect(token.length).toBeGreaterThan(20);
    const [stable, domain, batchget, ...more] = await requests();
    expect(more).toEqual([]);
    expect(stable?.method).toBe('POST');
    expect(stable?.url.href).toBe(`${API}stable_token`);
    expect(JSON.parse(stable?.body ?? '')).toEqual({
      grant_type: 'client_credential',
      appid: HEALTHY.appid,
      secret: HEALTHY.secret,
      force_refresh: false,
    });
    expect(domain?.method).toBe('GET');
    expect(`${domain?.url.origin ?? ''}${domain?.url.pathname ?? ''}`).toBe(
      `${API}get_api_domain_ip`,
    );
    expect(Object.fromEntries(domain?.url.searchParams ?? [])).toEqual({ access_token: token });
    expect(domain?.body).toBe('');
    expect(batchget?.method).toBe('POST');
    expect(`${batchget?.url.origin ?? ''}${batchget?.url.pathname ?? ''}`).toBe(
      `${API}freepublish/batchget`,
    );
    expect(Object.fromEntries(batchget?.url.searchParams ?? [])).toEqual({ access_token: token });
    expect(batchget?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(batchget?.body ?? '')).toEqual({ offset: 0, count: 1, no_content: 1 });

    // Only reads: nothing uploaded, drafted, published or sent.
    const after = platform.counts();
    expect(after.drafts).toBe(before.drafts);
    expect(after.liveArticles).toBe(before.liveArticles);
    expect(after.massSends).toBe(0);
    expect(platform.uploads(HEALTHY.appid)).toHaveLength(1);
    for (const finding of result.findings) expect(finding.message).not.toContain(HEALTHY.secret);
  });

  it('reuses the token the adapter holds, and says the AppSecret was not sent again', async () => {
    const wechat = adapter();
    await wechat.checkAccount!(healthy, checkContext(HEALTHY.secret));
    captured = [];
    const found = byAspect(
      (await wechat.checkAccount!(healthy, checkContext(HEALTHY.secret))).findings,
    );
    expect(found.token).toMatchObject({ status: 'ok', summary: 'valid (held, stable_token)' });
    expect((await requests()).map((request) => request.endpoint)).toEqual([
      'get_api_domain_ip',
      'freepublish/batchget',
    ]);
  });

  it('finds a refused AppSecret a problem with its fix, and reads nothing else', async () => {
    const result = await adapter().checkAccount!(
      healthy,
      checkContext('wrong-appsecret-0123456789abcdef'),
    );
    const found = byAspect(result.findings);
    expect(found.token).toMatchObject({ status: 'problem', summary: 'refused (40125)' });
    expect(found.token?.message).toContain('40125');
    expect(found.token?.fix).toContain('AppSecret');
    expect(found.token?.message).not.toContain('wrong-appsecret');
    for (const aspect of ['reachability', 'identity', 'verified', 'last-post']) {
      expect(found[aspect]).toMatchObject({ status: 'warning', summary: 'not checked' });
    }
    expect((await requests()).map((request) => request.endpoint)).toEqual(['stable_token']);
  });

  it('finds an IP off the whitelist when the token is refused for it (40164)', async () => {
    const result = await adapter().checkAccount!(fenced, checkContext(FENCED.secret));
    const found = byAspect(result.findings);
    expect(found.token).toMatchObject({ status: 'problem', summary: 'IP not whitelisted' });
    expect(found.reachability).toMatchObject({ status: 'problem', summary: 'IP not whitelisted' });
    expect(found.reachability?.fix).toContain('IP whitelist');
    expect(found['last-post']?.summary).toBe('not checked');
    expect(platform.requests().map((request) => [request.endpoint, request.errcode])).toEqual([
      ['stable_token', 40164],
    ]);
  });

  it('finds an IP taken off the whitelist after the token was fetched, at get_api_domain_ip', async () => {
    const wechat = adapter();
    await wechat.checkAccount!(healthy, checkContext(HEALTHY.secret));
    platform.setIpRefused(HEALTHY.appid);
    captured = [];
    const result = await wechat.checkAccount!(healthy, checkContext(HEALTHY.secret));
    const found = byAspect(result.findings);
    expect(found.token?.status).toBe('ok');
    expect(found.reachability).toMatchObject({ status: 'problem', summary: 'IP not whitelisted' });
    expect(found.reachability?.message).toContain('40164');
    expect(found.reachability?.fix).toContain('IP whitelist');
    expect(found.verified?.summary).toBe('not checked');
    expect(found['last-post']?.summary).toBe('not checked');
    expect((await requests()).map((request) => `${request.method} ${request.endpoint}`)).toEqual([
      'GET get_api_domain_ip',
    ]);
    expect(platform.requests().at(-1)?.errcode).toBe(40164);
  });

  it('dates the newest article on the fake clock: dormant at 45 days, fine after a new one', async () => {
    await publishArticle(healthy, HEALTHY.secret, '旧文');
    platform.advanceClock(45 * DAY);
    const dormant = await adapter().checkAccount!(healthy, checkContext(HEALTHY.secret));
    expect(byAspect(dormant.findings)['last-post']).toMatchObject({
      status: 'problem',
      summary: '45 d ago',
    });
    expect(byAspect(dormant.findings)['last-post']?.fix).toBeDefined();

    await publishArticle(healthy, HEALTHY.secret, '新文');
    platform.advanceClock(2 * DAY);
    const result = await adapter().checkAccount!(healthy, checkContext(HEALTHY.secret));
    expect(byAspect(result.findings)['last-post']).toMatchObject({
      status: 'ok',
      summary: '2 d ago',
    });
    expect(result.lastPostAt?.getTime()).toBe(NOW + 45 * DAY);
  });

  it('warns about an account with no article at all (mass sends cannot be dated)', async () => {
    const result = await adapter().checkAccount!(empty, checkContext(EMPTY.secret));
    const found = byAspect(result.findings);
    expect(found['last-post']).toMatchObject({ status: 'warning', summary: 'none found' });
    expect(found['last-post']?.message).toContain('mass-sends');
    expect(found['last-post']?.fix).toBeDefined();
    expect(result.lastPostAt).toBeUndefined();
    expect(found.reachability?.status).toBe('ok');
  });

  it('finds an account that may not use freepublish (48001) a problem', async () => {
    const result = await adapter().checkAccount!(unverified, checkContext(UNVERIFIED.secret));
    const found = byAspect(result.findings);
    expect(found.verified).toMatchObject({
      status: 'problem',
      summary: 'freepublish refused (48001)',
    });
    expect(found['last-post']?.summary).toBe('not checked');
  });

  it('throws AUTH_INVALID when the account has no secret, and sends nothing', async () => {
    const error = await adapter().checkAccount!(healthy, checkContext('')).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(ReleaseHallError.isInstance(error) && error.code).toBe('AUTH_INVALID');
    expect(await requests()).toEqual([]);
  });
});

describe('the fake for the check', () => {
  async function token(secret: string, appid: string): Promise<string> {
    const reply = await fetch(`${API}stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid, secret }),
    });
    return ((await reply.json()) as { access_token: string }).access_token;
  }

  async function call(
    endpoint: string,
    init: { method?: string; token?: string; json?: unknown } = {},
  ): Promise<Record<string, unknown>> {
    const query = init.token === undefined ? '' : `?access_token=${init.token}`;
    const reply = await fetch(`${API}${endpoint}${query}`, {
      method: init.method ?? 'GET',
      ...(init.json === undefined
        ? {}
        : { body: JSON.stringify(init.json), headers: { 'content-type': 'application/json' } }),
    });
    return (await reply.json()) as Record<string, unknown>;
  }

  it('serves get_api_domain_ip to GET with a valid token only', async () => {
    const good = await token(HEALTHY.secret, HEALTHY.appid);
    const answer = await call('get_api_domain_ip', { token: good });
    expect(answer.errcode).toBeUndefined();
    expect(Array.isArray(answer.ip_list) && answer.ip_list.length > 0).toBe(true);
    expect((await call('get_api_domain_ip', { method: 'POST', token: good })).errcode).toBe(43001);
    expect((await call('get_api_domain_ip')).errcode).toBe(41001);
    expect((await call('get_api_domain_ip', { token: 'not-a-token' })).errcode).toBe(40014);
    platform.expireTokens(HEALTHY.appid);
    expect((await call('get_api_domain_ip', { token: good })).errcode).toBe(42001);
  });

  it('refuses get_api_domain_ip with 40164 while the account refuses the IP', async () => {
    const good = await token(HEALTHY.secret, HEALTHY.appid);
    platform.setIpRefused(HEALTHY.appid);
    expect((await call('get_api_domain_ip', { token: good })).errcode).toBe(40164);
    platform.setIpRefused(HEALTHY.appid, false);
    expect((await call('get_api_domain_ip', { token: good })).errcode).toBeUndefined();
  });

  it('leaves the content out of batchget items for no_content=1, and keeps it otherwise', async () => {
    await publishArticle(healthy, HEALTHY.secret, '正文');
    const good = await token(HEALTHY.secret, HEALTHY.appid);
    const item = async (noContent: number): Promise<Record<string, unknown>> => {
      const answer = await call('freepublish/batchget', {
        method: 'POST',
        token: good,
        json: { offset: 0, count: 1, no_content: noContent },
      });
      const items = answer.item as { content: { news_item: Record<string, unknown>[] } }[];
      return items[0]?.content.news_item[0] ?? {};
    };
    const bare = await item(1);
    expect(bare.title).toBe('关于正文的通告');
    expect('content' in bare).toBe(false);
    expect(await item(0)).toMatchObject({ content: expect.stringContaining('通告正文') as string });
  });
});
