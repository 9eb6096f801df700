/**
 * Reading a Tencent Weibo inbox (comments and mentions) against the msw handlers: every request
 * is captured and checked as the platform checks it (method, path, every OAuth parameter,
 * `format=json`, the paging parameters), and the time-paged walks are checked page by page, with
 * many items in one second, cursor resume and gaps.
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, InboxContext, InboxCursor, InboxItem } from '#core';
import { createTencentAdapter } from '../../adapters/tencent/index.js';
import { tencentHandlers } from '../../adapters/tencent/fake/msw.js';
import { TencentPlatform, handleTencentRequest } from '../../adapters/tencent/fake/protocol.js';

const API = 'https://open.t.qq.com/api/';
const APP_KEY = '801000001';
const CLIENT_IP = '203.0.113.7';
const LEAD_OPENID = 'B624064BA065E01CB73F835017FE96FA';
const MEMBER_OPENID = 'C7E0A1F2B3C4D5E6F708192A3B4C5D6E';
const LEAD_TOKEN = 'LeadTencentTokenForInbox001';
const MEMBER_TOKEN = 'MemberTencentTokenForInbox2';
const OAUTH = {
  oauth_consumer_key: APP_KEY,
  access_token: LEAD_TOKEN,
  openid: LEAD_OPENID,
  clientip: CLIENT_IP,
  oauth_version: '2.a',
  scope: 'all',
  format: 'json',
};
const COMMENTS = 'statuses/mentions_timeline:comments';
const MENTIONS = 'statuses/mentions_timeline:mentions';

const lead: Account = {
  id: 'beijing-fabu/tencent',
  memberId: 'beijing-fabu',
  platform: 'tencent',
  handle: 'beijingfabu',
  credentials: 'tencent-beijing-fabu',
  settings: { openid: LEAD_OPENID },
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
}
let captured: Captured[] = [];
server.events.on('request:start', ({ request }) => {
  captured.push({ method: request.method, url: new URL(request.url) });
});

const tencent = createTencentAdapter({ appKey: APP_KEY, clientIp: CLIENT_IP });

function context(token = LEAD_TOKEN): InboxContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: token },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
  };
}

let posted = 0;
/** Posts a tweet on an account straight through the protocol (no HTTP), returns its id. */
function postTweet(openid = LEAD_OPENID, token = LEAD_TOKEN): string {
  posted += 1;
  const answer = handleTencentRequest(platform, {
    method: 'POST',
    path: '/api/t/add',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      content: `【通知】第${posted}号：今日道路通行正常。`,
      oauth_consumer_key: APP_KEY,
      access_token: token,
      openid,
      clientip: CLIENT_IP,
      oauth_version: '2.a',
      scope: 'all',
      format: 'json',
    }).toString(),
  });
  expect(answer.status).toBe(200);
  const id = (JSON.parse(String(answer.body)) as { data: { id: string } }).data.id;
  return id;
}

function queryOf(request: Captured | undefined): Record<string, string> {
  return Object.fromEntries(request?.url.searchParams ?? []);
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

/** A platform time in whole seconds, `offset` seconds after a fixed start. */
function second(offset: number): number {
  return Date.UTC(2026, 10, 26, 1, 0, 0) + offset * 1000;
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  captured = [];
});
afterEach(() => {
  platform.reset();
  platform.clearFaults();
  server.resetHandlers();
});
afterAll(() => server.close());

