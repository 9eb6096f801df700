/**
 * The endpoints the Weibo fake serves and the settings and accounts it takes (platforms.md §2).
 */
import {
  changedSettings,
  fakeSettingsFrom,
  type FakePlatformOptions,
} from '../../fake/fake-platform.js';
import { resolveMicroblogSettings, type MicroblogSettings } from '../../fake/microblog-platform.js';
import type { LatencySettings } from '../../fake/platform.js';

/** The endpoints the fake serves, named as in errors (`statuses/share`). */
export type WeiboEndpointName =
  | 'statuses/share'
  | 'statuses/update'
  | 'statuses/repost'
  | 'statuses/destroy'
  | 'statuses/user_timeline'
  | 'statuses/show'
  | 'statuses/count'
  | 'oauth2/get_token_info'
  | 'account/get_uid'
  | 'users/show'
  | 'comments/show'
  | 'comments/to_me'
  | 'comments/mentions'
  | 'statuses/mentions'
  | 'comments/reply'
  | 'comments/by_me';

interface EndpointRule {
  readonly method: 'GET' | 'POST';
  /** Creates a status (counted by the post rate limit). */
  readonly creates: boolean;
}

export const ENDPOINTS: Readonly<Record<WeiboEndpointName, EndpointRule>> = {
  'statuses/share': { method: 'POST', creates: true },
  'statuses/update': { method: 'POST', creates: true },
  'statuses/repost': { method: 'POST', creates: true },
  'statuses/destroy': { method: 'POST', creates: false },
  'statuses/user_timeline': { method: 'GET', creates: false },
  'statuses/show': { method: 'GET', creates: false },
  // Reach (platforms-listening.md §1.4): a read, counted by `requestLimit` only.
  'statuses/count': { method: 'GET', creates: false },
  // Readiness reads (platforms-listening.md §1.5). `get_token_info` lives under `/oauth2/`, beside
  // the versioned API, and is a POST.
  'oauth2/get_token_info': { method: 'POST', creates: false },
  'account/get_uid': { method: 'GET', creates: false },
  'users/show': { method: 'GET', creates: false },
  // The inbox (platforms-listening.md §1.2): reads, counted by `requestLimit` only.
  'comments/show': { method: 'GET', creates: false },
  'comments/to_me': { method: 'GET', creates: false },
  'comments/mentions': { method: 'GET', creates: false },
  'statuses/mentions': { method: 'GET', creates: false },
  // Replying (platforms-listening.md §1.3): a comment, not a status; its own hourly cap.
  'comments/reply': { method: 'POST', creates: false },
  'comments/by_me': { method: 'GET', creates: false },
};

/** The write endpoints that create a status. */
export const WEIBO_POSTING_ENDPOINTS: readonly WeiboEndpointName[] = [
  'statuses/share',
  'statuses/update',
  'statuses/repost',
];

/** Default first status id: above 2^53, so any trip through a JS number loses digits. */
export const DEFAULT_FIRST_STATUS_ID = 4_900_000_000_000_000_001n;

/** Five years: the order of the `expire_in` in the wiki's `get_token_info` example. */
export const DEFAULT_TOKEN_LIFETIME_MS = 157_680_000_000;

/** Text of a repost without a comment (the platform default). */
export const DEFAULT_REPOST_TEXT = '转发微博';

/** Simulated latency: `fixedMs + jitterMs * random()`, with a seeded generator. */
export type WeiboLatency = LatencySettings;

/** Posts one account may make per window before Weibo refuses (platforms.md §2.5). */
export interface WeiboRateLimit {
  /** Posts (share, update, repost) per window per account. */
  readonly posts: number;
  readonly windowMs: number;
  /** Code of the refusal: `20016` (posting too fast) or `10023` (user rate). @default 20016 */
  readonly errorCode?: 20016 | 10023;
  /**
   * Send a `Retry-After` header with this many seconds. Weibo is not known to send one
   * [unconfirmed], so by default none is sent.
   */
  readonly retryAfterSeconds?: number;
}

/**
 * Calls (reads and writes alike) allowed per window before Weibo refuses (platforms.md §2.5:
 * "all calls / hour" per user per app, and per server IP; platforms-listening.md §4.6).
 */
export interface WeiboRequestLimit {
  /** Calls per window. */
  readonly calls: number;
  readonly windowMs: number;
  /**
   * What is counted: each account's calls (refused with `10023`, user rate) or every call the app
   * makes, since the fake sees one server IP (refused with `10022`, IP rate).
   * @default 'account'
   */
  readonly scope?: 'account' | 'ip';
  /** Send a `Retry-After` header with this many seconds [unconfirmed that Weibo sends one]. */
  readonly retryAfterSeconds?: number;
}

