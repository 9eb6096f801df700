/**
 * The Weibo adapter against the msw handlers (same protocol description as the sandbox).
 * Every request is captured and checked field by field.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, DeliveryContext, DeliveryDescriptor, TextRendition } from '#core';
import { createWeiboAdapter, weiboAccountSchema } from '../../adapters/weibo/index.js';
import type { WeiboAdapterOptions } from '../../adapters/weibo/index.js';
import { weiboHandlers } from '../../adapters/weibo/fake/msw.js';
import { WeiboPlatform } from '../../adapters/weibo/fake/protocol.js';

const API = 'https://api.weibo.com/2/';
const SITE = 'www.beijing.gov.cn';
const RIP = '203.0.113.7';
const LEAD_TOKEN = '2.00LeadTokenForMswTests0001';
const MEMBER_TOKEN = '2.00MemberTokenForMswTests02';

const lead: Account = {
  id: 'beijing-fabu/weibo',
  memberId: 'beijing-fabu',
  platform: 'weibo',
  handle: '北京发布',
  credentials: 'weibo-beijing-fabu',
  settings: { uid: '2418724427' },
};
const member: Account = {
  id: 'police/weibo',
  memberId: 'police',
  platform: 'weibo',
  handle: '平安北京',
  credentials: 'weibo-police',
  settings: { uid: '7132135868' },
};

const platform = new WeiboPlatform({ safeDomain: SITE });
platform.addAccount({ uid: '2418724427', screenName: '北京发布', accessToken: LEAD_TOKEN });
platform.addAccount({ uid: '7132135868', screenName: '平安北京', accessToken: MEMBER_TOKEN });

const server = setupServer(...weiboHandlers(platform));

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

function adapterWith(options: WeiboAdapterOptions = {}) {
  return createWeiboAdapter({ rip: RIP, ...options });
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

async function failure(work: Promise<unknown>): Promise<ReleaseHallError> {
  try {
    await work;
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  captured = [];
  rawReplies = [];
});
afterEach(() => {
  server.resetHandlers();
  platform.reset();
  platform.configure({ rateLimit: undefined, shortenLinks: false, latency: { fixedMs: 0 } });
});
afterAll(() => server.close());

describe('publish (share mode)', () => {
  it('sends one form POST to statuses/share.json with access_token, status and rip in the body', async () => {
    const text = notice('share');
    const result = await adapterWith().publish(text, lead, context(lead));

    const [request, ...more] = await requests();
    expect(more).toHaveLength(0);
    expect(request?.method).toBe('POST');
    expect(request?.url.href).toBe(`${API}statuses/share.json`);
    expect(request?.url.search).toBe('');
    expect(request?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.headers.get('authorization')).toBeNull();
    const form = new URLSearchParams(request?.body);
    expect([...form.keys()].sort()).toEqual(['access_token', 'rip', 'status']);
    expect(form.get('access_token')).toBe(LEAD_TOKEN);
    expect(form.get('status')).toBe(text.text);
    expect(form.get('rip')).toBe(RIP);

    const [post] = platform.postsOf('2418724427');
    expect(post?.endpoint).toBe('statuses/share');
    expect(result).toEqual({
      status: 'posted',
      ref: {
        platform: 'weibo',
        accountId: lead.id,
        id: post?.id,
        url: `https://weibo.com/2418724427/${post?.id}`,
      },
    });
  });

  it('keeps status ids above 2^53 digit for digit', async () => {
    const result = await adapterWith().publish(notice('big-id'), lead, context(lead));
    const id = platform.postsOf('2418724427')[0]?.id ?? '';
    expect(BigInt(id) > 2n ** 53n).toBe(true);
    const [raw] = await Promise.all(rawReplies);
    // The reply carries `id` as a bare JSON number, which a JS number cannot hold exactly.
    expect(raw).toContain(`"id":${id},`);
    const parsed = JSON.parse(raw ?? '{}') as { id: number };
    expect(String(parsed.id)).not.toBe(id);
    expect(result.status === 'posted' && result.ref.id).toBe(id);
  });

  it('reads the id from the raw text when a reply has neither idstr nor mid', async () => {
    server.use(
      http.post(`${API}statuses/share.json`, () =>
        HttpResponse.text(
          '{"created_at":"Wed Oct 24 23:49:17 +0800 2012","id":4900000000000000123,"text":"x"}',
          {
            headers: { 'content-type': 'application/json' },
          },
        ),
      ),
    );
    const result = await adapterWith().publish(notice('raw-id'), lead, context(lead));
    expect(result.status === 'posted' && result.ref.id).toBe('4900000000000000123');
  });

  it.each([20019, 20017, 20111])('maps %i to DUPLICATE_CONTENT', async (code) => {
    platform.injectFault({ kind: 'error-before-apply', errorCode: code, errorText: 'repeated' });
    const error = await failure(adapterWith().publish(notice(`dup-${code}`), lead, context(lead)));
    expect(error.code).toBe('DUPLICATE_CONTENT');
    expect(error.platformCode).toBe(String(code));
  });

  it('gets 20019 for the same text twice in a row, as DUPLICATE_CONTENT', async () => {
    const adapter = adapterWith();
    await adapter.publish(notice('twice'), lead, context(lead));
    const error = await failure(adapter.publish(notice('twice'), lead, context(lead)));
    expect(error).toMatchObject({ code: 'DUPLICATE_CONTENT', platformCode: '20019' });
    expect(platform.livePostsOf('2418724427')).toHaveLength(1);
  });

  it('treats 20032 as accepted; findExisting finds the post once Weibo shows it', async () => {
    const adapter = adapterWith();
    const text = notice('slow');
    const firstAttemptAt = new Date();
    platform.injectFault({ kind: 'delayed-20032', visibleAfterMs: 90_000 });
    const result = await adapter.publish(text, lead, context(lead));
    expect(result).toMatchObject({ status: 'accepted' });
    expect(platform.postsOf('2418724427')).toHaveLength(1);
    expect(
      await adapter.findExisting(postDescriptor(text, firstAttemptAt), lead, context(lead)),
    ).toEqual({
      status: 'not-found',
    });
    platform.advanceClock(90_000);
    const found = await adapter.findExisting(
      postDescriptor(text, firstAttemptAt),
      lead,
      context(lead),
    );
    expect(found).toMatchObject({
      status: 'found',
      ref: { id: platform.postsOf('2418724427')[0]?.id },
    });
  });

  it('treats an HTML page with status 200 on a write as AMBIGUOUS', async () => {
    platform.injectFault({ kind: 'html-200' });
    const error = await failure(adapterWith().publish(notice('html'), lead, context(lead)));
    expect(error.code).toBe('AMBIGUOUS');
    expect(error.message).toContain('HTML');
    // The page came from in front of Weibo: nothing was stored, and findExisting says so.
    expect(platform.postsOf('2418724427')).toHaveLength(0);
  });

  it('treats a truncated JSON reply as AMBIGUOUS; the post is there', async () => {
    platform.injectFault({ kind: 'truncated-after-apply' });
    const text = notice('truncated');
    const error = await failure(adapterWith().publish(text, lead, context(lead)));
    expect(error.code).toBe('AMBIGUOUS');
    expect(platform.livePostsOf('2418724427')).toHaveLength(1);
  });

  it('treats 5xx on a write as AMBIGUOUS, with an HTML or a JSON body', async () => {
    platform.injectFault({ kind: '5xx-before-apply', status: 502 });
    expect((await failure(adapterWith().publish(notice('5xx'), lead, context(lead)))).code).toBe(
      'AMBIGUOUS',
    );
    platform.injectFault({ kind: 'error-before-apply', status: 500, errorCode: 10001 });
    expect((await failure(adapterWith().publish(notice('5xx'), lead, context(lead)))).code).toBe(
      'AMBIGUOUS',
    );
    platform.injectFault({ kind: 'error-before-apply', status: 503, errorCode: 29999 });
    expect((await failure(adapterWith().publish(notice('5xx'), lead, context(lead)))).code).toBe(
      'AMBIGUOUS',
    );
    expect(platform.postsOf('2418724427')).toHaveLength(0);
  });

  it('treats a dropped connection after the apply as AMBIGUOUS', async () => {
    platform.injectFault({ kind: 'drop-after-apply' });
    const error = await failure(adapterWith().publish(notice('drop'), lead, context(lead)));
    expect(error.code).toBe('AMBIGUOUS');
    expect(platform.livePostsOf('2418724427')).toHaveLength(1);
  });

  it('refuses a topic in share mode (the platform rejects it)', async () => {
    const error = await failure(
      adapterWith().publish(rendition(`#北京# 通知 https://${SITE}/n/1.html`), lead, context(lead)),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.platformCode).toBe('10017');
  });

  it('reports an expired token as AUTH_EXPIRED in the house form, without the token', async () => {
    platform.expireToken(LEAD_TOKEN);
    const error = await failure(adapterWith().publish(notice('expired'), lead, context(lead)));
    expect(error.code).toBe('AUTH_EXPIRED');
    expect(error.message).toBe(
      '[release-hall] [weibo] statuses/share failed (21327 expired_token): the access token of account "beijing-fabu/weibo" has expired; re-authorise it',
    );
    expect(JSON.stringify(error) + String(error.stack)).not.toContain(LEAD_TOKEN);
  });

  it('reports a rate limit as RATE_LIMITED with Retry-After, or the configured wait', async () => {
    platform.configure({ rateLimit: { posts: 1, windowMs: 3_600_000, retryAfterSeconds: 7 } });
    const adapter = adapterWith({ rateLimitRetryAfterMs: 1_234 });
    await adapter.publish(notice('rate-1'), lead, context(lead));
    const error = await failure(adapter.publish(notice('rate-2'), lead, context(lead)));
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      platformCode: '20016',
      retryAfterMs: 7_000,
    });

    platform.configure({ rateLimit: { posts: 1, windowMs: 3_600_000, errorCode: 10023 } });
    const second = await failure(adapter.publish(notice('rate-3'), lead, context(lead)));
    expect(second).toMatchObject({
      code: 'RATE_LIMITED',
      platformCode: '10023',
      retryAfterMs: 1_234,
    });
  });

  it('refuses to write without rip, before sending anything', async () => {
    const adapter = createWeiboAdapter();
    const error = await failure(adapter.publish(notice('no-rip'), lead, context(lead)));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues[0]?.path).toBe('platforms.weibo.settings.rip');
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

describe('publish (update mode)', () => {
  it('declares topics allowed and no safe-domain link needed', () => {
    const { text } = adapterWith({ mode: 'update' }).limits;
    expect(text).toMatchObject({
      name: 'weibo-140',
      maxLength: 140,
      allowsTopics: true,
      requiresSafeDomainLink: false,
    });
  });

  it('posts a text with topics and no link to statuses/update.json', async () => {
    const text = rendition('#北京发布# 今日全市道路通行正常');
    const result = await adapterWith({ mode: 'update' }).publish(text, lead, context(lead));
    expect(result.status).toBe('posted');
    const [request] = await requests();
    expect(request?.url.href).toBe(`${API}statuses/update.json`);
    const form = new URLSearchParams(request?.body);
    expect([...form.keys()].sort()).toEqual(['access_token', 'rip', 'status']);
    expect(platform.postsOf('2418724427')[0]).toMatchObject({
      endpoint: 'statuses/update',
      sentText: text.text,
    });
  });

  it('sends is_longtext=1 for a text over 140', async () => {
    const text = rendition(`#长文# ${'通知内容。'.repeat(40)}`);
    expect(adapterWith().limits.text.count(text.text)).toBeGreaterThan(140);
    const result = await adapterWith({ mode: 'update' }).publish(text, lead, context(lead));
    expect(result.status).toBe('posted');
    const [request] = await requests();
    expect(new URLSearchParams(request?.body).get('is_longtext')).toBe('1');
    // Reads show long text cut [unconfirmed]; findExisting still recognises it.
    const found = await adapterWith({ mode: 'update' }).findExisting(
      postDescriptor(text),
      lead,
      context(lead),
    );
    expect(found.status).toBe('found');
  });
});

describe('relay', () => {
  it("sends statuses/repost.json with the lead's id, the comment, is_comment=0 and rip", async () => {
    const adapter = adapterWith();
    const source = await adapter.publish(notice('lead'), lead, context(lead));
    if (source.status !== 'posted') throw new Error('lead not posted');
    captured = [];
    const comment = rendition('【平安北京】转发：请市民知悉。');
    const result = await adapter.relay(source.ref, comment, member, context(member));

    const [request] = await requests();
    expect(request?.method).toBe('POST');
    expect(request?.url.href).toBe(`${API}statuses/repost.json`);
    expect(request?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request?.body);
    expect([...form.keys()].sort()).toEqual(['access_token', 'id', 'is_comment', 'rip', 'status']);
    expect(form.get('id')).toBe(source.ref.id);
    expect(form.get('status')).toBe(comment.text);
    expect(form.get('is_comment')).toBe('0');
    expect(form.get('access_token')).toBe(MEMBER_TOKEN);

    const [post] = platform.postsOf('7132135868');
    expect(post).toMatchObject({ kind: 'repost', sourceId: source.ref.id });
    expect(result).toMatchObject({ status: 'posted', ref: { id: post?.id, accountId: member.id } });
  });

  it('maps 20101 (source gone) to CONTENT_REJECTED and 20103 (own status) to INVALID_INPUT', async () => {
    const adapter = adapterWith();
    const source = await adapter.publish(notice('gone'), lead, context(lead));
    if (source.status !== 'posted') throw new Error('lead not posted');
    const own = await failure(adapter.relay(source.ref, rendition('转发'), lead, context(lead)));
    expect(own).toMatchObject({ code: 'INVALID_INPUT', platformCode: '20103' });
    await adapter.retract(source.ref, lead, context(lead));
    const gone = await failure(
      adapter.relay(source.ref, rendition('转发'), member, context(member)),
    );
    expect(gone).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: '20101' });
  });
});

describe('retract', () => {
  it('destroys the status, then reports already-gone', async () => {
    const adapter = adapterWith();
    const source = await adapter.publish(notice('retract'), lead, context(lead));
    if (source.status !== 'posted') throw new Error('not posted');
    captured = [];
    expect(await adapter.retract(source.ref, lead, context(lead))).toEqual({ status: 'removed' });
    const [request] = await requests();
    expect(request?.url.href).toBe(`${API}statuses/destroy.json`);
    const form = new URLSearchParams(request?.body);
    expect(form.get('id')).toBe(source.ref.id);
    expect(form.get('access_token')).toBe(LEAD_TOKEN);
    expect(platform.postsOf('2418724427')[0]?.deleted).toBe(true);
    expect(await adapter.retract(source.ref, lead, context(lead))).toEqual({
      status: 'already-gone',
    });
  });

  it("refuses another account's status (20102) as INVALID_INPUT", async () => {
    const adapter = adapterWith();
    const source = await adapter.publish(notice('not-own'), lead, context(lead));
    if (source.status !== 'posted') throw new Error('not posted');
    const error = await failure(adapter.retract(source.ref, member, context(member)));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', platformCode: '20102' });
  });
});

describe('findExisting', () => {
  it('reads user_timeline with the token in the Authorization header (never the URL) and finds a post whose links Weibo rewrote', async () => {
    platform.configure({ shortenLinks: true });
    const adapter = adapterWith();
    const text = notice('short-link');
    const firstAttemptAt = new Date();
    platform.injectFault({ kind: 'drop-after-apply' });
    expect((await failure(adapter.publish(text, lead, context(lead)))).code).toBe('AMBIGUOUS');
    const [stored] = platform.postsOf('2418724427');
    expect(stored?.text).toContain('http://t.cn/');
    captured = [];

    const found = await adapter.findExisting(
      postDescriptor(text, firstAttemptAt),
      lead,
      context(lead),
    );
    expect(found).toEqual({
      status: 'found',
      ref: {
        platform: 'weibo',
        accountId: lead.id,
        id: stored?.id,
        url: `https://weibo.com/2418724427/${stored?.id}`,
      },
    });
    const [request] = await requests();
    expect(request?.method).toBe('GET');
    expect(request?.url.pathname).toBe('/2/statuses/user_timeline.json');
    expect(request?.url.searchParams.has('access_token')).toBe(false);
    expect(request?.headers.get('authorization')).toBe(`OAuth2 ${LEAD_TOKEN}`);
    expect(request?.url.searchParams.get('uid')).toBe('2418724427');
    expect(request?.url.searchParams.get('count')).toBe('50');
  });

  it('ignores statuses created before the first attempt (less the skew)', async () => {
    const adapter = adapterWith();
    const text = notice('old');
    await adapter.publish(text, lead, context(lead));
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await adapter.findExisting(postDescriptor(text, later), lead, context(lead))).toEqual({
      status: 'not-found',
    });
  });

  it('does not take a repost for an original, nor an original with other text', async () => {
    const adapter = adapterWith();
    const source = await adapter.publish(notice('src'), lead, context(lead));
    if (source.status !== 'posted') throw new Error('not posted');
    const comment = notice('src');
    await adapter.relay(source.ref, comment, member, context(member));
    expect(await adapter.findExisting(postDescriptor(comment), member, context(member))).toEqual({
      status: 'not-found',
    });
    expect(
      await adapter.findExisting(postDescriptor(notice('other')), lead, context(lead)),
    ).toEqual({
      status: 'not-found',
    });
  });

  it('finds a relay by its retweeted_status id, not one of another source', async () => {
    const adapter = adapterWith();
    const first = await adapter.publish(notice('a'), lead, context(lead));
    const second = await adapter.publish(notice('b'), lead, context(lead));
    if (first.status !== 'posted' || second.status !== 'posted') throw new Error('not posted');
    const comment = rendition('请知悉');
    const firstAttemptAt = new Date();
    const relayed = await adapter.relay(first.ref, comment, member, context(member));
    if (relayed.status !== 'posted') throw new Error('not relayed');
    const wanted = (source: typeof first.ref): DeliveryDescriptor => ({
      action: 'relay',
      rendition: comment,
      source,
      firstAttemptAt,
      idempotencyKey: 'k',
    });
    expect(await adapter.findExisting(wanted(first.ref), member, context(member))).toMatchObject({
      status: 'found',
      ref: { id: relayed.ref.id },
    });
    expect(await adapter.findExisting(wanted(second.ref), member, context(member))).toEqual({
      status: 'not-found',
    });
  });

  it('pages back through the timeline until it passes the first attempt', async () => {
    const adapter = adapterWith({ timelineCount: 2 });
    const text = notice('deep');
    const firstAttemptAt = new Date();
    await adapter.publish(text, lead, context(lead));
    for (const label of ['n1', 'n2', 'n3', 'n4'])
      await adapter.publish(notice(label), lead, context(lead));
    captured = [];
    const found = await adapter.findExisting(
      postDescriptor(text, firstAttemptAt),
      lead,
      context(lead),
    );
    expect(found).toMatchObject({
      status: 'found',
      ref: { id: platform.postsOf('2418724427')[0]?.id },
    });
    const pages = (await requests()).map((request) => request.url.searchParams.get('page'));
    expect(pages).toEqual(['1', '2', '3']);
  });

  it('answers unknown when the timeline cannot be read, without the token in the reason', async () => {
    const adapter = adapterWith();
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'statuses/user_timeline' });
    const failed = await adapter.findExisting(postDescriptor(notice('x')), lead, context(lead));
    expect(failed.status).toBe('unknown');
    platform.injectFault({ kind: 'html-200', endpoint: 'statuses/user_timeline' });
    const html = await adapter.findExisting(postDescriptor(notice('x')), lead, context(lead));
    expect(html.status).toBe('unknown');
    platform.injectFault({ kind: 'token-expired', endpoint: 'statuses/user_timeline' });
    const expired = await adapter.findExisting(postDescriptor(notice('x')), lead, context(lead));
    expect(expired.status).toBe('unknown');
    expect(JSON.stringify([failed, html, expired])).not.toContain(LEAD_TOKEN);
  });
});

describe('account schema, options and limits', () => {
  it('requires uid as digits and refuses unknown fields (a misspelling is not ignored)', () => {
    expect(weiboAccountSchema.parse({ uid: '2418724427' })).toEqual({ uid: '2418724427' });
    expect(weiboAccountSchema.safeParse({ uid: '2418724427', screen_name: 'x' }).success).toBe(
      false,
    );
    expect(weiboAccountSchema.parse({ uid: 2418724427 })).toEqual({ uid: '2418724427' });
    const bad = weiboAccountSchema.safeParse({ uid: 'abc' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({
      path: ['uid'],
      message: 'expected digits, got "abc"',
    });
    expect(weiboAccountSchema.safeParse({}).success).toBe(false);
  });

  it('refuses wrong options with INVALID_INPUT naming the field', () => {
    let error: unknown;
    try {
      createWeiboAdapter({ mode: 'sharee' as 'share', rip: 'localhost' });
    } catch (caught) {
      error = caught;
    }
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    const issues = (error as ReleaseHallError).issues.map((issue) => issue.path).sort();
    expect(issues).toEqual(['mode', 'rip']);
  });

  it('declares the weibo-140 profile and default rates, with overrides', () => {
    const adapter = createWeiboAdapter({ limits: { postsPerWindow: 10 } });
    expect(adapter.platform).toBe('weibo');
    expect(adapter.credentialFields).toEqual(['access_token']);
    expect(adapter.limits.supportsRelay).toBe(true);
    expect(adapter.limits.text).toMatchObject({
      name: 'weibo-140',
      maxLength: 140,
      requiresSafeDomainLink: true,
      allowsTopics: false,
    });
    expect(adapter.limits.text.count('我司CEO！')).toBe(5);
    expect(adapter.limits.rate).toEqual({
      platformConcurrency: 1_000,
      postsPerWindow: 10,
      windowMs: 3_600_000,
      requestTimeoutMs: 15_000,
    });
    expect(adapter.postUrl?.({ id: '4900000000000000001' }, lead)).toBe(
      'https://weibo.com/2418724427/4900000000000000001',
    );
  });
});
