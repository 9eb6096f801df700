/**
 * Pushes to every follower (WeChat mass send): the call, what its answer means, and when a push
 * left in doubt may no longer be repeated.
 */
import {
  PUSH_ID_NOTE,
  PUSH_REPEAT_WINDOW_MS,
  type Adapter,
  type DeliveryContext,
  type PushResult,
  type Rendition,
} from '../adapter.js';
import { ReleaseHallError } from '../errors.js';
import type { Account } from '../model/hall.js';
import type { DeliveryRun, Ending } from './deliver.js';
import { type Reconciliation, notConfirmed } from './reconcile.js';
import type { DeliveryAction } from './types.js';

/** Calls the adapter's push, refusing clearly when the platform has none. */
export function pushWith(
  adapter: Adapter,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
): Promise<PushResult> {
  if (adapter.push === undefined) {
    return Promise.reject(
      new ReleaseHallError(
        `[release-hall] [${account.platform}] this platform cannot push to followers: use the push policy "publish"`,
        { code: 'INVALID_INPUT', platform: account.platform, accountId: account.id },
      ),
    );
  }
  return adapter.push(rendition, account, context);
}

/**
 * What a push's answer means for the delivery: taken (sent, sending, submitted) is a success;
 * waiting for an administrator is unconfirmed until it is decided (resume asks again, with the
 * same key, so it is never pushed twice); failed or deleted is a failure.
 */
export function pushEnding(pushed: PushResult, account: Account): Ending {
  if (pushed.status === 'sent' || pushed.status === 'sending' || pushed.status === 'submitted') {
    return {
      kind: 'done',
      outcome: { ref: pushed.ref, via: pushed.alreadySent ? 'reconciled' : 'sent' },
    };
  }
  const base = { platform: account.platform, accountId: account.id };
  if (pushed.status === 'awaiting-confirmation') {
    const until = pushed.deadline ? ` until ${pushed.deadline.toISOString()}` : '';
    return {
      kind: 'unconfirmed',
      code: 'AMBIGUOUS',
      message: `[release-hall] [${account.platform}] the push of account "${account.id}" waits for the account administrator's confirmation${until}; it goes out when confirmed and fails when refused or left unanswered. Resume the campaign later to learn which (it is never pushed twice)`,
    };
  }
  return {
    kind: 'gave-up',
    error: new ReleaseHallError(
      `[release-hall] [${account.platform}] the push of account "${account.id}" was taken and then ${pushed.status === 'deleted' ? 'deleted' : 'failed'}${pushed.detail ? ` (${pushed.detail})` : ''}: check the account's mass-send history`,
      { ...base, code: 'CONTENT_REJECTED' },
    ),
  };
}

/** A push left in doubt longer than the platform keeps its id (and with no id journaled). */
export function pushTooLateToRepeat(
  run: Pick<DeliveryRun, 'action' | 'pushInDoubt' | 'notes' | 'firstAttemptAt'>,
): boolean {
  return (
    run.action === 'push' &&
    run.pushInDoubt &&
    run.notes[PUSH_ID_NOTE] === undefined &&
    run.firstAttemptAt !== undefined &&
    Date.now() - run.firstAttemptAt.getTime() > PUSH_REPEAT_WINDOW_MS
  );
}

/** The `unconfirmed` end of a push too late to repeat safely: a person checks the account. */
export function tooLateToRepeat(
  account: Account,
  action: DeliveryAction,
): Reconciliation & { kind: 'unconfirmed' } {
  return notConfirmed(
    { platform: account.platform, accountId: account.id, action },
    new ReleaseHallError(
      `[release-hall] [${account.platform}] the push of account "${account.id}" was left in doubt more than a day ago`,
      { code: 'AMBIGUOUS', platform: account.platform, accountId: account.id },
    ),
    "too late to repeat it safely (the platform keeps a push id for 24 hours); check the account's mass-send history by hand",
  );
}
