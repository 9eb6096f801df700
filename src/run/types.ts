import type { PostRef, Rendition } from '../adapter.js';
import type { ErrorCode } from '../errors.js';
import type { GateRecord } from '../gate/gate-record.js';

/** One action on one account: an original post, a relay of the lead's post, or a push to every follower. */
export type DeliveryAction = 'post' | 'relay' | 'push';

/** A delivery in a plan. */
export interface PlannedDelivery {
  /** `campaignId:accountId:action`. */
  readonly id: string;
  readonly campaignId: string;
  readonly accountId: string;
  readonly memberId: string;
  readonly platform: string;
  /** `post` or `relay`; `retract` for the deliveries a retract adds to the journal. */
  readonly action: DeliveryAction | 'retract';
  /** For a relay: the delivery whose post is relayed. */
  readonly dependsOn?: string;
  readonly rendition: Rendition;
  /** Derived from (campaign, account, action). */
  readonly idempotencyKey: string;
  /** What the plan decided and why, for the preview and the report (e.g. "published, not pushed: …"). */
  readonly note?: string;
  /** Refused before anything is sent (e.g. no push quota left): the delivery ends without a call. */
  readonly blocked?: { readonly code: ErrorCode; readonly reason: string };
  /**
   * For a push under `push-else-publish`: publish instead when the platform says no quota is left
   * (pushes made outside release-hall are not in the journal's ledger).
   */
  readonly publishIfNoPush?: boolean;
  /**
   * For a push: the follower tag the campaign's push option named (a name or an id), in place of
   * the account's own `push.tag`. Absent: the account's own, or every follower.
   */
  readonly pushTag?: string | number;
}

/** Final state of a delivery in a report. */
export type DeliveryStatus = 'succeeded' | 'failed' | 'skipped' | 'unconfirmed';

/** The result of one delivery. There is never one status for a whole campaign. */
export interface DeliveryResult {
  readonly deliveryId: string;
  readonly accountId: string;
  readonly memberId: string;
  readonly platform: string;
  readonly handle: string;
  /** What was planned. */
  readonly action: DeliveryAction | 'retract';
  /** What was done: a relay whose lead post failed may fall back to a post. */
  readonly performed: DeliveryAction | 'retract' | 'none';
  readonly status: DeliveryStatus;
  readonly remoteId?: string;
  readonly url?: string;
  readonly attempts: number;
  /** How the result was established: sent and answered, found on the account after an ambiguous failure, ... */
  readonly via?: 'sent' | 'reconciled' | 'accepted';
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly errorCode?: ErrorCode;
  readonly errorMessage?: string;
  /**
   * The campaign whose post already holds this text on the account, when the platform refused this
   * one as a duplicate and the journal knows whose post it is. That post is not this campaign's:
   * it is not claimed, and retracting this campaign leaves it alone.
   */
  readonly duplicateOf?: string;
  /** What to do about a failure, in plain words. */
  readonly advice?: string;
  readonly text?: string;
  /** What the plan decided for this account, e.g. "published, not pushed: no push left today". */
  readonly note?: string;
  /** The post's reference, when one exists. */
  readonly ref?: PostRef;
}

/** Counts by status. */
export interface ReportCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly unconfirmed: number;
}

/** The report of one campaign. */
export interface CampaignReport {
  readonly campaignId: string;
  readonly hallId: string;
  readonly statementId?: string;
  readonly mode: 'original' | 'relay';
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Milliseconds from start to the first and the last successful post. */
  readonly firstPostMs?: number;
  readonly lastPostMs?: number;
  readonly counts: ReportCounts;
  /**
   * One line per delivery, in plan order; only some, or none, when the run was asked so
   * (`reportDeliveries`, then stated in {@link CampaignReport.deliveriesKept}).
   */
  readonly deliveries: readonly DeliveryResult[];
  /**
   * Present when `deliveries` holds only some lines: `unsuccessful` (those that did not succeed)
   * or `none`. Every line is in the journal (`publisher.status`).
   */
  readonly deliveriesKept?: 'unsuccessful' | 'none';
  /** True when the run was stopped by its AbortSignal. */
  readonly aborted: boolean;
  /** What the publish gate let through, and on what grounds (when the campaign passed one). */
  readonly gate?: GateRecord;
}
