/**
 * The inbox over the Tencent Weibo sandbox with the SQLite journal: a campaign is published,
 * citizens comment on its tweets (many in the same second) and @ its accounts, and `syncInbox`
 * stores each item once across repeated syncs; a reply whose answer is lost is found on the
 * account's timeline and never sent twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HallInput,
  type Journal,
  type StoredInboxItem,
  createPublisher,
  hasInbox,
  replyToItem,
  resolveHall,
  syncInbox,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';

const APP_KEY = '801000000';
const CLIENT_IP = '203.0.113.10';

const openidOf = (index: number): string => `${'A'.repeat(31)}${index}`;

const hallInput: HallInput = {
  id: 'tencent-inbox-hall',
  name: '测试发布厅',
  lead: 'lead',
  site: { domain: 'www.example.gov.cn' },
  members: ['lead', 'm1', 'm2'].map((id, index) => ({
    id,
    name: `单位${index}新闻办`,
    shortName: `单位${index}`,
    accounts: {
      tencent: { handle: `unit${index}`, openid: openidOf(index), credentials: `cred-${id}` },
    },
  })),
};

let sandbox: HallSandbox | undefined;
const journals: Journal[] = [];
afterEach(async () => {
  for (const journal of journals.splice(0)) await journal.close();
  await sandbox?.close();
  sandbox = undefined;
});

/** A published campaign on Tencent, a journal, and the wiring to sync and reply. */
async function published() {
  const current = await startHallSandbox(hallInput, { tokenFor: (ref) => `token-${ref}` });
  sandbox = current;
  const adapter = createTencentAdapter({
    baseURL: current.baseURLs.tencent,
    appKey: APP_KEY,
    clientIp: CLIENT_IP,
    limits: { requestTimeoutMs: 2_000 },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'rh-tencent-inbox-')), 'journal.db');
  const journal = new SqliteJournal(file);
  journals.push(journal);
  const report = await createPublisher({
    hall: hallInput,
    adapters: [adapter],
    credentials: current.credentials,
    journal,
    retry: fastRetry,
  }).publish(rebuttal, { mode: 'original' });
  expect(report.counts.succeeded).toBe(3);
  const postOf = new Map(report.deliveries.map((line) => [line.accountId, line.remoteId!]));
  const hall = resolveHall(hallInput, [adapter]);
  const platform = current.tencent!.platform;
  const sync = () =>
    syncInbox({ hall, adapters: [adapter], credentials: current.credentials, journal });
  const reply = (itemId: string, text: string) =>
    replyToItem({
      hall,
      adapters: [adapter],
      credentials: current.credentials,
      journal,
      itemId,
      text,
      requestTimeoutMs: 1_000,
    });
  return { platform, journal, report, postOf, sync, reply };
}

type Seeded = Map<string, Set<string>>;

async function stored(journal: Journal): Promise<StoredInboxItem[]> {
  if (!hasInbox(journal)) throw new Error('expected an inbox');
  return [...(await journal.listInbox())];
}

function byAccount(items: readonly StoredInboxItem[]): Seeded {
  const out: Seeded = new Map();
  for (const item of items) {
    const ids = out.get(item.accountId) ?? new Set();
    expect(ids.has(item.remoteId)).toBe(false);
    out.set(item.accountId, ids.add(item.remoteId));
  }
  return out;
}

