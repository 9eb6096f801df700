import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReleaseHallError } from '#core';
import {
  buildXml,
  computeSignature,
  createCallbackHandler,
  createMemoryDedupeStore,
  createWechatCrypto,
  parseAutoReplyMenu,
  parseEncryptedEnvelope,
  parseWechatMessage,
  parseXml,
  replyFor,
  textOf,
} from '../../adapters/wechat/callback/index.js';
import {
  DRIVER_DEFAULT_ACCOUNT,
  DRIVER_DEFAULT_OPENID,
  createCallbackDriver,
} from '../../adapters/testing/index.js';
import type {
  AutoReplyMenuInput,
  CallbackHandlerOptions,
  WechatMessage,
} from '../../adapters/wechat/callback/index.js';

const TOKEN = 'pamtest';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wxb11529c136998cb6';
const NOW = 1_409_304_348_000;

/** The 平安梅州 pattern. */
const MENU: AutoReplyMenuInput = {
  items: [
    { keys: ['1', '110', 'MENU_110'], reply: '110 报警指南：紧急情况请拨打 110，说清地点和情况。' },
    { keys: ['2'], reply: '交通：违法查询请登录交管 12123。' },
    { keys: ['3'], reply: '户籍：办理户口迁移请携带身份证到派出所。' },
  ],
  fallback: '回复 1 查看 110 报警指南，回复 2 交通，回复 3 户籍办理',
};

function handlerOptions(extra: Partial<CallbackHandlerOptions> = {}): CallbackHandlerOptions {
  return {
    token: TOKEN,
    encodingAESKey: KEY,
    appId: APPID,
    menu: MENU,
    now: () => NOW,
    ...extra,
  };
}

function plainDriver(handler: ReturnType<typeof createCallbackHandler>) {
  return createCallbackDriver({
    token: TOKEN,
    appId: APPID,
    mode: 'plain',
    target: handler,
    now: () => NOW,
  });
}

