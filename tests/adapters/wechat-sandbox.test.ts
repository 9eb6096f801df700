/**
 * The WeChat sandbox over loopback HTTP: the rules it enforces (tokens, media, drafts, publishing,
 * mass sends, quotas, admin confirmation), latency, faults, inspection, and the msw handlers
 * answering exactly like the server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '#core';
import type { Account, ArticleRendition, DeliveryContext, ReleaseHallError } from '#core';
import { MemoryTokenStore, createWechatAdapter } from '../../adapters/wechat/index.js';
import { wechatHandlers } from '../../adapters/wechat/fake/msw.js';
import {
  WechatPlatform,
  handleWechatRequest,
  hasUnicodeEscape,
} from '../../adapters/wechat/fake/protocol.js';
import { startWechatSandbox } from '../../adapters/wechat/fake/sandbox.js';
import type { WechatSandbox } from '../../adapters/wechat/fake/sandbox.js';
import { pushesLeft } from '../../adapters/wechat/quota-ledger.js';

const SUB = { appid: 'wx00000000000000a1', secret: 'sub-secret-000000001', name: '北京发布' };
const SERVICE = {
  appid: 'wx00000000000000b2',
  secret: 'service-secret-00002',
  name: '北京12345',
  kind: 'service' as const,
};
const GUARDED = {
  appid: 'wx00000000000000c3',
  secret: 'guarded-secret-00003',
  kind: 'service' as const,
  massSendProtection: true,
};
const UNVERIFIED = { appid: 'wx00000000000000d4', secret: 'unverified-secret-04', verified: false };
const FENCED = { appid: 'wx00000000000000e5', secret: 'fenced-secret-000005', ipRefused: true };

// 2026-11-26 23:30 in Shanghai.
const START = Date.UTC(2026, 10, 26, 15, 30, 0);
let sandbox: WechatSandbox;
let platform: WechatPlatform;

beforeAll(async () => {
  sandbox = await startWechatSandbox({ now: () => START });
  platform = sandbox.platform;
  for (const account of [SUB, SERVICE, GUARDED, UNVERIFIED, FENCED]) platform.addAccount(account);
});
beforeEach(() => {
  platform.reset();
  platform.configure({
    publishDelayMs: 0,
    publishPollsBeforeDone: 0,
    latency: { fixedMs: 0, jitterMs: 0 },
    draftRemovedOn: 'submit',
  });
});
afterAll(async () => {
  await sandbox.close();
});

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

interface CallOptions {
  readonly method?: string;
  readonly token?: string;
  readonly query?: Record<string, string>;
  readonly json?: unknown;
  readonly body?: string | FormData;
  readonly base?: string;
}

async function call(endpoint: string, options: CallOptions = {}): Promise<Answer> {
  const query = new URLSearchParams(options.query);
  if (options.token !== undefined) query.set('access_token', options.token);
  const search = query.toString();
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const response = await fetch(
    `${options.base ?? sandbox.url}${endpoint}${search ? `?${search}` : ''}`,
    {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      ...(body === undefined ? {} : { body }),
      ...(typeof body === 'string' ? { headers: { 'content-type': 'application/json' } } : {}),
    },
  );
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { status: response.status, text, json };
}

async function stableToken(account: { appid: string; secret: string }): Promise<string> {
  const answer = await call('stable_token', {
    json: {
      grant_type: 'client_credential',
      appid: account.appid,
      secret: account.secret,
      force_refresh: false,
    },
  });
  const token = answer.json.access_token;
  if (typeof token !== 'string') throw new Error(`no token: ${answer.text}`);
  return token;
}

function jpeg(size = 2_000): Blob {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return new Blob([bytes], { type: 'image/jpeg' });
}

function png(size = 2_000): Blob {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47]);
  return new Blob([bytes], { type: 'image/png' });
}

function upload(file: Blob, field = 'media'): FormData {
  const form = new FormData();
  form.append(field, file, 'picture');
  return form;
}

async function thumb(token: string): Promise<string> {
  const answer = await call('material/add_material', {
    token,
    query: { type: 'thumb' },
    body: upload(jpeg()),
  });
  return String(answer.json.media_id);
}

function articleBody(thumbMediaId: string, fields: Record<string, unknown> = {}) {
  return {
    articles: [
      {
        title: '网传地铁停运不实',
        author: '北京发布',
        digest: '地铁运营正常',
        content: '<p>经核实，该消息不实。</p>',
        content_source_url: 'https://www.beijing.gov.cn/n/1.html',
        thumb_media_id: thumbMediaId,
        ...fields,
      },
    ],
  };
}

async function draft(token: string, fields: Record<string, unknown> = {}): Promise<Answer> {
  return call('draft/add', { token, json: articleBody(await thumb(token), fields) });
}

describe('tokens', () => {
  it('stable_token returns the current token while it has more than 5 minutes, then a new one; the old lives out its life', async () => {
    const first = await call('stable_token', {
      json: {
        grant_type: 'client_credential',
        appid: SUB.appid,
        secret: SUB.secret,
        force_refresh: false,
      },
    });
    const token = String(first.json.access_token);
    expect(first.json.expires_in).toBeGreaterThan(300);
    platform.advanceClock(3_600_000);
    const again = await stableToken(SUB);
    expect(again).toBe(token);
    const remaining = (
      await call('stable_token', {
        json: {
          grant_type: 'client_credential',
          appid: SUB.appid,
          secret: SUB.secret,
          force_refresh: false,
        },
      })
    ).json.expires_in as number;
    platform.advanceClock((remaining - 300) * 1000);
    const renewed = await stableToken(SUB);
    expect(renewed).not.toBe(token);
    expect(platform.tokenWorks(token)).toBe(true); // overlap
    platform.advanceClock(300_000);
    expect(platform.tokenWorks(token)).toBe(false);
    expect((await call('draft/count', { token })).json.errcode).toBe(42001);
    expect(platform.tokenFetches(SUB.appid).stable).toBe(4);
  });

  it('classic token replaces the token on each call; the previous one works 5 more minutes', async () => {
    const first = await call('token', {
      query: { grant_type: 'client_credential', appid: SERVICE.appid, secret: SERVICE.secret },
    });
    const old = String(first.json.access_token);
    expect(first.json.expires_in).toBe(7200);
    const second = await call('token', {
      query: { grant_type: 'client_credential', appid: SERVICE.appid, secret: SERVICE.secret },
    });
    expect(second.json.access_token).not.toBe(old);
    expect((await call('draft/count', { token: old })).json.total_count).toBe(0);
    platform.advanceClock(300_000);
    expect((await call('draft/count', { token: old })).json.errcode).toBe(40001);
    expect(platform.tokenFetches(SERVICE.appid)).toEqual({ stable: 0, classic: 2, issued: 2 });
  });

  it('refuses wrong secrets, appids, grant types, methods and IPs', async () => {
    const stable = (body: Record<string, unknown>) => call('stable_token', { json: body });
    const base = { grant_type: 'client_credential', appid: SUB.appid, secret: SUB.secret };
    expect((await stable({ ...base, secret: 'wrong' })).json.errcode).toBe(40125);
    expect((await stable({ ...base, appid: 'wx0000000000000zzz' })).json.errcode).toBe(40013);
    expect((await stable({ ...base, grant_type: 'password' })).json.errcode).toBe(40002);
    expect((await stable({ grant_type: 'client_credential', appid: SUB.appid })).json.errcode).toBe(
      41004,
    );
    expect((await call('stable_token', { method: 'GET' })).json.errcode).toBe(43002);
    expect(
      (
        await call('token', {
          query: { grant_type: 'client_credential', appid: SUB.appid, secret: 'x' },
        })
      ).json.errcode,
    ).toBe(40001);
    expect(
      (await stable({ ...base, appid: FENCED.appid, secret: FENCED.secret })).json.errcode,
    ).toBe(40164);
    // Errors carry a request id, and arrive with HTTP 200.
    const refused = await stable({ ...base, secret: 'wrong' });
    expect(refused.status).toBe(200);
    expect(refused.json.errmsg).toMatch(/ rid: [0-9a-f-]+$/);
  });

  it('API calls: no token 41001, unknown token 40014', async () => {
    expect((await call('draft/count')).json.errcode).toBe(41001);
    expect((await call('draft/count', { token: 'nope' })).json.errcode).toBe(40014);
  });
});

describe('media', () => {
  it('thumb must be a JPEG of at most 64 KB; uploadimg JPEG/PNG under 1 MB; the field is "media"', async () => {
    const token = await stableToken(SUB);
    expect(
      (
        await call('material/add_material', {
          token,
          query: { type: 'thumb' },
          body: upload(png()),
        })
      ).json.errcode,
    ).toBe(40005);
    expect(
      (
        await call('material/add_material', {
          token,
          query: { type: 'thumb' },
          body: upload(jpeg(70_000)),
        })
      ).json.errcode,
    ).toBe(40006);
    expect(
      (
        await call('material/add_material', {
          token,
          query: { type: 'thumb' },
          body: upload(jpeg(), 'file'),
        })
      ).json.errcode,
    ).toBe(41005);
    const ok = await call('material/add_material', {
      token,
      query: { type: 'thumb' },
      body: upload(jpeg()),
    });
    expect(Object.keys(ok.json)).toEqual(['media_id']);
    const image = await call('media/uploadimg', { token, body: upload(png()) });
    expect(image.json).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(image.json.url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\/mmbiz_png\//);
    expect(platform.uploads(SUB.appid).map((item) => item.type)).toEqual(['thumb', 'uploadimg']);
  });
});

describe('drafts', () => {
  it('a good draft answers only a media_id (no errcode)', async () => {
    const token = await stableToken(SUB);
    const answer = await draft(token);
    expect(Object.keys(answer.json)).toEqual(['media_id']);
    expect(platform.drafts(SUB.appid)[0]?.articles[0]?.title).toBe('网传地铁停运不实');
  });

  it('checks every field limit of §1.4', async () => {
    const token = await stableToken(SUB);
    const code = async (fields: Record<string, unknown>) =>
      (await draft(token, fields)).json.errcode;
    expect(await code({ title: '题'.repeat(32) })).toBeUndefined();
    expect(await code({ title: '题'.repeat(33) })).toBe(45003);
    expect(await code({ title: '' })).toBe(44003);
    expect(await code({ author: '作'.repeat(17) })).toBe(45110);
    expect(await code({ digest: '摘'.repeat(129) })).toBe(45004);
    expect(await code({ content: 'x'.repeat(19_999) })).toBeUndefined();
    expect(await code({ content: 'x'.repeat(20_000) })).toBe(45002);
    expect(await code({ content_source_url: 'ftp://x' })).toBe(41039);
    expect(await code({ content_source_url: `https://a.cn/${'x'.repeat(1024)}` })).toBe(41039);
    expect(await code({ need_open_comment: 2 })).toBe(40097);
    expect(await code({ content: '<p>x</p><img src="https://example.org/a.jpg">' })).toBe(45166);
  });

  it('the cover must be a permanent media id of the same account', async () => {
    const token = await stableToken(SUB);
    const temporary = await call('media/upload', {
      token,
      query: { type: 'thumb' },
      body: upload(jpeg()),
    });
    const tempId = String(temporary.json.media_id);
    expect((await call('draft/add', { token, json: articleBody(tempId) })).json.errcode).toBe(
      40007,
    );
    const other = await thumb(await stableToken(SERVICE));
    expect((await call('draft/add', { token, json: articleBody(other) })).json.errcode).toBe(40007);
  });

  it('images in the content only from uploadimg', async () => {
    const token = await stableToken(SUB);
    const url = String((await call('media/uploadimg', { token, body: upload(png()) })).json.url);
    const ok = await draft(token, { content: `<p>现场</p><img src="${url}">` });
    expect(ok.json.media_id).toBeDefined();
  });

  it('raw characters only: a \\uXXXX escape is 40033, an escaped backslash before u is fine', async () => {
    const token = await stableToken(SUB);
    const cover = await thumb(token);
    const escaped = JSON.stringify(articleBody(cover)).replace('网', '\\u7f51');
    expect((await call('draft/add', { token, body: escaped })).json.errcode).toBe(40033);
    const backslash = JSON.stringify(articleBody(cover, { content: '<p>C:\\users\\u1234</p>' }));
    expect(hasUnicodeEscape(backslash)).toBe(false);
    expect((await call('draft/add', { token, body: backslash })).json.media_id).toBeDefined();
    expect((await call('draft/add', { token, body: '', method: 'POST' })).json.errcode).toBe(44002);
  });
});

describe('publishing', () => {
  it('submit → publish_id (a JSON number above 2^53); get says 1, then 0 with article_id and url', async () => {
    platform.configure({ publishDelayMs: 60_000 });
    const token = await stableToken(SUB);
    const mediaId = String((await draft(token)).json.media_id);
    const submit = await call('freepublish/submit', { token, json: { media_id: mediaId } });
    expect(submit.json).toMatchObject({ errcode: 0, errmsg: 'ok' });
    const publishId = /"publish_id":(\d+)/.exec(submit.text)?.[1] ?? '';
    expect(BigInt(publishId)).toBeGreaterThan(2n ** 53n);
    // The draft leaves the draft box at submit (the fake's choice; §6 leaves it open).
    expect((await call('draft/get', { token, json: { media_id: mediaId } })).json.errcode).toBe(
      40007,
    );
    const running = await call('freepublish/get', { token, body: `{"publish_id":"${publishId}"}` });
    expect(running.json.publish_status).toBe(1);
    platform.advanceClock(60_000);
    const done = await call('freepublish/get', { token, body: `{"publish_id":${publishId}}` });
    expect(done.json.publish_status).toBe(0);
    const [article] = platform.liveArticles(SUB.appid);
    expect(done.json.article_id).toBe(article?.articleId);
    expect(done.json.article_detail).toEqual({
      count: 1,
      item: [{ idx: 1, article_url: article?.url }],
    });
    const list = await call('freepublish/batchget', {
      token,
      json: { offset: 0, count: 20, no_content: 1 },
    });
    expect(list.json).toMatchObject({ total_count: 1, item_count: 1 });
    expect(
      await call('freepublish/batchget', { token, json: { offset: 0, count: 21 } }),
    ).toMatchObject({
      json: { errcode: 40097 },
    });
    expect(
      (
        await call('freepublish/delete', {
          token,
          json: { article_id: article?.articleId, index: 0 },
        })
      ).json.errcode,
    ).toBe(0);
    expect(
      (await call('freepublish/delete', { token, json: { article_id: article?.articleId } })).json
        .errcode,
    ).toBe(53600);
    expect(
      (await call('freepublish/get', { token, json: { publish_id: publishId } })).json
        .publish_status,
    ).toBe(5);
  });

  it('configured failures 2, 3, 4 with fail_idx; the draft comes back', async () => {
    const token = await stableToken(SUB);
    for (const status of [2, 3, 4] as const) {
      platform.setPublishOutcome(SUB.appid, status);
      const mediaId = String((await draft(token)).json.media_id);
      const publishId = /"publish_id":(\d+)/.exec(
        (await call('freepublish/submit', { token, json: { media_id: mediaId } })).text,
      )?.[1];
      const answer = await call('freepublish/get', { token, json: { publish_id: publishId } });
      expect(answer.json.publish_status).toBe(status);
      expect(answer.json.fail_idx).toEqual(status === 3 ? [] : [1]);
      expect(
        (await call('draft/get', { token, json: { media_id: mediaId } })).json.news_item,
      ).toBeDefined();
    }
    expect(platform.liveArticles(SUB.appid)).toHaveLength(0);
  });

  it('polls-before-done and draftRemovedOn success are configurable; 6 = banned by the system', async () => {
    platform.configure({ publishPollsBeforeDone: 2, draftRemovedOn: 'success' });
    const token = await stableToken(SUB);
    const mediaId = String((await draft(token)).json.media_id);
    const publishId = /"publish_id":(\d+)/.exec(
      (await call('freepublish/submit', { token, json: { media_id: mediaId } })).text,
    )?.[1];
    expect(
      (await call('draft/get', { token, json: { media_id: mediaId } })).json.news_item,
    ).toBeDefined();
    const statuses: unknown[] = [];
    for (let poll = 0; poll < 3; poll++) {
      statuses.push(
        (await call('freepublish/get', { token, json: { publish_id: publishId } })).json
          .publish_status,
      );
    }
    expect(statuses).toEqual([1, 1, 0]);
    const articleId = platform.liveArticles(SUB.appid)[0]?.articleId ?? '';
    platform.removeArticle(articleId, 'system');
    expect(
      (await call('freepublish/get', { token, json: { publish_id: publishId } })).json
        .publish_status,
    ).toBe(6);
  });

  it('an unverified account may not publish (48001)', async () => {
    const token = await stableToken(UNVERIFIED);
    expect(
      (await call('freepublish/submit', { token, json: { media_id: 'x' } })).json.errcode,
    ).toBe(48001);
  });
});

describe('mass send', () => {
  const send = (token: string, clientmsgid: string | undefined, text = '通知') =>
    call('message/mass/sendall', {
      token,
      json: {
        filter: { is_to_all: true },
        text: { content: text },
        msgtype: 'text',
        ...(clientmsgid === undefined ? {} : { clientmsgid }),
      },
    });

  it('clientmsgid: too long 45067; repeated too fast 45066; later 45065 with the existing msg_id', async () => {
    const token = await stableToken(SUB);
    expect((await send(token, 'x'.repeat(65))).json.errcode).toBe(45067);
    const first = await send(token, 'campaign-1');
    expect(first.json).toMatchObject({ errcode: 0, errmsg: 'send job submission success' });
    const msgId = /"msg_id":(\d+)/.exec(first.text)?.[1];
    expect((await send(token, 'campaign-1')).json.errcode).toBe(45066);
    platform.advanceClock(60_000);
    const again = await send(token, 'campaign-1');
    expect(again.json.errcode).toBe(45065);
    expect(/"msg_id":(\d+)/.exec(again.text)?.[1]).toBe(msgId);
    expect(platform.massSends(SUB.appid)).toHaveLength(1);
  });

  it('without a clientmsgid the same content is refused as the same send', async () => {
    const token = await stableToken(SERVICE);
    await send(token, undefined, '同一内容');
    platform.advanceClock(60_000);
    expect((await send(token, undefined, '同一内容')).json.errcode).toBe(45065);
    expect(platform.massSends(SERVICE.appid)[0]?.clientMsgIdDerived).toBe(true);
  });

  it('subscription: one to-all push per Shanghai day (the day turns at 16:00Z)', async () => {
    const token = await stableToken(SUB);
    expect((await send(token, 'day-1')).json.errcode).toBe(0); // 23:30 on 11-26 in Shanghai
    expect((await send(token, 'day-1b')).json.errcode).toBe(45028);
    platform.advanceClock(29 * 60_000); // 23:59
    expect((await send(token, 'day-1c')).json.errcode).toBe(45028);
    platform.advanceClock(2 * 60_000); // 00:01 on 11-27
    expect((await send(token, 'day-2')).json.errcode).toBe(0);
    // The adapter's ledger agrees with the fake's own arithmetic.
    const pushes = platform.massSends(SUB.appid).map((item) => ({ at: item.createdAt }));
    expect(pushesLeft({ kind: 'subscription', at: platform.now(), pushes }).left).toBe(0);
    expect(platform.pushesUsed(SUB.appid)).toBe(1);
  });

  it('service: four per calendar month', async () => {
    const token = await stableToken(SERVICE);
    for (let index = 0; index < 4; index++)
      expect((await send(token, `m-${index}`)).json.errcode).toBe(0);
    expect((await send(token, 'm-4')).json.errcode).toBe(45028);
    platform.advanceClock(5 * 86_400_000); // December in Shanghai
    expect((await send(token, 'm-5')).json.errcode).toBe(42001); // the token did not last 5 days
    expect((await send(await stableToken(SERVICE), 'm-5')).json.errcode).toBe(0);
  });

  it('admin confirmation: SENDING until confirmed, or SEND_FAIL after 30 minutes', async () => {
    const token = await stableToken(GUARDED);
    const first = /"msg_id":(\d+)/.exec((await send(token, 'guard-1')).text)?.[1] ?? '';
    const status = async (msgId: string) =>
      (await call('message/mass/get', { token, json: { msg_id: msgId } })).json.msg_status;
    expect(await status(first)).toBe('SENDING');
    expect(platform.massSend(first)).toMatchObject({ awaitingConfirmation: true });
    platform.confirmMassSend(first);
    expect(await status(first)).toBe('SEND_SUCCESS');
    const second = /"msg_id":(\d+)/.exec((await send(token, 'guard-2')).text)?.[1] ?? '';
    platform.advanceClock(30 * 60_000 - 1);
    expect(await status(second)).toBe('SENDING');
    platform.advanceClock(1);
    expect(await status(second)).toBe('SEND_FAIL');
    expect((await call('message/mass/get', { token, json: { msg_id: '1' } })).json.errcode).toBe(
      40059,
    );
  });

  it('mass/delete: only a sent article; deleting one send disables every send of it', async () => {
    const token = await stableToken(SERVICE);
    const mediaId = String((await draft(token)).json.media_id);
    const sent = await call('message/mass/sendall', {
      token,
      json: {
        filter: { is_to_all: true },
        mpnews: { media_id: mediaId },
        msgtype: 'mpnews',
        clientmsgid: 'art-1',
      },
    });
    const msgId = /"msg_id":(\d+)/.exec(sent.text)?.[1] ?? '';
    expect(sent.json.msg_data_id).toBeDefined();
    expect(platform.drafts(SERVICE.appid)[0]?.removed).toBe(true);
    const text = /"msg_id":(\d+)/.exec((await send(token, 'txt-1')).text)?.[1] ?? '';
    expect(
      (await call('message/mass/delete', { token, body: `{"msg_id":${text},"article_idx":0}` }))
        .json.errcode,
    ).toBe(40059);
    expect(
      (await call('message/mass/delete', { token, body: `{"msg_id":${msgId},"article_idx":0}` }))
        .json.errcode,
    ).toBe(0);
    expect(platform.massSend(msgId)?.status).toBe('DELETE');
  });
});

describe('faults, latency and inspection', () => {
  it('busy (-1), html-200, drop-after-apply and timeout-after-apply', async () => {
    const token = await stableToken(SUB);
    platform.injectFault({ kind: 'busy', appid: SUB.appid, endpoint: 'draft/count' });
    expect((await call('draft/count', { token })).json.errcode).toBe(-1);
    platform.injectFault({ kind: 'html-200', endpoint: 'draft/count' });
    const html = await call('draft/count', { token });
    expect(html.status).toBe(200);
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    const cover = await thumb(token);
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'draft/add' });
    await expect(call('draft/add', { token, json: articleBody(cover) })).rejects.toThrow();
    expect(platform.drafts(SUB.appid)).toHaveLength(1);
    platform.injectFault({ kind: 'timeout-after-apply', endpoint: 'draft/add', hangMs: 5_000 });
    const controller = new AbortController();
    const pending = fetch(`${sandbox.url}draft/add?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify(articleBody(cover)),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
    expect(platform.drafts(SUB.appid)).toHaveLength(2);
    expect(platform.counts().faultsApplied).toBe(4);
  });

  it('token faults are for API calls; the token endpoints only when named', async () => {
    platform.injectFault({ kind: 'token-expired' });
    const token = await stableToken(SUB);
    expect((await call('draft/count', { token })).json.errcode).toBe(42001);
    platform.injectFault({ kind: 'busy', endpoint: 'stable_token' });
    await expect(stableToken(SUB)).rejects.toThrow(/no token/);
  });

  it('latency is seeded: the same seed gives the same delays', () => {
    const delays = (seed: number) => {
      const fake = new WechatPlatform({ latency: { fixedMs: 5, jitterMs: 20, seed } });
      return Array.from(
        { length: 5 },
        () =>
          handleWechatRequest(fake, {
            method: 'GET',
            path: '/cgi-bin/draft/count',
            query: new URLSearchParams(),
            headers: {},
            body: '',
          }).delayMs,
      );
    };
    expect(delays(7)).toEqual(delays(7));
    expect(delays(7)).not.toEqual(delays(8));
    expect(delays(7).every((delay) => delay >= 5 && delay <= 25)).toBe(true);
  });

  it('the request log holds neither tokens nor secrets', async () => {
    const token = await stableToken(SUB);
    await call('token', {
      query: { grant_type: 'client_credential', appid: SUB.appid, secret: SUB.secret },
    });
    await call('draft/count', { token });
    const log = JSON.stringify(platform.requests());
    expect(log).not.toContain(token);
    expect(log).not.toContain(SUB.secret);
    expect(platform.requests().map((record) => record.endpoint)).toEqual([
      'stable_token',
      'token',
      'draft/count',
    ]);
  });

  it('unknown paths and wrong methods', async () => {
    const token = await stableToken(SUB);
    expect((await call('nothing/here', { token })).json.errcode).toBe(40066);
    expect((await call('draft/add', { token, method: 'GET' })).json.errcode).toBe(43002);
  });
});

describe('msw handlers', () => {
  it('answer like the server (one protocol description)', async () => {
    const shared = new WechatPlatform({ now: () => START });
    shared.addAccount(SUB);
    const base = 'https://api.weixin.qq.com/cgi-bin/';
    const mock = setupServer(...wechatHandlers(shared));
    mock.listen({ onUnhandledRequest: 'bypass' });
    const served = await startWechatSandbox({ platform: shared });
    try {
      const viaMsw = await call('stable_token', {
        base,
        json: { grant_type: 'client_credential', appid: SUB.appid, secret: SUB.secret },
      });
      const viaHttp = await call('stable_token', {
        base: served.url,
        json: { grant_type: 'client_credential', appid: SUB.appid, secret: SUB.secret },
      });
      expect(viaMsw.json.access_token).toBe(viaHttp.json.access_token);
      const token = String(viaMsw.json.access_token);
      const a = await call('draft/add', {
        base,
        token,
        json: { articles: [{ title: '题'.repeat(33) }] },
      });
      const b = await call('draft/add', {
        base: served.url,
        token,
        json: { articles: [{ title: '题'.repeat(33) }] },
      });
      expect(a.json.errcode).toBe(45003);
      expect(b.json.errcode).toBe(45003);
      const form = await call('media/uploadimg', { base, token, body: upload(png()) });
      expect(form.json.errcode).toBe(0);
      expect(shared.requests()).toHaveLength(5);
    } finally {
      mock.close();
      await served.close();
    }
  });
});

describe('a 71-account campaign over the sandbox', () => {
  it('one token fetch per appid, one article and one push per account; a resumed run never pushes twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wechat-campaign-'));
    const cover = join(dir, 'cover.jpg');
    const bytes = new Uint8Array(30_000);
    bytes.set([0xff, 0xd8, 0xff, 0xe0]);
    await writeFile(cover, bytes);
    const hall = await startWechatSandbox({ latency: { fixedMs: 1, jitterMs: 3, seed: 5 } });
    try {
      const accounts: Account[] = Array.from({ length: 71 }, (_unused, index) => {
        const appid = `wx${index.toString(16).padStart(16, '0')}`;
        const kind = index < 55 ? 'subscription' : 'service';
        hall.platform.addAccount({ appid, secret: `secret-${index}-0123456789`, kind });
        return {
          id: `member-${index}/wechat`,
          memberId: `member-${index}`,
          platform: 'wechat',
          handle: `成员${index}`,
          credentials: `wechat-member-${index}`,
          kind,
          settings: { appid },
        };
      });
      const contextOf = (account: Account, action: string): DeliveryContext => ({
        signal: new AbortController().signal,
        idempotencyKey: `campaign-71:${account.id}:${action}`,
        credentials: { secret: `secret-${account.memberId.slice('member-'.length)}-0123456789` },
        logger: silentLogger,
        requestTimeoutMs: 5_000,
      });
      const rendition = (account: Account): ArticleRendition => ({
        format: 'article',
        title: '网传"北京地铁今晚全线停运"不实',
        author: account.handle,
        digest: '北京地铁各线路运营正常，请勿信谣传谣。',
        html: '<p>近日网传"北京地铁今晚全线停运"，经核实，该消息不实。</p>',
        sourceUrl: 'https://www.beijing.gov.cn/n/rumor.html',
        cover,
      });
      const tokenStore = new MemoryTokenStore();
      const first = createWechatAdapter({
        baseURL: hall.url,
        tokenStore,
        publishPoll: { intervalsMs: [1, 1, 1] },
      });
      // Every account publishes; every account pushes, and some pushes lose their answer.
      for (const account of accounts.filter((_unused, index) => index % 7 === 0)) {
        hall.platform.injectFault({
          kind: 'drop-after-apply',
          appid: String(account.settings.appid),
          endpoint: 'message/mass/sendall',
        });
      }
      const outcomes = await Promise.allSettled(
        accounts.flatMap((account) => [
          first.publish(rendition(account), account, contextOf(account, 'post')),
          first.pushMessage(account, contextOf(account, 'mass-send'), {
            article: rendition(account),
            clientMsgId: first.clientMsgId('campaign-71', account.id, 'mass-send'),
          }),
        ]),
      );
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(rejected).toHaveLength(11); // the dropped pushes: AMBIGUOUS
      for (const outcome of rejected) {
        expect((outcome.reason as ReleaseHallError).code).toBe('AMBIGUOUS');
      }
      for (const account of accounts) {
        const appid = String(account.settings.appid);
        expect(hall.platform.tokenFetches(appid)).toMatchObject({ stable: 1, issued: 1 });
        expect(hall.platform.liveArticles(appid)).toHaveLength(1);
        expect(hall.platform.massSends(appid)).toHaveLength(1);
      }

      // The process dies and a new one resumes the campaign a minute later, sharing the token store.
      hall.platform.advanceClock(65_000);
      const resumed = createWechatAdapter({
        baseURL: hall.url,
        tokenStore,
        publishPoll: { intervalsMs: [1] },
      });
      const again = await Promise.all(
        accounts.map((account) =>
          resumed.pushMessage(account, contextOf(account, 'mass-send'), {
            article: rendition(account),
            clientMsgId: resumed.clientMsgId('campaign-71', account.id, 'mass-send'),
          }),
        ),
      );
      expect(again.every((result) => result.alreadySent && result.status === 'sent')).toBe(true);
      for (const account of accounts) {
        const appid = String(account.settings.appid);
        expect(hall.platform.massSends(appid)).toHaveLength(1);
        expect(hall.platform.tokenFetches(appid).stable).toBe(1);
      }

      // A second campaign the same day: subscription accounts have no push left.
      const subscriber = accounts[0];
      if (subscriber === undefined) throw new Error('no account');
      const refused = await resumed
        .pushMessage(subscriber, contextOf(subscriber, 'second'), {
          text: '第二条',
          clientMsgId: resumed.clientMsgId('campaign-72', subscriber.id, 'mass-send'),
        })
        .catch((error: unknown) => error);
      expect((refused as ReleaseHallError).code).toBe('QUOTA_EXHAUSTED');
    } finally {
      await hall.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
