/**
 * The options of the Tencent Weibo adapter: what they mean, how they are checked, their defaults
 * (filled in here, in one place), and the Tencent fields of an account in the hall file.
 */
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
import { clientIpProblem } from './client-ip.js';
import { DEFAULT_RATE_LIMIT_RETRY_AFTER_MS } from './map-tencent-error.js';

/** Default API base, as documented. */
export const TENCENT_DEFAULT_BASE_URL = 'https://open.t.qq.com/api/';

/**
 * Requests in flight at once on Tencent Weibo by default. Tencent's limits are [unconfirmed]
 * (platforms.md §3.4: only the `ret=2` and `ret=4 errcode=10` signals are known); like Sina
 * Weibo's (§2.5), the limits of a service of that era count posts per account and calls per app
 * or IP per hour, not accounts posting in the same second. So a crisis sends every relay as soon
 * as the lead's post is known, bounded only by this process: one connection per request in
 * flight, at most 1 000 (the lowest per-IP hourly quota of Sina Weibo, §2.5). A small compatible
 * gateway that cannot take that many at once sets `limits.platformConcurrency` in the hall file;
 * a refusal is handled either way (the core waits and tries again).
 */
const TENCENT_DEFAULT_PLATFORM_CONCURRENCY = 1_000;

/**
 * Default rate limits. Tencent's posting limits are [unconfirmed]: no source states them, only
 * the signals (`ret=2`, `ret=4 errcode=10`). 30 posts per account per hour is the lowest
 * documented tier of Sina Weibo, a comparable service of the same era; a campaign makes one to
 * three posts per account, so the limit never binds a normal run but stops a runaway loop. See
 * {@link TENCENT_DEFAULT_PLATFORM_CONCURRENCY} for the requests in flight.
 */
export const TENCENT_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: TENCENT_DEFAULT_PLATFORM_CONCURRENCY,
  postsPerWindow: 30,
  windowMs: 3_600_000,
  requestTimeoutMs: 15_000,
};

/** Largest `reqnum` the adapter asks for. [unconfirmed] */
const MAX_TIMELINE_COUNT = 70;

/** Overrides of the declared rate limits (`limits`; see {@link TENCENT_DEFAULT_RATE_LIMITS}). */
export type TencentLimitsOverride = RateLimitsOverride;

/** Options of `createTencentAdapter`. Checked when the adapter is made. */
export interface TencentAdapterOptions extends TimelineAdapterOptions {
  /**
   * Base URL of the API, ending with `/api/`: a compatible gateway, a proxy, or a sandbox
   * (`startTencentSandbox().url`). The documented host stopped service on 2020-09-28.
   * @default 'https://open.t.qq.com/api/'
   */
  readonly baseURL?: string | undefined;
  /**
   * The app key, sent as `oauth_consumer_key` on every call. It is the key of the app the
   * accounts authorised; without it nothing is sent (writes fail with `INVALID_INPUT`, look-ups
   * answer `unknown`). A number (an unquoted key in a hall file) is taken as its digits.
   * @default undefined
   */
  readonly appKey?: string | number | undefined;
  /**
   * `clientip`: the public IPv4 address of the person who publishes. Tencent requires it on every
   * call and refuses LAN addresses, `127.x` and `255.x`. The library cannot know it, and sending a
   * made-up address would misstate who acted, so there is no default: set the press office's
   * public IP (or, from a CMS, the editor's). A post, relay or retract without it fails with
   * `INVALID_INPUT` before anything is sent; a look-up answers `unknown`.
   * @default undefined
   */
  readonly clientIp?: string | undefined;
  /**
   * Where writes carry the OAuth parameters: in the form `body` (the token stays out of URLs and
   * proxy logs) or in the `query` string, as one SDK did. Reads are `GET`s and always use the
   * query. Which placement Tencent preferred is [unconfirmed]; it accepted both.
   * @default 'body'
   */
  readonly oauthParamsIn?: 'body' | 'query' | undefined;
  /**
   * Wait reported with a rate-limit reply (`ret=2`, `ret=4 errcode=10`); Tencent sends no
   * `Retry-After` [unconfirmed]. The core waits this long and is told again if it is too soon.
   * @default 60_000
   */
  readonly rateLimitRetryAfterMs?: number | undefined;
  /**
   * Tweets read per timeline page (`reqnum`) by `findExisting`; at most 70 [unconfirmed].
   * @default 50
   */
  readonly timelineCount?: number | undefined;
  /**
   * Clock skew allowed between this machine and the platform when `findExisting` keeps only
   * tweets made at or after the first attempt. Tencent times are whole seconds.
   * @default 120_000
   */
  readonly clockSkewMs?: number | undefined;
}

