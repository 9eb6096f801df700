import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Publisher, createPublisher } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
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

async function setup(): Promise<{ hall: unknown; sandbox: HallSandbox; open: () => Publisher }> {
  const hall = await beijingHall();
  sandbox = await startHallSandbox(hall, { weibo: { latency: { fixedMs: 1 } } });
  const file = join(mkdtempSync(join(tmpdir(), 'rh-resume-')), 'journal.db');
  const current = sandbox;
  const open = (): Publisher => {
    const journal = new SqliteJournal(file);
    journals.push(journal);
    return createPublisher({
      hall,
      adapters: [
        createWeiboAdapter({
          baseURL: current.baseURLs.weibo,
          rip: '203.0.113.10',
          // Eight in flight, so a stop finds deliveries not yet sent (the default sends all at once).
          limits: { requestTimeoutMs: 1_000, platformConcurrency: 8 },
        }),
      ],
      credentials: current.credentials,
      journal,
      retry: fastRetry,
      pausePollMs: 5,
      staleRunnerMs: 1_000,
    });
  };
  return { hall, sandbox, open };
}

function postsPerAccount(sandbox: HallSandbox): Map<string, number> {
  const counts = new Map<string, number>();
  for (const post of sandbox.weibo.platform.allPosts().filter((entry) => !entry.deleted)) {
    counts.set(post.uid, (counts.get(post.uid) ?? 0) + 1);
  }
  return counts;
}

