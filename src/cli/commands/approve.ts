/**
 * `release-hall approve`: an approver signs exactly what publishing the statement would send (the
 * statement, its pictures, the accounts, the mode, the push policy), and the approval is added to
 * the `.approval` file next to the statement.
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  ReleaseHallError,
  approvalFileOf,
  approvalRule,
  approveStatement,
  credentialsEnvName,
  loadStatementFile,
  readApprovalFile,
  readCredentialsFile,
  readPrivateKey,
  withApproval,
} from 'release-hall';
import { planDigest } from '../approval-gate.js';
import { pushOptions } from '../campaign-run.js';
import type { ApproveFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';
import { selectionOf } from './publish.js';

/**
 * The approver's private key: `--key FILE`, else their hall `key` reference (env, then credentials
 * file). Also how `audit head --sign` finds the key.
 */
export async function privateKeyText(
  flags: Pick<ApproveFlags, 'as' | 'key' | 'credentials'>,
  reference: string | undefined,
): Promise<string> {
  if (flags.key !== undefined) return readFile(flags.key, 'utf8');
  if (reference !== undefined) {
    const fromEnv = process.env[credentialsEnvName(reference, 'privateKey')];
    if (fromEnv) return fromEnv;
    const file = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
    if (file !== undefined) {
      const found = (await readCredentialsFile(file))[reference]?.privateKey;
      if (found !== undefined) return found;
    }
  }
  throw new ReleaseHallError(
    `[release-hall] no private key for approver "${flags.as}": give --key <file>${reference === undefined ? '' : `, or set ${credentialsEnvName(reference, 'privateKey')}, or put {"${reference}": {"privateKey": "…"}} in the credentials file`}`,
    { code: 'INVALID_INPUT' },
  );
}

export async function approveCommand(statementPath: string, flags: ApproveFlags): Promise<number> {
  const statement = await loadStatementFile(statementPath);
  // Approving sends nothing and records nothing; the journal is read (never written) when it exists,
  // so the plan sees the pushes already made and a follow-up finds its campaign, as publish will.
  const { publisher, close } = await openPublisher(flags, { readOnly: true });
  try {
    const settings = publisher.hall.hall.approvals;
    if (settings === undefined) {
      process.stderr.write(
        `error: the hall file ${flags.hall} names no approvers (approvals.approvers): nothing to approve against\n`,
      );
      return 2;
    }
    const approver = settings.approvers.find((each) => each.id === flags.as);
    if (approver === undefined) {
      process.stderr.write(
        `error: "${flags.as}" is not an approver of this hall; approvers: ${settings.approvers.map((each) => each.id).join(', ')}\n`,
      );
      return 2;
    }
    const privateKey = readPrivateKey(
      await privateKeyText(flags, approver.key),
      `the private key of approver "${approver.id}"`,
    );
    // A follow-up goes where its campaign went, in original mode: its plan comes from the journal.
    const digest =
      flags.followUp === undefined
        ? await planDigest(publisher, statement, {
            mode: flags.mode,
            selection: selectionOf(flags),
            push: pushOptions(flags),
          })
        : await planDigest(publisher, statement, {}, flags.followUp);
    const approval = approveStatement({ digest, approver: approver.id, privateKey });
    const file = flags.out ?? approvalFileOf(statementPath);
    const next = withApproval(await readApprovalFile(file), approval);
    await writeFile(file, `${JSON.stringify(next, null, 2)}\n`);
    const rule = approvalRule(settings, statement.urgency);
    const current = next.approvals.filter((each) => each.digest === digest).length;
    process.stdout.write(
      `approved by ${approver.name} (${approver.id}): digest ${digest}\n` +
        `${file}: ${current} of the ${rule.approvals} approvals needed at urgency ${statement.urgency}\n`,
    );
    return 0;
  } finally {
    await close();
  }
}
