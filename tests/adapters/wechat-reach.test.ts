/**
 * Reading WeChat reach and activity against the msw handlers: `datacube/getarticletotal` below
 * `/datacube/` (never `/cgi-bin/`), one day per call, dates in Asia/Shanghai, nothing before
 * 08:00 the next day; which post ids can be found there; `user/get` and `freepublish/batchget`
 * for a scorecard.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type {
  Account,
  ActivityContext,
  ArticleRendition,
  DeliveryContext,
  ReachContext,
} from '#core';
import { createWechatAdapter } from '../../adapters/wechat/index.js';
import { wechatHandlers } from '../../adapters/wechat/fake/msw.js';
import { WechatPlatform } from '../../adapters/wechat/fake/protocol.js';

const APPID = 'wxa1b2c3d4e5f60201';
const UNVERIFIED_APPID = 'wxa1b2c3d4e5f60202';
const SECRET = 'reach-appsecret-0123456789abcdef';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function wechatAccount(memberId: string, appid: string): Account {
  return {
    id: `${memberId}/wechat`,
    memberId,
    platform: 'wechat',
    handle: memberId,
    credentials: `wechat-${memberId}`,
    kind: 'subscription',
    settings: { appid },
  };
}

const account = wechatAccount('beijing-fabu', APPID);
const unverified = wechatAccount('district', UNVERIFIED_APPID);

/** A time given as China wall-clock time (UTC+8). */
function china(iso: string): number {
  return Date.parse(`${iso}+08:00`);
}

let clock = china('2026-11-26T10:00:00');
const platform = new WechatPlatform({ now: () => clock });
platform.addAccount({ appid: APPID, secret: SECRET, name: '北京发布', followers: 12_345 });
platform.addAccount({ appid: UNVERIFIED_APPID, secret: SECRET, verified: false, followers: 7 });

const server = setupServer(...wechatHandlers(platform));

interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly body: Promise<string>;
}
let captured: Captured[] = [];
server.events.on('request:start', ({ request }) => {
  captured.push({
    method: request.method,
    url: new URL(request.url),
    body: request.clone().text(),
  });
});

const to = (path: string): Captured[] =>
  captured.filter((request) => request.url.pathname === path);

const jpeg = new Uint8Array(2_000);
jpeg.set([0xff, 0xd8, 0xff, 0xe0]);

const wechat = createWechatAdapter({
  now: () => clock,
  loadImage: () => Promise.resolve(jpeg),
  publishPoll: { intervalsMs: [1, 1, 1] },
});

const reachContext: ReachContext = {
  signal: new AbortController().signal,
  credentials: { secret: SECRET },
  logger: silentLogger,
  requestTimeoutMs: 2_000,
};

function deliveryContext(key: string): DeliveryContext {
  return { ...reachContext, idempotencyKey: key };
}

function article(title: string): ArticleRendition {
  return {
    format: 'article',
    title,
    digest: '摘要',
    html: '<p>正文</p>',
    sourceUrl: 'https://www.beijing.gov.cn/a.html',
    cover: 'cover.jpg',
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

async function datacubeDays(): Promise<string[]> {
  const calls = to('/datacube/getarticletotal');
  const bodies = await Promise.all(calls.map((call) => call.body));
  return bodies.map((body) => {
    const parsed = JSON.parse(body) as { begin_date: string; end_date: string };
    expect(parsed.end_date).toBe(parsed.begin_date);
    return parsed.begin_date;
  });
}

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  platform.reset();
  platform.setFollowers(APPID, 12_345);
  captured = [];
  clock = china('2026-11-26T10:00:00');
});
afterEach(() => server.resetHandlers());

