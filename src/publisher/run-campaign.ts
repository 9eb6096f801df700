/**
 * Running a campaign: publish (or a dry run, or a follow-up) creates it in the journal; a run
 * takes the leases, beats the heart, holds deliveries while paused, hands the plan to the
 * {@link Coordinator} and reports.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidInput } from '../errors.js';
import {
  type CampaignRecord,
  type DeliveryRecord,
  FINAL_STATES,
  type JournalDelivery,
} from '../journal/journal.js';
import type { Logger } from '../logger.js';
import { parseStatement } from '../model/load.js';
import type { Statement, StatementInput } from '../model/statement.js';
import { watchDeadline } from '../gate/deadline-watch.js';
import { Redactor } from '../redact.js';
import type { EarlierStatement } from '../render/templates.js';
import { Coordinator } from '../run/coordinator.js';
import { scrubResult } from '../run/scrub.js';
import type { CampaignReport, PlannedDelivery } from '../run/types.js';
import { type PublisherContext, audit, campaignLogger, loadCampaign } from './context.js';
import type { CampaignOptions } from './options.js';
import { preparePublish, stripPlan } from './prepare.js';
import { journalGate, passGate } from './gate.js';
import { ReportTally, dryRunReport, lintPlan, missingAccountResult, runReport } from './report.js';
import type { ReportDeliveries } from '../run/options.js';
import type { CampaignRunner } from './campaign-runner.js';
import { runRemotely } from './run-remote.js';
import { pauseHolding } from './run-delivery.js';
import { type CampaignOperation, traceCampaign } from '../telemetry/spans.js';
import { notePushesAfterRun, pushedAccounts } from '../telemetry/pushes-left.js';

/** Holds a delivery while its campaign (or its member's group) is paused. */
function pauseGate(
  context: PublisherContext,
  campaignId: string,
  signal: AbortSignal,
  logger: Logger,
) {
  const { pausePollMs } = context.settings;
  return async (delivery: JournalDelivery, onHold?: () => void): Promise<boolean> => {
    let told = false;
    for (;;) {
      if (signal.aborted) return false;
      const pause = await pauseHolding(context, campaignId, delivery.memberId);
      const held = pause !== undefined;
      if (!held) return true;
      if (!told) {
        told = true;
        onHold?.();
        logger.info(`delivery ${delivery.id} is held: campaign paused (${pause.reason})`);
      }
      try {
        await sleep(pausePollMs, undefined, { signal });
      } catch {
        return false;
      }
    }
  };
}

/** The accounts a resumed campaign already carries (a live post or relay). */
function liveAccounts(prior: ReadonlyMap<string, DeliveryRecord> | undefined): string[] {
  const live: string[] = [];
  for (const record of prior?.values() ?? []) {
    if (record.delivery.action === 'retract') continue;
    if (record.state === 'succeeded' || record.state === 'reconciled') {
      live.push(record.delivery.accountId);
    }
  }
  return live;
}

/**
 * A campaign's deliveries as its run takes them. The run lets go of the plan: `known` is handed
 * to the coordinator, which empties it and drops each entry once its delivery has ended, so a
 * journal that keeps the plan elsewhere (on disk) lets a large hall's plan be collected as it goes.
 */
interface RunPlan {
  readonly known: JournalDelivery[];
  /** Plan positions of `known` (absent when every delivery is known: the same positions). */
  readonly knownPositions: readonly number[] | undefined;
  /** Deliveries whose account or adapter has left the hall, with their plan positions. */
  readonly missing: readonly (readonly [JournalDelivery, number])[];
  /** Deliveries not final yet: the run claims them. */
  readonly pendingIds: readonly string[];
  /** The plan as listeners of `campaign:planned` see it (made only when some listen). */
  readonly planned: readonly PlannedDelivery[] | undefined;
}

