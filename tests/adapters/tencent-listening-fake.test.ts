/**
 * The rules the strict Tencent Weibo fake enforces on the listening calls
 * (platforms-listening.md §2, §4.8): the five OAuth parameters and `format=json`, `reqnum` ranges,
 * the time paging and `hasnext`, `t/re_count` by GET and POST, `t/reply` and `t/comment`. Requests
 * go straight to the protocol description, as both fakes feed it.
 */
import { describe, expect, it } from 'vitest';
import { TencentPlatform, handleTencentRequest } from '../../adapters/tencent/fake/protocol.js';

const APP_KEY = '801000001';
const OPENID = 'B624064BA065E01CB73F835017FE96FA';
const TOKEN = 'LeadTencentTokenForFake00001';
const OAUTH = {
  oauth_consumer_key: APP_KEY,
  access_token: TOKEN,
  openid: OPENID,
  clientip: '203.0.113.7',
  oauth_version: '2.a',
  scope: 'all',
  format: 'json',
};
const FIRST = { pageflag: '0', pagetime: '0', reqnum: '20', lastid: '0' };

interface Answer {
  readonly ret: number;
  readonly errcode: number;
  readonly msg: string;
  readonly data: unknown;
}

function setUp(): TencentPlatform {
  const platform = new TencentPlatform({ now: () => Date.UTC(2026, 10, 26, 2, 0, 0) });
  platform.addAccount({ openid: OPENID, name: 'beijingfabu', accessToken: TOKEN, appKey: APP_KEY });
  return platform;
}

function call(
  platform: TencentPlatform,
  method: 'GET' | 'POST',
  endpoint: string,
  params: Record<string, string>,
): Answer {
  const encoded = new URLSearchParams(params);
  const answer = handleTencentRequest(platform, {
    method,
    path: `/api/${endpoint}`,
    query: method === 'GET' ? encoded : new URLSearchParams(),
    headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    body: method === 'POST' ? encoded.toString() : '',
  });
  return JSON.parse(String(answer.body)) as Answer;
}

function post(platform: TencentPlatform): string {
  const answer = call(platform, 'POST', 't/add', { ...OAUTH, content: '【通知】道路通行正常。' });
  return (answer.data as { id: string }).id;
}

function page(answer: Answer): { hasnext: number; info: { id: string }[]; user: object } {
  return answer.data as { hasnext: number; info: { id: string }[]; user: object };
}

describe('the OAuth parameters and the parameter ranges', () => {
  it('refuses a read missing any of the OAuth parameters (ret=3 errcode=7) or format=json (ret=1)', () => {
    const platform = setUp();
    for (const name of ['oauth_consumer_key', 'openid', 'clientip', 'oauth_version', 'scope']) {
      const params: Record<string, string> = { ...OAUTH, ...FIRST };
      delete params[name];
      const answer = call(platform, 'GET', 'statuses/mentions_timeline', params);
      expect([name, answer.ret, answer.errcode]).toEqual([name, 3, 7]);
    }
    const noToken: Record<string, string> = { ...OAUTH, ...FIRST };
    delete noToken.access_token;
    expect(call(platform, 'GET', 't/re_count', { ...noToken, ids: '1' }).ret).toBe(3);
    const noFormat: Record<string, string> = { ...OAUTH, ...FIRST };
    delete noFormat.format;
    expect(call(platform, 'GET', 'statuses/mentions_timeline', noFormat).ret).toBe(1);
  });

  it('takes reqnum 1–70 on the timelines and 1–100 on t/re_list; anything else is ret=1', () => {
    const platform = setUp();
    const root = post(platform);
    const timeline = (reqnum: string) =>
      call(platform, 'GET', 'statuses/mentions_timeline', { ...OAUTH, ...FIRST, reqnum }).ret;
    expect([timeline('0'), timeline('1'), timeline('70'), timeline('71')]).toEqual([1, 0, 0, 1]);
    const reList = (reqnum: string) =>
      call(platform, 'GET', 't/re_list', {
        ...OAUTH,
        rootid: root,
        flag: '1',
        pageflag: '0',
        pagetime: '0',
        twitterid: '0',
        reqnum,
      }).ret;
    expect([reList('0'), reList('100'), reList('101')]).toEqual([1, 0, 1]);
  });

  it('refuses reads by POST and writes by GET; t/re_count is served both ways', () => {
    const platform = setUp();
    const root = post(platform);
    expect(call(platform, 'POST', 'statuses/mentions_timeline', { ...OAUTH, ...FIRST }).ret).toBe(
      1,
    );
    expect(call(platform, 'GET', 't/reply', { ...OAUTH, content: '您好', reid: root }).ret).toBe(1);
    const byGet = call(platform, 'GET', 't/re_count', { ...OAUTH, ids: root, flag: '2' });
    const byPost = call(platform, 'POST', 't/re_count', { ...OAUTH, ids: root, flag: '2' });
    expect(byGet).toEqual(byPost);
    expect(byGet.data).toEqual({ [root]: { count: 0, mcount: 0 } });
  });
});