/** The defaults of the options every timeline adapter takes. */
const DEFAULTS = {
  baseURL: TENCENT_DEFAULT_BASE_URL,
  rate: TENCENT_DEFAULT_RATE_LIMITS,
  rateLimitRetryAfterMs: DEFAULT_RATE_LIMIT_RETRY_AFTER_MS,
};

const optionsSchema = timelineAdapterOptions({
  example: TENCENT_DEFAULT_BASE_URL,
  shape: 'ending with /api/',
  maxCount: MAX_TIMELINE_COUNT,
}).extend({
  // A hall file may give a numeric app key unquoted; YAML reads it as a number.
  appKey: z
    .union([z.string(), z.number().int().nonnegative()], {
      error: 'expected the app key (oauth_consumer_key) as text, e.g. "801000000"',
    })
    .transform(String)
    .pipe(
      z.string().regex(/^[A-Za-z0-9]{1,64}$/, {
        error: (issue) =>
          `expected the app key (oauth_consumer_key) as letters and digits, got ${JSON.stringify(issue.input)}`,
      }),
    )
    .optional(),
  clientIp: z
    .string({ error: 'expected the public IPv4 address of the publisher as text' })
    .superRefine((value, context) => {
      const problem = clientIpProblem(value);
      if (problem !== undefined) {
        context.addIssue({
          code: 'custom',
          message: `expected the public IPv4 address of the publisher (Tencent refuses LAN, 127.x and 255.x), got ${JSON.stringify(value)}: ${problem}`,
        });
      }
    })
    .optional(),
  oauthParamsIn: z.enum(['body', 'query'], { error: 'expected "body" or "query"' }).optional(),
});

/** The options with every default filled in. */
export interface TencentSettings extends ResolvedTimelineAdapterOptions {
  readonly appKey: string | undefined;
  readonly clientIp: string | undefined;
  readonly oauthParamsIn: 'body' | 'query';
}

/** Checks the options and fills in the defaults, in this one place. */
export function resolveTencentOptions(options: TencentAdapterOptions): TencentSettings {
  const value = parseAdapterOptions(optionsSchema, options, 'Tencent Weibo adapter options');
  return {
    ...resolveTimelineAdapterOptions(value, DEFAULTS),
    appKey: value.appKey,
    clientIp: value.clientIp,
    oauthParamsIn: value.oauthParamsIn ?? 'body',
  };
}

/** An openid: letters and digits, usually 32 hex characters. */
export const OPENID_PATTERN = /^[0-9A-Za-z]{1,64}$/;

/**
 * Platform fields of a Tencent Weibo account in the hall file: `openid`, the id Tencent returned
 * with the account's access token (letters and digits, usually 32 hex characters). Other fields
 * pass through.
 *
 * @example
 * // tencent: { handle: beijingfabu, openid: "B624064BA065E01CB73F835017FE96FA", credentials: tencent-beijing-fabu }
 */
export const tencentAccountSchema = z.strictObject({
  openid: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'expected the openid of the account, as returned with its access token (letters and digits, e.g. "B624064BA065E01CB73F835017FE96FA")'
          : `expected the openid as quoted text (letters and digits), got ${JSON.stringify(issue.input)}`,
    })
    .regex(OPENID_PATTERN, {
      error: (issue) =>
        `expected the openid as letters and digits (usually 32 hex characters), got ${JSON.stringify(issue.input)}`,
    }),
});
