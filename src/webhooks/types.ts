/** The events of the webhooks and the shape of what is sent. */

/**
 * The events a webhook can subscribe to. `inbox.item` is sent once for each inbox item the journal
 * stores for the first time (by the service's WeChat callbacks or by `inbox sync`); it carries the
 * item's text and author (personal data), see docs/webhooks.md.
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
