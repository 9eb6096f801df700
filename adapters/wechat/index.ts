/**
 * The WeChat Official Accounts adapter of release-hall (platforms.md §1).
 *
 * - publish: cover (`material/add_material?type=thumb`) and in-article images (`media/uploadimg`),
 *   cached per account by content hash; `draft/add`; `freepublish/submit`; then `freepublish/get`
 *   polled with backoff to a terminal status. Publishing does not push to followers and, as
 *   reported but [unconfirmed], uses no mass-send quota.
 * - push: `message/mass/sendall` to all followers, or to the followers of the account's
 *   `push.tag` (resolved with `tags/get`), with a deterministic `clientmsgid` (the one
 *   {@link wechatClientMsgId} gives for the delivery), confirmed with `message/mass/get`.
 * - relay: WeChat has no repost of another account's article; `relay` throws `INVALID_INPUT`.
 * - retract: `freepublish/delete`, or `message/mass/delete` for a push (`mass:<msg_id>` refs).
 * - findExisting: the publish_id when it is known, else `freepublish/batchget` matched by title.
 * - replyToInbox: a follower's message (kind `message`) is answered with a customer-service text
 *   (`message/custom/send`) within 48 hours of it; no `findInboxReply` (WeChat lists no sent
 *   customer-service message), see `custom-message.ts`. `sendCustomText` sends one such text.
 * - readReach: article reads and shares from `datacube/getarticletotal`, next day after 08:00
 *   (UTC+8); see `read-reach.ts` for which posts can be found there.
 * - readActivity: followers (`user/get` total) and articles published since a date
 *   (`freepublish/batchget`); see `read-activity.ts`.
 * - checkAccount: reads only: the token (`stable_token`), `get_api_domain_ip` (reachability and
 *   IP whitelist) and the newest article of `freepublish/batchget` (last post); see
 *   `check-account.ts`.
 *
 * Access tokens come from one {@link WechatTokenHolder} per appid (stable_token by default), shared
 * by every delivery of the account. The adapter sends each request once and classifies the answer;
 * the only call it repeats itself is one refused for its token (fetched again, compare-and-expire).
 * The core owns every other retry.
 *
 * This file wires the workflows together: `options.ts` (options and defaults), `runtime.ts` (token
 * holders, client, media library, what this process remembers), `draft.ts` and `media.ts`
 * (articles and their pictures), `publish.ts`, `push.ts`, `retract.ts`, `find.ts`, and
 * `client-msg-id.ts` (the one `clientmsgid` scheme).
 */
import { ADAPTER_SPECIFICATION_VERSION } from '#core';
import type { Account, Adapter, DeliveryContext } from '#core';
import { invalidInput } from '#adapter-kit';
import { wechatAccountSchema } from './account-schema.js';
import { checkArticleRendition } from './check.js';
import { checkWechatAccount } from './check-account.js';
import { wechatClientMsgId } from './client-msg-id.js';
import { guarded } from './errors.js';
import { findExistingArticle } from './find.js';
import { wechatLimits } from './limits.js';
import { WECHAT_PLATFORM } from './map-wechat-error.js';
import { resolveOptions } from './options.js';
import type { WechatAdapterOptions } from './options.js';
import { publishArticle } from './publish.js';
import type { WechatCallContext } from './client.js';
import { accountPushQuota, pushDelivery, pushMessage, pushStatus } from './push.js';
import type { WechatPushRequest, WechatPushResult } from './push.js';
import { pushAudience, pushTagId } from './push-tag.js';
import type { WechatPushAudience } from './push-tag.js';
import { retractPost } from './retract.js';
import { createRuntime } from './runtime.js';
import { replyToWechatMessage, sendCustomText } from './custom-message.js';
import { readWechatActivity } from './read-activity.js';
import { readWechatReach } from './read-reach.js';
import type { WechatTokenHolder, WechatTokenMode } from './token-holder.js';

