/**
 * The coordinator: runs a plan. It owns every side effect of a campaign: the queues, the one retry
 * loop, the journal writes and the events.
 *
 * Scheduling ({@link Scheduler}, shared by the campaigns of one publisher): each account has a
 * lane (one delivery at a time) and a post window (at most `postsPerWindow` posts in any
 * `windowMs`, counted from each post's sending to its answer plus the window); every request to a
 * platform also takes a slot of that platform's cap, which bounds the requests in flight. Waits
 * (rate-limit windows, backoff, look-ups of a post the platform accepted without an id) hold only
 * the account's lane, never the platform's slot.
 *
 * Retry policy:
 * - `TRANSIENT` (certainly not applied): backoff with jitter, then send again.
 * - `RATE_LIMITED`: wait for the window; not counted as a failed attempt.
 * - `AUTH_EXPIRED`: credentials resolved again once (a rotated token), then one more try.
 * - `AMBIGUOUS` (may have applied): `findExisting` first; send again only when it says not-found;
 *   when the platform cannot tell, the delivery is `unconfirmed` and is never sent blindly.
 * - `DUPLICATE_CONTENT`: the platform holds this text; `findExisting` tells whether it is ours.
 * - anything else: fail at once with the platform's reason.
 *
 * Resume: a delivery the journal left in `sending`, `unknown` or `unconfirmed` is looked up on the
 * platform before anything is sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEmitter } from 'eventemitter3';
import pRetry, { AbortError } from 'p-retry';
import {
  PUSH_ID_NOTE,
  PUSH_REPEAT_WINDOW_MS,
  type Adapter,
  type PushResult,
  type Credentials,
  type DeliveryContext,
  type DeliveryDescriptor,
  type PostRef,
  type PublishResult,
  type RateLimits,
  type Rendition,
} from '../adapter.js';
import type { CredentialsResolver } from '../credentials.js';
import { ERROR_GUIDE, type ErrorCode, ReleaseHallError, toReleaseHallError } from '../errors.js';
import type { PublisherEvents } from '../events.js';
import {
  type DeliveryRecord,
  type DeliveryState,
  FINAL_STATES,
  type Journal,
  type JournalDelivery,
  StaleLeaseError,
} from '../journal/journal.js';
import type { Logger } from '../logger.js';
import type { Account } from '../model/hall.js';
import type { Redactor } from '../redact.js';
import type { RetryOptions } from './options.js';
import { Admission, Ticket } from './admission.js';
import { type Scheduler, schedulerFor } from './scheduler.js';
import type { DeliveryAction, DeliveryResult } from './types.js';

/** What the coordinator needs. */
export interface CoordinatorInput {
  readonly campaignId: string;
  readonly deliveries: readonly JournalDelivery[];
  /** Journal records of a resumed campaign, by delivery id. */
  readonly prior?: ReadonlyMap<string, DeliveryRecord>;
  readonly accounts: ReadonlyMap<string, Account>;
  readonly adapters: ReadonlyMap<string, Adapter>;
  readonly limits: ReadonlyMap<string, RateLimits>;
  readonly credentials: CredentialsResolver;
  readonly journal: Journal;
  readonly events: EventEmitter<PublisherEvents>;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly retry: RetryOptions;
  readonly relayFallback: 'original' | 'skip';
  readonly siteDomain: string | undefined;
  readonly signal: AbortSignal;
  /** This run's lease on its deliveries. */
  readonly lease: string;
  /**
   * Resolves when the delivery may start (a pause holds it); `false` means stop. Calls `onHold`
   * when it starts holding the delivery, so the delivery can let others start meanwhile.
   */
  readonly gate?: (delivery: JournalDelivery, onHold?: () => void) => Promise<boolean>;
}

/** Thrown inside the retry loop when a delivery ends as `unconfirmed`. */
class UnconfirmedError extends Error {
  constructor(
    message: string,
    readonly original: ReleaseHallError,
  ) {
    super(message);
  }
}

interface Outcome {
  readonly ref?: PostRef;
  readonly via: 'sent' | 'reconciled' | 'accepted';
}

/** A delivery waiting for its platform's dispatcher. */
interface Queued {
  readonly entry: JournalDelivery;
  readonly record: DeliveryRecord | undefined;
  readonly resolve: (result: DeliveryResult) => void;
  readonly reject: (reason: unknown) => void;
}

/** What `#finish` records. */
interface Final {
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
}

const IN_DOUBT: ReadonlySet<DeliveryState> = new Set<DeliveryState>([
  'sending',
  'unknown',
  'unconfirmed',
]);

