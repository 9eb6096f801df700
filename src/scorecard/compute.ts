/**
 * The member scorecard, computed: pure, from data already read (see `read-scorecard.ts` for the
 * reading). docs/scorecard.md says how each figure is made; in short:
 *
 * - a member took part in a campaign when one of its deliveries posted (its history holds
 *   `succeeded` or `reconciled`, even if the post was later retracted);
 * - it missed a campaign when it had deliveries there and all of them ended without a post
 *   (`failed`, `skipped`), or when the campaign went to the whole hall (its `publish` audit entry
 *   names no members, groups or tags) and no delivery was planned for any of its accounts on the
 *   platforms the campaign went to; deliveries not settled yet count as `unsettled`;
 * - delay: from the lead's post (the delivery a relay depends on, else the lead member's first
 *   post of the campaign, on the same platform when there is one) to the member's own, taken from
 *   the journal's `succeeded` transitions; a post found by reconciliation has no exact time and is
 *   not counted;
 * - reach: each post's latest reading, summed per member;
 * - inbox: items since the start of the period; reply time = answered at − written at.
 */
import { DEFAULT_REPLY_DEADLINE_MS } from '../inbox/ages.js';
import type { DeliveryRecord } from '../journal/journal.js';
import type { ReachReading } from '../journal/reach.js';
import { reachTotals } from '../metrics/collect.js';
import type {
  AccountScore,
  ActivityRead,
  MemberScore,
  MissedCampaign,
  Scorecard,
  ScorecardCampaign,
  ScorecardInput,
  ScorecardMemberInput,
} from './types.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** The median of `values`; `undefined` for none. Even counts take the mean of the middle two. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** When the delivery's post went out: its first `succeeded` transition; else `undefined`. */
export function postedAt(record: DeliveryRecord): number | undefined {
  const change = record.history.find((entry) => entry.state === 'succeeded');
  const at = change === undefined ? Number.NaN : Date.parse(change.at);
  return Number.isNaN(at) ? undefined : at;
}

/** True when the delivery's post was made (sent, or found after an ambiguous failure). */
export function didPost(record: DeliveryRecord): boolean {
  if (record.state === 'succeeded' || record.state === 'reconciled') return true;
  return record.history.some(
    (entry) => entry.state === 'succeeded' || entry.state === 'reconciled',
  );
}

/** True when the delivery ended without a post. */
function endedWithoutPost(record: DeliveryRecord): boolean {
  return record.state === 'failed' || record.state === 'skipped';
}

/** True when a selection reaches every member (it names no members, groups or tags). */
function isHallWide(selection: ScorecardCampaign['selection']): boolean {
  if (selection === null) return true;
  if (selection === undefined) return false;
  const names = (list: readonly string[] | undefined): boolean =>
    list !== undefined && list.length > 0;
  return !(
    names(selection.members) ||
    names(selection.groups) ||
    names(selection.tags) ||
    names(selection.exclude)
  );
}

