/**
 * The gate of the CLI: what an approval is bound to (the plan the publisher would carry out), and
 * the checks `publish` makes before anything is sent (the linter, the approvals).
 */
import { userInfo } from 'node:os';
import {
  type CampaignOptions,
  type Publisher,
  type Statement,
  approvalDigest,
  approvalFileOf,
  approvalRule,
  hallApprovers,
  readApprovalFile,
  verifyApprovals,
} from 'release-hall';

/**
 * The digest of exactly what publishing `statement` with `options` would send: the statement, its
 * pictures, the mode, the push policy and every (account, action) of the plan.
 */
export async function planDigest(
  publisher: Publisher,
  statement: Statement,
  options: CampaignOptions,
): Promise<string> {
  const preview = await publisher.preview(statement, options);
  return approvalDigest({
    statement,
    mode: options.mode ?? 'relay',
    push: options.push,
    deliveries: preview.deliveries,
  });
}

/** What the gate let through, and on what grounds: recorded with the campaign. */
export interface GateRecord {
  readonly lint: {
    readonly errors: number;
    readonly override?: { readonly by: string; readonly reason: string };
  };
  readonly approvals?: {
    readonly digest: string;
    readonly by: readonly string[];
    readonly required: number;
    readonly urgency: Statement['urgency'];
    readonly reviewWithinHours?: number;
  };
}

/**
 * The gate `publish` passes before anything is sent: the linter (any error refuses, unless
 * overridden with a reason), then the approvals the hall asks for, over exactly what is sent.
 * Returns the exit code of a refusal (2, every reason on stderr), or what was let through.
 */
export async function publishGate(input: {
  readonly publisher: Publisher;
  readonly statement: Statement;
  readonly statementPath: string;
  readonly options: CampaignOptions;
  readonly author: string | undefined;
  readonly approvalsFile: string | undefined;
  readonly override: string | undefined;
}): Promise<{ refusal: number } | { record: GateRecord; lines: string[] }> {
  const { publisher, statement, options } = input;
  const preview = await publisher.preview(statement, options);
  const errors = preview.lint.findings.filter((finding) => finding.severity === 'error');
  const lines: string[] = [];
  let lint: GateRecord['lint'] = { errors: errors.length };
  if (errors.length > 0) {
    const list = errors.map((finding) => `  ${finding.path}: ${finding.message}`).join('\n');
    if (input.override === undefined || input.override.trim() === '') {
      process.stderr.write(
        `error: the linter finds ${errors.length} error${errors.length === 1 ? '' : 's'}, and publish sends nothing the linter refuses:\n${list}\nFix them (release-hall lint, preview), or publish anyway with --override "<reason>" (recorded with who and why)\n`,
      );
      return { refusal: 2 };
    }
    // Who overrides: the author named, else the user running the command.
    const by = input.author ?? userInfo().username;
    lint = { errors: errors.length, override: { by, reason: input.override.trim() } };
    lines.push(`lint: ${errors.length} error(s) overridden by ${by}: ${input.override.trim()}`);
  }
  const settings = publisher.hall.hall.approvals;
  if (settings === undefined) return { record: { lint }, lines };
  const rule = approvalRule(settings, statement.urgency);
  if (rule.approvals === 0) {
    lines.push(`approvals: none needed at urgency ${statement.urgency}`);
    return { record: { lint }, lines };
  }
  if (input.author === undefined) {
    process.stderr.write(
      'error: this hall requires approvals: name who publishes with --author <id> (their own approval does not count)\n',
    );
    return { refusal: 2 };
  }
  const file = input.approvalsFile ?? approvalFileOf(input.statementPath);
  const digest = await approvalDigest({
    statement,
    mode: options.mode ?? 'relay',
    push: options.push,
    deliveries: preview.deliveries,
  });
  const verdict = verifyApprovals({
    digest,
    approvals: await readApprovalFile(file),
    approvers: hallApprovers(settings),
    required: rule.approvals,
    author: input.author,
  });
  if (!verdict.ok) {
    process.stderr.write(
      `error: not approved for publishing (urgency ${statement.urgency}: ${rule.approvals} approvals needed; read from ${file}):\n${verdict.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}\n`,
    );
    return { refusal: 2 };
  }
  const review =
    rule.reviewWithinHours === undefined
      ? ''
      : `; to be reviewed within ${rule.reviewWithinHours} h`;
  lines.push(`approvals: ${verdict.valid.join(', ')} over digest ${digest.slice(0, 12)}…${review}`);
  return {
    record: {
      lint,
      approvals: {
        digest,
        by: verdict.valid,
        required: rule.approvals,
        urgency: statement.urgency,
        ...(rule.reviewWithinHours === undefined
          ? {}
          : { reviewWithinHours: rule.reviewWithinHours }),
      },
    },
    lines,
  };
}
