/**
 * `release-hall/testing`: test doubles for users' own tests.
 *
 * - the fake platforms and their loopback sandboxes (also in `./sandbox.ts`, which has no
 *   test-runner dependency);
 * - msw handlers built on the same protocol descriptions (needs `msw`);
 * - the adapter contract suite (needs `vitest`), to run against a new adapter.
 *
 * The main entry (`release-hall`) never imports this module.
 */
export * from './sandbox.js';
export { weiboHandlers } from '../weibo/fake/msw.js';
export { tencentHandlers } from '../tencent/fake/msw.js';
export { wechatHandlers } from '../wechat/fake/msw.js';
export type { WechatHandlersOptions } from '../wechat/fake/msw.js';
export {
  DRIVER_DEFAULT_ACCOUNT,
  DRIVER_DEFAULT_OPENID,
  DRIVER_MIN_MSG_ID,
  createCallbackDriver,
  textMessageXml,
  clickEventXml,
  massSendJobFinishXml,
  publishJobFinishXml,
} from './wechat-callback-driver.js';
export type {
  CallbackDriver,
  CallbackDriverOptions,
  DriverResult,
  DriverReply,
  DriverRequest,
  DriverSendOptions,
  DriverTextOptions,
  DriverClickOptions,
  DriverMassSendJobFinishOptions,
  DriverPublishJobFinishOptions,
} from './wechat-callback-driver.js';
export type { TencentHandlersOptions } from '../tencent/fake/msw.js';
export type { WeiboHandlersOptions } from '../weibo/fake/msw.js';
export { runAdapterContract } from './contract-suite.js';
export type {
  ContractCase,
  ContractContextOverrides,
  ContractFault,
  ContractHarness,
  ContractPost,
} from './contract-suite.js';
export { createMemoryAdapter } from './memory-adapter.js';
export type {
  MemoryAdapter,
  MemoryAdapterOptions,
  MemoryFault,
  MemoryPost,
} from './memory-adapter.js';
