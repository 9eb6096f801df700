/**
 * The approval gate of the CLI: what an approval is bound to (the plan the publisher would carry
 * out), and the check `publish` makes before anything is sent.
 */
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

/**
 * Checks the approvals of a statement against the hall's policy before a publish. Returns the exit
 * code of a refusal (2, with every reason on stderr), or `undefined` when the gate is passed (or
 * the hall asks for no approval).
 */
export async function checkApprovals(input: {
  readonly publisher: Publisher;
  readonly statement: Statement;
  readonly statementPath: string;
  readonly options: CampaignOptions;
  readonly author: string | undefined;
  readonly approvalsFile: string | undefined;
}): Promise<{ refusal: number } | { passed: string } | undefined> {
  const settings = input.publisher.hall.hall.approvals;
  if (settings === undefined) return undefined;
  const rule = approvalRule(settings, input.statement.urgency);
  if (rule.approvals === 0)
    return { passed: `no approval needed at urgency ${input.statement.urgency}` };
  if (input.author === undefined) {
    process.stderr.write(
      'error: this hall requires approvals: name who publishes with --author <id> (their own approval does not count)\n',
    );
    return { refusal: 2 };
  }
  const file = input.approvalsFile ?? approvalFileOf(input.statementPath);
  const approvals = await readApprovalFile(file);
  const digest = await planDigest(input.publisher, input.statement, input.options);
  const verdict = verifyApprovals({
    digest,
    approvals,
    approvers: hallApprovers(settings),
    required: rule.approvals,
    author: input.author,
  });
  if (!verdict.ok) {
    process.stderr.write(
      `error: not approved for publishing (urgency ${input.statement.urgency}: ${rule.approvals} approvals needed; read from ${file}):\n${verdict.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}\n`,
    );
    return { refusal: 2 };
  }
  const review =
    rule.reviewWithinHours === undefined
      ? ''
      : `; to be reviewed within ${rule.reviewWithinHours} h`;
  return {
    passed: `approved by ${verdict.valid.join(', ')} (digest ${digest.slice(0, 12)}…)${review}`,
  };
}
