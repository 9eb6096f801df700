/**
 * Retract: removes every live post, relay and push of a campaign, relays first; safe to run twice.
 *
 * A delete is sent the way a post is: it takes a ticket of its platform's admission, waits in the
 * account's lane of the publisher's one {@link Scheduler} (so it never overlaps another request on
 * the account, from any campaign), and every request takes a slot of the platform's cap. Failures
 * follow the publisher's retry policy and settings:
 * - `TRANSIENT`, and `AMBIGUOUS` (a delete may be repeated: a post already gone is `already-gone`):
 *   backoff with jitter, then again;
 * - `RATE_LIMITED`: wait for the window; not counted as a failed attempt;
 * - `AUTH_EXPIRED`: credentials resolved again once, then one more try;
 * - anything else: fail at once with the platform's reason.
 * A delete takes no place in the account's post window: the window counts posts, as the platforms'
 * post limits do (Weibo's 30 posts an hour); a platform that limits deletes says so with
 * `RATE_LIMITED`, which is waited out as above.
 * A post that was sent but never confirmed is looked up first; when the look-up cannot tell, the
 * line fails and nothing is deleted blindly.
 */
import { backoffDelay } from '../run/decide.js';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Adapter, Credentials, DeliveryContext } from '../adapter.js';
import { invalidInput, toReleaseHallError } from '../errors.js';
import type { CampaignRecord, DeliveryRecord } from '../journal/journal.js';
import type { Logger } from '../logger.js';
import type { Account } from '../model/hall.js';
import { Redactor } from '../redact.js';
import { Admission, Ticket } from '../run/admission.js';
import { type Scheduler, schedulerFor } from '../run/scheduler.js';
import { traceCampaign, traceDelivery } from '../telemetry/spans.js';
import { type PublisherContext, audit, campaignLogger, loadCampaign } from './context.js';

/** One account's line in a retract report. */
export interface RetractResultLine {
  readonly deliveryId: string;
  readonly accountId: string;
  readonly handle: string;
  readonly platform: string;
  readonly remoteId?: string;
  /** `removed`, `already-gone` (nothing live was left), `failed`, or `nothing-posted`. */
  readonly status: 'removed' | 'already-gone' | 'failed' | 'nothing-posted';
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** What the platform's delete also does (e.g. a WeChat mass delete disables every send of that article). */
  readonly warning?: string;
}

/** The report of a retract. */
export interface RetractReport {
  readonly campaignId: string;
  readonly results: readonly RetractResultLine[];
  readonly counts: {
    readonly removed: number;
    readonly alreadyGone: number;
    readonly failed: number;
    readonly nothingPosted: number;
  };
}

/** What one retract run shares between its deliveries. */
interface RetractRun {
  readonly context: PublisherContext;
  readonly scheduler: Scheduler;
  readonly admissions: Map<string, Admission>;
  readonly lease: string;
  readonly signal: AbortSignal;
  readonly redactor: Redactor;
  readonly logger: Logger;
}

/** One delete on its way: the delivery it undoes and what it needs. */
interface RetractTask {
  readonly run: RetractRun;
  readonly entry: DeliveryRecord;
  readonly account: Account;
  readonly adapter: Adapter;
  readonly ticket: Ticket;
  /** Records the end of the retract delivery in the journal. */
  readonly note: (
    state: 'succeeded' | 'failed' | 'skipped',
    extra?: { errorMessage?: string; remoteId?: string },
  ) => Promise<void>;
  readonly line: (
    status: RetractResultLine['status'],
    extra?: Partial<RetractResultLine>,
  ) => RetractResultLine;
}

/** Refuses to retract a campaign that is running here or in another live process. */
function assertNotRunning(context: PublisherContext, campaign: CampaignRecord): void {
  const runner = campaign.runner;
  if (context.active.has(campaign.id) || context.runner.otherLiveRunner(campaign) !== undefined) {
    throw invalidInput('retract', [
      {
        path: 'campaignId',
        message: `campaign "${campaign.id}" is still running${runner ? ` (process ${runner.pid})` : ''}: stop it (or pause it and wait for what is in flight), then retract`,
      },
    ]);
  }
}

/**
 * Removes every live post, relay and push of a campaign; safe to run twice. The retract is one
 * `release-hall.campaign` span, each delete a `release-hall.delivery` span under it.
 */
