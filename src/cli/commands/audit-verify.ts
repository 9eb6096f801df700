/**
 * `release-hall audit verify`: checks the hash chain of the journal's whole audit log, and, with
 * `--head`, that the log still holds an anchor taken earlier. Exit 0 when the chain holds (the
 * count and the head to anchor are printed), 1 naming the first entry at fault, 2 for bad input.
 */
import { type AuditChainVerdict, verifyAuditChain } from 'release-hall';
import {
  type AuditAnchor,
  anchorSignatureHolds,
  approverById,
  parseAnchor,
  readHallApprovers,
} from './audit-anchor.js';
import { readAuditLog } from './audit-log.js';

/** Flags of `audit verify`. */
export interface AuditVerifyFlags {
  journal?: string;
  head?: string;
  hall?: string;
  json?: boolean;
}

/** Checks a signed anchor against the hall's approvers; the error to print when it does not hold. */
async function signatureProblem(
  anchor: AuditAnchor,
  hall: string | undefined,
): Promise<string | undefined> {
  if (anchor.signed === undefined) return undefined;
  if (hall === undefined) {
    process.stderr.write(
      `warning: the anchor is signed by "${anchor.signed.approver}", but its signature is not checked: give --hall <file> to check it against the approver's public key\n`,
    );
    return undefined;
  }
  const { approvers } = await readHallApprovers(hall);
  const approver = approverById(approvers, anchor.signed.approver);
  return anchorSignatureHolds(anchor, approver)
    ? undefined
    : `the signature of the anchor is not ${approver.name}'s (${approver.id}) over ${anchor.head.seq}:${anchor.head.hash}: the anchor was altered or signed with another key`;
}

function formatVerdict(
  path: string,
  verdict: AuditChainVerdict,
  anchor: AuditAnchor | undefined,
): string {
  if (verdict.ok) {
    const anchored = anchor === undefined ? '' : `; it holds the anchored head ${anchor.head.seq}`;
    return `audit log of ${path}: intact, ${verdict.count} ${verdict.count === 1 ? 'entry' : 'entries'}${anchored}\nhead ${verdict.head.seq}:${verdict.head.hash}\n`;
  }
  const { problem } = verdict;
  const campaign = problem.campaignId === undefined ? '' : `, campaign ${problem.campaignId}`;
  return `audit log of ${path}: BROKEN at entry ${problem.seq}${campaign}: ${problem.kind}\n  ${problem.message}\n`;
}

export async function auditVerifyCommand(flags: AuditVerifyFlags): Promise<number> {
  const anchor = flags.head === undefined ? undefined : parseAnchor(flags.head);
  if (anchor !== undefined) {
    const problem = await signatureProblem(anchor, flags.hall);
    if (problem !== undefined) {
      process.stderr.write(`error: ${problem}\n`);
      return 2;
    }
  }
  const { path, entries } = await readAuditLog(flags);
  const verdict = verifyAuditChain(entries, anchor === undefined ? {} : { head: anchor.head });
  if (flags.json)
    process.stdout.write(`${JSON.stringify({ journal: path, ...verdict }, null, 2)}\n`);
  else process.stdout.write(formatVerdict(path, verdict, anchor));
  return verdict.ok ? 0 : 1;
}
