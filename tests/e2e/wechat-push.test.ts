import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Publisher, createPublisher } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry } from '../helpers/fixtures.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';

let sandbox: HallSandbox | undefined;
const journals: SqliteJournal[] = [];
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  for (const journal of journals.splice(0)) await journal.close();
});

const LEAD_APPID = (hall: unknown): string =>
  (hall as { members: { id: string; accounts: { wechat: { appid: string } } }[] }).members.find(
    (member) => member.id === 'beijing-fabu',
  )!.accounts.wechat.appid;

async function setup(): Promise<{ hall: unknown; sandbox: HallSandbox; open: () => Publisher }> {
  const hall = await beijingHall(['wechat']);
  sandbox = await startHallSandbox(hall, { wechat: { latency: { fixedMs: 1 } } });
  const file = join(mkdtempSync(join(tmpdir(), 'rh-wechat-')), 'journal.db');
  const current = sandbox;
  const open = (): Publisher => {
    const journal = new SqliteJournal(file);
    journals.push(journal);
    return createPublisher({
      hall,
      adapters: [
        createWechatAdapter({
          baseURL: current.baseURLs.wechat,
          publishPoll: { intervalsMs: [1, 2, 4, 8] },
          limits: { requestTimeoutMs: 10_000 },
        }),
      ],
      credentials: current.credentials,
      journal,
      retry: { ...fastRetry, retries: 1, maxRateLimitWaitMs: 5 },
    });
  };
  return { hall, sandbox, open };
}

