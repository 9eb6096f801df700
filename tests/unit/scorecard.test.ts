/**
 * The member scorecard computed from a hand-built memory journal: campaigns taken part in and
 * missed (a failed delivery; no delivery in a hall-wide campaign; not asked by a selection),
 * campaigns out of the period, aborted or rehearsed left out, the median delay after the lead's
 * post (relay and original), reach from each post's latest reading, the inbox's unanswered items
 * and median reply time, posts per week and followers from the activity read, a failed read shown
 * as unknown with its reason (never 0), and dormant accounts; then the table and the CSV.
 */
import { describe, expect, it } from 'vitest';
import {
  type Adapter,
  type HallInput,
  type JournalDelivery,
  MemoryJournal,
  ReleaseHallError,
  resolveHall,
} from 'release-hall';
import { createMemoryAdapter } from 'release-hall/testing';
import {
  computeScorecard,
  median,
  readScorecardInput,
  scorecardCsv,
  scorecardTable,
} from '../../src/scorecard/index.js';

const SINCE = new Date('2026-11-01T00:00:00Z');
const NOW = new Date('2026-11-15T00:00:00Z');
const T0 = Date.parse('2026-11-03T02:00:00Z');
const T1 = Date.parse('2026-11-10T02:00:00Z');
const HOSTILE = '<script>alert(1)</script>,"x"';

const hallInput: HallInput = {
  id: 'score-hall',
  name: '考核发布厅',
  lead: 'lead',
  check: { dormantDays: 30 },
  members: ['lead', 'm1', 'm2', 'm3'].map((id) => ({
    id,
    name: id === 'm2' ? `单位${HOSTILE}` : `单位${id}`,
    accounts: { memory: { handle: `h-${id}`, credentials: `cred-${id}` } },
  })),
};

const iso = (ms: number): string => new Date(ms).toISOString();

function delivery(
  campaignId: string,
  memberId: string,
  action: 'post' | 'relay',
  dependsOn?: string,
): JournalDelivery {
  const accountId = `${memberId}/memory`;
  return {
    id: `${campaignId}:${accountId}:${action}`,
    campaignId,
    accountId,
    memberId,
    platform: 'memory',
    action,
    ...(dependsOn === undefined ? {} : { dependsOn }),
    rendition: { format: 'text', text: '通报', length: 2, topics: [], summarised: false },
    idempotencyKey: `${campaignId}-${memberId}`,
  };
}

async function campaign(
  journal: MemoryJournal,
  id: string,
  createdAt: number,
  deliveries: readonly JournalDelivery[],
  extra: { selection?: Record<string, unknown>; state?: 'aborted'; sandbox?: boolean } = {},
): Promise<void> {
  await journal.createCampaign(
    {
      id,
      hallId: 'score-hall',
      mode: deliveries.some((entry) => entry.action === 'relay') ? 'relay' : 'original',
      relayFallback: 'original',
      createdAt: iso(createdAt),
      state: extra.state ?? 'finished',
      statement: {},
      ...(extra.sandbox === true ? { sandbox: true } : {}),
    },
    deliveries,
  );
  await journal.audit({
    at: iso(createdAt),
    actor: 'press-office',
    action: 'publish',
    campaignId: id,
    detail: {
      mode: 'relay',
      deliveries: deliveries.length,
      ...(extra.selection === undefined ? {} : { selection: extra.selection }),
    },
  });
}

async function settle(
  journal: MemoryJournal,
  deliveryId: string,
  state: 'succeeded' | 'failed' | 'reconciled' | 'unknown',
  at: number,
  remoteId?: string,
): Promise<void> {
  await journal.transition({ deliveryId, state: 'sending', at: iso(at - 1000), attempt: 1 });
  await journal.transition({
    deliveryId,
    state,
    at: iso(at),
    ...(remoteId === undefined ? {} : { remoteId }),
  });
}