/** Settings of a {@link WeiboPlatform}; all can be changed later with `configure`. */
export interface WeiboPlatformOptions extends FakePlatformOptions {
  /** Per-account post limit; none by default. */
  readonly rateLimit?: WeiboRateLimit | undefined;
  /** Limit on every call an account (or the app's IP) makes; none by default. */
  readonly requestLimit?: WeiboRequestLimit | undefined;
  /**
   * The app's registered safe domain: `statuses/share` text must link to it or a subdomain.
   * An account may name its own. When neither is set, any link passes, but a link is required.
   */
  readonly safeDomain?: string | undefined;
  /** Id of the first status. @default DEFAULT_FIRST_STATUS_ID */
  readonly firstStatusId?: bigint;
  /** How long a `delayed-20032` post stays invisible. @default 90_000 */
  readonly acceptedVisibleAfterMs?: number;
  /**
   * Rewrite links into `http://t.cn/…` short links in stored text, as Weibo shows them
   * [unconfirmed whether the API returns rewritten text]. @default false
   */
  readonly shortenLinks?: boolean;
  /**
   * Return long-text statuses cut to 120 characters plus `...全文： <link>` in reads, as the
   * Weibo clients show them [unconfirmed for the API]. @default true
   */
  readonly truncateLongText?: boolean;
  /**
   * Refuse a post or relay that repeats the account's live text, as the platform's duplicate check
   * does. Off, the fake takes every repeat: a real platform's check is a narrow window, not a
   * guarantee, so crash tests switch it off to prove the library never re-sends blindly.
   * @default true
   */
  readonly refuseRepeats?: boolean;
  /**
   * Life of a token registered without `tokenExpiresAt`, from when it is registered: what
   * `oauth2/get_token_info` counts `expire_in` down from. The wiki's example answer shows about
   * five years (157 679 471 s); real lifetimes depend on the app's level [unconfirmed].
   * @default 157_680_000_000 (five years)
   */
  readonly tokenLifetimeMs?: number;
}

/** {@link WeiboPlatformOptions} with the defaults filled in. */
export interface WeiboSettings extends MicroblogSettings<WeiboRateLimit> {
  readonly requestLimit: WeiboRequestLimit | undefined;
  readonly safeDomain: string | undefined;
  readonly acceptedVisibleAfterMs: number;
  readonly truncateLongText: boolean;
  readonly tokenLifetimeMs: number;
}

/** Fills in the defaults. */
export function resolveWeiboSettings(options: WeiboPlatformOptions): WeiboSettings {
  return {
    ...resolveMicroblogSettings(options, {
      firstPostId: options.firstStatusId ?? DEFAULT_FIRST_STATUS_ID,
      shortenLinks: false,
    }),
    safeDomain: options.safeDomain,
    requestLimit: options.requestLimit,
    acceptedVisibleAfterMs: options.acceptedVisibleAfterMs ?? 90_000,
    truncateLongText: options.truncateLongText ?? true,
    tokenLifetimeMs: options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS,
  };
}

/**
 * The settings `configure(options)` changes; omitted ones stay, and `rateLimit: undefined` lifts
 * the limit (`requestLimit: undefined` likewise). The first status id is fixed at construction.
 */
export function weiboSettingsFrom(options: WeiboPlatformOptions): Partial<WeiboSettings> {
  return {
    ...fakeSettingsFrom(options),
    ...changedSettings(
      options,
      [
        'acceptedVisibleAfterMs',
        'shortenLinks',
        'truncateLongText',
        'refuseRepeats',
        'tokenLifetimeMs',
      ],
      ['rateLimit', 'requestLimit', 'safeDomain'],
    ),
  };
}

/** A sandbox account. */
export interface WeiboAccountInit {
  /** Digits, e.g. `"2418724427"`. */
  readonly uid: string;
  readonly screenName: string;
  /** The token that authenticates as this account. */
  readonly accessToken: string;
  /** Overrides the platform's safe domain for this account's app. */
  readonly safeDomain?: string;
  /** The token expires at this platform time (ms). */
  readonly tokenExpiresAt?: number;
  /** The account qualifies for long text (`is_longtext=1`). @default true */
  readonly longTextAllowed?: boolean;
  /** `users/show.verified`. @default true */
  readonly verified?: boolean;
  /** `users/show.verified_type` (1 = government, -1 = ordinary). @default 1 */
  readonly verifiedType?: number;
}

/** A registered account, as the inspection API shows it (without its token). */
export interface WeiboAccountInfo {
  readonly uid: string;
  readonly screenName: string;
  readonly safeDomain: string | undefined;
  readonly longTextAllowed: boolean;
  readonly verified: boolean;
  readonly verifiedType: number;
  /** The newest post made before the fake's own posts (see `setLastPostAt`), if any. */
  readonly earlierPostAt: Date | undefined;
}
