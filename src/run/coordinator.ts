/**
 * The coordinator: runs a plan. It owns every side effect of a campaign: the queues, the one retry
 * loop, the journal writes and the events.
 *
 * Scheduling: each account has its own p-queue (one request at a time, at most `postsPerWindow`
 * posts per `windowMs`) chained to one p-queue per platform that caps the requests in flight.
 *
 * Retry policy:
 * - `TRANSIENT` (certainly not applied): backoff with jitter, then send again.
 * - `RATE_LIMITED`: wait for the window; not counted as a failed attempt.
 * - `AUTH_EXPIRED`: credentials resolved again once (a refreshed token), then one more try.
 * - `AMBIGUOUS` (may have applied): `findExisting` first; send again only when it says not-found;
 *   when the platform cannot tell, the delivery is `unconfirmed` and is never sent blindly.
 * - `DUPLICATE_CONTENT`: the platform holds this text; `findExisting` tells whether it is ours.
 * - anything else: fail at once with the platform's reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEmitter } from 'eventemitter3';
import PQueue from 'p-queue';
import pRetry, { AbortError } from 'p-retry';
import type {
  Adapter,
  Credentials,
  DeliveryContext,
  DeliveryDescriptor,
  PostRef,
  PublishResult,
  RateLimits,
  Rendition,
} from '../adapter.js';
import type { CredentialsResolver } from '../credentials.js';
import { ERROR_GUIDE, ReleaseHallError, toReleaseHallError } from '../errors.js';
import type { PublisherEvents } from '../events.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../logger.js';
import type { Account } from '../model/hall.js';
import type { Plan, PlanEntry } from '../plan/plan-campaign.js';
import type { Redactor } from '../redact.js';
import type { RetryOptions } from './options.js';
import type { DeliveryAction, DeliveryResult } from './types.js';

/** What the coordinator needs. */
export interface CoordinatorInput {
  readonly plan: Plan;
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
  /** Milliseconds since the campaign started; used for first/last post times. */
  readonly startedAt: number;
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

/** Runs deliveries and returns one result per delivery. */
export class Coordinator {
  readonly #input: CoordinatorInput;
  readonly #accountQueues = new Map<string, PQueue>();
  readonly #platformQueues = new Map<string, PQueue>();
  readonly #settled = new Map<string, Promise<DeliveryResult>>();
  #done = 0;
  #succeeded = 0;
  #failed = 0;
  #skipped = 0;

  constructor(input: CoordinatorInput) {
    this.#input = input;
  }

  /** Runs every delivery of the plan; never rejects for a delivery failure. */
  async run(): Promise<DeliveryResult[]> {
    const { plan } = this.#input;
    for (const entry of plan.deliveries) {
      this.#settled.set(entry.id, this.#runEntry(entry));
    }
    const results = await Promise.all(plan.deliveries.map((entry) => this.#settled.get(entry.id)!));
    await Promise.all(
      [...this.#accountQueues.values(), ...this.#platformQueues.values()].map((queue) =>
        queue.onIdle(),
      ),
    );
    return results;
  }

  #queueFor(account: Account): { account: PQueue; platform: PQueue } {
    const limits = this.#limits(account.platform);
    let platform = this.#platformQueues.get(account.platform);
    if (platform === undefined) {
      platform = new PQueue({ concurrency: limits.platformConcurrency });
      this.#platformQueues.set(account.platform, platform);
    }
    let queue = this.#accountQueues.get(account.id);
    if (queue === undefined) {
      queue = new PQueue({
        concurrency: 1,
        intervalCap: limits.postsPerWindow,
        interval: limits.windowMs,
      });
      this.#accountQueues.set(account.id, queue);
    }
    return { account: queue, platform };
  }

  #limits(platform: string): RateLimits {
    const limits = this.#input.limits.get(platform);
    if (limits === undefined) throw new Error(`internal: no limits for ${platform}`);
    return limits;
  }

