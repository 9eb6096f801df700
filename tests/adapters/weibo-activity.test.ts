/**
 * Reading an account's activity on Weibo (`users/show`, then `statuses/user_timeline` back to a
 * date) against the msw handlers: the exact requests (method, path, every parameter, the token
 * in the header and never in the URL), paging with `max_id` = the oldest id − 1, the posts counted
 * from the fake's own timeline, a bounded walk that says it was cut short, followers sent as a
 * string, and a refused token mapped to its error code.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, ActivityContext } from '#core';
import { createWeiboAdapter } from '../../adapters/weibo/index.js';
import { weiboHandlers } from '../../adapters/weibo/fake/msw.js';
import { WeiboPlatform, handleWeiboRequest } from '../../adapters/weibo/fake/protocol.js';
import { formatWeiboDate } from '../../adapters/weibo/fake/status-json.js';
import {
  WEIBO_ACTIVITY_MAX_PAGES,
  WEIBO_ACTIVITY_PAGE_SIZE,
} from '../../adapters/weibo/read-activity.js';

const API = 'https://api.weibo.com/2/';
const SITE = 'www.beijing.gov.cn';
const UID = '2418724427';
const TOKEN = '2.00LeadTokenForActivityTest';
const HOUR = 3_600_000;
const START = Date.parse('2026-10-01T00:00:00Z');

const lead: Account = {
  id: 'beijing-fabu/weibo',
  memberId: 'beijing-fabu',
  platform: 'weibo',
  handle: '北京发布',
  credentials: 'weibo-beijing-fabu',
  settings: { uid: UID },
};

let clock = START;
const platform = new WeiboPlatform({ safeDomain: SITE, now: () => clock });
platform.addAccount({ uid: UID, screenName: '北京发布', accessToken: TOKEN });
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

function context(now = new Date(clock)): ActivityContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: TOKEN },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
    now,
  };
}

/** Posts `count` statuses on the fake, `every` ms apart, through the protocol (no HTTP). */
function postMany(count: number, every = 2 * HOUR): void {
  for (let index = 0; index < count; index += 1) {
    clock += every;
    const answer = handleWeiboRequest(platform, {
      method: 'POST',
      path: '/2/statuses/share.json',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        access_token: TOKEN,
        rip: '203.0.113.7',
        status: `【通知】第${index}号：今日道路通行正常。详见 https://${SITE}/n/${index}.html`,
      }).toString(),
    });
    expect(answer.status).toBe(200);
  }
}

function pathOf(request: Captured): string {
  return request.url.origin + request.url.pathname;
}

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
beforeEach(() => {
  platform.reset();
  platform.configure({ requestLimit: undefined });
  clock = START;
  captured = [];
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

describe('Weibo readActivity', () => {
  it('reads users/show, then the timeline page by page with max_id back to the date asked', async () => {
    postMany(230);
    const posts = platform.livePostsOf(UID);
    expect(posts).toHaveLength(230);
    // The 150 newest posts are on or after `since`.
    const since = new Date(posts[80]!.createdAt);
    captured = [];

    const activity = await weibo.readActivity(lead, since, context());

    expect(captured.map((request) => [request.method, pathOf(request)])).toEqual([
      ['GET', `${API}users/show.json`],
      ['GET', `${API}statuses/user_timeline.json`],
      ['GET', `${API}statuses/user_timeline.json`],
    ]);
    const [show, first, second] = captured;
    expect([...show!.url.searchParams]).toEqual([['uid', UID]]);
    expect([...first!.url.searchParams]).toEqual([
      ['uid', UID],
      ['count', String(WEIBO_ACTIVITY_PAGE_SIZE)],
    ]);
    // The oldest status of the first page is the 100th newest: the next page starts below it.
    const oldestOfFirst = BigInt(posts[230 - WEIBO_ACTIVITY_PAGE_SIZE]!.id);
    expect([...second!.url.searchParams]).toEqual([
      ['uid', UID],
      ['count', '100'],
      ['max_id', (oldestOfFirst - 1n).toString()],
    ]);
    for (const request of captured) {
      expect(request.headers.get('authorization')).toBe(`OAuth2 ${TOKEN}`);
      expect(request.url.toString()).not.toContain(TOKEN);
    }
    expect(BigInt(posts[0]!.id)).toBeGreaterThan(2n ** 53n);
    expect(activity).toEqual({
      // The fake's users/show reports 0 followers for the account itself.
      followers: 0,
      postsSince: 150,
      lastPostAt: new Date(posts.at(-1)!.createdAt).toISOString(),
      readAt: new Date(clock).toISOString(),
    });
  });

  it('counts none since a date after the last post, from one page', async () => {
    postMany(3);
    const last = platform.livePostsOf(UID).at(-1)!;
    captured = [];
    const activity = await weibo.readActivity(lead, new Date(clock + HOUR), context());
    expect(captured.map(pathOf)).toEqual([
      `${API}users/show.json`,
      `${API}statuses/user_timeline.json`,
    ]);
    expect(activity).toMatchObject({
      postsSince: 0,
      lastPostAt: new Date(last.createdAt).toISOString(),
    });
    expect(activity.postsTruncated).toBeUndefined();
  });

  it('reads an account that never posted as 0 posts and no last post', async () => {
    const activity = await weibo.readActivity(lead, new Date(START - HOUR), context());
    expect(activity.postsSince).toBe(0);
    expect(activity.lastPostAt).toBeUndefined();
    expect(captured).toHaveLength(2);
  });

  it('stops after a bounded number of pages and says the count is a lower bound', async () => {
    let next = 4_900_000_000_000_100_000n;
    server.use(
      http.get(`${API}users/show.json`, () =>
        HttpResponse.json({ id: Number(UID), idstr: UID, followers_count: '12345' }),
      ),
      http.get(`${API}statuses/user_timeline.json`, () => {
        const statuses = Array.from({ length: WEIBO_ACTIVITY_PAGE_SIZE }, () => {
          next -= 1n;
          return {
            idstr: next.toString(),
            created_at: formatWeiboDate(clock - HOUR),
            text: '更多',
          };
        });
        return HttpResponse.json({ statuses, total_number: 5000 });
      }),
    );
    const activity = await weibo.readActivity(lead, new Date(START - 30 * 24 * HOUR), context());
    const pages = captured.filter((request) => request.url.pathname.endsWith('user_timeline.json'));
    expect(pages).toHaveLength(WEIBO_ACTIVITY_MAX_PAGES);
    expect(activity).toMatchObject({
      followers: 12345,
      postsSince: WEIBO_ACTIVITY_MAX_PAGES * WEIBO_ACTIVITY_PAGE_SIZE,
      postsTruncated: true,
    });
  });

  it('throws AUTH_EXPIRED for a refused token and refuses an account without a uid', async () => {
    platform.expireToken(TOKEN);
    const error = await weibo.readActivity(lead, new Date(START), context()).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    expect((error as ReleaseHallError).code).toBe('AUTH_EXPIRED');
    expect((error as ReleaseHallError).message).not.toContain(TOKEN);

    captured = [];
    await expect(
      weibo.readActivity({ ...lead, settings: {} }, new Date(START), context()),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(captured).toHaveLength(0);
  });
});
