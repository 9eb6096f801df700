import { z } from 'zod';
import type { RateLimits } from '../adapter.js';
import type { LimitsOverride } from '../model/hall.js';

/** Retry settings of the one retry loop. */
export const retryOptionsSchema = z.strictObject({
  /**
   * Re-sends after a transient failure or an ambiguous one that reconciliation showed did not land.
   * @default 4
   */
  retries: z.number().int().min(0).max(20).default(4),
  /** @default 500 */
  minTimeoutMs: z.number().int().min(0).default(500),
  /** @default 30_000 */
  maxTimeoutMs: z.number().int().min(0).default(30_000),
  /** @default 2 */
  factor: z.number().min(1).default(2),
  /** Jitter: multiply each delay by a factor between 1 and 2. @default true */
  randomize: z.boolean().default(true),
  /** Longest single wait for a rate-limit window. @default 3_600_000 */
  maxRateLimitWaitMs: z.number().int().min(0).default(3_600_000),
  /** How many rate-limit waits one delivery may take before it fails. @default 5 */
  maxRateLimitWaits: z.number().int().min(0).default(5),
  /** Wait before looking for a post whose write may have landed (platforms index posts with a lag). @default 2_000 */
  reconcileDelayMs: z.number().int().min(0).default(2_000),
  /**
   * How long after an interrupted run's last send a resumed run waits before it looks that
   * delivery up: the interrupted run's request may still be in flight (sent, not yet carried out by
   * the platform) until its timeout, and a look-up before then could miss a post that lands a
   * moment later. `undefined`: the adapter's request timeout (set it to the longest request timeout
   * the interrupted run used). The wait counts from the journaled send, so a resume started later
   * waits less or not at all. @default the request timeout
   */
  interruptedSendWaitMs: z.number().int().min(0).max(600_000).optional(),
  /** Waits between look-ups of a post the platform accepted without an id (Weibo 20032). @default [5000, 15000, 30000, 60000] */
  acceptedPollMs: z.array(z.number().int().min(0)).default([5_000, 15_000, 30_000, 60_000]),
});

/** Retry settings as given. */
export type RetryOptionsInput = z.input<typeof retryOptionsSchema>;
/** Retry settings resolved. */
export type RetryOptions = z.output<typeof retryOptionsSchema>;

/** Options of a publisher run. */
export const runOptionsSchema = z.strictObject({
  /** `relay`: the lead posts, members repost it with their own comment; `original`: every account posts its own. @default 'relay' */
  mode: z.enum(['original', 'relay']).default('relay'),
  /** What a relay does when the lead's post failed: post an original, or skip. @default 'original' */
  relayFallback: z.enum(['original', 'skip']).default('original'),
  /**
   * Pushes to every follower (WeChat mass send) on platforms that can: `publish` never pushes;
   * `push` pushes where the quota allows and refuses the rest with the reason; `push-else-publish`
   * publishes where no push is left ("published, not pushed"). A routine statement never spends
   * the last push of a period; `spendLast` (default: true for crisis urgency) allows it.
   * @default { policy: 'publish' }
   */
  push: z
    .strictObject({
      policy: z.enum(['publish', 'push', 'push-else-publish']).default('publish'),
      /** Only these members push; the others publish. @default every member */
      members: z.array(z.string().min(1)).optional(),
      spendLast: z.boolean().optional(),
      /**
       * Every account that pushes pushes to the followers of this tag (WeChat: a tag name, or its
       * numeric id), instead of the account's own `push.tag` or every follower.
       * @default each account's own
       */
      tag: z
        .union([z.number().int().min(0), z.string().trim().min(1)], {
          error:
            'expected the tag name as text (e.g. 区县干部) or its numeric id as a number (e.g. 101)',
        })
        .optional(),
    })
    .default({ policy: 'publish' }),
  /**
   * Which delivery lines the report keeps in `deliveries`: `all` (one per delivery), `unsuccessful`
   * (only those that did not succeed: the ones a person looks at), or `none`. Counts, timings and
   * events are the same whatever is kept; every line stays in the journal (`status` reads it).
   * For a hall of tens of thousands of accounts, `unsuccessful` or `none` keeps the run's memory
   * flat: the lines are not held until the end.
   * @default 'all'
   */
  reportDeliveries: z.enum(['all', 'unsuccessful', 'none']).default('all'),
  /** Render and plan, send nothing. @default false */
  dryRun: z.boolean().default(false),
  /** Campaign id; generated from the statement id and the time when absent. */
  campaignId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected letters, digits, ".", "_" or "-"')
    .optional(),
});

/** Which delivery lines a report keeps (see `reportDeliveries`). */
export type ReportDeliveries = 'all' | 'unsuccessful' | 'none';

/** Run options as given. */
export type RunOptionsInput = z.input<typeof runOptionsSchema>;
/** Run options resolved. */
export type RunOptions = z.output<typeof runOptionsSchema>;

/** Merges an adapter's declared limits with the hall file's and the caller's overrides. */
export function resolveLimits(
  declared: RateLimits,
  ...overrides: readonly (LimitsOverride | undefined)[]
): RateLimits {
  let out: RateLimits = declared;
  for (const override of overrides) {
    if (override === undefined) continue;
    out = {
      platformConcurrency: override.platformConcurrency ?? out.platformConcurrency,
      postsPerWindow: override.postsPerWindow ?? out.postsPerWindow,
      windowMs: override.windowMs ?? out.windowMs,
      requestTimeoutMs: override.requestTimeoutMs ?? out.requestTimeoutMs,
    };
  }
  return out;
}
