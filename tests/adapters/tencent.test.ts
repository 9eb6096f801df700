/**
 * The Tencent Weibo adapter against the msw handlers (same protocol description as the sandbox).
 * Every request is captured and checked field by field.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, DeliveryContext, DeliveryDescriptor, PostRef, TextRendition } from '#core';
import { createTencentAdapter, tencentAccountSchema } from '../../adapters/tencent/index.js';
import type { TencentAdapterOptions } from '../../adapters/tencent/index.js';
import { tencentHandlers } from '../../adapters/tencent/fake/msw.js';
import { TencentPlatform } from '../../adapters/tencent/fake/protocol.js';

const API = 'https://open.t.qq.com/api/';
const SITE = 'www.beijing.gov.cn';
const APP_KEY = '801000001';
const CLIENT_IP = '203.0.113.7';
const LEAD_OPENID = 'B624064BA065E01CB73F835017FE96FA';
const MEMBER_OPENID = 'C7E0A1F2B3C4D5E6F708192A3B4C5D6E';
const LEAD_TOKEN = 'LeadTencentTokenForMsw0001';
const MEMBER_TOKEN = 'MemberTencentTokenForMsw02';
const OAUTH_NAMES = [
  'access_token',
  'clientip',
  'format',
  'oauth_consumer_key',
  'oauth_version',
  'openid',
  'scope',
];

const lead: Account = {
  id: 'beijing-fabu/tencent',
  memberId: 'beijing-fabu',
  platform: 'tencent',
  handle: 'beijingfabu',
  credentials: 'tencent-beijing-fabu',
  settings: { openid: LEAD_OPENID },
};
const member: Account = {
  id: 'police/tencent',
  memberId: 'police',
  platform: 'tencent',
  handle: 'pinganbeijing',
  credentials: 'tencent-police',
  settings: { openid: MEMBER_OPENID },
};

const platform = new TencentPlatform();
platform.addAccount({
  openid: LEAD_OPENID,
  name: 'beijingfabu',
  nick: '北京发布',
  accessToken: LEAD_TOKEN,
  appKey: APP_KEY,
});
platform.addAccount({
  openid: MEMBER_OPENID,
  name: 'pinganbeijing',
  nick: '平安北京',
  accessToken: MEMBER_TOKEN,
  appKey: APP_KEY,
});

const server = setupServer(...tencentHandlers(platform));

interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string;
}
let captured: Promise<Captured>[] = [];
let rawReplies: Promise<string>[] = [];
server.events.on('request:start', ({ request }) => {
  const copy = request.clone();
  captured.push(
    copy.text().then((body) => ({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body,
    })),
  );
});
server.events.on('response:mocked', ({ response }) => {
  rawReplies.push(response.clone().text());
});

async function requests(): Promise<Captured[]> {
  return Promise.all(captured);
}

function adapterWith(options: TencentAdapterOptions = {}) {
  return createTencentAdapter({ appKey: APP_KEY, clientIp: CLIENT_IP, ...options });
}

function context(account: Account, overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return {
    signal: new AbortController().signal,
    idempotencyKey: `test:${account.id}`,
    credentials: { access_token: account === lead ? LEAD_TOKEN : MEMBER_TOKEN },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
    ...overrides,
  };
}

function rendition(text: string): TextRendition {
  return { format: 'text', text, length: text.length, topics: [], summarised: false };
}

function notice(label: string): TextRendition {
  return rendition(
    `【北京发布】${label}：今日全市道路通行正常。详见 https://${SITE}/n/${label}.html`,
  );
}

function postDescriptor(text: TextRendition, firstAttemptAt = new Date()): DeliveryDescriptor {
  return { action: 'post', rendition: text, firstAttemptAt, idempotencyKey: 'k' };
}

function relayDescriptor(
  text: TextRendition,
  source: PostRef,
  firstAttemptAt = new Date(),
): DeliveryDescriptor {
  return { action: 'relay', rendition: text, source, firstAttemptAt, idempotencyKey: 'k' };
}

/** The OAuth parameters and format=json every call must carry, for `account`. */
function expectOAuth(params: URLSearchParams, account: Account): void {
  expect(params.get('oauth_consumer_key')).toBe(APP_KEY);
  expect(params.get('access_token')).toBe(account === lead ? LEAD_TOKEN : MEMBER_TOKEN);
  expect(params.get('openid')).toBe(account.settings.openid);
  expect(params.get('clientip')).toBe(CLIENT_IP);
  expect(params.get('oauth_version')).toBe('2.a');
  expect(params.get('scope')).toBe('all');
  expect(params.get('format')).toBe('json');
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

async function publishLead(label: string): Promise<PostRef> {
  const result = await adapterWith().publish(notice(label), lead, context(lead));
  if (result.status !== 'posted') throw new Error('lead not posted');
  return result.ref;
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  captured = [];
  rawReplies = [];
});
afterEach(() => {
  server.resetHandlers();
  platform.reset();
  platform.configure({ rateLimit: undefined, shortenLinks: true, latency: { fixedMs: 0 } });
});
afterAll(() => server.close());

