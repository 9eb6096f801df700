/**
 * Signed webhooks (`release-hall/webhooks`): the helper a CMS uses to verify what it receives,
 * the event types, and the sender and outbox the service runs on.
 */
export {
  WebhookVerificationError,
  signWebhook,
  verifyWebhook,
  webhookSecretKey,
} from './signing.js';
export type { VerifyWebhookOptions, WebhookHeaders, WebhookVerificationCode } from './signing.js';
export { WEBHOOK_EVENT_TYPES } from './types.js';
export type { WebhookEvent, WebhookEventType } from './types.js';
export { DEFAULT_FIRST_DELAY_MS, DEFAULT_MAX_DELAY_MS, webhookBackoff } from './backoff.js';
export type { WebhookRetrySettings } from './backoff.js';
export { startWebhookSender, webhookBody } from './sender.js';
export type { WebhookEndpoint, WebhookSender, WebhookSenderOptions } from './sender.js';
export { SETTLED_STATES, hasOutbox } from '../journal/outbox.js';
export type {
  JournalOutbox,
  OutboxAttempt,
  OutboxRow,
  OutboxSubscription,
} from '../journal/outbox.js';
export { resolveWebhooks } from './resolve.js';
