/**
 * The fake platforms without any test-runner dependency: the protocol descriptions, the loopback
 * sandbox servers and the hall sandbox. Safe to load from the CLI; `testing.ts` re-exports it
 * together with the msw handlers and the contract suite.
 */
export { startHallSandbox } from './hall-sandbox.js';
export type { HallSandbox, HallSandboxOptions } from './hall-sandbox.js';
export { sandboxPlatforms, sandboxSecrets } from './hall-sandbox-files.js';
export { startWeiboSandbox } from '../weibo/fake/sandbox.js';
export type { WeiboSandbox, WeiboSandboxOptions } from '../weibo/fake/sandbox.js';
export {
  DEFAULT_FIRST_STATUS_ID,
  DEFAULT_REPOST_TEXT,
  WEIBO_POSTING_ENDPOINTS,
  WeiboPlatform,
  formatWeiboDate,
  handleWeiboRequest,
  protocolPath,
} from '../weibo/fake/protocol.js';
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
} from '../weibo/fake/protocol.js';
export { startTencentSandbox } from '../tencent/fake/sandbox.js';
export type { TencentSandbox, TencentSandboxOptions } from '../tencent/fake/sandbox.js';
export {
  DEFAULT_FIRST_TWEET_ID,
  TENCENT_MAX_REQNUM,
  TENCENT_OAUTH_PARAMETERS,
  TENCENT_POSTING_ENDPOINTS,
  TencentPlatform,
  handleTencentRequest,
  tencentProtocolPath,
} from '../tencent/fake/protocol.js';
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
} from '../tencent/fake/protocol.js';
export { startWechatSandbox } from '../wechat/fake/sandbox.js';
export type { WechatSandbox, WechatSandboxOptions } from '../wechat/fake/sandbox.js';
export {
  DEFAULT_FIRST_MSG_ID,
  DEFAULT_FIRST_PUBLISH_ID,
  WECHAT_ARTICLE_LIMITS,
  WECHAT_CLIENT_MSG_ID_MAX_BYTES,
  WECHAT_PUBLISHING_ENDPOINTS,
  WECHAT_WRITE_ENDPOINTS,
  WechatPlatform,
  handleWechatRequest,
  hasUnicodeEscape,
  wechatProtocolPath,
} from '../wechat/fake/protocol.js';
export type {
  WechatAccountInfo,
  WechatAccountInit,
  WechatArticleFields,
  WechatArticleInfo,
  WechatCounts,
  WechatDraftInfo,
  WechatEndpointName,
  WechatFault,
  WechatFaultKind,
  WechatLatency,
  WechatMassSendInfo,
  WechatMediaInfo,
  WechatPlatformOptions,
  WechatProtocolRequest,
  WechatProtocolResponse,
  WechatPublishJobInfo,
  WechatRequestRecord,
  WechatTokenFetches,
} from '../wechat/fake/protocol.js';
