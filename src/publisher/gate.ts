/**
 * The publish gate (先审后发): before a campaign is created, the statement linter and the hall's
 * approval policy are checked over exactly what is about to be sent. A lint error refuses unless
 * overridden with a reason; a hall that names approvers refuses without enough valid approvals
 * from distinct approvers, none of them the author. What the gate let through is journaled in the
 * audit trail (`approve` and `override` entries) and kept in the report.
 */
import { type InputIssue, ReleaseHallError } from '../errors.js';
import { type Approval, approvalDigest, verifyApprovals } from '../gate/approvals.js';
import { approvalRule, hallApprovers } from '../gate/policy.js';
import type { Journal } from '../journal/journal.js';
import type { LintFinding } from '../lint/lint-types.js';
import type { Statement } from '../model/statement.js';
import type { PlannedDelivery } from '../run/types.js';
import type { GateRecord } from '../gate/gate-record.js';
import type { ReviewState } from '../gate/review.js';
import type { CampaignOptions, PublisherSettings } from './options.js';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The digest approvers sign for `statement` sent with `campaign` as `deliveries` (its plan). */
export function gateDigest(
  statement: Statement,
  campaign: CampaignOptions,
  deliveries: readonly PlannedDelivery[],
): Promise<string> {
  return approvalDigest({
    statement,
    mode: campaign.mode ?? 'relay',
    push: campaign.push,
    deliveries,
  });
}

/** A refusal of the gate: `INVALID_INPUT`, its issues under `gate`. */
function refused(why: string, issues: readonly InputIssue[]): ReleaseHallError {
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
  return new ReleaseHallError(`[release-hall] ${why}:\n${lines.join('\n')}`, {
    code: 'INVALID_INPUT',
    issues,
  });
}

/**
 * Checks the gate for a campaign about to be created.
 * @throws ReleaseHallError `INVALID_INPUT` listing, under `gate`, every reason it refuses.
 */
export async function passGate(input: {
  readonly settings: PublisherSettings;
  readonly statement: Statement;
  readonly campaign: CampaignOptions;
  /** The plan as approved (made only when the gate is checked: a large hall's plan is large). */
  readonly deliveries: () => readonly PlannedDelivery[];
  /** The linter's findings over the statement and those renditions. */
  readonly lint: (deliveries: readonly PlannedDelivery[]) => readonly LintFinding[];
}): Promise<GateRecord | undefined> {
  const { settings, statement, campaign } = input;
  const gate = campaign.gate;
  const approvalSettings = settings.hall.hall.approvals;
  if (gate === undefined) {
    if (approvalSettings === undefined) return undefined;
    if (approvalRule(approvalSettings, statement.urgency).approvals === 0) return undefined;
    throw refused('not approved for publishing', [
      {
        path: 'gate',
        message:
          'this hall requires approvals before publishing: pass gate: { author, approvals } (the CLI: --author, with the .approval file "release-hall approve" writes)',
      },
    ]);
  }
  const deliveries = input.deliveries();
  const errors = input.lint(deliveries).filter((finding) => finding.severity === 'error');
  let lint: GateRecord['lint'] = { errors: errors.length };
  if (errors.length > 0) {
    const reason = gate.override?.reason.trim() ?? '';
    if (reason === '') {
      throw refused(
        `the linter finds ${plural(errors.length, 'error')}, and publish sends nothing the linter refuses`,
        [
          ...errors.map((finding) => ({ path: finding.path, message: finding.message })),
          {
            path: 'gate.override',
            message: `fix ${errors.length === 1 ? 'it' : 'them'} (release-hall lint, preview), or publish anyway with an override and its reason (the CLI: --override "<reason>"), journaled with who and why`,
          },
        ],
      );
    }
    const by = gate.override?.by ?? gate.author ?? settings.actor;
    lint = { errors: errors.length, override: { by, reason } };
  }
  const author = gate.author === undefined ? {} : { author: gate.author };
  if (approvalSettings === undefined) return { ...author, lint };
  const rule = approvalRule(approvalSettings, statement.urgency);
  if (rule.approvals === 0) return { ...author, lint };
  if (gate.author === undefined || gate.author.trim() === '') {
    throw refused('not approved for publishing', [
      {
        path: 'gate.author',
        message:
          'this hall requires approvals: name who publishes with --author <id> (the library: gate.author); their own approval does not count',
      },
    ]);
  }
  const digest = await gateDigest(statement, campaign, deliveries);
  const verdict = verifyApprovals({
    digest,
    approvals: gate.approvals ?? [],
    approvers: hallApprovers(approvalSettings),
    required: rule.approvals,
    author: gate.author,
  });
  if (!verdict.ok) {
    const issues: InputIssue[] = verdict.issues.map((issue) => ({
      path: `gate.${issue.path}`,
      message: issue.message,
    }));
    throw refused(
      `not approved for publishing (urgency ${statement.urgency}: ${plural(rule.approvals, 'approval')} needed)`,
      issues,
    );
  }
  const review = rule.reviewWithinHours;
  return {
    ...author,
    lint,
    approvals: {
      digest,
      by: verdict.valid,
      required: rule.approvals,
      urgency: statement.urgency,
      ...(review === undefined
        ? {}
        : {
            reviewWithinHours: review,
            reviewDueAt: new Date(Date.now() + review * 3_600_000).toISOString(),
          }),
    },
  };
}