function safeDriver(handler: ReturnType<typeof createCallbackHandler>) {
  return createCallbackDriver({
    token: TOKEN,
    appId: APPID,
    encodingAESKey: KEY,
    target: handler,
    now: () => NOW,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('URL check (GET echostr)', () => {
  it('returns echostr unchanged when the signature matches (not encrypted, even with a key)', async () => {
    const handler = createCallbackHandler(handlerOptions());
    const response = await handler({
      method: 'GET',
      url: `/wechat?signature=76480565cbe296026c53aaacd1ad523a1ddba24f&timestamp=1409304348&nonce=xxxxxx&echostr=5927782489442352469`,
    });
    expect(response.status).toBe(200);
    expect(response.body).toBe('5927782489442352469');
    const viaDriver = await safeDriver(handler).handshake('abc+/=');
    expect(viaDriver.body).toBe('abc+/=');
  });

  it('takes a parsed query too', async () => {
    const handler = createCallbackHandler(handlerOptions());
    const response = await handler({
      method: 'get',
      query: {
        signature: ['76480565cbe296026c53aaacd1ad523a1ddba24f'],
        timestamp: '1409304348',
        nonce: 'xxxxxx',
        echostr: 'hello',
      },
    });
    expect(response.body).toBe('hello');
  });

  it('answers a bad signature with 403 and an empty body', async () => {
    const handler = createCallbackHandler(handlerOptions());
    const response = await handler({
      method: 'GET',
      url: `/?signature=76480565cbe296026c53aaacd1ad523a1ddba24e&timestamp=1409304348&nonce=xxxxxx&echostr=x`,
    });
    expect(response).toMatchObject({ status: 403, body: '' });
    expect((await handler({ method: 'GET', url: '/?echostr=x' })).status).toBe(403);
  });

  it('answers other methods with 405', async () => {
    const handler = createCallbackHandler(handlerOptions());
    const response = await handler({ method: 'PUT', url: '/' });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
  });
});

describe('POST in plaintext mode', () => {
  it('answers "1" with the 110 guide, ToUserName and FromUserName swapped', async () => {
    const onMessage = vi.fn(() => undefined);
    const handler = createCallbackHandler(handlerOptions({ onMessage }));
    const result = await plainDriver(handler).sendText('1');
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toMatch(/xml/);
    expect(result.encrypted).toBe(false);
    expect(result.reply).toMatchObject({
      toUserName: DRIVER_DEFAULT_OPENID,
      fromUserName: DRIVER_DEFAULT_ACCOUNT,
      createTime: NOW / 1000,
      msgType: 'text',
      content: '110 报警指南：紧急情况请拨打 110，说清地点和情况。',
    });
    expect(result.body).toBe(
      '<xml><ToUserName><![CDATA[oia2TjjewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1409304348</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[110 报警指南：紧急情况请拨打 110，说清地点和情况。]]></Content></xml>',
    );
    expect(onMessage).toHaveBeenCalledTimes(1);
    const [message, context] = onMessage.mock.calls[0] as unknown as [
      WechatMessage,
      { menuReply: string },
    ];
    expect(message.kind).toBe('text');
    expect(context.menuReply).toContain('110');
  });

  it('answers unknown text and unknown clicks with the menu, known clicks with their item', async () => {
    const driver = plainDriver(createCallbackHandler(handlerOptions()));
    expect((await driver.sendText('你好')).reply?.content).toBe(
      '回复 1 查看 110 报警指南，回复 2 交通，回复 3 户籍办理',
    );
    expect((await driver.sendText(' ３ ')).reply?.content).toContain('户籍');
    expect((await driver.click('MENU_110')).reply?.content).toContain('110 报警指南');
    expect((await driver.click('MENU_UNKNOWN')).reply?.content).toContain('回复 1');
  });

  it('lets onMessage replace the menu answer, or answer nothing', async () => {
    const handler = createCallbackHandler(
      handlerOptions({
        onMessage: (message) =>
          message.kind === 'text' && message.content === '4'
            ? '四'
            : message.kind === 'text' && message.content === '5'
              ? null
              : undefined,
      }),
    );
    const driver = plainDriver(handler);
    expect((await driver.sendText('4')).reply?.content).toBe('四');
    const silent = await driver.sendText('5');
    expect(silent.body).toBe('success');
    expect(silent.reply).toBeUndefined();
  });

  it('answers success without a menu or onMessage', async () => {
    const handler = createCallbackHandler({ token: TOKEN, appId: APPID });
    const result = await plainDriver(handler).sendText('1');
    expect(result.body).toBe('success');
  });

  it('refuses a bad signature with 403, an empty body and no call to onMessage', async () => {
    const onMessage = vi.fn(() => 'never');
    const handler = createCallbackHandler(handlerOptions({ onMessage }));
    const request = plainDriver(handler).buildRequest('<xml></xml>');
    const response = await handler({
      ...request,
      query: { ...request.query, signature: '0'.repeat(40) },
    });
    expect(response).toMatchObject({ status: 403, body: '' });
    expect(onMessage).not.toHaveBeenCalled();
  });

  it('answers a signed body that is not a message with 400 and reports it', async () => {
    const onError = vi.fn();
    const handler = createCallbackHandler(handlerOptions({ onError }));
    const driver = plainDriver(handler);
    const notXml = await driver.post('{"MsgType":"text"}');
    expect(notXml).toMatchObject({ status: 400, body: '' });
    const noFields = await driver.post('<xml><Content>1</Content></xml>');
    expect(noFields.status).toBe(400);
    const doctype = await driver.post('<!DOCTYPE xml [<!ENTITY a "b">]><xml>&a;</xml>');
    expect(doctype.status).toBe(400);
    expect(onError).toHaveBeenCalledTimes(3);
    expect(
      onError.mock.calls.every((call) => (call[1] as { stage: string }).stage === 'parse'),
    ).toBe(true);
  });
});

describe('POST in safe mode', () => {
  it('answers "1" with an encrypted reply that decrypts and whose MsgSignature verifies', async () => {
    const handler = createCallbackHandler(
      handlerOptions({ random: () => Buffer.from('1234567890123456') }),
    );
    const driver = safeDriver(handler);
    const request = driver.buildRequest(
      '<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjjewbmiOUlr6X-1crbLOvLw]]></FromUserName><CreateTime>1409304348</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[1]]></Content><MsgId>1234567890123456</MsgId></xml>',
      { timestamp: '1409304348', nonce: 'xxxxxx', random: 'aaaabbbbccccdddd' },
    );
    // The request is exactly the vector of platforms.md §1.10 (set A, inbound "1").
    expect(request.query.msg_signature).toBe('75c07340bb2a81574dded1878c50de074ba338e4');
    expect(request.query.encrypt_type).toBe('aes');
    expect(parseEncryptedEnvelope(request.body).encrypt).toMatch(
      /^jn1L23DB\+6ELqJ\+6bruv2\+jWF0aP/,
    );

    const response = await handler(request);
    expect(response.status).toBe(200);
    const envelope = parseEncryptedEnvelope(response.body);
    expect(Object.keys(parseXml(response.body))).toEqual([
      'Encrypt',
      'MsgSignature',
      'TimeStamp',
      'Nonce',
    ]);
    expect(envelope.timeStamp).toBe('1409304348');
    expect(envelope.nonce).toBe('xxxxxx');
    expect(envelope.msgSignature).toBe(
      computeSignature([TOKEN, '1409304348', 'xxxxxx', envelope.encrypt]),
    );
    const crypto = createWechatCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APPID });
    const reply = parseXml(crypto.decrypt(envelope.encrypt));
    expect(textOf(reply, 'ToUserName')).toBe('oia2TjjewbmiOUlr6X-1crbLOvLw');
    expect(textOf(reply, 'FromUserName')).toBe('gh_7f083739789a');
    expect(textOf(reply, 'Content')).toContain('110 报警指南');

    const viaDriver = await driver.sendText('1');
    expect(viaDriver.encrypted).toBe(true);
    expect(viaDriver.reply?.content).toContain('110 报警指南');
  });

  it('refuses a wrong msg_signature with 403', async () => {
    const onMessage = vi.fn(() => 'x');
    const handler = createCallbackHandler(handlerOptions({ onMessage }));
    const request = safeDriver(handler).buildRequest('<xml><ToUserName>a</ToUserName></xml>');
    const response = await handler({
      ...request,
      query: { ...request.query, msg_signature: '75c07340bb2a81574dded1878c50de074ba338e4' },
    });
    expect(response).toMatchObject({ status: 403, body: '' });
    const noEnvelope = await handler({ ...request, body: '<xml><ToUserName>a</ToUserName></xml>' });
    expect(noEnvelope.status).toBe(403);
    expect(onMessage).not.toHaveBeenCalled();
  });

  it('answers 400 and reports a message encrypted for another appid', async () => {
    const onError = vi.fn();
    const handler = createCallbackHandler(handlerOptions({ onError }));
    const other = createCallbackDriver({
      token: TOKEN,
      appId: 'wx0000000000000000',
      encodingAESKey: KEY,
      target: handler,
    });
    const result = await other.sendText('1');
    expect(result).toMatchObject({ status: 400, body: '' });
    const [error, context] = onError.mock.calls[0] as [ReleaseHallError, { stage: string }];
    expect(context.stage).toBe('decrypt');
    expect(error.message).toMatch(/not for this account's appid "wxb11529c136998cb6"/);
  });

  it('answers 500 and reports a safe-mode message when no key is configured', async () => {
    const onError = vi.fn();
    const handler = createCallbackHandler({ token: TOKEN, appId: APPID, onError });
    const driver = createCallbackDriver({
      token: TOKEN,
      appId: APPID,
      encodingAESKey: KEY,
      target: handler,
    });
    expect((await driver.sendText('1')).status).toBe(500);
    expect(onError.mock.calls[0]?.[1]).toEqual({ stage: 'config' });
  });

  it('accepts a plaintext message when a key is configured (compatible mode)', async () => {
    const handler = createCallbackHandler(handlerOptions());
    const result = await plainDriver(handler).sendText('2');
    expect(result.encrypted).toBe(false);
    expect(result.reply?.content).toContain('交通');
  });
});

describe('retries', () => {
  it('runs onMessage once for three tries of one MsgId and gives the same reply', async () => {
    const onMessage = vi.fn(() => Promise.resolve('已收到'));
    const handler = createCallbackHandler(handlerOptions({ onMessage }));
    const driver = safeDriver(handler);
    const tries = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      tries.push(await driver.sendText('1', { msgId: '9223372036854775807' }));
    }
    expect(onMessage).toHaveBeenCalledTimes(1);
    expect(tries.map((result) => result.reply?.content)).toEqual(['已收到', '已收到', '已收到']);
    const message = onMessage.mock.calls[0] as unknown as [WechatMessage];
    expect(message[0]).toMatchObject({ kind: 'text', msgId: '9223372036854775807' });
  });

  it('runs onMessage once for concurrent tries', async () => {
    let release: (value: string) => void = () => undefined;
    const onMessage = vi.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const handler = createCallbackHandler(handlerOptions({ onMessage }));
    const driver = plainDriver(handler);
    const running = [1, 2, 3].map(() => driver.sendText('1', { msgId: '42' }));
    await vi.waitFor(() => expect(onMessage).toHaveBeenCalledTimes(1));
    release('一次');
    const results = await Promise.all(running);
    expect(onMessage).toHaveBeenCalledTimes(1);
    expect(results.map((result) => result.reply?.content)).toEqual(['一次', '一次', '一次']);
  });

  it('recognises retried events by FromUserName + CreateTime, not other events', async () => {
    const onMessage = vi.fn(() => undefined);
    const handler = createCallbackHandler(handlerOptions({ onMessage }));
    const driver = plainDriver(handler);
    await driver.click('MENU_110', { createTime: 1409304348 });
    await driver.click('MENU_110', { createTime: 1409304348 });
    await driver.click('MENU_110', { createTime: 1409304349 });
    await driver.click('MENU_110', { createTime: 1409304348, openId: 'another-follower' });
    expect(onMessage).toHaveBeenCalledTimes(3);
  });

  it('distinct MsgIds are distinct messages; dedupe: false runs every try', async () => {
    const onMessage = vi.fn(() => undefined);
    const driver = plainDriver(createCallbackHandler(handlerOptions({ onMessage })));
    await driver.sendText('1');
    await driver.sendText('1');
    expect(onMessage).toHaveBeenCalledTimes(2);
    const always = vi.fn(() => undefined);
    const noDedupe = plainDriver(
      createCallbackHandler(handlerOptions({ onMessage: always, dedupe: false })),
    );
    await noDedupe.sendText('1', { msgId: '7' });
    await noDedupe.sendText('1', { msgId: '7' });
    expect(always).toHaveBeenCalledTimes(2);
  });

  it('the memory store is bounded and forgets after its TTL', () => {
    let clock = 0;
    const store = createMemoryDedupeStore({ maxEntries: 2, now: () => clock });
    expect(store.claim('a', 1000)).toBeUndefined();
    expect(store.claim('a', 1000)).toEqual({ state: 'pending' });
    store.settle('a', 'reply', 1000);
    expect(store.claim('a', 1000)).toEqual({ state: 'answered', reply: 'reply' });
    store.claim('b', 1000);
    store.claim('c', 1000);
    expect(store.size).toBe(2);
    expect(store.claim('a', 1000)).toBeUndefined();
    clock = 5000;
    expect(store.claim('c', 1000)).toBeUndefined();
    expect(store.size).toBe(1);
  });
});

describe('answering within the deadline', () => {
  it('answers success at 4500 ms for a slow onMessage and sends the reply later, once', async () => {
    vi.useFakeTimers();
    let finish: (value: string) => void = () => undefined;
    const onMessage = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const sendLater = vi.fn(() => Promise.resolve());
    const handler = createCallbackHandler(handlerOptions({ onMessage, sendLater }));
    const driver = safeDriver(handler);
    let settled = false;
    const first = driver.sendText('1', { msgId: '100' }).finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(4499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const result = await first;
    expect(result.body).toBe('success');
    expect(result.reply).toBeUndefined();
    expect(sendLater).not.toHaveBeenCalled();

    // WeChat's retry of the same message gets `success` too, and the work is not run again.
    const retry = await driver.sendText('1', { msgId: '100' });
    expect(retry.body).toBe('success');
    expect(onMessage).toHaveBeenCalledTimes(1);

    finish('查询结果：您的户籍业务已办结');
    await vi.advanceTimersByTimeAsync(0);
    expect(sendLater).toHaveBeenCalledTimes(1);
    expect(sendLater).toHaveBeenCalledWith(DRIVER_DEFAULT_OPENID, '查询结果：您的户籍业务已办结');
  });

  it('honours a tiny deadline with real timers', async () => {
    const sendLater = vi.fn();
    const handler = createCallbackHandler(
      handlerOptions({
        answerWithinMs: 5,
        onMessage: () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 50)),
        sendLater,
      }),
    );
    const result = await plainDriver(handler).sendText('1');
    expect(result.body).toBe('success');
    await vi.waitFor(() => expect(sendLater).toHaveBeenCalledWith(DRIVER_DEFAULT_OPENID, 'late'));
  });

  it('reports a late reply without sendLater, and a throwing onMessage, and still answers', async () => {
    vi.useFakeTimers();
    const onError = vi.fn();
    let finish: (value: string) => void = () => undefined;
    const handler = createCallbackHandler(
      handlerOptions({
        onError,
        onMessage: (message) => {
          if (message.kind === 'text' && message.content === 'boom') throw new Error('boom');
          return new Promise<string>((resolve) => (finish = resolve));
        },
      }),
    );
    const driver = plainDriver(handler);
    const boom = await driver.sendText('boom');
    expect(boom.body).toBe('success');
    expect(onError.mock.calls[0]?.[1]).toMatchObject({ stage: 'on-message' });

    const slow = driver.sendText('1');
    await vi.advanceTimersByTimeAsync(4500);
    expect((await slow).body).toBe('success');
    finish('late');
    await vi.advanceTimersByTimeAsync(0);
    const [error, context] = onError.mock.calls[1] as [ReleaseHallError, { stage: string }];
    expect(context.stage).toBe('send-later');
    expect(error.message).toMatch(/no sendLater is configured/);
  });
});

