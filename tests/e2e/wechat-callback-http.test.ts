/**
 * The callback over real HTTP: a node:http server on 127.0.0.1 (port 0) and the driver posting
 * signed, encrypted messages to its URL, as WeChat would.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCallbackServer } from '../../adapters/wechat/callback/index.js';
import { DRIVER_DEFAULT_OPENID, createCallbackDriver } from '../../adapters/testing/index.js';
import type { WechatMessage } from '../../adapters/wechat/callback/index.js';

const TOKEN = 'pamtest';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPID = 'wxb11529c136998cb6';

const seen: WechatMessage[] = [];
const sendLater = vi.fn();
let server: Server;
let url: string;

function listen(target: Server): Promise<string> {
  return new Promise((resolve) => {
    target.listen(0, '127.0.0.1', () => {
      const { port } = target.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}/wechat/callback`);
    });
  });
}

function rawPost(target: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(target, { method: 'POST' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

beforeAll(async () => {
  server = createCallbackServer({
    token: TOKEN,
    encodingAESKey: KEY,
    appId: APPID,
    maxBodyBytes: 64 * 1024,
    answerWithinMs: 200,
    menu: {
      items: [
        { keys: ['1', '110', 'MENU_110'], reply: '110 报警指南：紧急情况请拨打 110。' },
        { keys: ['2'], reply: '交通：违法查询请登录交管 12123。' },
        { keys: ['3'], reply: '户籍：户口迁移请到派出所办理。' },
      ],
      fallback: '回复 1 报警指南，2 交通，3 户籍',
    },
    onMessage: async (message) => {
      seen.push(message);
      if (message.kind === 'text' && message.content === 'slow') {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return '慢查询的结果';
      }
      return undefined;
    },
    sendLater,
  });
  url = await listen(server);
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
});

describe('callback over node:http', () => {
  const driver = () =>
    createCallbackDriver({ token: TOKEN, appId: APPID, encodingAESKey: KEY, target: url });

  it('passes the URL check', async () => {
    const result = await driver().handshake('1234567890');
    expect(result.status).toBe(200);
    expect(result.body).toBe('1234567890');
  });

  it('answers a follower sending "1" with the encrypted 110 guide', async () => {
    const result = await driver().sendText('1');
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toMatch(/xml/);
    expect(result.encrypted).toBe(true);
    expect(result.reply).toMatchObject({
      toUserName: DRIVER_DEFAULT_OPENID,
      fromUserName: 'gh_7f083739789a',
      msgType: 'text',
      content: '110 报警指南：紧急情况请拨打 110。',
    });
  });

  it('answers a CLICK from its item, unknown text with the menu, in plaintext too', async () => {
    expect((await driver().click('MENU_110')).reply?.content).toContain('110 报警指南');
    const plain = createCallbackDriver({ token: TOKEN, appId: APPID, mode: 'plain', target: url });
    const result = await plain.sendText('天气怎么样');
    expect(result.encrypted).toBe(false);
    expect(result.reply?.content).toBe('回复 1 报警指南，2 交通，3 户籍');
  });

  it('answers success to MASSSENDJOBFINISH and hands the parsed notice to onMessage', async () => {
    const result = await driver().massSendJobFinish({ msgId: '1000001625', totalCount: 3 });
    expect(result.body).toBe('success');
    expect(seen.at(-1)).toMatchObject({
      kind: 'mass-send-job-finish',
      msgId: '1000001625',
      totalCount: 3,
      sentCount: 3,
    });
  });

  it('answers each retry of one MsgId the same, running the work once', async () => {
    const before = seen.length;
    const one = driver();
    const replies = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      replies.push((await one.sendText('2', { msgId: '18446744073709551615' })).reply?.content);
    }
    expect(replies).toEqual(Array(3).fill('交通：违法查询请登录交管 12123。'));
    expect(seen.length - before).toBe(1);
    expect(seen.at(-1)).toMatchObject({ msgId: '18446744073709551615' });
  });

  it('answers success within the deadline and sends the slow reply later', async () => {
    const result = await driver().sendText('slow');
    expect(result.body).toBe('success');
    await vi.waitFor(() =>
      expect(sendLater).toHaveBeenCalledWith(DRIVER_DEFAULT_OPENID, '慢查询的结果'),
    );
    expect(sendLater).toHaveBeenCalledTimes(1);
  });

  it('refuses a forged request with 403 and an empty body', async () => {
    const forged = createCallbackDriver({
      token: 'not-the-token',
      appId: APPID,
      encodingAESKey: KEY,
      target: url,
    });
    const result = await forged.sendText('1');
    expect(result.status).toBe(403);
    expect(result.body).toBe('');
    expect((await fetch(`${url}?echostr=x`)).status).toBe(403);
  });

  it('refuses a body above maxBodyBytes with 413', async () => {
    expect(await rawPost(url, 'x'.repeat(70 * 1024))).toBe(413);
  });
});