export {
  WECHAT_ALREADY_SENT_CODE,
  WECHAT_MASS_REPEAT_WAIT_MS,
  WECHAT_PLATFORM,
  WECHAT_REPEAT_TOO_FAST_CODE,
  WECHAT_TOKEN_ERROR_CODES,
  isTokenErrorCode,
  mapWechatError,
  splitRequestId,
  wechatErrorCode,
} from './map-wechat-error.js';
export type { MapWechatErrorOptions, WechatErrorReply } from './map-wechat-error.js';
export {
  DEFAULT_REFRESH_MARGIN_MS,
  MemoryTokenStore,
  WechatTokenHolder,
  tokenStoreKey,
} from './token-holder.js';
export type {
  StoredToken,
  TokenRequest,
  TokenStore,
  WechatTokenHolderOptions,
  WechatTokenMode,
} from './token-holder.js';
export {
  MemoryMediaCache,
  WechatMediaLibrary,
  mediaCacheKey,
  readLocalImage,
  sha256Hex,
} from './media-cache.js';
export type { CachedMedia, ImageLoader, MediaCache, WechatMediaKind } from './media-cache.js';
export {
  DEFAULT_PUSH_QUOTAS,
  WECHAT_QUOTA_TIME_ZONE,
  mayPush,
  pushQuotaRule,
  pushesLeft,
  quotaPeriodBounds,
  quotaPeriodKey,
} from './quota-ledger.js';
export type {
  PushQuotaRule,
  PushQuotaStatus,
  PushRecord,
  WechatAccountKind,
} from './quota-ledger.js';
export { wechatJson } from './client.js';
export { wechatAccountSchema } from './account-schema.js';
export { wechatClientMsgId } from './client-msg-id.js';
export {
  WECHAT_ARTICLE_PROFILE,
  WECHAT_DEFAULT_RATE_LIMITS,
  WECHAT_TEXT_MAX_LENGTH,
} from './limits.js';
export { WECHAT_DEFAULT_BASE_URL, WECHAT_DEFAULT_POLL_INTERVALS_MS } from './options.js';
export type { WechatAdapterOptions, WechatLimitsOverride } from './options.js';
export { DRAFT_MEDIA_ID_NOTE, PUBLISH_ID_NOTE } from './publish.js';
export { WECHAT_ADMIN_CONFIRMATION_MS } from './push.js';
export type { WechatPushRequest, WechatPushResult, WechatPushStatus } from './push.js';
export type { WechatPushAudience, WechatTag } from './push-tag.js';
export type { WechatCallContext } from './client.js';
export { WECHAT_MASS_DELETE_WARNING } from './retract.js';

/** The WeChat adapter, with the push (mass send) methods. */
export interface WechatAdapter extends Adapter {
  readonly platform: 'wechat';
  readonly tokenMode: WechatTokenMode;
  /**
   * Mass-sends to all followers of the account (`message/mass/sendall`). Safe to repeat with the
   * same `clientMsgId`: `45065` means it was already sent (its `msg_id` is confirmed with
   * `mass/get`); `45066` throws `RATE_LIMITED` with `retryAfterMs` ≥ 60 000 (repeat with the same
   * id); `45028`/`45009` throw `QUOTA_EXHAUSTED`. A send taken by WeChat resolves with its status,
   * also when that status is a failure.
   */
  pushMessage(
    account: Account,
    context: DeliveryContext,
    request: WechatPushRequest,
  ): Promise<WechatPushResult>;
  /** The status of a push by `msg_id` (`message/mass/get`). */
  pushStatus(
    account: Account,
    context: DeliveryContext,
    msgId: string,
    options?: { readonly submittedAt?: Date | undefined; readonly tagId?: string | undefined },
  ): Promise<WechatPushResult>;
  /**
   * Whom the account's push reaches, checked against WeChat before anything is sent: every
   * follower, or the hall file's `push.tag` with its id and follower count (`tags/get`). The
   * pre-flight asks it for every account that pushes, and shows the tag in the plan.
   * @throws ReleaseHallError `INVALID_INPUT` (path `push.tag`) for a tag the account does not
   * have, or one no follower carries.
   */
  pushAudience(account: Account, context: WechatCallContext): Promise<WechatPushAudience>;
  /**
   * The tag id the account's push goes to (the hall file's `push.tag`; a name is looked up with
   * `tags/get`), `undefined` for every follower.
   */
  pushTagId(account: Account, context: WechatCallContext): Promise<string | undefined>;
  /**
   * A deterministic `clientmsgid` (≤ 64 bytes) for (campaign, account, action):
   * {@link wechatClientMsgId}, the id `push` sends for that delivery.
   */
  clientMsgId(campaignId: string, accountId: string, action: string): string;
  /** The token holder of an appid (one per appid, shared by every delivery). */
  tokenHolder(appid: string): WechatTokenHolder;
  /**
   * Sends one customer-service text to a follower (`message/custom/send`), the request
   * `replyToInbox` makes: e.g. a reply that came too late for the callback's passive answer.
   * WeChat takes it only within 48 hours of the follower's last message, 5 per message. Sent once;
   * a timeout or a 5xx after it left throws `AMBIGUOUS` (there is no way to look it up: do not
   * send it again).
   * @throws ReleaseHallError `PERMISSION_DENIED` (`45015` outside the window or unfollowed,
   * `48002` messages turned off), `QUOTA_EXHAUSTED` (`45047`), `INVALID_INPUT` (`40003` an openid
   * not of this account, an empty text).
   */
  sendCustomText(
    account: Account,
    openid: string,
    text: string,
    context: WechatCallContext,
  ): Promise<void>;
}

