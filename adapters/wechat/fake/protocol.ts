/**
 * One description of the WeChat Official Accounts API (platforms.md §1.1–1.9) that drives both
 * fakes: the loopback sandbox server (`sandbox.ts`) and the msw handlers (`msw.ts`). Both feed
 * requests to {@link handleWechatRequest} and only carry out what it answers (status, body, delay,
 * drop), so the two cannot drift apart.
 *
 * The state lives in a {@link WechatPlatform} (`wechat-platform.ts`): accounts (appid, AppSecret,
 * kind), tokens of both endpoints (`tokens.ts`), permanent media and article images
 * (`upload-media.ts`), drafts (`drafts.ts`), publish jobs and articles (`publishing.ts`), mass sends
 * with their `clientmsgid` records and quotas (`mass-send.ts`), customer-service messages and
 * their windows (`customer-service.ts`), followers (`followers.ts`), article statistics below
 * `/datacube/` (`datacube.ts`), faults to inject (`faults.ts`), a
 * movable clock, and a log of requests for tests to inspect (never holding a token or a secret).
 *
 * Points marked [unconfirmed] are hypotheses (platforms.md §6) the fake has to decide one way; the
 * adapter is written to tolerate the other way. Periods of the mass-send quota are computed here
 * with a fixed +08:00 offset (China has no daylight saving time), independently of the adapter's
 * quota ledger, so a test over both checks one against the other.
 */
import { protocolPathUnder } from '../../fake/platform.js';
import type { PlatformRequestHandler } from '../../fake/protocol.js';
import { answerRequest } from '../../fake/fake-platform.js';
import type { WechatPlatform, WechatProtocolRequest } from './wechat-platform.js';

export {
  DEFAULT_FIRST_MSG_ID,
  DEFAULT_FIRST_PUBLISH_ID,
  WECHAT_ARTICLE_LIMITS,
  WECHAT_CLIENT_MSG_ID_MAX_BYTES,
  WECHAT_PUBLISHING_ENDPOINTS,
  WECHAT_WRITE_ENDPOINTS,
} from './settings.js';
export type {
  WechatAccountInfo,
  WechatAccountInit,
  WechatEndpointName,
  WechatLatency,
  WechatPlatformOptions,
  WechatTagInit,
} from './settings.js';
export type { WechatFault, WechatFaultKind } from './faults.js';
export type {
  WechatArticleFields,
  WechatArticleInfo,
  WechatCounts,
  WechatDraftInfo,
  WechatMassSendInfo,
  WechatMediaInfo,
  WechatPublishJobInfo,
  WechatRequestRecord,
  WechatTagInfo,
  WechatTokenFetches,
  WechatCustomMessageInfo,
  WechatArticleStatsInit,
  WechatArticleDayInit,
} from './inspection.js';
export type { WechatInboundInit } from './customer-service.js';
export { hasUnicodeEscape, parseMultipart } from './request-body.js';
export { WechatPlatform } from './wechat-platform.js';
export type { WechatProtocolRequest, WechatProtocolResponse } from './wechat-platform.js';

/**
 * Answers one request as WeChat would: routing, method, token, body encoding (raw JSON characters,
 * multipart `media`), account checks, field limits, state change, and the queued faults. The one
 * function both fakes call.
 */
export const handleWechatRequest: PlatformRequestHandler<WechatPlatform, WechatProtocolRequest> =
  answerRequest;

/**
 * Maps a URL received by a fake to the protocol path (`/cgi-bin/draft/add`), given the base URL the
 * fake serves (`https://api.weixin.qq.com/cgi-bin/`, `http://127.0.0.1:PORT/cgi-bin/`, a gateway
 * prefix). Returns `undefined` when the URL is outside the base.
 */
export const wechatProtocolPath = protocolPathUnder('/cgi-bin/');
