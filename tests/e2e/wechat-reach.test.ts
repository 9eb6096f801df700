/**
 * Reach of a WeChat campaign over the loopback sandbox with the SQLite journal: the lead pushes
 * the article (mass send), a member publishes it. The statistics (`datacube`) know the push by the
 * `msg_data_id` it was sent with; they have nothing before 08:00 (UTC+8) the next day, and nothing
 * for an article that was only published. Followers and recent articles for the scorecard come
 * from `user/get` and `freepublish/batchget`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectReach, createPublisher, resolveHall, silentLogger } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { fastRetry } from '../helpers/fixtures.js';

const MEMBERS = ['beijing-fabu', 'police'];
const LEAD_APPID = 'wxc15183dad0f5fea1';

/** A time given as China wall-clock time (UTC+8). */
function china(iso: string): number {
  return Date.parse(`${iso}+08:00`);
}

let sandbox: HallSandbox | undefined;
const journals: SqliteJournal[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const journal of journals.splice(0)) await journal.close();
  await sandbox?.close();
  sandbox = undefined;
});

/** The campaign, pushed by the lead and published by the police, on 2026-11-25 at 15:00 in Beijing. */
async function campaign() {
  let clock = china('2026-11-25T15:00:00');
  const hall = (await beijingHall(['wechat'])) as { members: { id: string }[] };
  hall.members = hall.members.filter((member) => MEMBERS.includes(member.id));
  const current = await startHallSandbox(hall, {
    wechat: { now: () => clock, latency: { fixedMs: 1 } },
  });
  sandbox = current;
  const platform = current.wechat!.platform;
  platform.setFollowers(LEAD_APPID, 2_000);
  const adapter = createWechatAdapter({
    baseURL: current.baseURLs.wechat,
    now: () => clock,
    publishPoll: { intervalsMs: [1, 2, 4, 8] },
    limits: { requestTimeoutMs: 5_000 },
  });
  const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'rh-wx-reach-')), 'j.db'));
  journals.push(journal);
  const publisher = createPublisher({
    hall,
    adapters: [adapter],
    credentials: current.credentials,
    journal,
    retry: fastRetry,
  });
  const report = await publisher.publish(await beijingRebuttal(), {
    mode: 'original',
    campaignId: 'wx-reach-1',
    push: { policy: 'push-else-publish', members: ['beijing-fabu'], spendLast: true },
  });
  expect(report.deliveries.filter((line) => line.status !== 'succeeded')).toEqual([]);
  const postOf = new Map(report.deliveries.map((line) => [line.accountId, line.remoteId!]));
  const resolved = resolveHall(hall, [adapter]);
  const collect = () =>
    collectReach({
      hall: resolved,
      adapters: [adapter],
      credentials: current.credentials,
      journal,
      campaignId: report.campaignId,
    });
  const datacubeCalls = () =>
    platform.requests().filter((request) => request.endpoint === 'datacube/getarticletotal');
  return {
    platform,
    journal,
    report,
    adapter,
    resolved,
    current,
    postOf,
    collect,
    datacubeCalls,
    setClock: (at: number) => {
      clock = at;
    },
  };
}

