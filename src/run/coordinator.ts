/**
 * The coordinator: runs a plan. It owns every side effect of a campaign: the queues, the journal
 * writes and the events; it carries out each delivery's steps and records how it ended.
 *
 * Scheduling ({@link Scheduler}, shared by the campaigns of one publisher): each account has a
 * lane (one delivery at a time) and a post window (at most `postsPerWindow` posts in any
 * `windowMs`, counted from each post's sending to its answer plus the window); every request to a
 * platform also takes a slot of that platform's cap, which bounds the requests in flight. Waits
 * (rate-limit windows, backoff, look-ups of a post the platform accepted without an id) hold only
 * the account's lane, never the platform's slot.
 *
 * One delivery is a state machine (`deliver.ts`); what follows a failed send is decided by the pure
 * `decide` (`decide.ts`, the retry policy); the look-up before any re-send is `reconcile.ts`; how
 * an end is recorded is `conclude.ts`.
 *
 * Resume: a delivery the journal left in `sending`, `unknown` or `unconfirmed` is looked up on the
 * platform before anything is sent.
 */
import { setMaxListeners } from 'node:events';
import type { EventEmitter } from 'eventemitter3';
import type { Adapter, Credentials, PostRef, RateLimits, Rendition } from '../adapter.js';
import type { CredentialsResolver } from '../credentials.js';
import { ERROR_GUIDE, toReleaseHallError } from '../errors.js';
import type { PublisherEvents } from '../events.js';
import {
  type DeliveryRecord,
  type DeliveryState,
  FINAL_STATES,
  type Journal,
  type JournalDelivery,
} from '../journal/journal.js';
import type { Logger } from '../logger.js';
import type { Account } from '../model/hall.js';
import type { Redactor } from '../redact.js';
import type { RetryOptions } from './options.js';
import { Admission, Ticket } from './admission.js';
import { type Final, conclude } from './conclude.js';
import { type DeliveryJob, deliver, inDoubt, renditionText, startRun } from './deliver.js';
import { type Scheduler, schedulerFor } from './scheduler.js';
import type { DeliveryAction, DeliveryResult } from './types.js';

/** What the coordinator needs. */

/** The journal note naming the campaign whose post holds the same text. */
const DUPLICATE_OF_NOTE = 'duplicate-of';

/** A signal that is never aborted: platform calls end by their own timeout. */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;
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
  /**
   * Cuts platform calls in flight short. By default none is: when `signal` stops the run, the calls
   * in flight finish (each bounded by the request timeout) and their answers are recorded.
   */
  readonly requestSignal?: AbortSignal;
  readonly signal: AbortSignal;
  /** This run's lease on its deliveries. */
  readonly lease: string;
  /**
   * Resolves when the delivery may start (a pause holds it); `false` means stop. Calls `onHold`
   * when it starts holding the delivery, so the delivery can let others start meanwhile.
   */
  readonly gate?: (delivery: JournalDelivery, onHold?: () => void) => Promise<boolean>;
}

/** A delivery waiting for its platform's dispatcher. */
interface Queued {
  readonly entry: JournalDelivery;
  readonly record: DeliveryRecord | undefined;
  readonly resolve: (result: DeliveryResult) => void;
  readonly reject: (reason: unknown) => void;
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
  const duplicateOf = record.notes?.[DUPLICATE_OF_NOTE];
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
    ...(duplicateOf === undefined ? {} : { duplicateOf }),
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
    // Every delivery waiting (a backoff, a rate window, its turn) listens to the one stop signal:
    // hundreds at once is the normal case, not a leak, so Node is told not to warn about it.
    setMaxListeners(0, input.signal);
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

  /** Resolves the credentials, runs the delivery's machine and records how it ended. */
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
    const { redactor } = this.#input;
    const startedAt = prior?.firstAttemptAt ?? new Date().toISOString();
    const base = { startedAt, text: renditionText(rendition) } as const;
    let credentials: Credentials;
    try {
      credentials = await this.#input.credentials.resolve(account, adapter.credentialFields);
      redactor.add(...Object.values(credentials));
    } catch (error) {
      const failure = toReleaseHallError(error, 'AUTH_INVALID', {
        platform: account.platform,
        accountId: account.id,
      });
      redactor.scrubError(failure);
      const mayHaveLanded = inDoubt(prior);
      return this.#finish(entry, account, {
        ...base,
        status: mayHaveLanded ? 'unconfirmed' : 'failed',
        performed: mayHaveLanded ? action : 'none',
        attempts: prior?.attempts ?? 0,
        errorCode: failure.code,
        errorMessage: failure.message,
      });
    }
    const job = this.#job(entry, account, adapter, ticket);
    const run = startRun(prior, action, rendition, source, credentials);
    const final = conclude(job, run, await deliver(job, run), base);
    // Only the journal write and the events are left: the next delivery may start meanwhile.
    ticket.release();
    return this.#finish(entry, account, final);
  }

  /** What a delivery's machine works with: this run's resources and its events. */
  #job(entry: JournalDelivery, account: Account, adapter: Adapter, ticket: Ticket): DeliveryJob {
    const input = this.#input;
    const subject = {
      campaignId: entry.campaignId,
      deliveryId: entry.id,
      accountId: account.id,
      platform: account.platform,
    };
    return {
      entry,
      account,
      adapter,
      ticket,
      retry: input.retry,
      signal: input.signal,
      requestSignal: input.requestSignal ?? NEVER_ABORTED,
      scheduler: this.#scheduler,
      journal: input.journal,
      lease: input.lease,
      redactor: input.redactor,
      logger: input.logger,
      credentials: input.credentials,
      requestTimeoutMs: this.#limits(account.platform).requestTimeoutMs,
      siteDomain: input.siteDomain,
      started: (action, attempt) => {
        this.#emit('delivery:started', { ...subject, action, attempt });
      },
      retrying: (action, attempt, failure, delayMs) => {
        this.#emit('delivery:retrying', {
          ...subject,
          action,
          attempt,
          code: failure.code,
          message: failure.message,
          delayMs,
        });
      },
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
      ...(outcome.duplicateOf === undefined ? {} : { duplicateOf: outcome.duplicateOf }),
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
    // A delivery another run has taken over is that run's to record.
    if (errorCode !== 'LEASE_LOST') {
      try {
        if (outcome.duplicateOf !== undefined) {
          await journal.note(entry.id, DUPLICATE_OF_NOTE, outcome.duplicateOf);
        }
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
