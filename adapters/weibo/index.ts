/**
 * The Weibo adapter of release-hall (open API v2, platforms.md §2).
 *
 * - publish: `POST statuses/share.json` (default) or `statuses/update.json`;
 * - relay: `POST statuses/repost.json` of the lead's status with the member's comment;
 * - retract: `POST statuses/destroy.json`;
 * - findExisting: `GET statuses/user_timeline.json`, matched on the text without its links;
 * - checkAccount (reads only): `POST oauth2/get_token_info`, then `GET users/show.json`;
 * - readInbox (reads only): `GET comments/to_me.json`, `comments/mentions.json`,
 *   `statuses/mentions.json`, or `comments/show.json` for one status (`read-inbox.ts`);
 * - readReach (reads only): `GET statuses/count.json`, 100 ids per call (`read-reach.ts`).
 * - readActivity (reads only): `GET users/show.json` (followers, latest post), then
 *   `GET statuses/user_timeline.json` pages back to the date asked (`read-activity.ts`).
 * - replyToInbox: `POST comments/reply.json`; findInboxReply: `GET comments/by_me.json`
 *   (`reply-inbox.ts`).
 *
 * The adapter sends each request once and classifies the answer; the core owns every retry.
 * The workflows live beside this file: `options.ts`, `write-status.ts`, `find-existing.ts`.
 */
import { credentialMethods } from '#adapter-kit';
import { ADAPTER_SPECIFICATION_VERSION } from '#core';
import type { Adapter, AdapterLimits } from '#core';
import { WEIBO_MAX_LENGTH, countWeiboText } from './count-weibo-text.js';
import { checkWeiboAccount } from './check-account.js';
import { findWeiboStatus } from './find-existing.js';
import { WEIBO_PLATFORM } from './map-weibo-error.js';
import { resolveWeiboOptions, weiboAccountSchema } from './options.js';
import type { WeiboAdapterOptions } from './options.js';
import { readWeiboActivity } from './read-activity.js';
import { readWeiboInbox } from './read-inbox.js';
import { readWeiboReach } from './read-reach.js';
import { findWeiboReply, replyToWeiboComment } from './reply-inbox.js';
import { weiboPostUrl } from './read-reply.js';
import { publishStatus, relayStatus, retractStatus } from './write-status.js';

export { countWeiboText, WEIBO_MAX_LENGTH } from './count-weibo-text.js';
export { mapWeiboError } from './map-weibo-error.js';
export type { MapWeiboErrorOptions, WeiboErrorReply } from './map-weibo-error.js';
export {
  WEIBO_DEFAULT_BASE_URL,
  WEIBO_DEFAULT_RATE_LIMITS,
  weiboAccountSchema,
} from './options.js';
export type { WeiboAdapterOptions, WeiboLimitsOverride } from './options.js';
export { parseWeiboDate, weiboTextFingerprint } from './find-existing.js';
export {
  WEIBO_COMMENTS_PAGE_SIZE,
  WEIBO_INBOX_DEFAULT_MAX_ITEMS,
  WEIBO_MENTIONS_PAGE_SIZE,
  weiboPostCommentsKey,
} from './read-inbox.js';
export { WEIBO_REACH_BATCH_SIZE, readWeiboCount } from './read-reach.js';
export { WEIBO_REPLY_LOOKUP_MAX_ITEMS, isWeiboReplyText } from './reply-inbox.js';
export { WEIBO_ACTIVITY_MAX_PAGES, WEIBO_ACTIVITY_PAGE_SIZE } from './read-activity.js';

/** The Weibo adapter, with the mode it posts in; it always reads inboxes, reach and activity. */
export interface WeiboAdapter extends Adapter {
  readonly platform: 'weibo';
  readonly mode: 'share' | 'update';
  readInbox: NonNullable<Adapter['readInbox']>;
  readReach: NonNullable<Adapter['readReach']>;
  readActivity: NonNullable<Adapter['readActivity']>;
  replyToInbox: NonNullable<Adapter['replyToInbox']>;
  findInboxReply: NonNullable<Adapter['findInboxReply']>;
}

/**
 * Makes the Weibo adapter.
 *
 * @example
 * const weibo = createWeiboAdapter({ rip: '203.0.113.7' });
 * const sandboxed = createWeiboAdapter({ baseURL: sandbox.url, rip: '203.0.113.7' });
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong.
 */
export function createWeiboAdapter(options: WeiboAdapterOptions = {}): WeiboAdapter {
  const settings = resolveWeiboOptions(options);
  const { mode } = settings;

  const limits: AdapterLimits = {
    text: {
      name: 'weibo-140',
      maxLength: WEIBO_MAX_LENGTH,
      count: countWeiboText,
      requiresSafeDomainLink: mode === 'share',
      allowsTopics: mode === 'update',
    },
    rate: settings.rate,
    supportsRelay: true,
  };

  return {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform: WEIBO_PLATFORM,
    mode,
    limits,
    credentialFields: ['access_token'],
    accountSchema: weiboAccountSchema,
    identityFields: ['uid'],
    postUrl: weiboPostUrl,

    checkReady() {
      return settings.rip === undefined
        ? [
            {
              path: 'platforms.weibo.settings.rip',
              message:
                'Weibo requires the end user\'s IP ("rip") on every post: set it to the press office\'s public IP',
            },
          ]
        : [];
    },

    checkAccount: (account, context) => checkWeiboAccount(settings, account, context),

    readInbox: (account, request, context) => readWeiboInbox(settings, account, request, context),

    readReach: (account, postIds, context) => readWeiboReach(settings, account, postIds, context),
    readActivity: (account, since, context) => readWeiboActivity(settings, account, since, context),
    replyToInbox: (account, item, text, context) =>
      replyToWeiboComment(settings, account, item, text, context),

    findInboxReply: (account, item, text, context) =>
      findWeiboReply(settings, account, item, text, context),

    ...credentialMethods({ platform: WEIBO_PLATFORM, field: 'access_token' }, settings, {
      publish: publishStatus,
      relay: relayStatus,
      retract: retractStatus,
      findExisting: findWeiboStatus,
    }),
  };
}
