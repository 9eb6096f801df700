/**
 * The fake platforms without any test-runner dependency: the protocol descriptions, the loopback
 * sandbox servers and the hall sandbox. Safe to load from the CLI; `testing.ts` re-exports it
 * together with the msw handlers and the contract suite.
 */
export { startHallSandbox } from './hall-sandbox.js';
export type { HallSandbox, HallSandboxOptions } from './hall-sandbox.js';
export { startWeiboSandbox } from './weibo/sandbox.js';
export type { WeiboSandbox, WeiboSandboxOptions } from './weibo/sandbox.js';
export {
  DEFAULT_FIRST_STATUS_ID,
  DEFAULT_REPOST_TEXT,
  WEIBO_POSTING_ENDPOINTS,
  WeiboPlatform,
  formatWeiboDate,
  handleWeiboRequest,
  protocolPath,
} from './weibo/protocol.js';
export type {
  WeiboAccountInfo,
  WeiboAccountInit,
  WeiboCounts,
  WeiboEndpointName,
  WeiboFault,
  WeiboFaultKind,
  WeiboLatency,
  WeiboPlatformOptions,
  WeiboPost,
  WeiboProtocolRequest,
  WeiboProtocolResponse,
  WeiboRateLimit,
  WeiboRequestRecord,
} from './weibo/protocol.js';
export { startTencentSandbox } from './tencent/sandbox.js';
export type { TencentSandbox, TencentSandboxOptions } from './tencent/sandbox.js';
export {
  DEFAULT_FIRST_TWEET_ID,
  TENCENT_MAX_REQNUM,
  TENCENT_OAUTH_PARAMETERS,
  TENCENT_POSTING_ENDPOINTS,
  TencentPlatform,
  handleTencentRequest,
  tencentProtocolPath,
} from './tencent/protocol.js';
export type {
  TencentAccountInfo,
  TencentAccountInit,
  TencentCounts,
  TencentEndpointName,
  TencentFault,
  TencentFaultKind,
  TencentLatency,
  TencentOAuthPlacement,
  TencentPlatformOptions,
  TencentProtocolRequest,
  TencentProtocolResponse,
  TencentRateLimit,
  TencentRequestRecord,
  TencentTweet,
} from './tencent/protocol.js';