/**
 * Journals what the gate let through: one `approve` entry per approval that counted (as its
 * approver, at its signing time) and an `override` entry with who and why.
 */
export async function journalGate(
  journal: Journal,
  campaignId: string,
  record: GateRecord,
  approvals: readonly Approval[],
): Promise<void> {
  if (record.approvals !== undefined) {
    const { digest, by } = record.approvals;
    for (const approver of by) {
      const approval = approvals.find(
        (candidate) => candidate.approver === approver && candidate.digest === digest,
      );
      await journal.audit({
        at: approval?.signedAt ?? new Date().toISOString(),
        actor: approver,
        action: 'approve',
        campaignId,
        detail: {
          approver,
          digest,
          ...(approval === undefined ? {} : { signature: approval.signature }),
        },
      });
    }
  }
  const override = record.lint.override;
  if (override !== undefined) {
    await journal.audit({
      at: new Date().toISOString(),
      actor: override.by,
      action: 'override',
      campaignId,
      detail: { reason: override.reason, lintErrors: record.lint.errors },
    });
  }
}

/**
 * Records the review of a campaign published on few approvals: `approval` must be a valid
 * signature over the campaign's digest by an approver of the hall who neither approved it nor
 * published it.
 * @throws ReleaseHallError `INVALID_INPUT` naming why the review does not count.
 */
export function checkReview(input: {
  readonly settings: PublisherSettings;
  readonly review: ReviewState | undefined;
  readonly approval: Approval;
  readonly campaignId: string;
}): void {
  const { review, approval, campaignId } = input;
  const approvalSettings = input.settings.hall.hall.approvals;
  if (review === undefined || approvalSettings === undefined) {
    throw refused(`campaign "${campaignId}" asks no review`, [
      {
        path: 'campaignId',
        message:
          'only a statement sent on fewer approvals than usual (a policy with reviewWithinHours) is reviewed afterwards',
      },
    ]);
  }
  if (review.state === 'reviewed') {
    throw refused(`campaign "${campaignId}" is reviewed already`, [
      {
        path: 'campaignId',
        message: `reviewed by ${review.reviewedBy ?? '?'} at ${review.reviewedAt ?? '?'}`,
      },
    ]);
  }
  const others = [...review.approvedBy, ...(review.author === undefined ? [] : [review.author])];
  if (others.includes(approval.approver)) {
    throw refused('not a review', [
      {
        path: 'approver',
        message: `"${approval.approver}" approved or published it: the review is another approver's`,
      },
    ]);
  }
  const verdict = verifyApprovals({
    digest: review.digest,
    approvals: [approval],
    approvers: hallApprovers(approvalSettings),
    required: 1,
  });
  if (!verdict.ok) throw refused('not a review of this campaign', verdict.issues);
}

/** One line per fact of the gate, for a terminal. */
export function describeGate(record: GateRecord): string[] {
  const lines: string[] = [];
  const { override } = record.lint;
  if (override !== undefined) {
    lines.push(
      `lint: ${record.lint.errors} error(s) overridden by ${override.by}: ${override.reason}`,
    );
  }
  const { approvals } = record;
  if (approvals !== undefined) {
    const review =
      approvals.reviewDueAt === undefined
        ? ''
        : `; to be reviewed within ${approvals.reviewWithinHours} h (by ${approvals.reviewDueAt})`;
    lines.push(
      `approvals: ${approvals.by.join(', ')} over digest ${approvals.digest.slice(0, 12)}…${review}`,
    );
  }
  return lines;
}