describe('time paging', () => {
  it('pageflag=0 takes pagetime=0 and lastid=0; pageflag=1 needs both; pageflag=3 is no flag', () => {
    const platform = setUp();
    const timeline = (params: Record<string, string>) =>
      call(platform, 'GET', 'statuses/mentions_timeline', { ...OAUTH, reqnum: '20', ...params })
        .ret;
    expect(timeline({ pageflag: '0', pagetime: '1764122400', lastid: '0' })).toBe(1);
    expect(timeline({ pageflag: '1', pagetime: '1764122400', lastid: '0' })).toBe(1);
    expect(timeline({ pageflag: '1', pagetime: '0', lastid: '5' })).toBe(1);
    expect(timeline({ pageflag: '3', pagetime: '0', lastid: '0' })).toBe(1);
    expect(timeline({ pagetime: '0', lastid: '0' })).toBe(1);
    expect(timeline({ pageflag: '0', pagetime: '0', lastid: '0' })).toBe(0);
  });

  it('pages newest first by second then id; hasnext 0 = more, 1 = done; pageflag=2 reads back up', () => {
    const platform = setUp();
    const root = post(platform);
    const at = Date.UTC(2026, 10, 26, 1, 0, 0);
    const comments = Array.from({ length: 5 }, (_, index) =>
      platform.addComment({ postId: root, author: `c${index}`, text: `评论${index}`, at }),
    );
    const ids = comments.map((comment) => comment.id).reverse();
    const read = (params: Record<string, string>) =>
      call(platform, 'GET', 'statuses/mentions_timeline', {
        ...OAUTH,
        reqnum: '2',
        type: '64',
        ...params,
      });
    const first = page(read({ pageflag: '0', pagetime: '0', lastid: '0' }));
    expect(first.info.map((tweet) => tweet.id)).toEqual(ids.slice(0, 2));
    expect(first.hasnext).toBe(0);
    expect(first.user).toEqual({ c4: 'c4', c3: 'c3' });
    const time = String(at / 1000);
    const second = page(read({ pageflag: '1', pagetime: time, lastid: ids[1] ?? '' }));
    expect(second.info.map((tweet) => tweet.id)).toEqual(ids.slice(2, 4));
    expect(second.hasnext).toBe(0);
    const last = page(read({ pageflag: '1', pagetime: time, lastid: ids[3] ?? '' }));
    expect(last.info.map((tweet) => tweet.id)).toEqual(ids.slice(4));
    expect(last.hasnext).toBe(1);
    const back = page(read({ pageflag: '2', pagetime: time, lastid: ids[4] ?? '' }));
    expect(back.info.map((tweet) => tweet.id)).toEqual(ids.slice(2, 4));
    expect(back.hasnext).toBe(0);
    // An empty page is data: null.
    expect(read({ pageflag: '1', pagetime: time, lastid: ids[4] ?? '' }).data).toBeNull();
  });

  it('filters by type: 0x40 comments, 0x8 replies, 0x20 mentions; t/re_list by flag', () => {
    const platform = setUp();
    const root = post(platform);
    const comment = platform.addComment({ postId: root, author: 'a', text: '评论' });
    const reply = platform.addReply({ postId: root, author: 'b', text: '回复' });
    const mention = platform.addMention({ author: 'c', text: '@beijingfabu 你好' });
    const ids = (type: string) =>
      page(
        call(platform, 'GET', 'statuses/mentions_timeline', { ...OAUTH, ...FIRST, type }),
      ).info.map((tweet) => tweet.id);
    expect(ids('64')).toEqual([comment.id]);
    expect(ids('8')).toEqual([reply.id]);
    expect(ids('32')).toEqual([mention.id]);
    expect(ids('0')).toEqual([mention.id, reply.id, comment.id]);
    const reList = (flag: string) =>
      call(platform, 'GET', 't/re_list', {
        ...OAUTH,
        rootid: root,
        flag,
        pageflag: '0',
        pagetime: '0',
        reqnum: '20',
        twitterid: '0',
      });
    expect(page(reList('1')).info.map((tweet) => tweet.id)).toEqual([comment.id]);
    expect(reList('0').data).toBeNull();
    expect(reList('4').ret).toBe(1);
  });
});

