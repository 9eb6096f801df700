/**
 * The gate from the command line: what an approval is bound to (the plan the publisher would carry
 * out), and the `gate` option `publish` and `follow-up` pass to the library, which checks the
 * linter and the approvals before anything is sent.
 */
import { userInfo } from 'node:os';
import {
  type CampaignOptions,
  type Publisher,
  type PublishGate,
  type Statement,
  approvalFileOf,
  approvalRule,
  readApprovalFile,
} from 'release-hall';

/**
 * The digest of exactly what publishing `statement` with `options` would send: the statement, its
 * pictures, the mode, the push policy and every (account, action) of the plan (of the follow-up of
 * `followUpOf`, when given).
 */
export function planDigest(
  publisher: Publisher,
  statement: Statement,
  options: CampaignOptions,
  followUpOf?: string,
): Promise<string> {
  return publisher.approvalDigest(statement, {
    ...options,
    ...(followUpOf === undefined ? {} : { followUpOf }),
  });
}

/**
 * The `gate` option of a publish from the terminal: the author, the approvals read from the
 * statement's `.approval` file (or `--approvals`) when the hall asks for any, and the lint
 * override with its reason, by the author or else the user running the command.
 */
export async function gateOf(input: {
  readonly publisher: Publisher;
  readonly statement: Statement;
  readonly statementPath: string;
  readonly author: string | undefined;
  readonly approvalsFile: string | undefined;
  readonly override: string | undefined;
}): Promise<PublishGate> {
  const settings = input.publisher.hall.hall.approvals;
  const needed =
    settings !== undefined && approvalRule(settings, input.statement.urgency).approvals > 0;
  const reason = input.override?.trim();
  return {
    ...(input.author === undefined ? {} : { author: input.author }),
    ...(needed && input.author !== undefined
      ? {
          approvals: await readApprovalFile(
            input.approvalsFile ?? approvalFileOf(input.statementPath),
          ),
        }
      : {}),
    ...(reason === undefined || reason === ''
      ? {}
      : { override: { reason, by: input.author ?? userInfo().username } }),
  };
}
