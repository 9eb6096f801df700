/**
 * The look-up before any re-send: when a write may have landed (an `AMBIGUOUS` failure, a
 * `DUPLICATE_CONTENT` answer, a run interrupted mid-send, a post accepted without an id), the
 * adapter's `findExisting` is asked first. Found is a success; not found makes a re-send safe;
 * when the platform cannot tell, the delivery is `unconfirmed` and is never sent blindly.
 */
import type { FindExistingResult, PostRef } from '../adapter.js';
import { type ErrorCode, ReleaseHallError, toReleaseHallError } from '../errors.js';
import type { DeliveryAction } from './types.js';

/** How many times a look-up is tried before it counts as "cannot tell". */
const LOOK_UP_TRIES = 3;

/** What a look-up needs: one `findExisting` call and a way to wait. */
export interface LookUpInput {
  /** One `findExisting` call for the delivery, within the platform's cap. */
  readonly find: () => Promise<FindExistingResult>;
  /** Waits `ms` without holding the delivery's ticket; rejects when the run is stopped. */
  readonly wait: (ms: number) => Promise<void>;
  /** The first wait between tries; it doubles after each. */
  readonly minTimeoutMs: number;
  readonly platform: string;
  readonly accountId: string;
  /** What was sent (for the messages). */
  readonly action: DeliveryAction;
}

/** The answer of a reconciliation. */
export type Reconciliation =
  | { readonly kind: 'found'; readonly ref: PostRef }
  | { readonly kind: 'not-found' }
  /** The platform could not tell: the delivery ends `unconfirmed` with this code and message. */
  | { readonly kind: 'unconfirmed'; readonly code: ErrorCode; readonly message: string };

/**
 * Asks `findExisting` up to three times, waiting with a doubling backoff between tries. A failed
 * read is not thrown: it becomes `unknown` with its reason (at once for a failure that is not
 * retryable or `ABORTED`).
 */
export async function lookUp(input: LookUpInput): Promise<FindExistingResult> {
  let reason = 'the platform could not be read';
  for (let tries = 0; tries < LOOK_UP_TRIES; tries++) {
    try {
      const found = await input.find();
      if (found.status !== 'unknown') return found;
      reason = found.reason;
    } catch (error) {
      const failure = toReleaseHallError(error, 'TRANSIENT', {
        platform: input.platform,
        accountId: input.accountId,
      });
      reason = failure.message;
      if (failure.code === 'ABORTED' || !failure.retryable) break;
    }
    if (tries < LOOK_UP_TRIES - 1) await input.wait(input.minTimeoutMs * 2 ** tries);
  }
  return { status: 'unknown', reason };
}

/** Looks the delivery up after `failure`; "cannot tell" is unconfirmed, never a re-send. */
export async function reconcile(
  input: LookUpInput,
  failure: ReleaseHallError,
): Promise<Reconciliation> {
  const found = await lookUp(input);
  if (found.status === 'found') return { kind: 'found', ref: found.ref };
  if (found.status === 'not-found') return { kind: 'not-found' };
  return notConfirmed(input, failure, found.reason);
}

/**
 * Looks before sending a delivery an earlier run left in doubt (resumed after a crash, or an
 * earlier attempt's fate is unknown).
 */
export function reconcileEarlierRun(input: LookUpInput): Promise<Reconciliation> {
  return reconcile(
    input,
    new ReleaseHallError(
      `[release-hall] [${input.platform}] an earlier run was interrupted during this ${input.action}`,
      { code: 'AMBIGUOUS', platform: input.platform, accountId: input.accountId },
    ),
  );
}

/**
 * Looks for a post the platform accepted without an id, after each wait of `pollMs`; `undefined`
 * when it has not shown up (it is never re-sent).
 */
export async function lookUpAccepted(
  input: LookUpInput,
  pollMs: readonly number[],
): Promise<PostRef | undefined> {
  for (const ms of pollMs) {
    await input.wait(ms);
    const found = await lookUp(input);
    if (found.status === 'found') return found.ref;
  }
  return undefined;
}

/** The `unconfirmed` end of a delivery whose fate the platform could not confirm. */
export function notConfirmed(
  subject: {
    readonly platform: string;
    readonly accountId: string;
    readonly action: DeliveryAction;
  },
  failure: ReleaseHallError,
  reason: string,
): Reconciliation & { kind: 'unconfirmed' } {
  return {
    kind: 'unconfirmed',
    code: failure.code,
    message: `[release-hall] [${subject.platform}] could not confirm whether the ${subject.action} of account "${subject.accountId}" landed (${withoutPrefix(failure.message)}; look-up: ${withoutPrefix(reason)}). It was not re-sent: check the account by hand`,
  };
}

/** A message without its `[release-hall] ` prefix, to quote it inside another. */
export function withoutPrefix(message: string): string {
  return message.replace(/^\[release-hall\] /, '');
}