export async function retractCampaign(
  context: PublisherContext,
  campaignId: string,
  options: { signal?: AbortSignal } = {},
): Promise<RetractReport> {
  const campaign = await loadCampaign(context, campaignId);
  assertNotRunning(context, campaign);
  return traceCampaign('retract', campaign, () => retractLoaded(context, campaign, options));
}

async function retractLoaded(
  context: PublisherContext,
  campaign: CampaignRecord,
  options: { signal?: AbortSignal },
): Promise<RetractReport> {
  const { journal, limits } = context.settings;
  const campaignId = campaign.id;
  const signal = options.signal ?? new AbortController().signal;
  // Every delete waiting for its turn listens to the one signal: not a leak.
  setMaxListeners(0, signal);
  const redactor = new Redactor();
  const logger = campaignLogger(context, redactor, campaignId);
  await audit(context, { action: 'retract', campaignId });
  const records = await journal.getDeliveries(campaignId);
  const targets = records.filter(
    (entry) =>
      entry.delivery.action === 'post' ||
      entry.delivery.action === 'relay' ||
      entry.delivery.action === 'push',
  );
  // Relays first, then the posts they relay.
  targets.sort((a, b) =>
    a.delivery.action === b.delivery.action ? 0 : a.delivery.action === 'relay' ? -1 : 1,
  );
  const byId = new Map(records.map((entry) => [entry.delivery.id, entry]));
  const retractIds = targets.map((entry) => `${entry.delivery.id}:retract`);
  await journal.addDeliveries(
    campaignId,
    targets.map((entry) => ({
      ...entry.delivery,
      id: `${entry.delivery.id}:retract`,
      action: 'retract' as const,
    })),
  );
  // The retract takes the campaign's deliveries too: a stalled run can no longer write to them,
  // and a resume will not send them again.
  const lease = await context.runner.claim([
    ...retractIds,
    ...targets.map((entry) => entry.delivery.id),
  ]);
  await journal.updateCampaign(campaignId, { state: 'retracted' });
  const run: RetractRun = {
    context,
    scheduler: schedulerFor(limits),
    admissions: new Map(),
    lease,
    signal,
    redactor,
    logger,
  };
  const results = await Promise.all(
    targets.map((entry) =>
      traceDelivery(
        {
          id: `${entry.delivery.id}:retract`,
          campaignId,
          accountId: entry.delivery.accountId,
          platform: entry.delivery.platform,
          action: 'retract',
        },
        () => retractOne(run, entry, byId.get(`${entry.delivery.id}:retract`)),
      ),
    ),
  );
  // Every delivery whose post is gone (or never was) is final: resume leaves it alone.
  for (const line of results) {
    if (line.status === 'failed') continue;
    await journal
      .transition({ deliveryId: line.deliveryId, state: 'retracted', at: now(), lease })
      .catch((error: unknown) => {
        logger.warn(`could not mark ${line.deliveryId} retracted: ${String(error)}`);
      });
  }
  return redactor.deep({
    campaignId,
    results,
    counts: {
      removed: results.filter((line) => line.status === 'removed').length,
      alreadyGone: results.filter((line) => line.status === 'already-gone').length,
      failed: results.filter((line) => line.status === 'failed').length,
      nothingPosted: results.filter((line) => line.status === 'nothing-posted').length,
    },
  });
}

function now(): string {
  return new Date().toISOString();
}

/** The admission of a platform within one retract, sized as a campaign's. */
function admissionOf(run: RetractRun, platform: string): Admission {
  let admission = run.admissions.get(platform);
  if (admission === undefined) {
    const concurrency = run.context.settings.limits.get(platform)?.platformConcurrency ?? 4;
    admission = new Admission(Math.max(32, 4 * concurrency));
    run.admissions.set(platform, admission);
  }
  return admission;
}

