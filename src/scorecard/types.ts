/**
 * The shapes of a member scorecard (考核): what {@link computeScorecard} takes (plain data read
 * from the journal and the platforms) and what it gives (one row per member of the hall).
 */
import type { AccountActivity, ReachCount } from '../adapter.js';
import type { CampaignRecord, DeliveryRecord } from '../journal/journal.js';
import type { StoredInboxItem } from '../journal/inbox.js';
import type { ReachReading } from '../journal/reach.js';

/** Which members and platforms a campaign was published to, as its `publish` audit entry says. */
export interface CampaignSelection {
  readonly members?: readonly string[] | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
  readonly platforms?: readonly string[] | undefined;
}

/** One campaign of the period with its deliveries. */
export interface ScorecardCampaign {
  readonly record: CampaignRecord;
  readonly deliveries: readonly DeliveryRecord[];
  /**
   * The selection the campaign was published with: `null` when it was published to the whole
   * hall, `undefined` when the journal does not say (no `publish` audit entry).
   */
  readonly selection: CampaignSelection | null | undefined;
}

/** How reading one account's activity went. */
export type ActivityRead =
  | { readonly status: 'read'; readonly activity: AccountActivity }
  /** Not known: the adapter has no `readActivity`, or the read failed; `reason` says which. */
  | {
      readonly status: 'unknown';
      readonly reason: string;
      /** True when a read was tried and failed (not when the adapter cannot read activity). */
      readonly failed?: boolean;
    };

/** The member of the hall a row is about, and its accounts. */
export interface ScorecardMemberInput {
  readonly id: string;
  readonly name: string;
  readonly accounts: readonly { readonly id: string; readonly platform: string }[];
}

/** Everything {@link computeScorecard} needs; nothing in it is read later. */
export interface ScorecardInput {
  readonly hallId: string;
  /** Member id of the hall's lead. */
  readonly lead: string;
  /** The members, in hall order. */
  readonly members: readonly ScorecardMemberInput[];
  /** Days without a post after which an account is dormant (`check.dormantDays` of the hall). */
  readonly dormantDays: number;
  /**
   * How long an inbox item may wait for an answer (`inbox.replyDeadlineHours` of the hall).
   * @default 24 hours
   */
  readonly replyDeadlineMs?: number;
  /** The start of the period. */
  readonly since: Date;
  /** The end of the period (the time of the scorecard). */
  readonly now: Date;
  /** The campaigns of the hall created in the period (aborted and rehearsals left out). */
  readonly campaigns: readonly ScorecardCampaign[];
  /** Every reach reading of those campaigns. */
  readonly reach: readonly ReachReading[];
  /** Inbox items left on the hall's accounts (any time; those before `since` are left out). */
  readonly inbox: readonly StoredInboxItem[];
  /** The activity read of each account, by account id; an account absent was not read. */
  readonly activity: ReadonlyMap<string, ActivityRead>;
}

/** One account of a member on the scorecard. */
export interface AccountScore {
  readonly accountId: string;
  readonly platform: string;
  /** Followers now, when read. */
  readonly followers?: number;
  /** Posts since the start of the period, when read (a lower bound when `postsTruncated`). */
  readonly postsSince?: number;
  readonly postsTruncated?: boolean;
  /** Posts per week over the period, when read. */
  readonly postsPerWeek?: number;
  readonly lastPostAt?: string;
  /**
   * `true`: no post for the hall's dormant days (or none found at all); `false`: posted within
   * them; absent: not known (see `unknown`).
   */
  readonly dormant?: boolean;
  /** Why the activity is not known, when it is not. */
  readonly unknown?: string;
  /** True when the read was tried and failed (a refused token, a rate limit, a stop). */
  readonly readFailed?: boolean;
}

/** One campaign a member missed, and why. */
export interface MissedCampaign {
  readonly campaignId: string;
  /** `failed`: its deliveries ended without a post; `no-delivery`: a hall-wide campaign planned none for it. */
  readonly why: 'failed' | 'no-delivery';
}

/** One row of the scorecard. */
export interface MemberScore {
  readonly memberId: string;
  readonly name: string;
  readonly isLead: boolean;
  /** Campaigns of the period in which one of its deliveries posted. */
  readonly tookPart: number;
  /** Campaigns of the period it missed ({@link MissedCampaign}). */
  readonly missed: readonly MissedCampaign[];
  /** Campaigns whose deliveries for it have not settled (still running, unknown, unconfirmed). */
  readonly unsettled: number;
  /** Median milliseconds from the lead's post to its own, over its posts of the period. */
  readonly medianDelayMs?: number;
  /** How many posts the median is taken over. */
  readonly delaySamples: number;
  /** Followers of its accounts summed; absent when any account's is not known. */
  readonly followers?: number;
  /** Posts per week of its accounts summed; absent when any account's is not known. */
  readonly postsPerWeek?: number;
  /** Reach of its posts of the period: each post's latest reading, summed. */
  readonly reach: Readonly<Partial<Record<ReachCount, number>>>;
  /** Inbox items left on its accounts in the period. */
  readonly inboxItems: number;
  /** Of those, the ones not answered. */
  readonly unanswered: number;
  /** Of the unanswered, the ones older than the reply deadline at the time of the scorecard. */
  readonly overdue: number;
  /** Median milliseconds from an item to its answer, over the answered ones. */
  readonly medianReplyMs?: number;
  /** Its accounts, with their activity. */
  readonly accounts: readonly AccountScore[];
  /** Ids of its accounts that are dormant. */
  readonly dormantAccounts: readonly string[];
}

/** The scorecard of a hall over a period. */
export interface Scorecard {
  readonly hallId: string;
  readonly since: string;
  readonly now: string;
  readonly dormantDays: number;
  /** The campaigns counted, oldest first. */
  readonly campaigns: readonly {
    readonly id: string;
    readonly createdAt: string;
    readonly hallWide: boolean;
  }[];
  readonly members: readonly MemberScore[];
}