/** The memory adapter with an activity read: lead active, m1 quiet, m2 refused, m3 never posted. */
function adapterWithActivity(): Adapter {
  const base = createMemoryAdapter();
  return {
    ...base,
    readActivity: (account, since, context) => {
      expect(since).toEqual(SINCE);
      const readAt = context.now.toISOString();
      switch (account.memberId) {
        case 'lead':
          return Promise.resolve({
            followers: 120_000,
            postsSince: 28,
            lastPostAt: iso(NOW.getTime() - 3_600_000),
            readAt,
          });
        case 'm1':
          return Promise.resolve({
            followers: 800,
            postsSince: 0,
            lastPostAt: '2026-10-01T00:00:00.000Z',
            readAt,
          });
        case 'm2':
          return Promise.reject(
            new ReleaseHallError('[release-hall] [memory] hourly limit reached', {
              code: 'RATE_LIMITED',
            }),
          );
        default:
          return Promise.resolve({ followers: 5, postsSince: 0, readAt });
      }
    },
  };
}

async function built() {
  const journal = new MemoryJournal();
  const lead1 = delivery('c1', 'lead', 'post');
  const c1 = [
    lead1,
    delivery('c1', 'm1', 'relay', lead1.id),
    delivery('c1', 'm2', 'relay', lead1.id),
  ];
  // c1: relay, to the whole hall; m3 got no delivery.
  await campaign(journal, 'c1', T0, c1);
  await settle(journal, c1[0]!.id, 'succeeded', T0 + 10_000, '9001');
  await settle(journal, c1[1]!.id, 'succeeded', T0 + 70_000, '9002');
  await settle(journal, c1[2]!.id, 'failed', T0 + 80_000);
  // c2: original, to lead and m1 only.
  const c2 = [delivery('c2', 'lead', 'post'), delivery('c2', 'm1', 'post')];
  await campaign(journal, 'c2', T1, c2, { selection: { members: ['lead', 'm1'] } });
  await settle(journal, c2[0]!.id, 'succeeded', T1 + 5_000, '9101');
  await settle(journal, c2[1]!.id, 'succeeded', T1 + 185_000, '9102');
  // Left out: before the period, aborted, a rehearsal.
  const old = [delivery('c0', 'm1', 'post')];
  await campaign(journal, 'c0', Date.parse('2026-10-20T00:00:00Z'), old);
  await settle(journal, old[0]!.id, 'failed', Date.parse('2026-10-20T00:01:00Z'));
  await campaign(journal, 'c-aborted', T1, [delivery('c-aborted', 'm2', 'post')], {
    state: 'aborted',
  });
  await campaign(journal, 'c-rehearsal', T1, [delivery('c-rehearsal', 'm3', 'post')], {
    sandbox: true,
  });

  const reading = (accountId: string, postId: string, comments: number, readAt: number) => ({
    campaignId: 'c1',
    deliveryId: `c1:${accountId}:x`,
    accountId,
    platform: 'memory',
    postId,
    reposts: 1,
    comments,
    likes: 2,
    readAt: iso(readAt),
  });
  await journal.putReach([
    reading('lead/memory', '9001', 3, T0 + 3_600_000),
    reading('m1/memory', '9002', 1, T0 + 3_600_000),
    reading('m1/memory', '9002', 4, T0 + 7_200_000),
  ]);

  const item = (remoteId: string, memberId: string, at: number) => ({
    platform: 'memory',
    accountId: `${memberId}/memory`,
    memberId,
    kind: 'comment' as const,
    remoteId,
    postId: '9002',
    author: { name: HOSTILE },
    text: HOSTILE,
    at: iso(at),
  });
  await journal.putInboxItems([
    item('i1', 'm1', T0 + 100_000),
    item('i2', 'm1', T0 + 200_000),
    item('i3', 'm1', T0 + 300_000),
    item('i-old', 'm1', Date.parse('2026-10-25T00:00:00Z')),
    item('i4', 'm2', T1),
  ]);
  await journal.markInboxAnswered(item('i1', 'm1', 0), iso(T0 + 100_000 + 600_000));
  await journal.markInboxAnswered(item('i2', 'm1', 0), iso(T0 + 200_000 + 1_800_000));

  const adapter = adapterWithActivity();
  const hall = resolveHall(hallInput, [adapter]);
  const input = await readScorecardInput({
    hall,
    adapters: [adapter],
    credentials: ({ ref }) => ({ access_token: `token-${ref}` }),
    journal,
    since: SINCE,
    now: NOW,
  });
  return { journal, input, scorecard: computeScorecard(input) };
}

