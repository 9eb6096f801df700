/**
 * The WeChat adapter against the msw handlers (same protocol description as the sandbox).
 * Every request is captured and checked: method, path, `access_token` query, raw UTF-8 JSON
 * bodies with every required field, multipart uploads.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type {
  Account,
  ArticleRendition,
  DeliveryContext,
  DeliveryDescriptor,
  Logger,
  TextRendition,
} from '#core';
import { idempotencyKey } from '../../src/plan/plan-campaign.js';
import {
  WECHAT_MASS_DELETE_WARNING,
  createWechatAdapter,
  wechatAccountSchema,
  wechatClientMsgId,
} from '../../adapters/wechat/index.js';
import type { WechatAdapterOptions } from '../../adapters/wechat/index.js';
import { wechatHandlers } from '../../adapters/wechat/fake/msw.js';
import { WechatPlatform } from '../../adapters/wechat/fake/protocol.js';

const API = 'https://api.weixin.qq.com/cgi-bin/';
const LEAD_APPID = 'wxa1b2c3d4e5f60001';
const MEMBER_APPID = 'wxa1b2c3d4e5f60002';
const PROTECTED_APPID = 'wxa1b2c3d4e5f60003';
const SECRETS: Readonly<Record<string, string>> = {
  [LEAD_APPID]: 'lead-appsecret-0123456789abcdef',
  [MEMBER_APPID]: 'member-appsecret-0123456789abcd',
  [PROTECTED_APPID]: 'protected-appsecret-0123456789a',
};

function wechatAccount(memberId: string, handle: string, appid: string, extra = {}): Account {
  return {
    id: `${memberId}/wechat`,
    memberId,
    platform: 'wechat',
    handle,
    credentials: `wechat-${memberId}`,
    kind: 'subscription',
    settings: { appid, ...extra },
  };
}

const lead = wechatAccount('beijing-fabu', '北京发布', LEAD_APPID);
const member = wechatAccount('police', '平安北京', MEMBER_APPID);
const guarded = wechatAccount('transport', '北京交通', PROTECTED_APPID, {
  massSendProtection: true,
});

// The platform clock runs from noon in Shanghai, so no test meets a quota day boundary.
const STARTED = Date.now();
const platform = new WechatPlatform({
  now: () => Date.UTC(2026, 10, 26, 4, 0, 0) + (Date.now() - STARTED),
});
platform.addAccount({ appid: LEAD_APPID, secret: SECRETS[LEAD_APPID] ?? '', name: '北京发布' });
platform.addAccount({ appid: MEMBER_APPID, secret: SECRETS[MEMBER_APPID] ?? '', name: '平安北京' });
platform.addAccount({
  appid: PROTECTED_APPID,
  secret: SECRETS[PROTECTED_APPID] ?? '',
  name: '北京交通',
  kind: 'service',
  massSendProtection: true,
});

const server = setupServer(...wechatHandlers(platform));

interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly endpoint: string;
  readonly headers: Headers;
  readonly body: string;
}
let captured: Promise<Captured>[] = [];
server.events.on('request:start', ({ request }) => {
  const copy = request.clone();
  captured.push(
    copy.text().then((body) => ({
      method: request.method,
      url: new URL(request.url),
      endpoint: new URL(request.url).pathname.replace('/cgi-bin/', ''),
      headers: request.headers,
      body,
    })),
  );
});

async function requests(): Promise<Captured[]> {
  return Promise.all(captured);
}

async function requestsTo(endpoint: string): Promise<Captured[]> {
  return (await requests()).filter((request) => request.endpoint === endpoint);
}

let dir: string;
let cover: string;
let otherCover: string;
let photo: string;

function jpeg(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  for (let index = 4; index < size; index++) bytes[index] = (index * seed) % 251;
  return bytes;
}

function png(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}

function adapterWith(options: WechatAdapterOptions = {}) {
  return createWechatAdapter({
    publishPoll: { intervalsMs: [1, 1, 1, 1, 1] },
    now: () => platform.now(),
    ...options,
  });
}

function context(account: Account, overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  const appid = String(account.settings.appid);
  return {
    signal: new AbortController().signal,
    idempotencyKey: `test:${account.id}:${Math.random()}`,
    credentials: { secret: SECRETS[appid] ?? '' },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
    ...overrides,
  };
}

function article(label: string, extra: Partial<ArticleRendition> = {}): ArticleRendition {
  return {
    format: 'article',
    title: `网传"地铁停运"不实（${label}）`,
    author: '北京发布',
    digest: '北京地铁各线路运营正常。',
    html: `<p>近日网传"北京地铁今晚全线停运"，经核实，该消息不实。（${label}）</p>`,
    sourceUrl: `https://www.beijing.gov.cn/n/${label}.html`,
    cover,
    ...extra,
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

function capturingLogger(lines: { level: string; message: string }[]): Logger {
  const emit = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  dir = await mkdtemp(join(tmpdir(), 'wechat-test-'));
  cover = join(dir, 'cover.jpg');
  otherCover = join(dir, 'other.jpg');
  photo = join(dir, 'photo.png');
  await writeFile(cover, jpeg(20_000, 7));
  await writeFile(otherCover, jpeg(10_000, 11));
  await writeFile(photo, png(5_000));
});
beforeEach(() => {
  captured = [];
});
afterEach(() => {
  server.resetHandlers();
  platform.reset();
  platform.configure({
    publishDelayMs: 0,
    publishPollsBeforeDone: 0,
    idsAsStrings: false,
    massSendDelayMs: 0,
  });
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('publish', () => {
  it('fetches a stable token, uploads the cover, adds the draft, submits and polls', async () => {
    const journaled: string[] = [];
    const wechat = adapterWith({
      journalPublishId: (accountId, _key, publishId) => {
        journaled.push(`${accountId} ${publishId}`);
      },
    });
    const result = await wechat.publish(article('a'), lead, context(lead));

    const all = await requests();
    expect(all.map((request) => `${request.method} ${request.endpoint}`)).toEqual([
      'POST stable_token',
      'POST material/add_material',
      'POST draft/add',
      'POST freepublish/submit',
      'POST freepublish/get',
    ]);
    const [tokenRequest, upload, draft, submit, get] = all;
    const token = (await wechat.tokenHolder(LEAD_APPID).peek())?.accessToken ?? '';
    expect(token.length).toBeGreaterThan(20);

    expect(tokenRequest?.url.href).toBe(`${API}stable_token`);
    expect(JSON.parse(tokenRequest?.body ?? '')).toEqual({
      grant_type: 'client_credential',
      appid: LEAD_APPID,
      secret: SECRETS[LEAD_APPID],
      force_refresh: false,
    });

    expect(upload?.url.searchParams.get('type')).toBe('thumb');
    expect(upload?.url.searchParams.get('access_token')).toBe(token);
    expect(upload?.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload?.body).toContain(
      'Content-Disposition: form-data; name="media"; filename="cover.jpg"',
    );
    expect(upload?.body).toContain('Content-Type: image/jpeg');

    for (const request of [draft, submit, get]) {
      expect([...(request?.url.searchParams.keys() ?? [])]).toEqual(['access_token']);
      expect(request?.url.searchParams.get('access_token')).toBe(token);
      expect(request?.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
    // Raw UTF-8: the Chinese text is in the body as characters, with no \u escape anywhere.
    expect(draft?.body).toContain('网传"地铁停运"不实'.replace(/"/g, '\\"'));
    expect(draft?.body).not.toMatch(/\\u[0-9a-fA-F]{4}/);
    const thumb = platform.uploads(LEAD_APPID).find((item) => item.type === 'thumb');
    expect(JSON.parse(draft?.body ?? '')).toEqual({
      articles: [
        {
          article_type: 'news',
          title: '网传"地铁停运"不实（a）',
          author: '北京发布',
          digest: '北京地铁各线路运营正常。',
          content: '<p>近日网传"北京地铁今晚全线停运"，经核实，该消息不实。（a）</p>',
          content_source_url: 'https://www.beijing.gov.cn/n/a.html',
          thumb_media_id: thumb?.mediaId,
          need_open_comment: 0,
          only_fans_can_comment: 0,
        },
      ],
    });
    const [savedDraft] = platform.drafts(LEAD_APPID);
    expect(JSON.parse(submit?.body ?? '')).toEqual({ media_id: savedDraft?.mediaId });

    const [job] = platform.publishJobs(LEAD_APPID);
    // publish_id is above 2^53 and arrives as a JSON number: every digit is kept.
    expect(BigInt(job?.publishId ?? '0')).toBeGreaterThan(2n ** 53n);
    expect(JSON.parse(get?.body ?? '')).toEqual({ publish_id: job?.publishId });
    expect(journaled).toEqual([`${lead.id} ${job?.publishId}`]);

    const [published] = platform.liveArticles(LEAD_APPID);
    expect(result).toEqual({
      status: 'posted',
      ref: {
        platform: 'wechat',
        accountId: lead.id,
        id: published?.articleId,
        url: published?.url,
      },
    });
  });

  it('uploads in-article images with media/uploadimg and uses their URLs in the content', async () => {
    const wechat = adapterWith();
    const html = `<p>现场</p><img alt="现场" src="${photo}"><p>又见</p><img src='${photo}'/>`;
    await wechat.publish(article('img', { html }), lead, context(lead));
    const uploads = await requestsTo('media/uploadimg');
    expect(uploads).toHaveLength(1); // the same picture twice: uploaded once
    expect(uploads[0]?.body).toContain('name="media"; filename="photo.png"');
    expect(uploads[0]?.body).toContain('Content-Type: image/png');
    const url = platform.uploads(LEAD_APPID).find((item) => item.type === 'uploadimg')?.url ?? '';
    expect(url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\//);
    const [draft] = await requestsTo('draft/add');
    const content = (JSON.parse(draft?.body ?? '') as { articles: { content: string }[] })
      .articles[0]?.content;
    expect(content).toBe(`<p>现场</p><img alt="现场" src="${url}"><p>又见</p><img src="${url}"/>`);
  });

  it('one token fetch and one cover upload per account, whatever the number of publishes', async () => {
    const wechat = adapterWith();
    await Promise.all([
      wechat.publish(article('p1'), lead, context(lead)),
      wechat.publish(article('p2'), lead, context(lead)),
      wechat.publish(article('p3'), lead, context(lead)),
      wechat.publish(article('p4'), member, context(member)),
    ]);
    expect(platform.tokenFetches(LEAD_APPID)).toMatchObject({ stable: 1, classic: 0 });
    expect(platform.tokenFetches(MEMBER_APPID).stable).toBe(1);
    expect(platform.uploads(LEAD_APPID).filter((item) => item.type === 'thumb')).toHaveLength(1);
    expect(platform.uploads(MEMBER_APPID).filter((item) => item.type === 'thumb')).toHaveLength(1);
    expect(platform.liveArticles(LEAD_APPID)).toHaveLength(3);
  });

  it('classic token mode GETs cgi-bin/token once', async () => {
    const wechat = adapterWith({ tokenMode: 'classic' });
    expect(wechat.tokenMode).toBe('classic');
    await wechat.publish(article('classic'), lead, context(lead));
    const [token] = await requests();
    expect(token?.method).toBe('GET');
    expect(token?.endpoint).toBe('token');
    expect(platform.tokenFetches(LEAD_APPID)).toMatchObject({ classic: 1, stable: 0 });
  });

  it('a token refused with 42001 is fetched again and the call repeated once', async () => {
    const wechat = adapterWith();
    await wechat.tokenHolder(LEAD_APPID).getToken({ secret: SECRETS[LEAD_APPID] ?? '' });
    const first = (await wechat.tokenHolder(LEAD_APPID).peek())?.accessToken;
    platform.expireTokens(LEAD_APPID);
    const result = await wechat.publish(article('expired'), lead, context(lead));
    expect(result.status).toBe('posted');
    const second = (await wechat.tokenHolder(LEAD_APPID).peek())?.accessToken;
    expect(second).not.toBe(first);
    expect(platform.tokenFetches(LEAD_APPID).stable).toBe(2);
    const uploads = await requestsTo('material/add_material');
    expect(uploads.map((request) => request.url.searchParams.get('access_token'))).toEqual([
      first,
      second,
    ]);
  });

  it('a token refused twice is AUTH_EXPIRED, and nothing is published', async () => {
    const wechat = adapterWith();
    platform.injectFault({ kind: 'token-expired', appid: LEAD_APPID, times: 2 });
    const error = await failure(wechat.publish(article('twice'), lead, context(lead)));
    expect(error.code).toBe('AUTH_EXPIRED');
    expect(error.accountId).toBe(lead.id);
    expect(platform.liveArticles(LEAD_APPID)).toHaveLength(0);
  });

  it('an article without a cover fails naming images[0] before anything is sent', async () => {
    const { cover: _none, ...withoutCover } = article('no-cover');
    const error = await failure(adapterWith().publish(withoutCover, lead, context(lead)));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues[0]?.path).toBe('images[0]');
    expect(await requests()).toHaveLength(0);
    const withDefault = await adapterWith({ defaultCover: otherCover }).publish(
      withoutCover,
      lead,
      context(lead),
    );
    expect(withDefault.status).toBe('posted');
  });

  it('a cover that is not a JPEG of at most 64 KB is refused before upload', async () => {
    const big = join(dir, 'big.jpg');
    await writeFile(big, jpeg(70_000, 3));
    const tooBig = await failure(
      adapterWith().publish(article('big', { cover: big }), lead, context(lead)),
    );
    expect(tooBig.code).toBe('INVALID_INPUT');
    expect(tooBig.issues[0]?.message).toContain('64 KB');
    const notJpeg = await failure(
      adapterWith().publish(article('png', { cover: photo }), lead, context(lead)),
    );
    expect(notJpeg.issues[0]?.message).toContain('JPEG');
    expect(await requestsTo('material/add_material')).toHaveLength(0);
  });

  it('fields over the limits of §1.4 are INVALID_INPUT naming each field, nothing sent', async () => {
    const error = await failure(
      adapterWith().publish(
        article('long', {
          title: '题'.repeat(33),
          author: '作'.repeat(17),
          digest: '摘'.repeat(129),
          html: `<p>${'文'.repeat(20_000)}</p>`,
        }),
        lead,
        context(lead),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'rendition.title',
      'rendition.author',
      'rendition.digest',
      'rendition.html',
    ]);
    expect(await requests()).toHaveLength(0);
  });

  it('a remote image URL is refused for now (local files only), naming the image', async () => {
    const error = await failure(
      adapterWith().publish(
        article('remote', { html: '<p>x</p><img src="https://example.org/a.jpg">' }),
        lead,
        context(lead),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues[0]?.message).toContain('local files');
  });

  it('a text rendition is refused', async () => {
    const error = await failure(
      adapterWith().publish(
        { format: 'text', text: 'x', length: 1, topics: [], summarised: false },
        lead,
        context(lead),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues[0]?.path).toBe('rendition.format');
  });

  it('polls freepublish/get until the job ends', async () => {
    platform.configure({ publishPollsBeforeDone: 3 });
    const result = await adapterWith().publish(article('poll'), lead, context(lead));
    expect(result.status).toBe('posted');
    expect(await requestsTo('freepublish/get')).toHaveLength(4);
  });

  it('publish_id as a JSON string is read as well', async () => {
    platform.configure({ idsAsStrings: true });
    const ids: string[] = [];
    await adapterWith({ journalPublishId: (_a, _k, id) => void ids.push(id) }).publish(
      article('string-id'),
      lead,
      context(lead),
    );
    expect(ids).toEqual([platform.publishJobs(LEAD_APPID)[0]?.publishId]);
  });

  it('a job still publishing after the schedule is accepted; findExisting then finds it', async () => {
    platform.configure({ publishDelayMs: 60_000 });
    const wechat = adapterWith({ publishPoll: { intervalsMs: [1, 1] } });
    const ctx = context(lead);
    const rendition = article('slow');
    const result = await wechat.publish(rendition, lead, ctx);
    expect(result.status).toBe('accepted');
    if (result.status === 'accepted') expect(result.reason).toContain('publish_id');
    platform.advanceClock(60_000);
    const found = await wechat.findExisting(
      {
        action: 'post',
        rendition,
        firstAttemptAt: new Date(platform.now()),
        idempotencyKey: ctx.idempotencyKey,
      },
      lead,
      ctx,
    );
    expect(found).toMatchObject({
      status: 'found',
      ref: { id: platform.liveArticles(LEAD_APPID)[0]?.articleId },
    });
    expect(await requestsTo('freepublish/submit')).toHaveLength(1);
  });

  it('status 2 and 4 are CONTENT_REJECTED and need a person', async () => {
    for (const status of [2, 4] as const) {
      platform.setPublishOutcome(LEAD_APPID, status);
      const error = await failure(
        adapterWith().publish(article(`s${status}`), lead, context(lead)),
      );
      expect(error.code).toBe('CONTENT_REJECTED');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('needs a person');
      expect(error.platformCode).toBe(`publish_status ${status}`);
    }
  });

  it('status 3 is a retryable failure; the next attempt submits a new draft', async () => {
    platform.setPublishOutcome(LEAD_APPID, 3);
    const wechat = adapterWith();
    const ctx = context(lead);
    const error = await failure(wechat.publish(article('s3'), lead, ctx));
    expect(error.code).toBe('TRANSIENT');
    const again = await wechat.publish(article('s3'), lead, ctx);
    expect(again.status).toBe('posted');
    expect(platform.publishJobs(LEAD_APPID).map((job) => job.status)).toEqual([3, 0]);
  });

  it('publish again with the same key resumes the job instead of submitting twice; 5/6 are reported', async () => {
    const lines: { level: string; message: string }[] = [];
    const wechat = adapterWith();
    const ctx = context(lead, { logger: capturingLogger(lines) });
    const first = await wechat.publish(article('resume'), lead, ctx);
    if (first.status !== 'posted') throw new Error('expected posted');
    platform.removeArticle(first.ref.id, 'user');
    const again = await wechat.publish(article('resume'), lead, ctx);
    expect(again).toEqual(first);
    expect(await requestsTo('freepublish/submit')).toHaveLength(1);
    expect(
      lines.some((line) => line.level === 'warn' && line.message.includes('deleted by a user')),
    ).toBe(true);
  });

  it('a new process resumes a journaled publish_id through recallPublishId', async () => {
    const journal = new Map<string, string>();
    const key = 'campaign-1:beijing-fabu/wechat:post';
    const first = adapterWith({
      journalPublishId: (accountId, idempotencyKey, publishId) =>
        void journal.set(`${accountId} ${idempotencyKey}`, publishId),
    });
    const posted = await first.publish(
      article('journal'),
      lead,
      context(lead, { idempotencyKey: key }),
    );
    const restarted = adapterWith({
      recallPublishId: (accountId, idempotencyKey) => journal.get(`${accountId} ${idempotencyKey}`),
    });
    const resumed = await restarted.publish(
      article('journal'),
      lead,
      context(lead, { idempotencyKey: key }),
    );
    expect(resumed).toEqual(posted);
    expect(await requestsTo('freepublish/submit')).toHaveLength(1);
  });

  it('a dropped submit is AMBIGUOUS; findExisting finds the article by title', async () => {
    const wechat = adapterWith();
    const ctx = context(lead);
    const rendition = article('dropped');
    const firstAttemptAt = new Date(platform.now());
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'freepublish/submit' });
    const error = await failure(wechat.publish(rendition, lead, ctx));
    expect(error.code).toBe('AMBIGUOUS');
    const descriptor: DeliveryDescriptor = {
      action: 'post',
      rendition,
      firstAttemptAt,
      idempotencyKey: ctx.idempotencyKey,
    };
    const found = await wechat.findExisting(descriptor, lead, ctx);
    expect(found).toMatchObject({
      status: 'found',
      ref: { id: platform.liveArticles(LEAD_APPID)[0]?.articleId },
    });
    const [batchget] = await requestsTo('freepublish/batchget');
    expect(JSON.parse(batchget?.body ?? '')).toEqual({ offset: 0, count: 20, no_content: 1 });
  });

  it('a dropped submit whose job still runs is unknown (draft left the box), never not-found', async () => {
    platform.configure({ publishDelayMs: 600_000 });
    const wechat = adapterWith();
    const ctx = context(lead);
    const rendition = article('running');
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'freepublish/submit' });
    await failure(wechat.publish(rendition, lead, ctx));
    const descriptor: DeliveryDescriptor = {
      action: 'post',
      rendition,
      firstAttemptAt: new Date(platform.now()),
      idempotencyKey: ctx.idempotencyKey,
    };
    const found = await wechat.findExisting(descriptor, lead, ctx);
    expect(found.status).toBe('unknown');
    // A re-send with the same key would not submit the consumed draft again.
    const resend = await failure(wechat.publish(rendition, lead, ctx));
    expect(resend.code).toBe('AMBIGUOUS');
    expect(platform.publishJobs(LEAD_APPID)).toHaveLength(1);
  });

  it('findExisting ignores articles older than the first attempt and other titles; read failure is unknown', async () => {
    const wechat = adapterWith();
    await wechat.publish(article('old'), lead, context(lead));
    platform.advanceClock(600_000);
    const later = new Date(platform.now());
    const descriptor = (label: string): DeliveryDescriptor => ({
      action: 'post',
      rendition: article(label),
      firstAttemptAt: later,
      idempotencyKey: `other:${label}`,
    });
    expect(await wechat.findExisting(descriptor('old'), lead, context(lead))).toEqual({
      status: 'not-found',
    });
    expect(await wechat.findExisting(descriptor('never'), lead, context(lead))).toEqual({
      status: 'not-found',
    });
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'freepublish/batchget' });
    const unknown = await wechat.findExisting(descriptor('x'), lead, context(lead));
    expect(unknown.status).toBe('unknown');
  });

  it('relay is not supported', async () => {
    const wechat = adapterWith();
    const error = await failure(
      wechat.relay(
        { platform: 'wechat', accountId: lead.id, id: '1' },
        article('r'),
        member,
        context(member),
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('WeChat has no relay');
    expect(wechat.limits.supportsRelay).toBe(false);
  });
});

describe('retract', () => {
  it('freepublish/delete with index 0; again is already-gone', async () => {
    const wechat = adapterWith();
    const result = await wechat.publish(article('retract'), lead, context(lead));
    if (result.status !== 'posted') throw new Error('expected posted');
    captured = [];
    expect(await wechat.retract(result.ref, lead, context(lead))).toEqual({ status: 'removed' });
    const [request] = await requests();
    expect(request?.endpoint).toBe('freepublish/delete');
    expect(JSON.parse(request?.body ?? '')).toEqual({ article_id: result.ref.id, index: 0 });
    expect(platform.liveArticles(LEAD_APPID)).toHaveLength(0);
    expect(await wechat.retract(result.ref, lead, context(lead))).toEqual({
      status: 'already-gone',
    });
  });
});

describe('push (mass send)', () => {
  it('sends a text to all with the clientmsgid, then confirms with mass/get', async () => {
    const wechat = adapterWith();
    const clientMsgId = wechat.clientMsgId('campaign-1', lead.id, 'mass-send');
    const result = await wechat.pushMessage(lead, context(lead), {
      text: '【北京发布】地铁运营正常。',
      clientMsgId,
    });
    const [send, get] = [
      ...(await requestsTo('message/mass/sendall')),
      ...(await requestsTo('message/mass/get')),
    ];
    expect(JSON.parse(send?.body ?? '')).toEqual({
      filter: { is_to_all: true },
      text: { content: '【北京发布】地铁运营正常。' },
      msgtype: 'text',
      clientmsgid: clientMsgId,
    });
    expect(send?.body).not.toMatch(/\\u[0-9a-fA-F]{4}/);
    const [sent] = platform.massSends(LEAD_APPID);
    expect(BigInt(sent?.msgId ?? '0')).toBeGreaterThan(2n ** 53n);
    expect(JSON.parse(get?.body ?? '')).toEqual({ msg_id: sent?.msgId });
    expect(result).toEqual({
      status: 'sent',
      msgId: sent?.msgId,
      clientMsgId,
      alreadySent: false,
      platformStatus: 'SEND_SUCCESS',
      ref: { platform: 'wechat', accountId: lead.id, id: `mass:${sent?.msgId}` },
    });
  });

  it('pushes an article: a new draft, then mpnews by its media id', async () => {
    const wechat = adapterWith();
    const clientMsgId = wechat.clientMsgId('campaign-2', lead.id, 'mass-send');
    const result = await wechat.pushMessage(lead, context(lead), {
      article: article('push'),
      clientMsgId,
    });
    const [draft] = platform.drafts(LEAD_APPID);
    const [send] = await requestsTo('message/mass/sendall');
    expect(JSON.parse(send?.body ?? '')).toEqual({
      filter: { is_to_all: true },
      mpnews: { media_id: draft?.mediaId },
      msgtype: 'mpnews',
      send_ignore_reprint: 0,
      clientmsgid: clientMsgId,
    });
    expect(result.status).toBe('sent');
    expect(result.msgDataId).toMatch(/^\d+$/);
    expect(draft?.removed).toBe(true);
  });

  it('repeating the same clientmsgid: too fast is RATE_LIMITED ≥ 60 s, later it is already sent (45065)', async () => {
    const wechat = adapterWith();
    const clientMsgId = wechat.clientMsgId('campaign-3', lead.id, 'mass-send');
    const first = await wechat.pushMessage(lead, context(lead), { text: '通知', clientMsgId });
    const tooFast = await failure(
      wechat.pushMessage(lead, context(lead), { text: '通知', clientMsgId }),
    );
    expect(tooFast.code).toBe('RATE_LIMITED');
    expect(tooFast.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    platform.advanceClock(tooFast.retryAfterMs ?? 0);
    const again = await wechat.pushMessage(lead, context(lead), { text: '通知', clientMsgId });
    expect(again).toMatchObject({ status: 'sent', msgId: first.msgId, alreadySent: true });
    expect(platform.massSends(LEAD_APPID)).toHaveLength(1);
  });

  it('a second push the same Shanghai day is QUOTA_EXHAUSTED', async () => {
    const wechat = adapterWith();
    await wechat.pushMessage(lead, context(lead), { text: '一', clientMsgId: 'rh-test-one' });
    const error = await failure(
      wechat.pushMessage(lead, context(lead), { text: '二', clientMsgId: 'rh-test-two' }),
    );
    expect(error.code).toBe('QUOTA_EXHAUSTED');
    expect(error.platformCode).toBe('45028');
    expect(error.retryable).toBe(false);
    for (const secret of Object.values(SECRETS)) expect(error.message).not.toContain(secret);
  });

  it('a dropped send is AMBIGUOUS with a wait of at least 60 s; the repeat finds it sent', async () => {
    const wechat = adapterWith();
    const clientMsgId = wechat.clientMsgId('campaign-4', lead.id, 'mass-send');
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'message/mass/sendall' });
    const error = await failure(
      wechat.pushMessage(lead, context(lead), { text: '通知', clientMsgId }),
    );
    expect(error.code).toBe('AMBIGUOUS');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    platform.advanceClock(error.retryAfterMs ?? 0);
    const again = await wechat.pushMessage(lead, context(lead), { text: '通知', clientMsgId });
    expect(again).toMatchObject({ status: 'sent', alreadySent: true });
    expect(platform.massSends(LEAD_APPID)).toHaveLength(1);
  });

  it('with mass-send protection the push awaits the admin for 30 minutes, then is confirmed or failed', async () => {
    const wechat = adapterWith();
    const start = platform.now();
    const waiting = await wechat.pushMessage(guarded, context(guarded), {
      text: '通知',
      clientMsgId: 'rh-guard-1',
    });
    expect(waiting.status).toBe('awaiting-confirmation');
    // The deadline counts from the submit (the platform clock is the real one here).
    expect(waiting.deadline?.getTime()).toBeGreaterThanOrEqual(start + 30 * 60_000);
    expect(waiting.deadline?.getTime()).toBeLessThanOrEqual(platform.now() + 30 * 60_000);
    platform.confirmMassSend(waiting.msgId);
    expect((await wechat.pushStatus(guarded, context(guarded), waiting.msgId)).status).toBe('sent');

    const second = await wechat.pushMessage(guarded, context(guarded), {
      text: '再通知',
      clientMsgId: 'rh-guard-2',
    });
    expect(second.status).toBe('awaiting-confirmation');
    platform.advanceClock(30 * 60_000);
    expect((await wechat.pushStatus(guarded, context(guarded), second.ref.id)).status).toBe(
      'failed',
    );
  });

  it('retracting a push deletes the mass send (msg_id as a JSON number) and warns', async () => {
    const lines: { level: string; message: string }[] = [];
    const wechat = adapterWith();
    const pushed = await wechat.pushMessage(lead, context(lead), {
      article: article('retract-push'),
      clientMsgId: 'rh-retract-1',
    });
    captured = [];
    const result = await wechat.retract(
      pushed.ref,
      lead,
      context(lead, { logger: capturingLogger(lines) }),
    );
    expect(result).toEqual({ status: 'removed', warning: WECHAT_MASS_DELETE_WARNING });
    const [request] = await requests();
    expect(request?.endpoint).toBe('message/mass/delete');
    expect(request?.body).toBe(`{"msg_id":${pushed.msgId},"article_idx":0}`);
    expect(
      lines.some(
        (line) => line.level === 'warn' && line.message.includes(WECHAT_MASS_DELETE_WARNING),
      ),
    ).toBe(true);
    expect(platform.massSend(pushed.msgId)?.status).toBe('DELETE');
  });

  it('a clientMsgId over 64 bytes or a text over 600 characters is refused before sending', async () => {
    const wechat = adapterWith();
    const error = await failure(
      wechat.pushMessage(lead, context(lead), {
        text: '字'.repeat(601),
        clientMsgId: 'x'.repeat(65),
      }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['clientMsgId', 'text']);
    expect(await requests()).toHaveLength(0);
  });
});

describe('clientMsgId', () => {
  it('is deterministic, different per campaign, account and action, and at most 64 bytes', () => {
    const one = wechatClientMsgId('campaign-1', 'police/wechat', 'mass-send');
    expect(one).toBe(wechatClientMsgId('campaign-1', 'police/wechat', 'mass-send'));
    expect(one).not.toBe(wechatClientMsgId('campaign-2', 'police/wechat', 'mass-send'));
    expect(one).not.toBe(wechatClientMsgId('campaign-1', 'haidian/wechat', 'mass-send'));
    expect(one).not.toBe(wechatClientMsgId('campaign-1', 'police/wechat', 'retry'));
    expect(
      Buffer.byteLength(wechatClientMsgId('长'.repeat(500), '长'.repeat(500), 'x')),
    ).toBeLessThanOrEqual(64);
    expect(one).toMatch(/^rh1-[A-Za-z0-9_-]{43}$/);
  });

  // The core's push knows only the delivery's idempotency key (made by the planner from campaign,
  // account and action); the helper takes the three. Both must give one id, or a push made by
  // hand is not recognised as a repeat.
  const pushText = (text: string): TextRendition => ({
    format: 'text',
    text,
    length: text.length,
    topics: [],
    summarised: false,
  });
  const pushContext = (campaignId: string): DeliveryContext =>
    context(lead, { idempotencyKey: idempotencyKey(campaignId, lead.id, 'push') });

  it("is the id the core's push sends for the same campaign, account and action", async () => {
    const wechat = adapterWith();
    const result = await wechat.push!(pushText('通知'), lead, pushContext('campaign-push-1'));
    const [send] = await requestsTo('message/mass/sendall');
    const body = JSON.parse(send?.body ?? '{}') as { clientmsgid?: string };
    expect(body.clientmsgid).toBe(wechatClientMsgId('campaign-push-1', lead.id, 'push'));
    expect(body.clientmsgid).toBe(wechat.clientMsgId('campaign-push-1', lead.id, 'push'));
    expect(result).toMatchObject({ status: 'sent', alreadySent: false });
  });

  it("a push made by hand with the helper is a repeat for the core's push (45065, pushed once)", async () => {
    const wechat = adapterWith();
    const byHand = await wechat.pushMessage(lead, context(lead), {
      text: '通知',
      clientMsgId: wechatClientMsgId('campaign-push-2', lead.id, 'push'),
    });
    platform.advanceClock(61_000);
    const result = await wechat.push!(pushText('通知'), lead, pushContext('campaign-push-2'));
    expect(result).toMatchObject({ status: 'sent', alreadySent: true, ref: byHand.ref });
    expect(platform.massSends(LEAD_APPID)).toHaveLength(1);
  });
});

describe('account schema and limits', () => {
  it('accepts an appid and the optional settings; refuses a bad appid', () => {
    expect(
      wechatAccountSchema.safeParse({ appid: LEAD_APPID, massSendProtection: true }).success,
    ).toBe(true);
    const bad = wechatAccountSchema.safeParse({ appid: 'wx123' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('"wx" and 16 letters or digits');
    expect(wechatAccountSchema.safeParse({}).error?.issues[0]?.message).toContain('appid');
    const menu = {
      items: [{ keys: ['1'], reply: '110 报警指南' }],
      fallback: '回复 1 查看报警指南',
    };
    expect(wechatAccountSchema.safeParse({ appid: LEAD_APPID, autoReply: menu }).success).toBe(
      true,
    );
    const badMenu = wechatAccountSchema.safeParse({ appid: LEAD_APPID, autoReply: { items: [] } });
    expect(badMenu.error?.issues[0]?.path[0]).toBe('autoReply');
  });

  it('declares article limits, a text profile, secret as the credential field, no relay', () => {
    const wechat = adapterWith();
    expect(wechat.platform).toBe('wechat');
    expect(wechat.credentialFields).toEqual(['secret']);
    expect(wechat.limits.format).toBe('article');
    expect(wechat.limits.article).toEqual({
      titleMax: 32,
      authorMax: 16,
      digestMax: 128,
      contentMaxChars: 20_000,
    });
    expect(wechat.limits.text.count('北京😀')).toBe(3);
    expect(wechat.limits.rate.postsPerWindow).toBe(60);
  });

  it('refuses wrong options with their path', () => {
    expect(() => createWechatAdapter({ tokenMode: 'other' as 'stable' })).toThrow(/tokenMode/);
    expect(() => createWechatAdapter({ publishPoll: { intervalsMs: [] } })).toThrow(/publishPoll/);
  });

  it('an account without a secret is AUTH_INVALID naming the reference, nothing sent', async () => {
    const error = await failure(
      adapterWith().publish(article('nosecret'), lead, context(lead, { credentials: {} })),
    );
    expect(error.code).toBe('AUTH_INVALID');
    expect(error.message).toContain('wechat-beijing-fabu');
    expect(await requests()).toHaveLength(0);
  });
});