describe('readInbox requests', () => {
  it('sends GET statuses/mentions_timeline with the OAuth parameters, type=72 then type=32, first pages at 0', async () => {
    const postId = postTweet();
    const comment = platform.addComment({
      postId,
      author: 'shimin_a',
      nick: '市民甲',
      text: '几点恢复通行？',
      at: second(1),
    });

    const read = await tencent.readInbox(lead, {}, context());

    expect(captured).toHaveLength(2);
    for (const request of captured) {
      expect(request.method).toBe('GET');
      expect(`${request.url.origin}${request.url.pathname}`).toBe(
        `${API}statuses/mentions_timeline`,
      );
    }
    expect(queryOf(captured[0])).toEqual({
      ...OAUTH,
      type: '72',
      contenttype: '0',
      pageflag: '0',
      pagetime: '0',
      reqnum: '70',
      lastid: '0',
    });
    expect(queryOf(captured[1])).toEqual({ ...queryOf(captured[0]), type: '32' });
    expect(read.items).toEqual<InboxItem[]>([
      {
        platform: 'tencent',
        accountId: lead.id,
        kind: 'comment',
        remoteId: comment.id,
        postId,
        author: { id: 'shimin_a', name: '市民甲' },
        text: '几点恢复通行？',
        at: new Date(second(1)).toISOString(),
      },
    ]);
    expect(BigInt(comment.id)).toBeGreaterThan(2n ** 53n);
    expect(read.cursor).toEqual({ [COMMENTS]: `${second(1) / 1000}:${comment.id}` });
    expect(read.complete).toBe(true);
  });

  it('maps replies as comments and @mentions as mentions; a comment that @ the account comes once, as a comment', async () => {
    const own = postTweet();
    const other = postTweet(MEMBER_OPENID, MEMBER_TOKEN);
    const atOwn = platform.addComment({
      postId: own,
      author: 'shimin_a',
      text: '@beijingfabu 请回复',
      at: second(1),
    });
    const reply = platform.addReply({
      postId: own,
      author: 'shimin_b',
      text: '同问',
      at: second(2),
    });
    const elsewhere = platform.addComment({
      postId: other,
      author: 'shimin_c',
      text: '@beijingfabu 这里也要看看',
      at: second(3),
    });
    const mention = platform.addMention({
      author: 'shimin_d',
      text: '@beijingfabu 路口积水严重',
      at: second(4),
    });
    platform.addComment({
      postId: other,
      author: 'shimin_e',
      text: '与北京发布无关',
      at: second(5),
    });

    const read = await tencent.readInbox(lead, {}, context());

    expect(read.items.map((item) => [item.kind, item.remoteId, item.postId])).toEqual([
      ['comment', atOwn.id, own],
      ['comment', reply.id, own],
      ['mention', elsewhere.id, other],
      ['mention', mention.id, mention.id],
    ]);
    expect(read.cursor).toEqual({
      [COMMENTS]: `${second(2) / 1000}:${reply.id}`,
      [MENTIONS]: `${second(4) / 1000}:${mention.id}`,
    });
  });

  it('reads the comments on one tweet with GET t/re_list?rootid=&flag=1, paged by twitterid', async () => {
    const postId = postTweet();
    const otherPost = postTweet();
    const mine = Array.from({ length: 101 }, (_, index) =>
      platform.addComment({
        postId,
        author: `shimin${index}`,
        text: `留言${index}`,
        at: second(index),
      }),
    );
    platform.addComment({ postId: otherPost, author: 'shimin_x', text: '别的帖子', at: second(1) });

    const read = await tencent.readInbox(lead, { postId }, context());

    expect(captured.map((request) => request.url.pathname)).toEqual([
      '/api/t/re_list',
      '/api/t/re_list',
    ]);
    expect(queryOf(captured[0])).toEqual({
      ...OAUTH,
      rootid: postId,
      flag: '1',
      pageflag: '0',
      pagetime: '0',
      reqnum: '100',
      twitterid: '0',
    });
    expect(queryOf(captured[1])).toEqual({
      ...queryOf(captured[0]),
      pageflag: '1',
      pagetime: String(second(1) / 1000),
      twitterid: mine[1]?.id,
    });
    expect(read.items.map((item) => item.remoteId)).toEqual(mine.map((comment) => comment.id));
    expect(read.items.every((item) => item.kind === 'comment' && item.postId === postId)).toBe(
      true,
    );
    expect(read.cursor).toEqual({
      [`t/re_list:${postId}`]: `${second(100) / 1000}:${mine[100]?.id}`,
    });
  });
});

