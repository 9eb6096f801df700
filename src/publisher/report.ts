/**
 * What a campaign reports: the preview of a plan, the report of a dry run, of a run, and of a
 * campaign another process is running. Pure: every value comes in as an argument.
 */
import type { InputIssue } from '../errors.js';
import type { ReviewState } from '../gate/review.js';
import type {
  AuditEntry,
  CampaignRecord,
  DeliveryRecord,
  JournalDelivery,
} from '../journal/journal.js';
import { lintStatement } from '../lint/lint-statement.js';
import type { LintResult } from '../lint/lint-types.js';
import type { ResolvedHall } from '../model/load.js';
import type { Statement } from '../model/statement.js';
import type { Plan } from '../plan/plan-campaign.js';
import { type RenditionPreview, buildPreview } from '../render/preview.js';
import type {
  CampaignReport,
  DeliveryResult,
  PlannedDelivery,
  ReportCounts,
} from '../run/types.js';
import type { ReportDeliveries } from '../run/options.js';
import type { PublisherSettings } from './options.js';
import { stripPlan } from './prepare.js';

/** What a preview shows: the plan, each delivery's text and its count. */
export interface Preview {
  readonly campaignId: string;
  readonly mode: 'original' | 'relay';
  readonly deliveries: readonly PlannedDelivery[];
  /** The statement linter's findings over the statement and every rendition. */
  readonly lint: LintResult;
  /** Per account: text or article fields, count against the limit, fit, findings; for `formatPreviewTable`. */
  readonly table: RenditionPreview;
  /**
   * What publish would refuse, found by the pre-flight without sending (pictures, links, settings,
   * credentials). Empty when publish would go ahead.
   */
  readonly refusals: readonly InputIssue[];
}

/** Where a campaign stands. */
export interface CampaignStatus {
  readonly campaign: CampaignRecord;
  readonly counts: ReportCounts & { readonly pending: number };
  readonly deliveries: readonly (DeliveryResult & { readonly state: DeliveryRecord['state'] })[];
  readonly audit: readonly AuditEntry[];
  /** The review its gate asked for (a statement sent on few approvals), and where it stands. */
  readonly review?: ReviewState;
}

/** Counts results by status. */
export function countResults(results: readonly DeliveryResult[]): ReportCounts {
  const count = (status: DeliveryResult['status']): number =>
    results.filter((result) => result.status === status).length;
  return {
    total: results.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    skipped: count('skipped'),
    unconfirmed: count('unconfirmed'),
  };
}

/** The linter's findings over a statement and the renditions of its plan, as this hall lints. */
export function lintPlan(
  settings: PublisherSettings,
  statement: Statement,
  deliveries: readonly PlannedDelivery[],
): LintResult {
  const { hall, adapters, discouraged } = settings;
  return lintStatement(statement, {
    hall: hall.hall,
    renditions: deliveries,
    profiles: adapters,
    ...(discouraged === undefined ? {} : { discouraged }),
  });
}

/** The preview of a prepared plan: the plan, the linter's findings and the table. */
export function previewOf(
  settings: PublisherSettings,
  plan: Plan,
  statement: Statement,
  refusals: readonly InputIssue[] = [],
): Preview {
  const { hall, adapters } = settings;
  const deliveries = stripPlan(plan.deliveries);
  const lint = lintPlan(settings, statement, deliveries);
  const table = buildPreview({
    deliveries,
    profiles: adapters,
    lint,
    campaignId: plan.campaignId,
    mode: plan.mode,
    handles: new Map(hall.accounts.map((account) => [account.id, account.handle])),
  });
  return { campaignId: plan.campaignId, mode: plan.mode, deliveries, lint, table, refusals };
}

/** The report of a dry run: every delivery skipped, with the text it would send. */
export function dryRunReport(hall: ResolvedHall, plan: Plan, statement: Statement): CampaignReport {
  const now = new Date().toISOString();
  const results: DeliveryResult[] = plan.deliveries.map((entry) => ({
    deliveryId: entry.id,
    accountId: entry.accountId,
    memberId: entry.memberId,
    platform: entry.platform,
    handle: hall.accountById.get(entry.accountId)?.handle ?? entry.accountId,
    action: entry.action,
    performed: 'none',
    status: 'skipped',
    attempts: 0,
    errorMessage: 'dry run: nothing was sent',
    text: entry.rendition.format === 'text' ? entry.rendition.text : entry.rendition.title,
  }));
  return {
    campaignId: plan.campaignId,
    hallId: hall.hall.id,
    ...(statement.id === undefined ? {} : { statementId: statement.id }),
    mode: plan.mode,
    dryRun: true,
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    counts: countResults(results),
    deliveries: results,
    aborted: false,
  };
}

