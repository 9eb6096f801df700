/**
 * Reading a Weibo inbox (comments and mentions) against the msw handlers: every request is
 * captured and checked as the platform would check it, and the cursor walks are checked page by
 * page.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, InboxContext, InboxItem } from '#core';
import { createWeiboAdapter } from '../../adapters/weibo/index.js';
import { weiboHandlers } from '../../adapters/weibo/fake/msw.js';
import { WeiboPlatform, handleWeiboRequest } from '../../adapters/weibo/fake/protocol.js';

const API = 'https://api.weibo.com/2/';
const SITE = 'www.beijing.gov.cn';
const LEAD_TOKEN = '2.00LeadTokenForInboxTests01';
const MEMBER_TOKEN = '2.00MemberTokenForInboxTest2';

const lead: Account = {
  id: 'beijing-fabu/weibo',
  memberId: 'beijing-fabu',
  platform: 'weibo',
  handle: '北京发布',
  credentials: 'weibo-beijing-fabu',
  settings: { uid: '2418724427' },
};

const platform = new WeiboPlatform({ safeDomain: SITE });
platform.addAccount({ uid: '2418724427', screenName: '北京发布', accessToken: LEAD_TOKEN });
platform.addAccount({ uid: '7132135868', screenName: '平安北京', accessToken: MEMBER_TOKEN });

const server = setupServer(...weiboHandlers(platform));

interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
}
let captured: Captured[] = [];
server.events.on('request:start', ({ request }) => {
  captured.push({ method: request.method, url: new URL(request.url), headers: request.headers });
});

const weibo = createWeiboAdapter({ rip: '203.0.113.7' });

function context(token = LEAD_TOKEN): InboxContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: token },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
  };
}

let posted = 0;
/** Posts a status on an account straight through the protocol (no HTTP), returns its idstr. */
function postStatus(uid: string, token: string): string {
  posted += 1;
  const answer = handleWeiboRequest(platform, {
    method: 'POST',
    path: '/2/statuses/share.json',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      access_token: token,
      status: `【通知】第${posted}号：今日道路通行正常。详见 https://${SITE}/n/${posted}.html`,
      rip: '203.0.113.7',
    }).toString(),
  });
  expect(answer.status).toBe(200);
  const last = platform.livePostsOf(uid).at(-1);
  if (last === undefined) throw new Error('no status posted');
  return last.id;
}

/** The query of a captured request, as a plain object. */
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

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  captured = [];
});
afterEach(() => {
  platform.reset();
  platform.configure({ requestLimit: undefined });
});
afterAll(() => server.close());

