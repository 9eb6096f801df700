/**
 * Retract: removes every live post, relay and push of a campaign, relays first; safe to run twice.
 * A post that was sent but never confirmed is looked up first; when the look-up cannot tell, the
 * line fails and nothing is deleted blindly.
 */
import PQueue from 'p-queue';
import { invalidInput, toReleaseHallError } from '../errors.js';
import type { CampaignRecord, DeliveryRecord } from '../journal/journal.js';
import type { Logger } from '../logger.js';
import { Redactor } from '../redact.js';
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

/** Removes every live post, relay and push of a campaign; safe to run twice. */
export async function retractCampaign(
  context: PublisherContext,
  campaignId: string,
  options: { signal?: AbortSignal } = {},
): Promise<RetractReport> {
  const { journal, limits } = context.settings;
  const campaign = await loadCampaign(context, campaignId);
  assertNotRunning(context, campaign);
  const signal = options.signal ?? new AbortController().signal;
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
  const run: RetractRun = { context, lease, signal, redactor, logger };
  const queues = new Map<string, PQueue>();
  const results = await Promise.all(
    targets.map((entry) => {
      const { delivery } = entry;
      let queue = queues.get(delivery.platform);
      if (queue === undefined) {
        queue = new PQueue({
          concurrency: limits.get(delivery.platform)?.platformConcurrency ?? 4,
        });
        queues.set(delivery.platform, queue);
      }
      return queue.add(() => retractOne(run, entry, byId.get(`${delivery.id}:retract`)));
    }),
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

/** What one retract run shares between its deliveries. */
interface RetractRun {
  readonly context: PublisherContext;
  readonly lease: string;
  readonly signal: AbortSignal;
  readonly redactor: Redactor;
  readonly logger: Logger;
}

/** Retracts one delivery: looks up a post never confirmed, then deletes it. */
async function retractOne(
  run: RetractRun,
  entry: DeliveryRecord,
  previous: DeliveryRecord | undefined,
): Promise<RetractResultLine> {
  const { hall, adapters, journal, credentials, limits } = run.context.settings;
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
  try {
    const secrets = await credentials.resolve(account, adapter.credentialFields);
    run.redactor.add(...Object.values(secrets));
    const context = {
      signal: run.signal,
      idempotencyKey: delivery.idempotencyKey,
      credentials: secrets,
      logger: run.logger,
      requestTimeoutMs: limits.get(delivery.platform)?.requestTimeoutMs ?? 15_000,
      ...(hall.hall.site ? { siteDomain: hall.hall.site.domain } : {}),
      ...(entry.notes === undefined ? {} : { notes: entry.notes }),
    };
    let remoteId = entry.remoteId;
    if (remoteId === undefined) {
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
      // Sent but never confirmed: look for it before deciding there is nothing to remove.
      const rendition =
        entry.performed === 'post' && delivery.fallbackRendition
          ? delivery.fallbackRendition
          : delivery.rendition;
      const found = await adapter.findExisting(
        {
          action: entry.performed !== 'post' && delivery.action === 'relay' ? 'relay' : 'post',
          rendition,
          firstAttemptAt: new Date(entry.firstAttemptAt ?? Date.now() - 3_600_000),
          idempotencyKey: delivery.idempotencyKey,
        },
        account,
        context,
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
    const result = await adapter.retract(
      { platform: delivery.platform, accountId: account.id, id: remoteId },
      account,
      context,
    );
    await note('succeeded', { remoteId });
    return line(result.status === 'removed' ? 'removed' : 'already-gone', {
      remoteId,
      ...(result.warning === undefined ? {} : { warning: result.warning }),
    });
  } catch (error) {
    const failure = toReleaseHallError(error, 'TRANSIENT', {
      platform: delivery.platform,
      accountId: delivery.accountId,
    });
    run.redactor.scrubError(failure);
    await note('failed', { errorMessage: failure.message }).catch(() => undefined);
    return line('failed', { errorCode: failure.code, errorMessage: failure.message });
  }
}
