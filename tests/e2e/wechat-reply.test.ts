/**
 * Answering a WeChat follower over the loopback sandbox with the SQLite journal: a follower's
 * message (as the callback stores it) is answered once by customer-service message. A lost
 * answer leaves the reply `unknown` (WeChat has no look-up of sent customer-service messages)
 * and a second run sends nothing; a message older than 48 hours is refused before anything is
 * sent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HallInput,
  ReleaseHallError,
  hasReplies,
  replyKey,
  replyToItem,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';

const APPID = 'wxc15183dad0f5fea1';
const OPENID = 'oFollowerOfBeijingFabu_000001';
const HOUR = 3_600_000;

const hallInput: HallInput = {
  id: 'wechat-reply-hall',
  name: '测试发布厅',
  lead: 'beijing-fabu',
  site: { domain: 'www.example.gov.cn' },
  members: [
    {
      id: 'beijing-fabu',
      name: '北京市人民政府新闻办公室',
      shortName: '北京发布',
      accounts: {
        wechat: { handle: '北京发布', appid: APPID, credentials: 'wechat-beijing-fabu' },
      },
    },
  ],
};

let sandbox: HallSandbox | undefined;
const journals: SqliteJournal[] = [];
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

/** A follower wrote to the lead account `ageMs` ago; the message is in the journal's inbox. */
async function followerWrote(ageMs: number) {
  let clock = Date.UTC(2026, 10, 26, 4, 0, 0);
  const current = await startHallSandbox(hallInput, { wechat: { now: () => clock } });
  sandbox = current;
  const platform = current.wechat!.platform;
  const adapter = createWechatAdapter({
    baseURL: current.baseURLs.wechat,
    now: () => clock,
    limits: { requestTimeoutMs: 500 },
  });
  const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'rh-wx-reply-')), 'j.db'));
  journals.push(journal);
  const at = clock - ageMs;
  platform.receiveMessage({ appid: APPID, openid: OPENID, text: '请问明天限行吗？', at });
  const remoteId = '24187000000000001';
  await journal.putInboxItems([
    {
      platform: 'wechat',
      accountId: 'beijing-fabu/wechat',
      memberId: 'beijing-fabu',
      kind: 'message',
      remoteId,
      author: { id: OPENID, name: OPENID },
      text: '请问明天限行吗？',
      at: new Date(at).toISOString(),
    },
  ]);
  const hall = resolveHall(hallInput, [adapter]);
  const reply = (text: string, extra: { resendUnconfirmed?: boolean } = {}) =>
    replyToItem({
      hall,
      adapters: [adapter],
      credentials: current.credentials,
      journal,
      itemId: remoteId,
      text,
      now: () => new Date(clock),
      requestTimeoutMs: 500,
      ...extra,
    });
  const sendCalls = () =>
    platform.requests().filter((request) => request.endpoint === 'message/custom/send');
  return {
    platform,
    journal,
    reply,
    sendCalls,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('inbox reply to a WeChat follower over the sandbox', () => {
  it('sends one customer-service message; the same reply again sends nothing', async () => {
    const { platform, journal, reply, sendCalls } = await followerWrote(2 * HOUR);
    const first = await reply('明天不限行，请注意出行安全。');
    expect(first.status).toBe('sent');
    expect(first.reply).toMatchObject({ state: 'sent', attempts: 1 });
    expect(first.reply.remoteId).toMatch(/^custom:/);
    expect(platform.customMessages(APPID)).toMatchObject([
      { openid: OPENID, msgtype: 'text', text: '明天不限行，请注意出行安全。' },
    ]);
    expect(sendCalls()[0]?.json).toEqual({
      touser: OPENID,
      msgtype: 'text',
      text: { content: '明天不限行，请注意出行安全。' },
    });
    expect((await journal.listInbox())[0]?.answeredAt).toBeDefined();

    const again = await reply('明天不限行，请注意出行安全。');
    expect(again.status).toBe('already-sent');
    expect(platform.customMessages(APPID)).toHaveLength(1);
    expect(sendCalls()).toHaveLength(1);
  });

  it('a lost answer after WeChat took the message stays unknown, and the next run sends nothing', async () => {
    const { platform, journal, reply, sendCalls } = await followerWrote(HOUR);
    platform.injectFault({ kind: 'timeout-after-apply', endpoint: 'message/custom/send' });
    const lost = await reply('已转交交管部门，请留意后续通报。');
    expect(lost.status).toBe('unknown');
    expect(lost.reply).toMatchObject({ state: 'unknown', error: { code: 'AMBIGUOUS' } });
    expect(platform.customMessages(APPID)).toHaveLength(1);

    const second = await reply('已转交交管部门，请留意后续通报。');
    expect(second.status).toBe('unknown');
    expect(second.reply.state).toBe('unknown');
    // Exactly one message on the platform, and only the one request that carried it.
    expect(platform.customMessages(APPID)).toHaveLength(1);
    expect(sendCalls()).toHaveLength(1);
    expect((await journal.listInbox())[0]?.answeredAt).toBeUndefined();
  });

  it('a run stopped mid-send is marked unknown (no look-up exists); a person may send it again once checked', async () => {
    const { platform, journal, reply, sendCalls, advance } = await followerWrote(HOUR);
    const text = '已转交交管部门，请留意后续通报。';
    // A run wrote `sending` and stopped before the message left: the journal alone knows of it.
    if (!hasReplies(journal)) throw new Error('the SQLite journal keeps replies');
    const [item] = await journal.listInbox();
    const record = await journal.planReply({
      key: replyKey(item!, text),
      platform: 'wechat',
      accountId: 'beijing-fabu/wechat',
      memberId: 'beijing-fabu',
      itemRemoteId: item!.remoteId,
      text,
      state: 'planned',
      version: 1,
      attempts: 0,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    await journal.updateReply(record.key, record.version, {
      state: 'sending',
      leaseUntil: new Date(Date.UTC(2026, 10, 26, 4, 1, 0)).toISOString(),
      countAttempt: true,
      at: new Date().toISOString(),
    });
    advance(5 * 60_000);
    const after = await reply(text);
    expect(after).toMatchObject({ status: 'unknown', lookUp: false });
    expect(after.reply).toMatchObject({ state: 'unknown', error: { code: 'AMBIGUOUS' } });
    expect(after.reply.error?.message).toContain('--resend-unconfirmed');
    expect(sendCalls()).toHaveLength(0);
    expect((await reply(text)).status).toBe('unknown');
    expect(sendCalls()).toHaveLength(0);

    // Checked in the MP console: it never arrived. Sent once, on purpose.
    const resent = await reply(text, { resendUnconfirmed: true });
    expect(resent.status).toBe('sent');
    expect(platform.customMessages(APPID).map((sent) => sent.text)).toEqual([text]);
    expect((await reply(text, { resendUnconfirmed: true })).status).toBe('already-sent');
    expect(sendCalls()).toHaveLength(1);
  });

  it('a token fetch that fails leaves the reply planned, with nothing sent; the next run sends it once', async () => {
    const { platform, journal, reply, sendCalls } = await followerWrote(HOUR);
    const text = '您好，明日限行尾号为3和8。';
    platform.injectFault({ kind: '5xx-before-apply', endpoint: 'stable_token' });
    await expect(reply(text)).rejects.toMatchObject({ code: 'TRANSIENT' });
    expect(sendCalls()).toHaveLength(0);
    if (!hasReplies(journal)) throw new Error('the SQLite journal keeps replies');
    const [record] = await journal.listReplies({});
    // Not `sending`, not `unknown`: the token came before the record, so nothing is unclear.
    expect(record).toMatchObject({ state: 'planned', attempts: 0 });
    const second = await reply(text);
    expect(second.status).toBe('sent');
    expect(platform.customMessages(APPID).map((sent) => sent.text)).toEqual([text]);
  });

  it('a message older than 48 hours is refused before anything is sent, and recorded failed', async () => {
    const { platform, journal, reply, sendCalls, advance } = await followerWrote(HOUR);
    advance(48 * HOUR);
    const error = await failure(reply('抱歉回复晚了。'));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toContain('49 hours old');
    expect(error.message).toContain('within 48 hours');
    expect(sendCalls()).toEqual([]);
    expect(platform.customMessages(APPID)).toEqual([]);
    if (!hasReplies(journal)) throw new Error('the SQLite journal keeps replies');
    expect(await journal.listReplies()).toMatchObject([
      { state: 'failed', error: { code: 'PERMISSION_DENIED' } },
    ]);
  });
});
