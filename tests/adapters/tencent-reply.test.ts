/**
 * Replying on Tencent Weibo against the msw handlers: the exact `t/reply` form, the look-up over
 * `statuses/broadcast_timeline`, and how refusals and lost answers are classified, checked
 * against what the fake platform holds.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, InboxItem, InboxReplyContext } from '#core';
import { createTencentAdapter } from '../../adapters/tencent/index.js';
import { tencentHandlers } from '../../adapters/tencent/fake/msw.js';
import { TencentPlatform, handleTencentRequest } from '../../adapters/tencent/fake/protocol.js';

const API = 'https://open.t.qq.com/api/';
const APP_KEY = '801000001';
const CLIENT_IP = '203.0.113.7';
const OPENID = 'B624064BA065E01CB73F835017FE96FA';
const TOKEN = 'LeadTencentTokenForReply0001';
const OAUTH = {
  oauth_consumer_key: APP_KEY,
  access_token: TOKEN,
  openid: OPENID,
  clientip: CLIENT_IP,
  oauth_version: '2.a',
  scope: 'all',
  format: 'json',
};

const lead: Account = {
  id: 'beijing-fabu/tencent',
  memberId: 'beijing-fabu',
  platform: 'tencent',
  handle: 'beijingfabu',
  credentials: 'tencent-beijing-fabu',
  settings: { openid: OPENID },
};

const platform = new TencentPlatform();
platform.addAccount({
  openid: OPENID,
  name: 'beijingfabu',
  nick: '北京发布',
  accessToken: TOKEN,
  appKey: APP_KEY,
});

const server = setupServer(...tencentHandlers(platform));

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

const tencent = createTencentAdapter({ appKey: APP_KEY, clientIp: CLIENT_IP });

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

let posted = 0;
function postTweet(): string {
  posted += 1;
  const answer = handleTencentRequest(platform, {
    method: 'POST',
    path: '/api/t/add',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      content: `【通知】第${posted}号：今日道路通行正常。`,
      ...OAUTH,
    }).toString(),
  });
  expect(answer.status).toBe(200);
  return (JSON.parse(String(answer.body)) as { data: { id: string } }).data.id;
}

function seed(text = '地铁今晚是否运营？'): InboxItem {
  const postId = postTweet();
  const comment = platform.addComment({ postId, author: 'shimin_a', nick: '市民甲', text });
  return {
    platform: 'tencent',
    accountId: lead.id,
    kind: 'comment',
    remoteId: comment.id,
    postId,
    author: { id: 'shimin_a', name: '市民甲' },
    text,
    at: comment.createdAt.toISOString(),
  };
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
  platform.clearFaults();
});
afterAll(() => server.close());

describe('replyToInbox', () => {
  it('sends POST t/reply, form-encoded, with exactly content, reid and the OAuth parameters', async () => {
    const item = seed();
    const result = await tencent.replyToInbox(lead, item, '您好，今晚地铁正常运营。', context());

    expect(captured).toHaveLength(1);
    const [request] = captured;
    expect(request?.method).toBe('POST');
    expect(`${request?.url.origin}${request?.url.pathname}`).toBe(`${API}t/reply`);
    expect(request?.url.search).toBe('');
    expect(request?.headers.get('content-type')).toBe(
      'application/x-www-form-urlencoded;charset=UTF-8',
    );
    const form = new URLSearchParams(await request?.body);
    expect([...form.keys()]).toEqual(['content', 'reid', ...Object.keys(OAUTH)]);
    expect(Object.fromEntries(form)).toEqual({
      content: '您好，今晚地铁正常运营。',
      reid: item.remoteId,
      ...OAUTH,
    });

    const answers = platform.answersTo(item.remoteId);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      id: result.remoteId,
      kind: 'reply',
      openid: OPENID,
      text: '您好，今晚地铁正常运营。',
    });
    expect(BigInt(result.remoteId)).toBeGreaterThan(2n ** 53n);
    expect(result.at).toBe(new Date(Math.floor(platform.now() / 1000) * 1000).toISOString());
  });

  it('puts the OAuth parameters in the query when oauthParamsIn is query', async () => {
    const item = seed();
    const queryPlaced = createTencentAdapter({
      appKey: APP_KEY,
      clientIp: CLIENT_IP,
      oauthParamsIn: 'query',
    });
    await queryPlaced.replyToInbox(lead, item, '您好', context());
    expect(Object.fromEntries(captured[0]?.url.searchParams ?? [])).toEqual(OAUTH);
    expect(Object.fromEntries(new URLSearchParams(await captured[0]?.body))).toEqual({
      content: '您好',
      reid: item.remoteId,
    });
    expect(platform.requests().at(-1)?.oauthFrom).toBe('query');
  });

  it('answers a mention too; refuses before sending: over 420 bytes, empty, a message, no clientip', async () => {
    const mention = platform.addMention({ author: 'shimin_b', text: '@beijingfabu 路口积水' });
    const item = seed();
    await tencent.replyToInbox(
      lead,
      { ...item, kind: 'mention', remoteId: mention.id, postId: mention.id },
      '已转交。',
      context(),
    );
    expect(platform.answersTo(mention.id)).toHaveLength(1);
    captured = [];

    const long = await failure(tencent.replyToInbox(lead, item, '长'.repeat(141), context()));
    expect(long.code).toBe('INVALID_INPUT');
    expect(long.issues[0]?.message).toContain('423');
    expect((await failure(tencent.replyToInbox(lead, item, '  ', context()))).code).toBe(
      'INVALID_INPUT',
    );
    const message = await failure(
      tencent.replyToInbox(lead, { ...item, kind: 'message' }, '您好', context()),
    );
    expect(message.issues).toEqual([expect.objectContaining({ path: 'item.kind' })]);
    const noIp = createTencentAdapter({ appKey: APP_KEY });
    const missing = await failure(noIp.replyToInbox(lead, item, '您好', context()));
    expect(missing.issues[0]?.path).toBe('platforms.tencent.settings.clientIp');
    // 140 Chinese characters are exactly 420 bytes: allowed.
    await tencent.replyToInbox(lead, item, '长'.repeat(140), context());
    expect(captured).toHaveLength(1);
  });

  it('maps refusals: a tweet gone (ret=4 errcode=6), a duplicate (errcode=13), an expired token', async () => {
    const item = seed();
    const gone = await failure(
      tencent.replyToInbox(lead, { ...item, remoteId: '9300000000000099999' }, '您好', context()),
    );
    expect(gone).toMatchObject({ code: 'CONTENT_REJECTED', platformCode: 'ret=4 errcode=6' });

    await tencent.replyToInbox(lead, item, '感谢关注。', context());
    const again = await failure(tencent.replyToInbox(lead, item, '感谢关注。', context()));
    expect(again).toMatchObject({ code: 'DUPLICATE_CONTENT', platformCode: 'ret=4 errcode=13' });

    platform.injectFault({ kind: 'token-expired', endpoint: 't/reply' });
    const expired = await failure(tencent.replyToInbox(lead, item, '另一段话', context()));
    expect(expired).toMatchObject({ code: 'AUTH_EXPIRED', platformCode: 'ret=3 errcode=4' });
    expect(expired.message).not.toContain(TOKEN);
    expect(platform.answersTo(item.remoteId)).toHaveLength(1);
  });

  it('maps the rate-limit signals ret=2 and ret=4 errcode=10 to RATE_LIMITED; nothing is stored', async () => {
    const item = seed();
    platform.injectFault({ kind: 'error-before-apply', endpoint: 't/reply', ret: 2 });
    platform.injectFault({ kind: 'error-before-apply', endpoint: 't/reply', ret: 4, errcode: 10 });
    const first = await failure(tencent.replyToInbox(lead, item, '您好', context()));
    const second = await failure(tencent.replyToInbox(lead, item, '您好', context()));
    expect([first.code, second.code]).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect([first.platformCode, second.platformCode]).toEqual([
      'ret=2 errcode=0',
      'ret=4 errcode=10',
    ]);
    expect(first.retryAfterMs).toBe(60_000);
    expect(platform.answersTo(item.remoteId)).toHaveLength(0);
  });

  it("answers count toward the account's tweet limit: over it, ret=4 errcode=10 or ret=2 is RATE_LIMITED", async () => {
    const item = seed();
    platform.configure({ rateLimit: { posts: 2, windowMs: 3_600_000 } });
    try {
      // The seed's own tweet and one answer fill the window of two.
      await tencent.replyToInbox(lead, item, '第一条答复', context());
      const refused = await failure(tencent.replyToInbox(lead, item, '第二条答复', context()));
      expect(refused).toMatchObject({ code: 'RATE_LIMITED', platformCode: 'ret=4 errcode=10' });
      platform.configure({ rateLimit: { posts: 2, windowMs: 3_600_000, reply: 'ret-2' } });
      const limited = await failure(tencent.replyToInbox(lead, item, '第二条答复', context()));
      expect(limited).toMatchObject({ code: 'RATE_LIMITED', platformCode: 'ret=2 errcode=0' });
      expect(platform.answersTo(item.remoteId)).toHaveLength(1);
      platform.advanceClock(3_600_001);
      await tencent.replyToInbox(lead, item, '第二条答复', context());
      expect(platform.answersTo(item.remoteId)).toHaveLength(2);
    } finally {
      platform.configure({ rateLimit: undefined });
    }
  });

  it('a timeout after the platform stored the reply is AMBIGUOUS; findInboxReply then finds it', async () => {
    const item = seed();
    platform.injectFault({ kind: 'timeout-after-apply', endpoint: 't/reply', hangMs: 5_000 });
    const lost = await failure(tencent.replyToInbox(lead, item, '已转交相关部门。', context(100)));
    expect(lost.code).toBe('AMBIGUOUS');
    const stored = platform.answersTo(item.remoteId);
    expect(stored).toHaveLength(1);

    const found = await tencent.findInboxReply(lead, item, '已转交相关部门。', context());
    expect(found).toEqual({
      found: true,
      remoteId: stored[0]?.id,
      at: new Date(Math.floor((stored[0]?.createdAt.getTime() ?? 0) / 1000) * 1000).toISOString(),
    });
  });

  it('a 5xx before the platform took it is AMBIGUOUS too, and the look-up finds nothing', async () => {
    const item = seed();
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 't/reply' });
    const lost = await failure(tencent.replyToInbox(lead, item, '您好', context()));
    expect(lost.code).toBe('AMBIGUOUS');
    expect(platform.answersTo(item.remoteId)).toHaveLength(0);
    expect(await tencent.findInboxReply(lead, item, '您好', context())).toEqual({ found: false });
  });
});

describe('findInboxReply', () => {
  it('reads GET statuses/broadcast_timeline?type=8 and matches the source tweet and the text', async () => {
    const item = seed();
    const other = seed('另一个问题');
    const sent = await tencent.replyToInbox(
      lead,
      item,
      '详见 https://www.beijing.gov.cn/n/1.html',
      context(),
    );
    await tencent.replyToInbox(lead, other, '别的答复', context());
    captured = [];

    const found = await tencent.findInboxReply(
      lead,
      item,
      '详见 https://www.beijing.gov.cn/n/1.html',
      context(),
    );
    expect(found).toMatchObject({ found: true, remoteId: sent.remoteId });
    expect(captured).toHaveLength(1);
    expect(captured[0]?.method).toBe('GET');
    expect(captured[0]?.url.pathname).toBe('/api/statuses/broadcast_timeline');
    expect(Object.fromEntries(captured[0]?.url.searchParams ?? [])).toEqual({
      ...OAUTH,
      pageflag: '0',
      pagetime: '0',
      reqnum: '70',
      lastid: '0',
      type: '8',
      contenttype: '0',
    });
    // The right text to another tweet, or another text to this one, is not it.
    expect(
      await tencent.findInboxReply(
        lead,
        other,
        '详见 https://www.beijing.gov.cn/n/1.html',
        context(),
      ),
    ).toEqual({ found: false });
    expect(await tencent.findInboxReply(lead, item, '别的答复', context())).toEqual({
      found: false,
    });
  });

  it('walks back with pageflag=1 and stops after its page bound', async () => {
    const target = seed();
    await tencent.replyToInbox(lead, target, '答复', context());
    platform.advanceClock(1_000);
    // 70 later replies push the answer to the second page.
    for (let index = 0; index < 70; index += 1) {
      const other = seed(`问${index}`);
      await tencent.replyToInbox(lead, other, `答复${index}`, context());
    }
    captured = [];
    expect((await tencent.findInboxReply(lead, target, '答复', context())).found).toBe(true);
    expect(captured).toHaveLength(2);
    expect(captured[1]?.url.searchParams.get('pageflag')).toBe('1');

    // Beyond three pages of 70 the look-up cannot tell: it says so rather than "not found".
    for (let index = 0; index < 150; index += 1) {
      const other = seed(`再问${index}`);
      await tencent.replyToInbox(lead, other, `再答${index}`, context());
    }
    captured = [];
    await expect(tencent.findInboxReply(lead, target, '答复', context())).rejects.toMatchObject({
      code: 'AMBIGUOUS',
      message: expect.stringContaining('--resend-unconfirmed') as string,
    });
    expect(captured).toHaveLength(3);
  });

  it('says "not found" once it reaches replies older than the item, without reading further', async () => {
    // Replies to older items first, then the item, which gets no reply.
    for (let index = 0; index < 150; index += 1) {
      await tencent.replyToInbox(lead, seed(`旧问${index}`), `旧答${index}`, context());
    }
    platform.advanceClock(5_000);
    const target = seed('新问');
    captured = [];
    expect(await tencent.findInboxReply(lead, target, '答复', context())).toEqual({ found: false });
    // The first page's tweets are already older than the item.
    expect(captured).toHaveLength(1);
  });
});