/** The line of a delivery whose account (or adapter) has left the hall since it was planned. */
export function missingAccountResult(delivery: JournalDelivery): DeliveryResult {
  return {
    deliveryId: delivery.id,
    accountId: delivery.accountId,
    memberId: delivery.memberId,
    platform: delivery.platform,
    handle: delivery.accountId,
    action: delivery.action,
    performed: 'none',
    status: 'failed',
    attempts: 0,
    errorCode: 'INVALID_INPUT',
    errorMessage: `[release-hall] account "${delivery.accountId}" is no longer in the hall (or has no adapter): add it back to finish this delivery`,
  };
}

/**
 * What a run's report says, gathered line by line as deliveries end: the counts, the times of the
 * first and the last successful post, and the lines it keeps (see `reportDeliveries`).
 */
export class ReportTally {
  readonly #keep: ReportDeliveries;
  readonly #started: number;
  /** Kept lines by plan position (sparse unless every line is kept). */
  readonly #lines: DeliveryResult[] = [];
  #positions: number[] = [];
  readonly #counts = { total: 0, succeeded: 0, failed: 0, skipped: 0, unconfirmed: 0 };
  #firstPostMs: number | undefined;
  #lastPostMs: number | undefined;

  /** `started`: when the run began, in ms since the epoch. */
  constructor(keep: ReportDeliveries, started: number) {
    this.#keep = keep;
    this.#started = started;
  }

  /** Counts one line, at its position in the plan, and keeps it if asked to. */
  add(result: DeliveryResult, position: number): void {
    this.#counts.total += 1;
    this.#counts[result.status] += 1;
    if (result.status === 'succeeded' && result.finishedAt !== undefined) {
      const ms = Date.parse(result.finishedAt) - this.#started;
      if (ms >= 0) {
        if (this.#firstPostMs === undefined || ms < this.#firstPostMs) this.#firstPostMs = ms;
        if (this.#lastPostMs === undefined || ms > this.#lastPostMs) this.#lastPostMs = ms;
      }
    }
    if (this.#keep === 'all' || (this.#keep === 'unsuccessful' && result.status !== 'succeeded')) {
      if (this.#keep === 'all') this.#lines[position] = result;
      else {
        this.#lines.push(result);
        this.#positions.push(position);
      }
    }
  }

  /** The lines kept, in plan order, each passed through `map`. */
  lines(map: (line: DeliveryResult) => DeliveryResult = (line) => line): DeliveryResult[] {
    if (this.#keep === 'all') {
      const out: DeliveryResult[] = [];
      for (const line of this.#lines) if (line !== undefined) out.push(map(line));
      return out;
    }
    const order = this.#positions.map((position, index) => [position, index] as const);
    order.sort((a, b) => a[0] - b[0]);
    return order.map(([, index]) => map(this.#lines[index]!));
  }

  get counts(): ReportCounts {
    return { ...this.#counts };
  }

  get firstPostMs(): number | undefined {
    return this.#firstPostMs;
  }

  get lastPostMs(): number | undefined {
    return this.#lastPostMs;
  }
}

/**
 * The report of a run, from its tally; `started` is when the run began (ms since the epoch). Not
 * yet redacted: `lines` are the tally's, already scrubbed by the caller.
 */
export function runReport(input: {
  readonly record: CampaignRecord;
  readonly hallId: string;
  readonly tally: ReportTally;
  readonly lines: readonly DeliveryResult[];
  readonly keep: ReportDeliveries;
  readonly started: number;
  readonly aborted: boolean;
}): CampaignReport {
  const { record, tally, started } = input;
  const finished = Date.now();
  const { firstPostMs, lastPostMs } = tally;
  return {
    campaignId: record.id,
    hallId: input.hallId,
    ...(record.statementId === undefined ? {} : { statementId: record.statementId }),
    mode: record.mode,
    dryRun: false,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    ...(firstPostMs === undefined || lastPostMs === undefined ? {} : { firstPostMs, lastPostMs }),
    counts: tally.counts,
    deliveries: input.lines,
    ...(input.keep === 'all' ? {} : { deliveriesKept: input.keep }),
    aborted: input.aborted,
  };
}

/** A report made from a campaign's status (used when another process is running it). */
export function statusAsReport(status: CampaignStatus, hallId: string): CampaignReport {
  const now = new Date().toISOString();
  return {
    campaignId: status.campaign.id,
    hallId,
    ...(status.campaign.statementId === undefined
      ? {}
      : { statementId: status.campaign.statementId }),
    mode: status.campaign.mode,
    dryRun: false,
    startedAt: status.campaign.createdAt,
    finishedAt: now,
    durationMs: Date.now() - Date.parse(status.campaign.createdAt),
    counts: countResults(status.deliveries),
    deliveries: status.deliveries,
    aborted: false,
  };
}