describe('readInbox requests', () => {
  it('sends GET comments/to_me.json with count, the token in the header, then max_id = last − 1', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    const first = platform.addComment({ statusId, authorName: '市民甲', text: '几点恢复通行？' });
    const second = platform.addComment({ statusId, authorName: '市民乙', text: '辛苦了' });

    const read = await weibo.readInbox(lead, { kinds: ['comment'] }, context());

    expect(captured).toHaveLength(2);
    for (const request of captured) {
      expect(request.method).toBe('GET');
      expect(`${request.url.origin}${request.url.pathname}`).toBe(`${API}comments/to_me.json`);
      expect(request.headers.get('authorization')).toBe(`OAuth2 ${LEAD_TOKEN}`);
      expect(request.url.searchParams.has('access_token')).toBe(false);
    }
    expect(queryOf(captured[0])).toEqual({ count: '50' });
    expect(queryOf(captured[1])).toEqual({
      count: '50',
      max_id: (BigInt(first.id) - 1n).toString(),
    });
    expect(read.items.map((item) => item.remoteId)).toEqual([first.id, second.id]);
    expect(read.cursor).toEqual({ 'comments/to_me': second.id });
    expect(read.complete).toBe(true);
  });

  it('normalises a comment: ids as exact strings beyond 2^53, author, reply, ISO time', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    const at = new Date('2026-03-01T02:03:04.000Z');
    const asked = platform.addComment({
      statusId,
      authorName: '市民甲',
      text: '请问地铁几号线停运？',
      at,
    });
    const reply = platform.addComment({
      statusId,
      authorName: '市民乙',
      authorId: '9007199254740993',
      text: '回复@市民甲:1号线',
      at: at.getTime() + 60_000,
      replyToCommentId: asked.id,
    });

    const { items } = await weibo.readInbox(lead, { kinds: ['comment'] }, context());

    expect(BigInt(reply.id)).toBeGreaterThan(2n ** 53n);
    expect(items[1]).toEqual<InboxItem>({
      platform: 'weibo',
      accountId: lead.id,
      kind: 'comment',
      remoteId: reply.id,
      postId: statusId,
      replyToId: asked.id,
      author: { id: '9007199254740993', name: '市民乙' },
      text: '回复@市民甲:1号线',
      at: '2026-03-01T02:04:04.000Z',
    });
    expect(items[0]).toMatchObject({ remoteId: asked.id, at: at.toISOString() });
    expect(items[0]).not.toHaveProperty('replyToId');
  });

  it('reads comments/mentions and statuses/mentions as mentions, a comment in two lists once', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    const otherStatus = postStatus('7132135868', MEMBER_TOKEN);
    const onOwn = platform.addComment({ statusId, authorName: '市民甲', text: '@北京发布 请回复' });
    const elsewhere = platform.addComment({
      statusId: otherStatus,
      authorName: '市民乙',
      text: '@北京发布 这里也要看看',
    });
    const post = platform.addMention({ authorName: '市民丙', text: '@北京发布 路口积水严重' });

    const read = await weibo.readInbox(lead, {}, context());

    const endpoints = captured.map((request) => request.url.pathname);
    expect(endpoints).toEqual([
      '/2/comments/to_me.json',
      '/2/comments/to_me.json',
      '/2/comments/mentions.json',
      '/2/comments/mentions.json',
      '/2/statuses/mentions.json',
      '/2/statuses/mentions.json',
    ]);
    expect(queryOf(captured[4])).toEqual({ count: '200' });
    expect(read.items.map((item) => [item.kind, item.remoteId, item.postId])).toEqual([
      ['comment', onOwn.id, statusId],
      ['mention', elsewhere.id, otherStatus],
      ['mention', post.id, post.id],
    ]);
    expect(read.cursor).toEqual({
      'comments/to_me': onOwn.id,
      'comments/mentions': elsewhere.id,
      'statuses/mentions': post.id,
    });
  });

  it('reads the comments on one status with GET comments/show.json?id=', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    const other = postStatus('2418724427', LEAD_TOKEN);
    const mine = platform.addComment({ statusId, authorName: '市民甲', text: '收到' });
    platform.addComment({ statusId: other, authorName: '市民乙', text: '别的帖子' });

    const read = await weibo.readInbox(lead, { postId: statusId }, context());

    expect(captured[0]?.url.pathname).toBe('/2/comments/show.json');
    expect(queryOf(captured[0])).toEqual({ id: statusId, count: '50' });
    expect(read.items.map((item) => item.remoteId)).toEqual([mine.id]);
    expect(read.cursor).toEqual({ [`comments/show:${statusId}`]: mine.id });
  });
});

