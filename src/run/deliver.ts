/**
 * One delivery as a small state machine. Its state ({@link DeliveryRun}) is one explicit object;
 * each stage is a named function that does one thing and names the next stage:
 *
 * ```
 * attempt ──▶ send ──▶ (answer) ──▶ end
 *    ▲          │ ▲
 *    │          ▼ │ wait for the rate limit, refresh the credentials, publish instead
 *    │      (failure: decide) ──▶ reconcile ──▶ end
 *    │          │
 *    └─ backoff ◀┘ (retry, repeat a push) ──▶ end when no retry is left
 * ```
 *
 * `attempt` takes the ticket, refuses to repeat a push left in doubt too long and looks up a
 * delivery an earlier run left in doubt; `send` takes a place in the account's post window, journals
 * `sending` and calls the platform. What follows a failure is {@link decide}'s: the stages only
 * carry it out. `conclude.ts` turns the end into what the coordinator records.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Adapter,
  Credentials,
  DeliveryContext,
  DeliveryDescriptor,
  PostRef,
  PublishResult,
  PushResult,
  Rendition,
} from '../adapter.js';
import type { CredentialsResolver } from '../credentials.js';
import { type ErrorCode, ReleaseHallError, toReleaseHallError } from '../errors.js';
import {
  type DeliveryRecord,
  type DeliveryState,
  type DeliveryTransition,
  type Journal,
  type JournalDelivery,
  type PostOwner,
} from '../journal/journal.js';
import type { Logger } from '../logger.js';
import type { Account } from '../model/hall.js';
import type { Redactor } from '../redact.js';
import type { Ticket } from './admission.js';
import { backoffDelay, type Step, decide, doubtAfter } from './decide.js';
import { pushEnding, pushTooLateToRepeat, pushWith, tooLateToRepeat } from './push.js';
import type { RetryOptions } from './options.js';
import {
  type LookUpInput,
  type Reconciliation,
  lookUpAccepted,
  reconcile,
  reconcileEarlierRun,
  withoutPrefix,
} from './reconcile.js';
import type { PostSlot, Scheduler } from './scheduler.js';
import type { DeliveryAction } from './types.js';

/** Journal states in which an earlier run may have sent the delivery. */
const IN_DOUBT: ReadonlySet<DeliveryState> = new Set<DeliveryState>([
  'sending',
  'unknown',
  'unconfirmed',
]);

