/**
 * The endpoints the Tencent Weibo fake serves and the settings and accounts it takes
 * (platforms.md §3).
 */
import {
  changedSettings,
  fakeSettingsFrom,
  type FakePlatformOptions,
} from '../../fake/fake-platform.js';
import { resolveMicroblogSettings, type MicroblogSettings } from '../../fake/microblog-platform.js';
import type { LatencySettings } from '../../fake/platform.js';

/** The endpoints the fake serves, named as in errors (`t/add`). */
export type TencentEndpointName =
  | 't/add'
  | 't/add_pic'
  | 't/re_add'
  | 't/del'
  | 't/reply'
  | 't/comment'
  | 'statuses/broadcast_timeline'
  | 'statuses/mentions_timeline'
  | 't/re_list'
  | 't/re_count'
  | 'user/info';

interface EndpointRule {
  readonly method: 'GET' | 'POST';
  /** Also served as a form `POST` (`t/re_count`, listed as POST by one SDK and GET by others). */
  readonly alsoPost?: true;
  /** Creates a tweet (counted by the post rate limit). */
  readonly creates: boolean;
  /** Body encoding a POST must use. */
  readonly encoding: 'form' | 'multipart' | 'none';
}

export const ENDPOINTS: Readonly<Record<TencentEndpointName, EndpointRule>> = {
  't/add': { method: 'POST', creates: true, encoding: 'form' },
  't/add_pic': { method: 'POST', creates: true, encoding: 'multipart' },
  't/re_add': { method: 'POST', creates: true, encoding: 'form' },
  't/del': { method: 'POST', creates: false, encoding: 'form' },
  // [unconfirmed] platforms.md lists only the write endpoints; the read is served as a GET, as
  // reads were in the API v1 documentation.
  'statuses/broadcast_timeline': { method: 'GET', creates: false, encoding: 'none' },
  // The readiness read (platforms-listening.md §2.2), a GET like the other reads.
  'user/info': { method: 'GET', creates: false, encoding: 'none' },
  // Answers (platforms.md §3.2, platforms-listening.md §2.2): tweets, counted by the post limit.
  't/reply': { method: 'POST', creates: true, encoding: 'form' },
  't/comment': { method: 'POST', creates: true, encoding: 'form' },
  // The inbox and reach reads (platforms-listening.md §2.2).
  'statuses/mentions_timeline': { method: 'GET', creates: false, encoding: 'none' },
  't/re_list': { method: 'GET', creates: false, encoding: 'none' },
  't/re_count': { method: 'GET', alsoPost: true, creates: false, encoding: 'form' },
};

/** The write endpoints that create a tweet. */
export const TENCENT_POSTING_ENDPOINTS: readonly TencentEndpointName[] = [
  't/add',
  't/add_pic',
  't/re_add',
];

/** The OAuth parameters every call must carry (platforms.md §3.1). */
export const TENCENT_OAUTH_PARAMETERS = [
  'oauth_consumer_key',
  'access_token',
  'openid',
  'clientip',
  'oauth_version',
  'scope',
] as const;

/** Default first tweet id: above 2^53, so any trip through a JS number loses digits. */
export const DEFAULT_FIRST_TWEET_ID = 9_300_000_000_000_000_001n;

/** Largest `reqnum` of the timelines (`broadcast_timeline`, `mentions_timeline`): 70 (§2.1). */
export const TENCENT_MAX_REQNUM = 70;

/** Simulated latency: `fixedMs + jitterMs * random()`, with a seeded generator. */
export type TencentLatency = LatencySettings;

/** Posts one account may make per window before the fake refuses. Tencent's own limits are [unconfirmed]. */
export interface TencentRateLimit {
  /** Tweets (`t/add`, `t/add_pic`, `t/re_add`, `t/reply`, `t/comment`) per window per account. */
  readonly posts: number;
  readonly windowMs: number;
  /**
   * How the refusal reads: `ret=4 errcode=10` ("publishing too fast") or `ret=2` (rate limited).
   * @default 'errcode-10'
   */
  readonly reply?: 'errcode-10' | 'ret-2';
}

/** Settings of a {@link TencentPlatform}; all can be changed later with `configure`. */
export interface TencentPlatformOptions extends FakePlatformOptions {
  /** Per-account post limit; none by default. */
  readonly rateLimit?: TencentRateLimit | undefined;
  /** Id of the first tweet. @default DEFAULT_FIRST_TWEET_ID */
  readonly firstTweetId?: bigint;
  /**
   * Show URLs in the `text` of reads as `http://url.cn/XXXX` short links, as the platform did;
   * `origtext` always holds the text as sent. [unconfirmed: the exact short-link form] @default true
   */
  readonly shortenLinks?: boolean;
  /**
   * Refuse a post or relay that repeats the account's live text, as the platform's duplicate check
   * does. Off, the fake takes every repeat: a real platform's check is a narrow window, not a
   * guarantee, so crash tests switch it off to prove the library never re-sends blindly.
   * @default true
   */
  readonly refuseRepeats?: boolean;
}

/** {@link TencentPlatformOptions} with the defaults filled in. */
export type TencentSettings = MicroblogSettings<TencentRateLimit>;

/** Fills in the defaults. */
export function resolveTencentSettings(options: TencentPlatformOptions): TencentSettings {
  return resolveMicroblogSettings(options, {
    firstPostId: options.firstTweetId ?? DEFAULT_FIRST_TWEET_ID,
    shortenLinks: true,
  });
}

/**
 * The settings `configure(options)` changes; omitted ones stay, and `rateLimit: undefined` lifts
 * the limit. The first tweet id is fixed at construction.
 */
export function tencentSettingsFrom(options: TencentPlatformOptions): Partial<TencentSettings> {
  return {
    ...fakeSettingsFrom(options),
    ...changedSettings(options, ['shortenLinks', 'refuseRepeats'], ['rateLimit']),
  };
}

/** A sandbox account. */
export interface TencentAccountInit {
  /** The account's openid (hex or alphanumeric). */
  readonly openid: string;
  /** The account name (used for mentions), e.g. `beijingfabu`. */
  readonly name: string;
  /** Display name; defaults to `name`. */
  readonly nick?: string;
  /** The token that authenticates as this account. */
  readonly accessToken: string;
  /** App key (`oauth_consumer_key`) of the app the token was issued to. */
  readonly appKey: string;
  /** The token expires at this platform time (ms). */
  readonly tokenExpiresAt?: number;
}

/** A registered account, as the inspection API shows it (without its token or app key). */
export interface TencentAccountInfo {
  readonly openid: string;
  readonly name: string;
  readonly nick: string;
}