describe('publish', () => {
  it('sends one form POST to t/add with content, every OAuth parameter and format=json in the body', async () => {
    const text = notice('add');
    const result = await adapterWith().publish(text, lead, context(lead));

    const [request, ...more] = await requests();
    expect(more).toHaveLength(0);
    expect(request?.method).toBe('POST');
    expect(request?.url.href).toBe(`${API}t/add`);
    expect(request?.url.search).toBe('');
    expect(request?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.headers.get('authorization')).toBeNull();
    const form = new URLSearchParams(request?.body);
    expect([...form.keys()].sort()).toEqual(['content', ...OAUTH_NAMES].sort());
    expect(form.get('content')).toBe(text.text);
    expectOAuth(form, lead);

    const [post] = platform.postsOf(LEAD_OPENID);
    expect(post).toMatchObject({ endpoint: 't/add', kind: 'original', sentText: text.text });
    expect(platform.requests()[0]).toMatchObject({ oauthFrom: 'body', ret: 0 });
    expect(result).toEqual({
      status: 'posted',
      ref: {
        platform: 'tencent',
        accountId: lead.id,
        id: post?.id,
        url: `http://t.qq.com/p/t/${post?.id}`,
      },
    });
  });

  it('puts the OAuth parameters in the query when asked to, and only content in the body', async () => {
    const text = notice('query');
    const result = await adapterWith({ oauthParamsIn: 'query' }).publish(text, lead, context(lead));
    expect(result.status).toBe('posted');
    const [request] = await requests();
    expect(request?.url.pathname).toBe('/api/t/add');
    expect([...(request?.url.searchParams.keys() ?? [])].sort()).toEqual(OAUTH_NAMES);
    expectOAuth(request?.url.searchParams ?? new URLSearchParams(), lead);
    expect([...new URLSearchParams(request?.body).keys()]).toEqual(['content']);
    expect(platform.requests()[0]?.oauthFrom).toBe('query');
  });

  it('keeps tweet ids above 2^53 as strings, digit for digit', async () => {
    const result = await adapterWith().publish(notice('big-id'), lead, context(lead));
    const id = platform.postsOf(LEAD_OPENID)[0]?.id ?? '';
    expect(BigInt(id) > 2n ** 53n).toBe(true);
    expect(String(Number(id))).not.toBe(id);
    const [raw] = await Promise.all(rawReplies);
    expect(raw).toMatch(
      new RegExp(`^\\{"data":\\{"id":"${id}","time":\\d+\\},"errcode":0,"msg":"ok","ret":0\\}$`),
    );
    expect(result.status === 'posted' && result.ref.id).toBe(id);
  });

  it('keeps every digit of an id a gateway sends as a bare JSON number', async () => {
    server.use(
      http.post(`${API}t/add`, () =>
        HttpResponse.text(
          '{"data":{"id":9300000000000000123,"time":1764120600},"errcode":0,"msg":"ok","ret":0}',
          { headers: { 'content-type': 'application/json' } },
        ),
      ),
    );
    const result = await adapterWith().publish(notice('raw-id'), lead, context(lead));
    expect(result.status === 'posted' && result.ref.id).toBe('9300000000000000123');
  });

  it('gets ret=4 errcode=13 for the same text twice, as DUPLICATE_CONTENT', async () => {
    const adapter = adapterWith();
    await adapter.publish(notice('twice'), lead, context(lead));
    const error = await failure(adapter.publish(notice('twice'), lead, context(lead)));
    expect(error).toMatchObject({
      code: 'DUPLICATE_CONTENT',
      platformCode: 'ret=4 errcode=13',
      retryable: false,
    });
    expect(platform.livePostsOf(LEAD_OPENID)).toHaveLength(1);
  });

  it('treats an HTML page with status 200 on a write as AMBIGUOUS', async () => {
    platform.injectFault({ kind: 'html-200' });
    const error = await failure(adapterWith().publish(notice('html'), lead, context(lead)));
    expect(error.code).toBe('AMBIGUOUS');
    expect(error.message).toContain('HTML');
    expect(platform.postsOf(LEAD_OPENID)).toHaveLength(0);
  });

  it('treats a truncated JSON reply as AMBIGUOUS; the tweet is there', async () => {
    platform.injectFault({ kind: 'truncated-after-apply' });
    const error = await failure(adapterWith().publish(notice('truncated'), lead, context(lead)));
    expect(error.code).toBe('AMBIGUOUS');
    expect(error.message).toContain('not JSON');
    expect(platform.livePostsOf(LEAD_OPENID)).toHaveLength(1);
  });

  it('treats 5xx, a dropped connection and a body without ret on a write as AMBIGUOUS', async () => {
    platform.injectFault({ kind: '5xx-before-apply', status: 502 });
    expect((await failure(adapterWith().publish(notice('5xx'), lead, context(lead)))).code).toBe(
      'AMBIGUOUS',
    );
    platform.injectFault({ kind: 'error-before-apply', status: 500, ret: 4, errcode: 13 });
    expect((await failure(adapterWith().publish(notice('5xx'), lead, context(lead)))).code).toBe(
      'AMBIGUOUS',
    );
    expect(platform.postsOf(LEAD_OPENID)).toHaveLength(0);

    platform.injectFault({ kind: 'drop-after-apply' });
    expect((await failure(adapterWith().publish(notice('drop'), lead, context(lead)))).code).toBe(
      'AMBIGUOUS',
    );
    expect(platform.livePostsOf(LEAD_OPENID)).toHaveLength(1);

    server.use(http.post(`${API}t/add`, () => HttpResponse.json({ data: { id: '1' } })));
    const noRet = await failure(adapterWith().publish(notice('no-ret'), lead, context(lead)));
    expect(noRet.code).toBe('AMBIGUOUS');
    expect(noRet.message).toContain('no "ret"');
  });

  it('treats a success without data.id as AMBIGUOUS', async () => {
    server.use(
      http.post(`${API}t/add`, () =>
        HttpResponse.json({ data: null, errcode: 0, msg: 'ok', ret: 0 }),
      ),
    );
    const error = await failure(adapterWith().publish(notice('no-id'), lead, context(lead)));
    expect(error.code).toBe('AMBIGUOUS');
    expect(error.message).toContain('without data.id');
  });

  it('lets the platform refuse more than 420 bytes (errcode 8) and counts URLs as 11 bytes', async () => {
    const adapter = adapterWith();
    const fits = rendition(`${'通'.repeat(136)} https://${SITE}/${'x'.repeat(200)}.html`);
    expect(adapter.limits.text.count(fits.text)).toBe(420);
    expect((await adapter.publish(fits, lead, context(lead))).status).toBe('posted');
    const tooLong = rendition('知'.repeat(141));
    const error = await failure(adapter.publish(tooLong, lead, context(lead)));
    expect(error).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: 'ret=4 errcode=8' });
  });

  it('posts #topics#, which Tencent allows', async () => {
    const result = await adapterWith().publish(
      rendition('#北京发布# 今日全市道路通行正常'),
      lead,
      context(lead),
    );
    expect(result.status).toBe('posted');
  });

  it('reports an expired token as AUTH_EXPIRED in the house form, without the token', async () => {
    platform.expireToken(LEAD_TOKEN);
    const error = await failure(adapterWith().publish(notice('expired'), lead, context(lead)));
    expect(error.code).toBe('AUTH_EXPIRED');
    expect(error.message).toBe(
      '[release-hall] [tencent] t/add failed (ret=3 errcode=4): the access token of account "beijing-fabu/tencent" has expired; refresh or re-authorise it',
    );
    const everything = JSON.stringify(error) + String(error.stack);
    expect(everything).not.toContain(LEAD_TOKEN);
    expect(everything).not.toContain(APP_KEY);
  });

  it('reports an unknown token (errcode 3) as AUTH_EXPIRED and a wrong app key as AUTH_INVALID', async () => {
    const unknown = await failure(
      adapterWith().publish(
        notice('unknown'),
        lead,
        context(lead, { credentials: { access_token: 'NoSuchTokenAtAll' } }),
      ),
    );
    expect(unknown).toMatchObject({ code: 'AUTH_EXPIRED', platformCode: 'ret=3 errcode=3' });
    const wrongApp = await failure(
      adapterWith({ appKey: '801999999' }).publish(notice('app'), lead, context(lead)),
    );
    expect(wrongApp).toMatchObject({ code: 'AUTH_INVALID', platformCode: 'ret=3 errcode=1' });
  });

  it('reports a rate limit (errcode 10 or ret=2) as RATE_LIMITED with the configured wait', async () => {
    platform.configure({ rateLimit: { posts: 1, windowMs: 3_600_000 } });
    const adapter = adapterWith({ rateLimitRetryAfterMs: 1_234 });
    await adapter.publish(notice('rate-1'), lead, context(lead));
    const error = await failure(adapter.publish(notice('rate-2'), lead, context(lead)));
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      platformCode: 'ret=4 errcode=10',
      retryAfterMs: 1_234,
      retryable: true,
    });
    platform.configure({ rateLimit: { posts: 1, windowMs: 3_600_000, reply: 'ret-2' } });
    const second = await failure(adapter.publish(notice('rate-3'), lead, context(lead)));
    expect(second).toMatchObject({ code: 'RATE_LIMITED', platformCode: 'ret=2 errcode=0' });
    platform.advanceClock(3_600_001);
    expect((await adapter.publish(notice('rate-4'), lead, context(lead))).status).toBe('posted');
  });

  it('refuses to write without appKey, clientIp or openid, before sending anything', async () => {
    const bare = createTencentAdapter();
    const error = await failure(bare.publish(notice('no-settings'), lead, context(lead)));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'platforms.tencent.settings.appKey',
      'platforms.tencent.settings.clientIp',
    ]);
    const noOpenid: Account = { ...lead, settings: {} };
    const missing = await failure(adapterWith().publish(notice('x'), noOpenid, context(lead)));
    expect(missing.issues[0]?.path).toBe('members.beijing-fabu.accounts.tencent.openid');
    const noToken = await failure(
      adapterWith().publish(notice('x'), lead, context(lead, { credentials: {} })),
    );
    expect(noToken.code).toBe('AUTH_INVALID');
    expect(await requests()).toHaveLength(0);
  });

  it('refuses an article rendition', async () => {
    const error = await failure(
      adapterWith().publish(
        {
          format: 'article',
          title: 't',
          digest: 'd',
          html: '<p>x</p>',
          sourceUrl: `https://${SITE}/`,
        },
        lead,
        context(lead),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(await requests()).toHaveLength(0);
  });

  it('stops with ABORTED when the run is aborted', async () => {
    platform.configure({ latency: { fixedMs: 150 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await failure(
      adapterWith().publish(notice('abort'), lead, context(lead, { signal: controller.signal })),
    );
    expect(error.code).toBe('ABORTED');
  });
});

describe('relay', () => {
  it("sends t/re_add with the lead's id as reid, the comment and every OAuth parameter", async () => {
    const source = await publishLead('lead');
    captured = [];
    const comment = rendition('【平安北京】转播：请市民知悉。');
    const result = await adapterWith().relay(source, comment, member, context(member));

    const [request, ...more] = await requests();
    expect(more).toHaveLength(0);
    expect(request?.method).toBe('POST');
    expect(request?.url.href).toBe(`${API}t/re_add`);
    expect(request?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request?.body);
    expect([...form.keys()].sort()).toEqual(['content', 'reid', ...OAUTH_NAMES].sort());
    expect(form.get('reid')).toBe(source.id);
    expect(form.get('content')).toBe(comment.text);
    expectOAuth(form, member);

    const [post] = platform.postsOf(MEMBER_OPENID);
    expect(post).toMatchObject({ kind: 'relay', sourceId: source.id, endpoint: 't/re_add' });
    expect(result).toMatchObject({ status: 'posted', ref: { id: post?.id, accountId: member.id } });
  });

  it('maps a missing (6), deleted (11) or reviewed (12) source to CONTENT_REJECTED', async () => {
    const adapter = adapterWith();
    const missing = await failure(
      adapter.relay(
        { platform: 'tencent', accountId: lead.id, id: '12345' },
        rendition('转播'),
        member,
        context(member),
      ),
    );
    expect(missing).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: 'ret=4 errcode=6' });

    const reviewed = await publishLead('review');
    platform.setUnderReview(reviewed.id);
    const held = await failure(adapter.relay(reviewed, rendition('转播'), member, context(member)));
    expect(held).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: 'ret=4 errcode=12' });

    const gone = await publishLead('gone');
    await adapter.retract(gone, lead, context(lead));
    const deleted = await failure(adapter.relay(gone, rendition('转播'), member, context(member)));
    expect(deleted).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: 'ret=4 errcode=11' });
  });
});

