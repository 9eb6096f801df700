/**
 * `statuses/count` of the Weibo sandbox over loopback HTTP, checked as the platform would check
 * it: GET only, a token, at most 100 ids, unknown and deleted ids left out, ids beyond 2^53 as
 * bare numbers, and counts taken from the sandbox's own state.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '#core';
import type { Account } from '#core';
import { createWeiboAdapter } from '../../adapters/weibo/index.js';
import { STATUSES_COUNT_MAX_IDS, handleWeiboRequest } from '../../adapters/weibo/fake/protocol.js';
import { startWeiboSandbox } from '../../adapters/weibo/fake/sandbox.js';
import type { WeiboSandbox } from '../../adapters/weibo/fake/sandbox.js';

const LEAD = { uid: '2418724427', screenName: '北京发布', accessToken: 'lead-token-0001' };
const MEMBER = { uid: '7132135868', screenName: '平安北京', accessToken: 'member-token-0002' };
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
  sandbox.platform.addAccount(MEMBER);
});
beforeEach(() => {
  sandbox.platform.reset();
});
afterAll(async () => {
  await sandbox.close();
});

let posted = 0;
function write(uid: string, path: string, fields: Record<string, string>): string {
  const answer = handleWeiboRequest(sandbox.platform, {
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ rip: '203.0.113.7', ...fields }).toString(),
  });
  expect(answer.status).toBe(200);
  const last = sandbox.platform.livePostsOf(uid).at(-1);
  if (last === undefined) throw new Error('no status');
  return last.id;
}

function post(): string {
  posted += 1;
  return write(LEAD.uid, '/2/statuses/share.json', {
    access_token: LEAD.accessToken,
    status: `【通知】第${posted}号：今日道路通行正常。详见 https://www.beijing.gov.cn/n/${posted}.html`,
  });
}

async function count(
  ids: string,
  init: RequestInit = { headers: { authorization: `OAuth2 ${LEAD.accessToken}` } },
): Promise<{ status: number; text: string; json: unknown }> {
  const response = await fetch(
    `${sandbox.url}statuses/count.json?${new URLSearchParams({ ids }).toString()}`,
    init,
  );
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as unknown };
}

describe('Weibo sandbox: statuses/count', () => {
  it('counts reposts, comments and attitudes from its own state', async () => {
    const first = post();
    const second = post();
    posted += 1;
    write(MEMBER.uid, '/2/statuses/repost.json', {
      access_token: MEMBER.accessToken,
      id: first,
      status: `转发 ${posted}`,
    });
    sandbox.platform.addComment({ statusId: first, authorName: '市民甲', text: '收到' });
    sandbox.platform.addComment({ statusId: first, authorName: '市民乙', text: '好的' });
    sandbox.platform.setAttitudes(second, 5);

    const answer = await count(`${first},${second}`);

    expect(answer.status).toBe(200);
    // Ids beyond 2^53 come as bare numbers, as the documented answer shows them.
    expect(answer.text).toContain(`"id":${first}`);
    expect(answer.text).not.toContain('idstr');
    expect(answer.json).toEqual([
      { id: Number(first), comments: 2, reposts: 1, attitudes: 0 },
      { id: Number(second), comments: 0, reposts: 0, attitudes: 5 },
    ]);
  });

  it('leaves out unknown and deleted ids without an error [unconfirmed for v2]', async () => {
    const kept = post();
    const gone = post();
    write(LEAD.uid, '/2/statuses/destroy.json', { access_token: LEAD.accessToken, id: gone });
    const answer = await count(`${gone},${kept},9000000000000000001`);
    expect(answer.status).toBe(200);
    expect((answer.json as unknown[]).length).toBe(1);
    expect(answer.text).toContain(`"id":${kept}`);
  });

  it('refuses more than 100 ids, a missing or bad ids list, a POST and a missing token', async () => {
    const ids = Array.from({ length: STATUSES_COUNT_MAX_IDS + 1 }, (_, index) =>
      (4_900_000_000_000_000_001n + BigInt(index)).toString(),
    );
    expect(STATUSES_COUNT_MAX_IDS).toBe(100);
    const over = await count(ids.join(','));
    expect(over.status).toBe(400);
    expect(over.json).toMatchObject({ error_code: 10017, request: '/2/statuses/count.json' });
    expect((await count(ids.slice(0, 100).join(','))).status).toBe(200);
    expect((await count('')).json).toMatchObject({ error_code: 10016 });
    expect((await count('12,abc')).json).toMatchObject({ error_code: 10017 });
    const posted = await fetch(`${sandbox.url}statuses/count.json?ids=1`, {
      method: 'POST',
      headers: {
        authorization: `OAuth2 ${LEAD.accessToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '',
    });
    expect(((await posted.json()) as { error_code: number }).error_code).toBe(10021);
    expect((await count('1', {})).json).toMatchObject({ error_code: 21301 });
    expect(
      (await count('1', { headers: { authorization: 'OAuth2 not-a-token' } })).json,
    ).toMatchObject({ error_code: 21332 });
  });

  it('is what the adapter reads over HTTP', async () => {
    const id = post();
    sandbox.platform.addComment({ statusId: id, authorName: '市民丙', text: '谢谢' });
    sandbox.platform.setAttitudes(id, 9);
    const weibo = createWeiboAdapter({ baseURL: sandbox.url, rip: '203.0.113.7' });
    const readings = await weibo.readReach(lead, [id], {
      signal: new AbortController().signal,
      credentials: { access_token: LEAD.accessToken },
      logger: silentLogger,
      requestTimeoutMs: 2_000,
    });
    expect(readings.map(({ readAt: _readAt, ...counts }) => counts)).toEqual([
      { postId: id, reposts: 0, comments: 1, likes: 9 },
    ]);
    expect(Number.isNaN(Date.parse(readings[0]!.readAt))).toBe(false);
    expect(sandbox.platform.requests().at(-1)).toMatchObject({
      method: 'GET',
      endpoint: 'statuses/count',
      tokenFrom: 'header',
      params: { ids: id },
    });
  });
});
