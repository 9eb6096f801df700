/**
 * Replying on Weibo against the msw handlers: the exact `comments/reply` form, the look-up over
 * `comments/by_me`, and how refusals and lost answers are classified.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, InboxItem, InboxReplyContext } from '#core';
import { WEIBO_REPLY_LOOKUP_MAX_ITEMS, createWeiboAdapter } from '../../adapters/weibo/index.js';
import { weiboHandlers } from '../../adapters/weibo/fake/msw.js';
import { WeiboPlatform, handleWeiboRequest } from '../../adapters/weibo/fake/protocol.js';

const API = 'https://api.weibo.com/2/';
const SITE = 'www.beijing.gov.cn';
const TOKEN = '2.00LeadTokenForReplyTests001';
const UID = '2418724427';

const lead: Account = {
  id: 'beijing-fabu/weibo',
  memberId: 'beijing-fabu',
  platform: 'weibo',
  handle: '北京发布',
  credentials: 'weibo-beijing-fabu',
  settings: { uid: UID },
};

const platform = new WeiboPlatform({ safeDomain: SITE });
platform.addAccount({ uid: UID, screenName: '北京发布', accessToken: TOKEN });

const server = setupServer(...weiboHandlers(platform));

interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: Promise<string>;
}
let captured: Captured[] = [];
server.events.on('request:start', ({ request }) => {
  captured.push({
    method: request.method,
    url: new URL(request.url),
    headers: request.headers,
    body: request.clone().text(),
  });
});

const weibo = createWeiboAdapter({ rip: '203.0.113.7' });

function context(requestTimeoutMs = 2_000): InboxReplyContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: TOKEN },
    now: new Date(),
    logger: silentLogger,
    requestTimeoutMs,
    idempotencyKey: 'reply:test',
  };
}

function postStatus(): string {
  const answer = handleWeiboRequest(platform, {
    method: 'POST',
    path: '/2/statuses/share.json',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      access_token: TOKEN,
      status: `【通知】今日道路通行正常。详见 https://${SITE}/n/1.html`,
      rip: '203.0.113.7',
    }).toString(),
  });
  expect(answer.status).toBe(200);
  const last = platform.livePostsOf(UID).at(-1);
  if (last === undefined) throw new Error('no status posted');
  return last.id;
}

function itemOf(comment: {
  id: string;
  statusId: string;
  authorName: string;
  text: string;
}): InboxItem {
  return {
    platform: 'weibo',
    accountId: lead.id,
    kind: 'comment',
    remoteId: comment.id,
    postId: comment.statusId,
    author: { name: comment.authorName },
    text: comment.text,
    at: '2026-11-26T02:00:00.000Z',
  };
}

function seed(): InboxItem {
  const statusId = postStatus();
  return itemOf(
    platform.addComment({ statusId, authorName: '市民甲', text: '地铁今晚是否运营？' }),
  );
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

/** The account's own comments, as the fake holds them. */
function ownReplies() {
  return platform.comments().filter((comment) => comment.authorId === UID);
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  captured = [];
});
afterEach(() => {
  platform.reset();
});
afterAll(() => server.close());