describe('retract', () => {
  it('sends t/del with the id, then reports already-gone on ret=4 errcode=6', async () => {
    const adapter = adapterWith();
    const source = await publishLead('retract');
    captured = [];
    expect(await adapter.retract(source, lead, context(lead))).toEqual({ status: 'removed' });
    const [request] = await requests();
    expect(request?.method).toBe('POST');
    expect(request?.url.href).toBe(`${API}t/del`);
    const form = new URLSearchParams(request?.body);
    expect([...form.keys()].sort()).toEqual(['id', ...OAUTH_NAMES].sort());
    expect(form.get('id')).toBe(source.id);
    expectOAuth(form, lead);
    expect(platform.postsOf(LEAD_OPENID)[0]?.deleted).toBe(true);
    expect(await adapter.retract(source, lead, context(lead))).toEqual({ status: 'already-gone' });
  });

  it("refuses another account's tweet as INVALID_INPUT", async () => {
    const source = await publishLead('not-own');
    const error = await failure(adapterWith().retract(source, member, context(member)));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', platformCode: 'ret=1 errcode=0' });
    expect(platform.livePostsOf(LEAD_OPENID)).toHaveLength(1);
  });
});

describe('findExisting', () => {
  it('reads the broadcast timeline with every parameter in the query and finds a tweet whose URLs were shortened', async () => {
    const adapter = adapterWith();
    const text = notice('short-link');
    const firstAttemptAt = new Date();
    platform.injectFault({ kind: 'drop-after-apply' });
    expect((await failure(adapter.publish(text, lead, context(lead)))).code).toBe('AMBIGUOUS');
    const [stored] = platform.postsOf(LEAD_OPENID);
    expect(stored?.text).toContain('http://url.cn/');
    captured = [];

    const found = await adapter.findExisting(
      postDescriptor(text, firstAttemptAt),
      lead,
      context(lead),
    );
    expect(found).toEqual({
      status: 'found',
      ref: {
        platform: 'tencent',
        accountId: lead.id,
        id: stored?.id,
        url: `http://t.qq.com/p/t/${stored?.id}`,
      },
    });
    const [request, ...more] = await requests();
    expect(more).toHaveLength(0);
    expect(request?.method).toBe('GET');
    expect(request?.url.pathname).toBe('/api/statuses/broadcast_timeline');
    const query = request?.url.searchParams ?? new URLSearchParams();
    expect([...query.keys()].sort()).toEqual(
      [...OAUTH_NAMES, 'pageflag', 'pagetime', 'reqnum', 'lastid', 'type', 'contenttype'].sort(),
    );
    expectOAuth(query, lead);
    expect(
      Object.fromEntries(
        ['pageflag', 'pagetime', 'reqnum', 'lastid', 'type', 'contenttype'].map((name) => [
          name,
          query.get(name),
        ]),
      ),
    ).toEqual({
      pageflag: '0',
      pagetime: '0',
      reqnum: '50',
      lastid: '0',
      type: '0',
      contenttype: '0',
    });
  });

  it('ignores tweets made before the first attempt (less the skew)', async () => {
    const text = notice('old');
    await adapterWith().publish(text, lead, context(lead));
    const later = new Date(Date.now() + 10 * 60_000);
    expect(
      await adapterWith().findExisting(postDescriptor(text, later), lead, context(lead)),
    ).toEqual({
      status: 'not-found',
    });
  });

  it('does not take a relay for an original, nor an original with other text', async () => {
    const adapter = adapterWith();
    const source = await publishLead('src');
    const comment = notice('src');
    await adapter.relay(source, comment, member, context(member));
    expect(await adapter.findExisting(postDescriptor(comment), member, context(member))).toEqual({
      status: 'not-found',
    });
    expect(
      await adapter.findExisting(postDescriptor(notice('other')), lead, context(lead)),
    ).toEqual({
      status: 'not-found',
    });
  });

  it('finds a relay by the id of its source, not one of another source', async () => {
    const adapter = adapterWith();
    const first = await publishLead('a');
    const second = await publishLead('b');
    const comment = rendition('请知悉');
    const firstAttemptAt = new Date();
    const relayed = await adapter.relay(first, comment, member, context(member));
    if (relayed.status !== 'posted') throw new Error('not relayed');
    expect(
      await adapter.findExisting(
        relayDescriptor(comment, first, firstAttemptAt),
        member,
        context(member),
      ),
    ).toMatchObject({ status: 'found', ref: { id: relayed.ref.id } });
    expect(
      await adapter.findExisting(
        relayDescriptor(comment, second, firstAttemptAt),
        member,
        context(member),
      ),
    ).toEqual({ status: 'not-found' });
  });

  it('pages down with pageflag=1, pagetime and lastid until it passes the first attempt', async () => {
    const adapter = adapterWith({ timelineCount: 2 });
    const text = notice('deep');
    const firstAttemptAt = new Date();
    await adapter.publish(text, lead, context(lead));
    for (const label of ['n1', 'n2', 'n3', 'n4'])
      await adapter.publish(notice(label), lead, context(lead));
    const posts = platform.postsOf(LEAD_OPENID);
    const ids = posts.map((post) => post.id);
    const seconds = (index: number): string =>
      String(Math.floor((posts[index]?.createdAt.getTime() ?? 0) / 1000));
    captured = [];
    const found = await adapter.findExisting(
      postDescriptor(text, firstAttemptAt),
      lead,
      context(lead),
    );
    expect(found).toMatchObject({ status: 'found', ref: { id: ids[0] } });
    const pages = (await requests()).map((request) => ({
      pageflag: request.url.searchParams.get('pageflag'),
      pagetime: request.url.searchParams.get('pagetime'),
      lastid: request.url.searchParams.get('lastid'),
    }));
    // Newest first: page 1 holds n4, n3; page 2 n2, n1; page 3 the one sought.
    expect(pages).toEqual([
      { pageflag: '0', pagetime: '0', lastid: '0' },
      { pageflag: '1', pagetime: seconds(3), lastid: ids[3] },
      { pageflag: '1', pagetime: seconds(1), lastid: ids[1] },
    ]);
  });

  it('reads an empty timeline (data: null) as not-found', async () => {
    expect(
      await adapterWith().findExisting(postDescriptor(notice('none')), lead, context(lead)),
    ).toEqual({
      status: 'not-found',
    });
  });

  it('matches the HTML text of a gateway that sends no origtext, numeric ids, and skips deleted tweets (status 3)', async () => {
    const text = rendition('通知：A&B <公告> 详见 https://www.beijing.gov.cn/n/1.html');
    const now = Math.floor(Date.now() / 1000);
    server.use(
      http.get(`${API}statuses/broadcast_timeline`, () =>
        HttpResponse.text(
          JSON.stringify({
            data: {
              hasnext: 1,
              info: [
                {
                  id: 'ID_PLACEHOLDER',
                  text: '&#36890;知：A&amp;B &lt;公告&gt; 详见 <a href="http://url.cn/2xYz" target="_blank">http://url.cn/2xYz</a>',
                  timestamp: now,
                  type: 1,
                  status: 0,
                  source: null,
                },
                // Older, with the same text, but deleted by its author: not the one.
                {
                  id: '9300000000000000700',
                  origtext: '通知：A&B <公告> 详见 https://www.beijing.gov.cn/n/1.html',
                  timestamp: now,
                  type: 1,
                  status: 3,
                  source: null,
                },
              ],
            },
            errcode: 0,
            msg: 'ok',
            ret: 0,
          }).replace('"ID_PLACEHOLDER"', '9300000000000000777'),
        ),
      ),
    );
    expect(
      await adapterWith().findExisting(postDescriptor(text), lead, context(lead)),
    ).toMatchObject({
      status: 'found',
      ref: { id: '9300000000000000777' },
    });
  });

  it('finds a relay that shows a chain after ||@ [unconfirmed form]', async () => {
    const source: PostRef = { platform: 'tencent', accountId: lead.id, id: '9300000000000000500' };
    server.use(
      http.get(`${API}statuses/broadcast_timeline`, () =>
        HttpResponse.json({
          data: {
            hasnext: 3,
            info: [
              {
                id: '9300000000000000501',
                origtext: '请知悉||@beijingfabu: 原文',
                timestamp: Math.floor(Date.now() / 1000),
                type: 2,
                status: 0,
                source: { id: source.id, origtext: '原文', type: 1, status: 0 },
              },
            ],
          },
          errcode: 0,
          msg: 'ok',
          ret: 0,
        }),
      ),
    );
    const found = await adapterWith().findExisting(
      relayDescriptor(rendition('请知悉'), source),
      member,
      context(member),
    );
    expect(found).toMatchObject({ status: 'found', ref: { id: '9300000000000000501' } });
  });

  it('keeps a tweet under review (status 2): it was posted', async () => {
    const text = notice('review');
    const ref = await publishLead('review');
    platform.setUnderReview(ref.id);
    expect(
      await adapterWith().findExisting(postDescriptor(text), lead, context(lead)),
    ).toMatchObject({
      status: 'found',
    });
  });

  it('answers unknown when the timeline cannot be read, without the token in the reason', async () => {
    const adapter = adapterWith();
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'statuses/broadcast_timeline' });
    const failed = await adapter.findExisting(postDescriptor(notice('x')), lead, context(lead));
    expect(failed.status).toBe('unknown');
    platform.injectFault({ kind: 'html-200', endpoint: 'statuses/broadcast_timeline' });
    const html = await adapter.findExisting(postDescriptor(notice('x')), lead, context(lead));
    expect(html.status).toBe('unknown');
    platform.injectFault({ kind: 'token-expired', endpoint: 'statuses/broadcast_timeline' });
    const expired = await adapter.findExisting(postDescriptor(notice('x')), lead, context(lead));
    expect(expired.status).toBe('unknown');
    server.use(
      http.get(`${API}statuses/broadcast_timeline`, () =>
        HttpResponse.json({ data: { info: 'nope' }, errcode: 0, msg: 'ok', ret: 0 }),
      ),
    );
    const odd = await adapter.findExisting(postDescriptor(notice('x')), lead, context(lead));
    expect(odd).toMatchObject({
      status: 'unknown',
      reason: expect.stringContaining('data.info') as string,
    });
    const all = JSON.stringify([failed, html, expired, odd]);
    expect(all).not.toContain(LEAD_TOKEN);
    expect(all).not.toContain(APP_KEY);
  });

  it('answers unknown without clientIp, sending nothing', async () => {
    const found = await createTencentAdapter({ appKey: APP_KEY }).findExisting(
      postDescriptor(notice('x')),
      lead,
      context(lead),
    );
    expect(found).toMatchObject({
      status: 'unknown',
      reason: expect.stringContaining('clientIp') as string,
    });
    expect(await requests()).toHaveLength(0);
  });
});