describe('notices and other messages', () => {
  it('parses MASSSENDJOBFINISH and answers success', async () => {
    const seen: WechatMessage[] = [];
    const handler = createCallbackHandler(
      handlerOptions({ onMessage: (message) => void seen.push(message) }),
    );
    const result = await safeDriver(handler).massSendJobFinish({
      msgId: '1000001625',
      status: 'send success',
      totalCount: 100,
      filterCount: 80,
      sentCount: 75,
      errorCount: 5,
    });
    expect(result.body).toBe('success');
    expect(seen[0]).toMatchObject({
      kind: 'mass-send-job-finish',
      event: 'MASSSENDJOBFINISH',
      msgId: '1000001625',
      status: 'send success',
      totalCount: 100,
      filterCount: 80,
      sentCount: 75,
      errorCount: 5,
    });
  });

  it('parses PUBLISHJOBFINISH with PublishEventInfo, publish_id as text', async () => {
    const seen: WechatMessage[] = [];
    const handler = createCallbackHandler(
      handlerOptions({ onMessage: (message) => void seen.push(message) }),
    );
    const driver = plainDriver(handler);
    const ok = await driver.publishJobFinish({
      publishId: '2247503051',
      articleId: 'b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy',
      articleUrls: ['https://mp.weixin.qq.com/s/one', 'https://mp.weixin.qq.com/s/two'],
    });
    expect(ok.body).toBe('success');
    expect(seen[0]).toMatchObject({
      kind: 'publish-job-finish',
      fromUserName: 'mphelper',
      publishEventInfo: {
        publishId: '2247503051',
        publishStatus: 0,
        articleId: 'b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy',
        articleDetail: {
          count: 2,
          items: [
            { idx: 1, articleUrl: 'https://mp.weixin.qq.com/s/one' },
            { idx: 2, articleUrl: 'https://mp.weixin.qq.com/s/two' },
          ],
        },
        failIdx: [],
      },
    });
    await driver.publishJobFinish({ publishId: '2247503052', publishStatus: 2, failIdx: [1, 3] });
    expect(seen[1]).toMatchObject({
      publishEventInfo: {
        publishStatus: 2,
        articleId: undefined,
        articleDetail: undefined,
        failIdx: [1, 3],
      },
    });
  });

  it('parses the documented PUBLISHJOBFINISH example shape', () => {
    const message = parseWechatMessage(
      '<xml><ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName><FromUserName><![CDATA[mphelper]]></FromUserName><CreateTime>1635750000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>2247503051</publish_id><publish_status>0</publish_status><article_id><![CDATA[b5O2OUs25HBxRceL7hfReg]]></article_id><article_detail><count>1</count><item><idx>1</idx><article_url><![CDATA[ARTICLE_URL]]></article_url></item></article_detail></PublishEventInfo></xml>',
    );
    expect(message.kind).toBe('publish-job-finish');
    if (message.kind !== 'publish-job-finish') return;
    expect(message.publishEventInfo.articleDetail?.items).toEqual([
      { idx: 1, articleUrl: 'ARTICLE_URL' },
    ]);
  });

  it('keeps a MsgId beyond 2^53 exact and keeps unknown kinds with their fields', () => {
    const text = parseWechatMessage(
      buildXml({
        ToUserName: 'gh_x',
        FromUserName: 'o_x',
        CreateTime: 1,
        MsgType: 'text',
        Content: 'a ]]> b & <c>',
        MsgId: 18446744073709551615n,
      }),
    );
    expect(text).toMatchObject({
      kind: 'text',
      msgId: '18446744073709551615',
      content: 'a ]]> b & <c>',
    });
    const image = parseWechatMessage(
      '<xml><ToUserName>gh_x</ToUserName><FromUserName>o_x</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>http://p</PicUrl><MsgId>9007199254740993</MsgId></xml>',
    );
    expect(image).toMatchObject({ kind: 'other', msgType: 'image', msgId: '9007199254740993' });
    expect(image.fields.PicUrl).toBe('http://p');
  });
});

