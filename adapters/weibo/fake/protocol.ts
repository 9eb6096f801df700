/**
 * One description of the Weibo open API v2 (platforms.md §2) that drives both fakes: the loopback
 * sandbox server (`sandbox.ts`) and the msw handlers (`msw.ts`). Both feed requests to
 * {@link handleWeiboRequest} and only carry out what it answers (status, body, delay, drop), so the
 * two cannot drift apart.
 *
 * The state lives in a {@link WeiboPlatform} (`weibo-platform.ts`): accounts, tokens, statuses,
 * rate windows, faults to inject, and a log of requests for tests to inspect. The endpoints are in
 * `post-statuses.ts`, `read-statuses.ts`, `read-account.ts` and `read-inbox.ts` (comments and
 * mentions, seeded with `addComment` / `addMention`), the settings in `settings.ts`, the faults in
 * `faults.ts`.
 *
 * Points marked [unconfirmed] are hypotheses (platforms.md §6) the fake has to decide one way;
 * the adapter is written to tolerate the other way.
 */
import type { PlatformRequestHandler } from '../../fake/protocol.js';
import { answerRequest } from '../../fake/fake-platform.js';
import { protocolPathUnder } from '../../fake/platform.js';
import type { WeiboPlatform, WeiboProtocolRequest } from './weibo-platform.js';

export {
  DEFAULT_FIRST_STATUS_ID,
  DEFAULT_REPOST_TEXT,
  WEIBO_POSTING_ENDPOINTS,
} from './settings.js';
export type {
  WeiboAccountInfo,
  WeiboAccountInit,
  WeiboEndpointName,
  WeiboLatency,
  WeiboPlatformOptions,
  WeiboRateLimit,
  WeiboRequestLimit,
} from './settings.js';
export type {
  WeiboComment,
  WeiboCommentInit,
  WeiboMention,
  WeiboMentionInit,
} from './inbox-store.js';
export { COMMENTS_MAX_COUNT, MENTIONS_MAX_COUNT } from './read-inbox.js';
export { STATUSES_COUNT_MAX_IDS } from './read-counts.js';
export { WEIBO_COMMENTS_PER_HOUR, replyPrefix } from './reply-comments.js';
export type { WeiboFault, WeiboFaultKind } from './faults.js';
export type { WeiboCounts, WeiboPost, WeiboRequestRecord } from './state.js';
export { formatWeiboDate } from './status-json.js';
export { WeiboPlatform } from './weibo-platform.js';
export type { WeiboProtocolRequest, WeiboProtocolResponse } from './weibo-platform.js';

/**
 * Answers one request as Weibo v2 would: routing, method, body encoding, token, post rate limit,
 * parameter rules, state change, and the queued faults. The one function both fakes call.
 */
export const handleWeiboRequest: PlatformRequestHandler<WeiboPlatform, WeiboProtocolRequest> =
  answerRequest;

/**
 * Maps a URL received by a fake to the protocol path (`/2/statuses/share.json`), given the base
 * URL the fake serves (`https://api.weibo.com/2/`, `http://127.0.0.1:PORT/2/`, a gateway prefix).
 * Returns `undefined` when the URL is outside the base.
 */
export const protocolPath = protocolPathUnder('/2/');