/** Retracts one delivery: what can be told without the platform first, then in the account's lane. */
async function retractOne(
  run: RetractRun,
  entry: DeliveryRecord,
  previous: DeliveryRecord | undefined,
): Promise<RetractResultLine> {
  const { hall, adapters, journal } = run.context.settings;
  const { delivery } = entry;
  const account = hall.accountById.get(delivery.accountId);
  const adapter = adapters.get(delivery.platform);
  const line = (
    status: RetractResultLine['status'],
    extra: Partial<RetractResultLine> = {},
  ): RetractResultLine => ({
    deliveryId: delivery.id,
    accountId: delivery.accountId,
    handle: account?.handle ?? delivery.accountId,
    platform: delivery.platform,
    ...(entry.remoteId === undefined ? {} : { remoteId: entry.remoteId }),
    status,
    ...extra,
  });
  const note = (
    state: 'succeeded' | 'failed' | 'skipped',
    extra: { errorMessage?: string; remoteId?: string } = {},
  ): Promise<void> =>
    journal.transition({
      deliveryId: `${delivery.id}:retract`,
      state,
      at: now(),
      lease: run.lease,
      ...extra,
    });
  if (previous?.state === 'succeeded')
    return line('already-gone', { errorMessage: 'retracted by an earlier run' });
  if (account === undefined || adapter === undefined) {
    await note('failed', { errorMessage: 'account no longer in the hall' });
    return line('failed', {
      errorCode: 'INVALID_INPUT',
      errorMessage: `[release-hall] account "${delivery.accountId}" is no longer in the hall: retract its post by hand`,
    });
  }
  const ticket = new Ticket(admissionOf(run, delivery.platform));
  await ticket.take();
  try {
    const task: RetractTask = { run, entry, account, adapter, ticket, note, line };
    return await run.scheduler.inLane(
      account.id,
      (wait) => ticket.idle(wait),
      () => retractInLane(task),
    );
  } finally {
    ticket.release();
  }
}

/** Resolves the account's credentials and deletes its post under the retry policy. */
async function retractInLane(task: RetractTask): Promise<RetractResultLine> {
  const { run, entry, account, note, line } = task;
  const { delivery } = entry;
  try {
    const credentials = await run.context.settings.credentials.resolve(
      account,
      task.adapter.credentialFields,
    );
    run.redactor.add(...Object.values(credentials));
    if (entry.remoteId === undefined) {
      if (entry.state === 'planned' || entry.state === 'skipped' || entry.state === 'failed') {
        await note('skipped', { errorMessage: 'nothing was posted' });
        return line('nothing-posted');
      }
      if (delivery.action === 'push') {
        // A push cannot be looked up without sending it again; its id comes from resume.
        const message = `[release-hall] [${delivery.platform}] the push of account "${account.id}" was never confirmed, so its id is unknown: resume the campaign first (it confirms the push without sending it twice), then retract again`;
        await note('failed', { errorMessage: message });
        return line('failed', { errorCode: 'AMBIGUOUS', errorMessage: message });
      }
    }
    return await withRetry(task, credentials);
  } catch (error) {
    const failure = toReleaseHallError(error, run.signal.aborted ? 'ABORTED' : 'TRANSIENT', {
      platform: delivery.platform,
      accountId: delivery.accountId,
    });
    run.redactor.scrubError(failure);
    await note('failed', { errorMessage: failure.message }).catch(() => undefined);
    return line('failed', { errorCode: failure.code, errorMessage: failure.message });
  }
}

/** A failure that ends the retries at once (not retryable, stopped, or out of rate-limit waits). */
class StopRetrying extends Error {
  readonly failure: Error;
  constructor(failure: Error) {
    super(failure.message);
    this.failure = failure;
  }
}

/**
 * Runs {@link attemptRetract} under the publisher's retry settings: backoff for a retryable
 * failure, a wait for a rate-limit window (not counted as an attempt), fresh credentials once for
 * an expired token. Rejects with the last failure; a journal write that fails stops the retries.
 */