function renditionText(rendition: Rendition): string {
  return rendition.format === 'text' ? rendition.text : rendition.title;
}

/** Calls the adapter's push, refusing clearly when the platform has none. */
function pushWith(
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
function pushOutcome(pushed: PushResult, account: Account): Outcome {
  if (pushed.status === 'sent' || pushed.status === 'sending' || pushed.status === 'submitted') {
    return { ref: pushed.ref, via: pushed.alreadySent ? 'reconciled' : 'sent' };
  }
  const base = { platform: account.platform, accountId: account.id };
  if (pushed.status === 'awaiting-confirmation') {
    const until = pushed.deadline ? ` until ${pushed.deadline.toISOString()}` : '';
    throw new AbortError(
      new UnconfirmedError(
        `[release-hall] [${account.platform}] the push of account "${account.id}" waits for the account administrator's confirmation${until}; it goes out when confirmed and fails when refused or left unanswered. Resume the campaign later to learn which (it is never pushed twice)`,
        new ReleaseHallError('[release-hall] push awaiting confirmation', {
          ...base,
          code: 'AMBIGUOUS',
        }),
      ),
    );
  }
  throw new AbortError(
    new ReleaseHallError(
      `[release-hall] [${account.platform}] the push of account "${account.id}" was taken and then ${pushed.status === 'deleted' ? 'deleted' : 'failed'}${pushed.detail ? ` (${pushed.detail})` : ''}: check the account's mass-send history`,
      { ...base, code: 'CONTENT_REJECTED' },
    ),
  );
}

/** Builds the report line of a delivery from its journal record. */
export function resultFromRecord(
  record: DeliveryRecord,
  account: Account | undefined,
): DeliveryResult {
  const { delivery } = record;
  const status: DeliveryResult['status'] =
    record.state === 'succeeded' || record.state === 'reconciled'
      ? 'succeeded'
      : record.state === 'failed'
        ? 'failed'
        : record.state === 'skipped' || record.state === 'planned' || record.state === 'retracted'
          ? 'skipped'
          : 'unconfirmed';
  const ref: PostRef | undefined =
    record.remoteId === undefined
      ? undefined
      : {
          platform: delivery.platform,
          accountId: delivery.accountId,
          id: record.remoteId,
          ...(record.url === undefined ? {} : { url: record.url }),
        };
  const last = record.history.at(-1);
  return {
    deliveryId: delivery.id,
    accountId: delivery.accountId,
    memberId: delivery.memberId,
    platform: delivery.platform,
    handle: account?.handle ?? delivery.accountId,
    action: delivery.action,
    performed: record.performed ?? (status === 'skipped' ? 'none' : delivery.action),
    status,
    attempts: record.attempts,
    ...(ref === undefined ? {} : { ref, remoteId: ref.id }),
    ...(record.url === undefined ? {} : { url: record.url }),
    ...(record.via === undefined
      ? record.state === 'reconciled'
        ? { via: 'reconciled' as const }
        : {}
      : { via: record.via }),
    ...(record.firstAttemptAt === undefined ? {} : { startedAt: record.firstAttemptAt }),
    ...(last === undefined ? {} : { finishedAt: last.at }),
    ...(record.errorCode === undefined || status === 'succeeded'
      ? {}
      : { errorCode: record.errorCode, advice: ERROR_GUIDE[record.errorCode].action }),
    ...(record.errorMessage === undefined || status === 'succeeded'
      ? {}
      : { errorMessage: record.errorMessage }),
    text: renditionText(delivery.rendition),
    ...(delivery.note === undefined ? {} : { note: delivery.note }),
  };
}

/** Runs deliveries and returns one result per delivery. */
export class Coordinator {
  readonly #input: CoordinatorInput;
  readonly #scheduler: Scheduler;
  /** Tickets per platform: how many of this campaign's deliveries are under way at once. */
  readonly #admissions = new Map<string, Admission>();
  readonly #settled = new Map<string, Promise<DeliveryResult>>();
  /** Deliveries this run starts (those not final already). */
  readonly #queued = new Set<string>();
  #done = 0;
  #succeeded = 0;
  #failed = 0;
  #skipped = 0;

  constructor(input: CoordinatorInput) {
    this.#input = input;
    this.#scheduler = schedulerFor(input.limits);
  }

  /** Runs every delivery; never rejects for a delivery failure. */
  async run(): Promise<DeliveryResult[]> {
    const { deliveries, prior } = this.#input;
    const queues = new Map<string, Queued[]>();
    for (const entry of deliveries) {
      const record = prior?.get(entry.id);
      if (record !== undefined && FINAL_STATES.has(record.state)) {
        const result = resultFromRecord(record, this.#input.accounts.get(entry.accountId));
        this.#count(result);
        this.#settled.set(entry.id, Promise.resolve(result));
        continue;
      }
      let resolve!: (result: DeliveryResult) => void;
      let reject!: (reason: unknown) => void;
      this.#settled.set(
        entry.id,
        new Promise<DeliveryResult>((onResult, onError) => {
          resolve = onResult;
          reject = onError;
        }),
      );
      const queue = queues.get(entry.platform) ?? [];
      queue.push({ entry, record, resolve, reject });
      queues.set(entry.platform, queue);
    }
    for (const [platform, queue] of queues) this.#dispatch(platform, queue);
    const settled = await Promise.allSettled(
      deliveries.map((entry) => this.#settled.get(entry.id)!),
    );
    return settled.map((outcome, index) => {
      if (outcome.status === 'fulfilled') return outcome.value;
      const entry = deliveries[index]!;
      const reason =
        outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      this.#input.logger.error(`delivery ${entry.id} stopped on an internal error: ${reason}`);
      return {
        deliveryId: entry.id,
        accountId: entry.accountId,
        memberId: entry.memberId,
        platform: entry.platform,
        handle: this.#input.accounts.get(entry.accountId)?.handle ?? entry.accountId,
        action: entry.action,
        performed: 'none',
        status: 'unconfirmed',
        attempts: 0,
        errorMessage: this.#input.redactor.string(
          `[release-hall] the run could not record this delivery (${reason}); check the account and resume the campaign`,
        ),
      } satisfies DeliveryResult;
    });
  }

  /**
   * The admission of a platform: enough deliveries under way to keep every platform slot busy
   * while others write to the journal or wait for an answer, and few enough to bound memory.
   */
  #admission(platform: string): Admission {
    let admission = this.#admissions.get(platform);
    if (admission === undefined) {
      const { platformConcurrency } = this.#limits(platform);
      admission = new Admission(Math.max(32, 4 * platformConcurrency));
      this.#admissions.set(platform, admission);
    }
    return admission;
  }

  #limits(platform: string): RateLimits {
    const limits = this.#input.limits.get(platform);
    if (limits === undefined) throw new Error(`internal: no limits for ${platform}`);
    return limits;
  }

  /**
   * Starts a platform's deliveries in plan order as its tickets allow. A relay is started once
   * the post it relays has settled, so relays never hold tickets while the lead needs one.
   */
  #dispatch(platform: string, queue: (Queued | undefined)[]): void {
    const admission = this.#admission(platform);
    const started = new Set<string>();
    let position = 0;
    const startAll = async (): Promise<void> => {
      for (; position < queue.length; position++) {
        const item = queue[position];
        if (item === undefined) continue;
        const { dependsOn } = item.entry;
        // Wait for the lead only when it is already under way (or not run here): never for a
        // delivery further down this queue, which could not start before this one.
        if (dependsOn !== undefined && (started.has(dependsOn) || !this.#queued.has(dependsOn))) {
          await this.#settled.get(dependsOn)?.catch(() => undefined);
        }
        const ticket = new Ticket(admission);
        await ticket.take();
        started.add(item.entry.id);
        // Started: the queue lets go of it (its resolvers live on in the promise chain).
        queue[position] = undefined;
        this.#runEntry(item.entry, item.record, ticket).then(item.resolve, item.reject);
      }
    };
    for (const item of queue) if (item !== undefined) this.#queued.add(item.entry.id);
    startAll().catch((error: unknown) => {
      // Not expected: settle whatever was not started, so the run still ends.
      for (const item of queue) item?.reject(error);
    });
  }

  async #runEntry(
    entry: JournalDelivery,
    prior: DeliveryRecord | undefined,
    ticket: Ticket,
  ): Promise<DeliveryResult> {
    try {
      return await this.#runTicketed(entry, prior, ticket);
    } finally {
      ticket.release();
    }
  }

  async #runTicketed(
    entry: JournalDelivery,
    prior: DeliveryRecord | undefined,
    ticket: Ticket,
  ): Promise<DeliveryResult> {
    const account = this.#input.accounts.get(entry.accountId);
    const adapter = this.#input.adapters.get(entry.platform);
    if (account === undefined || adapter === undefined) {
      throw new Error(`internal: ${entry.id} has no account or adapter`);
    }

    if (entry.action === 'retract')
      throw new Error(`internal: ${entry.id} is a retract, not run here`);
    if (entry.blocked !== undefined) {
      return this.#finish(entry, account, {
        status: 'skipped',
        performed: 'none',
        attempts: 0,
        errorCode: entry.blocked.code,
        errorMessage: entry.blocked.reason,
      });
    }
    let action: DeliveryAction = entry.action;
    let rendition: Rendition = entry.rendition;
    let source: PostRef | undefined;
    if (prior?.performed === 'post' && entry.action === 'relay' && entry.fallbackRendition) {
      // An earlier run already fell back to an original post; look that one up.
      action = 'post';
      rendition = entry.fallbackRendition;
    }
    if (entry.dependsOn !== undefined && action === 'relay') {
      const lead = await this.#settled.get(entry.dependsOn);
      if (lead?.ref !== undefined && lead.status === 'succeeded') {
        source = lead.ref;
      } else if (
        this.#input.relayFallback === 'original' &&
        entry.fallbackRendition !== undefined
      ) {
        action = 'post';
        rendition = entry.fallbackRendition;
        this.#input.logger.warn(
          `relay of ${account.id} falls back to an original post: the lead's post did not succeed`,
          { deliveryId: entry.id },
        );
      } else {
        return this.#finish(entry, account, {
          status: 'skipped',
          performed: 'none',
          attempts: prior?.attempts ?? 0,
          errorMessage: `[release-hall] [${account.platform}] relay skipped: the lead's post ${lead?.status === 'succeeded' ? 'has no id yet' : 'did not succeed'} (relayFallback is "skip")`,
        });
      }
    }

    const idle = <T>(wait: () => Promise<T>): Promise<T> => ticket.idle(wait);
    // A delivery held by a pause lets the others start; it takes a ticket again once let go.
    const admitted = async (): Promise<boolean> => {
      const proceed = this.#input.signal.aborted
        ? false
        : ((await this.#input.gate?.(entry, () => {
            ticket.release();
          })) ?? true);
      if (proceed && !this.#input.signal.aborted) await ticket.take(true);
      return proceed && !this.#input.signal.aborted;
    };
    const stopped = (): Promise<DeliveryResult> =>
      this.#finish(entry, account, {
        status: 'skipped',
        performed: 'none',
        attempts: prior?.attempts ?? 0,
        errorCode: 'ABORTED',
        errorMessage: '[release-hall] not started: the run was stopped',
        // Not final in the journal: a resumed run sends it.
        journalState:
          prior?.state === 'unknown' || prior?.state === 'unconfirmed' ? prior.state : 'planned',
      });
    // The pause is waited out before the account's lane is taken, so a paused campaign never
    // blocks another campaign's deliveries on the same account; it is asked again in the lane.
    if (!(await admitted())) return stopped();
    return this.#scheduler.inLane(account.id, idle, async () => {
      if (!(await admitted())) return stopped();
      return this.#deliver(entry, account, adapter, action, rendition, source, prior, ticket);
    });
  }

  async #deliver(
    entry: JournalDelivery,
    account: Account,
    adapter: Adapter,
    action: DeliveryAction,
    rendition: Rendition,
    source: PostRef | undefined,
    prior: DeliveryRecord | undefined,
    ticket: Ticket,
  ): Promise<DeliveryResult> {
    const { journal, retry, signal, redactor, lease } = this.#input;
    const started = Date.now();
    const startedAt = prior?.firstAttemptAt ?? new Date(started).toISOString();
    let attempts = prior?.attempts ?? 0;
    let firstAttemptAt: Date | undefined = prior?.firstAttemptAt
      ? new Date(prior.firstAttemptAt)
      : undefined;
    let mayHaveLanded = prior !== undefined && IN_DOUBT.has(prior.state);
    let pushInDoubt = action === 'push' && mayHaveLanded;
    let runtimeNote: string | undefined;
    const notes: Record<string, string> = { ...prior?.notes };
    let credentials: Credentials;
    const text = renditionText(rendition);
    const base = { performed: action, startedAt, text } as const;

    try {
      credentials = await this.#input.credentials.resolve(account, adapter.credentialFields);
      redactor.add(...Object.values(credentials));
    } catch (error) {
      const failure = toReleaseHallError(error, 'AUTH_INVALID', {
        platform: account.platform,
        accountId: account.id,
      });
      redactor.scrubError(failure);
      return this.#finish(entry, account, {
        ...base,
        status: mayHaveLanded ? 'unconfirmed' : 'failed',
        performed: mayHaveLanded ? action : 'none',
        attempts,
        errorCode: failure.code,
        errorMessage: failure.message,
      });
    }
    let refreshedCredentials = false;
    const limits = this.#limits(account.platform);
    const context = (): DeliveryContext => ({
      signal,
      idempotencyKey: entry.idempotencyKey,
      credentials,
      logger: this.#input.logger,
      requestTimeoutMs: limits.requestTimeoutMs,
      ...(this.#input.siteDomain === undefined ? {} : { siteDomain: this.#input.siteDomain }),
      journalNote: (key: string, value: string) => {
        notes[key] = value;
        return journal.note(entry.id, key, value);
      },
      notes,
    });
    const descriptor = (): DeliveryDescriptor => ({
      action: action === 'relay' ? 'relay' : 'post',
      rendition,
      ...(source === undefined ? {} : { source }),
      firstAttemptAt: firstAttemptAt ?? new Date(started),
      idempotencyKey: entry.idempotencyKey,
    });
    const onPlatform = <T>(call: () => Promise<T>): Promise<T> =>
      this.#scheduler.onPlatform(account.platform, call);
    // A journal write that fails stops this delivery's retries: nothing is sent unrecorded.
    const record = (
      state: DeliveryState,
      extra: Partial<Parameters<Journal['transition']>[0]> = {},
    ) =>
      journal
        .transition({
          deliveryId: entry.id,
          state,
          at: new Date().toISOString(),
          lease,
          attempt: attempts,
          ...extra,
        })
        .catch((error: unknown) => {
          throw new AbortError(error instanceof Error ? error : new Error(String(error)));
        });

    const lookUp = async (): Promise<'not-found' | PostRef | { unknown: string }> => {
      let lastReason = 'the platform could not be read';
      for (let tries = 0; tries < 3; tries++) {
        try {
          const found = await onPlatform(() =>
            adapter.findExisting(descriptor(), account, context()),
          );
          if (found.status === 'found') return found.ref;
          if (found.status === 'not-found') return 'not-found';
          lastReason = found.reason;
        } catch (error) {
          const failure = toReleaseHallError(error, 'TRANSIENT', {
            platform: account.platform,
            accountId: account.id,
          });
          lastReason = failure.message;
          if (failure.code === 'ABORTED' || !failure.retryable) break;
        }
        if (tries < 2) {
          await ticket.idle(() => sleep(retry.minTimeoutMs * 2 ** tries, undefined, { signal }));
        }
      }
      return { unknown: lastReason };
    };

    const unconfirmed = (failure: ReleaseHallError, reason: string): AbortError =>
      new AbortError(
        new UnconfirmedError(
          `[release-hall] [${account.platform}] could not confirm whether the ${action} of account "${account.id}" landed (${failure.message.replace(/^\[release-hall\] /, '')}; look-up: ${reason.replace(/^\[release-hall\] /, '')}). It was not re-sent: check the account by hand`,
          failure,
        ),
      );

    const attemptOnce = async (): Promise<Outcome> => {
      if (
        action === 'push' &&
        pushInDoubt &&
        notes[PUSH_ID_NOTE] === undefined &&
        firstAttemptAt !== undefined &&
        Date.now() - firstAttemptAt.getTime() > PUSH_REPEAT_WINDOW_MS
      ) {
        // Too late to repeat it safely: the platform forgets the push's id after a day.
        throw unconfirmed(
          new ReleaseHallError(
            `[release-hall] [${account.platform}] the push of account "${account.id}" was left in doubt more than a day ago`,
            { code: 'AMBIGUOUS', platform: account.platform, accountId: account.id },
          ),
          "too late to repeat it safely (the platform keeps a push id for 24 hours); check the account's mass-send history by hand",
        );
      }
      if (mayHaveLanded && action !== 'push') {
        // Resumed after a crash, or an earlier attempt's fate is unknown: look before sending.
        // (A push needs no look-up: it is idempotent by its key, so it is simply repeated.)
        const found = await lookUp();
        if (typeof found === 'object' && 'unknown' in found) {
          throw unconfirmed(
            new ReleaseHallError(
              `[release-hall] [${account.platform}] an earlier run was interrupted during this ${action}`,
              {
                code: 'AMBIGUOUS',
                platform: account.platform,
                accountId: account.id,
              },
            ),
            found.unknown,
          );
        }
        if (found !== 'not-found') return { ref: found, via: 'reconciled' };
        mayHaveLanded = false;
      }
      let rateLimitWaits = 0;
      for (;;) {
        // A place in the account's post window comes first: nothing says "sending" while waiting.
        const slot = await this.#scheduler.takePostSlot(
          account.id,
          account.platform,
          signal,
          (wait) => ticket.idle(wait),
        );
        attempts += 1;
        firstAttemptAt ??= new Date();
        try {
          await record('sending', { performed: action });
        } catch (error) {
          slot.settle(false);
          throw error;
        }
        this.#emit('delivery:started', {
          campaignId: entry.campaignId,
          deliveryId: entry.id,
          accountId: account.id,
          platform: account.platform,
          action,
          attempt: attempts,
        });
        let result: PublishResult | undefined;
        let pushed: PushResult | undefined;
        mayHaveLanded = true;
        try {
          if (action === 'push') {
            pushed = await onPlatform(() => pushWith(adapter, rendition, account, context()));
          } else {
            result = await onPlatform(() =>
              action === 'relay' && source !== undefined
                ? adapter.relay(source, rendition, account, context())
                : adapter.publish(rendition, account, context()),
            );
          }
          slot.settle(true);
        } catch (error) {
          const failure = toReleaseHallError(error, 'AMBIGUOUS', {
            platform: account.platform,
            accountId: account.id,
          });
          // Only a write that may have been applied keeps its place in the window.
          slot.settle(failure.code === 'AMBIGUOUS' || failure.code === 'ABORTED');
          redactor.scrubError(failure);
          if (failure.code === 'ABORTED') throw new AbortError(failure);
          // A push has no look-up: once one attempt's answer was lost, it may have gone out until
          // the platform says otherwise ("already sent" or a plain success).
          if (failure.code === 'AMBIGUOUS' && action === 'push') pushInDoubt = true;
          if (failure.code !== 'AMBIGUOUS' && failure.code !== 'DUPLICATE_CONTENT')
            mayHaveLanded = pushInDoubt;
          if (
            failure.code === 'QUOTA_EXHAUSTED' &&
            action === 'push' &&
            entry.publishIfNoPush === true &&
            !pushInDoubt
          ) {
            // The platform knows of pushes the ledger does not (made in its console): publish.
            action = 'post';
            runtimeNote = `published, not pushed: the platform said no push is left (${failure.message.replace(/^\[release-hall\] /, '')})`;
            mayHaveLanded = false;
            this.#input.logger.warn(`${entry.id}: ${runtimeNote}`);
            continue;
          }
          if (failure.code === 'RATE_LIMITED') {
            const wait = Math.min(
              failure.retryAfterMs ?? retry.minTimeoutMs,
              retry.maxRateLimitWaitMs,
            );
            if (rateLimitWaits >= retry.maxRateLimitWaits) throw new AbortError(failure);
            rateLimitWaits += 1;
            this.#retrying(entry, account, action, attempts, failure, wait);
            await record(pushInDoubt ? 'unknown' : 'planned', {
              errorCode: failure.code,
              errorMessage: failure.message,
            });
            await ticket.idle(() => sleep(wait, undefined, { signal }));
            continue;
          }
          if (failure.code === 'AUTH_EXPIRED' && !refreshedCredentials) {
            refreshedCredentials = true;
            const again = await this.#input.credentials
              .resolve(account, adapter.credentialFields)
              .catch(() => undefined);
            if (
              again !== undefined &&
              Object.keys(again).some((key) => again[key] !== credentials[key])
            ) {
              credentials = again;
              redactor.add(...Object.values(credentials));
              this.#retrying(entry, account, action, attempts, failure, 0);
              continue;
            }
            throw new AbortError(failure);
          }
          if (failure.code === 'AMBIGUOUS' && action === 'push') {
            // The same push again is the look-up: the platform answers "already sent" (WeChat
            // 45065, by clientmsgid) if the first one landed, and asks for a pause (45066) if
            // it came too soon.
            await record('unknown', { errorCode: failure.code, errorMessage: failure.message });
            throw failure;
          }
          if (failure.code === 'AMBIGUOUS' || failure.code === 'DUPLICATE_CONTENT') {
            await record('unknown', { errorCode: failure.code, errorMessage: failure.message });
            if (failure.code === 'AMBIGUOUS' && retry.reconcileDelayMs > 0) {
              await ticket.idle(() => sleep(retry.reconcileDelayMs, undefined, { signal }));
            }
            const found = await lookUp();
            if (typeof found === 'object' && 'unknown' in found)
              throw unconfirmed(failure, found.unknown);
            if (found !== 'not-found') return { ref: found, via: 'reconciled' };
            mayHaveLanded = false;
            if (failure.code === 'DUPLICATE_CONTENT') throw new AbortError(failure);
            throw failure; // not there: safe to send again after backoff
          }
          if (failure.retryable) throw failure;
          throw new AbortError(failure);
        }
        if (pushed !== undefined) return pushOutcome(pushed, account);
        if (result === undefined)
          throw new AbortError(new Error(`internal: ${entry.id} has no result`));
        if (result.status === 'posted') return { ref: result.ref, via: 'sent' };
        // Accepted without an id: never re-send; look for it.
        await record('unknown', { errorMessage: result.reason });
        for (const wait of retry.acceptedPollMs) {
          await ticket.idle(() => sleep(wait, undefined, { signal }));
          const found = await lookUp();
          if (typeof found === 'object' && !('unknown' in found))
            return { ref: found, via: 'accepted' };
        }
        return { via: 'accepted' };
      }
    };

    let outcome: Outcome | undefined;
    let final: Final;
    try {
      outcome = await pRetry(
        async () => {
          await ticket.take(true);
          outcome = await attemptOnce();
          return outcome;
        },
        {
          retries: retry.retries,
          minTimeout: retry.minTimeoutMs,
          maxTimeout: retry.maxTimeoutMs,
          factor: retry.factor,
          randomize: retry.randomize,
          signal,
          onFailedAttempt: ({ error, retriesLeft }) => {
            if (retriesLeft > 0) {
              // The backoff is a wait: another delivery may use the ticket meanwhile.
              ticket.release();
              this.#retrying(
                entry,
                account,
                action,
                attempts,
                toReleaseHallError(error, 'TRANSIENT'),
                retry.minTimeoutMs,
              );
            }
          },
        },
      );
    } catch (error) {
      if (outcome === undefined) {
        final = this.#failure(error, account, action, attempts, mayHaveLanded, {
          ...base,
          performed: action,
        });
      }
    }
    if (outcome !== undefined) {
      const url =
        outcome.ref?.url ?? (outcome.ref ? adapter.postUrl?.(outcome.ref, account) : undefined);
      final = {
        ...base,
        performed: action,
        ...(runtimeNote === undefined ? {} : { note: runtimeNote }),
        status: 'succeeded',
        attempts,
        via: outcome.via,
        ...(outcome.ref === undefined
          ? {}
          : { ref: url === undefined ? outcome.ref : { ...outcome.ref, url } }),
        ...(outcome.ref === undefined
          ? {
              errorMessage:
                '[release-hall] the platform accepted the post but has not shown it yet; it was not re-sent',
            }
          : {}),
      };
    }
    // Only the journal write and the events are left: the next delivery may start meanwhile.
    ticket.release();
    return this.#finish(entry, account, final!);
  }

  #failure(
    error: unknown,
    account: Account,
    action: DeliveryAction,
    attempts: number,
    mayHaveLanded: boolean,
    base: { performed: DeliveryAction; startedAt: string; text: string },
  ): Final {
    const { redactor, signal } = this.#input;
    if (error instanceof StaleLeaseError) {
      return { ...base, status: 'skipped', attempts, errorMessage: error.message };
    }
    if (error instanceof UnconfirmedError) {
      return {
        ...base,
        status: 'unconfirmed',
        attempts,
        errorCode: error.original.code,
        errorMessage: redactor.string(error.message),
      };
    }
    const failure = toReleaseHallError(error, signal.aborted ? 'ABORTED' : 'TRANSIENT', {
      platform: account.platform,
      accountId: account.id,
    });
    redactor.scrubError(failure);
    if (signal.aborted) {
      return mayHaveLanded
        ? {
            ...base,
            status: 'unconfirmed',
            attempts,
            errorCode: 'ABORTED',
            errorMessage: `[release-hall] [${account.platform}] the run was stopped while the ${action} of account "${account.id}" was in flight; it may have landed: resume the campaign (it looks before sending) or check the account`,
          }
        : {
            ...base,
            status: 'skipped',
            performed: 'none',
            attempts,
            errorCode: 'ABORTED',
            errorMessage: `[release-hall] [${account.platform}] stopped before the ${action} of account "${account.id}" was sent`,
            // Not final: resume sends it.
            journalState: 'planned',
          };
    }
    if (mayHaveLanded && action === 'push') {
      return {
        ...base,
        status: 'unconfirmed',
        attempts,
        errorCode: failure.code,
        errorMessage: `[release-hall] [${account.platform}] the push of account "${account.id}" may have gone out (an earlier answer was lost) and the last try ended with: ${failure.message.replace(/^\[release-hall\] /, '')}. Resume the campaign: it repeats the push with the same id, which the platform answers "already sent" instead of pushing twice`,
      };
    }
    return {
      ...base,
      status: 'failed',
      attempts,
      errorCode: failure.code,
      errorMessage: failure.message,
    };
  }

  #emit<K extends keyof PublisherEvents>(
    name: K,
    payload: Parameters<PublisherEvents[K]>[0],
  ): void {
    // Nobody listening: skip the redacted copy (a large hall emits several events per delivery).
    if (this.#input.events.listenerCount(name) === 0) return;
    try {
      (this.#input.events.emit as (name: K, payload: unknown) => boolean)(
        name,
        this.#input.redactor.deep(payload),
      );
    } catch (error) {
      // A listener's error must never change what happened to a delivery.
      this.#input.logger.error(
        `a listener of ${name} threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  #retrying(
    entry: JournalDelivery,
    account: Account,
    action: DeliveryAction,
    attempt: number,
    failure: ReleaseHallError,
    delayMs: number,
  ): void {
    this.#emit('delivery:retrying', {
      campaignId: entry.campaignId,
      deliveryId: entry.id,
      accountId: account.id,
      platform: account.platform,
      action,
      attempt,
      code: failure.code,
      message: failure.message,
      delayMs,
    });
  }

  #count(result: DeliveryResult): void {
    this.#done += 1;
    if (result.status === 'succeeded') this.#succeeded += 1;
    else if (result.status === 'skipped') this.#skipped += 1;
    else this.#failed += 1;
  }

  async #finish(entry: JournalDelivery, account: Account, outcome: Final): Promise<DeliveryResult> {
    const { redactor, journal, lease } = this.#input;
    const finishedAt = new Date();
    const { errorCode, errorMessage } = outcome;
    const result: DeliveryResult = redactor.deep({
      deliveryId: entry.id,
      accountId: account.id,
      memberId: account.memberId,
      platform: account.platform,
      handle: account.handle,
      action: entry.action,
      performed: outcome.performed,
      status: outcome.status,
      attempts: outcome.attempts,
      ...(outcome.ref === undefined ? {} : { ref: outcome.ref, remoteId: outcome.ref.id }),
      ...(outcome.ref?.url === undefined ? {} : { url: outcome.ref.url }),
      ...(outcome.via === undefined ? {} : { via: outcome.via }),
      ...(outcome.startedAt === undefined
        ? {}
        : {
            startedAt: outcome.startedAt,
            durationMs: finishedAt.getTime() - Date.parse(outcome.startedAt),
          }),
      finishedAt: finishedAt.toISOString(),
      ...(errorCode === undefined ? {} : { errorCode, advice: ERROR_GUIDE[errorCode].action }),
      ...(errorMessage === undefined ? {} : { errorMessage }),
      ...(outcome.text === undefined ? {} : { text: outcome.text }),
      ...((outcome.note ?? entry.note) === undefined ? {} : { note: outcome.note ?? entry.note }),
    });
    const state: DeliveryState =
      outcome.journalState ??
      (outcome.status === 'succeeded'
        ? outcome.via === 'reconciled'
          ? 'reconciled'
          : 'succeeded'
        : outcome.status);
    const stale =
      outcome.status === 'skipped' && errorMessage?.includes('is now run by another process');
    if (!stale) {
      try {
        await journal.transition({
          deliveryId: entry.id,
          state,
          at: result.finishedAt ?? finishedAt.toISOString(),
          lease,
          attempt: outcome.attempts,
          performed: outcome.performed,
          ...(result.via === undefined ? {} : { via: result.via }),
          ...(result.remoteId === undefined ? {} : { remoteId: result.remoteId }),
          ...(result.url === undefined ? {} : { url: result.url }),
          ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
          ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }),
        });
      } catch (error) {
        this.#input.logger.error(
          `could not journal the result of ${entry.id}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.#count(result);
    const name =
      outcome.status === 'succeeded'
        ? 'delivery:succeeded'
        : outcome.status === 'skipped'
          ? 'delivery:skipped'
          : 'delivery:failed';
    this.#emit(name, { campaignId: entry.campaignId, result });
    this.#emit('campaign:progress', {
      campaignId: entry.campaignId,
      done: this.#done,
      total: this.#input.deliveries.length,
      succeeded: this.#succeeded,
      failed: this.#failed,
      skipped: this.#skipped,
    });
    return result;
  }
}
