/**
 * The Tencent Weibo sandbox over loopback HTTP: the rules it enforces, latency, faults and
 * inspection.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TENCENT_OAUTH_PARAMETERS,
  TencentPlatform,
  handleTencentRequest,
} from '../../adapters/tencent/fake/protocol.js';
import { startTencentSandbox } from '../../adapters/tencent/fake/sandbox.js';
import type { TencentSandbox } from '../../adapters/tencent/fake/sandbox.js';

const APP_KEY = '801000001';
const OTHER_APP_KEY = '801000002';
const LEAD = {
  openid: 'B624064BA065E01CB73F835017FE96FA',
  name: 'beijingfabu',
  nick: '北京发布',
  accessToken: 'lead-token-0001',
  appKey: APP_KEY,
};
const MEMBER = {
  openid: 'C7E0A1F2B3C4D5E6F708192A3B4C5D6E',
  name: 'pinganbeijing',
  accessToken: 'member-token-0002',
  appKey: APP_KEY,
};
const CLIENT_IP = '203.0.113.7';
const LINK = 'https://www.beijing.gov.cn/n/1.html';

let sandbox: TencentSandbox;
let platform: TencentPlatform;

beforeAll(async () => {
  sandbox = await startTencentSandbox();
  platform = sandbox.platform;
  platform.addAccount(LEAD);
  platform.addAccount(MEMBER);
});
beforeEach(() => {
  platform.reset();
  platform.configure({
    rateLimit: undefined,
    shortenLinks: true,
    latency: { fixedMs: 0, jitterMs: 0 },
  });
});
afterAll(async () => {
  await sandbox.close();
});

type Who = typeof LEAD | typeof MEMBER;

interface CallOptions {
  readonly method?: string;
  readonly as?: Who;
  /** Where the OAuth parameters and format go. */
  readonly oauthIn?: 'body' | 'query' | 'mixed';
  /** Parameters to leave out (OAuth or format). */
  readonly omit?: readonly string[];
  /** Values that replace the standard ones. */
  readonly override?: Record<string, string>;
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

function standard(who: Who): Record<string, string> {
  return {
    oauth_consumer_key: who.appKey,
    access_token: who.accessToken,
    openid: who.openid,
    clientip: CLIENT_IP,
    oauth_version: '2.a',
    scope: 'all',
    format: 'json',
  };
}

