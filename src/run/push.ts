/**
 * Pushes to followers (WeChat mass send, to every follower or to a follower tag): the call, whom
 * it reaches, what its answer means, and when a push left in doubt may no longer be repeated.
 */
import {
  PUSH_ID_NOTE,
  PUSH_REPEAT_WINDOW_MS,
  type Adapter,
  type CheckContext,
  type DeliveryContext,
  type PushResult,
  type Rendition,
} from '../adapter.js';
import { ReleaseHallError } from '../errors.js';
import type { Account } from '../model/hall.js';
import type { DeliveryRun, Ending } from './deliver.js';
import { type Reconciliation, notConfirmed } from './reconcile.js';
import type { DeliveryAction } from './types.js';

/**
 * Whom an account's push reaches: every follower, or the followers of one tag (WeChat's
 * `push.tag` in the hall file).
 */
export interface PushAudience {
  /** The tag pushed to; absent for a push to every follower. */
  readonly tag?: {
    /** The platform's id of the tag, as digits. */
    readonly id: string;
    readonly name: string;
    /** Followers that carry the tag, when the platform said. */
    readonly followers?: number;
  };
}

/** What a platform whose pushes may reach a part of the followers offers the pre-flight. */
export type PushAudienceReader = (
  account: Account,
  context: Pick<CheckContext, 'signal' | 'credentials' | 'logger' | 'requestTimeoutMs'>,
) => Promise<PushAudience>;

/**
 * The adapter's `pushAudience`, when it has one (the WeChat adapter does): checked against the
 * platform before anything is sent, it throws `INVALID_INPUT` for a target the account does not
 * have.
 */
export function pushAudienceReader(adapter: Adapter): PushAudienceReader | undefined {
  const candidate = (adapter as { readonly pushAudience?: unknown }).pushAudience;
  return typeof candidate === 'function'
    ? (account, context) => (candidate as PushAudienceReader).call(adapter, account, context)
    : undefined;
}

/**
 * How a plan names the audience of a push: `push to tag 区县干部 (id 101), 1,234 followers`, or
 * `push` for every follower.
 */
export function pushAudienceText(audience: PushAudience): string {
  const { tag } = audience;
  if (tag === undefined) return 'push';
  const followers =
    tag.followers === undefined
      ? ''
      : `, ${tag.followers.toLocaleString('en-US')} follower${tag.followers === 1 ? '' : 's'}`;
  return `push to tag ${tag.name} (id ${tag.id})${followers}`;
}

/**
 * The account as its push sees it: with the campaign's push tag (a name or an id) in place of the
 * account's own `push.tag`, when the campaign named one.
 */
export function pushAccount(account: Account, tag: string | number | undefined): Account {
  if (tag === undefined) return account;
  const own = account.settings.push;
  const push = typeof own === 'object' && own !== null ? own : {};
  return { ...account, settings: { ...account.settings, push: { ...push, tag } } };
}

/**
 * Calls the adapter's push, refusing clearly when the platform has none. `tag` is the campaign's
 * push tag, when it named one.
 */
export function pushWith(
  adapter: Adapter,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
  tag?: string | number,
): Promise<PushResult> {
  if (adapter.push === undefined) {
    return Promise.reject(
      new ReleaseHallError(
        `[release-hall] [${account.platform}] this platform cannot push to followers: use the push policy "publish"`,
        { code: 'INVALID_INPUT', platform: account.platform, accountId: account.id },
      ),
    );
  }
  return adapter.push(rendition, pushAccount(account, tag), context);
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
