/**
 * Pushing to a follower tag, against the msw handlers: the exact `message/mass/sendall` body with
 * `filter: { is_to_all: false, tag_id }`, `tags/get` for a tag named in the hall file, the
 * pre-flight's audience, and what the strict fake refuses (platforms-listening.md §3.5).
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PUSH_ID_NOTE, ReleaseHallError, silentLogger } from '#core';
import type { Account, DeliveryContext, TextRendition } from '#core';
import { resolveHall } from '../../src/model/load.js';
import { idempotencyKey } from '../../src/plan/plan-campaign.js';
import { createWechatAdapter, wechatAccountSchema } from '../../adapters/wechat/index.js';
import { wechatHandlers } from '../../adapters/wechat/fake/msw.js';
import { WechatPlatform } from '../../adapters/wechat/fake/protocol.js';

const TAGGED_APPID = 'wxb1b2c3d4e5f60001';
const EMPTY_APPID = 'wxb1b2c3d4e5f60002';
const GUARDED_APPID = 'wxb1b2c3d4e5f60003';
const SECRET = 'tag-appsecret-0123456789abcdef';

function wechatAccount(
  memberId: string,
  appid: string,
  extra: Record<string, unknown> = {},
): Account {
  return {
    id: `${memberId}/wechat`,
    memberId,
    platform: 'wechat',
    handle: memberId,
    credentials: `wechat-${memberId}`,
    kind: 'subscription',
    settings: { appid, ...extra },
  };
}

const STARTED = Date.now();
const platform = new WechatPlatform({
  now: () => Date.UTC(2026, 10, 26, 4, 0, 0) + (Date.now() - STARTED),
});
for (const appid of [TAGGED_APPID, EMPTY_APPID, GUARDED_APPID]) {
  platform.addAccount({
    appid,
    secret: SECRET,
    ...(appid === GUARDED_APPID ? { massSendProtection: true } : {}),
  });
}
const CADRES = platform.addTag(TAGGED_APPID, { name: '区县干部', id: 101, followers: 1234 });
platform.addTag(TAGGED_APPID, { name: '媒体', id: 102, followers: ['o-media-1', 'o-media-2'] });
platform.addTag(EMPTY_APPID, { name: '区县干部', id: 101, followers: 0 });
platform.addTag(GUARDED_APPID, { name: '区县干部', id: 120, followers: 3 });

const server = setupServer(...wechatHandlers(platform));
interface Captured {
  readonly endpoint: string;
  readonly method: string;
  readonly body: string;
}
let captured: Promise<Captured>[] = [];
server.events.on('request:start', ({ request }) => {
  const copy = request.clone();
  captured.push(
    copy.text().then((body) => ({
      endpoint: new URL(request.url).pathname.replace('/cgi-bin/', ''),
      method: request.method,
      body,
    })),
  );
});
async function requestsTo(endpoint: string): Promise<Captured[]> {
  return (await Promise.all(captured)).filter((request) => request.endpoint === endpoint);
}

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
beforeEach(() => {
  captured = [];
});
afterEach(() => {
  platform.reset();
});
afterAll(() => {
  server.close();
});

function adapter() {
  return createWechatAdapter({ now: () => platform.now() });
}

function context(overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return {
    signal: new AbortController().signal,
    idempotencyKey: `test:tag:${Math.random()}`,
    credentials: { secret: SECRET },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
    ...overrides,
  };
}

function text(content: string): TextRendition {
  return { format: 'text', text: content, length: content.length, topics: [], summarised: false };
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

describe('push to a tag (mass send with a tag filter)', () => {
  it('sends is_to_all false and the tag id as a JSON number; the fake records the tag and its followers', async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID);
    const clientMsgId = wechat.clientMsgId('tag-1', account.id, 'push');
    const result = await wechat.pushMessage(account, context(), {
      text: '【海淀发布】区县干部通知。',
      clientMsgId,
      tagId: '101',
    });
    const [send] = await requestsTo('message/mass/sendall');
    expect(send?.body).toBe(
      `{"filter":{"is_to_all":false,"tag_id":101},"text":{"content":"【海淀发布】区县干部通知。"},"msgtype":"text","clientmsgid":"${clientMsgId}"}`,
    );
    expect(result).toMatchObject({ status: 'sent', tagId: '101', alreadySent: false });
    const [sent] = platform.massSends(TAGGED_APPID);
    expect(sent).toMatchObject({ toAll: false, tagId: 101 });
    expect(sent?.recipients).toEqual(CADRES.followers);
    expect(sent?.recipients).toHaveLength(1234);
  });

  it('the core push looks the tag name up with tags/get, then sends to its id; a repeat is already sent', async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID, { push: { tag: '媒体' } });
    const shared = context({ idempotencyKey: idempotencyKey('tag-2', account.id, 'push') });
    const pushed = await wechat.push!(text('通知'), account, shared);
    expect(pushed).toMatchObject({ status: 'sent', alreadySent: false });
    const [tags] = await requestsTo('tags/get');
    expect(tags).toMatchObject({ method: 'GET', body: '' });
    const [send] = await requestsTo('message/mass/sendall');
    expect(JSON.parse(send?.body ?? '')).toEqual({
      filter: { is_to_all: false, tag_id: 102 },
      text: { content: '通知' },
      msgtype: 'text',
      clientmsgid: wechat.clientMsgId('tag-2', account.id, 'push'),
    });
    expect(platform.massSends(TAGGED_APPID)[0]?.recipients).toEqual(['o-media-1', 'o-media-2']);

    // The answer was lost; a minute later the same delivery sends the same request: 45065.
    platform.advanceClock(61_000);
    const again = await wechat.push!(text('通知'), account, shared);
    expect(again).toMatchObject({ status: 'sent', alreadySent: true });
    expect(platform.massSends(TAGGED_APPID)).toHaveLength(1);
  });

  it('a push whose msg_id was journaled is asked about, never sent again', async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID, { push: { tag: 101 } });
    const first = await wechat.pushMessage(account, context(), {
      text: '通知',
      clientMsgId: 'rh-tag-noted',
      tagId: '101',
    });
    captured = [];
    const resumed = await wechat.push!(
      text('通知'),
      account,
      context({ notes: { [PUSH_ID_NOTE]: first.msgId } }),
    );
    expect(resumed).toMatchObject({ status: 'sent', ref: { id: `mass:${first.msgId}` } });
    expect(await requestsTo('message/mass/sendall')).toEqual([]);
    expect(await requestsTo('tags/get')).toEqual([]);
  });

  it('an unknown tag id is answered 45159: INVALID_INPUT, nothing sent', async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID, { push: { tag: 999 } });
    const error = await failure(wechat.push!(text('通知'), account, context()));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', platformCode: '45159', retryable: false });
    expect(platform.massSends(TAGGED_APPID)).toEqual([]);
  });

  it('an unknown tag name is refused before the send, naming push.tag and the tags there are', async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID, { push: { tag: '区县领导' } });
    const error = await failure(wechat.push!(text('通知'), account, context()));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('push.tag');
    expect(error.issues[0]?.message).toContain(
      'no tag is named "区县领导" on this WeChat account (the account\'s tags: 星标组 (id 2), 区县干部 (id 101), 媒体 (id 102))',
    );
    expect(await requestsTo('message/mass/sendall')).toEqual([]);
  });

  it('a tag push never waits for the admin: mass-send protection holds sends to all only', async () => {
    const wechat = adapter();
    const account = wechatAccount('guarded', GUARDED_APPID, {
      massSendProtection: true,
      push: { tag: '区县干部' },
    });
    const pushed = await wechat.push!(text('通知'), account, context());
    expect(pushed.status).toBe('sent');
    expect(platform.massSends(GUARDED_APPID)[0]).toMatchObject({
      tagId: 120,
      awaitingConfirmation: false,
    });
  });

  it("a subscription account's tag push uses the day's one push: a push to all is refused 45028", async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID);
    await wechat.pushMessage(account, context(), {
      text: '一',
      clientMsgId: 'rh-q-1',
      tagId: '101',
    });
    const error = await failure(
      wechat.pushMessage(account, context(), { text: '二', clientMsgId: 'rh-q-2' }),
    );
    expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED', platformCode: '45028' });
    expect(platform.pushesUsed(TAGGED_APPID)).toBe(1);
  });

  it('a tag id that is not digits is INVALID_INPUT before any request', async () => {
    const wechat = adapter();
    const error = await failure(
      wechat.pushMessage(wechatAccount('haidian', TAGGED_APPID), context(), {
        text: '通知',
        clientMsgId: 'rh-bad-tag',
        tagId: 'cadres',
      }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(await requestsTo('message/mass/sendall')).toEqual([]);
  });
});

describe('pushAudience (the pre-flight)', () => {
  it('names the tag with its id and follower count', async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID, { push: { tag: '区县干部' } });
    expect(await wechat.pushAudience(account, context())).toEqual({
      tag: { id: '101', name: '区县干部', followers: 1234 },
    });
    const byId = wechatAccount('haidian', TAGGED_APPID, { push: { tag: 102 } });
    expect(await wechat.pushAudience(byId, context())).toEqual({
      tag: { id: '102', name: '媒体', followers: 2 },
    });
  });

  it('every follower without push.tag, asking WeChat nothing', async () => {
    const wechat = adapter();
    expect(await wechat.pushAudience(wechatAccount('haidian', TAGGED_APPID), context())).toEqual(
      {},
    );
    expect(await Promise.all(captured)).toEqual([]);
  });

  it('refuses an unknown id and a tag no follower carries', async () => {
    const wechat = adapter();
    const unknown = await failure(
      wechat.pushAudience(wechatAccount('haidian', TAGGED_APPID, { push: { tag: 7 } }), context()),
    );
    expect(unknown.issues[0]).toMatchObject({ path: 'push.tag' });
    expect(unknown.issues[0]?.message).toMatch(/^no tag has the id 7 on this WeChat account/);
    const empty = await failure(
      wechat.pushAudience(
        wechatAccount('xicheng', EMPTY_APPID, { push: { tag: '区县干部' } }),
        context(),
      ),
    );
    expect(empty.issues[0]?.message).toMatch(
      /^no follower carries the tag 区县干部 \(id 101\): the push would reach nobody/,
    );
  });
});

describe('the fake, strictly', () => {
  it('tags/get lists the system tag 2 and the seeded tags with their counts', () => {
    expect(platform.tags(TAGGED_APPID).map(({ id, name, count }) => ({ id, name, count }))).toEqual(
      [
        { id: 2, name: '星标组', count: 0 },
        { id: 101, name: '区县干部', count: 1234 },
        { id: 102, name: '媒体', count: 2 },
      ],
    );
  });

  it('a tag of another account is 45159; a tag with no follower is taken [unconfirmed]', async () => {
    const wechat = adapter();
    const account = wechatAccount('haidian', TAGGED_APPID);
    const foreign = await failure(
      wechat.pushMessage(account, context(), { text: '一', clientMsgId: 'rh-f-1', tagId: '120' }),
    );
    expect(foreign.platformCode).toBe('45159');
    const empty = wechatAccount('xicheng', EMPTY_APPID);
    await wechat.pushMessage(empty, context(), { text: '一', clientMsgId: 'rh-f-2', tagId: '101' });
    expect(platform.massSends(EMPTY_APPID)[0]).toMatchObject({ tagId: 101, recipients: [] });
  });

  it('refuses a duplicate tag name and a name over 30 characters when seeding', () => {
    expect(() => platform.addTag(TAGGED_APPID, { name: '媒体' })).toThrow(/45157/);
    expect(() => platform.addTag(TAGGED_APPID, { name: '长'.repeat(31) })).toThrow(/45158/);
  });
});

describe('account schema: push.tag', () => {
  const base = { appid: TAGGED_APPID };
  it('takes a name or a numeric id', () => {
    expect(wechatAccountSchema.parse({ ...base, push: { tag: '区县干部' } })).toEqual({
      ...base,
      push: { tag: '区县干部' },
    });
    expect(wechatAccountSchema.parse({ ...base, push: { tag: 101 } }).push).toEqual({ tag: 101 });
  });

  it.each([
    [{ tag: '' }, 'expected the tag name (e.g. 区县干部) or its numeric id (e.g. 101)'],
    [{ tag: 1.5 }, 'or its numeric id as a number (e.g. 101)'],
    [
      { tag: true },
      'expected the tag name as text (e.g. 区县干部) or its numeric id as a number (e.g. 101)',
    ],
    [{ tag: '长'.repeat(31) }, 'a WeChat tag name has at most 30 characters'],
  ])('refuses %j with a fix', (push, message) => {
    const result = wechatAccountSchema.safeParse({ ...base, push });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path).toEqual(['push', 'tag']);
    expect(issue?.message).toContain(message);
  });

  it('refuses an unknown field under push', () => {
    const result = wechatAccountSchema.safeParse({ ...base, push: { tag: 1, tags: [2] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['push']);
  });
});

describe('the hall file: push.tag', () => {
  it('an empty tag is refused with its hall-file path and the fix', () => {
    const hall = {
      id: 'beijing',
      name: '北京微博发布厅',
      lead: 'haidian',
      members: [
        {
          id: 'haidian',
          name: '北京市海淀区人民政府',
          accounts: {
            wechat: {
              handle: '海淀发布',
              appid: TAGGED_APPID,
              credentials: 'wechat-haidian',
              push: { tag: ' ' },
            },
          },
        },
      ],
    };
    let refused: unknown;
    try {
      resolveHall(hall, [adapter()]);
    } catch (error) {
      refused = error;
    }
    expect(ReleaseHallError.isInstance(refused)).toBe(true);
    expect((refused as ReleaseHallError).issues).toEqual([
      {
        path: 'members[0].accounts.wechat.push.tag',
        message: 'expected the tag name (e.g. 区县干部) or its numeric id (e.g. 101), got " "',
      },
    ]);
  });
});
