/**
 * One description of the Tencent Weibo open API (OAuth2 "2.a", platforms.md §3) that drives both
 * fakes: the loopback sandbox server (`sandbox.ts`) and the msw handlers (`msw.ts`). Both feed
 * requests to {@link handleTencentRequest} and only carry out what it answers (status, body, delay,
 * drop), so the two cannot drift apart.
 *
 * Tencent Weibo stopped service on 2020-09-28. This fake exists so the adapter can be built and
 * tested against the documented protocol; it is not a copy of a live service.
 *
 * The state lives in a {@link TencentPlatform} (`tencent-platform.ts`): accounts, tokens, tweets,
 * rate windows, faults to inject, and a log of requests for tests to inspect. The endpoints are in
 * `post-tweets.ts`, `read-timeline.ts`, `read-inbox.ts` (with `time-paging.ts`), `reply-tweets.ts`
 * and `read-counts.ts`; the conversation citizens and accounts write in `inbox-store.ts`; the
 * settings in `settings.ts`, the faults in `faults.ts`.
 *
 * Points marked [unconfirmed] are hypotheses (platforms.md §6) the fake has to decide one way;
 * the adapter is written to tolerate the other way.
 */
import { protocolPathUnder } from '../../fake/platform.js';
import type { PlatformRequestHandler } from '../../fake/protocol.js';
import { answerRequest } from '../../fake/fake-platform.js';
import type { TencentPlatform, TencentProtocolRequest } from './tencent-platform.js';

export {
  DEFAULT_FIRST_TWEET_ID,
  TENCENT_MAX_REQNUM,
  TENCENT_OAUTH_PARAMETERS,
  TENCENT_POSTING_ENDPOINTS,
} from './settings.js';
export type {
  TencentAccountInfo,
  TencentAccountInit,
  TencentEndpointName,
  TencentLatency,
  TencentPlatformOptions,
  TencentRateLimit,
} from './settings.js';
export type { TencentFault, TencentFaultKind } from './faults.js';
export type {
  ConversationKind as TencentConversationKind,
  TencentCommentInit,
  TencentConversationTweet,
  TencentMentionInit,
} from './inbox-store.js';
export { TENCENT_RE_COUNT_MAX_IDS } from './read-counts.js';
export { TENCENT_RE_LIST_MAX_REQNUM } from './read-inbox.js';
export type {
  TencentCounts,
  TencentOAuthPlacement,
  TencentRequestRecord,
  TencentTweet,
} from './state.js';
export { TencentPlatform } from './tencent-platform.js';
export type { TencentProtocolRequest, TencentProtocolResponse } from './tencent-platform.js';

/**
 * Answers one request as Tencent Weibo would: routing, method, body encoding, `format=json`, the
 * OAuth parameters, `clientip`, the post rate limit, parameter rules, state change, and the queued
 * faults. The one function both fakes call.
 */
export const handleTencentRequest: PlatformRequestHandler<TencentPlatform, TencentProtocolRequest> =
  answerRequest;

/**
 * Maps a URL received by a fake to the protocol path (`/api/t/add`), given the base URL the fake
 * serves (`https://open.t.qq.com/api/`, `http://127.0.0.1:PORT/api/`, a gateway prefix).
 * Returns `undefined` when the URL is outside the base.
 */
export const tencentProtocolPath = protocolPathUnder('/api/');