describe('overdue inbox items', () => {
  it('counts the unanswered items older than the hall’s reply deadline at the time of the scorecard', async () => {
    const { input, scorecard } = await built();
    // 24 hours by default: m1's unanswered item (12 days old) and m2's (5 days old) are late.
    expect(
      scorecard.members.map((member) => [member.memberId, member.unanswered, member.overdue]),
    ).toEqual([
      ['lead', 0, 0],
      ['m1', 1, 1],
      ['m2', 1, 1],
      ['m3', 0, 0],
    ]);
    const week = computeScorecard({ ...input, replyDeadlineMs: 7 * 86_400_000 });
    expect(week.members.map((member) => member.overdue)).toEqual([0, 1, 0, 0]);
    const month = computeScorecard({ ...input, replyDeadlineMs: 30 * 86_400_000 });
    expect(month.members.map((member) => member.overdue)).toEqual([0, 0, 0, 0]);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, and none of nothing', () => {
    expect(median([])).toBeUndefined();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('the scorecard from a hand-built journal', () => {
  it('counts the campaigns of the period, and knows which went to the whole hall', async () => {
    const { scorecard } = await built();
    expect(scorecard.campaigns).toEqual([
      { id: 'c1', createdAt: iso(T0), hallWide: true },
      { id: 'c2', createdAt: iso(T1), hallWide: false },
    ]);
    expect(scorecard.members.map((member) => member.memberId)).toEqual(['lead', 'm1', 'm2', 'm3']);
  });

  it('took part, missed (failed, no delivery) and not asked', async () => {
    const { scorecard } = await built();
    const row = (id: string) => scorecard.members.find((member) => member.memberId === id)!;
    expect(row('lead')).toMatchObject({ isLead: true, tookPart: 2, missed: [], unsettled: 0 });
    expect(row('m1')).toMatchObject({ tookPart: 2, missed: [] });
    expect(row('m2')).toMatchObject({
      tookPart: 0,
      missed: [{ campaignId: 'c1', why: 'failed' }],
    });
    // m3 had no delivery in the hall-wide c1; c2 went to a selection without it.
    expect(row('m3')).toMatchObject({
      tookPart: 0,
      missed: [{ campaignId: 'c1', why: 'no-delivery' }],
    });
  });

  it('takes the median delay from the lead’s post, for relays and originals', async () => {
    const { scorecard } = await built();
    const m1 = scorecard.members[1]!;
    // c1: 70 s − 10 s after the lead; c2: 185 s − 5 s.
    expect(m1.delaySamples).toBe(2);
    expect(m1.medianDelayMs).toBe((60_000 + 180_000) / 2);
    expect(scorecard.members[0]!.medianDelayMs).toBeUndefined();
    expect(scorecard.members[2]!.medianDelayMs).toBeUndefined();
  });

  it('sums reach from each post’s latest reading, not from every reading', async () => {
    const { scorecard } = await built();
    expect(scorecard.members[0]!.reach).toEqual({ reposts: 1, comments: 3, likes: 2 });
    expect(scorecard.members[1]!.reach).toEqual({ reposts: 1, comments: 4, likes: 2 });
    expect(scorecard.members[3]!.reach).toEqual({});
  });

  it('counts the unanswered items of the period and the median reply time', async () => {
    const { scorecard } = await built();
    const m1 = scorecard.members[1]!;
    expect(m1.inboxItems).toBe(3);
    expect(m1.unanswered).toBe(1);
    expect(m1.medianReplyMs).toBe((600_000 + 1_800_000) / 2);
    expect(scorecard.members[2]).toMatchObject({ inboxItems: 1, unanswered: 1 });
    expect(scorecard.members[2]!.medianReplyMs).toBeUndefined();
  });

  it('reads posts per week and followers; a failed read is unknown with its reason, never 0', async () => {
    const { scorecard } = await built();
    const [lead, m1, m2, m3] = scorecard.members;
    expect(lead).toMatchObject({ followers: 120_000, postsPerWeek: 14, dormantAccounts: [] });
    expect(m1).toMatchObject({ followers: 800, postsPerWeek: 0, dormantAccounts: ['m1/memory'] });
    expect(m1!.accounts[0]).toMatchObject({
      dormant: true,
      lastPostAt: '2026-10-01T00:00:00.000Z',
    });
    expect(m2!.followers).toBeUndefined();
    expect(m2!.postsPerWeek).toBeUndefined();
    expect(m2!.accounts[0]!.unknown).toMatch(/^RATE_LIMITED: .*hourly limit reached/);
    expect(m2!.accounts[0]!.dormant).toBeUndefined();
    // Read, and no post found at all: dormant.
    expect(m3).toMatchObject({ followers: 5, dormantAccounts: ['m3/memory'] });
  });

  it('shows an account whose adapter cannot read activity as unknown', async () => {
    const { input } = await built();
    const without = computeScorecard({
      ...input,
      activity: new Map([
        [
          'lead/memory',
          { status: 'unknown', reason: 'the memory adapter does not read followers or posts' },
        ],
      ]),
    });
    expect(without.members[0]!.accounts[0]!.unknown).toContain('does not read');
    expect(without.members[1]!.accounts[0]!.unknown).toBe('not read');
    expect(without.members[0]!.followers).toBeUndefined();
  });

  it('says which figure a read did not give, rather than showing it as 0', async () => {
    const { input } = await built();
    const scorecard = computeScorecard({
      ...input,
      activity: new Map([
        ['lead/memory', { status: 'read', activity: { postsSince: 3, readAt: NOW.toISOString() } }],
      ]),
    });
    const lead = scorecard.members[0]!;
    expect(lead.followers).toBeUndefined();
    expect(lead.postsPerWeek).toBe(1.5);
    expect(lead.accounts[0]!.unknown).toBe('the memory read did not give followers');
    expect(lead.accounts[0]!.readFailed).toBeUndefined();
  });

  it('counts a campaign whose delivery is still unknown as unsettled, not missed', async () => {
    const { input } = await built();
    const c1 = input.campaigns[0]!;
    const failed = c1.deliveries[2]!;
    const scorecard = computeScorecard({
      ...input,
      campaigns: [
        {
          ...c1,
          deliveries: [c1.deliveries[0]!, c1.deliveries[1]!, { ...failed, state: 'unknown' }],
        },
      ],
    });
    expect(scorecard.members[2]).toMatchObject({ missed: [], unsettled: 1, tookPart: 0 });
  });

  it('prints a table and an RFC 4180 CSV with unknowns empty and the reason given', async () => {
    const { scorecard } = await built();
    const table = scorecardTable(scorecard);
    expect(table).toContain('scorecard of hall score-hall since 2026-11-01T00:00:00.000Z');
    expect(table).toMatch(
      /^m1\s+2\s+0\s+2m 0s\s+800\s+0\.0\s+7\s+1 \(1 late\)\s+20m 0s\s+m1\/memory$/m,
    );
    expect(table).toMatch(/^m2\s+0\s+1\s+-\s+\?\s+\?/m);
    expect(table).toContain('m3: c1 (no-delivery)');
    expect(table).toContain('m2/memory: RATE_LIMITED');

    const csv = scorecardCsv(scorecard);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'member_id,name,lead,took_part,missed,unsettled,median_delay_s,delay_samples,followers,posts_per_week,reposts,comments,likes,reads,sent,inbox_items,unanswered,overdue,median_reply_s,dormant_accounts,unknown',
    );
    expect(lines[2]).toBe('m1,单位m1,,2,0,0,120,2,800,0,1,4,2,,,3,1,1,1200,m1/memory,');
    // The hostile name is quoted, its quotes doubled; followers and posts are empty, not 0.
    expect(lines[3]).toMatch(
      /^m2,"单位<script>alert\(1\)<\/script>,""x""",,0,1,0,,0,,,,,,,,1,1,1,,,m2\/memory: RATE_LIMITED/,
    );
    expect(lines.at(-1)).toBe('');
  });
});
