/**
 * The options every HTTP adapter takes (`baseURL`, `fetch`, `limits`), the ones every adapter
 * with a timeline look-up or a rate-limit wait takes, and the one place where they are checked
 * and their defaults filled in. An adapter extends the base schema with its own fields:
 *
 * ```ts
 * const schema = baseAdapterOptions({ example: 'https://api.weibo.com/2/' }).extend({
 *   ...timelineScanOptions({ maxCount: 100 }),
 *   rateLimitRetryAfterMs: rateLimitRetryAfterOption(),
 *   mode: z.enum(['share', 'update']).optional(),
 * });
 * const value = parseAdapterOptions(schema, options, 'Weibo adapter options');
 * ```
 *
 * Part of the adapter kit (`release-hall/adapter-kit`).
 */
import { z } from 'zod';
import type { RateLimits } from '../adapter.js';
import { invalidInput } from '../errors.js';
import { formatPath } from '../model/issues.js';
import type { FetchLike } from './http.js';

/** Overrides of an adapter's declared rate limits; each field left out keeps the default. */
export interface RateLimitsOverride {
  /** Requests in flight at once on the platform, across accounts. */
  readonly platformConcurrency?: number | undefined;
  /** Posts one account may make per window. */
  readonly postsPerWindow?: number | undefined;
  /** Length of the posting window, in milliseconds. */
  readonly windowMs?: number | undefined;
  /** Timeout of one request, in milliseconds (at least 100). */
  readonly requestTimeoutMs?: number | undefined;
}

/** The options every HTTP adapter shares. Adapters extend it and state their own defaults. */
export interface BaseAdapterOptions {
  /**
   * Base URL of the platform's API: the real platform, a government network gateway, a proxy,
   * or a sandbox. Must be an absolute http(s) URL.
   */
  readonly baseURL?: string | undefined;
  /**
   * The `fetch` used for every call; inject one for proxies or tests.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike | undefined;
  /** Overrides of the adapter's declared rate limits. */
  readonly limits?: RateLimitsOverride | undefined;
}

/** The options of an adapter that reads an account's timeline in `findExisting` ({@link scanTimeline}). */
export interface TimelineScanOptions {
  /**
   * Posts read per timeline page by `findExisting`.
   * @default 50
   */
  readonly timelineCount?: number | undefined;
  /**
   * Timeline pages read at most by `findExisting` (it stops at the first post older than the
   * first attempt).
   * @default 3
   */
  readonly timelinePages?: number | undefined;
  /**
   * Clock skew allowed between this machine and the platform when `findExisting` keeps only
   * posts made at or after the first attempt.
   * @default 120_000
   */
  readonly clockSkewMs?: number | undefined;
}

/** The defaults of {@link TimelineScanOptions}. */
export const TIMELINE_SCAN_DEFAULTS = {
  timelineCount: 50,
  timelinePages: 3,
  clockSkewMs: 120_000,
} as const satisfies Required<TimelineScanOptions>;

/** How {@link baseAdapterOptions} words its `baseURL` check. */
export interface BaseUrlWording {
  /** A URL the message shows, e.g. `https://api.weibo.com/2/`. */
  readonly example: string;
  /** What else the URL must be, e.g. `ending with /api/`. */
  readonly shape?: string | undefined;
}

/** An absolute http(s) URL; the message names the shape expected and shows an example. */
export function httpUrlOption(wording: BaseUrlWording): z.ZodURL {
  const shape = wording.shape === undefined ? '' : ` ${wording.shape},`;
  return z.url({
    protocol: /^https?$/,
    error: `expected an absolute http(s) URL${shape} such as "${wording.example}"`,
  });
}

/** A `fetch` function. */
export function fetchOption(): z.ZodType<FetchLike> {
  return z.custom<FetchLike>((value) => typeof value === 'function', {
    error: 'expected a fetch function',
  });
}

/** The schema of {@link RateLimitsOverride}: strict, so a misspelt limit is named. */
export const rateLimitsOverrideSchema = z.strictObject({
  platformConcurrency: z.number().int().min(1).optional(),
  postsPerWindow: z.number().int().min(1).optional(),
  windowMs: z.number().int().min(1).optional(),
  requestTimeoutMs: z.number().int().min(100).optional(),
});

/**
 * The schema of {@link BaseAdapterOptions}: `baseURL` (optional absolute http(s) URL), `fetch`
 * and `limits`. It is strict; extend it (`.extend({ … })`) with the adapter's own fields, and
 * replace `baseURL` there when the adapter has no default for it.
 */
export function baseAdapterOptions(baseURL: BaseUrlWording) {
  return z.strictObject({
    baseURL: httpUrlOption(baseURL).optional(),
    fetch: fetchOption().optional(),
    limits: rateLimitsOverrideSchema.optional(),
  });
}

/**
 * The fields of {@link TimelineScanOptions}, to spread into an adapter's schema. `maxCount` is
 * the largest page the platform serves.
 */
export function timelineScanOptions(settings: { readonly maxCount: number }) {
  return {
    timelineCount: z.number().int().min(1).max(settings.maxCount).optional(),
    timelinePages: z.number().int().min(1).max(20).optional(),
    clockSkewMs: z.number().int().min(0).optional(),
  };
}

