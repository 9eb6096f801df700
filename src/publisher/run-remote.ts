/**
 * Running a campaign on workers: the publisher hands its deliveries to the {@link CampaignRunner}
 * and follows the journal the workers write, reporting each delivery as it settles, until every
 * one has (or the caller stops waiting: the workers carry on).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CampaignRecord,
  type DeliveryRecord,
  type DeliveryState,
  FINAL_STATES,
  type JournalDelivery,
} from '../journal/journal.js';
import type { CampaignReport, DeliveryResult } from '../run/types.js';
import { resultFromRecord } from '../run/result-line.js';
import type { ReportDeliveries } from '../run/options.js';
import type { CampaignRunner } from './campaign-runner.js';
import type { PublisherContext } from './context.js';
import { ReportTally, missingAccountResult, runReport } from './report.js';

/** A delivery whose run has ended for now: final, or `unconfirmed` (left for `resume`). */
export function settled(state: DeliveryState): boolean {
  return FINAL_STATES.has(state) || state === 'unconfirmed';
}

/** What a remote run needs of the plan (the part `runCampaign` took). */
export interface RemotePlan {
  readonly known: readonly JournalDelivery[];
  readonly knownPositions: readonly number[] | undefined;
  readonly missing: readonly (readonly [JournalDelivery, number])[];
}

/** What the publisher does while the workers run the campaign. */
export interface RemoteRun {
  readonly context: PublisherContext;
  readonly runner: CampaignRunner;
  readonly record: CampaignRecord;
  readonly plan: RemotePlan;
  readonly prior: ReadonlyMap<string, DeliveryRecord> | undefined;
  readonly signal: AbortSignal;
  readonly keep: ReportDeliveries;
  readonly started: number;
  /** Told of each delivery once it has gone live (for the response-deadline watch). */
  readonly onLive?: (accountId: string) => void;
}

/**
 * Dispatches the campaign to the runner's workers and waits for every delivery to settle in the
 * journal. Stopping (`signal`) stops the waiting only: the deliveries not settled yet are reported
 * as still with the workers, and the campaign stays `running`.
 */
export async function runRemotely(run: RemoteRun): Promise<CampaignReport> {
  const { context, runner, record, plan, prior, signal, keep, started } = run;
  const { settings, events } = context;
  const { journal } = settings;
  await journal.updateCampaign(record.id, { state: 'running' });
  await runner.dispatch({ campaignId: record.id, deliveries: plan.known, prior });

  const tally = new ReportTally(keep, started);
  const positions = new Map<string, number>();
  plan.known.forEach((delivery, index) => {
    positions.set(delivery.id, plan.knownPositions?.[index] ?? index);
  });
  const counts = { done: 0, succeeded: 0, failed: 0, skipped: 0 };
  const report = (result: DeliveryResult, announce: boolean): void => {
    tally.add(result, positions.get(result.deliveryId) ?? 0);
    counts.done += 1;
    if (result.status === 'succeeded') {
      counts.succeeded += 1;
      run.onLive?.(result.accountId);
    } else if (result.status === 'skipped') counts.skipped += 1;
    else counts.failed += 1;
    if (!announce) return;
    const name =
      result.status === 'succeeded'
        ? 'delivery:succeeded'
        : result.status === 'skipped'
          ? 'delivery:skipped'
          : 'delivery:failed';
    events.emit(name, { campaignId: record.id, result });
    events.emit('campaign:progress', {
      campaignId: record.id,
      total: plan.known.length,
      ...counts,
    });
  };
  const accountOf = (delivery: JournalDelivery) =>
    settings.hall.accountById.get(delivery.accountId);

  const waiting = new Set<string>();
  for (const delivery of plan.known) {
    const before = prior?.get(delivery.id);
    if (before !== undefined && FINAL_STATES.has(before.state)) {
      report(resultFromRecord(before, accountOf(delivery)), false);
    } else waiting.add(delivery.id);
  }
  const pollMs = runner.settlePollMs ?? 250;
  while (waiting.size > 0 && !signal.aborted && runner.wait !== false) {
    try {
      await sleep(pollMs, undefined, { signal });
    } catch {
      break;
    }
    for (const found of await readWaiting(context, record.id, waiting)) {
      if (!settled(found.state)) continue;
      waiting.delete(found.delivery.id);
      report(resultFromRecord(found, accountOf(found.delivery)), true);
    }
  }
  for (const delivery of plan.known) {
    if (!waiting.has(delivery.id)) continue;
    const line = resultFromRecord(
      { delivery, state: 'planned', attempts: 0, history: [] },
      accountOf(delivery),
    );
    const still = `still with the ${runner.name} workers: the campaign carries on there (release-hall status shows where it stands)`;
    report(
      signal.aborted
        ? { ...line, errorCode: 'ABORTED', errorMessage: `[release-hall] ${still}` }
        : { ...line, errorMessage: `[release-hall] handed out, not waited for: ${still}` },
      false,
    );
  }
  for (const [delivery, position] of plan.missing) {
    tally.add(missingAccountResult(delivery), position);
  }
  if (waiting.size === 0) await journal.updateCampaign(record.id, { state: 'finished' });
  const result: CampaignReport = {
    ...runReport({
      record,
      hallId: settings.hall.hall.id,
      tally,
      lines: [],
      keep,
      started,
      aborted: signal.aborted,
    }),
    deliveries: tally.lines(),
  };
  events.emit('campaign:finished', { report: result });
  return result;
}

/** The records of the deliveries still awaited: one by one when few are left, else the campaign. */
async function readWaiting(
  context: PublisherContext,
  campaignId: string,
  waiting: ReadonlySet<string>,
): Promise<readonly DeliveryRecord[]> {
  const { journal } = context.settings;
  if (journal.getDelivery !== undefined && waiting.size <= 32) {
    const records: DeliveryRecord[] = [];
    for (const id of waiting) {
      const record = await journal.getDelivery(id);
      if (record !== undefined) records.push(record);
    }
    return records;
  }
  return (await journal.getDeliveries(campaignId)).filter((record) =>
    waiting.has(record.delivery.id),
  );
}