describe('readReach on WeChat: datacube/getarticletotal', () => {
  it('asks POST /datacube/getarticletotal (no cgi-bin) day by day, newest ready day first, and reads the newest detail', async () => {
    platform.addArticleStats({
      appid: APPID,
      msgid: '2247483001_1',
      title: '关于网传信息的说明',
      refDate: '2026-11-23',
      targetUser: 12_000,
      days: [
        { date: '2026-11-23', reads: 800, shares: 40 },
        { date: '2026-11-24', reads: 150, shares: 9 },
        { date: '2026-11-25', reads: 50, shares: 1 },
      ],
    });
    const readings = await wechat.readReach!(account, ['2247483001_1'], reachContext);
    expect(readings).toEqual([
      {
        postId: '2247483001_1',
        reads: 1_000,
        reposts: 50,
        readAt: new Date(clock).toISOString(),
      },
    ]);
    expect(readings[0]).not.toHaveProperty('comments');
    expect(readings[0]).not.toHaveProperty('likes');
    const calls = to('/datacube/getarticletotal');
    for (const call of calls) {
      expect(call.method).toBe('POST');
      expect(call.url.origin).toBe('https://api.weixin.qq.com');
      expect([...call.url.searchParams.keys()]).toEqual(['access_token']);
    }
    expect(captured.some((request) => request.url.pathname.includes('/cgi-bin/datacube'))).toBe(
      false,
    );
    // The send day is unknown for a statistics id: looked for from yesterday back, until found.
    expect(await datacubeDays()).toEqual(['2026-11-25', '2026-11-24', '2026-11-23']);
  });

  it('dates are days in Asia/Shanghai: at 09:00 on the 26th in Beijing (01:00 UTC) the 25th is ready; at 07:00 it is not', async () => {
    platform.addArticleStats({
      appid: APPID,
      msgid: '2247483002_1',
      title: '通告',
      refDate: '2026-11-24',
      days: [
        { date: '2026-11-24', reads: 30, shares: 2 },
        { date: '2026-11-25', reads: 70, shares: 3 },
      ],
    });
    clock = china('2026-11-26T09:00:00');
    expect(new Date(clock).toISOString()).toBe('2026-11-26T01:00:00.000Z');
    const ready = await wechat.readReach!(account, ['2247483002_1'], reachContext);
    expect(ready.map(({ reads, reposts }) => ({ reads, reposts }))).toEqual([
      { reads: 100, reposts: 5 },
    ]);
    expect(await datacubeDays()).toEqual(['2026-11-25', '2026-11-24']);

    captured = [];
    clock = china('2026-11-26T07:00:00');
    const early = await wechat.readReach!(account, ['2247483002_1'], reachContext);
    // Before 08:00 the 25th is not ready: not asked, and only the 24th counts.
    expect(early.map(({ reads, reposts }) => ({ reads, reposts }))).toEqual([
      { reads: 30, reposts: 2 },
    ]);
    expect(await datacubeDays()).toEqual(['2026-11-24']);
  });

  it('a push is found by the msg_data_id it was sent with: nothing before 08:00 the next day, one call on its day after', async () => {
    clock = china('2026-11-25T15:00:00');
    const pushed = await wechat.pushMessage(account, deliveryContext('push-1'), {
      clientMsgId: 'reach-test-push-1',
      article: article('关于网传信息的说明'),
    });
    expect(pushed.msgDataId).toMatch(/^\d+$/);
    const postId = pushed.ref.id;
    expect(postId).toBe(`mass:${pushed.msgId}`);
    platform.addArticleStats({
      appid: APPID,
      msgid: `${pushed.msgDataId!}_1`,
      title: '关于网传信息的说明',
      days: [{ date: '2026-11-25', reads: 4_321, shares: 77 }],
    });
    captured = [];

    clock = china('2026-11-26T07:59:59');
    expect(await wechat.readReach!(account, [postId], reachContext)).toEqual([]);
    expect(to('/datacube/getarticletotal')).toEqual([]);

    clock = china('2026-11-26T08:00:00');
    const readings = await wechat.readReach!(account, [postId], reachContext);
    expect(readings.map(({ postId: id, reads, reposts }) => ({ id, reads, reposts }))).toEqual([
      { id: postId, reads: 4_321, reposts: 77 },
    ]);
    expect(await datacubeDays()).toEqual(['2026-11-25']);
  });

  it('an article_id of a publish, or a push this process did not send, gets no reading and no call', async () => {
    const readings = await wechat.readReach!(
      account,
      ['Hk0gArticleIdOfAPublish', 'mass:9400000000000000999'],
      reachContext,
    );
    expect(readings).toEqual([]);
    expect(to('/datacube/getarticletotal')).toEqual([]);
  });

  it('looks back 7 ready days at most for an id that is not there', async () => {
    expect(await wechat.readReach!(account, ['2247483999_1'], reachContext)).toEqual([]);
    expect(await datacubeDays()).toEqual([
      '2026-11-25',
      '2026-11-24',
      '2026-11-23',
      '2026-11-22',
      '2026-11-21',
      '2026-11-20',
      '2026-11-19',
    ]);
  });

  it('an unverified account gets PERMISSION_DENIED (48001) saying the statistics need verification', async () => {
    const error = await failure(wechat.readReach!(unverified, ['2247483001_1'], reachContext));
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', platformCode: '48001' });
    expect(error.message).toContain('verified accounts only');
    expect(error.endpoint).toBe('datacube/getarticletotal');
  });

  it("a date the platform refuses (61501: this server's clock is a day ahead) is INVALID_INPUT naming the clock", async () => {
    const ahead = createWechatAdapter({ now: () => clock + DAY });
    const error = await failure(ahead.readReach!(account, ['2247483001_1'], reachContext));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', platformCode: '61501' });
    expect(error.message).toContain("check this server's clock");
  });
});

