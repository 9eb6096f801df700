/**
 * Crash tests of the inbox: a sync and a batch of replies run in a child process against a Weibo
 * server in this process, and are killed with SIGKILL at seeded moments (mid-sync after a seeded
 * number of reads; for replies, after a seeded number of sends or exactly when the server has
 * applied a reply and holds back its answer). Then the same work is run again, and the journal
 * and the server's own records are checked: every comment stored exactly once, every item
 * answered exactly once, by its own account, with no second send.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HallInput,
  ReleaseHallError,
  createPublisher,
  replyKey,
  replyToItem,
  resolveHall,
  syncInbox,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type WeiboSandbox, startWeiboSandbox } from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { campaignChild, random, waitFor } from './harness.js';

const RUNS = Number(process.env.RH_FAULT_RUNS ?? 10);
const child = campaignChild('inbox-child', {
  source: join(import.meta.dirname, 'inbox-child.ts'),
  readyLine: 'ready',
});

const ACCOUNTS = 6;
/** Comments seeded per account for the sync runs (300 in all). */
const PER_ACCOUNT = 50;
/** Items per stored page of the sync runs, so a sync spans many pages. */
const MAX_ITEMS = 7;
const INBOX_ENDPOINTS = new Set(['comments/to_me', 'comments/mentions', 'statuses/mentions']);

/** The members, each with one Weibo account. */
const members = Array.from({ length: ACCOUNTS }, (_, index) => ({
  id: `m${index}`,
  handle: `单位${index}`,
  uid: String(2418800001 + index),
  ref: `cred-m${index}`,
}));
const hallInput: HallInput = {
  id: 'inbox-kill-hall',
  name: '测试发布厅',
  lead: 'm0',
  site: { domain: 'www.example.gov.cn' },
  members: members.map((member) => ({
    id: member.id,
    name: `${member.handle}新闻办`,
    shortName: member.handle,
    accounts: { weibo: { handle: member.handle, uid: member.uid, credentials: member.ref } },
  })),
};
const uidOf = new Map(members.map((member) => [`${member.id}/weibo`, member.uid]));
const tokens: Record<string, string> = Object.fromEntries(
  members.map((member) => [member.ref, `tok-${member.id}`]),
);
const credentials = ({ ref }: { ref: string }): Record<string, string> | undefined => {
  const token = tokens[ref];
  return token === undefined ? undefined : { access_token: token };
};

let server: WeiboSandbox;
// The killed child talks to a server of its own over the same platform state, so "no connection
// open" on it means every request the child sent has been carried out (the rerun uses the other).
let serverForChild: WeiboSandbox;
beforeAll(async () => {
  await child.bundle();
  server = await startWeiboSandbox({ safeDomain: 'www.example.gov.cn' });
  serverForChild = await startWeiboSandbox({ platform: server.platform });
  for (const member of members) {
    server.platform.addAccount({
      uid: member.uid,
      screenName: member.handle,
      accessToken: tokens[member.ref]!,
    });
  }
});
afterAll(async () => {
  await server.close();
  await serverForChild.close();
});

function adapterFor(baseURL: string) {
  return createWeiboAdapter({ baseURL, rip: '203.0.113.10', limits: { requestTimeoutMs: 10_000 } });
}

/** A fresh platform with one published post per account, and the journal file that holds it. */
async function publishedRun(seed: number, prefix: string) {
  server.platform.reset();
  server.platform.configure({ latency: { fixedMs: 0, jitterMs: 0, seed } });
  const file = join(mkdtempSync(join(tmpdir(), prefix)), 'journal.db');
  const adapter = adapterFor(server.url);
  const journal = new SqliteJournal(file);
  try {
    const report = await createPublisher({
      hall: hallInput,
      adapters: [adapter],
      credentials,
      journal,
      retry: fastRetry,
    }).publish(rebuttal, { mode: 'original' });
    expect(report.counts.succeeded, `seed ${seed}: publish`).toBe(ACCOUNTS);
    const postOf = new Map(report.deliveries.map((line) => [line.accountId, line.remoteId!]));
    return { file, adapter, postOf, hall: resolveHall(hallInput, [adapter]) };
  } finally {
    await journal.close();
  }
}

function startChild(file: string, env: Record<string, string>) {
  return child.start({
    RH_BASE_URL: serverForChild.url,
    RH_JOURNAL: file,
    RH_HALL: JSON.stringify(hallInput),
    RH_TOKENS: JSON.stringify(tokens),
    ...env,
  });
}