describe('resume, retract and pause over the Weibo sandbox with the durable journal', () => {
  it('an interrupted campaign is resumed: what landed is found, the rest is sent, nothing twice', async () => {
    const { sandbox, open } = await setup();
    const platform = sandbox.weibo.platform;
    const uids = platform.accounts().map((account) => account.uid);
    // Three relays are applied but never answered; the timeline cannot be read while they hang.
    for (const uid of uids.slice(1, 4))
      platform.injectFault({ kind: 'timeout-after-apply', uid, hangMs: 5_000 });
    platform.injectFault({
      kind: '5xx-before-apply',
      endpoint: 'statuses/user_timeline',
      times: 9,
    });
    const first = open();
    const report = await first.publish(await beijingRebuttal(), {
      mode: 'relay',
      campaignId: 'crisis-1',
    });
    expect(report.counts.unconfirmed).toBe(3);
    expect(report.counts.succeeded).toBe(69);
    platform.clearFaults();

    const second = open();
    const resumed = await second.resume('crisis-1');
    expect(resumed.counts).toMatchObject({ total: 72, succeeded: 72, unconfirmed: 0 });
    const reconciled = resumed.deliveries.filter((delivery) => delivery.via === 'reconciled');
    expect(reconciled).toHaveLength(3);
    const counts = postsPerAccount(sandbox);
    expect(counts.size).toBe(72);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);

    const status = await second.status('crisis-1');
    expect(status.counts).toMatchObject({ succeeded: 72, pending: 0 });
    expect(status.audit.map((entry) => entry.action)).toEqual(['publish', 'resume']);
  });

  it('retract removes every live post and relay, and retracting twice is harmless', async () => {
    const { sandbox, open } = await setup();
    const publisher = open();
    await publisher.publish(await beijingRebuttal(), { mode: 'relay', campaignId: 'to-retract' });
    expect(sandbox.weibo.platform.allPosts().filter((post) => !post.deleted)).toHaveLength(72);
    const report = await publisher.retract('to-retract');
    expect(report.counts).toEqual({ removed: 72, alreadyGone: 0, failed: 0, nothingPosted: 0 });
    expect(sandbox.weibo.platform.allPosts().filter((post) => !post.deleted)).toHaveLength(0);
    const again = await open().retract('to-retract');
    expect(again.counts.removed).toBe(0);
    expect(again.counts.alreadyGone).toBe(72);
    expect(again.counts.failed).toBe(0);
  });

  it('a group pause holds the districts until resume; the audit trail records both', async () => {
    const { sandbox, open } = await setup();
    const publisher = open();
    const districtsHeld: string[] = [];
    let paused = false;
    publisher.on('campaign:planned', ({ campaignId }) => {
      void publisher
        .pause(campaignId, { reason: '区县口径待确认', groups: ['districts'] })
        .then(() => {
          paused = true;
        });
    });
    publisher.on('campaign:progress', ({ done, campaignId }) => {
      if (done === 56 && paused) {
        districtsHeld.push(...sandbox.weibo.platform.allPosts().map((post) => post.uid));
        void publisher.resume(campaignId);
      }
    });
    const report = await publisher.publish(await beijingRebuttal(), {
      mode: 'relay',
      campaignId: 'paused-1',
    });
    expect(report.counts.succeeded).toBe(72);
    // when 56 were done, no district had posted yet
    const districtUids = new Set(
      publisher.hall.accounts
        .filter((account) =>
          publisher.hall.hall.members
            .find((member) => member.id === account.memberId)
            ?.groups.includes('districts'),
        )
        .map((account) => String(account.settings.uid)),
    );
    expect(districtsHeld.length).toBe(56);
    expect(districtsHeld.some((uid) => districtUids.has(uid))).toBe(false);
    const audit = await publisher.journal.getAudit('paused-1');
    expect(audit.map((entry) => entry.action)).toEqual(['publish', 'pause', 'unpause']);
    expect(audit[1]?.detail).toMatchObject({ reason: '区县口径待确认', groups: ['districts'] });
  });

  it('resume refuses a campaign another live process is running, naming it', async () => {
    const { open } = await setup();
    const publisher = open();
    await publisher.publish(await beijingRebuttal(), {
      mode: 'relay',
      campaignId: 'live-1',
      selection: { members: ['police'] },
    });
    await publisher.journal.updateCampaign('live-1', {
      state: 'running',
      runner: { id: 'someone-else', pid: 4242, heartbeatAt: new Date().toISOString() },
    });
    await expect(open().resume('live-1')).rejects.toThrow(/being run by process 4242/);
  });

  it('follow-up: every account that carries the campaign posts the update, which refers to the original', async () => {
    const { sandbox, open } = await setup();
    const publisher = open();
    const rebuttal = await beijingRebuttal();
    await publisher.publish(rebuttal, {
      mode: 'relay',
      campaignId: 'original-1',
      selection: { groups: ['districts'] },
    });
    const update = {
      id: 'subway-update-1',
      kind: 'update' as const,
      sequence: 2,
      headline: '地铁运营情况进展通报',
      body: '截至11月26日18时，本市地铁各线路运营正常，晚高峰客流平稳。',
      issuer: '北京市交通委员会',
      issuedAt: '2026-11-26T18:00:00+08:00',
      link: 'https://www.beijing.gov.cn/ywdt/zwzt/pyzz/202611/t20261126_4213599.html',
    };
    const report = await publisher.followUp('original-1', update);
    expect(report.counts).toMatchObject({ total: 17, succeeded: 17 });
    const texts = report.deliveries.map((delivery) => delivery.text ?? '');
    // each update names the statement it follows, with its time
    expect(
      texts.every((text) =>
        text.includes(
          '此前，北京市交通委员会于11月26日9时30分发布《网传"北京地铁今晚全线停运"不实》',
        ),
      ),
    ).toBe(true);
    const counts = postsPerAccount(sandbox);
    expect([...counts.values()].every((count) => count === 2)).toBe(true);
    const audit = await publisher.journal.getAudit('original-1');
    expect(audit.map((entry) => entry.action)).toContain('follow-up');
    await expect(
      publisher.followUp('original-1', { ...update, kind: 'announcement' as const }),
    ).rejects.toThrow(/a follow-up is an "update" or a "correction"/);
  });

  it('refuses a campaign id already in the journal, and a pause of a finished campaign', async () => {
    const { open } = await setup();
    const publisher = open();
    const statement = await beijingRebuttal();
    await publisher.publish(statement, {
      mode: 'original',
      campaignId: 'once',
      selection: { members: ['police'] },
    });
    await expect(
      publisher.publish(statement, {
        mode: 'original',
        campaignId: 'once',
        selection: { members: ['police'] },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('already in the journal') as string,
    });
    await expect(publisher.pause('once', { reason: 'too late' })).rejects.toThrow(/has finished/);
  });

  it('a stopped run leaves its unsent deliveries for resume; a retracted campaign is never resumed', async () => {
    const { sandbox, open } = await setup();
    const publisher = open();
    const controller = new AbortController();
    let started = 0;
    publisher.on('delivery:succeeded', () => {
      started += 1;
      if (started === 5) controller.abort();
    });
    const stopped = await publisher.publish(await beijingRebuttal(), {
      mode: 'relay',
      campaignId: 'stopped-1',
      signal: controller.signal,
    });
    expect(stopped.aborted).toBe(true);
    expect(stopped.counts.succeeded).toBeLessThan(72);
    const resumed = await open().resume('stopped-1', { force: true });
    expect(resumed.counts).toMatchObject({ total: 72, succeeded: 72 });
    const counts = postsPerAccount(sandbox);
    expect(counts.size).toBe(72);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);

    const retracted = await open().retract('stopped-1');
    expect(retracted.counts.removed).toBe(72);
    await expect(open().resume('stopped-1', { force: true })).rejects.toThrow(/was retracted/);
    expect(postsPerAccount(sandbox).size).toBe(0);
    const status = await open().status('stopped-1');
    const originals = status.deliveries.filter((delivery) => delivery.action !== 'retract');
    expect([...new Set(originals.map((delivery) => delivery.state))]).toEqual(['retracted']);
  });
});
