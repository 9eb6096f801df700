/**
 * The Weibo fake's `comments/reply` and `comments/by_me` (platforms-listening.md §1.2–1.3, §4.4),
 * driven through the one protocol function both fakes use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  WEIBO_COMMENTS_PER_HOUR,
  WeiboPlatform,
  handleWeiboRequest,
} from '../../adapters/weibo/fake/protocol.js';

const SITE = 'www.beijing.gov.cn';
const TOKEN = '2.00LeadTokenForReplyFake0001';
const UID = '2418724427';
const RIP = '203.0.113.7';

const platform = new WeiboPlatform({ safeDomain: SITE, now: () => Date.UTC(2026, 10, 26, 2) });
platform.addAccount({ uid: UID, screenName: '北京发布', accessToken: TOKEN });

afterEach(() => {
  platform.reset();
});

function call(
  method: 'GET' | 'POST',
  endpoint: string,
  params: Record<string, string>,
): { status: number; body: Record<string, unknown> } {
  const form = new URLSearchParams(params);
  const answer = handleWeiboRequest(platform, {
    method,
    path: `/2/${endpoint}.json`,
    query: method === 'GET' ? form : new URLSearchParams(),
    headers:
      method === 'GET'
        ? { authorization: `OAuth2 ${TOKEN}` }
        : { 'content-type': 'application/x-www-form-urlencoded' },
    body:
      method === 'POST' ? new URLSearchParams({ access_token: TOKEN, ...params }).toString() : '',
  });
  const text = typeof answer.body === 'string' ? answer.body : '';
  return { status: answer.status, body: JSON.parse(text) as Record<string, unknown> };
}

let seeded = 0;
function seed(): { statusId: string; commentId: string } {
  seeded += 1;
  const share = call('POST', 'statuses/share', {
    status: `【通知】第${seeded}号：今日道路通行正常。详见 https://${SITE}/n/${seeded}.html`,
    rip: RIP,
  });
  expect(share.status).toBe(200);
  const statusId = String(share.body.idstr);
  const comment = platform.addComment({ statusId, authorName: '市民甲', text: '地铁今晚运营吗？' });
  return { statusId, commentId: comment.id };
}

const own = () => platform.comments().filter((comment) => comment.authorId === UID);

describe('comments/reply', () => {
  it('stores the reply as a comment of the account with reply_comment, prefixed 回复@name:', () => {
    const { statusId, commentId } = seed();
    const { status, body } = call('POST', 'comments/reply', {
      cid: commentId,
      id: statusId,
      comment: '正常运营。',
      rip: RIP,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      text: '回复@市民甲:正常运营。',
      user: { idstr: UID },
      status: { idstr: statusId },
      reply_comment: { idstr: commentId },
    });
    expect(own()).toEqual([
      expect.objectContaining({ id: body.idstr, replyToId: commentId, statusId }),
    ]);
    const plain = call('POST', 'comments/reply', {
      cid: commentId,
      id: statusId,
      comment: '补充：末班车延后。',
      without_mention: '1',
      rip: RIP,
    });
    expect(plain.body.text).toBe('补充：末班车延后。');
  });

  it.each([
    [{ id: 'S', comment: '好', rip: RIP }, 10016],
    [{ cid: 'C', comment: '好', rip: RIP }, 10016],
    [{ cid: 'C', id: 'S', rip: RIP }, 10016],
    [{ cid: 'C', id: 'S', comment: '好' }, 10016],
    [{ cid: 'C', id: 'S', comment: '好', rip: 'not-an-ip' }, 10017],
    [{ cid: '', id: 'S', comment: '好', rip: RIP }, 20204],
    [{ cid: 'C', id: 'S', comment: '好', rip: RIP, without_mention: '2' }, 10017],
    [{ cid: 'C', id: '4999999999999999999', comment: '好', rip: RIP }, 20101],
    [{ cid: '4999999999999999999', id: 'S', comment: '好', rip: RIP }, 20201],
    [{ cid: 'C', id: 'S', comment: '长'.repeat(141), rip: RIP }, 20012],
    [{ cid: 'C', id: 'S', comment: ' ', rip: RIP }, 20008],
  ])('refuses %o with %i and stores nothing', (params, code) => {
    const { statusId, commentId } = seed();
    const filled = Object.fromEntries(
      Object.entries(params).map(([key, value]) => [
        key,
        value === 'S' ? statusId : value === 'C' ? commentId : value,
      ]),
    );
    const { status, body } = call('POST', 'comments/reply', filled);
    expect(status).toBe(400);
    expect(body.error_code).toBe(code);
    expect(own()).toEqual([]);
  });

  it('refuses a cid that belongs to another status (20201) and GET (10021)', () => {
    const first = seed();
    const second = seed();
    const crossed = call('POST', 'comments/reply', {
      cid: first.commentId,
      id: second.statusId,
      comment: '好',
      rip: RIP,
    });
    expect(crossed.body.error_code).toBe(20201);
    expect(call('GET', 'comments/reply', {}).body.error_code).toBe(10021);
  });

  it('ignores the same text as the last comment: nothing stored, the last comment answered [unconfirmed]', () => {
    const { statusId, commentId } = seed();
    const params = { cid: commentId, id: statusId, comment: '感谢关注。', rip: RIP };
    const first = call('POST', 'comments/reply', params);
    const again = call('POST', 'comments/reply', params);
    expect(again.status).toBe(200);
    expect(again.body.idstr).toBe(first.body.idstr);
    expect(own()).toHaveLength(1);
  });

  it(`refuses the comment over ${WEIBO_COMMENTS_PER_HOUR} an hour with 10024; an hour later it passes`, () => {
    const { statusId, commentId } = seed();
    for (let index = 0; index < WEIBO_COMMENTS_PER_HOUR; index += 1) {
      const ok = call('POST', 'comments/reply', {
        cid: commentId,
        id: statusId,
        comment: `答复${index}`,
        rip: RIP,
      });
      expect(ok.status).toBe(200);
    }
    const over = { cid: commentId, id: statusId, comment: '再答复', rip: RIP };
    expect(call('POST', 'comments/reply', over).body.error_code).toBe(10024);
    platform.advanceClock(3_600_001);
    expect(call('POST', 'comments/reply', over).status).toBe(200);
  });
});

describe('comments/by_me', () => {
  it('lists the account own comments newest first, paged by count, since_id and max_id', () => {
    const { statusId, commentId } = seed();
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const reply = call('POST', 'comments/reply', {
        cid: commentId,
        id: statusId,
        comment: `答复${index}`,
        rip: RIP,
      });
      ids.push(String(reply.body.idstr));
    }
    const idsOf = (body: Record<string, unknown>) =>
      (body.comments as { idstr: string }[]).map((comment) => comment.idstr);
    expect(idsOf(call('GET', 'comments/by_me', {}).body)).toEqual([...ids].reverse());
    expect(idsOf(call('GET', 'comments/by_me', { count: '2' }).body)).toEqual([ids[2], ids[1]]);
    expect(idsOf(call('GET', 'comments/by_me', { max_id: ids[1] ?? '' }).body)).toEqual([
      ids[1],
      ids[0],
    ]);
    expect(idsOf(call('GET', 'comments/by_me', { since_id: ids[1] ?? '' }).body)).toEqual([ids[2]]);
    expect(call('GET', 'comments/by_me', { count: 'x' }).body.error_code).toBe(10017);
    expect(call('POST', 'comments/by_me', {}).body.error_code).toBe(10021);
    // The citizen's comment is not the account's.
    expect(idsOf(call('GET', 'comments/by_me', {}).body)).not.toContain(commentId);
  });
});
