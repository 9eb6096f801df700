/**
 * The inbox over the Weibo sandbox with the SQLite journal: a campaign is published, citizens
 * comment on its posts and @ its accounts, and `syncInbox` stores each item once, across repeated
 * syncs, interrupted syncs and rate limits. `inbox list` shows them from the command line.
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
  resolveHall,
  syncInbox,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const hallInput: HallInput = {
  id: 'inbox-hall',
  name: '测试发布厅',
  lead: 'lead',
  site: { domain: 'www.example.gov.cn' },
  members: [
    ['lead', '测试发布', '2418700001'],
    ['m1', '单位一', '2418700002'],
    ['m2', '单位二', '2418700003'],
  ].map(([id, handle, uid]) => ({
    id: id!,
    name: `${handle!}新闻办`,
    shortName: handle!,
    accounts: { weibo: { handle: handle!, uid: uid!, credentials: `cred-${id!}` } },
  })),
};

let sandbox: HallSandbox | undefined;
const journals: Journal[] = [];
afterEach(async () => {
  for (const journal of journals.splice(0)) await journal.close();
  await sandbox?.close();
  sandbox = undefined;
});

/** A published campaign, its journal file, and the wiring to sync its inboxes. */
async function published() {
  const current = await startHallSandbox(hallInput);
  sandbox = current;
  const adapter = createWeiboAdapter({
    baseURL: current.baseURLs.weibo,
    rip: '203.0.113.10',
    limits: { requestTimeoutMs: 2_000 },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'rh-inbox-')), 'journal.db');
  const open = (): SqliteJournal => {
    const journal = new SqliteJournal(file);
    journals.push(journal);
    return journal;
  };
  const publisher = createPublisher({
    hall: hallInput,
    adapters: [adapter],
    credentials: current.credentials,
    journal: open(),
    retry: fastRetry,
  });
  const report = await publisher.publish(rebuttal, { mode: 'original' });
  expect(report.counts.succeeded).toBe(3);
  const postOf = new Map(report.deliveries.map((line) => [line.accountId, line.remoteId!]));
  const hall = resolveHall(hallInput, [adapter]);
  const sync = (journal: Journal, extra: Partial<Parameters<typeof syncInbox>[0]> = {}) =>
    syncInbox({ hall, adapters: [adapter], credentials: current.credentials, journal, ...extra });
  return { sandbox: current, file, open, report, postOf, sync };
}

/** The seeded item ids, by account. */
type Seeded = Map<string, Set<string>>;

