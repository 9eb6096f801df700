/**
 * The journal: the record of campaigns and every delivery state change. A state change is stored
 * before the external call that depends on it, so a crashed run can be resumed without posting
 * twice. This module holds the interface and the in-memory store; `sqlite-journal.ts` holds the
 * durable store the CLI uses.
 */
import { type ErrorCode, ReleaseHallError, toReleaseHallError } from '../errors.js';
import type { InboxCursor, InboxItem, Rendition } from '../adapter.js';
import type { PlannedDelivery } from '../run/types.js';
import { type ChainedAuditEntry, chainAuditEntry, verifyAuditChain } from './audit-chain.js';
import {
  type JournalOutbox,
  type OutboxAttempt,
  type OutboxRow,
  type OutboxSubscription,
  SETTLED_STATES,
  type WebhookEventType,
  deliveryEventPayload,
  deliveryEventType,
  inboxItemRows,
  outboxRowsFor,
  settledEventPayload,
} from './outbox.js';
import {
  type InboxEntry,
  type InboxFilter,
  type JournalInbox,
  type StoredInboxItem,
  inboxItemKey,
  limitInbox,
  matchesInboxFilter,
  newestFirst,
  storedInboxItems,
} from './inbox.js';
import {
  type JournalReach,
  type ReachReading,
  oldestReadingFirst,
  storedReachReading,
} from './reach.js';
import {
  type JournalReplies,
  type ReplyChange,
  type ReplyFilter,
  type ReplyRecord,
  changedReply,
  matchesReplyFilter,
} from './replies.js';

/** Where a delivery stands. */
export type DeliveryState =
  | 'planned'
  | 'sending'
  | 'succeeded'
  | 'failed'
  | 'unknown'
  | 'reconciled'
  | 'unconfirmed'
  | 'skipped'
  | 'retracted';

/** States after which a delivery is not run again by `resume`. */
export const FINAL_STATES: ReadonlySet<DeliveryState> = new Set<DeliveryState>([
  'succeeded',
  'reconciled',
  'failed',
  'skipped',
  'retracted',
]);

/** A delivery as planned and journaled (the plan entry, with its relay fallback). */
export interface JournalDelivery extends PlannedDelivery {
  /** For relays: the original rendition used when the lead's post failed. */
  readonly fallbackRendition?: Rendition;
}

/** One state change of a delivery. */
export interface DeliveryTransition {
  readonly deliveryId: string;
  readonly state: DeliveryState;
  readonly at: string;
  readonly attempt?: number;
  readonly remoteId?: string;
  readonly url?: string;
  /** What was actually done (a relay may fall back to a post). */
  readonly performed?: 'post' | 'relay' | 'push' | 'retract' | 'none';
  readonly via?: 'sent' | 'reconciled' | 'accepted';
  readonly errorCode?: ErrorCode;
  readonly errorMessage?: string;
  /**
   * The lease of the run making the change. A change whose lease is not the delivery's current
   * lease is refused with a {@link StaleLeaseError} (code `LEASE_LOST`): a stalled process cannot
   * overwrite a newer run.
   */
  readonly lease?: string;
}

/** A pause of a campaign, whole or for some groups. */
export interface PauseState {
  /** Group ids paused; absent means the whole campaign. */
  readonly groups?: readonly string[];
  readonly reason: string;
  readonly actor: string;
  readonly at: string;
}

/** A campaign as journaled. */
export interface CampaignRecord {
  readonly id: string;
  readonly hallId: string;
  readonly statementId?: string;
  readonly mode: 'original' | 'relay';
  readonly relayFallback: 'original' | 'skip';
  readonly createdAt: string;
  readonly state: 'running' | 'finished' | 'aborted' | 'interrupted' | 'retracted';
  /** The statement, as checked, for follow-ups and audits. */
  readonly statement: unknown;
  readonly pause?: PauseState;
  /** Published to sandboxes (a rehearsal), not to the platforms. */
  readonly sandbox?: boolean;
  /** The process running the campaign and when it last said so. */
  readonly runner?: { readonly id: string; readonly pid: number; readonly heartbeatAt: string };
}