function takePlan(
  context: PublisherContext,
  deliveries: readonly JournalDelivery[],
  prior: ReadonlyMap<string, DeliveryRecord> | undefined,
): RunPlan {
  const { settings, events } = context;
  const accounts = settings.hall.accountById;
  const known: JournalDelivery[] = [];
  const positions: number[] = [];
  const missing: (readonly [JournalDelivery, number])[] = [];
  const pendingIds: string[] = [];
  deliveries.forEach((delivery, position) => {
    const state = prior?.get(delivery.id)?.state;
    if (state === undefined || !FINAL_STATES.has(state)) pendingIds.push(delivery.id);
    if (accounts.has(delivery.accountId) && settings.adapters.has(delivery.platform)) {
      known.push(delivery);
      positions.push(position);
    } else missing.push([delivery, position]);
  });
  return {
    known,
    knownPositions: missing.length === 0 ? undefined : positions,
    missing,
    pendingIds,
    // The copy of the plan is made only for listeners: a large hall's plan is large.
    planned: events.listenerCount('campaign:planned') > 0 ? stripPlan(deliveries) : undefined,
  };
}

/** Warns (log and `deadline:missed`) when the hall's response deadline passes with accounts not live. */
function deadlineWatch(
  context: PublisherContext,
  record: CampaignRecord,
  known: readonly JournalDelivery[],
  prior: ReadonlyMap<string, DeliveryRecord> | undefined,
  logger: Logger,
): ReturnType<typeof watchDeadline> {
  const { settings, events } = context;
  return watchDeadline({
    campaignId: record.id,
    statement: record.statement as Pick<Statement, 'urgency' | 'eventAt' | 'detectedAt'>,
    deadlines: settings.hall.hall.deadlines,
    deliveries: known,
    alreadyLive: liveAccounts(prior),
    emit: (event) => {
      logger.warn(
        `response deadline passed at ${event.deadlineAt} with ${event.accounts.length} account(s) not live`,
      );
      try {
        events.emit('deadline:missed', event);
      } catch (error) {
        // A listener's error must never stop the run (this fires from a timer).
        logger.error(
          `a listener of deadline:missed threw: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  });
}

/**
 * Runs a campaign's deliveries (those of a resumed campaign that are final stay as they are) and
 * reports; the campaign counts as active in this publisher until the run ends. The run is one
 * `release-hall.campaign` span (`operation` names it: a publish unless `prior` says a resume).
 */
export function runCampaign(
  context: PublisherContext,
  record: CampaignRecord,
  deliveries: readonly JournalDelivery[],
  prior: ReadonlyMap<string, DeliveryRecord> | undefined,
  signal: AbortSignal,
  keep: ReportDeliveries = 'all',
  operation: CampaignOperation = prior === undefined ? 'publish' : 'resume',
): Promise<CampaignReport> {
  const started = Date.now();
  const plan = takePlan(context, deliveries, prior);
  const pushed = pushedAccounts(deliveries);
  const remote = context.settings.runner;
  const running = traceCampaign(operation, record, async () => {
    const report =
      remote === undefined
        ? await runCampaignOnce(context, record, plan, prior, signal, keep, started)
        : await runOnWorkers(context, remote, record, plan, prior, signal, keep, started);
    if (pushed !== undefined) {
      const { journal, adapters, hall } = context.settings;
      await notePushesAfterRun({
        journal,
        adapters,
        accounts: hall.accountById,
        accountIds: pushed,
      });
    }
    return report;
  }).finally(() => {
    context.active.delete(record.id);
  });
  context.active.set(record.id, running);
  return running;
}

/** Hands the campaign to the runner's workers, with the response-deadline watch around it. */
async function runOnWorkers(
  context: PublisherContext,
  runner: CampaignRunner,
  record: CampaignRecord,
  plan: RunPlan,
  prior: ReadonlyMap<string, DeliveryRecord> | undefined,
  signal: AbortSignal,
  keep: ReportDeliveries,
  started: number,
): Promise<CampaignReport> {
  if (plan.planned !== undefined) {
    context.events.emit('campaign:planned', { campaignId: record.id, deliveries: plan.planned });
  }
  const logger = campaignLogger(context, new Redactor(), record.id);
  const watch = deadlineWatch(context, record, plan.known, prior, logger);
  try {
    return await runRemotely({
      context,
      runner,
      record,
      plan,
      prior,
      signal,
      keep,
      started,
      ...(watch === undefined ? {} : { onLive: (accountId: string) => watch.live(accountId) }),
    });
  } finally {
    watch?.stop();
  }
}

async function runCampaignOnce(
  context: PublisherContext,
  record: CampaignRecord,
  plan: RunPlan,
  prior: ReadonlyMap<string, DeliveryRecord> | undefined,
  signal: AbortSignal,
  keep: ReportDeliveries,
  started: number,
): Promise<CampaignReport> {
  const { settings, events, runner } = context;
  const redactor = new Redactor();
  const logger = campaignLogger(context, redactor, record.id);
  const lease = await runner.claim(plan.pendingIds);
  const stopHeartbeat = await runner.startHeartbeat(record.id);
  if (plan.planned !== undefined) {
    events.emit('campaign:planned', { campaignId: record.id, deliveries: plan.planned });
  }
  const { knownPositions, missing } = plan;
  const tally = new ReportTally(keep, started);
  const watch = deadlineWatch(context, record, plan.known, prior, logger);
  try {
    const coordinator = new Coordinator({
      campaignId: record.id,
      deliveries: plan.known,
      ...(prior === undefined ? {} : { prior }),
      accounts: settings.hall.accountById,
      adapters: settings.adapters,
      limits: settings.limits,
      credentials: settings.credentials,
      journal: settings.journal,
      events,
      redactor,
      logger,
      retry: settings.retry,
      relayFallback: record.relayFallback,
      siteDomain: settings.hall.hall.site?.domain,
      signal,
      lease,
      gate: pauseGate(context, record.id, signal, logger),
      // Each line is tallied as it ends; the report keeps only what `keep` asks for.
      onResult: (result, index) => {
        if (result.status === 'succeeded') watch?.live(result.accountId);
        tally.add(result, knownPositions === undefined ? index : knownPositions[index]!);
      },
    });
    await coordinator.run();
  } finally {
    watch?.stop();
    stopHeartbeat();
  }
  for (const [delivery, position] of missing) tally.add(missingAccountResult(delivery), position);
  await settings.journal.updateCampaign(record.id, {
    state: signal.aborted ? 'aborted' : 'finished',
  });
  if (signal.aborted) await audit(context, { action: 'abort', campaignId: record.id });

  // Every line was scrubbed when its delivery ended; it is scrubbed again here for the secrets
  // learned since, and copied only when one of its strings changes.
  const raw = runReport({
    record,
    hallId: settings.hall.hall.id,
    tally,
    lines: [],
    keep,
    started,
    aborted: signal.aborted,
  });
  const report: CampaignReport = {
    ...redactor.deep(raw),
    deliveries: tally.lines((line) => scrubResult(redactor, line)),
  };
  events.emit('campaign:finished', { report });
  return report;
}

/**
 * Publishes a statement: the pre-flight, then a dry-run report, or a new campaign in the journal
 * that is run at once. `earlier` is the statement a follow-up refers to.
 */
export async function publishCampaign(
  context: PublisherContext,
  statementInput: unknown,
  campaign: CampaignOptions,
  earlier?: EarlierStatement,
): Promise<CampaignReport> {
  const { settings, events } = context;
  const { plan, run, statement } = await preparePublish(
    settings,
    statementInput,
    campaign,
    earlier,
  );
  const signal = campaign.signal ?? new AbortController().signal;
  if (run.dryRun) {
    events.emit('campaign:planned', {
      campaignId: plan.campaignId,
      deliveries: stripPlan(plan.deliveries),
    });
    return dryRunReport(settings.hall, plan, statement);
  }
  // The gate (先审后发): over exactly the plan about to be created, before anything is journaled.
  const gate = await passGate({
    settings,
    statement,
    campaign,
    deliveries: () => stripPlan(plan.deliveries),
    lint: (deliveries) => lintPlan(settings, statement, deliveries).findings,
  });
  const record: CampaignRecord = {
    id: plan.campaignId,
    hallId: settings.hall.hall.id,
    ...(statement.id === undefined ? {} : { statementId: statement.id }),
    mode: plan.mode,
    relayFallback: run.relayFallback,
    createdAt: new Date().toISOString(),
    state: 'running',
    statement,
    ...(settings.sandbox ? { sandbox: true } : {}),
  };
  if ((await settings.journal.getCampaign(record.id)) !== undefined) {
    throw invalidInput('campaign options', [
      {
        path: 'campaignId',
        message: `campaign "${record.id}" is already in the journal: resume it, or choose another id`,
      },
    ]);
  }
  await settings.journal.createCampaign(record, plan.deliveries);
  await audit(context, {
    action: 'publish',
    campaignId: record.id,
    detail: {
      mode: plan.mode,
      deliveries: plan.deliveries.length,
      ...(campaign.selection ? { selection: campaign.selection } : {}),
      ...(gate === undefined ? {} : { gate }),
    },
  });
  if (gate !== undefined) {
    await journalGate(settings.journal, record.id, gate, campaign.gate?.approvals ?? []);
  }
  const report = await runCampaign(
    context,
    record,
    plan.deliveries,
    undefined,
    signal,
    run.reportDeliveries,
    earlier === undefined ? 'publish' : 'follow-up',
  );
  return gate === undefined ? report : { ...report, gate };
}

/** What a follow-up of a campaign publishes: its statement, options and the statement it follows. */
export interface FollowUpInput {
  readonly statement: StatementInput;
  readonly campaign: CampaignOptions;
  readonly earlier: EarlierStatement;
}

/**
 * The follow-up of `campaignId`: an update or correction, on every account that carries the
 * campaign, in original mode, referring to it.
 */
export async function followUpInput(
  context: PublisherContext,
  campaignId: string,
  statementInput: unknown,
  campaign: CampaignOptions,
): Promise<FollowUpInput> {
  const original = await loadCampaign(context, campaignId);
  const statement = parseStatement(statementInput);
  if (statement.kind !== 'update' && statement.kind !== 'correction') {
    throw invalidInput('statement', [
      {
        path: 'kind',
        message: `a follow-up is an "update" or a "correction", got "${statement.kind}"`,
      },
    ]);
  }
  const records = await context.settings.journal.getDeliveries(campaignId);
  const carried = records.filter(
    (record) =>
      record.delivery.action !== 'retract' &&
      (record.state === 'succeeded' || record.state === 'reconciled') &&
      record.remoteId !== undefined,
  );
  if (carried.length === 0) {
    throw invalidInput('campaign', [
      {
        path: 'campaignId',
        message: `campaign "${campaignId}" has no live post to follow up: publish the update as a new campaign`,
      },
    ]);
  }
  const first = original.statement as {
    headline?: unknown;
    issuer?: unknown;
    issuedAt?: unknown;
  };
  const earlier: EarlierStatement = {
    headline: typeof first.headline === 'string' ? first.headline : campaignId,
    ...(typeof first.issuer === 'string' ? { issuer: first.issuer } : {}),
    ...(typeof first.issuedAt === 'string' ? { issuedAt: first.issuedAt } : {}),
  };
  const members = [...new Set(carried.map((record) => record.delivery.memberId))];
  const platforms = [...new Set(carried.map((record) => record.delivery.platform))];
  return {
    statement: { ...statement, refersTo: statement.refersTo ?? campaignId },
    campaign: {
      mode: 'original',
      ...campaign,
      selection: { ...campaign.selection, members, platforms },
    },
    earlier,
  };
}

/**
 * Publishes an update or correction on every account that carries the campaign, as a campaign of
 * its own that refers to it.
 */
export async function followUp(
  context: PublisherContext,
  campaignId: string,
  statementInput: unknown,
  campaign: CampaignOptions,
): Promise<CampaignReport> {
  const input = await followUpInput(context, campaignId, statementInput, campaign);
  const report = await publishCampaign(context, input.statement, input.campaign, input.earlier);
  await audit(context, {
    action: 'follow-up',
    campaignId,
    detail: { followUp: report.campaignId },
  });
  return report;
}