describe('auto-reply menu', () => {
  const menu = parseAutoReplyMenu(MENU);

  it('answers keys, clicks and anything else; nothing for platform notices', () => {
    const base = { toUserName: 'gh', fromUserName: 'o', createTime: 1, fields: {} };
    expect(
      replyFor(menu, { ...base, kind: 'text', msgType: 'text', content: '110', msgId: '1' }),
    ).toContain('110 报警指南');
    expect(
      replyFor(menu, {
        ...base,
        kind: 'click',
        msgType: 'event',
        event: 'CLICK',
        eventKey: 'menu_110',
      }),
    ).toContain('110');
    expect(
      replyFor(menu, {
        ...base,
        kind: 'other',
        msgType: 'event',
        event: 'subscribe',
        eventKey: undefined,
        msgId: undefined,
      }),
    ).toBe(MENU.fallback);
    expect(
      replyFor(menu, {
        ...base,
        kind: 'other',
        msgType: 'event',
        event: 'unsubscribe',
        eventKey: undefined,
        msgId: undefined,
      }),
    ).toBeUndefined();
  });

  it('refuses a menu with a duplicate key or no fallback, naming the path', () => {
    let caught: unknown;
    try {
      parseAutoReplyMenu(
        {
          items: [
            { keys: ['1'], reply: 'a' },
            { keys: ['１'], reply: 'b' },
          ],
        },
        ['members', 3, 'accounts', 'wechat', 'autoReply'],
      );
    } catch (error) {
      caught = error;
    }
    expect(ReleaseHallError.isInstance(caught)).toBe(true);
    const error = caught as ReleaseHallError;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['members[3].accounts.wechat.autoReply.fallback']),
    );
    expect(() =>
      parseAutoReplyMenu({
        items: [
          { keys: ['1'], reply: 'a' },
          { keys: ['１'], reply: 'b' },
        ],
        fallback: 'f',
      }),
    ).toThrow(/also a key of items\[0\]/);
  });

  it('checks handler options at creation', () => {
    expect(() =>
      createCallbackHandler({ token: TOKEN, appId: APPID, encodingAESKey: 'short' }),
    ).toThrow(/encodingAESKey: expected the 43-character EncodingAESKey/);
    expect(() =>
      createCallbackHandler({ token: TOKEN, appId: APPID, answerWithinMs: 6000 }),
    ).toThrow(/at most 5000 ms/);
    expect(() =>
      createCallbackHandler({ token: TOKEN, appId: APPID, menu: { items: [], fallback: 'x' } }),
    ).toThrow(/menu\.items/);
  });
});