describe('WeChat over the sandbox: articles, the push policy and the quota ledger', () => {
  it('71 members publish, the lead pushes once; one token fetch per appid; articles within every field limit', async () => {
    const { hall, sandbox, open } = await setup();
    const publisher = open();
    const report = await publisher.publish(await beijingRebuttal(), {
      mode: 'relay',
      campaignId: 'wx-1',
      push: { policy: 'push-else-publish', members: ['beijing-fabu'], spendLast: true },
    });
    expect(report.deliveries.filter((delivery) => delivery.status !== 'succeeded')).toEqual([]);
    const platform = sandbox.wechat!.platform;
    const lead = LEAD_APPID(hall);
    expect(platform.massSends(lead)).toHaveLength(1);
    const accounts = platform.accounts();
    expect(accounts).toHaveLength(72);
    for (const account of accounts) {
      expect(platform.tokenFetches(account.appid).issued).toBe(1);
      if (account.appid === lead) continue;
      const articles = platform.liveArticles(account.appid);
      expect(articles).toHaveLength(1);
      expect(platform.massSends(account.appid)).toHaveLength(0);
      const article = articles[0]!.articles[0]!;
      expect([...article.title].length).toBeLessThanOrEqual(32);
      expect([...article.author].length).toBeLessThanOrEqual(16);
      expect([...article.digest].length).toBeLessThanOrEqual(128);
      expect(article.content.length).toBeLessThan(20_000);
      expect(article.contentSourceUrl).toBe(
        'https://www.beijing.gov.cn/ywdt/zwzt/pyzz/202611/t20261126_4213576.html',
      );
    }
    // every publish_id was journaled the moment it was known
    const records = await publisher.journal.getDeliveries('wx-1');
    const posts = records.filter((record) => record.delivery.action === 'post');
    expect(posts).toHaveLength(71);
    expect(
      posts
        .filter((record) => !/^\d+$/.test(record.notes?.['wechat.publish_id'] ?? ''))
        .map(
          (record) =>
            `${record.delivery.accountId}: ${record.state} via ${record.via ?? '?'} after ${record.attempts} attempts ${record.errorMessage ?? ''}`,
        ),
    ).toEqual([]);
    const leadResult = report.deliveries.find(
      (delivery) => delivery.accountId === 'beijing-fabu/wechat',
    );
    expect(leadResult).toMatchObject({ action: 'push', status: 'succeeded' });
    expect(leadResult?.note).toMatch(/^push: 1 of 1 pushes left today/);

    // retract removes every article and the push, and warns what deleting a mass send does
    const retracted = await publisher.retract('wx-1');
    expect(retracted.counts).toMatchObject({ removed: 72, failed: 0 });
    const leadLine = retracted.results.find((line) => line.accountId === 'beijing-fabu/wechat');
    expect(leadLine?.warning).toBeDefined();
    for (const account of accounts) expect(platform.liveArticles(account.appid)).toHaveLength(0);
  });

  it('a second routine campaign the same day is refused a push before any request, with the reason; push-else-publish publishes instead', async () => {
    const { hall, sandbox, open } = await setup();
    const statement = await beijingRebuttal();
    await open().publish(statement, {
      campaignId: 'wx-first',
      mode: 'original',
      selection: { members: ['beijing-fabu'] },
      push: { policy: 'push', spendLast: true },
    });
    const platform = sandbox.wechat!.platform;
    const lead = LEAD_APPID(hall);
    expect(platform.massSends(lead)).toHaveLength(1);
    const before = platform.requests().length;

    const refused = await open().publish(
      { ...statement, id: 'second' },
      {
        campaignId: 'wx-second',
        mode: 'original',
        selection: { members: ['beijing-fabu'] },
        push: { policy: 'push' },
      },
    );
    expect(refused.deliveries[0]).toMatchObject({
      status: 'skipped',
      errorCode: 'QUOTA_EXHAUSTED',
      attempts: 0,
    });
    expect(refused.deliveries[0]?.errorMessage).toMatch(
      /no push left today \(1 of 1 used; 2026-|Nothing was sent/,
    );
    expect(platform.requests().length).toBe(before);

    const fallback = await open().publish(
      { ...statement, id: 'third' },
      {
        campaignId: 'wx-third',
        mode: 'original',
        selection: { members: ['beijing-fabu'] },
        push: { policy: 'push-else-publish' },
      },
    );
    expect(fallback.deliveries[0]).toMatchObject({ action: 'post', status: 'succeeded' });
    expect(fallback.deliveries[0]?.note).toMatch(/^published, not pushed: no push left today/);
    expect(platform.massSends(lead)).toHaveLength(1);
  });

  it('a push whose answer was lost is repeated with the same clientmsgid on resume: never pushed twice', async () => {
    const { hall, sandbox, open } = await setup();
    const platform = sandbox.wechat!.platform;
    const lead = LEAD_APPID(hall);
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'message/mass/sendall', times: 3 });
    const first = await open().publish(await beijingRebuttal(), {
      campaignId: 'wx-lost',
      mode: 'original',
      selection: { members: ['beijing-fabu'] },
      push: { policy: 'push', spendLast: true },
    });
    expect(first.deliveries[0]).toMatchObject({ status: 'unconfirmed', action: 'push' });
    expect(first.deliveries[0]?.errorMessage).toMatch(/never|instead of pushing twice/);
    expect(platform.massSends(lead)).toHaveLength(1);
    platform.clearFaults();
    platform.advanceClock(61_000);

    const resumed = await open().resume('wx-lost', { force: true });
    expect(resumed.deliveries[0]).toMatchObject({ status: 'succeeded', via: 'reconciled' });
    expect(platform.massSends(lead)).toHaveLength(1);
  });

  it('a push in doubt for more than a day is not repeated (the platform has forgotten its id); a journaled msg_id is asked about, not resent', async () => {
    const { hall, sandbox, open } = await setup();
    const platform = sandbox.wechat!.platform;
    const lead = LEAD_APPID(hall);
    platform.injectFault({ kind: 'drop-after-apply', endpoint: 'message/mass/sendall', times: 3 });
    const first = await open().publish(await beijingRebuttal(), {
      campaignId: 'wx-late',
      mode: 'original',
      selection: { members: ['beijing-fabu'] },
      push: { policy: 'push', spendLast: true },
    });
    expect(first.deliveries[0]?.status).toBe('unconfirmed');
    platform.clearFaults();
    // Make the first attempt look older than a day.
    const publisher = open();
    const [record] = await publisher.journal.getDeliveries('wx-late');
    const old = new Date(Date.now() - 25 * 3_600_000).toISOString();
    await publisher.journal.createCampaign(
      {
        ...(await publisher.journal.getCampaign('wx-late'))!,
        id: 'wx-late-copy',
        state: 'interrupted',
      },
      [
        {
          ...record!.delivery,
          id: 'wx-late-copy:beijing-fabu/wechat:push',
          campaignId: 'wx-late-copy',
        },
      ],
    );
    await publisher.journal.transition({
      deliveryId: 'wx-late-copy:beijing-fabu/wechat:push',
      state: 'sending',
      at: old,
      attempt: 1,
    });
    await publisher.journal.transition({
      deliveryId: 'wx-late-copy:beijing-fabu/wechat:push',
      state: 'unknown',
      at: old,
      attempt: 1,
      errorCode: 'AMBIGUOUS',
    });
    const sendsBefore = platform.massSends(lead).length;
    const late = await publisher.resume('wx-late-copy', { force: true });
    expect(late.deliveries[0]).toMatchObject({ status: 'unconfirmed' });
    expect(late.deliveries[0]?.errorMessage).toMatch(/too late to repeat it safely/);
    expect(platform.massSends(lead)).toHaveLength(sendsBefore);

    // The original campaign, resumed in time, learns the msg_id (45065) and journals it.
    platform.advanceClock(61_000);
    const resumed = await open().resume('wx-late', { force: true });
    expect(resumed.deliveries[0]).toMatchObject({ status: 'succeeded', via: 'reconciled' });
    const [after] = await open().journal.getDeliveries('wx-late');
    expect(after?.notes?.['broadcast.id']).toMatch(/^\d+$/);
    expect(platform.massSends(lead)).toHaveLength(1);
  });

  it('a publish whose submit answer was lost is not published twice by a new process while the job still runs', async () => {
    const { hall, sandbox, open } = await setup();
    const platform = sandbox.wechat!.platform;
    const police = (
      hall as { members: { id: string; accounts: { wechat: { appid: string } } }[] }
    ).members.find((member) => member.id === 'police')!.accounts.wechat.appid;
    platform.configure({ publishDelayMs: 3_600_000 });
    platform.injectFault({
      kind: 'drop-after-apply',
      endpoint: 'freepublish/submit',
      appid: police,
    });
    const options = {
      campaignId: 'wx-submit',
      mode: 'original' as const,
      selection: { members: ['police'] },
    };
    const first = await open().publish(await beijingRebuttal(), options);
    expect(first.deliveries[0]?.status).toBe('unconfirmed');
    expect(platform.publishJobs(police)).toHaveLength(1);

    // A new process (a new adapter, nothing in memory) resumes while the job is still publishing.
    const again = await open().resume('wx-submit', { force: true });
    expect(again.deliveries[0]?.status).toBe('unconfirmed');
    expect(platform.publishJobs(police)).toHaveLength(1);

    // Once the job is done, a resume finds the article.
    platform.advanceClock(3_600_000);
    const done = await open().resume('wx-submit', { force: true });
    expect(done.deliveries[0]).toMatchObject({ status: 'succeeded', via: 'reconciled' });
    expect(platform.publishJobs(police)).toHaveLength(1);
    expect(platform.liveArticles(police)).toHaveLength(1);
  });

  it('push-else-publish publishes when the platform says no push is left (a push the journal never saw)', async () => {
    const { hall, sandbox, open } = await setup();
    const platform = sandbox.wechat!.platform;
    const lead = LEAD_APPID(hall);
    const current = sandbox;
    // Another tool (here: a publisher with its own journal) spends today's push first.
    const elsewhere = createPublisher({
      hall,
      adapters: [
        createWechatAdapter({
          baseURL: current.baseURLs.wechat,
          publishPoll: { intervalsMs: [1, 2, 4] },
        }),
      ],
      credentials: current.credentials,
      retry: fastRetry,
    });
    const statement = await beijingRebuttal();
    await elsewhere.publish(statement, {
      mode: 'original',
      selection: { members: ['beijing-fabu'] },
      push: { policy: 'push', spendLast: true },
    });
    expect(platform.massSends(lead)).toHaveLength(1);

    const report = await open().publish(
      { ...statement, id: 'after-console' },
      {
        mode: 'original',
        campaignId: 'wx-console',
        selection: { members: ['beijing-fabu'] },
        push: { policy: 'push-else-publish', spendLast: true },
      },
    );
    expect(report.deliveries[0]).toMatchObject({
      action: 'push',
      performed: 'post',
      status: 'succeeded',
    });
    expect(report.deliveries[0]?.note).toMatch(
      /^published, not pushed: the platform said no push is left/,
    );
    expect(platform.massSends(lead)).toHaveLength(1);
    expect(platform.liveArticles(lead)).toHaveLength(1);
  });
});