async function call(endpoint: string, options: CallOptions = {}): Promise<Answer> {
  const isRead = endpoint.startsWith('statuses/');
  const method = options.method ?? (isRead ? 'GET' : 'POST');
  const oauth = { ...standard(options.as ?? LEAD), ...options.override };
  for (const name of options.omit ?? []) delete oauth[name];
  const where = options.oauthIn ?? (method === 'POST' ? 'body' : 'query');
  const query = new URLSearchParams(method === 'POST' ? undefined : options.params);
  const form = new URLSearchParams(method === 'POST' ? options.params : undefined);
  Object.entries(oauth).forEach(([name, value], index) => {
    const target =
      where === 'query' || method !== 'POST' || (where === 'mixed' && index % 2 === 0)
        ? query
        : form;
    target.set(name, value);
  });
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (method === 'POST') {
    headers['content-type'] =
      options.contentType ?? 'application/x-www-form-urlencoded;charset=UTF-8';
    body = options.body ?? form.toString();
  }
  const search = query.toString();
  const response = await fetch(`${sandbox.url}${endpoint}${search ? `?${search}` : ''}`, {
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

function add(content: string, options: CallOptions = {}) {
  return call('t/add', { ...options, params: { content, ...options.params } });
}

function timeline(params: Record<string, string> = {}, options: CallOptions = {}) {
  return call('statuses/broadcast_timeline', {
    ...options,
    params: {
      pageflag: '0',
      pagetime: '0',
      reqnum: '20',
      lastid: '0',
      type: '0',
      contenttype: '0',
      ...params,
    },
  });
}

function dataOf(answer: Answer): Record<string, unknown> {
  return (answer.json.data ?? {}) as Record<string, unknown>;
}

function infoOf(answer: Answer): Record<string, unknown>[] {
  const data = answer.json.data as { info?: Record<string, unknown>[] } | null;
  return data?.info ?? [];
}

async function expectError(
  answer: Promise<Answer>,
  ret: number,
  errcode?: number,
  status = 200,
): Promise<Answer> {
  const got = await answer;
  expect(got.json.ret, got.text).toBe(ret);
  if (errcode !== undefined) expect(got.json.errcode, got.text).toBe(errcode);
  expect(got.status).toBe(status);
  return got;
}

async function leadTweet(text = `源 ${LINK}`): Promise<string> {
  const answer = await add(text);
  return String(dataOf(answer).id);
}

function multipart(fields: Record<string, string>, picture?: { type: string; data: string }) {
  const boundary = 'rh-tencent-boundary';
  let body = '';
  for (const [name, value] of Object.entries(fields)) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  if (picture) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="pic"; filename="a.png"\r\nContent-Type: ${picture.type}\r\n\r\n${picture.data}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

describe('t/add', () => {
  it('answers {data:{id,time},errcode:0,msg:"ok",ret:0} with HTTP 200 and a string id above 2^53', async () => {
    const before = Math.floor(platform.now() / 1000);
    const answer = await add(`通知 ${LINK}`);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.json)).toEqual(['data', 'errcode', 'msg', 'ret']);
    expect(answer.json).toMatchObject({ errcode: 0, msg: 'ok', ret: 0 });
    const [post] = platform.postsOf(LEAD.openid);
    expect(dataOf(answer)).toEqual({ id: post?.id, time: expect.any(Number) as number });
    expect(dataOf(answer).time).toBeGreaterThanOrEqual(before);
    expect(typeof dataOf(answer).id).toBe('string');
    expect(BigInt(post?.id ?? '0') > 2n ** 53n).toBe(true);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers errors with HTTP 200 and {data:null,errcode,msg,ret}', async () => {
    const answer = await expectError(call('t/add', { params: {} }), 1, 0);
    expect(answer.json).toEqual({
      data: null,
      errcode: 0,
      msg: 'missing parameter content',
      ret: 1,
    });
  });

  it('checks the content: present, not empty, at most 420 bytes after URL shortening (errcode 8)', async () => {
    await expectError(add('   '), 1);
    const long = `https://www.beijing.gov.cn/${'x'.repeat(300)}`;
    expect((await add(`${'通'.repeat(136)} ${long}`)).json.ret).toBe(0); // 408 + 1 + 11 = 420
    await expectError(add(`${'知'.repeat(136)}ab ${long}`), 4, 8); // 422
    await expectError(add('知'.repeat(141)), 4, 8);
  });

  it('with refuseRepeats off, takes a repeated text as a new tweet (for crash tests)', async () => {
    platform.configure({ refuseRepeats: false });
    try {
      expect((await add(`again ${LINK}`)).json.ret).toBe(0);
      expect((await add(`again ${LINK}`)).json.ret).toBe(0);
      expect(platform.livePostsOf(LEAD.openid)).toHaveLength(2);
    } finally {
      platform.configure({ refuseRepeats: true });
    }
  });

  it('refuses identical text from the same account (ret=4 errcode=13), but not from another or after a delete', async () => {
    expect((await add(`same ${LINK}`)).json.ret).toBe(0);
    await expectError(add(`same ${LINK}`), 4, 13);
    expect((await add(`other ${LINK}`)).json.ret).toBe(0);
    await expectError(add(`same ${LINK}`), 4, 13); // not only the latest tweet counts
    expect((await add(`same ${LINK}`, { as: MEMBER })).json.ret).toBe(0);
    const first = platform.livePostsOf(LEAD.openid)[0];
    await call('t/del', { params: { id: first?.id ?? '' } });
    expect((await add(`same ${LINK}`)).json.ret).toBe(0);
  });

  it('requires POST with a form body', async () => {
    await expectError(call('t/add', { method: 'GET', params: { content: 'x' } }), 1);
    await expectError(
      call('t/add', {
        contentType: 'application/json',
        body: JSON.stringify({ content: 'x', ...standard(LEAD) }),
      }),
      1,
    );
    const asMultipart = multipart({ content: 'x', ...standard(LEAD) });
    await expectError(call('t/add', asMultipart), 1);
    expect(platform.allPosts()).toHaveLength(0);
  });
});

describe('t/add_pic', () => {
  it('takes multipart with the OAuth parameters and a picture, and checks the picture', async () => {
    const fields = { content: `带图 ${LINK}`, ...standard(LEAD) };
    const ok = await call('t/add_pic', multipart(fields, { type: 'image/png', data: 'PNGDATA' }));
    expect(ok.json.ret, ok.text).toBe(0);
    expect(platform.postsOf(LEAD.openid)[0]).toMatchObject({
      endpoint: 't/add_pic',
      hasPicture: true,
    });
    expect(platform.requests()[0]?.oauthFrom).toBe('body');
    await expectError(call('t/add_pic', multipart({ ...fields, content: 'no pic' })), 1);
    await expectError(
      call(
        't/add_pic',
        multipart({ ...fields, content: 'pdf' }, { type: 'application/pdf', data: 'x' }),
      ),
      1,
    );
    await expectError(call('t/add_pic', { params: { content: 'form' } }), 1);
  });
});

describe('OAuth parameters', () => {
  it('accepts them in the body, the query, or split between both', async () => {
    expect((await add(`1 ${LINK}`, { oauthIn: 'body' })).json.ret).toBe(0);
    expect((await add(`2 ${LINK}`, { oauthIn: 'query' })).json.ret).toBe(0);
    expect((await add(`3 ${LINK}`, { oauthIn: 'mixed' })).json.ret).toBe(0);
    expect(platform.requests().map((record) => record.oauthFrom)).toEqual([
      'body',
      'query',
      'mixed',
    ]);
  });

  it.each([...TENCENT_OAUTH_PARAMETERS])(
    'refuses a call without %s (ret=3 errcode=7)',
    async (name) => {
      await expectError(add(`x ${LINK}`, { omit: [name] }), 3, 7);
      await expectError(timeline({}, { omit: [name] }), 3, 7);
      expect(platform.allPosts()).toHaveLength(0);
    },
  );

  it('refuses a call without format=json (ret=1)', async () => {
    await expectError(add(`x ${LINK}`, { omit: ['format'] }), 1);
    await expectError(add(`x ${LINK}`, { override: { format: 'xml' } }), 1);
  });

  it('checks oauth_version, scope, the token, its app and its openid', async () => {
    await expectError(add('v', { override: { oauth_version: '1.0' } }), 3, 5);
    await expectError(add('s', { override: { scope: 'read' } }), 3, 7);
    await expectError(add('t', { override: { access_token: 'nope-0000' } }), 3, 3);
    await expectError(add('k', { override: { oauth_consumer_key: OTHER_APP_KEY } }), 3, 1);
    await expectError(add('o', { override: { openid: MEMBER.openid } }), 3, 1);
    expect(platform.allPosts()).toHaveLength(0);
  });

  it('expires tokens by the clock and by hand (ret=3 errcode=4)', async () => {
    platform.addToken(LEAD.openid, 'short-lived-token', { expiresAt: platform.now() + 60_000 });
    const short = { override: { access_token: 'short-lived-token' } };
    expect((await add('y', short)).json.ret).toBe(0);
    platform.advanceClock(60_000);
    await expectError(add('z', short), 3, 4);
    platform.addToken(LEAD.openid, 'other-app-token', { appKey: OTHER_APP_KEY });
    expect(
      (
        await add('w', {
          override: { access_token: 'other-app-token', oauth_consumer_key: OTHER_APP_KEY },
        })
      ).json.ret,
    ).toBe(0);
    platform.expireToken(LEAD.accessToken);
    await expectError(add('z'), 3, 4);
  });

  it.each(['192.168.1.20', '10.0.0.8', '172.20.1.1', '127.0.0.1', '255.255.255.255', 'not-an-ip'])(
    'refuses clientip %s (ret=1)',
    async (clientip) => {
      const answer = await expectError(add(`ip ${LINK}`, { override: { clientip } }), 1);
      expect(answer.json.msg).toContain('clientip');
    },
  );
});

describe('t/re_add and t/del', () => {
  it('relays with reid and the comment; a relay without a comment is allowed', async () => {
    const id = await leadTweet();
    const answer = await call('t/re_add', { as: MEMBER, params: { reid: id, content: '请知悉' } });
    expect(answer.json.ret, answer.text).toBe(0);
    expect(platform.postsOf(MEMBER.openid)[0]).toMatchObject({
      id: dataOf(answer).id,
      kind: 'relay',
      sourceId: id,
      sentText: '请知悉',
    });
    const second = await leadTweet(`源2 ${LINK}`);
    expect((await call('t/re_add', { as: MEMBER, params: { reid: second } })).json.ret).toBe(0);
  });

  it('checks reid: present, an id, existing (6), not deleted (11), not under review (12)', async () => {
    const member = { as: MEMBER };
    await expectError(call('t/re_add', { ...member, params: { content: 'x' } }), 1);
    await expectError(call('t/re_add', { ...member, params: { reid: 'x1' } }), 1);
    await expectError(call('t/re_add', { ...member, params: { reid: '123' } }), 4, 6);
    const reviewed = await leadTweet(`审 ${LINK}`);
    platform.setUnderReview(reviewed);
    await expectError(call('t/re_add', { ...member, params: { reid: reviewed } }), 4, 12);
    platform.setUnderReview(reviewed, false);
    expect((await call('t/re_add', { ...member, params: { reid: reviewed } })).json.ret).toBe(0);
    const deleted = await leadTweet(`删 ${LINK}`);
    await call('t/del', { params: { id: deleted } });
    await expectError(call('t/re_add', { ...member, params: { reid: deleted } }), 4, 11);
    await expectError(
      call('t/re_add', { ...member, params: { reid: reviewed, content: '知'.repeat(141) } }),
      4,
      8,
    );
  });

  it('refuses the same relay twice (13), not the same comment on another source', async () => {
    const first = await leadTweet(`a ${LINK}`);
    const second = await leadTweet(`b ${LINK}`);
    const relay = (reid: string) =>
      call('t/re_add', { as: MEMBER, params: { reid, content: '转' } });
    expect((await relay(first)).json.ret).toBe(0);
    await expectError(relay(first), 4, 13);
    expect((await relay(second)).json.ret).toBe(0);
  });

  it("deletes the account's own tweets only; a second delete is ret=4 errcode=6", async () => {
    const id = await leadTweet();
    await expectError(call('t/del', { params: {} }), 1);
    await expectError(call('t/del', { as: MEMBER, params: { id } }), 1);
    const gone = await call('t/del', { params: { id } });
    expect(gone.json).toEqual({ data: { id }, errcode: 0, msg: 'ok', ret: 0 });
    await expectError(call('t/del', { params: { id } }), 4, 6);
    expect(platform.post(id)?.deleted).toBe(true);
  });

  it('answers an unknown API with 404 and ret=1, and a GET write with ret=1', async () => {
    await expectError(call('t/nothing'), 1, 0, 404);
    await expectError(call('t/del', { method: 'GET', params: { id: '1' } }), 1);
  });
});

describe('statuses/broadcast_timeline', () => {
  it('lists own tweets newest first with id, text, origtext, timestamp, type and source', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await leadTweet(`t${n} <b>&amp; ${LINK}`));
    await call('t/re_add', { as: MEMBER, params: { reid: ids[0] ?? '', content: '转播' } });
    const page = await timeline();
    expect(page.json.ret).toBe(0);
    const info = infoOf(page);
    expect(info.map((item) => item.id)).toEqual([ids[2], ids[1], ids[0]]);
    const [newest] = info;
    expect(newest).toMatchObject({
      origtext: `t3 <b>&amp; ${LINK}`,
      type: 1,
      status: 0,
      source: null,
      name: 'beijingfabu',
      nick: '北京发布',
      openid: LEAD.openid,
    });
    expect(newest?.text).toMatch(/^t3 &lt;b&gt;&amp;amp; http:\/\/url\.cn\/\w{4}$/);
    expect(typeof newest?.timestamp).toBe('number');
    expect(dataOf(page).hasnext).toBe(3);
    const relays = infoOf(await timeline({}, { as: MEMBER }));
    expect(relays[0]).toMatchObject({ type: 2, origtext: '转播', source: { id: ids[0], type: 1 } });
  });

  it('pages down with pageflag=1 and up with pageflag=2, with hasnext bits', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push(await leadTweet(`p${n} ${LINK}`));
    const first = await timeline({ reqnum: '2' });
    expect(infoOf(first).map((item) => item.id)).toEqual([ids[4], ids[3]]);
    expect(dataOf(first).hasnext).toBe(2); // nothing newer, more below
    const last = infoOf(first)[1];
    const second = await timeline({
      reqnum: '2',
      pageflag: '1',
      pagetime: String(last?.timestamp),
      lastid: String(last?.id),
    });
    expect(infoOf(second).map((item) => item.id)).toEqual([ids[2], ids[1]]);
    expect(dataOf(second).hasnext).toBe(0);
    const bottom = infoOf(second)[1];
    const third = await timeline({
      reqnum: '2',
      pageflag: '1',
      pagetime: String(bottom?.timestamp),
      lastid: String(bottom?.id),
    });
    expect(infoOf(third).map((item) => item.id)).toEqual([ids[0]]);
    expect(dataOf(third).hasnext).toBe(1);
    const top = infoOf(second)[0];
    const up = await timeline({
      reqnum: '2',
      pageflag: '2',
      pagetime: String(top?.timestamp),
      lastid: String(top?.id),
    });
    expect(infoOf(up).map((item) => item.id)).toEqual([ids[4], ids[3]]);
  });

  it('filters by type (1 original, 2 relay) and contenttype (2 link, 4 picture)', async () => {
    const id = await leadTweet(`link ${LINK}`);
    await add('plain text');
    await call('t/re_add', { params: { reid: id, content: '自己转播' } });
    const fields = { content: 'pic', ...standard(LEAD) };
    await call('t/add_pic', multipart(fields, { type: 'image/jpeg', data: 'JPG' }));
    const texts = async (params: Record<string, string>) =>
      infoOf(await timeline(params)).map((item) => item.origtext);
    expect(await texts({ type: '1' })).toEqual(['pic', 'plain text', `link ${LINK}`]);
    expect(await texts({ type: '2' })).toEqual(['自己转播']);
    expect(await texts({ contenttype: '2' })).toEqual([`link ${LINK}`]);
    expect(await texts({ contenttype: '4' })).toEqual(['pic']);
  });

  it('answers data:null for an empty page, and checks its parameters', async () => {
    const empty = await timeline();
    expect(empty.json).toEqual({ data: null, errcode: 0, msg: 'ok', ret: 0 });
    await expectError(
      call('statuses/broadcast_timeline', { params: { pagetime: '0', reqnum: '5' } }),
      1,
    );
    await expectError(
      call('statuses/broadcast_timeline', { params: { pageflag: '0', reqnum: '5' } }),
      1,
    );
    await expectError(
      call('statuses/broadcast_timeline', { params: { pageflag: '0', pagetime: '0' } }),
      1,
    );
    await expectError(timeline({ reqnum: '71' }), 1);
    await expectError(timeline({ reqnum: '0' }), 1);
    await expectError(timeline({ pageflag: '3' }), 1);
    await expectError(timeline({ lastid: 'abc' }), 1);
    await expectError(timeline({ type: 'x' }), 1);
    await expectError(timeline({}, { method: 'POST' }), 1);
    expect(
      (
        await call('statuses/broadcast_timeline', {
          params: { pageflag: '0', pagetime: '0', reqnum: '5' },
        })
      ).json.ret,
    ).toBe(0);
  });

  it('hides deleted tweets and shows a deleted source with status 3', async () => {
    const id = await leadTweet();
    await call('t/re_add', { as: MEMBER, params: { reid: id, content: '转' } });
    await call('t/del', { params: { id } });
    expect(infoOf(await timeline())).toEqual([]);
    expect(infoOf(await timeline({}, { as: MEMBER }))[0]?.source).toEqual({
      id,
      text: '',
      origtext: '',
      status: 3,
    });
  });

  it('can show URLs as sent', async () => {
    platform.configure({ shortenLinks: false });
    await add(`原样 ${LINK}`);
    expect(infoOf(await timeline())[0]?.text).toBe(`原样 ${LINK}`);
  });
});

