/**
 * Approvals bound to the content (先审后发, review before release): an approver signs, with an
 * Ed25519 key, the SHA-256 of exactly what is about to be sent — the statement as checked, the
 * bytes of its pictures, the mode, the push policy and every (account, action) of the plan. A
 * changed comma, picture, member list or push policy gives another digest, and every approval made
 * before it no longer counts.
 *
 * Approvals travel as a small JSON file next to the statement (`<statement>.approval`), so they can
 * go through email or a CMS; publishing verifies them against the hall's approvers and policy.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type InputIssue, ReleaseHallError, invalidInput } from '../errors.js';
import type { Statement } from '../model/statement.js';

/** The version of the signed message and of the approval file. */
const VERSION = 1;

/** One (account, action) of the plan, as approved. */
export interface ApprovedDelivery {
  readonly accountId: string;
  readonly action: string;
}

/** Exactly what is about to be sent: what an approval is bound to. */
export interface ApprovalSubject {
  /** The statement as checked (parsed and normalised). */
  readonly statement: Statement;
  readonly mode: 'relay' | 'original';
  /** The push policy as given (`undefined`: the default, publish only). */
  readonly push?: unknown;
  /** Every delivery of the plan. */
  readonly deliveries: readonly ApprovedDelivery[];
}

/** A value as canonical JSON: object keys sorted, `undefined` left out, no spaces. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * The SHA-256 (hex) of an approval subject. Pictures count by their bytes, not their path: the same
 * picture moved keeps the approval, another picture under the same name voids it.
 * @throws ReleaseHallError `INVALID_INPUT` when a picture cannot be read.
 */
export async function approvalDigest(subject: ApprovalSubject): Promise<string> {
  const images: { name: string; sha256: string }[] = [];
  const issues: InputIssue[] = [];
  for (const [index, path] of subject.statement.images.entries()) {
    try {
      images.push({ name: basename(path), sha256: sha256(await readFile(path)) });
    } catch (error) {
      issues.push({
        path: `images[${index}]`,
        message: `cannot read ${path} (${error instanceof Error ? error.message : String(error)}): an approval covers the picture's bytes`,
      });
    }
  }
  if (issues.length > 0) throw invalidInput('statement for approval', issues);
  const deliveries = [...subject.deliveries]
    .map(({ accountId, action }) => ({ accountId, action }))
    .sort((a, b) =>
      a.accountId === b.accountId
        ? a.action.localeCompare(b.action)
        : a.accountId < b.accountId
          ? -1
          : 1,
    );
  return sha256(
    canonicalJson({
      v: VERSION,
      statement: { ...subject.statement, images },
      mode: subject.mode,
      push: subject.push ?? null,
      deliveries,
    }),
  );
}

/** One approver's signature over a digest. */
export interface Approval {
  readonly v: 1;
  /** The approver's id in the hall file. */
  readonly approver: string;
  /** The SHA-256 (hex) of what was approved. */
  readonly digest: string;
  /** ISO time of the signature. */
  readonly signedAt: string;
  /** Ed25519 signature, base64. */
  readonly signature: string;
}

/** The message an approver signs: versioned, so a signature made for something else never counts. */
function signedMessage(approval: Pick<Approval, 'approver' | 'digest' | 'signedAt'>): Buffer {
  return Buffer.from(
    `release-hall approval v${VERSION}\n${approval.digest}\n${approval.approver}\n${approval.signedAt}`,
    'utf8',
  );
}

/** Reads an Ed25519 private key: PEM (`BEGIN PRIVATE KEY`) or base64 of its PKCS #8 DER. */
export function readPrivateKey(text: string, subject: string): KeyObject {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----')
      ? createPrivateKey(trimmed)
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (error) {
    throw new ReleaseHallError(
      `[release-hall] ${subject} is not an Ed25519 private key (${error instanceof Error ? error.message : String(error)}): make one with "release-hall keygen"`,
      { code: 'INVALID_INPUT' },
    );
  }
}

/** Reads an Ed25519 public key: PEM (`BEGIN PUBLIC KEY`) or base64 of its SPKI DER. */
export function readPublicKey(text: string, subject: string): KeyObject {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (error) {
    throw new ReleaseHallError(
      `[release-hall] ${subject} is not an Ed25519 public key (${error instanceof Error ? error.message : String(error)}): copy the line "release-hall keygen" printed`,
      { code: 'INVALID_INPUT' },
    );
  }
}