async function killAndSettle(seed: number, run: ReturnType<typeof startChild>): Promise<void> {
  await run.kill();
  expect(
    await waitFor(() => serverForChild.openConnections() === 0, 10_000),
    `seed ${seed}: the killed child's requests were all carried out`,
  ).toBe(true);
}

interface SyncOutcome {
  readonly seed: number;
  readonly storedAtKill: number;
  readonly exitedFirst: boolean;
}

async function syncRun(seed: number): Promise<SyncOutcome> {
  const next = random(seed);
  const { file, adapter, postOf, hall } = await publishedRun(seed, 'rh-inbox-kill-');
  const platform = server.platform;
  // One comment per account, synced first: the cursor a later sync reads on from. (A first read
  // with no cursor takes the newest `maxItems` and starts from there.)
  const expected = new Map<string, string>();
  for (const [accountId, postId] of postOf) {
    const comment = platform.addComment({ statusId: postId, authorName: '市民〇', text: '首条' });
    expected.set(comment.id, accountId);
  }
  const first = new SqliteJournal(file);
  try {
    const warm = await syncInbox({ hall, adapters: [adapter], credentials, journal: first });
    expect(warm.added, `seed ${seed}: warm-up sync`).toBe(ACCOUNTS);
  } finally {
    await first.close();
  }
  // 300 comments, the accounts interleaved in a seeded order.
  const accounts = [...postOf.keys()];
  const left = new Map(accounts.map((accountId) => [accountId, PER_ACCOUNT]));
  for (let index = 0; index < ACCOUNTS * PER_ACCOUNT; index += 1) {
    const open = accounts.filter((accountId) => left.get(accountId)! > 0);
    const accountId = open[Math.floor(next() * open.length)]!;
    left.set(accountId, left.get(accountId)! - 1);
    const comment = platform.addComment({
      statusId: postOf.get(accountId)!,
      authorName: `市民${index % 17}`,
      text: `请问${index}：地铁今晚是否运营？`,
    });
    expected.set(comment.id, accountId);
  }
  platform.configure({ latency: { fixedMs: 1, jitterMs: 3, seed } });
  const readsBefore = platform.requests().length;
  const killAfterReads = Math.floor(next() * 110);

  const run = startChild(file, { RH_ACTION: 'sync', RH_MAX_ITEMS: String(MAX_ITEMS) });
  await run.planned;
  let exitedFirst = false;
  void run.exited.then(() => (exitedFirst = true));
  await waitFor(
    () =>
      exitedFirst ||
      platform
        .requests()
        .slice(readsBefore)
        .filter((request) => INBOX_ENDPOINTS.has(request.endpoint ?? '')).length >= killAfterReads,
    20_000,
  );
  await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 6)));
  const exitedBeforeKill = exitedFirst;
  await killAndSettle(seed, run);

  const journal = new SqliteJournal(file);
  try {
    expect(await journal.check(), `seed ${seed}: journal check after the kill`).toEqual([]);
    const storedAtKill = (await journal.listInbox()).length - ACCOUNTS;
    const again = await syncInbox({
      hall,
      adapters: [adapter],
      credentials,
      journal,
      maxItems: MAX_ITEMS,
    });
    expect(
      again.accounts.map((line) => `${line.accountId} ${line.status} ${line.error?.message ?? ''}`),
      `seed ${seed}: rerun`,
    ).toEqual(accounts.map((accountId) => `${accountId} read `));
    expect(again.added, `seed ${seed}: items added by the rerun`).toBe(
      ACCOUNTS * PER_ACCOUNT - storedAtKill,
    );
    const items = await journal.listInbox();
    const seen = new Map<string, number>();
    for (const item of items) seen.set(item.remoteId, (seen.get(item.remoteId) ?? 0) + 1);
    const twice = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
    expect(twice, `seed ${seed}: items stored more than once`).toEqual([]);
    const extra = items.filter((item) => !expected.has(item.remoteId)).map((item) => item.remoteId);
    expect(extra, `seed ${seed}: items never seeded`).toEqual([]);
    const missing = [...expected.keys()].filter((id) => !seen.has(id));
    expect(missing, `seed ${seed}: seeded comments missing`).toEqual([]);
    const misfiled = items
      .filter((item) => expected.get(item.remoteId) !== item.accountId)
      .map((item) => `${item.remoteId} on ${item.accountId}`);
    expect(misfiled, `seed ${seed}: items on the wrong account`).toEqual([]);
    // A third sync finds nothing new.
    const third = await syncInbox({ hall, adapters: [adapter], credentials, journal });
    expect(third.added, `seed ${seed}: third sync`).toBe(0);
    expect(await journal.check(), `seed ${seed}: journal check at the end`).toEqual([]);
    return { seed, storedAtKill, exitedFirst: exitedBeforeKill };
  } finally {
    await journal.close();
  }
}

