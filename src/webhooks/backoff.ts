/** When to try a webhook event again: a pure function, tested as a table. */

/** How retries are spaced. */
export interface WebhookRetrySettings {
  /** The wait before the first retry. @default 5000 */
  readonly firstDelayMs?: number | undefined;
  /** The longest wait. @default 3600000 (one hour) */
  readonly maxDelayMs?: number | undefined;
}

/** The default wait before the first retry: 5 seconds. */
export const DEFAULT_FIRST_DELAY_MS = 5_000;
/** The default longest wait: one hour. */
export const DEFAULT_MAX_DELAY_MS = 3_600_000;

/**
 * The wait after the `failures`-th failed attempt (1 for the first): `firstDelayMs` doubled at
 * each failure, capped at `maxDelayMs`, then jittered to between half and all of it so that
 * endpoints coming back together are not hit together. `random` is in [0, 1).
 */
export function webhookBackoff(
  failures: number,
  settings: WebhookRetrySettings = {},
  random: number = Math.random(),
): number {
  const first = settings.firstDelayMs ?? DEFAULT_FIRST_DELAY_MS;
  const max = settings.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const exponent = Math.min(Math.max(failures, 1) - 1, 40);
  const ceiling = Math.min(max, first * 2 ** exponent);
  return Math.max(1, Math.round(ceiling / 2 + (ceiling / 2) * random));
}