/** A new approver key pair: the private key as PEM, the public key as base64 SPKI (for the hall file). */
export function generateApproverKey(): { privateKeyPem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** Signs `digest` as `approver` with `privateKey`. */
export function approveStatement(input: {
  readonly digest: string;
  readonly approver: string;
  readonly privateKey: KeyObject;
  readonly now?: Date;
}): Approval {
  const unsigned = {
    approver: input.approver,
    digest: input.digest,
    signedAt: (input.now ?? new Date()).toISOString(),
  };
  const signature = sign(null, signedMessage(unsigned), input.privateKey).toString('base64');
  return { v: VERSION, ...unsigned, signature };
}

/** An approver of the hall, with the key that verifies their signatures. */
export interface Approver {
  readonly id: string;
  readonly name: string;
  readonly publicKey: KeyObject;
}

/** What {@link verifyApprovals} found. */
export interface ApprovalVerdict {
  /** Enough valid approvals from distinct approvers, none by the author. */
  readonly ok: boolean;
  readonly required: number;
  /** Ids of the approvers whose approval counts. */
  readonly valid: readonly string[];
  /** Why each other approval does not count, and what is missing. */
  readonly issues: readonly InputIssue[];
}

/**
 * Checks approvals against the digest of what is about to be sent: each must be signed by a known
 * approver with a valid signature over exactly this digest; each approver counts once; the author
 * never approves their own statement. `required` valid approvals make it `ok`.
 */
export function verifyApprovals(input: {
  readonly digest: string;
  readonly approvals: readonly Approval[];
  readonly approvers: readonly Approver[];
  readonly required: number;
  /** Who publishes: their own approval does not count. */
  readonly author?: string | undefined;
}): ApprovalVerdict {
  const known = new Map(input.approvers.map((approver) => [approver.id, approver]));
  const valid: string[] = [];
  const issues: InputIssue[] = [];
  input.approvals.forEach((approval, index) => {
    const path = `approvals[${index}]`;
    const approver = known.get(approval.approver);
    if (approver === undefined) {
      issues.push({
        path,
        message: `"${approval.approver}" is not an approver of this hall (approvals.approvers in the hall file)`,
      });
      return;
    }
    let signed = false;
    try {
      signed = verify(
        null,
        signedMessage(approval),
        approver.publicKey,
        Buffer.from(approval.signature, 'base64'),
      );
    } catch {
      signed = false;
    }
    if (!signed) {
      issues.push({
        path,
        message: `the signature of ${approver.name} (${approver.id}) is not valid: the approval was altered or made with another key; ask for a new approval`,
      });
      return;
    }
    if (approval.digest !== input.digest) {
      issues.push({
        path,
        message: `${approver.name} (${approver.id}) approved something else: the statement, its pictures, the accounts, the mode or the push policy changed since; ask for a new approval`,
      });
      return;
    }
    if (input.author !== undefined && approval.approver === input.author) {
      issues.push({
        path,
        message: `${approver.name} (${approver.id}) is the author: no one approves their own statement`,
      });
      return;
    }
    if (valid.includes(approver.id)) return;
    valid.push(approver.id);
  });
  const ok = valid.length >= input.required;
  if (!ok) {
    issues.push({
      path: 'approvals',
      message: `${input.required} approval${input.required === 1 ? '' : 's'} from distinct approvers needed, ${valid.length} valid${valid.length > 0 ? ` (${valid.join(', ')})` : ''}: run "release-hall approve" as ${input.required - valid.length === 1 ? 'another approver' : `${input.required - valid.length} more approvers`}`,
    });
  }
  return { ok, required: input.required, valid, issues };
}

/** The approvals file that travels with a statement. */
export interface ApprovalFile {
  readonly v: 1;
  readonly approvals: readonly Approval[];
}

/** The approvals file of a statement file: `<statement>.approval`. */
export function approvalFileOf(statementPath: string): string {
  return `${statementPath}.approval`;
}

/**
 * Reads an approvals file; an absent file is no approval.
 * @throws ReleaseHallError `INVALID_INPUT` for a file that is not an approvals file.
 */
export async function readApprovalFile(path: string): Promise<readonly Approval[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const refuse = (why: string): ReleaseHallError =>
    new ReleaseHallError(
      `[release-hall] ${path} is not an approvals file (${why}): it is written by "release-hall approve"`,
      { code: 'INVALID_INPUT' },
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw refuse('not JSON');
  }
  const file = data as Partial<ApprovalFile>;
  if (file.v !== VERSION || !Array.isArray(file.approvals))
    throw refuse(`expected {"v":1,"approvals":[…]}`);
  for (const approval of file.approvals as unknown[]) {
    const entry = approval as Partial<Approval>;
    if (
      entry.v !== VERSION ||
      typeof entry.approver !== 'string' ||
      typeof entry.digest !== 'string' ||
      typeof entry.signedAt !== 'string' ||
      typeof entry.signature !== 'string'
    ) {
      throw refuse('an approval without approver, digest, signedAt or signature');
    }
  }
  return file.approvals as Approval[];
}

/** The approvals file with `approval` added, replacing the same approver's earlier one. */
export function withApproval(approvals: readonly Approval[], approval: Approval): ApprovalFile {
  return {
    v: VERSION,
    approvals: [...approvals.filter((each) => each.approver !== approval.approver), approval],
  };
}