async function withRetry(task: RetractTask, first: Credentials): Promise<RetractResultLine> {
  const { run, account, adapter, ticket } = task;
  const { retry } = run.context.settings;
  const { signal, logger, redactor } = run;
  const deliveryId = task.entry.delivery.id;
  let credentials = first;
  let refreshed = false;
  let rateLimitWaits = 0;
  const once = async (): Promise<RetractResultLine> => {
    await ticket.take(true);
    for (;;) {
      try {
        return await attemptRetract(task, credentials);
      } catch (error) {
        if (error instanceof StopRetrying) throw error;
        const failure = toReleaseHallError(error, signal.aborted ? 'ABORTED' : 'TRANSIENT', {
          platform: account.platform,
          accountId: account.id,
        });
        redactor.scrubError(failure);
        if (signal.aborted || failure.code === 'ABORTED') throw new StopRetrying(failure);
        if (failure.code === 'RATE_LIMITED') {
          if (rateLimitWaits >= retry.maxRateLimitWaits) throw new StopRetrying(failure);
          rateLimitWaits += 1;
          const wait = Math.min(
            failure.retryAfterMs ?? retry.minTimeoutMs,
            retry.maxRateLimitWaitMs,
          );
          logger.warn(`retract of ${deliveryId} waits ${wait} ms for the rate limit`);
          await ticket.idle(() => sleep(wait, undefined, { signal }));
          continue;
        }
        if (failure.code === 'AUTH_EXPIRED' && !refreshed) {
          refreshed = true;
          const again = await run.context.settings.credentials
            .resolve(account, adapter.credentialFields)
            .catch(() => undefined);
          if (
            again !== undefined &&
            Object.keys(again).some((key) => again[key] !== credentials[key])
          ) {
            credentials = again;
            redactor.add(...Object.values(credentials));
            continue;
          }
        }
        if (failure.retryable) throw failure;
        throw new StopRetrying(failure);
      }
    }
  };
  // The same backoff as a delivery's retries (decide.ts): a failed try waits and goes again
  // while retries are left; the wait lets another delete use the account's turn.
  for (let retriesConsumed = 0; ; retriesConsumed++) {
    try {
      return await once();
    } catch (error) {
      if (error instanceof StopRetrying) throw error.failure;
      if (retriesConsumed >= retry.retries) throw error;
      ticket.release();
      logger.warn(
        `retract of ${deliveryId} failed, trying again: ${error instanceof Error ? error.message : String(error)}`,
      );
      await sleep(backoffDelay(retriesConsumed, retry), undefined, { signal });
    }
  }
}

/**
 * One try at removing the post: looks up a post that was sent but never confirmed, then deletes
 * it. Each request takes a slot of the platform's cap. Throws what the platform answered; a
 * journal write that fails is thrown as a `StopRetrying`, so it is not retried.
 */
async function attemptRetract(
  task: RetractTask,
  credentials: Credentials,
): Promise<RetractResultLine> {
  const { run, entry, account, adapter, line } = task;
  const { delivery } = entry;
  const { settings } = run.context;
  const note: RetractTask['note'] = (state, extra) =>
    task.note(state, extra).catch((error: unknown) => {
      throw new StopRetrying(error instanceof Error ? error : new Error(String(error)));
    });
  const onPlatform = <T>(call: () => Promise<T>): Promise<T> =>
    run.scheduler.onPlatform(account.platform, call);
  const context: DeliveryContext = {
    signal: run.signal,
    idempotencyKey: delivery.idempotencyKey,
    credentials,
    logger: run.logger,
    requestTimeoutMs: settings.limits.get(delivery.platform)?.requestTimeoutMs ?? 15_000,
    ...(settings.hall.hall.site ? { siteDomain: settings.hall.hall.site.domain } : {}),
    ...(entry.notes === undefined ? {} : { notes: entry.notes }),
  };
  let remoteId = entry.remoteId;
  if (remoteId === undefined) {
    // Sent but never confirmed: look for it before deciding there is nothing to remove.
    const rendition =
      entry.performed === 'post' && delivery.fallbackRendition
        ? delivery.fallbackRendition
        : delivery.rendition;
    const found = await onPlatform(() =>
      adapter.findExisting(
        {
          action: entry.performed !== 'post' && delivery.action === 'relay' ? 'relay' : 'post',
          rendition,
          firstAttemptAt: new Date(entry.firstAttemptAt ?? Date.now() - 3_600_000),
          idempotencyKey: delivery.idempotencyKey,
        },
        account,
        context,
      ),
    );
    if (found.status === 'unknown') {
      await note('failed', { errorMessage: found.reason });
      return line('failed', {
        errorCode: 'AMBIGUOUS',
        errorMessage: `[release-hall] [${delivery.platform}] could not tell whether account "${account.id}" holds a post of this campaign (${found.reason}): check it by hand`,
      });
    }
    if (found.status === 'not-found') {
      await note('skipped', { errorMessage: 'nothing found on the account' });
      return line('nothing-posted');
    }
    remoteId = found.ref.id;
  }
  const id = remoteId;
  const result = await onPlatform(() =>
    adapter.retract({ platform: delivery.platform, accountId: account.id, id }, account, context),
  );
  await note('succeeded', { remoteId: id });
  return line(result.status === 'removed' ? 'removed' : 'already-gone', {
    remoteId: id,
    ...(result.warning === undefined ? {} : { warning: result.warning }),
  });
}
