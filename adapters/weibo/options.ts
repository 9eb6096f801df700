/**
 * The options of the Weibo adapter: what they mean, how they are checked, their defaults (filled
 * in here, in one place), and the Weibo fields of an account in the hall file.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import {
  parseAdapterOptions,
  resolveTimelineAdapterOptions,
  timelineAdapterOptions,
} from '#adapter-kit';
import type {
  RateLimitsOverride,
  ResolvedTimelineAdapterOptions,
  TimelineAdapterOptions,
} from '#adapter-kit';
import type { RateLimits } from '#core';
import { DEFAULT_RATE_LIMIT_RETRY_AFTER_MS } from './map-weibo-error.js';

/** Default API base. */
export const WEIBO_DEFAULT_BASE_URL = 'https://api.weibo.com/2/';

/**
 * Requests in flight at once on Weibo by default. Weibo limits counts, not simultaneity
 * (platforms.md §2.5): posts per user per hour (30 at the lowest tier), calls per user per app per
 * hour, and calls per server IP per hour (1 000 for a test-level app, 10 000 normal, 15 000 in the
 * newest revision's example). No rule limits how many different accounts post in the same second,
 * so a crisis sends every relay as soon as the lead's post is known. The cap only bounds this
 * process: one connection per request in flight, and 1 000 is the lowest per-IP hourly quota, so
 * a larger burst could not all be taken within the hour anyway. A gateway that wants fewer sets
 * `limits.platformConcurrency` in the hall file.
 */
const WEIBO_DEFAULT_PLATFORM_CONCURRENCY = 1_000;

/**
 * Default rate limits: 30 posts per user per hour is the lowest documented tier (§2.5); see
 * {@link WEIBO_DEFAULT_PLATFORM_CONCURRENCY} for the requests in flight.
 */
export const WEIBO_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: WEIBO_DEFAULT_PLATFORM_CONCURRENCY,
  postsPerWindow: 30,
  windowMs: 3_600_000,
  requestTimeoutMs: 15_000,
};

/** Overrides of the declared rate limits (`limits`; see {@link WEIBO_DEFAULT_RATE_LIMITS}). */
export type WeiboLimitsOverride = RateLimitsOverride;

/** Options of `createWeiboAdapter`. Checked when the adapter is made. */
export interface WeiboAdapterOptions extends TimelineAdapterOptions {
  /**
   * Base URL of the API, ending with the version: the real platform, a government network
   * gateway, a proxy, or a sandbox (`startWeiboSandbox().url`).
   * @default 'https://api.weibo.com/2/'
   */
  readonly baseURL?: string | undefined;
  /**
   * Which endpoint posts: `share` (`statuses/share`, the documented way for third-party apps:
   * needs a link on the app's safe domain, no `#topics#`) or `update` (`statuses/update`: topics
   * allowed, long text up to 2000 with `is_longtext=1`; whether ordinary apps may still call it is
   * [unconfirmed]).
   * @default 'share'
   */
  readonly mode?: 'share' | 'update' | undefined;
  /**
   * `rip`: the IP address of the end user who triggered the post. Weibo requires it on writes
   * (§2.1). The library cannot know it, and sending a made-up address would misstate who acted,
   * so there is no default: set the public IP of the press office (or, from a CMS, of the editor
   * who pressed "publish"). A post, relay or retract without it fails with `INVALID_INPUT` before
   * anything is sent; reads do not need it.
   * @default undefined
   */
  readonly rip?: string | undefined;
  /**
   * Wait reported with a rate-limit reply that has no `Retry-After` header. Weibo's windows are
   * hourly; the core waits this long and is told again if the window is still closed.
   * @default 60_000
   */
  readonly rateLimitRetryAfterMs?: number | undefined;
  /**
   * Statuses read per timeline page by `findExisting` (at most 100).
   * @default 50
   */
  readonly timelineCount?: number | undefined;
}

/** The defaults of the options every timeline adapter takes. */
const DEFAULTS = {
  baseURL: WEIBO_DEFAULT_BASE_URL,
  rate: WEIBO_DEFAULT_RATE_LIMITS,
  rateLimitRetryAfterMs: DEFAULT_RATE_LIMIT_RETRY_AFTER_MS,
};

const optionsSchema = timelineAdapterOptions({
  example: WEIBO_DEFAULT_BASE_URL,
  maxCount: 100,
}).extend({
  mode: z.enum(['share', 'update'], { error: 'expected "share" or "update"' }).optional(),
  rip: z
    .string()
    .refine((value) => isIP(value) !== 0, {
      error: (issue) => `expected an IPv4 or IPv6 address, got ${JSON.stringify(issue.input)}`,
    })
    .optional(),
});

/** The options with every default filled in. */
export interface WeiboSettings extends ResolvedTimelineAdapterOptions {
  readonly mode: 'share' | 'update';
  readonly rip: string | undefined;
}

/** Checks the options and fills in the defaults, in this one place. */
export function resolveWeiboOptions(options: WeiboAdapterOptions): WeiboSettings {
  const value = parseAdapterOptions(optionsSchema, options, 'Weibo adapter options');
  return {
    ...resolveTimelineAdapterOptions(value, DEFAULTS),
    mode: value.mode ?? 'share',
    rip: value.rip,
  };
}

/**
 * Platform fields of a Weibo account in the hall file: `uid` (digits; a YAML number is accepted
 * and kept as text). Other fields pass through.
 */
export const weiboAccountSchema = z.strictObject({
  uid: z
    .union([z.string(), z.number().int().nonnegative()], {
      error: (issue) =>
        issue.input === undefined
          ? 'expected the numeric Weibo uid of the account as text, e.g. "2418724427"'
          : `expected digits, got ${JSON.stringify(issue.input)}`,
    })
    .transform(String)
    .pipe(
      z.string().regex(/^\d+$/, {
        error: (issue) => `expected digits, got ${JSON.stringify(issue.input)}`,
      }),
    ),
});
