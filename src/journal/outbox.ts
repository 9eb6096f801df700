/**
 * The outbox of the journal: the webhook events owed to each endpoint. A row is written in the
 * same transaction as the state change that causes it (a delivery that ends `failed` or
 * `unconfirmed`, a campaign that settles, an inbox item stored for the first time), so an event exists if and only if its change was
 * committed. The sender (`src/webhooks/`) reads the rows that are due and marks them delivered.
 */
import { randomUUID } from 'node:crypto';
import type { StoredInboxItem } from './inbox.js';
import type { CampaignRecord, DeliveryRecord, DeliveryTransition, Journal } from './journal.js';

import type { WebhookEventType } from '../webhooks/types.js';

export type { WebhookEventType } from '../webhooks/types.js';

/** The campaign states that settle a campaign (and emit `campaign.settled`). */
export const SETTLED_STATES: ReadonlySet<CampaignRecord['state']> = new Set<
  CampaignRecord['state']
>(['finished', 'retracted']);

/** Which events one webhook endpoint receives. */
export interface OutboxSubscription {
  /** The webhook's id in the hall file. */
  readonly webhookId: string;
  readonly events: readonly WebhookEventType[];
}

/** One event owed to one webhook endpoint. */
export interface OutboxRow {
  /** The event id, sent as `webhook-id`: the same on every attempt. */
  readonly id: string;
  readonly webhookId: string;
  readonly type: WebhookEventType;
  /**
   * The event's data as JSON text: no secret, no statement text (`inbox.item` carries the item's
   * text and author as the platform gave them).
   */
  readonly payload: string;
  readonly createdAt: string;
  /** Attempts made so far. */
  readonly attempts: number;
  /** When the next attempt is due (ISO time). */
  readonly nextAttemptAt: string;
  /** When an attempt was answered with a 2xx; absent while the event is owed. */
  readonly deliveredAt?: string;
  /** What the last failed attempt met (a status or a network error), never a secret. */
  readonly lastError?: string;
}

/** A failed attempt and when to try again. */
export interface OutboxAttempt {
  readonly at: string;
  readonly nextAttemptAt: string;
  readonly error: string;
}

/**
 * The outbox methods of a journal. The journals of this package have them; a journal of another
 * maker may not ({@link hasOutbox}).
 */
export interface JournalOutbox {
  /**
   * Which endpoints want which events, from now on: every later state change that causes an
   * event they subscribe to appends one row per endpoint, in the same transaction. Without
   * subscriptions nothing is appended.
   */
  subscribeOutbox(subscriptions: readonly OutboxSubscription[]): void;
  /** Appends an event that is not a journal state change (`deadline.missed`) for its subscribers. */
  addOutboxEvent(
    type: WebhookEventType,
    payload: Readonly<Record<string, unknown>>,
    at: string,
  ): Promise<void>;
  /** The owed rows whose next attempt is due at `now`, oldest first, at most `limit`. */
  dueOutbox(now: string, limit: number): Promise<readonly OutboxRow[]>;
  /** Every row (owed and delivered), oldest first, at most `limit` of the newest. */
  listOutbox(limit: number): Promise<readonly OutboxRow[]>;
  /** Marks a row delivered; a row delivered already keeps its first time. */
  markOutboxDelivered(id: string, at: string): Promise<void>;
  /** Counts a failed attempt and sets the next one. */
  recordOutboxAttempt(id: string, attempt: OutboxAttempt): Promise<void>;
}

/** True when `journal` keeps an outbox (every journal of this package does). */
export function hasOutbox(journal: Journal): journal is Journal & JournalOutbox {
  const candidate = journal as Partial<JournalOutbox>;
  return (
    typeof candidate.subscribeOutbox === 'function' &&
    typeof candidate.dueOutbox === 'function' &&
    typeof candidate.markOutboxDelivered === 'function'
  );
}

/** A new event id: `msg_` and 32 hex digits. */
export function newEventId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The delivery event a state change causes, if any. */
export function deliveryEventType(
  state: DeliveryTransition['state'],
): WebhookEventType | undefined {
  if (state === 'failed') return 'delivery.failed';
  if (state === 'unconfirmed') return 'delivery.unconfirmed';
  return undefined;
}

/**
 * The data of a delivery event: what was meant and what happened, from the delivery's plan (which
 * never changes) and the change. No rendition text, no credentials.
 */
export function deliveryEventPayload(
  delivery: DeliveryRecord['delivery'],
  change: DeliveryTransition,
): Record<string, unknown> {
  return {
    campaignId: delivery.campaignId,
    deliveryId: delivery.id,
    account: delivery.accountId,
    member: delivery.memberId,
    platform: delivery.platform,
    action: delivery.action,
    status: change.state,
    at: change.at,
    ...(change.attempt === undefined ? {} : { attempt: change.attempt }),
    ...(change.errorCode === undefined ? {} : { errorCode: change.errorCode }),
    ...(change.errorMessage === undefined ? {} : { errorMessage: change.errorMessage }),
  };
}

/** The data of `campaign.settled`. */
export function settledEventPayload(
  campaignId: string,
  state: CampaignRecord['state'],
  at: string,
): Record<string, unknown> {
  return { campaignId, status: state, at };
}

/**
 * The data of `inbox.item`: an item the journal stored for the first time. It carries the text and
 * the author's name as the platform gave them (personal data); no secret.
 */
export function inboxItemEventPayload(item: StoredInboxItem): Record<string, unknown> {
  return {
    platform: item.platform,
    account: item.accountId,
    member: item.memberId,
    kind: item.kind,
    itemId: item.remoteId,
    ...(item.postId === undefined ? {} : { postId: item.postId }),
    ...(item.replyToId === undefined ? {} : { replyToId: item.replyToId }),
    ...(item.campaignId === undefined ? {} : { campaignId: item.campaignId }),
    author: {
      ...(item.author.id === undefined ? {} : { id: item.author.id }),
      name: item.author.name,
    },
    text: item.text,
    at: item.at,
    storedAt: item.storedAt,
  };
}

/** The rows of `inbox.item` for one stored item: one per endpoint subscribed to it. */
export function inboxItemRows(
  subscriptions: readonly OutboxSubscription[],
  item: StoredInboxItem,
): OutboxRow[] {
  return outboxRowsFor(subscriptions, 'inbox.item', inboxItemEventPayload(item), item.storedAt);
}

/** The rows an event makes: one per endpoint subscribed to its type. */
export function outboxRowsFor(
  subscriptions: readonly OutboxSubscription[],
  type: WebhookEventType,
  payload: Readonly<Record<string, unknown>>,
  at: string,
): OutboxRow[] {
  const text = JSON.stringify(payload);
  return subscriptions
    .filter((subscription) => subscription.events.includes(type))
    .map((subscription) => ({
      id: newEventId(),
      webhookId: subscription.webhookId,
      type,
      payload: text,
      createdAt: at,
      attempts: 0,
      nextAttemptAt: at,
    }));
}
