/**
 * The Weibo sandbox over loopback HTTP: the rules it enforces, latency, faults and inspection.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handleWeiboRequest, WeiboPlatform } from '../../adapters/weibo/fake/protocol.js';
import { startWeiboSandbox } from '../../adapters/weibo/fake/sandbox.js';
import type { WeiboSandbox } from '../../adapters/weibo/fake/sandbox.js';

const LEAD = { uid: '2418724427', screenName: '北京发布', accessToken: 'lead-token-0001' };
const MEMBER = { uid: '7132135868', screenName: '平安北京', accessToken: 'member-token-0002' };
const OTHER_APP = {
  uid: '6763433337',
  screenName: '北京交警',
  accessToken: 'other-token-0003',
  safeDomain: 'jtgl.beijing.gov.cn',
  longTextAllowed: false,
};
const RIP = '203.0.113.7';
const LINK = 'https://www.beijing.gov.cn/n/1.html';

let sandbox: WeiboSandbox;
let platform: WeiboPlatform;

beforeAll(async () => {
  sandbox = await startWeiboSandbox({ safeDomain: 'beijing.gov.cn' });
  platform = sandbox.platform;
  platform.addAccount(LEAD);
  platform.addAccount(MEMBER);
  platform.addAccount(OTHER_APP);
});
beforeEach(() => {
  platform.reset();
  platform.configure({ rateLimit: undefined, latency: { fixedMs: 0, jitterMs: 0 } });
});
afterAll(async () => {
  await sandbox.close();
});

interface CallOptions {
  readonly method?: string;
  readonly token?: string | undefined;
  readonly tokenVia?: 'body' | 'query' | 'header';
  readonly params?: Record<string, string>;
  readonly contentType?: string;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown>;
  readonly headers: Headers;
}

async function call(endpoint: string, options: CallOptions = {}): Promise<Answer> {
  const isWrite = !/user_timeline|show/.test(endpoint);
  const method = options.method ?? (isWrite ? 'POST' : 'GET');
  const token = 'token' in options ? options.token : LEAD.accessToken;
  const via = options.tokenVia ?? (method === 'POST' ? 'body' : 'query');
  const params = new URLSearchParams(options.params);
  const query = new URLSearchParams(method === 'GET' ? params : undefined);
  const form = new URLSearchParams(method === 'POST' ? params : undefined);
  const headers: Record<string, string> = {};
  if (token !== undefined) {
    if (via === 'query') query.set('access_token', token);
    if (via === 'body') form.set('access_token', token);
    if (via === 'header') headers.authorization = `OAuth2 ${token}`;
  }
  let body: string | undefined;
  if (method === 'POST') {
    headers['content-type'] =
      options.contentType ?? 'application/x-www-form-urlencoded;charset=UTF-8';
    body = options.body ?? form.toString();
  }
  const search = query.toString();
  const response = await fetch(`${sandbox.url}${endpoint}.json${search ? `?${search}` : ''}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // HTML or truncated: json stays empty
  }
  return { status: response.status, text, json, headers: response.headers };
}

function share(status: string, extra: Record<string, string> = {}, options: CallOptions = {}) {
  return call('statuses/share', { ...options, params: { status, rip: RIP, ...extra } });
}

async function expectError(answer: Promise<Answer>, code: number, status = 400): Promise<Answer> {
  const got = await answer;
  expect(got.json.error_code, got.text).toBe(code);
  expect(got.status).toBe(status);
  return got;
}

describe('statuses/share rules', () => {
  it('posts a text with a link on the safe domain and answers with the status', async () => {
    const answer = await share(`通知 ${LINK}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ text: `通知 ${LINK}`, user: { idstr: LEAD.uid } });
    const [post] = platform.postsOf(LEAD.uid);
    expect(answer.json.idstr).toBe(post?.id);
    expect(answer.json.mid).toBe(post?.id);
    // `id` is a bare number in the raw text, digits beyond 2^53 included.
    expect(answer.text).toContain(`"id":${post?.id},`);
    expect(BigInt(post?.id ?? '0') > 2n ** 53n).toBe(true);
    expect(answer.json.created_at).toMatch(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \+0800 \d{4}$/);
  });

  it('answers errors as {request, error_code, error}', async () => {
    const answer = await expectError(share('no link at all'), 20018);
    expect(Object.keys(answer.json).sort()).toEqual(['error', 'error_code', 'request']);
    expect(answer.json.request).toBe('/2/statuses/share.json');
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('accepts a subdomain of the safe domain and refuses look-alikes', async () => {
    expect((await share(`a https://news.beijing.gov.cn/1`)).status).toBe(200);
    await expectError(share(`b https://beijing.gov.cn.example.com/1`), 20018);
    await expectError(share(`c https://www.example.com/1`), 20018);
  });

  it("uses an account's own safe domain when it has one", async () => {
    const token = { token: OTHER_APP.accessToken };
    await expectError(share(`d ${LINK}`, {}, token), 20018);
    expect((await share('e https://jtgl.beijing.gov.cn/1', {}, token)).status).toBe(200);
  });

  it('refuses #topics# (10017, [unconfirmed] code)', async () => {
    await expectError(share(`#北京# 通知 ${LINK}`), 10017);
  });

  it('refuses text over 140 counted characters and accepts exactly 140', async () => {
    const link = ` ${LINK}`; // 1 unit + 20 units
    const fits = `${'通'.repeat(129)}a${link}`; // 258 + 1 + 21 = 280 units = 140
    expect((await share(fits)).status).toBe(200);
    await expectError(share(`${'知'.repeat(130)}${link}`), 20012);
  });

  it('refuses identical consecutive text (20019), but not after something else or a delete', async () => {
    expect((await share(`same ${LINK}`)).status).toBe(200);
    await expectError(share(`same ${LINK}`), 20019);
    expect((await share(`other ${LINK}`)).status).toBe(200);
    expect((await share(`same ${LINK}`)).status).toBe(200);
    const latest = platform.livePostsOf(LEAD.uid).at(-1);
    await call('statuses/destroy', { params: { id: latest?.id ?? '' } });
    expect((await share(`other ${LINK}`)).status).toBe(400); // `other` is now the latest live
    expect((await share(`same ${LINK}`)).status).toBe(200);
  });

  it('with refuseRepeats off, takes a repeated text as a new status (for crash tests)', async () => {
    platform.configure({ refuseRepeats: false });
    try {
      expect((await share(`again ${LINK}`)).status).toBe(200);
      expect((await share(`again ${LINK}`)).status).toBe(200);
      expect(
        platform.livePostsOf(LEAD.uid).filter((post) => post.text.startsWith('again')),
      ).toHaveLength(2);
    } finally {
      platform.configure({ refuseRepeats: true });
    }
  });

  it('requires status and rip, and a valid rip', async () => {
    await expectError(call('statuses/share', { params: { rip: RIP } }), 10016);
    await expectError(call('statuses/share', { params: { status: `x ${LINK}` } }), 10016);
    await expectError(share(`x ${LINK}`, { rip: 'not-an-ip' }), 10017);
    await expectError(share('   '), 20008);
    expect((await share(`v6 ${LINK}`, { rip: '2001:db8::1' })).status).toBe(200);
  });

  it('requires POST with a form body', async () => {
    await expectError(call('statuses/share', { method: 'GET' }), 10021, 405);
    await expectError(
      call('statuses/share', {
        contentType: 'application/json',
        body: JSON.stringify({ status: `x ${LINK}`, rip: RIP, access_token: LEAD.accessToken }),
      }),
      10016,
    );
  });

  it('accepts multipart with a picture, and checks its type', async () => {
    const boundary = 'rh-boundary';
    const part = (name: string, value: string, extra = '') =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${value}\r\n`;
    const body = (type: string) =>
      part('access_token', LEAD.accessToken) +
      part('status', `pic ${type} ${LINK}`) +
      part('rip', RIP) +
      `--${boundary}\r\nContent-Disposition: form-data; name="pic"; filename="a.png"\r\nContent-Type: ${type}\r\n\r\nPNGDATA\r\n` +
      `--${boundary}--\r\n`;
    const multipart = `multipart/form-data; boundary=${boundary}`;
    const ok = await call('statuses/share', {
      contentType: multipart,
      body: body('image/png'),
      token: undefined,
    });
    expect(ok.status, ok.text).toBe(200);
    await expectError(
      call('statuses/share', {
        contentType: multipart,
        body: body('application/pdf'),
        token: undefined,
      }),
      20005,
    );
  });
});

describe('authentication', () => {
  it('takes the token from the body, the query or an OAuth2 header', async () => {
    expect((await share(`1 ${LINK}`, {}, { tokenVia: 'body' })).status).toBe(200);
    expect((await share(`2 ${LINK}`, {}, { tokenVia: 'query' })).status).toBe(200);
    expect((await share(`3 ${LINK}`, {}, { tokenVia: 'header' })).status).toBe(200);
    expect(platform.requests().map((record) => record.tokenFrom)).toEqual([
      'body',
      'query',
      'header',
    ]);
  });

  it('answers 21301 without a token, 21332 for an unknown one, 21327 once expired', async () => {
    await expectError(share(`x ${LINK}`, {}, { token: undefined }), 21301, 403);
    await expectError(share(`x ${LINK}`, {}, { token: 'nope-0000' }), 21332, 403);
    platform.addToken(LEAD.uid, 'short-lived-token', platform.now() + 60_000);
    expect((await share(`y ${LINK}`, {}, { token: 'short-lived-token' })).status).toBe(200);
    platform.advanceClock(60_000);
    const expired = await expectError(
      share(`z ${LINK}`, {}, { token: 'short-lived-token' }),
      21327,
      403,
    );
    expect(expired.json.error).toBe('expired_token');
    platform.expireToken(LEAD.accessToken);
    await expectError(share(`z ${LINK}`), 21327, 403);
  });
});

describe('statuses/update', () => {
  it('allows topics and no link', async () => {
    const answer = await call('statuses/update', { params: { status: '#北京# 通知', rip: RIP } });
    expect(answer.status).toBe(200);
  });

  it('allows long text up to 2000 with is_longtext=1 for qualified accounts only', async () => {
    const long = '长'.repeat(500);
    await expectError(call('statuses/update', { params: { status: long, rip: RIP } }), 20012);
    const ok = await call('statuses/update', {
      params: { status: long, rip: RIP, is_longtext: '1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.isLongText).toBe(true);
    await expectError(
      call('statuses/update', {
        params: { status: '长'.repeat(2001), rip: RIP, is_longtext: '1' },
      }),
      20012,
    );
    await expectError(
      call('statuses/update', {
        token: OTHER_APP.accessToken,
        params: { status: long, rip: RIP, is_longtext: '1' },
      }),
      10017,
    );
  });
});

describe('repost and destroy', () => {
  async function leadPost(text = `源 ${LINK}`): Promise<string> {
    const answer = await share(text);
    return String(answer.json.idstr);
  }

  it('reposts with the comment, or 转发微博 without one', async () => {
    const id = await leadPost();
    const member = { token: MEMBER.accessToken };
    const answer = await call('statuses/repost', {
      ...member,
      params: { id, status: '请知悉', is_comment: '0', rip: RIP },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ text: '请知悉', retweeted_status: { idstr: id } });
    const second = await leadPost(`源2 ${LINK}`);
    const bare = await call('statuses/repost', { ...member, params: { id: second, rip: RIP } });
    expect(bare.json.text).toBe('转发微博');
  });

  it('reposts a repost with the chain, pointing at the root', async () => {
    const root = await leadPost();
    const first = await call('statuses/repost', {
      token: MEMBER.accessToken,
      params: { id: root, status: '转一下', rip: RIP },
    });
    const chained = await call('statuses/repost', {
      token: OTHER_APP.accessToken,
      params: { id: String(first.json.idstr), status: '再转', rip: RIP },
    });
    expect(chained.json).toMatchObject({
      text: '再转//@平安北京:转一下',
      retweeted_status: { idstr: root },
    });
  });

  it('checks id, existence, ownership, is_comment and rip', async () => {
    const id = await leadPost();
    const member = { token: MEMBER.accessToken };
    await expectError(call('statuses/repost', { ...member, params: { rip: RIP } }), 10016);
    await expectError(
      call('statuses/repost', { ...member, params: { id: 'x1', rip: RIP } }),
      10017,
    );
    await expectError(
      call('statuses/repost', { ...member, params: { id: '123', rip: RIP } }),
      20101,
    );
    await expectError(call('statuses/repost', { params: { id, rip: RIP } }), 20103);
    await expectError(
      call('statuses/repost', { ...member, params: { id, rip: RIP, is_comment: '7' } }),
      10017,
    );
    await expectError(call('statuses/repost', { ...member, params: { id } }), 10016);
  });

  it('destroys own statuses only; a second destroy is 20101', async () => {
    const id = await leadPost();
    await expectError(
      call('statuses/destroy', { token: MEMBER.accessToken, params: { id } }),
      20102,
    );
    const gone = await call('statuses/destroy', { params: { id } });
    expect(gone.status).toBe(200);
    expect(gone.json.idstr).toBe(id);
    await expectError(call('statuses/destroy', { params: { id } }), 20101);
    expect(platform.post(id)?.deleted).toBe(true);
  });
});

describe('reads', () => {
  it('lists the timeline newest first, with count, page, since_id and total_number', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push(String((await share(`t${n} ${LINK}`)).json.idstr));
    await call('statuses/destroy', { params: { id: ids[4] ?? '' } });
    const page1 = await call('statuses/user_timeline', { params: { uid: LEAD.uid, count: '2' } });
    const listed = (page1.json.statuses as { idstr: string }[]).map((status) => status.idstr);
    expect(listed).toEqual([ids[3], ids[2]]);
    expect(page1.json.total_number).toBe(4);
    const page2 = await call('statuses/user_timeline', {
      params: { uid: LEAD.uid, count: '2', page: '2' },
    });
    expect((page2.json.statuses as { idstr: string }[]).map((status) => status.idstr)).toEqual([
      ids[1],
      ids[0],
    ]);
    const since = await call('statuses/user_timeline', {
      params: { screen_name: '北京发布', since_id: ids[1] ?? '' },
    });
    expect((since.json.statuses as unknown[]).length).toBe(2);
    await expectError(call('statuses/user_timeline', { params: { uid: '1' } }), 20003);
    await expectError(call('statuses/user_timeline', { method: 'POST' }), 10021, 405);
  });

  it('shows one status; a deleted one is 20101', async () => {
    const id = String((await share(`show ${LINK}`)).json.idstr);
    expect((await call('statuses/show', { params: { id } })).json.idstr).toBe(id);
    await call('statuses/destroy', { params: { id } });
    await expectError(call('statuses/show', { params: { id } }), 20101);
  });

  it('answers 404 for an unknown API', async () => {
    await expectError(call('statuses/nothing'), 10020, 404);
  });
});

describe('rate limit', () => {
  it('refuses the post over the limit with 20016 until the window passes', async () => {
    platform.configure({ rateLimit: { posts: 2, windowMs: 60_000 } });
    expect((await share(`r1 ${LINK}`)).status).toBe(200);
    expect((await share(`r2 ${LINK}`)).status).toBe(200);
    const limited = await expectError(share(`r3 ${LINK}`), 20016);
    expect(limited.headers.get('retry-after')).toBeNull();
    // Other accounts have their own window.
    expect((await share(`m1 ${LINK}`, {}, { token: MEMBER.accessToken })).status).toBe(200);
    platform.advanceClock(60_001);
    expect((await share(`r3 ${LINK}`)).status).toBe(200);
  });

  it('can answer 10023 with a Retry-After header', async () => {
    platform.configure({
      rateLimit: { posts: 0, windowMs: 60_000, errorCode: 10023, retryAfterSeconds: 30 },
    });
    const limited = await expectError(share(`x ${LINK}`), 10023);
    expect(limited.headers.get('retry-after')).toBe('30');
  });
});

describe('latency', () => {
  it('holds each reply for the fixed latency', async () => {
    platform.configure({ latency: { fixedMs: 80 } });
    const started = performance.now();
    await share(`slow ${LINK}`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('draws the same jitter for the same seed', () => {
    const delays = (seed: number): number[] => {
      const fake = new WeiboPlatform({ latency: { fixedMs: 10, jitterMs: 50, seed } });
      return [1, 2, 3, 4].map(
        () =>
          handleWeiboRequest(fake, {
            method: 'GET',
            path: '/2/statuses/show.json',
            query: new URLSearchParams(),
            headers: {},
            body: '',
          }).delayMs,
      );
    };
    expect(delays(7)).toEqual(delays(7));
    expect(delays(7)).not.toEqual(delays(8));
    for (const delay of delays(7)) expect(delay).toBeGreaterThanOrEqual(10);
    for (const delay of delays(7)) expect(delay).toBeLessThanOrEqual(60);
  });
});

describe('faults', () => {
  it('5xx-before-apply answers 503 and stores nothing', async () => {
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'statuses/share' });
    const answer = await share(`f ${LINK}`);
    expect(answer.status).toBe(503);
    expect(answer.text).toMatch(/^<html>/);
    expect(platform.postsOf(LEAD.uid)).toHaveLength(0);
    expect((await share(`f ${LINK}`)).status).toBe(200);
  });

  it('drop-after-apply stores the post and cuts the connection', async () => {
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'statuses/share' });
    await expect(share(`drop ${LINK}`)).rejects.toThrow();
    expect(platform.livePostsOf(LEAD.uid)).toHaveLength(1);
    expect(platform.requests()[0]?.fault).toBe('drop-after-apply');
  });

  it('timeout-after-apply stores the post and holds the reply past the client timeout', async () => {
    platform.injectFault({ kind: 'timeout-after-apply', hangMs: 10_000 });
    const started = performance.now();
    await expect(share(`hang ${LINK}`, {}, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(platform.livePostsOf(LEAD.uid)).toHaveLength(1);
  });

  it('html-200 answers a page with 200, before the apply unless applyFirst', async () => {
    platform.injectFault({ kind: 'html-200' });
    const page = await share(`html ${LINK}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(platform.postsOf(LEAD.uid)).toHaveLength(0);
    platform.injectFault({ kind: 'html-200', applyFirst: true });
    expect((await share(`html ${LINK}`)).status).toBe(200);
    expect(platform.postsOf(LEAD.uid)).toHaveLength(1);
  });

  it('truncated-after-apply stores the post and cuts the JSON in half', async () => {
    platform.injectFault({ kind: 'truncated-after-apply' });
    const answer = await share(`cut ${LINK}`);
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
    expect(platform.postsOf(LEAD.uid)).toHaveLength(1);
  });

  it('delayed-20032 stores the post, answers 20032 and hides it until the delay passes', async () => {
    platform.injectFault({ kind: 'delayed-20032', visibleAfterMs: 90_000 });
    const answer = await expectError(share(`late ${LINK}`), 20032);
    expect(answer.json.request).toBe('/2/statuses/share.json');
    const [post] = platform.postsOf(LEAD.uid);
    const timeline = () => call('statuses/user_timeline', { params: { uid: LEAD.uid } });
    expect((await timeline()).json.statuses).toEqual([]);
    await expectError(call('statuses/show', { params: { id: post?.id ?? '' } }), 20101);
    // Weibo still knows the text: sending it again is refused.
    await expectError(share(`late ${LINK}`), 20019);
    platform.advanceClock(90_000);
    expect((await timeline()).json.statuses).toHaveLength(1);
  });

  it('token-expired answers 21327 once, then the token works again', async () => {
    platform.injectFault({ kind: 'token-expired' });
    await expectError(share(`tok ${LINK}`), 21327, 403);
    expect((await share(`tok ${LINK}`)).status).toBe(200);
  });

  it('error-before-apply answers the given code and status', async () => {
    platform.injectFault({
      kind: 'error-before-apply',
      errorCode: 20111,
      errorText: 'repeated weibo text',
    });
    const answer = await expectError(share(`e ${LINK}`), 20111);
    expect(answer.json.error).toBe('repeated weibo text');
  });

  it('matches faults by account, endpoint and count', async () => {
    platform.injectFault({
      kind: '5xx-before-apply',
      uid: MEMBER.uid,
      endpoint: 'statuses/share',
      times: 2,
    });
    expect((await share(`a ${LINK}`)).status).toBe(200); // the lead is not hit
    expect((await call('statuses/user_timeline', { token: MEMBER.accessToken })).status).toBe(200);
    const member = { token: MEMBER.accessToken };
    expect((await share(`b ${LINK}`, {}, member)).status).toBe(503);
    expect((await share(`c ${LINK}`, {}, member)).status).toBe(503);
    expect((await share(`d ${LINK}`, {}, member)).status).toBe(200);
    expect(platform.pendingFaults()).toHaveLength(0);
  });

  it('keeps an after-apply fault queued when the request fails the rules', async () => {
    platform.injectFault({ kind: 'drop-after-apply' });
    await expectError(share('no link'), 20018);
    expect(platform.pendingFaults()).toHaveLength(1);
    await expect(share(`now ${LINK}`)).rejects.toThrow();
    expect(platform.pendingFaults()).toHaveLength(0);
  });
});

describe('inspection', () => {
  it('shows posts, counts and requests without tokens; reset keeps accounts', async () => {
    const id = String((await share(`i ${LINK}`)).json.idstr);
    await call('statuses/repost', {
      token: MEMBER.accessToken,
      params: { id, status: '转', rip: RIP },
    });
    await call('statuses/destroy', { params: { id } });
    expect(platform.postsOf(LEAD.uid)).toMatchObject([
      { id, kind: 'original', deleted: true, sentText: `i ${LINK}` },
    ]);
    expect(platform.livePostsOf(LEAD.uid)).toHaveLength(0);
    expect(platform.postsOf(MEMBER.uid)).toMatchObject([
      { kind: 'repost', sourceId: id, deleted: false },
    ]);
    expect(platform.postsOf(LEAD.uid)[0]?.createdAt).toBeInstanceOf(Date);
    expect(platform.counts()).toMatchObject({
      requests: 3,
      posts: 2,
      livePosts: 1,
      byEndpoint: { 'statuses/share': 1, 'statuses/repost': 1, 'statuses/destroy': 1 },
    });
    const log = JSON.stringify(platform.requests());
    expect(log).not.toContain(LEAD.accessToken);
    expect(log).not.toContain(MEMBER.accessToken);
    platform.reset();
    expect(platform.allPosts()).toHaveLength(0);
    expect(platform.counts().requests).toBe(0);
    expect(platform.accounts().map((account) => account.uid)).toContain(LEAD.uid);
    expect(JSON.stringify(platform.accounts())).not.toContain(LEAD.accessToken);
  });
});