describe('readInbox paging by time', () => {
  it('walks back page by page with pageflag=1, pagetime and lastid of the last item, many items in one second', async () => {
    const postId = postTweet();
    // 150 comments in one second, then 10 in the next.
    const same = Array.from({ length: 150 }, (_, index) =>
      platform.addComment({
        postId,
        author: `shimin${index}`,
        text: `同一秒 ${index}`,
        at: second(10),
      }),
    );
    const later = Array.from({ length: 10 }, (_, index) =>
      platform.addComment({
        postId,
        author: `later${index}`,
        text: `下一秒 ${index}`,
        at: second(11),
      }),
    );

    const read = await tencent.readInbox(lead, { kinds: ['comment'] }, context());

    expect(read.items.map((item) => item.remoteId)).toEqual(
      [...same, ...later].map((comment) => comment.id),
    );
    expect(captured).toHaveLength(3);
    // Newest first: the 10 of second 11, then second 10 from the highest id down.
    expect(captured.map((request) => queryOf(request))).toEqual([
      expect.objectContaining({ pageflag: '0', pagetime: '0', lastid: '0' }),
      expect.objectContaining({
        pageflag: '1',
        pagetime: String(second(10) / 1000),
        lastid: same[90]?.id,
      }),
      expect.objectContaining({
        pageflag: '1',
        pagetime: String(second(10) / 1000),
        lastid: same[20]?.id,
      }),
    ]);
    expect(read.cursor).toEqual({
      [COMMENTS]: `${second(11) / 1000}:${later
        .map((comment) => comment.id)
        .reverse()
        .join(',')}`,
    });
  });

  it('pages by time, not by id: comments seeded out of time order come back oldest first', async () => {
    const postId = postTweet();
    const late = platform.addComment({ postId, author: 'a', text: '后写先到', at: second(30) });
    const early = platform.addComment({ postId, author: 'b', text: '先写后到', at: second(20) });
    const read = await tencent.readInbox(lead, { kinds: ['comment'] }, context());
    expect(read.items.map((item) => item.remoteId)).toEqual([early.id, late.id]);
  });

  it("resumes from the cursor: only the new ones, also those written later in the cursor's second", async () => {
    const postId = postTweet();
    platform.addComment({ postId, author: 'a', text: '第一条', at: second(5) });
    platform.addComment({ postId, author: 'b', text: '第二条', at: second(6) });
    const first = await tencent.readInbox(lead, { kinds: ['comment'] }, context());
    expect(first.items).toHaveLength(2);
    const newer = [
      // The same second as the newest already read.
      platform.addComment({ postId, author: 'c', text: '同一秒后到', at: second(6) }),
      platform.addComment({ postId, author: 'd', text: '更新的', at: second(7) }),
    ];
    captured = [];

    const second_ = await tencent.readInbox(
      lead,
      { kinds: ['comment'], since: first.cursor },
      context(),
    );

    expect(second_.items.map((item) => item.remoteId)).toEqual(newer.map((item) => item.id));
    expect(captured).toHaveLength(1);
    expect(second_.cursor).toEqual({ [COMMENTS]: `${second(7) / 1000}:${newer[1]?.id}` });

    captured = [];
    const third = await tencent.readInbox(
      lead,
      { kinds: ['comment'], since: second_.cursor },
      context(),
    );
    expect(third.items).toEqual([]);
    expect(third.cursor).toEqual(second_.cursor);
    expect(captured).toHaveLength(1);
  });

  it('a backlog over maxItems keeps a gap in the cursor, filled first: nothing skipped, nothing twice', async () => {
    const postId = postTweet();
    platform.addComment({ postId, author: 'old', text: '旧的', at: second(1) });
    const start = await tencent.readInbox(lead, { kinds: ['comment'] }, context());
    // 25 new comments, 12 of them in one second, the cut falling inside it.
    const backlog = Array.from({ length: 25 }, (_, index) =>
      platform.addComment({
        postId,
        author: `shimin${index}`,
        text: `积压 ${index}`,
        at: second(index < 12 ? 2 : index),
      }),
    );

    const seen: string[] = [];
    let cursor: InboxCursor = start.cursor;
    let reads = 0;
    for (;;) {
      const read = await tencent.readInbox(
        lead,
        { kinds: ['comment'], since: cursor, maxItems: 5 },
        context(),
      );
      reads += 1;
      seen.push(...read.items.map((item) => item.remoteId));
      cursor = read.cursor;
      if (reads === 1) {
        expect(read.complete).toBe(false);
        expect(cursor[`${COMMENTS}:gap`]).toMatch(/^\d+:\d+\|\d+:\d+(,\d+)*$/);
      }
      if (read.complete) break;
      expect(reads).toBeLessThan(10);
    }
    expect([...seen].sort()).toEqual(backlog.map((comment) => comment.id).sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(cursor).toEqual({ [COMMENTS]: `${second(24) / 1000}:${backlog[24]?.id}` });

    const later = platform.addComment({ postId, author: 'new', text: '新的', at: second(40) });
    const next = await tencent.readInbox(lead, { kinds: ['comment'], since: cursor }, context());
    expect(next.items.map((item) => item.remoteId)).toEqual([later.id]);
  });

  it('a cut inside the newest second: the rest of that second comes from the gap, then only what is new', async () => {
    const postId = postTweet();
    platform.addComment({ postId, author: 'old', text: '旧的', at: second(1) });
    const start = await tencent.readInbox(lead, { kinds: ['comment'] }, context());
    const burst = Array.from({ length: 9 }, (_, index) =>
      platform.addComment({ postId, author: `s${index}`, text: `同秒 ${index}`, at: second(3) }),
    );
    const first = await tencent.readInbox(
      lead,
      { kinds: ['comment'], since: start.cursor, maxItems: 4 },
      context(),
    );
    expect(first.complete).toBe(false);
    const arrived = platform.addComment({
      postId,
      author: 'late',
      text: '同秒后到',
      at: second(3),
    });
    const rest = await tencent.readInbox(
      lead,
      { kinds: ['comment'], since: first.cursor },
      context(),
    );
    expect(rest.complete).toBe(true);
    const all = [...first.items, ...rest.items].map((item) => item.remoteId);
    expect([...all].sort()).toEqual([...burst, arrived].map((item) => item.id).sort());
    expect(new Set(all).size).toBe(all.length);
    const again = await tencent.readInbox(
      lead,
      { kinds: ['comment'], since: rest.cursor },
      context(),
    );
    expect(again.items).toEqual([]);
  });

  it('without a cursor, reads the newest maxItems and starts from the newest', async () => {
    const postId = postTweet();
    const seeded = Array.from({ length: 8 }, (_, index) =>
      platform.addComment({ postId, author: 'a', text: `留言 ${index}`, at: second(index) }),
    );
    const read = await tencent.readInbox(lead, { kinds: ['comment'], maxItems: 3 }, context());
    expect(read.items.map((item) => item.remoteId)).toEqual(
      seeded.slice(5).map((comment) => comment.id),
    );
    expect(read.cursor).toEqual({ [COMMENTS]: `${second(7) / 1000}:${seeded[7]?.id}` });
    expect(read.complete).toBe(true);
  });
});

describe('readInbox against a gateway that answers its own way', () => {
  const tweet = (id: string, openid: string, timestamp: number | string) => ({
    id,
    openid,
    name: 'someone',
    nick: '某人',
    origtext: `微博 ${id}`,
    text: `微博 ${id}`,
    timestamp,
    type: 7,
    source: { id: '9300000000000000001' },
  });

  it("passes over the account's own tweets, reads digit-string timestamps and info: [] as the end", async () => {
    let calls = 0;
    server.use(
      http.get(`${API}statuses/mentions_timeline`, () => {
        calls += 1;
        return HttpResponse.json({
          ret: 0,
          errcode: 0,
          msg: 'ok',
          data:
            calls === 1
              ? {
                  hasnext: 0,
                  info: [
                    tweet('9300000000000000009', LEAD_OPENID, 1764118802),
                    tweet('9300000000000000008', 'C1A2B3', '1764118801'),
                  ],
                }
              : { hasnext: 0, info: [] },
        });
      }),
    );
    const read = await tencent.readInbox(lead, { kinds: ['comment'] }, context());
    expect(read.items.map((item) => [item.remoteId, item.at])).toEqual([
      ['9300000000000000008', new Date(1764118801 * 1000).toISOString()],
    ]);
    expect(calls).toBe(2);
  });

  it('a next page that does not move back is malformed, not an endless walk', async () => {
    server.use(
      http.get(`${API}statuses/mentions_timeline`, () =>
        HttpResponse.json({
          ret: 0,
          errcode: 0,
          msg: 'ok',
          data: { hasnext: 0, info: [tweet('9300000000000000008', 'C1A2B3', 1764118801)] },
        }),
      ),
    );
    const error = await failure(tencent.readInbox(lead, { kinds: ['comment'] }, context()));
    expect(error.code).toBe('TRANSIENT');
    expect(captured.length).toBe(2);
  });
});

describe('readInbox errors', () => {
  it('maps an expired token (ret=3 errcode=4) to AUTH_EXPIRED without the token or app key', async () => {
    platform.expireToken(LEAD_TOKEN);
    const error = await failure(tencent.readInbox(lead, {}, context()));
    expect(error).toMatchObject({ code: 'AUTH_EXPIRED', platform: 'tencent' });
    expect(error.platformCode).toBe('ret=3 errcode=4');
    expect(error.message).not.toContain(LEAD_TOKEN);
    expect(error.message).not.toContain(APP_KEY);
    expect(captured).toHaveLength(1);
  });

  it('maps ret=2 to RATE_LIMITED and stops reading', async () => {
    platform.injectFault({
      kind: 'error-before-apply',
      endpoint: 'statuses/mentions_timeline',
      ret: 2,
    });
    const error = await failure(tencent.readInbox(lead, {}, context()));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(60_000);
    expect(captured).toHaveLength(1);
  });

  it('a tweet that is gone: t/re_list answers ret=4 errcode=6', async () => {
    const error = await failure(
      tencent.readInbox(lead, { postId: '9300000000000099999' }, context()),
    );
    expect(error).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: 'ret=4 errcode=6' });
  });

  it('refuses a bad request, or missing settings, before sending anything', async () => {
    const error = await failure(
      tencent.readInbox(
        lead,
        { postId: 'abc', maxItems: 0, since: { [COMMENTS]: '12:ab', [`${COMMENTS}:gap`]: '1:2' } },
        context(),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'postId',
      'maxItems',
      `since.${COMMENTS}`,
      `since.${COMMENTS}:gap`,
    ]);
    const noIp = createTencentAdapter({ appKey: APP_KEY });
    expect((await failure(noIp.readInbox(lead, {}, context()))).code).toBe('INVALID_INPUT');
    expect(
      (await failure(tencent.readInbox(lead, {}, { ...context(), credentials: {} }))).code,
    ).toBe('AUTH_INVALID');
    expect(captured).toHaveLength(0);
  });
});
