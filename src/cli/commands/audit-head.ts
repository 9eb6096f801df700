/**
 * `release-hall audit head`: the head of the journal's audit log, `seq:hash`, to write down
 * somewhere the journal's writers cannot reach (an anchor). With `--sign`, one of the hall's
 * approvers signs it with the key `approve` uses: `seq:hash:approver:signature`. Either form is
 * what `audit verify --head` takes. The log is verified first: a broken one has no head worth
 * anchoring (exit 1).
 */
import { readPrivateKey, verifyAuditChain } from 'release-hall';
import {
  type AuditAnchor,
  approverById,
  formatAnchor,
  readHallApprovers,
  signAnchor,
} from './audit-anchor.js';
import { readAuditLog } from './audit-log.js';
import { privateKeyText } from './approve.js';

/** Flags of `audit head`. */
export interface AuditHeadFlags {
  journal?: string;
  json?: boolean;
  sign?: boolean;
  hall?: string;
  as?: string;
  key?: string;
  credentials?: string;
}

/** The anchor signed by the approver `--as`, with the key `approve` would use. */
async function signed(
  anchor: AuditAnchor,
  flags: AuditHeadFlags & { hall: string; as: string },
): Promise<AuditAnchor> {
  const { settings, approvers } = await readHallApprovers(flags.hall);
  const approver = approverById(approvers, flags.as);
  const reference = settings.approvers.find((each) => each.id === approver.id)?.key;
  const privateKey = readPrivateKey(
    await privateKeyText(flags, reference),
    `the private key of approver "${approver.id}"`,
  );
  return signAnchor(anchor.head, approver, privateKey);
}

export async function auditHeadCommand(flags: AuditHeadFlags): Promise<number> {
  if (flags.sign === true && (flags.hall === undefined || flags.as === undefined)) {
    process.stderr.write('error: --sign needs --hall <file> and --as <approver-id>\n');
    return 2;
  }
  const { path, entries } = await readAuditLog(flags);
  const verdict = verifyAuditChain(entries);
  if (!verdict.ok) {
    const { problem } = verdict;
    process.stderr.write(
      `error: the audit log of ${path} is broken at entry ${problem.seq} (${problem.kind}): ${problem.message}\nIts head is not worth anchoring${flags.sign === true ? ', and was not signed' : ''}; see "release-hall audit verify"\n`,
    );
    return 1;
  }
  let anchor: AuditAnchor = { head: verdict.head };
  if (flags.sign === true && flags.hall !== undefined && flags.as !== undefined) {
    anchor = await signed(anchor, { ...flags, hall: flags.hall, as: flags.as });
  }
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ journal: path, count: verdict.count, ...anchor.head, ...(anchor.signed === undefined ? {} : { signedBy: anchor.signed.approver, signature: anchor.signed.signature }), anchor: formatAnchor(anchor) }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${formatAnchor(anchor)}\n`);
    process.stderr.write(
      `head of the audit log of ${path} (${verdict.count} ${verdict.count === 1 ? 'entry' : 'entries'})${anchor.signed === undefined ? '' : `, signed by ${anchor.signed.approver}`}: keep it where the journal's writers cannot change it; "release-hall audit verify --head <it>" checks the log still holds it\n`,
    );
  }
  return 0;
}