/** What a delivery works with: the coordinator's resources and side effects, handed in. */
export interface DeliveryJob {
  readonly entry: JournalDelivery;
  readonly account: Account;
  readonly adapter: Adapter;
  readonly retry: RetryOptions;
  /** Stops the delivery: no new attempt, wait or retry starts once it is aborted. */
  readonly signal: AbortSignal;
  /**
   * Cuts a platform call short. Apart from `signal`: a stopped run lets the call in flight finish
   * (each is bounded by the request timeout), so its answer is known and only what really was in
   * flight at the end is left unconfirmed.
   */
  readonly requestSignal: AbortSignal;
  /** The delivery's admission ticket: let go of during every wait. */
  readonly ticket: Ticket;
  readonly scheduler: Scheduler;
  readonly journal: Journal;
  /** This run's lease on the delivery. */
  readonly lease: string;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly credentials: CredentialsResolver;
  readonly requestTimeoutMs: number;
  readonly siteDomain: string | undefined;
  /** Emits `delivery:started`. */
  readonly started: (action: DeliveryAction, attempt: number) => void;
  /** Emits `delivery:retrying`. */
  readonly retrying: (
    action: DeliveryAction,
    attempt: number,
    failure: ReleaseHallError,
    delayMs: number,
  ) => void;
  /** Jitter source for the backoff, in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The state of one delivery while it runs: everything that changes. */
export interface DeliveryRun {
  /** What is sent now: a push may fall back to a post at run time. */
  action: DeliveryAction;
  readonly rendition: Rendition;
  /** For a relay: the lead's post. */
  readonly source: PostRef | undefined;
  credentials: Credentials;
  /** The credentials were resolved again after an `AUTH_EXPIRED` (only once). */
  refreshedCredentials: boolean;
  /** Sends so far, this run's and earlier runs'. */
  attempts: number;
  firstAttemptAt: Date | undefined;
  /** When this run took the delivery up (ms since the epoch). */
  readonly startedMs: number;
  /** The post may be on the platform: look before sending (a push is repeated instead). */
  mayHaveLanded: boolean;
  /**
   * When an interrupted run last sent this delivery (ms since the epoch), for a delivery the
   * journal left in `sending`: its request may still be in flight; cleared once waited out.
   */
  interruptedSendAt: number | undefined;
  /** A push whose answer was lost once: it may have gone out. */
  pushInDoubt: boolean;
  /** Replaces the plan's note (a push that fell back to publishing). */
  runtimeNote: string | undefined;
  /** Facts the adapter journaled for this delivery. */
  readonly notes: Record<string, string>;
  /** Rate-limit waits in the current attempt. */
  rateLimitWaits: number;
  /** Retries (backoffs) taken. */
  retriesConsumed: number;
  /**
   * A post the look-up found that another delivery (of this or another campaign) made: it is that
   * delivery's, never claimed by this one.
   */
  takenBy: PostOwner | undefined;
}

/** How a delivery succeeded. */
export interface Outcome {
  readonly ref?: PostRef;
  readonly via: 'sent' | 'reconciled' | 'accepted';
}

/** How the machine ended. */
export type Ending =
  | { readonly kind: 'done'; readonly outcome: Outcome }
  /** The platform could not confirm the delivery: a person checks it. */
  | { readonly kind: 'unconfirmed'; readonly code: ErrorCode; readonly message: string }
  /** Given up on `error` (failed, stopped, lease lost...): {@link conclude} classifies it. */
  | { readonly kind: 'gave-up'; readonly error: unknown };

/** A stage of the machine: the next thing to do. */
type Stage =
  | { readonly at: 'attempt' }
  | { readonly at: 'send' }
  | { readonly at: 'backoff'; readonly error: unknown }
  | { readonly at: 'end'; readonly ending: Ending };

/** A journal write failed: the delivery stops (nothing is sent unrecorded). */
class JournalWriteFailed extends Error {
  constructor(readonly error: unknown) {
    super('[release-hall] a journal write failed');
  }
}

const end = (ending: Ending): Stage => ({ at: 'end', ending });
const gaveUp = (error: unknown): Stage => end({ kind: 'gave-up', error });

/** The text of a rendition, for the report. */
export function renditionText(rendition: Rendition): string {
  return rendition.format === 'text' ? rendition.text : rendition.title;
}

/** The state of a delivery about to run, from its journal record when it is resumed. */
export function startRun(
  prior: DeliveryRecord | undefined,
  action: DeliveryAction,
  rendition: Rendition,
  source: PostRef | undefined,
  credentials: Credentials,
): DeliveryRun {
  const mayHaveLanded = inDoubt(prior);
  return {
    action,
    rendition,
    source,
    credentials,
    refreshedCredentials: false,
    attempts: prior?.attempts ?? 0,
    firstAttemptAt: prior?.firstAttemptAt ? new Date(prior.firstAttemptAt) : undefined,
    startedMs: Date.now(),
    mayHaveLanded,
    interruptedSendAt: prior?.state === 'sending' ? lastSendAt(prior) : undefined,
    pushInDoubt: action === 'push' && mayHaveLanded,
    runtimeNote: undefined,
    notes: { ...prior?.notes },
    rateLimitWaits: 0,
    retriesConsumed: 0,
    takenBy: undefined,
  };
}

/** When the record's last send was journaled (ms since the epoch), if it says. */
function lastSendAt(prior: DeliveryRecord): number | undefined {
  for (let index = prior.history.length - 1; index >= 0; index--) {
    const change = prior.history[index]!;
    if (change.state === 'sending') return Date.parse(change.at);
  }
  return prior.firstAttemptAt === undefined ? undefined : Date.parse(prior.firstAttemptAt);
}

/**
 * Waits until a request an interrupted run sent can no longer be carried out (its timeout after
 * the journaled send), so the look-up that follows sees what it did. The ticket is let go of while
 * waiting; a stop cuts the wait short.
 */
async function waitOutInterruptedSend(job: DeliveryJob, run: DeliveryRun): Promise<void> {
  const sentAt = run.interruptedSendAt;
  run.interruptedSendAt = undefined;
  if (sentAt === undefined || Number.isNaN(sentAt)) return;
  const waitMs = sentAt + (job.retry.interruptedSendWaitMs ?? job.requestTimeoutMs) - Date.now();
  if (waitMs <= 0) return;
  job.logger.info(
    `${job.entry.id}: the interrupted run's request may still be in flight; looking it up in ${Math.ceil(waitMs)} ms`,
  );
  await job.ticket.idle(() => sleep(waitMs, undefined, { signal: job.signal }));
}

/** True when an earlier run may have sent the delivery of this journal record. */
export function inDoubt(prior: DeliveryRecord | undefined): boolean {
  return prior !== undefined && IN_DOUBT.has(prior.state);
}

/** Runs the machine until it ends. Rejects only on an internal error. */
export async function deliver(job: DeliveryJob, run: DeliveryRun): Promise<Ending> {
  if (job.signal.aborted) return { kind: 'gave-up', error: job.signal.reason };
  let stage: Stage = { at: 'attempt' };
  for (;;) {
    try {
      switch (stage.at) {
        case 'attempt':
          stage = await attempt(job, run);
          break;
        case 'send':
          stage = await send(job, run);
          break;
        case 'backoff':
          stage = await backoff(job, run, stage.error);
          break;
        case 'end':
          return stage.ending;
      }
    } catch (error) {
      // A journal write that failed stops the delivery; anything else (a wait cut short by the
      // run's stop) is a failed attempt.
      stage = error instanceof JournalWriteFailed ? gaveUp(error.error) : { at: 'backoff', error };
    }
  }
}

/** Starts an attempt: takes the ticket and, when an earlier send is in doubt, looks first. */
async function attempt(job: DeliveryJob, run: DeliveryRun): Promise<Stage> {
  job.signal.throwIfAborted();
  await job.ticket.take(true);
  run.rateLimitWaits = 0;
  // The platform forgets a push's id after a day: repeating it then could push twice.
  if (pushTooLateToRepeat(run)) return end(tooLateToRepeat(job.account, run.action));
  if (run.mayHaveLanded && run.action !== 'push') {
    // Resumed after a crash, or an earlier attempt's fate is unknown: look before sending.
    // (A push needs no look-up: it is idempotent by its key, so it is simply repeated.)
    await waitOutInterruptedSend(job, run);
    const found = await reconcileEarlierRun(lookUpInput(job, run));
    if (found.kind !== 'not-found') return afterReconciliation(found);
    run.mayHaveLanded = false;
  }
  return { at: 'send' };
}

/** Sends once: a place in the post window, `sending` in the journal, the call. */
async function send(job: DeliveryJob, run: DeliveryRun): Promise<Stage> {
  const { account, scheduler, signal, ticket } = job;
  // A place in the account's post window comes first: nothing says "sending" while waiting.
  const slot = await scheduler.takePostSlot(account.id, account.platform, signal, (wait) =>
    ticket.idle(wait),
  );
  let answer: { pushed: PushResult } | { result: PublishResult } | 'stopped';
  try {
    // Then a place on the platform: a run stopped meanwhile sends nothing more.
    answer = await scheduler.onPlatform(account.platform, async () => {
      if (signal.aborted) return 'stopped' as const;
      run.attempts += 1;
      run.firstAttemptAt ??= new Date();
      await record(job, run, 'sending', { performed: run.action });
      job.started(run.action, run.attempts);
      run.mayHaveLanded = true;
      return callPlatform(job, run);
    });
  } catch (error) {
    if (!run.mayHaveLanded) {
      // The journal refused "sending": nothing left.
      slot.settle(false);
      throw error;
    }
    return afterFailure(job, run, slot, error);
  }
  if (answer === 'stopped') {
    slot.settle(false);
    return gaveUp(signal.reason);
  }
  slot.settle(true);
  return 'pushed' in answer
    ? end(pushEnding(answer.pushed, account))
    : afterAnswer(job, run, answer.result);
}

/** One call to the platform, made with the credentials of now. */
async function callPlatform(
  job: DeliveryJob,
  run: DeliveryRun,
): Promise<{ pushed: PushResult } | { result: PublishResult }> {
  const { adapter, account } = job;
  const { action, rendition, source } = run;
  const context = contextOf(job, run);
  if (action === 'push') {
    return { pushed: await pushWith(adapter, rendition, account, context, job.entry.pushTag) };
  }
  const result =
    action === 'relay' && source !== undefined
      ? await adapter.relay(source, rendition, account, context)
      : await adapter.publish(rendition, account, context);
  return { result };
}

/** A post's answer: posted is a success; accepted without an id is looked for, never re-sent. */
async function afterAnswer(
  job: DeliveryJob,
  run: DeliveryRun,
  result: PublishResult,
): Promise<Stage> {
  if (result.status === 'posted')
    return end({ kind: 'done', outcome: { ref: result.ref, via: 'sent' } });
  await record(job, run, 'unknown', { errorMessage: result.reason });
  const ref = await lookUpAccepted(lookUpInput(job, run), job.retry.acceptedPollMs);
  return end({
    kind: 'done',
    outcome: ref === undefined ? { via: 'accepted' } : { ref, via: 'accepted' },
  });
}

/** A failed send: what may have landed, then {@link decide}'s step. */
function afterFailure(
  job: DeliveryJob,
  run: DeliveryRun,
  slot: PostSlot,
  error: unknown,
): Promise<Stage> {
  const { account, entry, redactor } = job;
  const failure = toReleaseHallError(error, 'AMBIGUOUS', {
    platform: account.platform,
    accountId: account.id,
  });
  const doubt = doubtAfter(failure.code, run);
  // Only a write that may have been applied keeps its place in the window.
  slot.settle(doubt.keepsWindowSlot);
  redactor.scrubError(failure);
  run.pushInDoubt = doubt.pushInDoubt;
  run.mayHaveLanded = doubt.mayHaveLanded;
  const step = decide(failure, {
    action: run.action,
    pushInDoubt: run.pushInDoubt,
    publishIfNoPush: entry.publishIfNoPush === true,
    refreshedCredentials: run.refreshedCredentials,
    rateLimitWaits: run.rateLimitWaits,
    retry: job.retry,
  });
  return carryOut(job, run, failure, step);
}

/** Carries out one step of {@link decide}. */
async function carryOut(
  job: DeliveryJob,
  run: DeliveryRun,
  failure: ReleaseHallError,
  step: Step,
): Promise<Stage> {
  switch (step.kind) {
    case 'give-up':
      return gaveUp(failure);
    case 'retry':
      return { at: 'backoff', error: failure };
    case 'publish-instead':
      return publishInstead(job, run, failure);
    case 'wait-rate-limit':
      return waitForRateLimit(job, run, failure, step.delayMs);
    case 'refresh-credentials':
      return refreshCredentials(job, run, failure);
    case 'repeat-push':
      // The same push again is the look-up: the platform answers "already sent" (WeChat 45065,
      // by clientmsgid) if the first one landed, and asks for a pause (45066) if it came too soon.
      await recordFailure(job, run, 'unknown', failure);
      return { at: 'backoff', error: failure };
    case 'reconcile':
      return reconcileAfter(job, run, failure, step.delayMs, step.ifNotFound);
  }
}

function publishInstead(job: DeliveryJob, run: DeliveryRun, failure: ReleaseHallError): Stage {
  run.action = 'post';
  run.runtimeNote = `published, not pushed: the platform said no push is left (${withoutPrefix(failure.message)})`;
  run.mayHaveLanded = false;
  job.logger.warn(`${job.entry.id}: ${run.runtimeNote}`);
  return { at: 'send' };
}

async function waitForRateLimit(
  job: DeliveryJob,
  run: DeliveryRun,
  failure: ReleaseHallError,
  delayMs: number,
): Promise<Stage> {
  run.rateLimitWaits += 1;
  job.retrying(run.action, run.attempts, failure, delayMs);
  await recordFailure(job, run, run.pushInDoubt ? 'unknown' : 'planned', failure);
  await job.ticket.idle(() => sleep(delayMs, undefined, { signal: job.signal }));
  return { at: 'send' };
}

/**
 * The end of a token the platform refused and that resolving again did not change: whether it
 * expired, was revoked or was never valid, the platform does not always tell, so the message
 * says what is known and what to do. The code stays the platform's.
 */
function refusedToken(failure: ReleaseHallError, accountId: string): ReleaseHallError {
  const error = new ReleaseHallError(
    `${failure.message.replace(/;[^;]*$/, '')}; the credentials resolved again are the same, so the token is expired, revoked or not valid for account "${accountId}": re-authorise the account and update its secret`,
    {
      code: failure.code,
      retryable: false,
      ...(failure.platform === undefined ? {} : { platform: failure.platform }),
      ...(failure.platformCode === undefined ? {} : { platformCode: failure.platformCode }),
      accountId,
      cause: failure,
    },
  );
  return error;
}

/** Resolves the credentials again (a rotated token); sends again only when they changed. */
async function refreshCredentials(
  job: DeliveryJob,
  run: DeliveryRun,
  failure: ReleaseHallError,
): Promise<Stage> {
  run.refreshedCredentials = true;
  const again = await job.credentials
    .resolve(job.account, job.adapter.credentialFields)
    .catch(() => undefined);
  const previous = run.credentials;
  if (again === undefined || !Object.keys(again).some((key) => again[key] !== previous[key])) {
    return gaveUp(refusedToken(failure, job.account.id));
  }
  run.credentials = again;
  job.redactor.add(...Object.values(again));
  job.retrying(run.action, run.attempts, failure, 0);
  return { at: 'send' };
}

/** Looks the delivery up after a failure that may have landed; not found is `ifNotFound`. */
async function reconcileAfter(
  job: DeliveryJob,
  run: DeliveryRun,
  failure: ReleaseHallError,
  delayMs: number,
  ifNotFound: 'retry' | 'give-up',
): Promise<Stage> {
  await recordFailure(job, run, 'unknown', failure);
  if (delayMs > 0) await job.ticket.idle(() => sleep(delayMs, undefined, { signal: job.signal }));
  const found = await reconcile(lookUpInput(job, run), failure);
  if (found.kind !== 'not-found') return afterReconciliation(found);
  run.mayHaveLanded = false;
  // Not there: safe to send again after a backoff (a duplicate is the platform's refusal).
  return ifNotFound === 'retry' ? { at: 'backoff', error: failure } : gaveUp(failure);
}

function afterReconciliation(found: Reconciliation & { kind: 'found' | 'unconfirmed' }): Stage {
  return found.kind === 'found'
    ? end({ kind: 'done', outcome: { ref: found.ref, via: 'reconciled' } })
    : end(found);
}

/**
 * A failed attempt: backs off with jitter and starts another while retries are left (the wait
 * lets another delivery use the ticket), else gives up on `error`.
 */
async function backoff(job: DeliveryJob, run: DeliveryRun, error: unknown): Promise<Stage> {
  const { retry, signal } = job;
  const retriesLeft = Math.max(0, retry.retries - run.retriesConsumed);
  if (retriesLeft === 0) return gaveUp(error);
  job.ticket.release();
  job.retrying(
    run.action,
    run.attempts,
    toReleaseHallError(error, 'TRANSIENT'),
    retry.minTimeoutMs,
  );
  // A programming error is not retried.
  if (!(error instanceof Error) || error instanceof TypeError) return gaveUp(error);
  const delayMs = backoffDelay(run.retriesConsumed, retry, job.random);
  try {
    signal.throwIfAborted();
    if (delayMs > 0) await sleep(delayMs, undefined, { signal });
    signal.throwIfAborted();
  } catch {
    return gaveUp(signal.reason);
  }
  run.retriesConsumed += 1;
  return { at: 'attempt' };
}

/** The context of a platform call, with the credentials of now. */
function contextOf(job: DeliveryJob, run: DeliveryRun): DeliveryContext {
  const { entry, journal } = job;
  const { notes } = run;
  return {
    signal: job.requestSignal,
    idempotencyKey: entry.idempotencyKey,
    credentials: run.credentials,
    logger: job.logger,
    requestTimeoutMs: job.requestTimeoutMs,
    ...(job.siteDomain === undefined ? {} : { siteDomain: job.siteDomain }),
    journalNote: (key: string, value: string) => {
      notes[key] = value;
      return journal.note(entry.id, key, value);
    },
    notes,
  };
}

function descriptorOf(job: DeliveryJob, run: DeliveryRun): DeliveryDescriptor {
  return {
    action: run.action === 'relay' ? 'relay' : 'post',
    rendition: run.rendition,
    ...(run.source === undefined ? {} : { source: run.source }),
    firstAttemptAt: run.firstAttemptAt ?? new Date(run.startedMs),
    idempotencyKey: job.entry.idempotencyKey,
  };
}

function lookUpInput(job: DeliveryJob, run: DeliveryRun): LookUpInput {
  const { account, adapter, scheduler } = job;
  return {
    find: async () => {
      const found = await scheduler.onPlatform(account.platform, () =>
        adapter.findExisting(descriptorOf(job, run), account, contextOf(job, run)),
      );
      if (found.status !== 'found') return found;
      // Only a post this delivery's own attempts made is claimed: the same text posted by another
      // campaign (or another delivery) on the account is that delivery's.
      const owner = await job.journal.ownerOfPost?.(account.id, found.ref.id);
      if (owner === undefined || owner.deliveryId === job.entry.id) return found;
      run.takenBy = owner;
      return { status: 'not-found' };
    },
    wait: (ms) => job.ticket.idle(() => sleep(ms, undefined, { signal: job.signal })),
    minTimeoutMs: job.retry.minTimeoutMs,
    platform: account.platform,
    accountId: account.id,
    action: run.action,
  };
}

/** Journals a state change; a write that fails stops the delivery: nothing is sent unrecorded. */
async function record(
  job: DeliveryJob,
  run: DeliveryRun,
  state: DeliveryState,
  extra: Partial<DeliveryTransition> = {},
): Promise<void> {
  try {
    await job.journal.transition({
      deliveryId: job.entry.id,
      state,
      at: new Date().toISOString(),
      lease: job.lease,
      attempt: run.attempts,
      ...extra,
    });
  } catch (error) {
    throw new JournalWriteFailed(error);
  }
}

function recordFailure(
  job: DeliveryJob,
  run: DeliveryRun,
  state: DeliveryState,
  failure: ReleaseHallError,
): Promise<void> {
  return record(job, run, state, { errorCode: failure.code, errorMessage: failure.message });
}