interface ReplyOutcome {
  readonly seed: number;
  readonly kind: 'at-apply' | 'random-time';
  readonly sentAtKill: number;
  /** The target's reply was applied, and its record still `sending`, when the child died. */
  readonly killedAtApply: boolean;
  readonly statuses: readonly string[];
}

const ITEMS = 6;

async function replyRun(seed: number): Promise<ReplyOutcome> {
  const next = random(seed);
  const kind = seed % 2 === 0 ? 'at-apply' : 'random-time';
  const { file, adapter, postOf, hall } = await publishedRun(seed, 'rh-reply-kill-');
  const platform = server.platform;
  // One citizen's comment on each account's post, synced into the journal.
  const comments = [...postOf].map(([accountId, postId], index) => ({
    accountId,
    comment: platform.addComment({
      statusId: postId,
      authorName: `市民${index}`,
      text: `第${index}问：地铁今晚是否运营？`,
    }),
  }));
  const replies = comments.map(({ comment }, index) => ({
    itemId: comment.id,
    text: `您好，第${index}问已转交相关部门核实。`,
  }));
  {
    const journal = new SqliteJournal(file);
    try {
      const synced = await syncInbox({ hall, adapters: [adapter], credentials, journal });
      expect(synced.added, `seed ${seed}: sync before the replies`).toBe(ITEMS);
    } finally {
      await journal.close();
    }
  }
  platform.configure({ latency: { fixedMs: 1, jitterMs: 4, seed } });
  const targetIndex = Math.floor(next() * ITEMS);
  const target = comments[targetIndex]!;
  const targetUid = uidOf.get(target.accountId)!;
  const killAfterSends = 1 + Math.floor(next() * (ITEMS - 1));
  if (kind === 'at-apply') {
    platform.injectFault({
      kind: 'timeout-after-apply',
      endpoint: 'comments/reply',
      uid: targetUid,
      hangMs: 20_000,
    });
  }
  const replySends = () =>
    platform.requests().filter((request) => request.endpoint === 'comments/reply');
  const repliesTo = (cid: string, uid: string) =>
    platform.comments().filter((entry) => entry.replyToId === cid && entry.authorId === uid);

  const run = startChild(file, { RH_ACTION: 'reply', RH_REPLIES: JSON.stringify(replies) });
  await run.planned;
  let exitedFirst = false;
  void run.exited.then(() => (exitedFirst = true));
  if (kind === 'at-apply') {
    // Kill exactly when the server has applied the target's reply and holds back its answer.
    expect(
      await waitFor(() => repliesTo(target.comment.id, targetUid).length > 0, 20_000),
      `seed ${seed}: the target's reply was applied`,
    ).toBe(true);
  } else {
    await waitFor(() => exitedFirst || replySends().length >= killAfterSends, 20_000);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 8)));
  }
  await killAndSettle(seed, run);
  platform.clearFaults();
  const sentAtKill = replySends().length;

  const journal = new SqliteJournal(file);
  try {
    expect(await journal.check(), `seed ${seed}: journal check after the kill`).toEqual([]);
    const [stored] = (await journal.listInbox()).filter(
      (item) => item.remoteId === target.comment.id,
    );
    const targetRecord =
      stored === undefined
        ? undefined
        : await journal.getReply(replyKey(stored, replies[targetIndex]!.text));
    const killedAtApply =
      repliesTo(target.comment.id, targetUid).length === 1 && targetRecord?.state === 'sending';
    const reply = (index: number, now?: () => Date) =>
      replyToItem({
        hall,
        adapters: [adapter],
        credentials,
        journal,
        itemId: replies[index]!.itemId,
        text: replies[index]!.text,
        ...(now === undefined ? {} : { now }),
      });
    if (killedAtApply) {
      // Within its lease, the reply the dead run was sending is left alone.
      const sendsBefore = replySends().length;
      let code: string | undefined;
      try {
        await reply(targetIndex);
      } catch (error) {
        code = ReleaseHallError.isInstance(error) ? error.code : String(error);
      }
      expect(code, `seed ${seed}: a rerun within the lease`).toBe('LEASE_LOST');
      expect(replySends().length, `seed ${seed}: sends within the lease`).toBe(sendsBefore);
    }
    // After the lease (the library's clock moved past it), every reply again.
    const later = () => new Date(Date.now() + 3 * 60_000);
    const statuses: string[] = [];
    for (let index = 0; index < ITEMS; index += 1) {
      const result = await reply(index, later);
      statuses.push(result.status);
      expect(
        ['sent', 'already-sent', 'found'],
        `seed ${seed}: item ${index} ended ${result.status}`,
      ).toContain(result.status);
    }
    if (killedAtApply) {
      expect(statuses[targetIndex], `seed ${seed}: the held reply is found`).toBe('found');
    }
    // On the server: each item answered exactly once, by its own account, and sent once.
    for (const [index, { accountId, comment }] of comments.entries()) {
      const uid = uidOf.get(accountId)!;
      expect(
        repliesTo(comment.id, uid).length,
        `seed ${seed}: replies of ${accountId} to item ${index}`,
      ).toBe(1);
      const others = platform
        .comments()
        .filter((entry) => entry.replyToId === comment.id && entry.authorId !== uid);
      expect(others.length, `seed ${seed}: replies to item ${index} by other accounts`).toBe(0);
      const sends = replySends().filter((request) => request.params.cid === comment.id);
      expect(sends.length, `seed ${seed}: comments/reply calls for item ${index}`).toBe(1);
    }
    // Run once more: everything is already sent, nothing goes out.
    const sendsAtEnd = replySends().length;
    for (let index = 0; index < ITEMS; index += 1) {
      expect((await reply(index, later)).status, `seed ${seed}: item ${index} once more`).toBe(
        'already-sent',
      );
    }
    expect(replySends().length, `seed ${seed}: sends of the last pass`).toBe(sendsAtEnd);
    const answered = (await journal.listInbox()).filter((item) => item.answeredAt !== undefined);
    expect(answered.length, `seed ${seed}: items marked answered`).toBe(ITEMS);
    expect(await journal.check(), `seed ${seed}: journal check at the end`).toEqual([]);
    return { seed, kind, sentAtKill, killedAtApply, statuses };
  } finally {
    await journal.close();
  }
}

