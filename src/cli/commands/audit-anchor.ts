/**
 * Anchors of the audit log: its head (`seq:hash`) written down somewhere the journal's writers
 * cannot reach, so a log cut back or rewritten later is seen. An anchor may be signed by one of the
 * hall's approvers: `seq:hash:approver:signature`, the Ed25519 signature (base64) over the UTF-8
 * bytes of `release-hall audit head v1\n<seq>:<hash>`.
 */
import { type KeyObject, createPublicKey, sign, verify } from 'node:crypto';
import {
  type ApprovalsSettings,
  type AuditHead,
  type Approver,
  ReleaseHallError,
  hallApprovers,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { buildAdapters } from '../build-adapters.js';

/** An anchor as given on the command line, with its signature when signed. */
export interface AuditAnchor {
  readonly head: AuditHead;
  readonly signed?: { readonly approver: string; readonly signature: string };
}

/** The bytes an approver signs for a head: versioned, so they can never pass for an approval. */
export function anchorMessage(head: AuditHead): Buffer {
  return Buffer.from(`release-hall audit head v1\n${head.seq}:${head.hash}`, 'utf8');
}

/** `seq:hash`, or `seq:hash:approver:signature` when signed. */
export function formatAnchor(anchor: AuditAnchor): string {
  const plain = `${anchor.head.seq}:${anchor.head.hash}`;
  return anchor.signed === undefined
    ? plain
    : `${plain}:${anchor.signed.approver}:${anchor.signed.signature}`;
}

/**
 * Reads `seq:hash` or `seq:hash:approver:signature`, as `audit head` prints them.
 * @throws ReleaseHallError `INVALID_INPUT` for anything else.
 */
export function parseAnchor(text: string): AuditAnchor {
  const match =
    /^(\d{1,15}):([0-9a-f]{64})(?::([a-z0-9][a-z0-9-]{0,63}):([A-Za-z0-9+/]+=*))?$/.exec(
      text.trim(),
    );
  if (match === null) {
    throw new ReleaseHallError(
      `[release-hall] --head "${text}" is not an anchor: expected SEQ:HASH (a number, a colon and 64 lower-case hex digits), or SEQ:HASH:APPROVER:SIGNATURE, as "release-hall audit head" prints them`,
      { code: 'INVALID_INPUT', issues: [{ path: 'head', message: 'not SEQ:HASH' }] },
    );
  }
  const [, seq = '', hash = '', approver, signature] = match;
  const head = { seq: Number(seq), hash };
  return approver === undefined || signature === undefined
    ? { head }
    : { head, signed: { approver, signature } };
}

/**
 * The approvals block of a hall file and its approvers with their public keys.
 * @throws ReleaseHallError `INVALID_INPUT` when the file is not a hall or names no approvers.
 */
export async function readHallApprovers(
  hallFile: string,
): Promise<{ settings: ApprovalsSettings; approvers: readonly Approver[] }> {
  const hallData = await readDataFile(hallFile, 'hall');
  const settings = resolveHall(hallData, buildAdapters(hallData)).hall.approvals;
  if (settings === undefined) {
    throw new ReleaseHallError(
      `[release-hall] the hall file ${hallFile} names no approvers (approvals.approvers): no one to sign or check an anchor`,
      { code: 'INVALID_INPUT', issues: [{ path: 'approvals', message: 'no approvers' }] },
    );
  }
  return { settings, approvers: hallApprovers(settings) };
}

/** An approver of the hall by id. @throws ReleaseHallError `INVALID_INPUT` naming the approvers. */
export function approverById<T extends { readonly id: string }>(
  approvers: readonly T[],
  id: string,
): T {
  const approver = approvers.find((each) => each.id === id);
  if (approver === undefined) {
    throw new ReleaseHallError(
      `[release-hall] "${id}" is not an approver of this hall; approvers: ${approvers.map((each) => each.id).join(', ')}`,
      { code: 'INVALID_INPUT', issues: [{ path: 'as', message: 'not an approver' }] },
    );
  }
  return approver;
}

/**
 * Signs a head as `approver` with their private key, after checking the key is the one the hall
 * file names for them (a signature no one could check is refused now, not later).
 * @throws ReleaseHallError `INVALID_INPUT` when the key is another's.
 */
export function signAnchor(
  head: AuditHead,
  approver: Approver,
  privateKey: KeyObject,
): AuditAnchor {
  const derived = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const listed = approver.publicKey.export({ format: 'der', type: 'spki' });
  if (!derived.equals(listed)) {
    throw new ReleaseHallError(
      `[release-hall] the private key given is not the key of ${approver.name} (${approver.id}): it does not match their publicKey in the hall file`,
      { code: 'INVALID_INPUT', issues: [{ path: 'key', message: 'another key' }] },
    );
  }
  const signature = sign(null, anchorMessage(head), privateKey).toString('base64');
  return { head, signed: { approver: approver.id, signature } };
}

/** Whether a signed anchor's signature is the named approver's, over exactly this head. */
export function anchorSignatureHolds(anchor: AuditAnchor, approver: Approver): boolean {
  if (anchor.signed === undefined) return false;
  try {
    return verify(
      null,
      anchorMessage(anchor.head),
      approver.publicKey,
      Buffer.from(anchor.signed.signature, 'base64'),
    );
  } catch {
    return false;
  }
}
