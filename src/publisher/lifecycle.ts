/**
 * A campaign's life after it starts: where it stands (status), holding it (pause), and going on
 * from the journal (resume), here or in the process that runs it.
 */
import { type ErrorCode, ReleaseHallError, invalidInput } from '../errors.js';
import type { PauseState } from '../journal/journal.js';
import type { CampaignReport } from '../run/types.js';
import { type PublisherContext, audit, loadCampaign } from './context.js';
import type { Approval } from '../gate/approvals.js';
import { type ReviewState, reviewState } from '../gate/review.js';
import { checkReview } from './gate.js';
import type { ResumeOptions } from './options.js';
import { type CampaignStatus, statusAsReport } from './report.js';
import { readCampaignStatus } from './status.js';
import { runCampaign } from './run-campaign.js';

/** Where every delivery of a campaign stands, from the journal (the campaign must be this hall's). */
export async function campaignStatus(
  context: PublisherContext,
  campaignId: string,
): Promise<CampaignStatus> {
  await loadCampaign(context, campaignId);
  const { journal, hall } = context.settings;
  return readCampaignStatus(journal, campaignId, hall.accountById);
}

/** Holds the campaign (or some groups of it): nothing new starts until `resume`. */
export async function pauseCampaign(
  context: PublisherContext,
  campaignId: string,
  options: { reason: string; groups?: readonly string[] },
): Promise<void> {
  const { journal, hall, actor } = context.settings;
  const campaign = await loadCampaign(context, campaignId);
  if (campaign.state === 'finished') {
    throw invalidInput('pause', [
      {
        path: 'campaignId',
        message: `campaign "${campaignId}" has finished: there is nothing left to hold (retract it, or post a follow-up)`,
      },
    ]);
  }
  if (options.reason.trim() === '') {
    throw invalidInput('pause', [
      {
        path: 'reason',
        message: 'say why the campaign is paused (it goes in the audit trail)',
      },
    ]);
  }
  const knownGroups = new Set(hall.hall.groups.map((group) => group.id));
  const unknown = (options.groups ?? []).filter((group) => !knownGroups.has(group));
  if (unknown.length > 0) {
    throw invalidInput(
      'pause',
      unknown.map((group) => ({
        path: 'groups',
        message: `unknown group "${group}": use one of the hall's groups`,
      })),
    );
  }
  const pause: PauseState = {
    reason: options.reason,
    actor,
    at: new Date().toISOString(),
    ...(options.groups === undefined || options.groups.length === 0
      ? {}
      : { groups: [...options.groups] }),
  };
  await journal.updateCampaign(campaignId, { pause });
  await audit(context, {
    action: 'pause',
    campaignId,
    detail: { reason: pause.reason, ...(pause.groups ? { groups: pause.groups } : {}) },
  });
}

/** Lifts a campaign's pause, if any, and says so in the audit trail. */
async function unpause(
  context: PublisherContext,
  campaignId: string,
  paused: boolean,
  detail: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (!paused) return;
  await context.settings.journal.updateCampaign(campaignId, { pause: null });
  await audit(context, { action: 'unpause', campaignId, detail });
}

/**
 * Continues a campaign from the journal, or lifts the pause of a run in progress (in this
 * publisher, or in another live process, whose progress is then reported).
 */
export async function resumeCampaign(
  context: PublisherContext,
  campaignId: string,
  options: ResumeOptions = {},
): Promise<CampaignReport> {
  const { journal, hall } = context.settings;
  const campaign = await loadCampaign(context, campaignId);
  if (campaign.state === 'retracted') {
    throw invalidInput('resume', [
      {
        path: 'campaignId',
        message: `campaign "${campaignId}" was retracted: it is not sent again (publish a new campaign, or a follow-up)`,
      },
    ]);
  }
  const paused = campaign.pause !== undefined;
  const running = context.active.get(campaignId);
  if (running !== undefined) {
    // This publisher is running the campaign right now: lifting the pause lets it go on.
    await unpause(context, campaignId, paused, { by: 'resume' });
    return running;
  }
  const runner = context.runner.otherLiveRunner(campaign);
  if (runner !== undefined && options.force !== true) {
    if (paused) {
      // The running process holds its deliveries while paused; lifting the pause lets it go on.
      await unpause(context, campaignId, paused, { by: 'resume', runnerPid: runner.pid });
      const status = await campaignStatus(context, campaignId);
      return statusAsReport(status, hall.hall.id);
    }
    throw new ReleaseHallError(
      `[release-hall] campaign "${campaignId}" is being run by process ${runner.pid} (last seen ${Math.round((Date.now() - Date.parse(runner.heartbeatAt)) / 1000)} s ago): wait for it, stop it, or resume with force once it is gone`,
      { code: 'INVALID_INPUT' },
    );
  }
  await unpause(context, campaignId, paused, { by: 'resume' });
  await audit(context, {
    action: 'resume',
    campaignId,
    ...(options.force ? { detail: { force: true } } : {}),
  });
  if (options.retryFailed === true) await reopenFailed(context, campaignId);
  const records = (await journal.getDeliveries(campaignId)).filter(
    (entry) => entry.delivery.action !== 'retract',
  );
  const prior = new Map(records.map((entry) => [entry.delivery.id, entry]));
  return runCampaign(
    context,
    campaign,
    records.map((entry) => entry.delivery),
    prior,
    options.signal ?? new AbortController().signal,
    options.reportDeliveries,
  );
}

/** Failures that may pass: worth another try once the platform has been asked. */
const RETRY_FAILED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'TRANSIENT',
  'RATE_LIMITED',
  'AMBIGUOUS',
]);

/**
 * Reopens the deliveries that failed for a reason that may pass: one that may have been sent goes
 * back to `unknown` (the run looks it up before any re-send), one that never left to `planned`.
 * Resolves with how many were reopened.
 */
async function reopenFailed(context: PublisherContext, campaignId: string): Promise<number> {
  const { journal } = context.settings;
  const at = new Date().toISOString();
  let reopened = 0;
  for (const record of await journal.getDeliveries(campaignId)) {
    if (record.state !== 'failed' || record.delivery.action === 'retract') continue;
    if (record.errorCode === undefined || !RETRY_FAILED_CODES.has(record.errorCode)) continue;
    await journal.transition({
      deliveryId: record.delivery.id,
      state: record.firstAttemptAt === undefined ? 'planned' : 'unknown',
      at,
      errorMessage: `reopened to try again after ${record.errorCode}: looked up before any re-send`,
    });
    reopened += 1;
  }
  await audit(context, { action: 'retry-failed', campaignId, detail: { reopened } });
  return reopened;
}

/**
 * Records the review of a campaign sent on few approvals (a crisis statement, reviewed within the
 * policy's hours): journaled as a `review` entry of the audit trail, as its approver.
 */
export async function reviewCampaign(
  context: PublisherContext,
  campaignId: string,
  approval: Approval,
): Promise<ReviewState> {
  await loadCampaign(context, campaignId);
  const { journal } = context.settings;
  const review = reviewState(await journal.getAudit(campaignId), new Date());
  checkReview({ settings: context.settings, review, approval, campaignId });
  const at = new Date().toISOString();
  await journal.audit({
    at,
    actor: approval.approver,
    action: 'review',
    campaignId,
    detail: { approver: approval.approver, digest: approval.digest, signature: approval.signature },
  });
  return {
    ...review!,
    state: 'reviewed',
    reviewedBy: approval.approver,
    reviewedAt: at,
    late: Date.parse(at) > Date.parse(review!.dueAt),
  };
}
