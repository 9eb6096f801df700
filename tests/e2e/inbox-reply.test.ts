/**
 * Replying to the inbox over the Weibo sandbox with the SQLite journal: a campaign is published, a
 * citizen comments, the inbox is synced, and the account answers once. Replying again, after a
 * lost answer, or after a run that stopped mid-call never posts a second reply; a discouraged
 * phrase is refused before anything is sent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HallInput,
  type Journal,
  ReleaseHallError,
  createPublisher,
  hasReplies,
  replyKey,
  replyToItem,
  resolveHall,
  silentLogger,
  syncInbox,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const RIP = '203.0.113.10';

const hallInput: HallInput = {
  id: 'reply-hall',
  name: '测试发布厅',
  lead: 'lead',
  site: { domain: 'www.example.gov.cn' },
  members: [
    ['lead', '测试发布', '2418700001'],
    ['m1', '单位一', '2418700002'],
  ].map(([id, handle, uid]) => ({
    id: id!,
    name: `${handle!}新闻办`,
    shortName: handle!,
    accounts: { weibo: { handle: handle!, uid: uid!, credentials: `cred-${id!}` } },
  })),
};

const LEAD_UID = '2418700001';

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

/** A published campaign, a citizen's comment on the lead's post, synced into the journal. */
async function commented() {
  const current = await startHallSandbox(hallInput, { tokenFor: (ref) => `token-${ref}` });
  sandbox = current;
  const adapter = createWeiboAdapter({
    baseURL: current.baseURLs.weibo,
    rip: RIP,
    limits: { requestTimeoutMs: 2_000 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'rh-reply-'));
  const file = join(dir, 'journal.db');
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
  expect(report.counts.succeeded).toBe(2);
  const postId = report.deliveries.find((line) => line.accountId === 'lead/weibo')?.remoteId;
  if (postId === undefined) throw new Error('no lead post');
  const comment = current.weibo.platform.addComment({
    statusId: postId,
    authorName: '市民甲',
    text: '地铁今晚是否运营？',
  });
  const hall = resolveHall(hallInput, [adapter]);
  const summary = await syncInbox({
    hall,
    adapters: [adapter],
    credentials: current.credentials,
    journal,
  });
  expect(summary.added).toBe(1);
  const platform = current.weibo.platform;
  const reply = (text: string, extra: { now?: () => Date } = {}) =>
    replyToItem({
      hall,
      adapters: [adapter],
      credentials: current.credentials,
      journal,
      itemId: comment.id,
      text,
      ...extra,
    });
  /** The lead account's replies to the comment, as the sandbox holds them. */
  const replies = () =>
    platform
      .comments()
      .filter((entry) => entry.authorId === LEAD_UID && entry.replyToId === comment.id);
  const replyCalls = () =>
    platform.requests().filter((request) => request.endpoint === 'comments/reply').length;
  return {
    sandbox: current,
    adapter,
    dir,
    file,
    journal,
    comment,
    platform,
    reply,
    replies,
    replyCalls,
  };
}

describe('inbox reply over the Weibo sandbox', () => {
  it('replies once; the same text again answers the first reply and posts nothing', async () => {
    const { reply, replies, replyCalls, journal, comment } = await commented();

    const first = await reply('您好，今晚地铁正常运营。');
    expect(first.status).toBe('sent');
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toMatchObject({ text: '回复@市民甲:您好，今晚地铁正常运营。' });
    expect(first.reply).toMatchObject({
      state: 'sent',
      remoteId: replies()[0]?.id,
      attempts: 1,
      itemRemoteId: comment.id,
    });
    const [item] = await journal.listInbox();
    expect(item?.answeredAt).toBeDefined();

    const again = await reply('  您好，今晚地铁正常运营。 ');
    expect(again.status).toBe('already-sent');
    expect(again.reply.remoteId).toBe(first.reply.remoteId);
    expect(replies()).toHaveLength(1);
    expect(replyCalls()).toBe(1);
  });

  it('an answer lost after the platform stored the reply: the next run looks it up and posts nothing', async () => {
    const { reply, replies, replyCalls, platform, journal } = await commented();
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'comments/reply' });
    // The look-up right after the lost answer fails too, so the reply stays unknown.
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'comments/by_me' });

    const lost = await reply('已转交相关部门，请留意后续通报。');
    expect(lost.status).toBe('unknown');
    expect(lost.reply).toMatchObject({ state: 'unknown', error: { code: 'AMBIGUOUS' } });
    expect(replies()).toHaveLength(1);
    expect((await journal.listInbox())[0]?.answeredAt).toBeUndefined();

    const found = await reply('已转交相关部门，请留意后续通报。');
    expect(found.status).toBe('found');
    expect(found.reply).toMatchObject({ state: 'sent', remoteId: replies()[0]?.id, attempts: 1 });
    expect(replies()).toHaveLength(1);
    expect(replyCalls()).toBe(1);
    expect((await journal.listInbox())[0]?.answeredAt).toBeDefined();
  });

  it('a lost answer found by the look-up right away ends sent, once', async () => {
    const { reply, replies, replyCalls } = await commented();
    sandbox?.weibo.platform.injectFault({ kind: 'drop-after-apply', endpoint: 'comments/reply' });
    const result = await reply('感谢您的关注。');
    expect(result.status).toBe('found');
    expect(replies()).toHaveLength(1);
    expect(replyCalls()).toBe(1);
  });

  it('a run that stopped in sending: left alone within its lease, looked up after it', async () => {
    const { reply, replies, replyCalls, journal, adapter, comment } = await commented();
    if (!hasReplies(journal)) throw new Error('the SQLite journal keeps replies');
    const text = '末班车延后至23时。';
    const [item] = await journal.listInbox();
    if (item === undefined) throw new Error('no item');
    // The earlier run: recorded sending, the platform took the reply, then the process died.
    const key = replyKey(item, text);
    const start = Date.now();
    const planned = await journal.planReply({
      key,
      platform: 'weibo',
      accountId: item.accountId,
      memberId: item.memberId,
      itemRemoteId: comment.id,
      text,
      state: 'planned',
      version: 1,
      attempts: 0,
      createdAt: new Date(start).toISOString(),
      updatedAt: new Date(start).toISOString(),
    });
    await journal.updateReply(key, planned.version, {
      state: 'sending',
      leaseUntil: new Date(start + 60_000).toISOString(),
      countAttempt: true,
      at: new Date(start).toISOString(),
    });
    await adapter.replyToInbox(
      resolveHall(hallInput, [adapter]).accountById.get('lead/weibo')!,
      item,
      text,
      {
        signal: new AbortController().signal,
        credentials: { access_token: 'token-cred-lead' },
        now: new Date(),
        logger: silentLogger,
        requestTimeoutMs: 2_000,
        idempotencyKey: key,
      },
    );
    expect(replies()).toHaveLength(1);

    const held = await failure(reply(text));
    expect(held.code).toBe('LEASE_LOST');
    expect(replyCalls()).toBe(1);

    const later = await reply(text, { now: () => new Date(start + 120_000) });
    expect(later.status).toBe('found');
    expect(replies()).toHaveLength(1);
    expect(replyCalls()).toBe(1);
  });

  it('refuses a discouraged phrase before anything is written or sent', async () => {
    const { reply, replyCalls, journal } = await commented();
    const refused = await failure(reply('不管你信不信，我反正是信的。'));
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.issues[0]?.path).toBe('text');
    expect(replyCalls()).toBe(0);
    if (!hasReplies(journal)) throw new Error('the SQLite journal keeps replies');
    expect(await journal.listReplies()).toEqual([]);
    // An unknown item is refused likewise.
    const unknown = await replyToItemOf(journal);
    expect(unknown.code).toBe('INVALID_INPUT');
  });

  it('inbox reply from the command line: sent, then already sent', async () => {
    const { dir, file, replies, comment, journal } = await commented();
    await journal.close();
    const hallFile = join(dir, 'hall.json');
    writeFileSync(
      hallFile,
      JSON.stringify({
        ...hallInput,
        platforms: { weibo: { baseURL: sandbox?.baseURLs.weibo, settings: { rip: RIP } } },
      }),
    );
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(
      credentialsFile,
      JSON.stringify({
        'cred-lead': { access_token: 'token-cred-lead' },
        'cred-m1': { access_token: 'token-cred-m1' },
      }),
      { mode: 0o600 },
    );
    const args = [
      'inbox',
      'reply',
      comment.id,
      '--text',
      '您好，已记录。',
      '--hall',
      hallFile,
      '--credentials',
      credentialsFile,
      '--journal',
      file,
    ];
    const first = await runCli(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^sent\s+reply \d+ to item/);
    const second = await runCli([...args, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'already-sent' });
    expect(replies()).toHaveLength(1);
    const refused = await runCli([
      ...args.slice(0, 4),
      '不管你信不信，我反正是信的',
      ...args.slice(5),
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('discredits the whole statement');
    expect(replies()).toHaveLength(1);
  });
});

async function replyToItemOf(journal: Journal): Promise<ReleaseHallError> {
  const adapter = createWeiboAdapter({ rip: RIP });
  return failure(
    replyToItem({
      hall: resolveHall(hallInput, [adapter]),
      adapters: [adapter],
      credentials: sandbox!.credentials,
      journal,
      itemId: '1',
      text: '您好',
    }),
  );
}