describe('replyToInbox', () => {
  it('sends POST comments/reply.json with exactly cid, id, comment, the flags, rip and the token in the body', async () => {
    const item = seed();
    const result = await weibo.replyToInbox(lead, item, '您好，今晚地铁正常运营。', context());

    expect(captured).toHaveLength(1);
    const [request] = captured;
    expect(request?.method).toBe('POST');
    expect(`${request?.url.origin}${request?.url.pathname}`).toBe(`${API}comments/reply.json`);
    expect(request?.url.search).toBe('');
    expect(request?.headers.get('content-type')).toBe(
      'application/x-www-form-urlencoded;charset=UTF-8',
    );
    expect(request?.headers.get('authorization')).toBeNull();
    const form = new URLSearchParams(await request?.body);
    expect([...form.keys()]).toEqual([
      'access_token',
      'cid',
      'id',
      'comment',
      'without_mention',
      'comment_ori',
      'rip',
    ]);
    expect(Object.fromEntries(form)).toEqual({
      access_token: TOKEN,
      cid: item.remoteId,
      id: item.postId,
      comment: '您好，今晚地铁正常运营。',
      without_mention: '0',
      comment_ori: '0',
      rip: '203.0.113.7',
    });

    const [stored] = ownReplies();
    expect(ownReplies()).toHaveLength(1);
    expect(result.remoteId).toBe(stored?.id);
    expect(BigInt(result.remoteId)).toBeGreaterThan(2n ** 53n);
    expect(stored).toMatchObject({
      statusId: item.postId,
      replyToId: item.remoteId,
      text: '回复@市民甲:您好，今晚地铁正常运营。',
    });
    expect(result.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('refuses before sending: no rip, text over 140, an empty text, a mentioning post', async () => {
    const item = seed();
    const noRip = createWeiboAdapter();
    expect((await failure(noRip.replyToInbox(lead, item, '您好', context()))).code).toBe(
      'INVALID_INPUT',
    );
    expect((await failure(weibo.replyToInbox(lead, item, '长'.repeat(141), context()))).code).toBe(
      'INVALID_INPUT',
    );
    expect((await failure(weibo.replyToInbox(lead, item, '  ', context()))).code).toBe(
      'INVALID_INPUT',
    );
    const post = { ...item, kind: 'mention' as const, postId: item.remoteId };
    expect((await failure(weibo.replyToInbox(lead, post, '您好', context()))).issues).toEqual([
      expect.objectContaining({ path: 'item.kind' }),
    ]);
    expect(captured).toHaveLength(0);
  });

  it('maps the comment errors: 20201 unknown comment, 10024 hourly cap', async () => {
    const item = seed();
    const unknown = await failure(
      weibo.replyToInbox(lead, { ...item, remoteId: '4999999999999999999' }, '您好', context()),
    );
    expect(unknown).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: '20201' });
    platform.injectFault({
      kind: 'error-before-apply',
      endpoint: 'comments/reply',
      errorCode: 10024,
    });
    const limited = await failure(weibo.replyToInbox(lead, item, '您好', context()));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(ownReplies()).toHaveLength(0);
  });

  it('throws AMBIGUOUS when the answer is lost after the platform stored the reply', async () => {
    const item = seed();
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'comments/reply' });
    const lost = await failure(weibo.replyToInbox(lead, item, '已转交相关部门。', context()));
    expect(lost.code).toBe('AMBIGUOUS');
    expect(ownReplies()).toHaveLength(1);
  });

  it('throws DUPLICATE_CONTENT when Weibo ignores a text equal to the last comment on another item', async () => {
    const item = seed();
    await weibo.replyToInbox(lead, item, '感谢关注。', context());
    const other = itemOf(
      platform.addComment({ statusId: item.postId ?? '', authorName: '市民甲', text: '还有吗？' }),
    );
    const ignored = await failure(weibo.replyToInbox(lead, other, '感谢关注。', context()));
    expect(ignored.code).toBe('DUPLICATE_CONTENT');
    expect(ownReplies()).toHaveLength(1);
  });
});

describe('findInboxReply', () => {
  it('finds the reply with or without the prefix over GET comments/by_me.json, token in the header', async () => {
    const item = seed();
    const sent = await weibo.replyToInbox(lead, item, '您好，今晚地铁正常运营。', context());
    captured = [];
    const found = await weibo.findInboxReply(lead, item, '您好，今晚地铁正常运营。', context());
    expect(found).toMatchObject({ found: true, remoteId: sent.remoteId });
    expect(captured).toHaveLength(1);
    expect(captured[0]?.method).toBe('GET');
    expect(captured[0]?.url.pathname).toBe('/2/comments/by_me.json');
    expect(Object.fromEntries(captured[0]?.url.searchParams ?? [])).toEqual({ count: '50' });
    expect(captured[0]?.headers.get('authorization')).toBe(`OAuth2 ${TOKEN}`);
    expect(await weibo.findInboxReply(lead, item, '另一段话', context())).toEqual({
      found: false,
    });
  });

  it('walks back with max_id = lowest − 1 and stops at the bound', async () => {
    const statusId = postStatus();
    const target = itemOf(platform.addComment({ statusId, authorName: '市民甲', text: '问题' }));
    await weibo.replyToInbox(lead, target, '答复', context());
    // 60 later replies to other comments push the answer to the second page.
    for (let index = 0; index < 59; index += 1) {
      const other = itemOf(
        platform.addComment({ statusId, authorName: '市民乙', text: `问${index}` }),
      );
      await weibo.replyToInbox(lead, other, `答复${index}`, context());
    }
    captured = [];
    const found = await weibo.findInboxReply(lead, target, '答复', context());
    expect(found.found).toBe(true);
    expect(captured).toHaveLength(2);
    const lowest = ownReplies().at(-50)?.id ?? '';
    expect(captured[1]?.url.searchParams.get('max_id')).toBe((BigInt(lowest) - 1n).toString());
  });

  it('past its bound without reaching the item’s time, says it cannot tell (AMBIGUOUS), not "not found"', async () => {
    const statusId = postStatus();
    const target = itemOf(platform.addComment({ statusId, authorName: '市民甲', text: '问题' }));
    platform.advanceClock(1_000);
    // 200 replies to later comments, an hour apart every 50 (Weibo's hourly comment cap).
    for (let index = 0; index < WEIBO_REPLY_LOOKUP_MAX_ITEMS; index += 1) {
      if (index % 50 === 0) platform.advanceClock(3_600_000);
      const other = itemOf(
        platform.addComment({ statusId, authorName: '市民乙', text: `问${index}` }),
      );
      await weibo.replyToInbox(lead, other, `答复${index}`, context());
    }
    captured = [];
    await expect(weibo.findInboxReply(lead, target, '答复', context())).rejects.toMatchObject({
      code: 'AMBIGUOUS',
    });
    expect(captured).toHaveLength(WEIBO_REPLY_LOOKUP_MAX_ITEMS / 50);
  });
});
