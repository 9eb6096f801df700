/**
 * The retry decision: what a delivery does after one of its sends failed. Pure: it reads the
 * failure and the delivery's state and names the next step; the coordinator carries it out.
 *
 * - `ABORTED`: give up (the run was stopped, or the platform call was cut short).
 * - `QUOTA_EXHAUSTED` on a push that may publish instead and was never in doubt: publish.
 * - `RATE_LIMITED`: wait for the window; not counted as an attempt, up to `maxRateLimitWaits`.
 * - `AUTH_EXPIRED`: resolve the credentials again, once.
 * - `AMBIGUOUS` on a push: journal it as unknown and repeat it (the repeat is the look-up).
 * - `AMBIGUOUS` or `DUPLICATE_CONTENT`: look the post up before anything is sent again.
 * - anything else: retry after a backoff when the code is retryable, else give up.
 */
import type { ErrorCode } from '../errors.js';
import type { RetryOptions } from './options.js';
import type { DeliveryAction } from './types.js';

/** What {@link decide} reads of a failure. */
export interface FailureFacts {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** How long the platform asked to wait, when it said. */
  readonly retryAfterMs?: number | undefined;
}

/** What {@link decide} reads of the delivery. */
export interface DecideState {
  /** What is being sent now (a push may have fallen back to a post). */
  readonly action: DeliveryAction;
  /** A push whose earlier answer was lost: it may have gone out. */
  readonly pushInDoubt: boolean;
  /** The plan allows publishing when the platform says no push is left. */
  readonly publishIfNoPush: boolean;
  /** The credentials were already resolved again after an `AUTH_EXPIRED`. */
  readonly refreshedCredentials: boolean;
  /** Rate-limit waits this delivery has taken in this attempt. */
  readonly rateLimitWaits: number;
  readonly retry: Pick<
    RetryOptions,
    'minTimeoutMs' | 'maxRateLimitWaitMs' | 'maxRateLimitWaits' | 'reconcileDelayMs'
  >;
}

/** The next step after a failed send. */
export type Step =
  /** Back off and send again, when retries are left (a burnt attempt). */
  | { readonly kind: 'retry' }
  /** Wait `delayMs` for the rate-limit window, then send again without burning an attempt. */
  | { readonly kind: 'wait-rate-limit'; readonly delayMs: number }
  /** Resolve the credentials again; send again at once when they changed, else give up. */
  | { readonly kind: 'refresh-credentials' }
  /** No push is left on the platform: publish the post instead, at once. */
  | { readonly kind: 'publish-instead' }
  /** Journal the push as unknown and repeat it after a backoff: the platform answers "already sent". */
  | { readonly kind: 'repeat-push' }
  /**
   * Journal the delivery as unknown, wait `delayMs`, and look it up (`findExisting`): found is a
   * success, "cannot tell" is unconfirmed, not found is `ifNotFound`.
   */
  | {
      readonly kind: 'reconcile';
      readonly delayMs: number;
      readonly ifNotFound: 'retry' | 'give-up';
    }
  /** Stop trying: the failure is the delivery's result (failed, or unconfirmed when it may have landed). */
  | { readonly kind: 'give-up' };

/** Decides the next step after a failed send. */
export function decide(failure: FailureFacts, state: DecideState): Step {
  const { code } = failure;
  const { action, retry } = state;
  if (code === 'ABORTED') return { kind: 'give-up' };
  if (
    code === 'QUOTA_EXHAUSTED' &&
    action === 'push' &&
    state.publishIfNoPush &&
    !state.pushInDoubt
  ) {
    // The platform knows of pushes the ledger does not (made in its console): publish.
    return { kind: 'publish-instead' };
  }
  if (code === 'RATE_LIMITED') {
    if (state.rateLimitWaits >= retry.maxRateLimitWaits) return { kind: 'give-up' };
    const delayMs = Math.min(failure.retryAfterMs ?? retry.minTimeoutMs, retry.maxRateLimitWaitMs);
    return { kind: 'wait-rate-limit', delayMs };
  }
  if (code === 'AUTH_EXPIRED' && !state.refreshedCredentials)
    return { kind: 'refresh-credentials' };
  if (code === 'AMBIGUOUS' && action === 'push') return { kind: 'repeat-push' };
  if (code === 'AMBIGUOUS') {
    return { kind: 'reconcile', delayMs: retry.reconcileDelayMs, ifNotFound: 'retry' };
  }
  if (code === 'DUPLICATE_CONTENT') return { kind: 'reconcile', delayMs: 0, ifNotFound: 'give-up' };
  return failure.retryable ? { kind: 'retry' } : { kind: 'give-up' };
}

/** Whether a delivery may have landed, after a failed send. */
export interface Doubt {
  /** A push that may have gone out: it is only ever repeated with the same id. */
  readonly pushInDoubt: boolean;
  /** The post may be on the platform: look (or, for a push, repeat) before anything else. */
  readonly mayHaveLanded: boolean;
  /** The send keeps its place in the account's post window (it may have reached the platform). */
  readonly keepsWindowSlot: boolean;
}

/**
 * What a failed send leaves in doubt. Only a write that may have been applied (`AMBIGUOUS`, or
 * cut short by `ABORTED`) may have landed; `DUPLICATE_CONTENT` says the text is there, maybe ours.
 * A push stays in doubt once one answer was lost, until the platform says otherwise.
 */
export function doubtAfter(
  code: ErrorCode,
  state: { readonly action: DeliveryAction; readonly pushInDoubt: boolean },
): Doubt {
  const keepsWindowSlot = code === 'AMBIGUOUS' || code === 'ABORTED';
  if (code === 'ABORTED')
    return { pushInDoubt: state.pushInDoubt, mayHaveLanded: true, keepsWindowSlot };
  const pushInDoubt = state.pushInDoubt || (code === 'AMBIGUOUS' && state.action === 'push');
  const mayHaveLanded = code === 'AMBIGUOUS' || code === 'DUPLICATE_CONTENT' || pushInDoubt;
  return { pushInDoubt, mayHaveLanded, keepsWindowSlot };
}

/**
 * The wait before retry number `retriesConsumed + 1`: `minTimeoutMs · factor^retriesConsumed`,
 * times a jitter between 1 and 2 when `randomize`, at most `maxTimeoutMs`. `random` returns a
 * number in [0, 1).
 */
export function backoffDelay(
  retriesConsumed: number,
  retry: Pick<RetryOptions, 'minTimeoutMs' | 'maxTimeoutMs' | 'factor' | 'randomize'>,
  random: () => number = Math.random,
): number {
  const jitter = retry.randomize ? random() + 1 : 1;
  const delay = Math.round(
    jitter * retry.minTimeoutMs * retry.factor ** Math.max(0, retriesConsumed),
  );
  return Math.min(delay, retry.maxTimeoutMs);
}
