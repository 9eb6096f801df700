/**
 * Reach over the Weibo sandbox with the SQLite journal: a campaign is published in relay mode (the
 * lead's post gets the members' reposts), citizens comment and like, and `collectReach` stores
 * readings whose counts are the sandbox's own; a second collection keeps a second reading.
 * `release-hall metrics` prints the same as JSON and CSV.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Adapter,
  type HallInput,
  type Journal,
  type ReachCollection,
  collectOnSchedule,
  collectReach,
  createPublisher,
  csvField,
  parseReadingOffsets,
  reachCsv,
  hasReach,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { handleWeiboRequest } from '../../adapters/weibo/fake/protocol.js';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { runCli, runCliUntil } from '../helpers/cli.js';

const hallInput: HallInput = {
  id: 'reach-hall',
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

const tokenFor = (ref: string): string => `2.00sandbox-token-${ref}`;

let sandbox: HallSandbox | undefined;
const journals: Journal[] = [];
afterEach(async () => {
  for (const journal of journals.splice(0)) await journal.close();
  await sandbox?.close();
  sandbox = undefined;
});

/** A campaign published in relay mode over the sandbox, with comments and likes seeded. */
async function published() {
  const current = await startHallSandbox(hallInput, { tokenFor });
  sandbox = current;
  const adapter = createWeiboAdapter({
    baseURL: current.baseURLs.weibo,
    rip: '203.0.113.10',
    limits: { requestTimeoutMs: 2_000 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'rh-metrics-'));
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
  const report = await publisher.publish(rebuttal, { mode: 'relay' });
  expect(report.counts.succeeded).toBe(3);
  const postOf = new Map(report.deliveries.map((line) => [line.accountId, line.remoteId!]));
  const platform = current.weibo.platform;
  const leadPost = postOf.get('lead/weibo')!;
  platform.addComment({ statusId: leadPost, authorName: '市民甲', text: '收到' });
  platform.addComment({ statusId: leadPost, authorName: '市民乙', text: '请问何时恢复？' });
  platform.addComment({ statusId: postOf.get('m1/weibo')!, authorName: '市民丙', text: '好' });
  platform.setAttitudes(leadPost, 41);
  platform.setAttitudes(postOf.get('m2/weibo')!, 3);
  const hall = resolveHall(hallInput, [adapter]);
  return { current, adapter, dir, file, journal, report, postOf, hall };
}

/** `metrics CAMPAIGN` with a hall file pointing at the sandbox and a credentials file. */
function cliArgs(current: HallSandbox, dir: string, file: string, campaignId: string): string[] {
  const hallFile = join(dir, 'hall.json');
  writeFileSync(
    hallFile,
    JSON.stringify({ ...hallInput, platforms: { weibo: { baseURL: current.baseURLs.weibo } } }),
  );
  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(
    credentialsFile,
    JSON.stringify(
      Object.fromEntries(
        ['cred-lead', 'cred-m1', 'cred-m2'].map((ref) => [ref, { access_token: tokenFor(ref) }]),
      ),
    ),
    { mode: 0o600 },
  );
  return [
    'metrics',
    campaignId,
    '--hall',
    hallFile,
    '--credentials',
    credentialsFile,
    '--journal',
    file,
  ];
}

/** The counts of a status as the sandbox itself holds them. */
function sandboxCounts(current: HallSandbox, postId: string) {
  const platform = current.weibo.platform;
  return {
    reposts: platform.allPosts().filter((post) => post.sourceId === postId && !post.deleted).length,
    comments: platform.comments().filter((comment) => comment.statusId === postId).length,
  };
}

describe('reach of a campaign over the Weibo sandbox', () => {
  it('stores readings whose counts are the sandbox’s own; a second collection keeps a second reading', async () => {
    const { current, adapter, journal, report, postOf, hall } = await published();
    const options = {
      hall,
      adapters: [adapter],
      credentials: current.credentials,
      journal,
      campaignId: report.campaignId,
    };

    const first = await collectReach(options);

    expect(first.accounts.map((account) => [account.accountId, account.status])).toEqual([
      ['lead/weibo', 'read'],
      ['m1/weibo', 'read'],
      ['m2/weibo', 'read'],
    ]);
    const leadPost = postOf.get('lead/weibo')!;
    expect(sandboxCounts(current, leadPost)).toEqual({ reposts: 2, comments: 2 });
    for (const reading of first.readings) {
      expect(reading.postId).toBe(postOf.get(reading.accountId));
      expect({ reposts: reading.reposts, comments: reading.comments }).toEqual(
        sandboxCounts(current, reading.postId),
      );
      expect(reading).toMatchObject({ campaignId: report.campaignId, platform: 'weibo' });
    }
    expect(first.readings.map((reading) => reading.likes)).toEqual([41, 0, 3]);
    expect(first.totals).toEqual({ reposts: 2, comments: 3, likes: 44 });
    const deliveries = await journal.getDeliveries(report.campaignId);
    expect(first.readings.map((reading) => reading.deliveryId)).toEqual(
      first.readings.map(
        (reading) =>
          deliveries.find((record) => record.delivery.accountId === reading.accountId)!.delivery.id,
      ),
    );

    // Later: another comment, more likes, and m2's repost deleted.
    current.weibo.platform.addComment({ statusId: leadPost, authorName: '市民丁', text: '谢谢' });
    current.weibo.platform.setAttitudes(leadPost, 58);
    const m2Post = postOf.get('m2/weibo')!;
    const destroyed = handleWeiboRequest(current.weibo.platform, {
      method: 'POST',
      path: '/2/statuses/destroy.json',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: tokenFor('cred-m2'), id: m2Post }).toString(),
    });
    expect(destroyed.status).toBe(200);

    const second = await collectReach(options);

    expect(second.accounts.find((account) => account.accountId === 'm2/weibo')).toMatchObject({
      status: 'read',
      readings: [],
      missing: [m2Post],
    });
    expect(second.readings.find((reading) => reading.postId === leadPost)).toMatchObject({
      reposts: 1,
      comments: 3,
      likes: 58,
    });
    if (!hasReach(journal)) throw new Error('the SQLite journal keeps reach');
    const stored = await journal.listReach(report.campaignId);
    expect(stored).toHaveLength(first.readings.length + second.readings.length);
    const ofLead = stored.filter((reading) => reading.postId === leadPost);
    expect(ofLead.map((reading) => [reading.comments, reading.likes])).toEqual([
      [2, 41],
      [3, 58],
    ]);
    expect(Date.parse(ofLead[1]!.readAt)).toBeGreaterThanOrEqual(Date.parse(ofLead[0]!.readAt));
  });

  it('lists the accounts whose adapter cannot read reach, and refuses an unknown campaign', async () => {
    const { current, adapter, journal, report, hall } = await published();
    const { readReach: _readReach, ...withoutReach } = adapter;
    const noReach: Adapter = withoutReach;
    const collection = await collectReach({
      hall,
      adapters: [noReach],
      credentials: current.credentials,
      journal,
      campaignId: report.campaignId,
    });
    expect(collection.readings).toEqual([]);
    expect(collection.accounts.map((account) => account.status)).toEqual([
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
    expect(collection.accounts[0]!.error?.message).toContain('does not read reach');
    await expect(
      collectReach({
        hall,
        adapters: [adapter],
        credentials: current.credentials,
        journal,
        campaignId: 'no-such-campaign',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('release-hall metrics prints the readings as JSON and as CSV, and keeps each', async () => {
    const { current, dir, file, report, postOf } = await published();
    const args = cliArgs(current, dir, file, report.campaignId);

    const json = await runCli([...args, '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const output = JSON.parse(json.stdout) as ReachCollection;
    const leadPost = postOf.get('lead/weibo')!;
    expect(output.readings.map((reading) => [reading.accountId, reading.postId])).toEqual([
      ...postOf,
    ]);
    expect(output.readings[0]).toMatchObject({
      postId: leadPost,
      reposts: 2,
      comments: 2,
      likes: 41,
    });
    expect(output.totals).toEqual({ reposts: 2, comments: 3, likes: 44 });

    const csv = await runCli([...args, '--csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe(
      'campaign_id,account_id,platform,post_id,reposts,comments,likes,reads,sent,read_at',
    );
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1).map((line) => line.split(',').slice(1, 7))).toEqual([
      ['lead/weibo', 'weibo', leadPost, '2', '2', '41'],
      ['m1/weibo', 'weibo', postOf.get('m1/weibo')!, '0', '1', '0'],
      ['m2/weibo', 'weibo', postOf.get('m2/weibo')!, '0', '0', '3'],
    ]);

    const table = await runCli(args);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`reach of campaign ${report.campaignId}`);
    expect(table.stdout).toMatch(/total\s+3 posts\s+2\s+3\s+44/);

    const again = new SqliteJournal(file, { readOnly: true });
    journals.push(again);
    if (!hasReach(again)) throw new Error('the SQLite journal keeps reach');
    // Three collections, three readings of each post.
    expect(await again.listReach(report.campaignId)).toHaveLength(9);
  });
});

describe('reach as CSV (RFC 4180)', () => {
  it('quotes a field holding a comma, a quote or a line break, and doubles its quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(12)).toBe('12');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    const csv = reachCsv({
      campaignId: 'c,1',
      accounts: [],
      totals: { reposts: 1, comments: 2, likes: 3 },
      readings: [
        {
          campaignId: 'c,1',
          deliveryId: 'd1',
          accountId: 'a "x"/weibo',
          platform: 'weibo',
          postId: '4900000000000000001',
          reposts: 1,
          comments: 2,
          likes: 3,
          readAt: '2026-11-26T01:30:00.000Z',
        },
      ],
    });
    expect(csv).toBe(
      'campaign_id,account_id,platform,post_id,reposts,comments,likes,reads,sent,read_at\r\n' +
        '"c,1","a ""x""/weibo",weibo,4900000000000000001,1,2,3,,,2026-11-26T01:30:00.000Z\r\n',
    );
  });
});

describe('reach on a schedule (metrics --at)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads a late time at once, waits for the next, and a second run reads nothing twice', async () => {
    // Only Date is faked: the sandbox, the journal and the readings share the clock the test moves.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-26T01:00:00.000Z'));
    const { current, adapter, journal, report, hall } = await published();
    if (!hasReach(journal)) throw new Error('the SQLite journal keeps readings');
    const start = Date.parse((await journal.getCampaign(report.campaignId))!.createdAt);
    vi.setSystemTime(start + 2 * 3_600_000);
    const waits: number[] = [];
    const covered: { offsets: number[]; late: boolean }[] = [];
    const options = {
      hall,
      adapters: [adapter],
      credentials: current.credentials,
      journal,
      campaignId: report.campaignId,
      offsets: [3_600_000, 86_400_000],
      sleep: (ms: number) => {
        waits.push(ms);
        vi.setSystemTime(Date.now() + ms);
        return Promise.resolve();
      },
      onCollected: (_: ReachCollection, covers: readonly { offsetMs: number }[], late: boolean) => {
        covered.push({ offsets: covers.map((reading) => reading.offsetMs), late });
      },
    };
    const first = await collectOnSchedule(options);
    expect(first.stopped).toBe(false);
    expect(first.collections).toHaveLength(2);
    expect(covered).toEqual([
      { offsets: [3_600_000], late: true },
      { offsets: [86_400_000], late: false },
    ]);
    expect(waits).toEqual([22 * 3_600_000]);
    const times = [...new Set((await journal.listReach(report.campaignId)).map((r) => r.readAt))];
    expect(times).toEqual([
      new Date(start + 2 * 3_600_000).toISOString(),
      new Date(start + 24 * 3_600_000).toISOString(),
    ]);

    const again = await collectOnSchedule(options);
    expect(again.schedule.every((reading) => reading.done)).toBe(true);
    expect(again.collections).toHaveLength(0);
    expect(waits).toHaveLength(1);
  });

  it('stops while waiting when the signal aborts, keeping what it read', async () => {
    const { current, adapter, journal, report, hall } = await published();
    const stop = new AbortController();
    const result = await collectOnSchedule({
      hall,
      adapters: [adapter],
      credentials: current.credentials,
      journal,
      campaignId: report.campaignId,
      offsets: [3_600_000],
      signal: stop.signal,
      onWait: () => stop.abort(),
      sleep: () => Promise.resolve(),
    });
    expect(result).toMatchObject({ stopped: true, collections: [] });
    if (!hasReach(journal)) throw new Error('the SQLite journal keeps readings');
    expect(await journal.listReach(report.campaignId)).toEqual([]);
  });

  it('release-hall metrics --at reads a time already past at once, and a second run reads nothing', async () => {
    // The campaign went out two hours ago.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 2 * 3_600_000);
    const { current, dir, file, report } = await published();
    vi.useRealTimers();
    const args = [...cliArgs(current, dir, file, report.campaignId), '--at', '1h,30d', '--json'];
    // 30d is far off: stop the command while it waits, as Ctrl-C would.
    const first = await runCliUntil(args, 'waiting until');
    expect(first.stderr).toContain('the 1h reading, read late:');
    expect(first.stderr).toMatch(/waiting until \S+ for the 30d reading/);
    expect(first.stderr).toContain('stopped before the last reading');
    expect(first.code).toBe(1);
    expect((JSON.parse(first.stdout) as ReachCollection).readings).toHaveLength(3);

    const again = await runCliUntil(args, 'waiting until');
    expect(again.stderr).toContain('already read: 1h');
    expect(again.stderr).not.toContain('read late');
    expect(again.stdout).toBe('');
    if (!hasReach(journals[0]!)) throw new Error('the SQLite journal keeps readings');
    expect(await journals[0].listReach(report.campaignId)).toHaveLength(3);
  });

  it('refuses offsets it cannot read, naming --at and the example', () => {
    expect(parseReadingOffsets('24h, 1h,1h,30m')).toEqual([1_800_000, 3_600_000, 86_400_000]);
    expect(parseReadingOffsets('7d')).toEqual([7 * 86_400_000]);
    for (const wrong of ['', '1', '1.5h', '0h', '2w', '-1h']) {
      expect(() => parseReadingOffsets(wrong)).toThrow(/at|time after the start/);
    }
  });
});
