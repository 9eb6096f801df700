/**
 * Routing a citizen's question to the bureau that can answer it, over the Weibo sandbox with the
 * SQLite journal: a comment on the lead's post is assigned to a member (`inbox assign`), shows in
 * that member's queue (`inbox list --assigned-to`), and is answered once from the member's own
 * account; wrong members and private messages answered from another account are refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HallInput,
  type Journal,
  ReleaseHallError,
  type StoredInboxItem,
  assignItem,
  createPublisher,
  hasInbox,
  hasReplies,
  replyKey,
  replyToItem,
  resolveHall,
  syncInbox,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const hallInput: HallInput = {
  id: 'assign-hall',
  name: '测试发布厅',
  lead: 'lead',
  site: { domain: 'www.example.gov.cn' },
  members: [
    ['lead', '测试发布', '2418800001'],
    ['metro', '地铁运营', '2418800002'],
    ['police', '平安测试', '2418800003'],
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

async function failure(work: Promise<unknown>): Promise<ReleaseHallError> {
  try {
    await work;
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function questionOnLeadPost() {
  const current = await startHallSandbox(hallInput, { tokenFor: (ref) => `token-${ref}` });
  sandbox = current;
  const adapter = createWeiboAdapter({
    baseURL: current.baseURLs.weibo,
    rip: '203.0.113.11',
    limits: { requestTimeoutMs: 2_000 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'rh-assign-'));
  const file = join(dir, 'journal.db');
  const hallFile = join(dir, 'hall.json');
  writeFileSync(hallFile, JSON.stringify(hallInput));
  const journal = new SqliteJournal(file);
  journals.push(journal);
  const publisher = createPublisher({
    hall: hallInput,
    adapters: [adapter],
    credentials: current.credentials,
    journal,
    retry: fastRetry,
  });
  const report = await publisher.publish(rebuttal, { mode: 'original' });
  const postId = report.deliveries.find((line) => line.accountId === 'lead/weibo')?.remoteId;
  if (postId === undefined) throw new Error('no lead post');
  const comment = current.weibo.platform.addComment({
    statusId: postId,
    authorName: '市民乙',
    text: '地铁末班车延长到几点？',
  });
  const hall = resolveHall(hallInput, [adapter]);
  await syncInbox({ hall, adapters: [adapter], credentials: current.credentials, journal });
  return { current, adapter, hall, journal, file, hallFile, comment };
}

describe('inbox assign over the Weibo sandbox', () => {
  it('routes a question to a member, lists it in its queue, and the member answers once from its own account', async () => {
    const { current, adapter, hall, journal, file, hallFile, comment } = await questionOnLeadPost();

    const assigned = await runCli([
      'inbox',
      'assign',
      comment.id,
      '--to',
      'metro',
      '--hall',
      hallFile,
      '--journal',
      file,
    ]);
    expect(assigned.stderr).toBe('');
    expect(assigned.code).toBe(0);
    expect(assigned.stdout).toContain(
      `assigned   item ${comment.id} on lead/weibo to metro; a reply comes from metro/weibo`,
    );

    const queue = await runCli([
      'inbox',
      'list',
      '--journal',
      file,
      '--assigned-to',
      'metro',
      '--json',
    ]);
    const rows = JSON.parse(queue.stdout) as StoredInboxItem[];
    expect(rows.map((row) => [row.remoteId, row.accountId, row.assignedTo])).toEqual([
      [comment.id, 'lead/weibo', 'metro'],
    ]);
    const none = await runCli([
      'inbox',
      'list',
      '--journal',
      file,
      '--assigned-to',
      'police',
      '--json',
    ]);
    expect(JSON.parse(none.stdout)).toEqual([]);
    const text = await runCli(['inbox', 'list', '--journal', file]);
    expect(text.stdout).toContain(comment.id);
    expect(text.stdout).toContain('→ metro');

    const answer = () =>
      replyToItem({
        hall,
        adapters: [adapter],
        credentials: current.credentials,
        journal,
        itemId: comment.id,
        text: '您好，末班车今晚延长至24时。',
      });
    const first = await answer();
    expect(first.status).toBe('sent');
    expect(first.reply).toMatchObject({ accountId: 'metro/weibo', memberId: 'metro' });
    const replies = current.weibo.platform
      .comments()
      .filter((entry) => entry.replyToId === comment.id);
    expect(replies.map((entry) => entry.authorId)).toEqual(['2418800002']);
    const again = await answer();
    expect(again.status).toBe('already-sent');
    expect(
      current.weibo.platform.comments().filter((entry) => entry.replyToId === comment.id),
    ).toHaveLength(1);
    if (!hasInbox(journal)) throw new Error('the SQLite journal keeps an inbox');
    const [stored] = await journal.listInbox({ assignedTo: 'metro' });
    expect(stored?.answeredAt).toBeDefined();
  });

  it('inbox list flags items past the hall’s reply deadline (inbox.replyDeadlineHours) with --hall', async () => {
    const { file, hallFile, comment } = await questionOnLeadPost();
    const strictHall = hallFile.replace(/hall\.json$/, 'strict-hall.json');
    // A deadline of 0.36 s: the comment, read a moment ago, is already late.
    writeFileSync(
      strictHall,
      JSON.stringify({ ...hallInput, inbox: { replyDeadlineHours: 0.0001 } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    const strict = await runCli(['inbox', 'list', '--journal', file, '--hall', strictHall]);
    expect(strict.code).toBe(0);
    expect(strict.stdout).toMatch(new RegExp(`OVERDUE\\s+${comment.id}`));
    expect(strict.stdout).toContain('1 item, 1 unanswered past the reply deadline of 0.0001 h');
    const relaxed = await runCli(['inbox', 'list', '--journal', file, '--hall', hallFile]);
    expect(relaxed.stdout).toContain('1 item, 0 unanswered past the reply deadline of 24 h');
    // --reply-deadline wins over the hall file.
    const flag = await runCli([
      'inbox',
      'list',
      '--journal',
      file,
      '--hall',
      strictHall,
      '--reply-deadline',
      '48',
    ]);
    expect(flag.stdout).toContain('0 unanswered past the reply deadline of 48 h');
    const wrong = await runCli([
      'inbox',
      'list',
      '--journal',
      file,
      '--hall',
      strictHall.replace('strict', 'none'),
    ]);
    expect(wrong.code).toBe(2);
  });

  it('a reply begun from one account is finished from it, whatever the assignment says later', async () => {
    const { current, adapter, hall, journal, comment } = await questionOnLeadPost();
    const text = '您好，末班车今晚延长至24时。';
    if (!hasReplies(journal) || !hasInbox(journal))
      throw new Error('the SQLite journal keeps both');
    const [item] = await journal.listInbox();
    // A run began the reply from the lead's account and stopped mid-call, its lease long over.
    const begun = await journal.planReply({
      key: replyKey(item!, text),
      platform: 'weibo',
      accountId: 'lead/weibo',
      memberId: 'lead',
      itemRemoteId: comment.id,
      text,
      state: 'planned',
      version: 1,
      attempts: 0,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    await journal.updateReply(begun.key, begun.version, {
      state: 'sending',
      leaseUntil: new Date(Date.now() - 60_000).toISOString(),
      countAttempt: true,
      at: new Date().toISOString(),
    });
    await assignItem({ hall, journal, itemId: comment.id, to: 'metro' });
    const reply = (as?: string) =>
      replyToItem({
        hall,
        adapters: [adapter],
        credentials: current.credentials,
        journal,
        itemId: comment.id,
        text,
        ...(as === undefined ? {} : { as }),
      });
    const refused = await failure(reply('metro'));
    expect(refused.issues?.[0]).toMatchObject({ path: 'as' });
    expect(refused.issues?.[0]?.message).toContain('begun from lead/weibo');

    const done = await reply();
    expect(done.status).toBe('sent');
    expect(done.reply.accountId).toBe('lead/weibo');
    const replies = current.weibo.platform
      .comments()
      .filter((entry) => entry.replyToId === comment.id);
    expect(replies.map((entry) => entry.authorId)).toEqual(['2418800001']);
  });

  it('refuses a member not in the hall, for the assignment and for --as, before anything is sent', async () => {
    const { current, adapter, hall, journal, comment } = await questionOnLeadPost();
    const before = current.weibo.platform.requests().length;

    const wrongTo = await failure(assignItem({ hall, journal, itemId: comment.id, to: 'metr0' }));
    expect(wrongTo.code).toBe('INVALID_INPUT');
    expect(wrongTo.issues?.[0]?.path).toBe('to');
    expect(wrongTo.issues?.[0]?.message).toContain('no member "metr0"');

    const missing = await failure(assignItem({ hall, journal, itemId: '1', to: 'metro' }));
    expect(missing.issues?.[0]?.message).toContain('no inbox item 1');

    const wrongAs = await failure(
      replyToItem({
        hall,
        adapters: [adapter],
        credentials: current.credentials,
        journal,
        itemId: comment.id,
        text: '您好。',
        as: 'metr0',
      }),
    );
    expect(wrongAs.issues?.[0]).toMatchObject({ path: 'as' });
    expect(current.weibo.platform.requests().length).toBe(before);
  });
});