  async #runEntry(entry: PlanEntry): Promise<DeliveryResult> {
    const account = this.#input.accounts.get(entry.accountId);
    const adapter = this.#input.adapters.get(entry.platform);
    if (account === undefined || adapter === undefined)
      throw new Error(`internal: ${entry.id} has no account or adapter`);

    let action: DeliveryAction = entry.action;
    let rendition: Rendition = entry.rendition;
    let source: PostRef | undefined;
    if (entry.dependsOn !== undefined) {
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
          {
            deliveryId: entry.id,
          },
        );
      } else {
        return this.#finish(entry, account, {
          status: 'skipped',
          performed: 'none',
          attempts: 0,
          errorMessage: `[release-hall] [${account.platform}] relay skipped: the lead's post ${lead?.status === 'succeeded' ? 'has no id yet' : 'did not succeed'} (relayFallback is "skip")`,
        });
      }
    }

    if (this.#input.signal.aborted) {
      return this.#finish(entry, account, {
        status: 'skipped',
        performed: 'none',
        attempts: 0,
        errorCode: 'ABORTED',
        errorMessage: '[release-hall] not started: the run was aborted',
      });
    }

    const queues = this.#queueFor(account);
    // Signals are checked when a job starts, not passed to the queues: a queue that rejects a
    // running job on abort would report a post that landed as never sent.
    return queues.account.add(() =>
      queues.platform.add(() => {
        if (this.#input.signal.aborted) {
          return this.#finish(entry, account, {
            status: 'skipped',
            performed: 'none',
            attempts: 0,
            errorCode: 'ABORTED',
            errorMessage: '[release-hall] not started: the run was aborted',
          });
        }
        return this.#deliver(entry, account, adapter, action, rendition, source);
      }),
    );
  }

  async #deliver(
    entry: PlanEntry,
    account: Account,
    adapter: Adapter,
    action: DeliveryAction,
    rendition: Rendition,
    source: PostRef | undefined,
  ): Promise<DeliveryResult> {
    const { journal, retry, signal, events, redactor } = this.#input;
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    let attempts = 0;
    let firstAttemptAt: Date | undefined;
    let credentials: Credentials;
    try {
      credentials = await this.#input.credentials.resolve(account, adapter.credentialFields);
      redactor.add(...Object.values(credentials));
    } catch (error) {
      const failure = toReleaseHallError(error, 'AUTH_INVALID', {
        platform: account.platform,
        accountId: account.id,
      });
      return this.#finish(entry, account, {
        status: 'failed',
        performed: 'none',
        attempts: 0,
        startedAt,
        error: failure,
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
    });
    const descriptor = (): DeliveryDescriptor => ({
      action,
      rendition,
      ...(source === undefined ? {} : { source }),
      firstAttemptAt: firstAttemptAt ?? new Date(started),
      idempotencyKey: entry.idempotencyKey,
    });

    const lookUp = async (): Promise<'not-found' | PostRef | { unknown: string }> => {
      let lastReason = 'the platform could not be read';
      for (let tries = 0; tries < 3; tries++) {
        try {
          const found = await adapter.findExisting(descriptor(), account, context());
          if (found.status === 'found') return found.ref;
          if (found.status === 'not-found') return 'not-found';
          lastReason = found.reason; // may pass: read again after a pause
        } catch (error) {
          const failure = toReleaseHallError(error, 'TRANSIENT', {
            platform: account.platform,
            accountId: account.id,
          });
          lastReason = failure.message;
          if (failure.code === 'ABORTED' || !failure.retryable) break;
        }
        if (tries < 2) await sleep(retry.minTimeoutMs * 2 ** tries, undefined, { signal });
      }
      return { unknown: lastReason };
    };

    const attemptOnce = async (): Promise<Outcome> => {
      let rateLimitWaits = 0;
      for (;;) {
        attempts += 1;
        firstAttemptAt ??= new Date();
        await journal.transition({
          deliveryId: entry.id,
          state: 'sending',
          at: new Date().toISOString(),
          attempt: attempts,
        });
        events.emit(
          'delivery:started',
          redactor.deep({
            campaignId: entry.campaignId,
            deliveryId: entry.id,
            accountId: account.id,
            platform: account.platform,
            action,
            attempt: attempts,
          }),
        );
        let result: PublishResult;
        try {
          result =
            action === 'relay' && source !== undefined
              ? await adapter.relay(source, rendition, account, context())
              : await adapter.publish(rendition, account, context());
        } catch (error) {
          const failure = toReleaseHallError(error, 'AMBIGUOUS', {
            platform: account.platform,
            accountId: account.id,
          });
          redactor.scrubError(failure);
          if (failure.code === 'ABORTED') throw new AbortError(failure);
          if (failure.code === 'RATE_LIMITED') {
            const wait = Math.min(
              failure.retryAfterMs ?? retry.minTimeoutMs,
              retry.maxRateLimitWaitMs,
            );
            if (rateLimitWaits >= retry.maxRateLimitWaits) throw new AbortError(failure);
            rateLimitWaits += 1;
            this.#retrying(entry, account, action, attempts, failure, wait);
            await journal.transition({
              deliveryId: entry.id,
              state: 'planned',
              at: new Date().toISOString(),
              attempt: attempts,
              errorCode: failure.code,
              errorMessage: failure.message,
            });
            await sleep(wait, undefined, { signal });
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
          if (failure.code === 'AMBIGUOUS' || failure.code === 'DUPLICATE_CONTENT') {
            await journal.transition({
              deliveryId: entry.id,
              state: 'unknown',
              at: new Date().toISOString(),
              attempt: attempts,
              errorCode: failure.code,
              errorMessage: failure.message,
            });
            if (failure.code === 'AMBIGUOUS' && retry.reconcileDelayMs > 0)
              await sleep(retry.reconcileDelayMs, undefined, { signal });
            const found = await lookUp();
            if (typeof found === 'object' && 'unknown' in found) {
              throw new AbortError(
                new UnconfirmedError(
                  `[release-hall] [${account.platform}] could not confirm whether the ${action} of account "${account.id}" landed (${failure.message.replace(/^\[release-hall\] /, '')}; look-up: ${found.unknown.replace(/^\[release-hall\] /, '')}). It was not re-sent: check the account by hand`,
                  failure,
                ),
              );
            }
            if (found !== 'not-found') return { ref: found, via: 'reconciled' };
            if (failure.code === 'DUPLICATE_CONTENT') throw new AbortError(failure);
            throw failure; // not there: safe to send again after backoff
          }
          if (failure.retryable) throw failure;
          throw new AbortError(failure);
        }
        if (result.status === 'posted') return { ref: result.ref, via: 'sent' };
        // Accepted without an id: never re-send; look for it.
        await journal.transition({
          deliveryId: entry.id,
          state: 'unknown',
          at: new Date().toISOString(),
          attempt: attempts,
          errorMessage: result.reason,
        });
        for (const wait of retry.acceptedPollMs) {
          await sleep(wait, undefined, { signal });
          const found = await lookUp();
          if (typeof found === 'object' && !('unknown' in found))
            return { ref: found, via: 'accepted' };
        }
        return { via: 'accepted' };
      }
    };

    try {
      const outcome = await pRetry(attemptOnce, {
        retries: retry.retries,
        minTimeout: retry.minTimeoutMs,
        maxTimeout: retry.maxTimeoutMs,
        factor: retry.factor,
        randomize: retry.randomize,
        signal,
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (retriesLeft > 0) {
            const failure = toReleaseHallError(error, 'TRANSIENT');
            this.#retrying(entry, account, action, attempts, failure, retry.minTimeoutMs);
          }
        },
      });
      const url =
        outcome.ref?.url ?? (outcome.ref ? adapter.postUrl?.(outcome.ref, account) : undefined);
      return await this.#finish(entry, account, {
        status: 'succeeded',
        performed: action,
        attempts,
        startedAt,
        via: outcome.via,
        ...(outcome.ref === undefined
          ? {}
          : { ref: url === undefined ? outcome.ref : { ...outcome.ref, url } }),
        text: rendition.format === 'text' ? rendition.text : rendition.title,
        ...(outcome.ref === undefined
          ? {
              errorMessage:
                '[release-hall] the platform accepted the post but has not shown it yet; it was not re-sent',
            }
          : {}),
      });
    } catch (error) {
      if (error instanceof UnconfirmedError) {
        return this.#finish(entry, account, {
          status: 'unconfirmed',
          performed: action,
          attempts,
          startedAt,
          error: error.original,
          errorMessage: redactor.string(error.message),
        });
      }
      const failure = toReleaseHallError(error, signal.aborted ? 'ABORTED' : 'TRANSIENT', {
        platform: account.platform,
        accountId: account.id,
      });
      redactor.scrubError(failure);
      if (signal.aborted && attempts > 0) {
        return this.#finish(entry, account, {
          status: 'unconfirmed',
          performed: action,
          attempts,
          startedAt,
          error: failure,
          errorMessage: `[release-hall] [${account.platform}] the run was aborted while the ${action} of account "${account.id}" was in flight; it may have landed: check the account or resume`,
        });
      }
      return this.#finish(entry, account, {
        status: 'failed',
        performed: action,
        attempts,
        startedAt,
        error: failure,
      });
    }
  }

  #retrying(
    entry: PlanEntry,
    account: Account,
    action: DeliveryAction,
    attempt: number,
    failure: ReleaseHallError,
    delayMs: number,
  ): void {
    this.#input.events.emit(
      'delivery:retrying',
      this.#input.redactor.deep({
        campaignId: entry.campaignId,
        deliveryId: entry.id,
        accountId: account.id,
        platform: account.platform,
        action,
        attempt,
        code: failure.code,
        message: failure.message,
        delayMs,
      }),
    );
  }

  async #finish(
    entry: PlanEntry,
    account: Account,
    outcome: {
      status: DeliveryResult['status'];
      performed: DeliveryResult['performed'];
      attempts: number;
      startedAt?: string;
      via?: DeliveryResult['via'];
      ref?: PostRef;
      text?: string;
      error?: ReleaseHallError;
      errorCode?: DeliveryResult['errorCode'];
      errorMessage?: string;
    },
  ): Promise<DeliveryResult> {
    const { redactor, journal, events } = this.#input;
    const finishedAt = new Date();
    const errorCode = outcome.errorCode ?? outcome.error?.code;
    const errorMessage = outcome.errorMessage ?? outcome.error?.message;
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
    });
    const state =
      outcome.status === 'succeeded'
        ? outcome.via === 'reconciled'
          ? 'reconciled'
          : 'succeeded'
        : outcome.status;
    await journal.transition({
      deliveryId: entry.id,
      state,
      at: result.finishedAt ?? finishedAt.toISOString(),
      attempt: outcome.attempts,
      ...(result.remoteId === undefined ? {} : { remoteId: result.remoteId }),
      ...(result.url === undefined ? {} : { url: result.url }),
      ...(result.errorCode === undefined ? {} : { errorCode: result.errorCode }),
      ...(result.errorMessage === undefined ? {} : { errorMessage: result.errorMessage }),
    });
    this.#done += 1;
    if (outcome.status === 'succeeded') this.#succeeded += 1;
    else if (outcome.status === 'skipped') this.#skipped += 1;
    else this.#failed += 1;
    const name =
      outcome.status === 'succeeded'
        ? 'delivery:succeeded'
        : outcome.status === 'skipped'
          ? 'delivery:skipped'
          : 'delivery:failed';
    events.emit(name, { campaignId: entry.campaignId, result });
    events.emit('campaign:progress', {
      campaignId: entry.campaignId,
      done: this.#done,
      total: this.#input.plan.deliveries.length,
      succeeded: this.#succeeded,
      failed: this.#failed,
      skipped: this.#skipped,
    });
    return result;
  }
}
