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
import { toReleaseHallError } from '../errors.js';
import type { PublisherEvents } from '../events.js';
import {
  type DeliveryRecord,
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
import { DUPLICATE_OF_NOTE, journalStateOf, resultFromRecord, resultLine } from './result-line.js';
import { scrubResult } from './scrub.js';
import { traceDelivery } from '../telemetry/spans.js';
import type { DeliveryAction, DeliveryResult } from './types.js';

/** What the coordinator needs. */

/** A signal that is never aborted: platform calls end by their own timeout. */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;
// Every call in flight (and every wait inside an adapter, such as a publish poll) may listen to it.
setMaxListeners(0, NEVER_ABORTED);
export interface CoordinatorInput {
  readonly campaignId: string;
  /**
   * The deliveries to run, in plan order. The coordinator takes the array over: it empties it
   * when the run starts and holds each entry only until its delivery has ended.
   */
  readonly deliveries: JournalDelivery[];
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
  /**
   * Receives each delivery's result as it ends, with the delivery's position in `deliveries`.
   * When given, {@link Coordinator.run} keeps no result and resolves with none: a large hall's
   * results then need not all be held at once.
   */
  readonly onResult?: (result: DeliveryResult, index: number) => void;
}

/** A delivery waiting for its platform's dispatcher. */
interface Queued {
  readonly entry: JournalDelivery;
  readonly record: DeliveryRecord | undefined;
  /** Its position in the plan. */
  readonly index: number;
}

/** Runs deliveries and returns one result per delivery. */
export class Coordinator {
  readonly #input: Omit<CoordinatorInput, 'deliveries'>;
  /** The deliveries not yet taken by {@link Coordinator.run}. */
  #plan: JournalDelivery[];
  /** How many deliveries the run has. */
  readonly #total: number;
  readonly #scheduler: Scheduler;
  /** Tickets per platform: how many of this campaign's deliveries are under way at once. */
  readonly #admissions = new Map<string, Admission>();
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
    if (input.requestSignal !== undefined) setMaxListeners(0, input.requestSignal);
    const { deliveries, ...rest } = input;
    this.#input = rest;
    this.#plan = deliveries;
    this.#total = deliveries.length;
    this.#scheduler = schedulerFor(input.limits);
  }

  /**
   * Runs every delivery; never rejects for a delivery failure. Resolves with one result per
   * delivery, in plan order, or with none when `onResult` receives them.
   */
  async run(): Promise<DeliveryResult[]> {
    const { prior, onResult } = this.#input;
    // Taken over: the queues hold each entry until it starts, the run until it ends.
    const deliveries = this.#plan.splice(0);
    this.#plan = [];
    const results: DeliveryResult[] = [];
    let remaining = deliveries.length;
    let allDone!: () => void;
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    this.#report = (index, result) => {
      if (onResult === undefined) results[index] = result;
      else onResult(result, index);
      remaining -= 1;
      if (remaining === 0) allDone();
    };
    // Only the deliveries others wait for (a relay's lead) keep a promise of their result.
    const awaited = new Set<string>();
    for (const entry of deliveries) if (entry.dependsOn !== undefined) awaited.add(entry.dependsOn);
    const queues = new Map<string, Queued[]>();
    const early: [number, DeliveryResult][] = [];
    deliveries.forEach((entry, index) => {
      const record = prior?.get(entry.id);
      if (awaited.has(entry.id)) this.#awaitable(entry.id);
      if (record !== undefined && FINAL_STATES.has(record.state)) {
        const result = resultFromRecord(record, this.#input.accounts.get(entry.accountId));
        this.#count(result);
        this.#leads.get(entry.id)?.resolve(result);
        early.push([index, result]);
        return;
      }
      this.#queued.add(entry.id);
      const queue = queues.get(entry.platform) ?? [];
      queue.push({ entry, record, index });
      queues.set(entry.platform, queue);
    });
    if (deliveries.length === 0) allDone();
    for (const [index, result] of early) this.#report(index, result);
    deliveries.length = 0;
    for (const [platform, queue] of queues) this.#dispatch(platform, queue);
    await done;
    return results;
  }

  /** Hands a delivery's result on (set by {@link Coordinator.run}). */
  #report: (index: number, result: DeliveryResult) => void = () => undefined;

  /** Results of the deliveries others wait for, by id. */
  readonly #leads = new Map<
    string,
    { readonly promise: Promise<DeliveryResult>; resolve: (result: DeliveryResult) => void }
  >();

  #awaitable(id: string): void {
    let resolve!: (result: DeliveryResult) => void;
    const promise = new Promise<DeliveryResult>((onResult) => {
      resolve = onResult;
    });
    this.#leads.set(id, { promise, resolve });
  }

  /** The result of a delivery others wait for, once it has ended. */
  #settledLead(id: string): Promise<DeliveryResult> | undefined {
    return this.#leads.get(id)?.promise;
  }

  /** A delivery ended (or stopped on an internal error): its result goes to the report. */
  #ended(item: Queued, outcome: DeliveryResult | { readonly error: unknown }): void {
    const { entry, index } = item;
    let result: DeliveryResult;
    if ('error' in outcome) {
      const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      this.#input.logger.error(`delivery ${entry.id} stopped on an internal error: ${reason}`);
      result = {
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
    } else {
      result = outcome;
    }
    this.#leads.get(entry.id)?.resolve(result);
    this.#report(index, result);
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
          await this.#settledLead(dependsOn);
        }
        const ticket = new Ticket(admission);
        await ticket.take();
        if (this.#leads.has(item.entry.id)) started.add(item.entry.id);
        // Started: the queue lets go of it.
        queue[position] = undefined;
        this.#runEntry(item.entry, item.record, ticket).then(
          (result) => {
            this.#ended(item, result);
          },
          (error: unknown) => {
            this.#ended(item, { error });
          },
        );
      }
    };
    startAll().catch((error: unknown) => {
      // Not expected: settle whatever was not started, so the run still ends.
      for (const item of queue) if (item !== undefined) this.#ended(item, { error });
    });
  }

  /** Runs one delivery (a `release-hall.delivery` span, active while it runs). */
  async #runEntry(
    entry: JournalDelivery,
    prior: DeliveryRecord | undefined,
    ticket: Ticket,
  ): Promise<DeliveryResult> {
    try {
      return await traceDelivery(entry, () => this.#runTicketed(entry, prior, ticket));
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
      const lead = await this.#settledLead(entry.dependsOn);
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
        if (this.#listened('delivery:started')) {
          this.#emit('delivery:started', { ...subject, action, attempt });
        }
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

  /** Whether anyone listens to `name` (a payload nobody hears is not even built). */
  #listened(name: keyof PublisherEvents): boolean {
    return this.#input.events.listenerCount(name) > 0;
  }

  #emit<K extends keyof PublisherEvents>(
    name: K,
    payload: Parameters<PublisherEvents[K]>[0],
  ): void {
    // Nobody listening: skip the redacted copy (a large hall emits several events per delivery).
    if (!this.#listened(name)) return;
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
    const result = scrubResult(redactor, resultLine(entry, account, outcome, finishedAt));
    const state = journalStateOf(outcome);
    const { errorCode } = outcome;
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
    if (this.#listened('campaign:progress')) {
      this.#emit('campaign:progress', {
        campaignId: entry.campaignId,
        done: this.#done,
        total: this.#total,
        succeeded: this.#succeeded,
        failed: this.#failed,
        skipped: this.#skipped,
      });
    }
    return result;
  }
}