describe('readInbox paging', () => {
  it('walks many pages back, every comment once, oldest first', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    const seeded = Array.from({ length: 120 }, (_, index) =>
      platform.addComment({ statusId, authorName: `市民${index}`, text: `留言 ${index}` }),
    );

    const read = await weibo.readInbox(lead, { kinds: ['comment'] }, context());

    expect(read.items.map((item) => item.remoteId)).toEqual(seeded.map((comment) => comment.id));
    expect(captured).toHaveLength(4);
    expect(captured.map((request) => request.url.searchParams.get('max_id'))).toEqual([
      null,
      (BigInt(seeded[70]?.id ?? '0') - 1n).toString(),
      (BigInt(seeded[20]?.id ?? '0') - 1n).toString(),
      (BigInt(seeded[0]?.id ?? '0') - 1n).toString(),
    ]);
  });

  it('resumes from the saved cursor with since_id and returns only newer items', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    platform.addComment({ statusId, authorName: '市民甲', text: '第一条' });
    const first = await weibo.readInbox(lead, { kinds: ['comment'] }, context());
    const newer = [
      platform.addComment({ statusId, authorName: '市民乙', text: '第二条' }),
      platform.addComment({ statusId, authorName: '市民丙', text: '第三条' }),
    ];
    captured = [];

    const second = await weibo.readInbox(
      lead,
      { kinds: ['comment'], since: first.cursor },
      context(),
    );

    expect(queryOf(captured[0])).toEqual({
      count: '50',
      since_id: first.cursor['comments/to_me'],
    });
    expect(second.items.map((item) => item.remoteId)).toEqual(newer.map((comment) => comment.id));
    expect(second.cursor).toEqual({ 'comments/to_me': newer[1]?.id });

    captured = [];
    const third = await weibo.readInbox(
      lead,
      { kinds: ['comment'], since: second.cursor },
      context(),
    );
    expect(third.items).toEqual([]);
    expect(third.cursor).toEqual(second.cursor);
    expect(captured).toHaveLength(1);
  });

  it('a read cut at maxItems keeps the unread stretch in the cursor: nothing skipped, nothing twice', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    platform.addComment({ statusId, authorName: '市民', text: '旧的' });
    const start = await weibo.readInbox(lead, { kinds: ['comment'] }, context());
    const backlog = Array.from({ length: 25 }, (_, index) =>
      platform.addComment({ statusId, authorName: `市民${index}`, text: `积压 ${index}` }),
    );

    const seen: string[] = [];
    let cursor = start.cursor;
    let reads = 0;
    for (;;) {
      const read = await weibo.readInbox(
        lead,
        { kinds: ['comment'], since: cursor, maxItems: 10 },
        context(),
      );
      reads += 1;
      seen.push(...read.items.map((item) => item.remoteId));
      cursor = read.cursor;
      if (read.complete) break;
      expect(reads).toBeLessThan(5);
    }
    expect([...seen].sort()).toEqual(backlog.map((comment) => comment.id).sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(cursor).toEqual({ 'comments/to_me': backlog.at(-1)?.id });

    const later = platform.addComment({ statusId, authorName: '市民', text: '新的' });
    const next = await weibo.readInbox(lead, { kinds: ['comment'], since: cursor }, context());
    expect(next.items.map((item) => item.remoteId)).toEqual([later.id]);
  });

  it('without a cursor, reads the newest maxItems and starts from the newest', async () => {
    const statusId = postStatus('2418724427', LEAD_TOKEN);
    const seeded = Array.from({ length: 8 }, (_, index) =>
      platform.addComment({ statusId, authorName: '市民', text: `留言 ${index}` }),
    );
    const read = await weibo.readInbox(lead, { kinds: ['comment'], maxItems: 3 }, context());
    expect(read.items.map((item) => item.remoteId)).toEqual(
      seeded.slice(5).map((comment) => comment.id),
    );
    expect(read.cursor).toEqual({ 'comments/to_me': seeded[7]?.id });
    expect(read.complete).toBe(true);
  });
});

describe('readInbox errors', () => {
  it('maps an expired token (21327) to AUTH_EXPIRED without the token', async () => {
    platform.expireToken(LEAD_TOKEN);
    const error = await failure(weibo.readInbox(lead, {}, context()));
    expect(error).toMatchObject({ code: 'AUTH_EXPIRED', platformCode: '21327', platform: 'weibo' });
    expect(error.message).not.toContain(LEAD_TOKEN);
    expect(captured).toHaveLength(1);
  });

  it('maps the user call limit (10023) to RATE_LIMITED and stops reading', async () => {
    platform.configure({ requestLimit: { calls: 1, windowMs: 3_600_000, retryAfterSeconds: 30 } });
    const error = await failure(weibo.readInbox(lead, {}, context()));
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      platformCode: '10023',
      retryAfterMs: 30_000,
    });
    expect(captured).toHaveLength(2);
  });

  it('refuses a bad request before sending anything', async () => {
    const error = await failure(
      weibo.readInbox(
        lead,
        { postId: 'abc', maxItems: 0, since: { 'comments/to_me': '1e3' } },
        context(),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(captured).toHaveLength(0);
  });

  it('refuses a read without the access token, as AUTH_INVALID', async () => {
    const error = await failure(weibo.readInbox(lead, {}, { ...context(), credentials: {} }));
    expect(error.code).toBe('AUTH_INVALID');
    expect(captured).toHaveLength(0);
  });
});