function seed(
  sandbox: HallSandbox,
  postOf: ReadonlyMap<string, string>,
  seeded: Seeded,
  round: string,
  perPost = 2,
): void {
  const add = (accountId: string, id: string): void => {
    seeded.set(accountId, (seeded.get(accountId) ?? new Set()).add(id));
  };
  for (const [accountId, postId] of postOf) {
    for (let index = 0; index < perPost; index += 1) {
      const comment = sandbox.weibo.platform.addComment({
        statusId: postId,
        authorName: `市民${round}${index}`,
        text: `请问${round}${index}：地铁今晚是否运营？`,
      });
      add(accountId, comment.id);
    }
  }
  const mention = sandbox.weibo.platform.addMention({
    authorName: `网友${round}`,
    text: `@单位一 请核实此事 ${round}`,
  });
  add('m1/weibo', mention.id);
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

async function stored(journal: Journal): Promise<StoredInboxItem[]> {
  if (!hasInbox(journal)) throw new Error('expected an inbox');
  return [...(await journal.listInbox())];
}

describe('syncInbox over the Weibo sandbox', () => {
  it('stores every comment and mention once, with the campaign of the post it answers', async () => {
    const { sandbox, open, report, postOf, sync } = await published();
    const seeded: Seeded = new Map();
    seed(sandbox, postOf, seeded, 'a');
    const journal = open();
    const first = await sync(journal);
    expect(first.aborted).toBe(false);
    expect(first.accounts.map((line) => [line.accountId, line.status])).toEqual([
      ['lead/weibo', 'read'],
      ['m1/weibo', 'read'],
      ['m2/weibo', 'read'],
    ]);
    expect(first.added).toBe(7);
    const items = await stored(journal);
    expect(byAccount(items)).toEqual(seeded);
    for (const item of items) {
      if (item.kind === 'comment') {
        expect(item).toMatchObject({
          campaignId: report.campaignId,
          postId: postOf.get(item.accountId),
        });
      } else {
        expect(item).not.toHaveProperty('campaignId');
        expect(item).toMatchObject({ accountId: 'm1/weibo', memberId: 'm1' });
      }
    }
    // Again: nothing new, nothing doubled.
    const second = await sync(journal);
    expect(second.added).toBe(0);
    expect(await stored(journal)).toEqual(items);
    // New items only.
    seed(sandbox, postOf, seeded, 'b', 1);
    expect((await sync(journal, { campaignId: report.campaignId })).added).toBe(4);
    expect(byAccount(await stored(journal))).toEqual(seeded);
  });

  it('an interrupted sync is resumed from the journaled cursor: nothing lost, nothing doubled', async () => {
    const { sandbox, open, postOf, sync } = await published();
    const seeded: Seeded = new Map();
    seed(sandbox, postOf, seeded, 'a');
    await sync(open());
    // A backlog larger than a page: pages of two.
    seed(sandbox, postOf, seeded, 'b', 7);

    // A crash while storing the third page: that page and its cursor are not stored.
    const journal = open();
    let pages = 0;
    const crashing = new Proxy(journal, {
      get(target, property) {
        if (property === 'putInboxPage') {
          return (...args: Parameters<SqliteJournal['putInboxPage']>) => {
            pages += 1;
            if (pages === 3) return Promise.reject(new Error('the process died here'));
            return target.putInboxPage(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    await expect(sync(crashing, { maxItems: 2 })).rejects.toThrow('the process died here');
    const partial = await stored(journal);
    expect(partial.length).toBeGreaterThan(7);
    expect(partial.length).toBeLessThan(7 + 22);

    // An abort between pages, after a page was stored.
    const stop = new AbortController();
    const aborted = await sync(open(), {
      maxItems: 2,
      signal: stop.signal,
      onProgress: () => {
        stop.abort();
      },
    });
    expect(aborted.aborted).toBe(true);
    expect(aborted.accounts.slice(1).every((line) => line.status === 'aborted')).toBe(true);

    // Run again, in a journal opened afresh: the rest comes, each once.
    const resumed = open();
    const summary = await sync(resumed, { maxItems: 2 });
    expect(summary.accounts.every((line) => line.status === 'read')).toBe(true);
    expect(byAccount(await stored(resumed))).toEqual(seeded);
    expect((await sync(resumed)).added).toBe(0);
  });

  it('a rate-limited account is reported and the others are read', async () => {
    const { sandbox, open, postOf, sync } = await published();
    const seeded: Seeded = new Map();
    seed(sandbox, postOf, seeded, 'a');
    sandbox.weibo.platform.configure({ requestLimit: { calls: 2, windowMs: 3_600_000 } });
    const journal = open();
    const summary = await sync(journal);
    expect(summary.accounts.map((line) => line.status)).toEqual([
      'rate-limited',
      'rate-limited',
      'rate-limited',
    ]);
    expect(summary.accounts[0]?.error?.code).toBe('RATE_LIMITED');
    expect(summary.added).toBe(0);
    sandbox.weibo.platform.configure({ requestLimit: undefined });
    await sync(journal);
    expect(byAccount(await stored(journal))).toEqual(seeded);
  });
});

describe('inbox list from the command line', () => {
  it('lists the stored items as JSON with their age; --unanswered leaves out the answered', async () => {
    const { sandbox, file, open, postOf, sync } = await published();
    const seeded: Seeded = new Map();
    seed(sandbox, postOf, seeded, 'a');
    const journal = open();
    await sync(journal);
    if (!hasInbox(journal)) throw new Error('expected an inbox');
    const answered = (await journal.listInbox({ memberId: 'lead' }))[0]!;
    await journal.markInboxAnswered(answered, new Date().toISOString());
    await journal.close();
    journals.splice(0);

    const all = await runCli(['inbox', 'list', '--journal', file, '--json']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.stdout) as (StoredInboxItem & {
      ageMs: number;
      overdue: boolean;
    })[];
    expect(rows).toHaveLength(7);
    expect(rows.every((row) => row.ageMs >= 0 && !row.overdue)).toBe(true);
    expect(rows.find((row) => row.remoteId === answered.remoteId)?.answeredAt).toBeDefined();

    const open_ = await runCli(['inbox', 'list', '--journal', file, '--json', '--unanswered']);
    const unanswered = JSON.parse(open_.stdout) as StoredInboxItem[];
    expect(unanswered.map((row) => row.remoteId).sort()).toEqual(
      rows
        .map((row) => row.remoteId)
        .filter((id) => id !== answered.remoteId)
        .sort(),
    );
    const member = await runCli(['inbox', 'list', '--journal', file, '--json', '--member', 'm1']);
    expect((JSON.parse(member.stdout) as StoredInboxItem[]).map((row) => row.accountId)).toEqual([
      'm1/weibo',
      'm1/weibo',
      'm1/weibo',
    ]);
    const text = await runCli(['inbox', 'list', '--journal', file, '--reply-deadline', '24']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('7 items, 0 unanswered past the reply deadline of 24 h');
  });
});
