/**
 * Answering WeChat followers against the msw handlers: the exact `message/custom/send` request,
 * the 48-hour refusal made before anything is sent, WeChat's refusals (45015, 45047, 48002,
 * 40003) and a lost answer, classified; the strict fake's window rules.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, InboxItem, InboxReplyContext } from '#core';
import { createWechatAdapter } from '../../adapters/wechat/index.js';
import { wechatHandlers } from '../../adapters/wechat/fake/msw.js';
import { WechatPlatform } from '../../adapters/wechat/fake/protocol.js';

const APPID = 'wxa1b2c3d4e5f60101';
const OTHER_APPID = 'wxa1b2c3d4e5f60102';
const SECRET = 'reply-appsecret-0123456789abcdef';
const OPENID = 'oFollower_0001-abcdefghijklmnop';
const HOUR = 3_600_000;

const account: Account = {
  id: 'beijing-fabu/wechat',
  memberId: 'beijing-fabu',
  platform: 'wechat',
  handle: '北京发布',
  credentials: 'wechat-beijing-fabu',
  kind: 'subscription',
  settings: { appid: APPID },
};

let clock = Date.UTC(2026, 10, 26, 4, 0, 0);
const platform = new WechatPlatform({ now: () => clock, hangMs: 5_000 });
platform.addAccount({ appid: APPID, secret: SECRET, name: '北京发布', followers: 3 });
platform.addAccount({ appid: OTHER_APPID, secret: 'other-appsecret-0123456789abcd' });

const server = setupServer(...wechatHandlers(platform));

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

const sends = (): Captured[] =>
  captured.filter((request) => request.url.pathname.endsWith('/message/custom/send'));

const wechat = createWechatAdapter({ now: () => clock });

function context(overrides: Partial<InboxReplyContext> = {}): InboxReplyContext {
  return {
    signal: new AbortController().signal,
    credentials: { secret: SECRET },
    now: new Date(clock),
    logger: silentLogger,
    requestTimeoutMs: 2_000,
    idempotencyKey: 'reply:wechat-test',
    ...overrides,
  };
}

function message(at: number, text = '请问办证大厅周末开门吗？'): InboxItem {
  return {
    platform: 'wechat',
    accountId: account.id,
    kind: 'message',
    remoteId: `2418${at}`,
    author: { id: OPENID, name: OPENID },
    text,
    at: new Date(at).toISOString(),
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
afterAll(() => server.close());
beforeEach(() => {
  platform.reset();
  captured = [];
});
afterEach(() => server.resetHandlers());

describe('replyToInbox on WeChat: message/custom/send', () => {
  it('sends the exact request: POST cgi-bin/message/custom/send, token in the query, raw UTF-8 JSON', async () => {
    platform.receiveMessage({ appid: APPID, openid: OPENID, text: '你好', at: clock - HOUR });
    const result = await wechat.replyToInbox!(
      account,
      message(clock - HOUR),
      '您好，周六上午开放。',
      context(),
    );
    expect(result).toEqual({ remoteId: 'custom:reply:wechat-test' });
    const [request] = sends();
    expect(sends()).toHaveLength(1);
    expect(request?.method).toBe('POST');
    expect(request?.url.origin + request!.url.pathname).toBe(
      'https://api.weixin.qq.com/cgi-bin/message/custom/send',
    );
    expect([...request!.url.searchParams.keys()]).toEqual(['access_token']);
    expect(request?.url.searchParams.get('access_token')).toMatch(/.+/);
    expect(request?.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await request!.body;
    expect(body).toContain('您好，周六上午开放。'); // raw characters, no \u escapes
    expect(JSON.parse(body)).toEqual({
      touser: OPENID,
      msgtype: 'text',
      text: { content: '您好，周六上午开放。' },
    });
    expect(platform.customMessages(APPID)).toEqual([
      {
        appid: APPID,
        openid: OPENID,
        msgtype: 'text',
        text: '您好，周六上午开放。',
        at: new Date(clock),
      },
    ]);
  });

  it('refuses a message older than 48 hours before anything is sent', async () => {
    const at = clock - 49 * HOUR;
    platform.receiveMessage({ appid: APPID, openid: OPENID, at });
    const error = await failure(wechat.replyToInbox!(account, message(at), '您好', context()));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('49 hours old');
    expect(error.message).toContain('only within 48 hours');
    expect(error.message).toContain('answer publicly');
    // Nothing reached the platform: not even a token request.
    expect(captured).toEqual([]);
    expect(platform.requests()).toEqual([]);
    expect(platform.customMessages(APPID)).toEqual([]);
  });

  it('sends at 47 hours 59 minutes: the window is counted from the message', async () => {
    const at = clock - (48 * HOUR - 60_000);
    platform.receiveMessage({ appid: APPID, openid: OPENID, at });
    await wechat.replyToInbox!(account, message(at), '您好', context());
    expect(platform.customMessages(APPID)).toHaveLength(1);
  });

  it('refuses an article comment and an item without an openid, before anything is sent', async () => {
    const comment: InboxItem = { ...message(clock), kind: 'comment', postId: '2247483001_1' };
    const error = await failure(wechat.replyToInbox!(account, comment, '谢谢', context()));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues[0]?.path).toBe('item.kind');
    expect(error.message).toContain('not built yet');
    const anonymous: InboxItem = { ...message(clock), author: { name: '访客' } };
    const missing = await failure(wechat.replyToInbox!(account, anonymous, '谢谢', context()));
    expect(missing.issues[0]?.path).toBe('item.author.id');
    expect(captured).toEqual([]);
  });

  it('maps 45015 (window closed on the platform) to PERMISSION_DENIED with the 48-hour rule', async () => {
    // The follower's last interaction on the platform is older than the item claims.
    platform.receiveMessage({ appid: APPID, openid: OPENID, at: clock - 50 * HOUR });
    const error = await failure(
      wechat.replyToInbox!(account, message(clock - HOUR), '您好', context()),
    );
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', platformCode: '45015' });
    expect(error.message).toContain('48 hours');
    expect(error.message).toMatch(/rid [0-9a-f-]+/);
    expect(sends()).toHaveLength(1);
    expect(platform.customMessages(APPID)).toEqual([]);
  });

  it('maps 45047 after five messages since the follower last wrote, and a new message opens five more', async () => {
    platform.receiveMessage({ appid: APPID, openid: OPENID, at: clock - HOUR });
    for (let index = 0; index < 5; index++) {
      await wechat.sendCustomText(account, OPENID, `第${index + 1}条`, context());
    }
    const error = await failure(wechat.sendCustomText(account, OPENID, '第6条', context()));
    expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED', platformCode: '45047' });
    expect(error.message).toContain('5 customer-service messages');
    expect(platform.customMessages(APPID)).toHaveLength(5);

    platform.receiveMessage({ appid: APPID, openid: OPENID, at: clock });
    await wechat.sendCustomText(account, OPENID, '第6条', context());
    expect(platform.customMessages(APPID).map((sent) => sent.text)).toEqual([
      '第1条',
      '第2条',
      '第3条',
      '第4条',
      '第5条',
      '第6条',
    ]);
  });

  it('maps 48002 (messages turned off) and 40003 (an openid of another account)', async () => {
    platform.receiveMessage({ appid: APPID, openid: OPENID, at: clock - HOUR });
    platform.setMessagesRefused(APPID, OPENID);
    const refused = await failure(wechat.sendCustomText(account, OPENID, '您好', context()));
    expect(refused).toMatchObject({ code: 'PERMISSION_DENIED', platformCode: '48002' });
    expect(refused.message).toContain('turned off messages');

    const stranger = await failure(
      wechat.sendCustomText(account, 'oStrangerOfAnotherAppid0001', '您好', context()),
    );
    expect(stranger).toMatchObject({ code: 'INVALID_INPUT', platformCode: '40003' });
    expect(stranger.message).toContain('belongs to one appid');
    expect(platform.customMessages(APPID)).toEqual([]);
  });

  it('a follower who never wrote gets 45015; a click opens 3 messages for one minute', async () => {
    // One of the three followers the account was made with (made-up openids).
    const follower = 'o-a1b2c3-f-1';
    const never = await failure(wechat.sendCustomText(account, follower, '您好', context()));
    expect(never.platformCode).toBe('45015');

    platform.receiveMessage({ appid: APPID, openid: follower, kind: 'event', at: clock });
    for (let index = 0; index < 3; index++) {
      await wechat.sendCustomText(account, follower, `菜单${index}`, context());
    }
    expect(
      (await failure(wechat.sendCustomText(account, follower, '菜单3', context()))).platformCode,
    ).toBe('45047');
    platform.receiveMessage({ appid: APPID, openid: follower, kind: 'event', at: clock });
    clock += 61_000;
    expect(
      (await failure(wechat.sendCustomText(account, follower, '晚了', context()))).platformCode,
    ).toBe('45015');
    expect(platform.customMessages(APPID)).toHaveLength(3);
  });

  it('a timeout after the platform took the message is AMBIGUOUS, and the message is there once', async () => {
    platform.receiveMessage({ appid: APPID, openid: OPENID, at: clock - HOUR });
    platform.injectFault({ kind: 'timeout-after-apply', endpoint: 'message/custom/send' });
    const error = await failure(
      wechat.replyToInbox!(
        account,
        message(clock - HOUR),
        '您好',
        context({ requestTimeoutMs: 200 }),
      ),
    );
    expect(error.code).toBe('AMBIGUOUS');
    expect(platform.customMessages(APPID)).toHaveLength(1);
  });

  it('a 5xx is AMBIGUOUS for a send; an empty text is refused before sending', async () => {
    platform.receiveMessage({ appid: APPID, openid: OPENID, at: clock - HOUR });
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'message/custom/send' });
    expect((await failure(wechat.sendCustomText(account, OPENID, '您好', context()))).code).toBe(
      'AMBIGUOUS',
    );
    const before = captured.length;
    const empty = await failure(wechat.sendCustomText(account, OPENID, '  ', context()));
    expect(empty.issues[0]?.path).toBe('text');
    expect(captured.length).toBe(before);
  });

  it('has no findInboxReply: WeChat lists no sent customer-service message', () => {
    expect('findInboxReply' in wechat).toBe(false);
    expect(typeof wechat.replyToInbox).toBe('function');
  });
});