describe('rate limit', () => {
  it('refuses the post over the limit with ret=4 errcode=10 until the window passes', async () => {
    platform.configure({ rateLimit: { posts: 2, windowMs: 60_000 } });
    expect((await add(`r1 ${LINK}`)).json.ret).toBe(0);
    expect((await add(`r2 ${LINK}`)).json.ret).toBe(0);
    await expectError(add(`r3 ${LINK}`), 4, 10);
    expect((await add(`m1 ${LINK}`, { as: MEMBER })).json.ret).toBe(0);
    expect((await timeline()).json.ret).toBe(0); // reads are not limited
    platform.advanceClock(60_001);
    expect((await add(`r3 ${LINK}`)).json.ret).toBe(0);
  });

  it('can answer ret=2 instead', async () => {
    platform.configure({ rateLimit: { posts: 0, windowMs: 60_000, reply: 'ret-2' } });
    await expectError(add(`x ${LINK}`), 2);
  });
});

describe('latency', () => {
  it('holds each reply for the fixed latency', async () => {
    platform.configure({ latency: { fixedMs: 60 } });
    const started = performance.now();
    await add(`slow ${LINK}`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('draws the same jitter for the same seed', () => {
    const delays = (seed: number): number[] => {
      const fake = new TencentPlatform({ latency: { fixedMs: 10, jitterMs: 50, seed } });
      return [1, 2, 3, 4].map(
        () =>
          handleTencentRequest(fake, {
            method: 'GET',
            path: '/api/statuses/broadcast_timeline',
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
  it('5xx-before-apply answers 503 with HTML and stores nothing', async () => {
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 't/add' });
    const answer = await add(`f ${LINK}`);
    expect(answer.status).toBe(503);
    expect(answer.text).toMatch(/^<html>/);
    expect(platform.postsOf(LEAD.openid)).toHaveLength(0);
    expect((await add(`f ${LINK}`)).json.ret).toBe(0);
  });

  it('error-before-apply answers the given ret, errcode, msg and status', async () => {
    platform.injectFault({ kind: 'error-before-apply', ret: 4, errcode: 9, msg: 'spam' });
    const answer = await expectError(add(`e ${LINK}`), 4, 9);
    expect(answer.json.msg).toBe('spam');
    platform.injectFault({ kind: 'error-before-apply', status: 500 });
    await expectError(add(`e ${LINK}`), 4, 0, 500);
    expect(platform.postsOf(LEAD.openid)).toHaveLength(0);
  });

  it('token-expired answers ret=3 errcode=4 once, then the token works again', async () => {
    platform.injectFault({ kind: 'token-expired' });
    await expectError(add(`tok ${LINK}`), 3, 4);
    expect((await add(`tok ${LINK}`)).json.ret).toBe(0);
  });

  it('html-200 answers a page with 200, before the apply unless applyFirst', async () => {
    platform.injectFault({ kind: 'html-200' });
    const page = await add(`html ${LINK}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(platform.postsOf(LEAD.openid)).toHaveLength(0);
    platform.injectFault({ kind: 'html-200', applyFirst: true });
    expect((await add(`html ${LINK}`)).status).toBe(200);
    expect(platform.postsOf(LEAD.openid)).toHaveLength(1);
  });

  it('drop-after-apply stores the tweet and cuts the connection', async () => {
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 't/add' });
    await expect(add(`drop ${LINK}`)).rejects.toThrow();
    expect(platform.livePostsOf(LEAD.openid)).toHaveLength(1);
    expect(platform.requests()[0]?.fault).toBe('drop-after-apply');
  });

  it('timeout-after-apply stores the tweet and holds the reply past the client timeout', async () => {
    platform.injectFault({ kind: 'timeout-after-apply', hangMs: 10_000 });
    const started = performance.now();
    await expect(add(`hang ${LINK}`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(platform.livePostsOf(LEAD.openid)).toHaveLength(1);
  });

  it('truncated-after-apply stores the tweet and cuts the JSON in half', async () => {
    platform.injectFault({ kind: 'truncated-after-apply' });
    const answer = await add(`cut ${LINK}`);
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
    expect(platform.postsOf(LEAD.openid)).toHaveLength(1);
  });

  it('matches faults by account, endpoint and count', async () => {
    platform.injectFault({
      kind: '5xx-before-apply',
      openid: MEMBER.openid,
      endpoint: 't/add',
      times: 2,
    });
    expect((await add(`a ${LINK}`)).status).toBe(200); // the lead is not hit
    expect((await timeline({}, { as: MEMBER })).status).toBe(200); // another endpoint
    expect((await add(`b ${LINK}`, { as: MEMBER })).status).toBe(503);
    expect((await add(`c ${LINK}`, { as: MEMBER })).status).toBe(503);
    expect((await add(`d ${LINK}`, { as: MEMBER })).status).toBe(200);
    expect(platform.pendingFaults()).toHaveLength(0);
  });

  it('keeps an after-apply fault queued when the request fails the rules', async () => {
    platform.injectFault({ kind: 'drop-after-apply' });
    await expectError(add('知'.repeat(141)), 4, 8);
    expect(platform.pendingFaults()).toHaveLength(1);
    await expect(add(`now ${LINK}`)).rejects.toThrow();
    expect(platform.pendingFaults()).toHaveLength(0);
    platform.injectFault({ kind: 'drop-after-apply' });
    platform.clearFaults();
    expect(platform.pendingFaults()).toHaveLength(0);
  });
});

describe('inspection', () => {
  it('shows tweets, counts and requests without tokens or app keys; reset keeps accounts', async () => {
    const id = await leadTweet(`i ${LINK}`);
    await call('t/re_add', { as: MEMBER, params: { reid: id, content: '转' } });
    await call('t/del', { params: { id } });
    expect(platform.postsOf(LEAD.openid)).toMatchObject([
      { id, kind: 'original', deleted: true, sentText: `i ${LINK}`, endpoint: 't/add' },
    ]);
    expect(platform.postsOf(LEAD.openid)[0]?.text).toMatch(/^i http:\/\/url\.cn\/\w{4}$/);
    expect(platform.livePostsOf(LEAD.openid)).toHaveLength(0);
    expect(platform.postsOf(MEMBER.openid)).toMatchObject([
      { kind: 'relay', sourceId: id, deleted: false },
    ]);
    expect(platform.postsOf(LEAD.openid)[0]?.createdAt).toBeInstanceOf(Date);
    expect(platform.allPosts()).toHaveLength(2);
    expect(platform.counts()).toMatchObject({
      requests: 3,
      posts: 2,
      livePosts: 1,
      byEndpoint: { 't/add': 1, 't/re_add': 1, 't/del': 1 },
    });
    const [first] = platform.requests();
    expect(first).toMatchObject({
      method: 'POST',
      path: '/api/t/add',
      endpoint: 't/add',
      openid: LEAD.openid,
      oauthFrom: 'body',
      status: 200,
      ret: 0,
      errcode: 0,
    });
    expect(first?.params).toMatchObject({
      content: `i ${LINK}`,
      openid: LEAD.openid,
      clientip: CLIENT_IP,
      oauth_version: '2.a',
      scope: 'all',
      format: 'json',
    });
    const log = JSON.stringify(platform.requests());
    expect(log).not.toContain(LEAD.accessToken);
    expect(log).not.toContain(MEMBER.accessToken);
    expect(log).not.toContain(APP_KEY);
    platform.reset();
    expect(platform.allPosts()).toHaveLength(0);
    expect(platform.counts().requests).toBe(0);
    expect(platform.accounts().map((account) => account.openid)).toEqual([
      LEAD.openid,
      MEMBER.openid,
    ]);
    expect(JSON.stringify(platform.accounts())).not.toContain(LEAD.accessToken);
    expect(JSON.stringify(platform.accounts())).not.toContain(APP_KEY);
  });

  it('refuses bad accounts', () => {
    const fake = new TencentPlatform();
    expect(() =>
      fake.addAccount({ openid: 'not-hex!', name: 'x', accessToken: 't', appKey: APP_KEY }),
    ).toThrow(/openid/);
    fake.addAccount({ openid: 'ABC123', name: 'x', accessToken: 't1', appKey: APP_KEY });
    expect(() =>
      fake.addAccount({ openid: 'ABC123', name: 'x', accessToken: 't2', appKey: APP_KEY }),
    ).toThrow(/already exists/);
    expect(() => fake.setUnderReview('1')).toThrow(/no tweet/);
  });
});
