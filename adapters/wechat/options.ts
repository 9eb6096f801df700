/**
 * The options of `createWechatAdapter`: what they mean, the schema that checks them when the
 * adapter is made, and their defaults, resolved in this one place.
 */
import { z } from 'zod';
import type { RateLimits } from '#core';
import {
  baseAdapterOptions,
  httpUrlOption,
  parseAdapterOptions,
  resolveBaseOptions,
  withTrailingSlash,
} from '#adapter-kit';
import type { BaseAdapterOptions, FetchLike, RateLimitsOverride } from '#adapter-kit';
import { WECHAT_DEFAULT_RATE_LIMITS } from './limits.js';
import { MemoryMediaCache } from './media-cache.js';
import type { ImageLoader, MediaCache } from './media-cache.js';
import { MemoryTokenStore } from './token-holder.js';
import type { TokenStore, WechatTokenMode } from './token-holder.js';

/** Default API base. */
export const WECHAT_DEFAULT_BASE_URL = 'https://api.weixin.qq.com/cgi-bin/';

/**
 * Default waits between `freepublish/get` polls (platforms.md §1.5), about 5½ minutes in all. The
 * first poll goes as soon as `freepublish/submit` answers; then every 250 ms for the first second,
 * every 500 ms for the next, and backing off to a minute. A publish job usually ends within
 * seconds (its duration is [unconfirmed]; the `PUBLISHJOBFINISH` event says when), so the short
 * start finds a finished job at most about a quarter of a second late, which is what a crisis
 * statement is waiting for; the backoff keeps a slow job (review) to a few dozen reads in all.
 * No rate is documented for `freepublish/get`; its reads count against the account's own daily
 * quota (each account is an app of its own, §1.8), about twenty per article at most.
 */
export const WECHAT_DEFAULT_POLL_INTERVALS_MS: readonly number[] = [
  250, 250, 250, 250, 500, 500, 1_000, 1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 20_000, 30_000,
  30_000, 30_000, 60_000, 60_000, 60_000,
];

/** Overrides of the declared rate limits. */
export type WechatLimitsOverride = RateLimitsOverride;

/** Options of `createWechatAdapter`. Checked when the adapter is made. */
export interface WechatAdapterOptions extends BaseAdapterOptions {
  /**
   * Base URL of the API, ending with `cgi-bin/`: the real platform, a government network gateway,
   * a proxy, or a sandbox (`startWechatSandbox().url`).
   * @default 'https://api.weixin.qq.com/cgi-bin/'
   */
  readonly baseURL?: string | undefined;
  /**
   * Base URL of the statistics API (`datacube/`, which WeChat serves beside `cgi-bin/`, not below
   * it: platforms-listening.md §3.3).
   * @default the folder `datacube/` beside the last folder of `baseURL`
   * (`https://api.weixin.qq.com/datacube/`)
   */
  readonly datacubeBaseURL?: string | undefined;
  /**
   * `stable` (`stable_token`, recommended: returns the current token without invalidating it) or
   * `classic` (`token`: each fetch replaces the previous token after 5 minutes; only safe when
   * this holder is the one place that fetches tokens for the appid).
   * @default 'stable'
   */
  readonly tokenMode?: WechatTokenMode | undefined;
  /** Where tokens are kept; share one between processes to share tokens. @default in memory */
  readonly tokenStore?: TokenStore | undefined;
  /** Refresh this long before expiry. @default 300 000 (stable), 1 500 000 (classic) */
  readonly tokenRefreshMarginMs?: number | undefined;
  /** Where uploaded media ids are kept per account and content hash. @default in memory */
  readonly mediaCache?: MediaCache | undefined;
  /**
   * Reads an image source (the rendition's `cover`, an `<img src>` of its HTML).
   * @default local file paths and `file:` URLs only (`readLocalImage`)
   */
  readonly loadImage?: ImageLoader | undefined;
  /**
   * Cover used when the rendition has none (a `news` article needs one). Without it, an article
   * without a cover fails with `INVALID_INPUT` naming `images[0]` before anything is sent; no
   * cover is ever generated.
   * @default undefined
   */
  readonly defaultCover?: string | undefined;
  /** Polling of `freepublish/get` after a submit. */
  readonly publishPoll?: { readonly intervalsMs?: readonly number[] | undefined } | undefined;
  /**
   * Called the moment a `publish_id` is known, before polling, so the journal holds it even if the
   * process dies. A failure is logged, not thrown (the publish is already on its way).
   */
  readonly journalPublishId?:
    | ((accountId: string, idempotencyKey: string, publishId: string) => void | Promise<void>)
    | undefined;
  /** Gives back a journaled `publish_id` (after a restart), so publish and findExisting resume it. */
  readonly recallPublishId?:
    | ((
        accountId: string,
        idempotencyKey: string,
      ) => string | undefined | Promise<string | undefined>)
    | undefined;
  /** Overrides of the declared rate limits (see {@link WECHAT_DEFAULT_RATE_LIMITS}). */
  readonly limits?: WechatLimitsOverride | undefined;
  /** Clock skew allowed when `findExisting` keeps articles updated at or after the first attempt. @default 120_000 */
  readonly clockSkewMs?: number | undefined;
  /** `freepublish/batchget` pages (20 articles each) read at most by `findExisting`. @default 3 */
  readonly batchgetPages?: number | undefined;
  /** Open comments on published articles (`need_open_comment`). @default false */
  readonly needOpenComment?: boolean | undefined;
  /** Only followers may comment (`only_fans_can_comment`). @default false */
  readonly onlyFansCanComment?: boolean | undefined;
  /** `send_ignore_reprint` of mass sends: go on when the article is judged a reprint. @default false */
  readonly sendIgnoreReprint?: boolean | undefined;
  /** Clock (token expiry, rate windows, deadlines). @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** A value that must be a function. */
function functionOption<T>() {
  return z.custom<T>((value) => typeof value === 'function', { error: 'expected a function' });
}

/** A value that must be an object with these methods. */
function objectWith<T>(methods: readonly string[], error: string) {
  return z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
    { error },
  );
}

