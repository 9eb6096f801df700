/**
 * The Weibo inbox over loopback HTTP: the sandbox serves the comment and mention lists as the
 * platform does (GET only, token, cursor rules, ids beyond 2^53), and the adapter reads them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, silentLogger } from '#core';
import type { Account, InboxContext } from '#core';
import { createWeiboAdapter } from '../../adapters/weibo/index.js';
import { handleWeiboRequest } from '../../adapters/weibo/fake/protocol.js';
import { startWeiboSandbox } from '../../adapters/weibo/fake/sandbox.js';
import type { WeiboSandbox } from '../../adapters/weibo/fake/sandbox.js';

const LEAD = { uid: '2418724427', screenName: '北京发布', accessToken: 'lead-token-0001' };
const lead: Account = {
  id: 'beijing-fabu/weibo',
  memberId: 'beijing-fabu',
  platform: 'weibo',
  handle: '北京发布',
  credentials: 'weibo-beijing-fabu',
  settings: { uid: LEAD.uid },
};

let sandbox: WeiboSandbox;

beforeAll(async () => {
  sandbox = await startWeiboSandbox({ safeDomain: 'beijing.gov.cn' });
  sandbox.platform.addAccount(LEAD);
});
beforeEach(() => {
  sandbox.platform.reset();
  sandbox.platform.configure({ requestLimit: undefined });
});
afterAll(async () => {
  await sandbox.close();
});

function context(): InboxContext {
  return {
    signal: new AbortController().signal,
    credentials: { access_token: LEAD.accessToken },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
  };
}

function postStatus(): string {
  const answer = handleWeiboRequest(sandbox.platform, {
    method: 'POST',
    path: '/2/statuses/share.json',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      access_token: LEAD.accessToken,
      status: `【通知】今日道路通行正常。详见 https://www.beijing.gov.cn/n/${Date.now()}.html`,
      rip: '203.0.113.7',
    }).toString(),
  });
  expect(answer.status).toBe(200);
  const last = sandbox.platform.livePostsOf(LEAD.uid).at(-1);
  if (last === undefined) throw new Error('no status posted');
  return last.id;
}

async function get(
  endpoint: string,
  params: Record<string, string>,
  init: RequestInit = {},
): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const response = await fetch(
    `${sandbox.url}${endpoint}.json?${new URLSearchParams(params).toString()}`,
    init,
  );
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as Record<string, unknown> };
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

describe('the sandbox inbox endpoints', () => {
  it('serves comments/to_me newest first with the list envelope, idstr and Weibo dates', async () => {
    const statusId = postStatus();
    const first = sandbox.platform.addComment({ statusId, authorName: '市民甲', text: '一' });
    const second = sandbox.platform.addComment({
      statusId,
      authorName: '市民乙',
      text: '二',
      replyToCommentId: first.id,
    });
    const answer = await get('comments/to_me', { access_token: LEAD.accessToken });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ previous_cursor: 0, next_cursor: 0, total_number: 2 });
    const comments = answer.json.comments as Record<string, unknown>[];
    expect(comments.map((comment) => comment.idstr)).toEqual([second.id, first.id]);
    // The numeric id is written with every digit: beyond 2^53 a JS number cannot hold it.
    expect(answer.text).toContain(`"id":${second.id},`);
    expect(comments[0]?.created_at).toMatch(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \+0800 \d{4}$/);
    expect(comments[0]).toMatchObject({
      user: { screen_name: '市民乙' },
      status: { idstr: statusId },
      reply_comment: { idstr: first.id },
    });
  });

  it('applies since_id exclusive, max_id inclusive, count and page', async () => {
    const statusId = postStatus();
    const ids = Array.from(
      { length: 5 },
      (_, index) =>
        sandbox.platform.addComment({ statusId, authorName: '市民', text: `${index}` }).id,
    );
    const token = { access_token: LEAD.accessToken };
    const idsOf = (json: Record<string, unknown>): unknown[] =>
      (json.comments as Record<string, unknown>[]).map((comment) => comment.idstr);
    const since = await get('comments/show', { ...token, id: statusId, since_id: ids[1] ?? '' });
    expect(idsOf(since.json)).toEqual([ids[4], ids[3], ids[2]]);
    const max = await get('comments/show', { ...token, id: statusId, max_id: ids[3] ?? '' });
    expect(idsOf(max.json)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    const paged = await get('comments/show', { ...token, id: statusId, count: '2', page: '2' });
    expect(idsOf(paged.json)).toEqual([ids[2], ids[1]]);
    expect(paged.json.next_cursor).toBe(Number(ids[0]));
    const bad = await get('comments/show', { ...token, id: statusId, count: '0' });
    expect(bad.json).toMatchObject({ error_code: 10017 });
  });

  it('refuses a POST, a missing token and a missing status id as the platform does', async () => {
    const post = await fetch(`${sandbox.url}comments/to_me.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `access_token=${LEAD.accessToken}`,
    });
    expect(post.status).toBe(405);
    expect(await get('statuses/mentions', {})).toMatchObject({
      status: 403,
      json: { error_code: 21301 },
    });
    expect(await get('comments/show', { access_token: LEAD.accessToken })).toMatchObject({
      status: 400,
      json: { error_code: 10016 },
    });
    expect(
      await get('comments/show', { access_token: LEAD.accessToken, id: '4900000000000999999' }),
    ).toMatchObject({ json: { error_code: 20101 } });
  });
});

describe('readInbox over the sandbox', () => {
  const weibo = (): ReturnType<typeof createWeiboAdapter> =>
    createWeiboAdapter({ baseURL: sandbox.url });

  it('returns every seeded comment and mention once, then only the new ones', async () => {
    const statusId = postStatus();
    const seeded = [
      ...Array.from({ length: 60 }, (_, index) =>
        sandbox.platform.addComment({ statusId, authorName: `市民${index}`, text: `留言${index}` }),
      ),
      sandbox.platform.addMention({ authorName: '市民丙', text: '@北京发布 路口积水' }),
    ];
    const first = await weibo().readInbox(lead, {}, context());
    expect(first.items.map((item) => item.remoteId)).toEqual(seeded.map((item) => item.id));
    expect(first.items.at(-1)).toMatchObject({ kind: 'mention', author: { name: '市民丙' } });

    const again = await weibo().readInbox(lead, { since: first.cursor }, context());
    expect(again.items).toEqual([]);

    const newer = sandbox.platform.addComment({ statusId, authorName: '市民丁', text: '新的' });
    const next = await weibo().readInbox(lead, { since: again.cursor }, context());
    expect(next.items.map((item) => item.remoteId)).toEqual([newer.id]);
  });

  it('maps the fake’s call limits (10023 per account, 10022 per IP) to RATE_LIMITED', async () => {
    sandbox.platform.configure({ requestLimit: { calls: 2, windowMs: 3_600_000 } });
    const user = await failure(weibo().readInbox(lead, {}, context()));
    expect(user).toMatchObject({ code: 'RATE_LIMITED', platformCode: '10023' });

    sandbox.platform.reset();
    sandbox.platform.configure({ requestLimit: { calls: 1, windowMs: 3_600_000, scope: 'ip' } });
    const ip = await failure(weibo().readInbox(lead, {}, context()));
    expect(ip).toMatchObject({ code: 'RATE_LIMITED', platformCode: '10022' });
  });

  it('maps an expired token to AUTH_EXPIRED', async () => {
    sandbox.platform.expireToken(LEAD.accessToken);
    const error = await failure(weibo().readInbox(lead, {}, context()));
    expect(error).toMatchObject({ code: 'AUTH_EXPIRED', platformCode: '21327' });
  });
});