describe('the strict datacube fake', () => {
  it('refuses cgi-bin/datacube, a span over one day, today, and a malformed date', async () => {
    const token = await wechat.tokenHolder(APPID).getToken({ secret: SECRET });
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`https://api.weixin.qq.com${path}?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { errcode?: number; errmsg?: string; list?: unknown[] };
    };
    const yesterday = { begin_date: '2026-11-25', end_date: '2026-11-25' };
    expect((await post('/cgi-bin/datacube/getarticletotal', yesterday)).errcode).toBe(40066);
    expect(await post('/datacube/getarticletotal', yesterday)).toEqual({ list: [] });
    const span = await post('/datacube/getarticlesummary', {
      begin_date: '2026-11-24',
      end_date: '2026-11-25',
    });
    expect(span.errcode).toBe(61501);
    expect(span.errmsg).toMatch(/ rid: [0-9a-f-]+$/);
    expect(
      (
        await post('/datacube/getarticletotal', {
          begin_date: '2026-11-26',
          end_date: '2026-11-26',
        })
      ).errcode,
    ).toBe(61501);
    expect(
      (
        await post('/datacube/getarticletotal', {
          begin_date: '2026/11/25',
          end_date: '2026-11-25',
        })
      ).errcode,
    ).toBe(61500);
  });

  it('getarticlesummary lists an article on a day only with 3 or more reads, shares and favourites', async () => {
    platform.addArticleStats({
      appid: APPID,
      msgid: '2247483003_1',
      title: '一',
      refDate: '2026-11-24',
      days: [
        { date: '2026-11-24', reads: 1, shares: 1 },
        { date: '2026-11-25', reads: 2, shares: 0, favs: 1 },
      ],
    });
    const token = await wechat.tokenHolder(APPID).getToken({ secret: SECRET });
    const summary = async (day: string) =>
      (await (
        await fetch(`https://api.weixin.qq.com/datacube/getarticlesummary?access_token=${token}`, {
          method: 'POST',
          body: JSON.stringify({ begin_date: day, end_date: day }),
          headers: { 'content-type': 'application/json' },
        })
      ).json()) as { list: { msgid: string; int_page_read_count: number }[] };
    expect((await summary('2026-11-24')).list).toEqual([]);
    expect((await summary('2026-11-25')).list).toMatchObject([
      { msgid: '2247483003_1', ref_date: '2026-11-25', int_page_read_count: 2 },
    ]);
  });
});

describe('the statistics base beside cgi-bin', () => {
  it('a gateway at …/wechat/cgi-bin/ is asked for statistics at …/wechat/datacube/', async () => {
    const gateway = 'https://gw.example.gov.cn/wechat/cgi-bin/';
    server.use(...wechatHandlers(platform, { baseURL: gateway }));
    platform.addArticleStats({
      appid: APPID,
      msgid: '2247483004_1',
      title: '经网关',
      refDate: '2026-11-25',
      days: [{ date: '2026-11-25', reads: 9, shares: 1 }],
    });
    const viaGateway = createWechatAdapter({ baseURL: gateway, now: () => clock });
    const readings = await viaGateway.readReach!(account, ['2247483004_1'], reachContext);
    expect(readings.map((reading) => reading.reads)).toEqual([9]);
    expect(
      captured
        .filter((request) => request.url.pathname.includes('datacube'))
        .map((request) => request.url.origin + request.url.pathname),
    ).toEqual(['https://gw.example.gov.cn/wechat/datacube/getarticletotal']);
  });

  it('datacubeBaseURL overrides it', async () => {
    const elsewhere = 'https://stats.example.gov.cn/dc/';
    server.use(...wechatHandlers(platform, { datacubeBaseURL: elsewhere }));
    const adapter = createWechatAdapter({ datacubeBaseURL: elsewhere, now: () => clock });
    expect(await adapter.readReach!(account, ['2247483005_1'], reachContext)).toEqual([]);
    const paths = captured
      .filter((request) => request.method === 'POST' && !request.url.pathname.includes('token'))
      .map((request) => request.url.origin + request.url.pathname);
    expect(new Set(paths)).toEqual(new Set(['https://stats.example.gov.cn/dc/getarticletotal']));
  });
});