describe('inbox: SIGKILL at seeded moments, then run again', () => {
  it(`${RUNS} seeded sync kills: every comment stored exactly once`, async () => {
    const outcomes: SyncOutcome[] = [];
    for (let seed = 1; seed <= RUNS; seed += 1) outcomes.push(await syncRun(seed));
    if (process.env.RH_FAULT_VERBOSE) console.log(JSON.stringify(outcomes));
    // The kills landed mid-sync: part of the 300 stored, not all.
    const partial = outcomes.filter(
      (outcome) => outcome.storedAtKill > 0 && outcome.storedAtKill < ACCOUNTS * PER_ACCOUNT,
    );
    expect(
      partial.length,
      `${partial.length} of ${RUNS} runs killed mid-sync: ${JSON.stringify(outcomes)}`,
    ).toBeGreaterThanOrEqual(RUNS / 2);
  }, 120_000);

  it(`${RUNS} seeded reply kills: each item answered exactly once by its account`, async () => {
    const outcomes: ReplyOutcome[] = [];
    for (let seed = 1; seed <= RUNS; seed += 1) outcomes.push(await replyRun(seed));
    if (process.env.RH_FAULT_VERBOSE) console.log(JSON.stringify(outcomes));
    const atApply = outcomes.filter((outcome) => outcome.kind === 'at-apply');
    expect(
      atApply.filter((outcome) => !outcome.killedAtApply).map((outcome) => outcome.seed),
      'at-apply seeds not killed with the reply applied and unanswered',
    ).toEqual([]);
    const partial = outcomes.filter(
      (outcome) => outcome.sentAtKill > 0 && outcome.sentAtKill < ITEMS,
    );
    expect(
      partial.length,
      `${partial.length} of ${RUNS} runs killed mid-batch: ${JSON.stringify(outcomes)}`,
    ).toBeGreaterThanOrEqual(RUNS / 2);
  }, 120_000);
});