/**
 * Makes the WeChat Official Accounts adapter.
 *
 * @example
 * const wechat = createWechatAdapter({ defaultCover: './assets/cover.jpg' });
 * const sandboxed = createWechatAdapter({ baseURL: sandbox.url, publishPoll: { intervalsMs: [10, 10, 10] } });
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong.
 */
export function createWechatAdapter(options: WechatAdapterOptions = {}): WechatAdapter {
  const runtime = createRuntime(resolveOptions(options));
  const adapter: WechatAdapter = {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform: WECHAT_PLATFORM,
    tokenMode: runtime.options.tokenMode,
    limits: wechatLimits(runtime.options.rate),
    credentialFields: ['secret'],
    accountSchema: wechatAccountSchema,
    identityFields: ['appid'],
    // The article URL comes with the publish result; it cannot be built from the article_id.
    postUrl: () => undefined,
    tokenHolder: runtime.tokenHolder,
    clientMsgId: wechatClientMsgId,

    checkRendition: (rendition, account) =>
      checkArticleRendition(runtime.options, rendition, account),

    publish: (rendition, account, context) =>
      guarded(account, () => publishArticle(runtime, rendition, account, context)),

    relay: (_source, _rendition, account) =>
      Promise.reject(
        invalidInput(`relay for account "${account.id}"`, [
          {
            path: 'action',
            message:
              "WeChat has no relay (an account cannot repost another account's article): publish the article on each account instead",
          },
        ]),
      ),

    retract: (ref, account, context) =>
      guarded(account, () => retractPost(runtime, ref, account, context)),

    findExisting: (delivery, account, context) =>
      guarded(account, () => findExistingArticle(runtime, delivery, account, context)),

    push: (rendition, account, context) => pushDelivery(adapter, rendition, account, context),

    pushQuota: accountPushQuota,

    checkAccount: (account, context) => checkWechatAccount(runtime, account, context),

    pushMessage: (account, context, request) =>
      guarded(account, () => pushMessage(runtime, account, context, request)),

    pushStatus: (account, context, msgId, statusOptions = {}) =>
      guarded(account, () =>
        pushStatus(
          runtime,
          account,
          context,
          msgId,
          statusOptions.submittedAt,
          statusOptions.tagId,
        ),
      ),

    pushAudience: (account, context) =>
      guarded(account, () => pushAudience(runtime, account, context)),

    pushTagId: (account, context) => guarded(account, () => pushTagId(runtime, account, context)),

    // No findInboxReply: WeChat has no look-up of the customer-service messages an account sent,
    // so a reply whose answer was lost stays `unknown` and is never sent twice.
    replyToInbox: (account, item, text, context) =>
      guarded(account, () => replyToWechatMessage(runtime, account, item, text, context)),

    // The token first, outside the reply's `sending` record: a failed fetch has sent nothing.
    prepareReply: (account, context) =>
      guarded(account, () => runtime.client.warmToken(account, context)),

    sendCustomText: (account, openid, text, context) =>
      guarded(account, () => sendCustomText(runtime, account, openid, text, context)),

    readReach: (account, postIds, context) => readWechatReach(runtime, account, postIds, context),

    readActivity: (account, since, context) => readWechatActivity(runtime, account, since, context),
  };
  return adapter;
}