describe('account schema, options and limits', () => {
  it('requires openid as letters and digits and refuses unknown fields (a misspelling is not ignored)', () => {
    expect(tencentAccountSchema.parse({ openid: LEAD_OPENID })).toEqual({ openid: LEAD_OPENID });
    expect(tencentAccountSchema.safeParse({ openid: LEAD_OPENID, opneid: 'x' }).success).toBe(
      false,
    );
    const bad = tencentAccountSchema.safeParse({ openid: 'B624-064B' });
    expect(bad.error?.issues[0]).toMatchObject({
      path: ['openid'],
      message:
        'expected the openid as letters and digits (usually 32 hex characters), got "B624-064B"',
    });
    const number = tencentAccountSchema.safeParse({ openid: 1230000 });
    expect(number.error?.issues[0]?.message).toBe(
      'expected the openid as quoted text (letters and digits), got 1230000',
    );
    const none = tencentAccountSchema.safeParse({});
    expect(none.error?.issues[0]?.message).toContain('expected the openid of the account');
  });

  it('refuses wrong options with INVALID_INPUT naming the field', () => {
    let error: unknown;
    try {
      createTencentAdapter({
        clientIp: '192.168.1.20',
        appKey: 'app key!',
        oauthParamsIn: 'header' as 'body',
        timelineCount: 500,
      });
    } catch (caught) {
      error = caught;
    }
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    const issues = (error as ReleaseHallError).issues;
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'appKey',
      'clientIp',
      'oauthParamsIn',
      'timelineCount',
    ]);
    expect(issues.find((issue) => issue.path === 'clientIp')?.message).toBe(
      'expected the public IPv4 address of the publisher (Tencent refuses LAN, 127.x and 255.x), got "192.168.1.20": a LAN address (192.168.x)',
    );
  });

  it('takes a numeric app key (unquoted in a hall file) as its digits', async () => {
    const adapter = createTencentAdapter({ appKey: 801000001, clientIp: CLIENT_IP });
    expect((await adapter.publish(notice('numeric-key'), lead, context(lead))).status).toBe(
      'posted',
    );
    const [request] = await requests();
    expect(new URLSearchParams(request?.body).get('oauth_consumer_key')).toBe(APP_KEY);
  });

  it('declares the tencent-420 profile, default rates with overrides, relay support and post URLs', () => {
    const adapter = createTencentAdapter({ limits: { postsPerWindow: 10 } });
    expect(adapter.platform).toBe('tencent');
    expect(adapter.specificationVersion).toBe('v1');
    expect(adapter.credentialFields).toEqual(['access_token']);
    expect(adapter.limits.supportsRelay).toBe(true);
    expect(adapter.limits.text).toMatchObject({
      name: 'tencent-420',
      maxLength: 420,
      requiresSafeDomainLink: false,
      allowsTopics: true,
    });
    expect(
      adapter.limits.text.count('北京发布 http://www.beijing.gov.cn/a/very/long/path.html'),
    ).toBe(13 + 11);
    expect(adapter.limits.rate).toEqual({
      platformConcurrency: 1_000,
      postsPerWindow: 10,
      windowMs: 3_600_000,
      requestTimeoutMs: 15_000,
    });
    expect(adapter.postUrl?.({ id: '9300000000000000001' }, lead)).toBe(
      'http://t.qq.com/p/t/9300000000000000001',
    );
  });
});
