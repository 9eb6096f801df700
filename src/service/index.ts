/**
 * The HTTP service for CMS backends (`release-hall/service`): API keys with roles, previews,
 * campaigns created once per `Idempotency-Key`, status, pause, resume and retract; the WeChat
 * callbacks of the hall's accounts and their crisis mode. Kept off the
 * root import so that `release-hall` does not load the HTTP server.
 */
export { DEFAULT_MAX_BODY_BYTES, createServiceApp } from './app.js';
export type { ServiceApp, ServiceOptions } from './app.js';
export { startService } from './start.js';
export type { RunningService, StartServiceOptions } from './start.js';
export { KeyRing, ROLE_PERMISSIONS, resolveApiKeys } from './keys.js';
export type { ApiKey, ApiRole, Permission } from './keys.js';
export { bodyHashOf, campaignIdFor } from './idempotency.js';
export type { Problem } from './problem.js';
export {
  CALLBACK_TOKEN_FIELD,
  ENCODING_AES_KEY_FIELD,
  resolveWechatCallbacks,
} from './wechat-accounts.js';
export type {
  UnmountedWechatAccount,
  WechatCallbackAccount,
  WechatCallbackAccounts,
} from './wechat-accounts.js';
export { inboxEntryOf } from './wechat-callbacks.js';
export type { WechatAnswerRequest, WechatServiceOptions } from './wechat-callbacks.js';
export { CrisisMode } from './wechat-crisis.js';
export type { CrisisState, CrisisStatement } from './wechat-crisis.js';