/** A delivery as journaled: the plan plus its latest state. */
export interface DeliveryRecord {
  readonly delivery: JournalDelivery;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly remoteId?: string;
  readonly url?: string;
  readonly performed?: 'post' | 'relay' | 'push' | 'retract' | 'none';
  readonly via?: 'sent' | 'reconciled' | 'accepted';
  readonly errorCode?: ErrorCode;
  readonly errorMessage?: string;
  readonly lease?: string;
  /** Facts the adapter journaled for this delivery (e.g. a platform job id). */
  readonly notes?: Readonly<Record<string, string>>;
  /** When the first attempt left, if one did. */
  readonly firstAttemptAt?: string;
  readonly history: readonly DeliveryTransition[];
}

/**
 * One line of the audit trail. The journals chain every entry they store (see
 * {@link ChainedAuditEntry}): the store numbers it and links it to the entry before.
 */
export interface AuditEntry {
  readonly at: string;
  /** Who did it (the OS user, or what the caller names). */
  readonly actor: string;
  /**
   * What was done. `approve`: an approver's approval was taken into account (detail
   * `{ approver, digest }`); `override`: the linter's errors were overridden (detail `{ reason }`);
   * `request`: the HTTP service accepted a request for the campaign (detail
   * `{ method, route, idempotencyKey?, bodyHash? }`).
   */
  readonly action:
    | 'publish'
    | 'resume'
    | 'pause'
    | 'unpause'
    | 'retract'
    | 'follow-up'
    | 'abort'
    | 'retry-failed'
    | 'approve'
    | 'override'
    | 'review'
    | 'request';
  readonly campaignId: string;
  /** Plain JSON data: it is stored, and hashed, as it reads back from JSON. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/**
 * Thrown when a run writes to a delivery another run has since claimed: a
 * {@link ReleaseHallError} of code `LEASE_LOST`. Branch on the code (or `ReleaseHallError.isInstance`
 * and `code`), which holds across copies of the package.
 */
export class StaleLeaseError extends ReleaseHallError {
  constructor(readonly deliveryId: string) {
    super(
      `[release-hall] delivery ${deliveryId} is now run by another process; this run stops touching it`,
      { code: 'LEASE_LOST' },
    );
  }
}

/** True when `error` says another run holds the delivery's lease now (code `LEASE_LOST`). */
export function isLeaseLost(error: unknown): error is ReleaseHallError {
  return ReleaseHallError.isInstance(error) && error.code === 'LEASE_LOST';
}

/** A journal call that names a campaign or delivery the journal does not hold. */
export function notInJournal(what: string): ReleaseHallError {
  return new ReleaseHallError(`[release-hall] ${what}`, { code: 'INVALID_INPUT' });
}

/**
 * A failure of the store itself (a full disk, a locked file) as a {@link ReleaseHallError}: the
 * journal throws nothing else.
 */
export function storeFailure(error: unknown): ReleaseHallError {
  return toReleaseHallError(error, 'TRANSIENT');
}

/** The journal interface. Every method resolves once the change is stored. */
export interface Journal {
  createCampaign(record: CampaignRecord, deliveries: readonly JournalDelivery[]): Promise<void>;
  /** Adds deliveries to an existing campaign (retracts, follow-ups). Existing ids are kept. */
  addDeliveries(campaignId: string, deliveries: readonly JournalDelivery[]): Promise<void>;
  /** Gives these deliveries a new lease: later changes from older leases are refused. */
  claim(deliveryIds: readonly string[], lease: string): Promise<void>;
  /** Stores a fact about a delivery (a platform job id); durable when the promise resolves. */
  note(deliveryId: string, key: string, value: string): Promise<void>;
  /**
   * Records a state change. Rejects with a {@link StaleLeaseError} (code `LEASE_LOST`) for a stale
   * lease. Every method rejects with a {@link ReleaseHallError}.
   */
  transition(change: DeliveryTransition): Promise<void>;
  updateCampaign(
    campaignId: string,
    change: Partial<Pick<CampaignRecord, 'state' | 'runner'>> & { pause?: PauseState | null },
  ): Promise<void>;
  getCampaign(campaignId: string): Promise<CampaignRecord | undefined>;
  /**
   * The campaign's pause, if it is paused (asked before every delivery starts). Optional: without
   * it, the pause is read from {@link Journal.getCampaign}.
   */
  pauseOf?(campaignId: string): Promise<PauseState | undefined>;
  listCampaigns(): Promise<readonly CampaignRecord[]>;
  getDeliveries(campaignId: string): Promise<readonly DeliveryRecord[]>;
  /**
   * One delivery, of any campaign, if the journal holds it. Optional: a worker that runs one
   * delivery at a time (the BullMQ runner) needs it so as not to read a whole campaign per job.
   */
  getDelivery?(deliveryId: string): Promise<DeliveryRecord | undefined>;
  /**
   * The delivery, of any campaign, that recorded `remoteId` as its post on the account, if any. A
   * look-up that finds a post another delivery made does not claim it. Optional for journals of
   * other makers; without it, the time window of the look-up is the only guard.
   */
  ownerOfPost?(accountId: string, remoteId: string): Promise<PostOwner | undefined>;
  /**
   * Appends to the audit trail. The store numbers the entry (1, 2, 3… across the journal), links
   * it to the hash of the entry before and hashes it ({@link chainAuditEntry}), in one atomic step.
   */
  audit(entry: AuditEntry): Promise<void>;
  /**
   * The audit entries of one campaign, in order. The journals of this package return them chained
   * ({@link ChainedAuditEntry}); a journal of another maker may return them unchained.
   */
  getAudit(campaignId: string): Promise<readonly AuditEntry[]>;
  /**
   * The whole audit log, every campaign's, in the order stored: what {@link verifyAuditChain}
   * checks. Optional for journals of other makers; without it, the log cannot be verified.
   */
  auditLog?(): Promise<readonly ChainedAuditEntry[]>;
  /**
   * Checks the store's integrity, the audit log's chain included; resolves with the problems found
   * (empty when sound).
   */
  check(): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** Which delivery made a post (see {@link Journal.ownerOfPost}). */
export interface PostOwner {
  readonly campaignId: string;
  readonly deliveryId: string;
}

/** Applies a transition to a record (shared by the stores so they agree). */
export function applyTransition(
  record: DeliveryRecord,
  change: DeliveryTransition,
): DeliveryRecord {
  // Assigned one by one rather than spread from conditional objects: this runs for every state
  // change of every delivery. The keys come out in the same order.
  const next: { -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K] } = { ...record };
  next.state = change.state;
  next.attempts = Math.max(record.attempts, change.attempt ?? 0);
  if (change.remoteId !== undefined) next.remoteId = change.remoteId;
  if (change.url !== undefined) next.url = change.url;
  if (change.performed !== undefined) next.performed = change.performed;
  if (change.via !== undefined) next.via = change.via;
  if (change.errorCode !== undefined) next.errorCode = change.errorCode;
  if (change.errorMessage !== undefined) next.errorMessage = change.errorMessage;
  if (record.firstAttemptAt === undefined && change.state === 'sending') {
    next.firstAttemptAt = change.at;
  }
  // Spread, not slice and push: the array is made at its exact length (a pushed one keeps room
  // for 16 more, and every delivery of a large hall keeps its history).
  next.history = [...record.history, change];
  return next;
}

/** A journal in memory: for tests and library users who keep their own records. */
export class MemoryJournal
  implements Journal, JournalOutbox, JournalInbox, JournalReach, JournalReplies
{
  readonly #campaigns = new Map<string, CampaignRecord>();
  #subscriptions: readonly OutboxSubscription[] = [];
  readonly #outbox = new Map<string, OutboxRow>();
  readonly #deliveries = new Map<string, DeliveryRecord>();
  readonly #byCampaign = new Map<string, string[]>();
  readonly #audit: ChainedAuditEntry[] = [];
  readonly #inbox = new Map<string, { item: StoredInboxItem; order: number }>();
  readonly #inboxCursors = new Map<string, InboxCursor>();
  readonly #reach: ReachReading[] = [];
  readonly #replies = new Map<string, ReplyRecord>();

  createCampaign(record: CampaignRecord, deliveries: readonly JournalDelivery[]): Promise<void> {
    if (this.#campaigns.has(record.id)) {
      return Promise.reject(notInJournal(`campaign ${record.id} is already in the journal`));
    }
    this.#campaigns.set(record.id, record);
    this.#byCampaign.set(record.id, []);
    return this.addDeliveries(record.id, deliveries);
  }

  addDeliveries(campaignId: string, deliveries: readonly JournalDelivery[]): Promise<void> {
    const ids = this.#byCampaign.get(campaignId);
    if (ids === undefined) return Promise.reject(notInJournal(`unknown campaign ${campaignId}`));
    for (const delivery of deliveries) {
      if (this.#deliveries.has(delivery.id)) continue;
      ids.push(delivery.id);
      this.#deliveries.set(delivery.id, { delivery, state: 'planned', attempts: 0, history: [] });
    }
    return Promise.resolve();
  }

  claim(deliveryIds: readonly string[], lease: string): Promise<void> {
    for (const id of deliveryIds) {
      const record = this.#deliveries.get(id);
      if (record) this.#deliveries.set(id, { ...record, lease });
    }
    return Promise.resolve();
  }

  note(deliveryId: string, key: string, value: string): Promise<void> {
    const record = this.#deliveries.get(deliveryId);
    if (record === undefined) return Promise.reject(notInJournal(`unknown delivery ${deliveryId}`));
    this.#deliveries.set(deliveryId, { ...record, notes: { ...record.notes, [key]: value } });
    return Promise.resolve();
  }

  transition(change: DeliveryTransition): Promise<void> {
    const record = this.#deliveries.get(change.deliveryId);
    if (record === undefined) {
      return Promise.reject(notInJournal(`unknown delivery ${change.deliveryId}`));
    }
    if (change.lease !== undefined && record.lease !== undefined && record.lease !== change.lease) {
      return Promise.reject(new StaleLeaseError(change.deliveryId));
    }
    this.#deliveries.set(change.deliveryId, applyTransition(record, change));
    const type = deliveryEventType(change.state);
    if (type !== undefined) {
      this.#appendOutbox(type, deliveryEventPayload(record.delivery, change), change.at);
    }
    return Promise.resolve();
  }

  updateCampaign(
    campaignId: string,
    change: Partial<Pick<CampaignRecord, 'state' | 'runner'>> & { pause?: PauseState | null },
  ): Promise<void> {
    const record = this.#campaigns.get(campaignId);
    if (record === undefined) return Promise.reject(notInJournal(`unknown campaign ${campaignId}`));
    const { pause, ...rest } = change;
    const next: CampaignRecord = { ...record, ...rest };
    if (
      change.state !== undefined &&
      change.state !== record.state &&
      SETTLED_STATES.has(change.state)
    ) {
      const at = new Date().toISOString();
      this.#appendOutbox('campaign.settled', settledEventPayload(campaignId, change.state, at), at);
    }
    if (pause === null) {
      const { pause: _old, ...withoutPause } = next;
      this.#campaigns.set(campaignId, withoutPause);
    } else {
      this.#campaigns.set(campaignId, pause === undefined ? next : { ...next, pause });
    }
    return Promise.resolve();
  }

  getCampaign(campaignId: string): Promise<CampaignRecord | undefined> {
    return Promise.resolve(this.#campaigns.get(campaignId));
  }

  listCampaigns(): Promise<readonly CampaignRecord[]> {
    return Promise.resolve([...this.#campaigns.values()]);
  }

  ownerOfPost(accountId: string, remoteId: string): Promise<PostOwner | undefined> {
    for (const record of this.#deliveries.values()) {
      if (record.remoteId === remoteId && record.delivery.accountId === accountId) {
        return Promise.resolve({
          campaignId: record.delivery.campaignId,
          deliveryId: record.delivery.id,
        });
      }
    }
    return Promise.resolve(undefined);
  }

  getDeliveries(campaignId: string): Promise<readonly DeliveryRecord[]> {
    const ids = this.#byCampaign.get(campaignId) ?? [];
    return Promise.resolve(
      ids.flatMap((id) => {
        const record = this.#deliveries.get(id);
        return record ? [record] : [];
      }),
    );
  }

  getDelivery(deliveryId: string): Promise<DeliveryRecord | undefined> {
    return Promise.resolve(this.#deliveries.get(deliveryId));
  }

  audit(entry: AuditEntry): Promise<void> {
    try {
      this.#audit.push(chainAuditEntry(this.#audit.at(-1), entry));
    } catch (error) {
      // A detail that is not JSON data (a cycle, a bigint).
      return Promise.reject(storeFailure(error));
    }
    return Promise.resolve();
  }

  getAudit(campaignId: string): Promise<readonly ChainedAuditEntry[]> {
    return Promise.resolve(this.#audit.filter((entry) => entry.campaignId === campaignId));
  }

  auditLog(): Promise<readonly ChainedAuditEntry[]> {
    return Promise.resolve([...this.#audit]);
  }

  check(): Promise<readonly string[]> {
    const verdict = verifyAuditChain(this.#audit);
    return Promise.resolve(
      verdict.ok ? [] : [`audit log: ${verdict.problem.kind}: ${verdict.problem.message}`],
    );
  }

  #appendOutbox(
    type: WebhookEventType,
    payload: Readonly<Record<string, unknown>>,
    at: string,
  ): void {
    for (const row of outboxRowsFor(this.#subscriptions, type, payload, at)) {
      this.#outbox.set(row.id, row);
    }
  }

  subscribeOutbox(subscriptions: readonly OutboxSubscription[]): void {
    this.#subscriptions = [...subscriptions];
  }

  addOutboxEvent(
    type: WebhookEventType,
    payload: Readonly<Record<string, unknown>>,
    at: string,
  ): Promise<void> {
    this.#appendOutbox(type, payload, at);
    return Promise.resolve();
  }

  dueOutbox(now: string, limit: number): Promise<readonly OutboxRow[]> {
    const due = [...this.#outbox.values()].filter(
      (row) => row.deliveredAt === undefined && Date.parse(row.nextAttemptAt) <= Date.parse(now),
    );
    due.sort((a, b) => Date.parse(a.nextAttemptAt) - Date.parse(b.nextAttemptAt));
    return Promise.resolve(due.slice(0, limit));
  }

  listOutbox(limit: number): Promise<readonly OutboxRow[]> {
    return Promise.resolve([...this.#outbox.values()].slice(-limit));
  }

  markOutboxDelivered(id: string, at: string): Promise<void> {
    const row = this.#outbox.get(id);
    if (row === undefined) return Promise.reject(notInJournal(`unknown outbox event ${id}`));
    if (row.deliveredAt === undefined) {
      this.#outbox.set(id, { ...row, attempts: row.attempts + 1, deliveredAt: at });
    }
    return Promise.resolve();
  }

  recordOutboxAttempt(id: string, attempt: OutboxAttempt): Promise<void> {
    const row = this.#outbox.get(id);
    if (row === undefined) return Promise.reject(notInJournal(`unknown outbox event ${id}`));
    if (row.deliveredAt === undefined) {
      this.#outbox.set(id, {
        ...row,
        attempts: row.attempts + 1,
        nextAttemptAt: attempt.nextAttemptAt,
        lastError: attempt.error,
      });
    }
    return Promise.resolve();
  }

  /** The campaign of the delivery that made `postId`: the account's own first, then any. */
  #campaignOfPost(accountId: string, postId: string | undefined): string | undefined {
    if (postId === undefined) return undefined;
    let other: string | undefined;
    for (const record of this.#deliveries.values()) {
      if (record.remoteId !== postId) continue;
      if (record.delivery.accountId === accountId) return record.delivery.campaignId;
      other ??= record.delivery.campaignId;
    }
    return other;
  }

  #putInbox(items: readonly InboxEntry[]): number {
    const storedAt = new Date().toISOString();
    let added = 0;
    const fresh = items.filter((item) => !this.#inbox.has(inboxItemKey(item)));
    for (const item of storedInboxItems(
      fresh,
      (entry) => this.#campaignOfPost(entry.accountId, entry.postId),
      storedAt,
    )) {
      this.#inbox.set(inboxItemKey(item), { item, order: this.#inbox.size });
      // In the same synchronous step as the item: the event exists if and only if the item does.
      for (const row of inboxItemRows(this.#subscriptions, item)) this.#outbox.set(row.id, row);
      added += 1;
    }
    return added;
  }

  putInboxItems(items: readonly InboxEntry[]): Promise<number> {
    return Promise.resolve(this.#putInbox(items));
  }

  putInboxPage(
    accountId: string,
    items: readonly InboxEntry[],
    cursor: InboxCursor,
  ): Promise<number> {
    const added = this.#putInbox(items);
    this.#inboxCursors.set(accountId, { ...cursor });
    return Promise.resolve(added);
  }

  inboxCursor(accountId: string): Promise<InboxCursor | undefined> {
    return Promise.resolve(this.#inboxCursors.get(accountId));
  }

  saveInboxCursor(accountId: string, cursor: InboxCursor): Promise<void> {
    this.#inboxCursors.set(accountId, { ...cursor });
    return Promise.resolve();
  }

  listInbox(filter: InboxFilter = {}): Promise<readonly StoredInboxItem[]> {
    const matching = [...this.#inbox.values()].filter((entry) =>
      matchesInboxFilter(entry.item, filter),
    );
    return Promise.resolve(limitInbox(newestFirst(matching), filter));
  }

  putReach(readings: readonly ReachReading[]): Promise<void> {
    this.#reach.push(...readings.map(storedReachReading));
    return Promise.resolve();
  }

  listReach(campaignId: string): Promise<readonly ReachReading[]> {
    return Promise.resolve(
      oldestReadingFirst(this.#reach.filter((reading) => reading.campaignId === campaignId)),
    );
  }

  markInboxAnswered(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    at: string,
  ): Promise<boolean> {
    const key = inboxItemKey(item);
    const entry = this.#inbox.get(key);
    if (entry === undefined) return Promise.resolve(false);
    if (entry.item.answeredAt === undefined) {
      this.#inbox.set(key, { ...entry, item: { ...entry.item, answeredAt: at } });
    }
    return Promise.resolve(true);
  }

  assignInbox(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    memberId: string,
    at: string,
  ): Promise<boolean> {
    const key = inboxItemKey(item);
    const entry = this.#inbox.get(key);
    if (entry === undefined) return Promise.resolve(false);
    this.#inbox.set(key, {
      ...entry,
      item: { ...entry.item, assignedTo: memberId, assignedAt: at },
    });
    return Promise.resolve(true);
  }

  planReply(record: ReplyRecord): Promise<ReplyRecord> {
    const stored = this.#replies.get(record.key);
    if (stored !== undefined) return Promise.resolve(stored);
    this.#replies.set(record.key, record);
    return Promise.resolve(record);
  }

  getReply(key: string): Promise<ReplyRecord | undefined> {
    return Promise.resolve(this.#replies.get(key));
  }

  updateReply(key: string, version: number, change: ReplyChange): Promise<ReplyRecord | undefined> {
    const stored = this.#replies.get(key);
    if (stored?.version !== version) return Promise.resolve(undefined);
    const next = changedReply(stored, change);
    this.#replies.set(key, next);
    return Promise.resolve(next);
  }

  listReplies(filter: ReplyFilter = {}): Promise<readonly ReplyRecord[]> {
    return Promise.resolve(
      [...this.#replies.values()].filter((record) => matchesReplyFilter(record, filter)),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