describe('answers and counts', () => {
  it('t/reply needs content and reid, refuses a gone tweet (ret=4 errcode=6) and a repeat (errcode=13)', () => {
    const platform = setUp();
    const root = post(platform);
    const comment = platform.addComment({ postId: root, author: 'a', text: '请问' });
    expect(call(platform, 'POST', 't/reply', { ...OAUTH, content: '您好' }).ret).toBe(1);
    expect(call(platform, 'POST', 't/reply', { ...OAUTH, reid: comment.id }).ret).toBe(1);
    const gone = call(platform, 'POST', 't/reply', { ...OAUTH, content: '您好', reid: '77' });
    expect([gone.ret, gone.errcode]).toEqual([4, 6]);
    const long = call(platform, 'POST', 't/reply', {
      ...OAUTH,
      content: '长'.repeat(141),
      reid: comment.id,
    });
    expect([long.ret, long.errcode]).toEqual([4, 8]);
    const sent = call(platform, 'POST', 't/reply', { ...OAUTH, content: '您好', reid: comment.id });
    expect(sent.ret).toBe(0);
    expect(sent.data).toEqual({
      id: expect.stringMatching(/^\d+$/) as string,
      time: Date.UTC(2026, 10, 26, 2, 0, 0) / 1000,
    });
    const repeat = call(platform, 'POST', 't/reply', {
      ...OAUTH,
      content: '您好',
      reid: comment.id,
    });
    expect([repeat.ret, repeat.errcode]).toEqual([4, 13]);
    expect(platform.answersTo(comment.id)).toEqual([
      expect.objectContaining({ kind: 'reply', text: '您好', byAccount: true }),
    ]);
  });

  it('t/comment is a comment on the tweet: in t/re_list and mcount; t/re_count takes at most 30 ids', () => {
    const platform = setUp();
    const root = post(platform);
    platform.addComment({ postId: root, author: 'a', text: '评论' });
    call(platform, 'POST', 't/comment', { ...OAUTH, content: '补充说明', reid: root });
    const counts = (flag: string) =>
      call(platform, 'GET', 't/re_count', { ...OAUTH, ids: `${root},12345`, flag }).data;
    expect(counts('2')).toEqual({ [root]: { count: 0, mcount: 2 } });
    expect(counts('1')).toEqual({ [root]: { mcount: 2 } });
    expect(counts('0')).toEqual({ [root]: { count: 0 } });
    const many = Array.from({ length: 31 }, (_, index) => String(index + 1)).join(',');
    expect(call(platform, 'GET', 't/re_count', { ...OAUTH, ids: many, flag: '2' }).ret).toBe(1);
    expect(platform.conversation().map((tweet) => [tweet.kind, tweet.byAccount])).toEqual([
      ['comment', false],
      ['comment', true],
    ]);
  });

  it('seeding refuses a tweet it does not hold and a mention of nobody', () => {
    const platform = setUp();
    expect(() => platform.addComment({ postId: '1', author: 'a', text: 'x' })).toThrow('no tweet');
    expect(() => platform.addMention({ author: 'a', text: '@nobody 你好' })).toThrow(
      'mentions no registered account',
    );
  });
});