/**
 * `rateLimitRetryAfterMs`: the wait reported with a rate-limit reply that states none (no
 * `Retry-After`). `min` is the smallest wait allowed.
 */
export function rateLimitRetryAfterOption(min = 0) {
  return z.number().int().min(min).optional();
}

/**
 * Checks `options` against `schema` and returns the parsed value. A wrong option throws
 * `INVALID_INPUT` naming every field that is wrong, before anything is sent.
 *
 * @param label What was checked, for the message: `Weibo adapter options`.
 * @throws ReleaseHallError `INVALID_INPUT` with one issue per wrong field.
 */
export function parseAdapterOptions<Schema extends z.ZodType>(
  schema: Schema,
  options: unknown,
  label: string,
): z.output<Schema> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw invalidInput(
      label,
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message:
          issue.code === 'unrecognized_keys'
            ? `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`
            : issue.message,
      })),
    );
  }
  return parsed.data;
}

/** The `fetch` to call: the injected one, else the global `fetch` looked up at call time (so msw and test spies installed later are seen). */
export function resolveFetch(fetch: FetchLike | undefined): FetchLike {
  return fetch ?? ((input, init) => globalThis.fetch(input, init));
}

/** A base URL that ends with `/`, so endpoint paths can be appended. */
export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The declared rate limits: each override, else the default. */
export function resolveRateLimits(
  override: RateLimitsOverride | undefined,
  defaults: RateLimits,
): RateLimits {
  return {
    platformConcurrency: override?.platformConcurrency ?? defaults.platformConcurrency,
    postsPerWindow: override?.postsPerWindow ?? defaults.postsPerWindow,
    windowMs: override?.windowMs ?? defaults.windowMs,
    requestTimeoutMs: override?.requestTimeoutMs ?? defaults.requestTimeoutMs,
  };
}

/** {@link BaseAdapterOptions} with every default filled in. */
export interface ResolvedBaseOptions {
  /** Ends with `/`. */
  readonly baseURL: string;
  readonly fetch: FetchLike;
  readonly rate: RateLimits;
}

/** Fills in the defaults of the base options: the base URL (ending with `/`), `fetch` and the rates. */
export function resolveBaseOptions(
  value: BaseAdapterOptions,
  defaults: { readonly baseURL: string; readonly rate: RateLimits },
): ResolvedBaseOptions {
  return {
    baseURL: withTrailingSlash(value.baseURL ?? defaults.baseURL),
    fetch: resolveFetch(value.fetch),
    rate: resolveRateLimits(value.limits, defaults.rate),
  };
}

/** {@link TimelineScanOptions} with every default filled in. */
export interface ResolvedTimelineScanOptions {
  readonly timelineCount: number;
  readonly timelinePages: number;
  readonly clockSkewMs: number;
}

/** Fills in the defaults of {@link TimelineScanOptions} ({@link TIMELINE_SCAN_DEFAULTS}). */
export function resolveTimelineScanOptions(
  value: TimelineScanOptions,
): ResolvedTimelineScanOptions {
  return {
    timelineCount: value.timelineCount ?? TIMELINE_SCAN_DEFAULTS.timelineCount,
    timelinePages: value.timelinePages ?? TIMELINE_SCAN_DEFAULTS.timelinePages,
    clockSkewMs: value.clockSkewMs ?? TIMELINE_SCAN_DEFAULTS.clockSkewMs,
  };
}

/**
 * The options of an adapter that reads a timeline in `findExisting` and waits out rate limits:
 * {@link BaseAdapterOptions}, {@link TimelineScanOptions} and `rateLimitRetryAfterMs`.
 */
export interface TimelineAdapterOptions extends BaseAdapterOptions, TimelineScanOptions {
  /** Wait reported with a rate-limit reply that has no `Retry-After` header. */
  readonly rateLimitRetryAfterMs?: number | undefined;
}

/**
 * The schema of {@link TimelineAdapterOptions}: {@link baseAdapterOptions} with the timeline scan
 * fields (`maxCount` is the largest page the platform serves) and `rateLimitRetryAfterMs`. Extend
 * it with the adapter's own fields.
 */
export function timelineAdapterOptions(settings: BaseUrlWording & { readonly maxCount: number }) {
  const { maxCount, ...baseURL } = settings;
  return baseAdapterOptions(baseURL).extend({
    ...timelineScanOptions({ maxCount }),
    rateLimitRetryAfterMs: rateLimitRetryAfterOption(),
  });
}

/** {@link TimelineAdapterOptions} with every default filled in. */
export interface ResolvedTimelineAdapterOptions
  extends ResolvedBaseOptions, ResolvedTimelineScanOptions {
  readonly rateLimitRetryAfterMs: number;
}

/** Fills in the defaults of {@link TimelineAdapterOptions}. */
export function resolveTimelineAdapterOptions(
  value: TimelineAdapterOptions,
  defaults: {
    readonly baseURL: string;
    readonly rate: RateLimits;
    readonly rateLimitRetryAfterMs: number;
  },
): ResolvedTimelineAdapterOptions {
  return {
    ...resolveBaseOptions(value, defaults),
    ...resolveTimelineScanOptions(value),
    rateLimitRetryAfterMs: value.rateLimitRetryAfterMs ?? defaults.rateLimitRetryAfterMs,
  };
}