describe('syncInbox over the Tencent sandbox', () => {
  it('stores every comment and mention once, with the campaign of the tweet it answers', async () => {
    const { platform, journal, report, postOf, sync } = await published();
    const seeded: Seeded = new Map();
    const add = (accountId: string, id: string): void => {
      seeded.set(accountId, (seeded.get(accountId) ?? new Set()).add(id));
    };
    const seed = (round: string, perPost: number): void => {
      // Every comment of a round in the same second: the cursor must tell them apart by id.
      const at = platform.now();
      for (const [accountId, postId] of postOf) {
        for (let index = 0; index < perPost; index += 1) {
          const comment = platform.addComment({
            postId,
            author: `shimin_${round}${index}`,
            nick: `市民${round}${index}`,
            text: `请问${round}${index}：地铁今晚是否运营？`,
            at,
          });
          add(accountId, comment.id);
        }
      }
      const mention = platform.addMention({
        author: `wangyou_${round}`,
        text: `@unit1 请核实 ${round}`,
        at,
      });
      add('m1/tencent', mention.id);
    };

    seed('a', 3);
    const first = await sync();
    expect(first.accounts.map((line) => [line.accountId, line.status])).toEqual([
      ['lead/tencent', 'read'],
      ['m1/tencent', 'read'],
      ['m2/tencent', 'read'],
    ]);
    expect(first.added).toBe(10);
    const items = await stored(journal);
    expect(byAccount(items)).toEqual(seeded);
    for (const item of items) {
      if (item.kind === 'comment') {
        expect(item).toMatchObject({
          campaignId: report.campaignId,
          postId: postOf.get(item.accountId),
        });
      } else {
        expect(item).toMatchObject({ accountId: 'm1/tencent', memberId: 'm1' });
      }
    }

    // Again: nothing new, nothing doubled.
    const second = await sync();
    expect(second.added).toBe(0);
    expect(await stored(journal)).toEqual(items);

    // More in the very same second, then a later one: only those come.
    seed('b', 2);
    platform.advanceClock(2_000);
    seed('c', 1);
    const third = await sync();
    expect(third.added).toBe(3 * 2 + 1 + 3 * 1 + 1);
    expect(byAccount(await stored(journal))).toEqual(seeded);
    expect((await sync()).added).toBe(0);
  });
});

describe('inbox reply over the Tencent sandbox', () => {
  it('an answer dropped after the platform stored the reply: found on the timeline, exactly one reply', async () => {
    const { platform, postOf, sync, reply } = await published();
    const comment = platform.addComment({
      postId: postOf.get('lead/tencent')!,
      author: 'shimin_a',
      nick: '市民甲',
      text: '地铁今晚是否运营？',
    });
    expect((await sync()).added).toBe(1);
    const replyCalls = () =>
      platform.requests().filter((request) => request.endpoint === 't/reply').length;

    platform.injectFault({ kind: 'drop-after-apply', endpoint: 't/reply' });
    const result = await reply(comment.id, '您好，今晚地铁正常运营。');
    expect(result.status).toBe('found');
    expect(platform.answersTo(comment.id)).toEqual([
      expect.objectContaining({
        kind: 'reply',
        text: '您好，今晚地铁正常运营。',
        openid: openidOf(0),
        id: result.reply.remoteId,
      }),
    ]);

    const again = await reply(comment.id, '您好，今晚地铁正常运营。');
    expect(again.status).toBe('already-sent');
    expect(platform.answersTo(comment.id)).toHaveLength(1);
    expect(replyCalls()).toBe(1);
  });

  it('a lost answer the look-up cannot check stays unknown; the next run finds it and sends nothing', async () => {
    const { platform, postOf, sync, reply } = await published();
    const mention = platform.addMention({ author: 'shimin_b', text: '@unit0 路口积水严重' });
    platform.addComment({ postId: postOf.get('lead/tencent')!, author: 'shimin_c', text: '收到' });
    expect((await sync()).added).toBe(2);

    platform.injectFault({ kind: 'timeout-after-apply', endpoint: 't/reply', hangMs: 5_000 });
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'statuses/broadcast_timeline' });
    const lost = await reply(mention.id, '已转交相关部门。');
    expect(lost.status).toBe('unknown');
    expect(lost.reply).toMatchObject({ state: 'unknown', error: { code: 'AMBIGUOUS' } });
    expect(platform.answersTo(mention.id)).toHaveLength(1);

    const found = await reply(mention.id, '已转交相关部门。');
    expect(found.status).toBe('found');
    expect(found.reply.remoteId).toBe(platform.answersTo(mention.id)[0]?.id);
    expect(platform.answersTo(mention.id)).toHaveLength(1);
    expect(platform.requests().filter((request) => request.endpoint === 't/reply')).toHaveLength(1);
  });
});
