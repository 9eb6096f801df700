/** The events of the webhooks and the shape of what is sent. */

/**
 * The events a webhook can subscribe to. `inbox.item` is reserved for the inbox and is not
 * emitted yet: a webhook may list it, and receives nothing for it.
 */
export const WEBHOOK_EVENT_TYPES = [
  'campaign.settled',
  'delivery.failed',
  'delivery.unconfirmed',
  'deadline.missed',
  'inbox.item',
] as const;

/** The type of a webhook event. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * The body of every webhook request (JSON): the event's type, when it happened and its data. The
 * same event is sent with the same body and the same `webhook-id` on every attempt.
 */
export interface WebhookEvent<Data = Record<string, unknown>> {
  /** The event id, also sent as the `webhook-id` header. */
  readonly id: string;
  readonly type: WebhookEventType;
  /** When the event happened (ISO time). */
  readonly timestamp: string;
  readonly data: Data;
}