describe('reach of a WeChat campaign over the sandbox', () => {
  it('reads the push from datacube after 08:00 the next day; the published-only article has no reading', async () => {
    const { platform, journal, report, postOf, collect, datacubeCalls, setClock } =
      await campaign();
    const pushId = postOf.get('beijing-fabu/wechat')!;
    const articleId = postOf.get('police/wechat')!;
    expect(pushId).toMatch(/^mass:\d+$/);
    expect(articleId).not.toMatch(/^mass:/);
    const [send] = platform.massSends(LEAD_APPID);
    // The journal keeps the push's msg_data_id beside its msg_id (the statistics' name of it).
    const pushRecord = (await journal.getDeliveries(report.campaignId)).find(
      (record) => record.delivery.accountId === 'beijing-fabu/wechat',
    );
    expect(pushRecord?.notes).toMatchObject({ 'wechat.msg_data_id': send!.msgDataId });
    platform.addArticleStats({
      appid: LEAD_APPID,
      msgid: `${send!.msgDataId!}_1`,
      title: '关于网传信息的说明',
      targetUser: 2_000,
      days: [
        { date: '2026-11-25', reads: 900, shares: 30 },
        { date: '2026-11-26', reads: 300, shares: 12 },
      ],
    });

    // 07:30 the next day: the 25th is not ready, nothing is asked, nothing read.
    setClock(china('2026-11-26T07:30:00'));
    const early = await collect();
    expect(early.readings).toEqual([]);
    expect(early.accounts.map((account) => [account.accountId, account.status])).toEqual([
      ['beijing-fabu/wechat', 'read'],
      ['police/wechat', 'read'],
    ]);
    expect(early.accounts.flatMap((account) => account.missing)).toEqual([pushId, articleId]);
    expect(datacubeCalls()).toEqual([]);

    // 08:00: the push's day is asked, once, below /datacube/.
    setClock(china('2026-11-26T08:00:00'));
    const ready = await collect();
    expect(ready.readings).toMatchObject([
      { accountId: 'beijing-fabu/wechat', postId: pushId, reads: 900, reposts: 30 },
    ]);
    expect(ready.readings[0]).not.toHaveProperty('likes');
    expect(ready.totals).toEqual({ reads: 900, reposts: 30 });
    expect(datacubeCalls().map((call) => [call.path, call.json])).toEqual([
      ['/datacube/getarticletotal', { begin_date: '2026-11-25', end_date: '2026-11-25' }],
    ]);

    // Two days later: the figures of the 26th are added to the reading.
    setClock(china('2026-11-27T09:00:00'));
    const later = await collect();
    expect(later.readings).toMatchObject([{ postId: pushId, reads: 1_200, reposts: 42 }]);
  });

  it('a reader in another process finds the push by the msg_data_id and the time journaled with it', async () => {
    // The journal's clock and the platform's agree, as they do outside tests.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(china('2026-11-25T15:00:00'));
    const { platform, journal, report, postOf, current, resolved, datacubeCalls, setClock } =
      await campaign();
    const [send] = platform.massSends(LEAD_APPID);
    platform.addArticleStats({
      appid: LEAD_APPID,
      msgid: `${send!.msgDataId!}_1`,
      title: '关于网传信息的说明',
      targetUser: 2_000,
      days: [{ date: '2026-11-25', reads: 640, shares: 21 }],
    });
    setClock(china('2026-11-26T09:00:00'));
    // A new adapter remembers no push: only the journal knows the msg_data_id.
    const elsewhere = createWechatAdapter({
      baseURL: current.baseURLs.wechat,
      now: () => china('2026-11-26T09:00:00'),
      limits: { requestTimeoutMs: 5_000 },
    });
    const result = await collectReach({
      hall: resolved,
      adapters: [elsewhere],
      credentials: current.credentials,
      journal,
      campaignId: report.campaignId,
    });
    expect(result.readings).toMatchObject([
      { postId: postOf.get('beijing-fabu/wechat'), reads: 640, reposts: 21 },
    ]);
    // The day it went live is known from the journal: one call, for that day.
    expect(datacubeCalls().map((call) => call.json)).toEqual([
      { begin_date: '2026-11-25', end_date: '2026-11-25' },
    ]);
  });

  it('a push sent before midnight and seen live after it is found on the day before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(china('2026-11-25T15:00:00'));
    const { platform, journal, report, current, resolved, datacubeCalls, setClock } =
      await campaign();
    const [send] = platform.massSends(LEAD_APPID);
    // WeChat dates the send the 24th (sent 23:59); the journal saw it live on the 25th.
    platform.addArticleStats({
      appid: LEAD_APPID,
      msgid: `${send!.msgDataId!}_1`,
      title: '关于网传信息的说明',
      targetUser: 2_000,
      refDate: '2026-11-24',
      days: [{ date: '2026-11-24', reads: 75, shares: 4 }],
    });
    setClock(china('2026-11-26T09:00:00'));
    const elsewhere = createWechatAdapter({
      baseURL: current.baseURLs.wechat,
      now: () => china('2026-11-26T09:00:00'),
      limits: { requestTimeoutMs: 5_000 },
    });
    const result = await collectReach({
      hall: resolved,
      adapters: [elsewhere],
      credentials: current.credentials,
      journal,
      campaignId: report.campaignId,
    });
    expect(result.readings).toMatchObject([{ reads: 75, reposts: 4 }]);
    expect(datacubeCalls().map((call) => (call.json as { begin_date: string }).begin_date)).toEqual(
      ['2026-11-25', '2026-11-24'],
    );
  });

  it('48001 from the statistics (an account not verified any more) fails that account, with the reason', async () => {
    const { platform, collect, setClock } = await campaign();
    // WeChat answers 48001 as for an account that lost its verification after the campaign.
    platform.injectFault({
      kind: 'error-before-apply',
      endpoint: 'datacube/getarticletotal',
      errcode: 48001,
      errmsg: 'api unauthorized',
    });
    setClock(china('2026-11-26T09:00:00'));
    const result = await collect();
    const lead = result.accounts.find((account) => account.accountId === 'beijing-fabu/wechat');
    expect(lead).toMatchObject({ status: 'failed', error: { code: 'PERMISSION_DENIED' } });
    expect(lead?.error?.message).toContain('verified accounts only');
  });

  it('reads followers and the articles published since a date for the scorecard', async () => {
    const { adapter, resolved, current, setClock } = await campaign();
    setClock(china('2026-11-26T09:00:00'));
    const account = resolved.accountById.get('police/wechat')!;
    const lead = resolved.accountById.get('beijing-fabu/wechat')!;
    const context = async (which: typeof account) => ({
      signal: new AbortController().signal,
      credentials:
        (await current.credentials({
          ref: which.credentials,
          account: which,
          fields: adapter.credentialFields,
        })) ?? {},
      logger: silentLogger,
      requestTimeoutMs: 5_000,
      now: new Date(china('2026-11-26T09:00:00')),
    });
    const police = await adapter.readActivity!(
      account,
      new Date(china('2026-11-20T00:00:00')),
      await context(account),
    );
    expect(police).toMatchObject({
      followers: 0,
      postsSince: 1,
      postsTruncated: false,
      lastPostAt: new Date(china('2026-11-25T15:00:00')).toISOString(),
    });
    // The lead pushed without publishing: followers, and no article listed.
    const pushed = await adapter.readActivity!(
      lead,
      new Date(china('2026-11-20T00:00:00')),
      await context(lead),
    );
    expect(pushed).toMatchObject({ followers: 2_000, postsSince: 0, postsTruncated: false });
    expect(pushed).not.toHaveProperty('lastPostAt');
  });
});