/** The lead's post time a delivery is measured from, if the campaign has one. */
function leadTimeFor(
  record: DeliveryRecord,
  campaign: readonly DeliveryRecord[],
  lead: string,
): number | undefined {
  const { dependsOn } = record.delivery;
  if (dependsOn !== undefined) {
    const source = campaign.find((entry) => entry.delivery.id === dependsOn);
    if (source !== undefined) return postedAt(source);
  }
  const leadPosts = campaign.filter(
    (entry) => entry.delivery.memberId === lead && entry.delivery.action !== 'retract',
  );
  const samePlatform = leadPosts.filter(
    (entry) => entry.delivery.platform === record.delivery.platform,
  );
  const times = (samePlatform.length > 0 ? samePlatform : leadPosts)
    .map(postedAt)
    .filter((at): at is number => at !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}

/** What one campaign means for one member. */
function campaignOutcome(
  campaign: ScorecardCampaign,
  member: ScorecardMemberInput,
): 'took-part' | MissedCampaign['why'] | 'unsettled' | 'not-asked' {
  const own = campaign.deliveries.filter(
    (record) => record.delivery.memberId === member.id && record.delivery.action !== 'retract',
  );
  if (own.length === 0) {
    if (!isHallWide(campaign.selection)) return 'not-asked';
    const platforms = campaign.selection?.platforms;
    const reachable = member.accounts.some(
      (account) =>
        platforms === undefined || platforms.length === 0 || platforms.includes(account.platform),
    );
    return reachable ? 'no-delivery' : 'not-asked';
  }
  if (own.some(didPost)) return 'took-part';
  if (own.every(endedWithoutPost)) return 'failed';
  return 'unsettled';
}

/** Each post's latest reading (readings come oldest first). */
export function latestReadings(readings: readonly ReachReading[]): ReachReading[] {
  const latest = new Map<string, ReachReading>();
  const sorted = [...readings].sort((a, b) => Date.parse(a.readAt) - Date.parse(b.readAt));
  for (const reading of sorted) {
    latest.set(JSON.stringify([reading.campaignId, reading.accountId, reading.postId]), reading);
  }
  return [...latest.values()];
}

/** One account's activity on the scorecard. */
function accountScore(
  account: ScorecardMemberInput['accounts'][number],
  read: ActivityRead | undefined,
  input: Pick<ScorecardInput, 'since' | 'now' | 'dormantDays'>,
): AccountScore {
  const base = { accountId: account.id, platform: account.platform };
  if (read === undefined) return { ...base, unknown: 'not read' };
  if (read.status === 'unknown') {
    return { ...base, unknown: read.reason, ...(read.failed === true ? { readFailed: true } : {}) };
  }
  const { activity } = read;
  const weeks = Math.max(input.now.getTime() - input.since.getTime(), DAY_MS) / WEEK_MS;
  const last = activity.lastPostAt === undefined ? undefined : Date.parse(activity.lastPostAt);
  let dormant: boolean | undefined;
  if (last !== undefined && !Number.isNaN(last)) {
    dormant = Math.floor((input.now.getTime() - last) / DAY_MS) >= input.dormantDays;
  } else if (activity.postsSince === 0) {
    // Read, and no post found at all: nothing shows the account is run.
    dormant = true;
  }
  const missing = [
    ...(activity.followers === undefined ? ['followers'] : []),
    ...(activity.postsSince === undefined ? ['posts'] : []),
  ];
  return {
    ...base,
    ...(missing.length === 0
      ? {}
      : { unknown: `the ${account.platform} read did not give ${missing.join(' or ')}` }),
    ...(activity.followers === undefined ? {} : { followers: activity.followers }),
    ...(activity.postsSince === undefined
      ? {}
      : {
          postsSince: activity.postsSince,
          postsPerWeek: Math.round((activity.postsSince / weeks) * 10) / 10,
        }),
    ...(activity.postsTruncated === true ? { postsTruncated: true } : {}),
    ...(activity.lastPostAt === undefined ? {} : { lastPostAt: activity.lastPostAt }),
    ...(dormant === undefined ? {} : { dormant }),
  };
}

/** The sum of a figure over accounts; `undefined` when any account lacks it, or there are none. */
function sumKnown(values: readonly (number | undefined)[]): number | undefined {
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  return Math.round(values.reduce<number>((sum, value) => sum + (value ?? 0), 0) * 10) / 10;
}

/** One member's row. */
function memberScore(member: ScorecardMemberInput, input: ScorecardInput): MemberScore {
  let tookPart = 0;
  let unsettled = 0;
  const missed: MissedCampaign[] = [];
  const delays: number[] = [];
  const isLead = member.id === input.lead;
  for (const campaign of input.campaigns) {
    const outcome = campaignOutcome(campaign, member);
    if (outcome === 'took-part') tookPart += 1;
    else if (outcome === 'unsettled') unsettled += 1;
    else if (outcome !== 'not-asked') missed.push({ campaignId: campaign.record.id, why: outcome });
    if (isLead) continue;
    for (const record of campaign.deliveries) {
      if (record.delivery.memberId !== member.id || record.delivery.action === 'retract') continue;
      const own = postedAt(record);
      const leadAt = leadTimeFor(record, campaign.deliveries, input.lead);
      if (own !== undefined && leadAt !== undefined) delays.push(own - leadAt);
    }
  }
  const accounts = member.accounts.map((account) =>
    accountScore(account, input.activity.get(account.id), input),
  );
  const accountIds = new Set(member.accounts.map((account) => account.id));
  const reach = reachTotals(
    latestReadings(input.reach.filter((reading) => accountIds.has(reading.accountId))),
  );
  const since = input.since.getTime();
  const items = input.inbox.filter(
    (item) =>
      (item.memberId === member.id || accountIds.has(item.accountId)) &&
      Date.parse(item.at) >= since,
  );
  const replyTimes = items.flatMap((item) => {
    if (item.answeredAt === undefined) return [];
    const time = Date.parse(item.answeredAt) - Date.parse(item.at);
    return Number.isNaN(time) ? [] : [Math.max(0, time)];
  });
  const medianDelayMs = median(delays);
  const medianReplyMs = median(replyTimes);
  const followers = sumKnown(accounts.map((account) => account.followers));
  const postsPerWeek = sumKnown(accounts.map((account) => account.postsPerWeek));
  return {
    memberId: member.id,
    name: member.name,
    isLead,
    tookPart,
    missed,
    unsettled,
    ...(medianDelayMs === undefined ? {} : { medianDelayMs }),
    delaySamples: delays.length,
    ...(followers === undefined ? {} : { followers }),
    ...(postsPerWeek === undefined ? {} : { postsPerWeek }),
    reach,
    inboxItems: items.length,
    unanswered: items.filter((item) => item.answeredAt === undefined).length,
    overdue: items.filter(
      (item) =>
        item.answeredAt === undefined &&
        input.now.getTime() - Date.parse(item.at) >
          (input.replyDeadlineMs ?? DEFAULT_REPLY_DEADLINE_MS),
    ).length,
    ...(medianReplyMs === undefined ? {} : { medianReplyMs }),
    accounts,
    dormantAccounts: accounts
      .filter((account) => account.dormant === true)
      .map((account) => account.accountId),
  };
}

/** Computes the scorecard: one row per member of the hall, in hall order. Pure. */
export function computeScorecard(input: ScorecardInput): Scorecard {
  const campaigns = [...input.campaigns].sort(
    (a, b) => Date.parse(a.record.createdAt) - Date.parse(b.record.createdAt),
  );
  const ordered = { ...input, campaigns };
  return {
    hallId: input.hallId,
    since: input.since.toISOString(),
    now: input.now.toISOString(),
    dormantDays: input.dormantDays,
    campaigns: campaigns.map((campaign) => ({
      id: campaign.record.id,
      createdAt: campaign.record.createdAt,
      hallWide: isHallWide(campaign.selection),
    })),
    members: input.members.map((member) => memberScore(member, ordered)),
  };
}