describe('the strict user/get fake', () => {
  it('pages 10 000 openids after next_openid, with the total on every page', async () => {
    platform.setFollowers(APPID, 10_001);
    const token = await wechat.tokenHolder(APPID).getToken({ secret: SECRET });
    const page = async (after: string) =>
      (await (
        await fetch(
          `https://api.weixin.qq.com/cgi-bin/user/get?access_token=${token}&next_openid=${after}`,
        )
      ).json()) as {
        total: number;
        count: number;
        data?: { openid: string[] };
        next_openid: string;
      };
    const first = await page('');
    expect([first.total, first.count, first.data?.openid.length]).toEqual([10_001, 10_000, 10_000]);
    const second = await page(first.next_openid);
    expect([second.total, second.count, second.data?.openid]).toEqual([
      10_001,
      1,
      ['o-a1b2c3-f-10001'],
    ]);
    const third = await page(second.next_openid);
    expect(third).toEqual({ total: 10_001, count: 0, next_openid: '' });
  });
});

describe('readActivity on WeChat: user/get total and freepublish/batchget', () => {
  const activityContext = (): ActivityContext => ({ ...reachContext, now: new Date(clock) });

  it('reads the followers with one GET cgi-bin/user/get and counts articles back to since', async () => {
    const times = ['2026-11-20T09:00:00', '2026-11-22T09:00:00', '2026-11-24T09:00:00'];
    for (const [index, time] of times.entries()) {
      clock = china(time);
      await wechat.publish(article(`第${index + 1}篇`), account, deliveryContext(`p-${index}`));
    }
    clock = china('2026-11-26T10:00:00');
    captured = [];
    const activity = await wechat.readActivity!(
      account,
      new Date(china('2026-11-21T00:00:00')),
      activityContext(),
    );
    expect(activity).toEqual({
      followers: 12_345,
      postsSince: 2,
      postsTruncated: false,
      lastPostAt: new Date(china('2026-11-24T09:00:00')).toISOString(),
      readAt: new Date(clock).toISOString(),
    });
    const followers = to('/cgi-bin/user/get');
    expect(followers).toHaveLength(1);
    expect(followers[0]?.method).toBe('GET');
    expect([...followers[0]!.url.searchParams.keys()]).toEqual(['access_token']);
    const pages = to('/cgi-bin/freepublish/batchget');
    expect(pages).toHaveLength(1);
    expect(pages[0]?.method).toBe('POST');
    expect(JSON.parse(await pages[0]!.body)).toEqual({ offset: 0, count: 20, no_content: 1 });
  });

  it('stops after 5 pages of 20 and says the count is cut', async () => {
    for (let index = 0; index < 101; index++) {
      clock = china('2026-11-20T00:00:00') + index * 60_000;
      await wechat.publish(article(`第${index + 1}篇`), account, deliveryContext(`bulk-${index}`));
    }
    clock = china('2026-11-26T10:00:00');
    captured = [];
    const activity = await wechat.readActivity!(
      account,
      new Date(china('2026-11-01T00:00:00')),
      activityContext(),
    );
    expect(activity.postsSince).toBe(100);
    expect(activity.postsTruncated).toBe(true);
    expect(
      (await Promise.all(to('/cgi-bin/freepublish/batchget').map((page) => page.body))).map(
        (body) => (JSON.parse(body) as { offset: number }).offset,
      ),
    ).toEqual([0, 20, 40, 60, 80]);
  });

  it('an account that may not publish (48001) still has its followers', async () => {
    const activity = await wechat.readActivity!(unverified, new Date(0), activityContext());
    expect(activity).toEqual({ followers: 7, readAt: new Date(clock).toISOString() });
  });
});
