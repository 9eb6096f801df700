/**
 * Reach and activity on Tencent Weibo against the msw handlers: `t/re_count` in batches of 30
 * (relays and comments, no likes), `user/info` followers and the timeline count since a date.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, ActivityContext, ReachContext } from '#core';
import { createTencentAdapter } from '../../adapters/tencent/index.js';
import { tencentHandlers } from '../../adapters/tencent/fake/msw.js';
import { TencentPlatform, handleTencentRequest } from '../../adapters/tencent/fake/protocol.js';

const APP_KEY = '801000001';
const CLIENT_IP = '203.0.113.7';
const OPENID = 'B624064BA065E01CB73F835017FE96FA';
const MEMBER_OPENID = 'C7E0A1F2B3C4D5E6F708192A3B4C5D6E';
const TOKEN = 'LeadTencentTokenForReach0001';
const MEMBER_TOKEN = 'MemberTencentTokenForReach02';
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

const platform = new TencentPlatform({ refuseRepeats: false });
platform.addAccount({ openid: OPENID, name: 'beijingfabu', accessToken: TOKEN, appKey: APP_KEY });
platform.addAccount({
  openid: MEMBER_OPENID,
  name: 'pinganbeijing',
  accessToken: MEMBER_TOKEN,
  appKey: APP_KEY,
});

const server = setupServer(...tencentHandlers(platform));

let captured: { method: string; url: URL }[] = [];
server.events.on('request:start', ({ request }) => {
  captured.push({ method: request.method, url: new URL(request.url) });
});

const tencent = createTencentAdapter({ appKey: APP_KEY, clientIp: CLIENT_IP });

function context(): ReachContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: TOKEN },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
  };
}

function write(path: string, fields: Record<string, string>, token = TOKEN, openid = OPENID) {
  const answer = handleTencentRequest(platform, {
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...fields,
      ...OAUTH,
      access_token: token,
      openid,
    }).toString(),
  });
  expect(answer.status).toBe(200);
  const body = JSON.parse(String(answer.body)) as { ret: number; data: { id: string } };
  expect(body.ret).toBe(0);
  return body.data.id;
}

function postTweet(text = '【通知】今日道路通行正常。'): string {
  return write('/api/t/add', { content: text });
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
  // Followers are part of the account, which a reset keeps.
  platform.setFollowers(OPENID, 0);
});
afterAll(() => server.close());

describe('readReach', () => {
  it('sends GET t/re_count?ids=…&flag=2 and reads count as reposts and mcount as comments, no likes', async () => {
    const postId = postTweet();
    write('/api/t/re_add', { content: '转发', reid: postId }, MEMBER_TOKEN, MEMBER_OPENID);
    platform.addComment({ postId, author: 'a', text: '好' });
    platform.addComment({ postId, author: 'b', text: '收到' });
    const quiet = postTweet('【通知】第二条。');

    const readings = await tencent.readReach(lead, [postId, quiet], context());

    expect(captured).toHaveLength(1);
    expect(captured[0]?.method).toBe('GET');
    expect(captured[0]?.url.pathname).toBe('/api/t/re_count');
    expect(Object.fromEntries(captured[0]?.url.searchParams ?? [])).toEqual({
      ...OAUTH,
      ids: `${postId},${quiet}`,
      flag: '2',
    });
    expect(readings).toEqual([
      { postId, reposts: 1, comments: 2, readAt: expect.any(String) as string },
      { postId: quiet, reposts: 0, comments: 0, readAt: expect.any(String) as string },
    ]);
    expect(readings[0]).not.toHaveProperty('likes');
  });

  it('asks 30 ids per call, in the order given, and leaves out a deleted tweet', async () => {
    const ids = Array.from({ length: 31 }, (_, index) => postTweet(`【通知】第${index}条。`));
    const deleted = ids[3] ?? '';
    write('/api/t/del', { id: deleted });

    const readings = await tencent.readReach(lead, [...ids, ids[0] ?? ''], context());

    expect(captured.map((request) => request.url.searchParams.get('ids')?.split(','))).toEqual([
      ids.slice(0, 30),
      ids.slice(30),
    ]);
    expect(readings.map((reading) => reading.postId)).toEqual(ids.filter((id) => id !== deleted));
  });

  it('refuses ids that are not digits before sending; maps an expired token', async () => {
    const bad = await failure(tencent.readReach(lead, ['12', 'x1'], context()));
    expect(bad.issues).toEqual([expect.objectContaining({ path: 'postIds.1' })]);
    expect(captured).toHaveLength(0);
    expect(await tencent.readReach(lead, [], context())).toEqual([]);
    platform.expireToken(TOKEN);
    expect((await failure(tencent.readReach(lead, ['12'], context()))).code).toBe('AUTH_EXPIRED');
  });
});

describe('readActivity', () => {
  function activityContext(now: Date): ActivityContext {
    return { ...context(), now };
  }

  it('reads fansnum from user/info and counts originals and relays since the date, not replies', async () => {
    platform.setFollowers(OPENID, 12_345);
    const old = postTweet('【通知】旧的。');
    platform.advanceClock(86_400_000);
    const since = new Date(platform.now());
    postTweet('【通知】新的一。');
    write('/api/t/re_add', { content: '转发', reid: old });
    const comment = platform.addComment({ postId: old, author: 'a', text: '问' });
    write('/api/t/reply', { content: '答', reid: comment.id });
    platform.advanceClock(1_000);
    const newest = postTweet('【通知】新的二。');
    const now = new Date(platform.now());

    const activity = await tencent.readActivity(lead, since, activityContext(now));

    expect(activity).toEqual({
      followers: 12_345,
      postsSince: 3,
      lastPostAt: new Date(Math.floor(platform.now() / 1000) * 1000).toISOString(),
      readAt: now.toISOString(),
    });
    expect(captured.map((request) => request.url.pathname)).toEqual([
      '/api/user/info',
      '/api/statuses/broadcast_timeline',
    ]);
    expect(Object.fromEntries(captured[1]?.url.searchParams ?? [])).toEqual({
      ...OAUTH,
      pageflag: '0',
      pagetime: '0',
      reqnum: '70',
      lastid: '0',
      type: '3',
      contenttype: '0',
    });
    expect(newest).toBeDefined();
  });

  it('stops after ten pages of 70 and says the count is cut', async () => {
    const since = new Date(platform.now() - 1_000);
    for (let index = 0; index < 701; index += 1) postTweet(`【通知】第${index}条。`);
    const activity = await tencent.readActivity(lead, since, activityContext(new Date()));
    expect(activity).toMatchObject({ postsSince: 700, postsTruncated: true, followers: 0 });
    expect(captured).toHaveLength(11);
  });

  it('an account without tweets: no count cut, no last post', async () => {
    const activity = await tencent.readActivity(lead, new Date(0), activityContext(new Date()));
    expect(activity).toEqual({ followers: 0, postsSince: 0, readAt: expect.any(String) as string });
  });
});
