/**
 * How a delivery's end is recorded: {@link conclude} turns the machine's {@link Ending} into the
 * report line's status and message and the journal's state.
 *
 * - done: succeeded (a post accepted without an id says so: it was not re-sent);
 * - unconfirmed: the platform could not confirm it; a person checks the account;
 * - given up: `LEASE_LOST` is skipped (another run records it); a stopped run is unconfirmed when
 *   the write may have landed, else skipped and left planned for resume; a push that may have gone
 *   out is unconfirmed (resume repeats it with the same id); anything else failed.
 */
import type { PostRef } from '../adapter.js';
import { type ErrorCode, toReleaseHallError } from '../errors.js';
import { type DeliveryState, isLeaseLost } from '../journal/journal.js';
import type { DeliveryJob, DeliveryRun, Ending, Outcome } from './deliver.js';
import { withoutPrefix } from './reconcile.js';
import type { DeliveryResult } from './types.js';

/** What the coordinator records at the end of a delivery. */
export interface Final {
  /** Replaces the plan's note (e.g. a push that fell back to publishing at run time). */
  note?: string;
  /** The journal state when it differs from the status (an unsent delivery of a stopped run stays planned). */
  journalState?: DeliveryState;
  status: DeliveryResult['status'];
  performed: DeliveryResult['performed'];
  attempts: number;
  startedAt?: string;
  via?: DeliveryResult['via'];
  ref?: PostRef;
  text?: string;
  errorCode?: ErrorCode;
  errorMessage?: string;
  /** The campaign whose post holds the same text (see `DeliveryResult.duplicateOf`). */
  duplicateOf?: string;
}

/** What the delivery's end means for the report and the journal. */
export function conclude(
  job: DeliveryJob,
  run: DeliveryRun,
  ending: Ending,
  base: { readonly startedAt: string; readonly text: string },
): Final {
  const common = { ...base, performed: run.action, attempts: run.attempts };
  if (ending.kind === 'done') return succeeded(job, run, ending.outcome, common);
  if (ending.kind === 'unconfirmed') {
    return {
      ...common,
      status: 'unconfirmed',
      errorCode: ending.code,
      errorMessage: job.redactor.string(ending.message),
    };
  }
  return gaveUpFinal(job, run, ending.error, common);
}

/** The fields every end shares. */
type Common = Pick<Final, 'startedAt' | 'text' | 'performed' | 'attempts'>;

function succeeded(job: DeliveryJob, run: DeliveryRun, outcome: Outcome, common: Common): Final {
  const { adapter, account } = job;
  const { ref } = outcome;
  const url = ref?.url ?? (ref ? adapter.postUrl?.(ref, account) : undefined);
  return {
    ...common,
    ...(run.runtimeNote === undefined ? {} : { note: run.runtimeNote }),
    status: 'succeeded',
    via: outcome.via,
    ...(ref === undefined ? {} : { ref: url === undefined ? ref : { ...ref, url } }),
    ...(ref === undefined
      ? {
          errorMessage:
            '[release-hall] the platform accepted the post but has not shown it yet; it was not re-sent',
        }
      : {}),
  };
}

/** A delivery given up: lost to another run, stopped, in doubt (a push), or failed. */
function gaveUpFinal(job: DeliveryJob, run: DeliveryRun, error: unknown, common: Common): Final {
  const { account, redactor, signal } = job;
  const { action, mayHaveLanded } = run;
  if (isLeaseLost(error)) {
    // Another run took the delivery over: this one records nothing more for it.
    return { ...common, status: 'skipped', errorCode: error.code, errorMessage: error.message };
  }
  const failure = toReleaseHallError(error, signal.aborted ? 'ABORTED' : 'TRANSIENT', {
    platform: account.platform,
    accountId: account.id,
  });
  redactor.scrubError(failure);
  if (signal.aborted) {
    return mayHaveLanded
      ? {
          ...common,
          status: 'unconfirmed',
          errorCode: 'ABORTED',
          errorMessage: `[release-hall] [${account.platform}] the run was stopped while the ${action} of account "${account.id}" was in flight; it may have landed: resume the campaign (it looks before sending) or check the account`,
        }
      : {
          ...common,
          status: 'skipped',
          performed: 'none',
          errorCode: 'ABORTED',
          errorMessage: `[release-hall] [${account.platform}] stopped before the ${action} of account "${account.id}" was sent`,
          // Not final: resume sends it.
          journalState: 'planned',
        };
  }
  if (mayHaveLanded && action === 'push') {
    return {
      ...common,
      status: 'unconfirmed',
      errorCode: failure.code,
      errorMessage: `[release-hall] [${account.platform}] the push of account "${account.id}" may have gone out (an earlier answer was lost) and the last try ended with: ${withoutPrefix(failure.message)}. Resume the campaign: it repeats the push with the same id, which the platform answers "already sent" instead of pushing twice`,
    };
  }
  if (failure.code === 'DUPLICATE_CONTENT' && run.takenBy !== undefined) {
    const other = run.takenBy;
    return {
      ...common,
      status: 'failed',
      errorCode: failure.code,
      duplicateOf: other.campaignId,
      errorMessage: `[release-hall] [${account.platform}] account "${account.id}" already carries this text, posted by campaign "${other.campaignId}" (delivery ${other.deliveryId}): the platform refused it as a duplicate. That post is not this campaign's and is left alone; change the text to post it again`,
    };
  }
  return {
    ...common,
    status: 'failed',
    errorCode: failure.code,
    errorMessage: finalWording(failure.message, failure.retryable, common.attempts),
  };
}

/** What an adapter says about retrying ("; will retry", "; will retry with backoff"). */
const RETRY_WORDS = /;\s*will (?:be )?retr(?:y|ied)[^;.]*\.?$/i;

/**
 * The message of a delivery given up for good: retries are over, so a "will retry" the adapter
 * wrote for one attempt would mislead. A retryable failure says how to try again.
 */
export function finalWording(message: string, retryable: boolean, attempts: number): string {
  const stripped = message.replace(RETRY_WORDS, '');
  if (!retryable) return stripped;
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  return `${stripped}; gave up after ${tries}: resume with retryFailed (CLI: resume --retry-failed) looks it up and tries again`;
}
