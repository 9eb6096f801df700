/**
 * The publisher: the library's entry point. Render → plan → run, with events, a journal and a
 * report per delivery; resume after a crash, status, pause and retract. This file wires the parts:
 * options ({@link resolvePublisherOptions}), the pre-flight (`prepare.ts`), running a campaign
 * (`run-campaign.ts`), its lifecycle (`lifecycle.ts`), retract (`retract.ts`), the runner lease
 * (`runner-lease.ts`) and the reports (`report.ts`).
 */
import { EventEmitter } from 'eventemitter3';
import type { PublisherEvents } from '../events.js';
import type { Journal } from '../journal/journal.js';
import type { ResolvedHall } from '../model/load.js';
import type { StatementInput } from '../model/statement.js';
import type { CampaignReport } from '../run/types.js';
import { createContext } from './context.js';
import type { Approval } from '../gate/approvals.js';
import type { ReviewState } from '../gate/review.js';
import { campaignStatus, pauseCampaign, resumeCampaign, reviewCampaign } from './lifecycle.js';
import {
  type CampaignOptions,
  type PublisherOptions,
  type ResumeOptions,
  resolvePublisherOptions,
} from './options.js';
import { gateDigest } from './gate.js';
import { preflightPlan, prepare, pushHistory, stripPlan } from './prepare.js';
import { type CampaignStatus, type Preview, previewOf } from './report.js';
import { type RetractReport, retractCampaign } from './retract.js';
import { followUp, followUpInput, publishCampaign } from './run-campaign.js';
import { createRunnerLease } from './runner-lease.js';

export type { CampaignOptions, PublisherOptions, ResumeOptions } from './options.js';
export type { CampaignStatus, Preview } from './report.js';
export type { RetractReport, RetractResultLine } from './retract.js';

/** A publisher bound to one hall. */
export interface Publisher {
  /** The resolved hall. */
  readonly hall: ResolvedHall;
  /** The journal in use. */
  readonly journal: Journal;
  on: EventEmitter<PublisherEvents>['on'];
  once: EventEmitter<PublisherEvents>['once'];
  off: EventEmitter<PublisherEvents>['off'];
  /** Renders and plans without sending anything. */
  preview(statement: StatementInput, options?: CampaignOptions): Promise<Preview>;
  /**
   * The SHA-256 (hex) approvers sign for publishing `statement` with `options`: the statement, its
   * pictures, the mode, the push policy and every (account, action) of the plan (see
   * `approvalDigest`). With `followUpOf`, the digest of that campaign's follow-up.
   */
  approvalDigest(
    statement: StatementInput,
    options?: CampaignOptions & { readonly followUpOf?: string },
  ): Promise<string>;
  /**
   * Publishes a statement to the selected accounts and reports on every delivery. With the `gate`
   * option (required when the hall names approvers), the linter and the approvals are checked
   * first and journaled in the audit trail.
   */
  publish(statement: StatementInput, options?: CampaignOptions): Promise<CampaignReport>;
  /**
   * Continues a campaign from the journal: finished deliveries stay as they are; any left
   * `sending`, `unknown` or `unconfirmed` is looked up on the platform before anything is sent.
   * Lifts a pause.
   */
  resume(campaignId: string, options?: ResumeOptions): Promise<CampaignReport>;
  /** Where every delivery of a campaign stands, from the journal. */
  status(campaignId: string): Promise<CampaignStatus>;
  /**
   * Records the review of a campaign sent on few approvals (a crisis statement whose policy asks
   * a review within some hours): `approval` is another approver's signature over the campaign's
   * digest (`approveStatement` with the digest in `status().review`). Journaled in the audit trail.
   */
  review(campaignId: string, approval: Approval): Promise<ReviewState>;
  /** Holds the campaign (or some groups of it): nothing new starts until `resume`. */
  pause(campaignId: string, options: { reason: string; groups?: readonly string[] }): Promise<void>;
  /**
   * Posts an update or correction on every account that carries the campaign, referring to it
   * (its headline and time open the text). The follow-up is a campaign of its own.
   */
  followUp(
    campaignId: string,
    statement: StatementInput,
    options?: CampaignOptions,
  ): Promise<CampaignReport>;
  /** Removes every live post and relay of a campaign; safe to run twice. */
  retract(campaignId: string, options?: { signal?: AbortSignal }): Promise<RetractReport>;
}

/**
 * Creates a publisher for one hall. The hall is checked at once against the adapters: a bad hall
 * throws `INVALID_INPUT` before anything can be sent.
 *
 * @example
 * ```ts
 * const publisher = createPublisher({ hall, adapters: [createWeiboAdapter({ rip })] });
 * const report = await publisher.publish(statement, { mode: 'relay' });
 * ```
 */
export function createPublisher(options: PublisherOptions): Publisher {
  const settings = resolvePublisherOptions(options);
  const events = new EventEmitter<PublisherEvents>();
  const runner = createRunnerLease(settings.journal, settings.staleRunnerMs);
  const context = createContext(settings, events, runner);
  return {
    hall: settings.hall,
    journal: settings.journal,
    on: events.on.bind(events),
    once: events.once.bind(events),
    off: events.off.bind(events),
    async preview(statement, campaign) {
      const history = await pushHistory(settings.journal);
      const { plan, statement: parsed } = prepare(
        settings,
        statement,
        { ...campaign, dryRun: true },
        history,
      );
      const checked = await preflightPlan(settings, plan);
      return previewOf(settings, checked.plan, parsed, checked.issues);
    },
    async approvalDigest(statement, { followUpOf, ...campaign } = {}) {
      const input =
        followUpOf === undefined
          ? { statement, campaign, earlier: undefined }
          : await followUpInput(context, followUpOf, statement, campaign);
      const history = await pushHistory(settings.journal);
      const { plan, statement: parsed } = prepare(
        settings,
        input.statement,
        { ...input.campaign, dryRun: true },
        history,
        input.earlier,
      );
      return gateDigest(parsed, input.campaign, stripPlan(plan.deliveries));
    },
    publish: (statement, campaign = {}) => publishCampaign(context, statement, campaign),
    followUp: (campaignId, statement, campaign = {}) =>
      followUp(context, campaignId, statement, campaign),
    resume: (campaignId, resumeOptions = {}) => resumeCampaign(context, campaignId, resumeOptions),
    status: (campaignId) => campaignStatus(context, campaignId),
    review: (campaignId, approval) => reviewCampaign(context, campaignId, approval),
    pause: (campaignId, pauseOptions) => pauseCampaign(context, campaignId, pauseOptions),
    retract: (campaignId, retractOptions = {}) =>
      retractCampaign(context, campaignId, retractOptions),
  };
}
