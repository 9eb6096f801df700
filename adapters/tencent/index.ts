/**
 * The Tencent Weibo adapter of release-hall (open API v1 with OAuth2 "2.a", platforms.md §3).
 *
 * Tencent Weibo (t.qq.com) stopped service on 2020-09-28. This adapter follows its documented
 * protocol, for archives of that protocol, compatible gateways that still speak it, and the
 * sandbox; there is no live Tencent service for it to reach.
 *
 * - publish: `POST t/add`;
 * - relay: `POST t/re_add` with `reid`, the id of the lead's tweet, and the member's comment;
 * - retract: `POST t/del` (`ret=4 errcode=6` means already gone);
 * - findExisting: `GET statuses/broadcast_timeline`, matched on the text without its URLs and,
 *   for a relay, on the id of the tweet relayed;
 * - checkAccount (reads only): `GET user/info`, and `GET statuses/broadcast_timeline` when it
 *   shows no tweet.
 * - readInbox (reads only): `GET statuses/mentions_timeline` (comments and replies, then
 *   mentions), or `GET t/re_list?flag=1` for one tweet (`read-inbox.ts`);
 * - replyToInbox: `POST t/reply`; findInboxReply: `GET statuses/broadcast_timeline?type=8`
 *   (`reply-inbox.ts`);
 * - readReach (reads only): `GET t/re_count?flag=2`, 30 ids per call (`read-reach.ts`);
 * - readActivity (reads only): `GET user/info` and `GET statuses/broadcast_timeline`
 *   (`read-activity.ts`).
 *
 * Every call carries the OAuth parameters `oauth_consumer_key`, `access_token`, `openid`,
 * `clientip`, `oauth_version=2.a`, `scope=all`, and `format=json`. The adapter sends each request
 * once and classifies the answer; the core owns every retry. The workflows live beside this
 * file: `options.ts`, `oauth.ts`, `write-tweet.ts`, `find-existing.ts`.
 *
 * @packageDocumentation
 */
import { credentialMethods } from '#adapter-kit';
import { ADAPTER_SPECIFICATION_VERSION } from '#core';
import type { Adapter, AdapterLimits } from '#core';
import { TENCENT_MAX_BYTES, countTencentText } from './count-tencent-text.js';
import { checkTencentAccount } from './check-account.js';
import { findTencentTweet } from './find-existing.js';
import { TENCENT_PLATFORM } from './map-tencent-error.js';
import { missingSettings } from './oauth.js';
import { resolveTencentOptions, tencentAccountSchema } from './options.js';
import type { TencentAdapterOptions } from './options.js';
import { readTencentActivity } from './read-activity.js';
import { readTencentInbox } from './read-inbox.js';
import { readTencentReach } from './read-reach.js';
import { tencentPostUrl } from './read-reply.js';
import { findTencentReply, replyToTencentItem } from './reply-inbox.js';
import { publishTweet, relayTweet, retractTweet } from './write-tweet.js';

export { TENCENT_MAX_BYTES, TENCENT_URL_BYTES, countTencentText } from './count-tencent-text.js';
export { mapTencentError } from './map-tencent-error.js';
export type { MapTencentErrorOptions, TencentErrorReply } from './map-tencent-error.js';
export { clientIpProblem } from './client-ip.js';
export {
  TENCENT_DEFAULT_BASE_URL,
  TENCENT_DEFAULT_RATE_LIMITS,
  tencentAccountSchema,
} from './options.js';
export type { TencentAdapterOptions, TencentLimitsOverride } from './options.js';
export { tencentTextFingerprint } from './find-existing.js';
export {
  TENCENT_COMMENTS_TYPE,
  TENCENT_INBOX_DEFAULT_MAX_ITEMS,
  TENCENT_MENTIONS_TYPE,
  TENCENT_RE_LIST_PAGE_SIZE,
  TENCENT_TIMELINE_PAGE_SIZE,
} from './read-inbox.js';
export { TENCENT_ACTIVITY_MAX_PAGES } from './read-activity.js';
export { TENCENT_REACH_BATCH_SIZE } from './read-reach.js';
export { TENCENT_REPLY_LOOKUP_MAX_PAGES } from './reply-inbox.js';

/** The Tencent Weibo adapter; it always reads inboxes, reach and activity, and replies. */
export interface TencentAdapter extends Adapter {
  readonly platform: 'tencent';
  readInbox: NonNullable<Adapter['readInbox']>;
  readReach: NonNullable<Adapter['readReach']>;
  readActivity: NonNullable<Adapter['readActivity']>;
  replyToInbox: NonNullable<Adapter['replyToInbox']>;
  findInboxReply: NonNullable<Adapter['findInboxReply']>;
}

/**
 * Makes the Tencent Weibo adapter.
 *
 * @example
 * const tencent = createTencentAdapter({ appKey: '801000000', clientIp: '203.0.113.7' });
 * const sandboxed = createTencentAdapter({
 *   baseURL: sandbox.url,
 *   appKey: '801000000',
 *   clientIp: '203.0.113.7',
 * });
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong.
 */
export function createTencentAdapter(options: TencentAdapterOptions = {}): TencentAdapter {
  const settings = resolveTencentOptions(options);

  const limits: AdapterLimits = {
    text: {
      name: 'tencent-420',
      maxLength: TENCENT_MAX_BYTES,
      count: countTencentText,
      requiresSafeDomainLink: false,
      allowsTopics: true,
    },
    rate: settings.rate,
    supportsRelay: true,
  };

  return {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform: TENCENT_PLATFORM,
    limits,
    credentialFields: ['access_token'],
    accountSchema: tencentAccountSchema,
    identityFields: ['openid'],

    checkReady() {
      // The app-level settings every call needs; per-account problems are found at call time.
      return missingSettings(settings, {
        id: '',
        memberId: '',
        platform: 'tencent',
        handle: '',
        credentials: '',
        settings: { openid: 'A' },
      });
    },
    postUrl: tencentPostUrl,

    checkAccount: (account, context) => checkTencentAccount(settings, account, context),

    readInbox: (account, request, context) => readTencentInbox(settings, account, request, context),

    replyToInbox: (account, item, text, context) =>
      replyToTencentItem(settings, account, item, text, context),

    findInboxReply: (account, item, text, context) =>
      findTencentReply(settings, account, item, text, context),

    readReach: (account, postIds, context) => readTencentReach(settings, account, postIds, context),

    readActivity: (account, since, context) =>
      readTencentActivity(settings, account, since, context),

    // The app key is scrubbed from anything thrown, like the access token.
    ...credentialMethods(
      { platform: TENCENT_PLATFORM, field: 'access_token', alsoScrub: [settings.appKey] },
      settings,
      {
        publish: publishTweet,
        relay: relayTweet,
        retract: retractTweet,
        findExisting: findTencentTweet,
      },
    ),
  };
}