const optionsSchema = baseAdapterOptions({ example: WECHAT_DEFAULT_BASE_URL }).extend({
  datacubeBaseURL: httpUrlOption({ example: 'https://api.weixin.qq.com/datacube/' }).optional(),
  tokenMode: z.enum(['stable', 'classic'], { error: 'expected "stable" or "classic"' }).optional(),
  tokenStore: objectWith<TokenStore>(
    ['get', 'set', 'compareAndDelete'],
    'expected a TokenStore with get, set and compareAndDelete',
  ).optional(),
  tokenRefreshMarginMs: z.number().int().min(0).optional(),
  mediaCache: objectWith<MediaCache>(
    ['get', 'set', 'delete'],
    'expected a MediaCache with get, set and delete',
  ).optional(),
  loadImage: functionOption<ImageLoader>().optional(),
  defaultCover: z.string().min(1).optional(),
  publishPoll: z
    .strictObject({
      intervalsMs: z
        .array(z.number().int().min(0))
        .min(1, 'expected at least one interval')
        .optional(),
    })
    .optional(),
  journalPublishId:
    functionOption<NonNullable<WechatAdapterOptions['journalPublishId']>>().optional(),
  recallPublishId:
    functionOption<NonNullable<WechatAdapterOptions['recallPublishId']>>().optional(),
  clockSkewMs: z.number().int().min(0).optional(),
  batchgetPages: z.number().int().min(1).max(50).optional(),
  needOpenComment: z.boolean().optional(),
  onlyFansCanComment: z.boolean().optional(),
  sendIgnoreReprint: z.boolean().optional(),
  now: functionOption<() => number>().optional(),
});

/** The options with every default filled in. */
export interface ResolvedOptions {
  readonly baseURL: string;
  readonly datacubeBaseURL: string;
  readonly fetch: FetchLike;
  readonly tokenMode: WechatTokenMode;
  readonly tokenStore: TokenStore;
  readonly tokenRefreshMarginMs: number | undefined;
  readonly mediaCache: MediaCache;
  readonly loadImage: ImageLoader | undefined;
  readonly defaultCover: string | undefined;
  readonly pollIntervalsMs: readonly number[];
  readonly journalPublishId: WechatAdapterOptions['journalPublishId'];
  readonly recallPublishId: WechatAdapterOptions['recallPublishId'];
  readonly rate: RateLimits;
  readonly clockSkewMs: number;
  readonly batchgetPages: number;
  readonly needOpenComment: boolean;
  readonly onlyFansCanComment: boolean;
  readonly sendIgnoreReprint: boolean;
  readonly now: () => number;
}

/**
 * Checks the options and fills in the defaults, in this one place.
 * @throws ReleaseHallError `INVALID_INPUT` naming every wrong option.
 */
export function resolveOptions(options: WechatAdapterOptions): ResolvedOptions {
  const value = parseAdapterOptions(optionsSchema, options, 'WeChat adapter options');
  const base = resolveBaseOptions(value, {
    baseURL: WECHAT_DEFAULT_BASE_URL,
    rate: WECHAT_DEFAULT_RATE_LIMITS,
  });
  return {
    ...base,
    datacubeBaseURL:
      value.datacubeBaseURL === undefined
        ? datacubeBeside(base.baseURL)
        : withTrailingSlash(value.datacubeBaseURL),
    tokenMode: value.tokenMode ?? 'stable',
    tokenStore: value.tokenStore ?? new MemoryTokenStore(),
    tokenRefreshMarginMs: value.tokenRefreshMarginMs,
    mediaCache: value.mediaCache ?? new MemoryMediaCache(),
    loadImage: value.loadImage,
    defaultCover: value.defaultCover,
    pollIntervalsMs: value.publishPoll?.intervalsMs ?? WECHAT_DEFAULT_POLL_INTERVALS_MS,
    journalPublishId: value.journalPublishId,
    recallPublishId: value.recallPublishId,
    clockSkewMs: value.clockSkewMs ?? 120_000,
    batchgetPages: value.batchgetPages ?? 3,
    needOpenComment: value.needOpenComment ?? false,
    onlyFansCanComment: value.onlyFansCanComment ?? false,
    sendIgnoreReprint: value.sendIgnoreReprint ?? false,
    now: value.now ?? Date.now,
  };
}

/**
 * The statistics base beside an API base: `https://api.weixin.qq.com/cgi-bin/` gives
 * `https://api.weixin.qq.com/datacube/`, a gateway's `https://gw.example/wechat/cgi-bin/` gives
 * `https://gw.example/wechat/datacube/`.
 */
export function datacubeBeside(baseURL: string): string {
  return new URL('../datacube/', withTrailingSlash(baseURL)).toString();
}
