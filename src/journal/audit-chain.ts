/**
 * The audit log as a hash chain: each entry carries its number (`seq`), the hash of the entry
 * before it (`prevHash`) and its own hash, the SHA-256 of its canonical JSON. Changing, removing,
 * adding or moving an entry breaks a link that {@link verifyAuditChain} finds. Pure functions: the
 * journals call them to chain an entry as they store it, and anyone can call them to check a log.
 *
 * What is hashed (docs/audit.md gives the recipe for re-verifying without this package):
 * `canonicalJson({ seq, at, actor, action, campaignId, detail, prevHash })` in UTF-8, where the
 * canonical JSON sorts object keys, leaves out absent values and has no whitespace.
 */
import { createHash } from 'node:crypto';
import { invalidInput } from '../errors.js';
import { canonicalJson } from '../gate/approvals.js';
import type { AuditEntry } from './journal.js';

/** The `prevHash` of the first entry: 64 zeros. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** An audit entry as the journal keeps it: numbered and linked to the one before. */
export interface ChainedAuditEntry extends AuditEntry {
  /** 1, 2, 3… across the whole journal (not per campaign). */
  readonly seq: number;
  /** The `hash` of entry `seq - 1`; {@link AUDIT_GENESIS_HASH} for entry 1. */
  readonly prevHash: string;
  /** SHA-256 (hex) of the entry's canonical JSON, `hash` itself left out (see {@link hashAuditEntry}). */
  readonly hash: string;
}

/** The last entry of a log, by number and hash: what an anchor holds. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * What {@link verifyAuditChain} can find wrong, named after the first entry found at fault:
 * - `altered`: its content no longer matches its hash (or it was replaced by another);
 * - `inserted`: it does not belong: a second entry with the same number, or a link that starts a
 *   chain of its own;
 * - `deleted`: entries are missing: the numbers jump, or the link points to an entry not there;
 * - `reordered`: the entries are all there but out of order;
 * - `truncated`: the log ends before the anchored head, or disagrees with it.
 */
export type AuditProblemKind = 'altered' | 'inserted' | 'deleted' | 'reordered' | 'truncated';

/** The first fault of a log. */
export interface AuditProblem {
  /** The number of the entry at fault (for `deleted` and `truncated`: the first one missing). */
  readonly seq: number;
  readonly kind: AuditProblemKind;
  /** In plain words: which entry, what was expected and what was found. */
  readonly message: string;
  /** The campaign of the entry at fault, when there is such an entry. */
  readonly campaignId?: string;
}

/**
 * The verdict of {@link verifyAuditChain}. `count` is the number of entries given; `head` is the
 * last entry (`{ seq: 0, hash: AUDIT_GENESIS_HASH }` for an empty log), ready to be anchored.
 */
export type AuditChainVerdict =
  | { readonly ok: true; readonly count: number; readonly head: AuditHead }
  | { readonly ok: false; readonly count: number; readonly problem: AuditProblem };

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditChainOptions {
  /**
   * A head recorded earlier, somewhere the journal's writers cannot reach (`audit head`): the log
   * must still hold this entry with this hash. Without it, cutting entries off the end, or
   * rewriting the whole log with every hash recomputed, cannot be seen.
   */
  readonly head?: AuditHead;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The fields an entry's hash covers, in a plain object. */
function hashedFields(entry: Omit<ChainedAuditEntry, 'hash'>): Record<string, unknown> {
  return {
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    campaignId: entry.campaignId,
    detail: entry.detail,
    prevHash: entry.prevHash,
  };
}

/**
 * The hash of an audit entry: SHA-256, in lower-case hex, of the UTF-8 bytes of
 * `canonicalJson({ seq, at, actor, action, campaignId, detail, prevHash })` (see
 * {@link canonicalJson}: keys sorted, no whitespace, `detail` left out when absent). Any other
 * field of `entry`, `hash` included, is ignored.
 */
export function hashAuditEntry(entry: Omit<ChainedAuditEntry, 'hash'>): string {
  return createHash('sha256')
    .update(canonicalJson(hashedFields(entry)), 'utf8')
    .digest('hex');
}

/** The detail as it reads back from JSON (a `Date` as its string, `undefined` left out). */
function storedDetail(detail: AuditEntry['detail']): Readonly<Record<string, unknown>> | undefined {
  if (detail === undefined) return undefined;
  const text = JSON.stringify(detail) as string | undefined;
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * The entry numbered `seq` after the entry whose hash is `prevHash`. The journals use it when the
 * number is not simply the last one plus one (an earlier entry was removed).
 */
export function chainAuditEntryAt(
  seq: number,
  prevHash: string,
  entry: AuditEntry,
): ChainedAuditEntry {
  const detail = storedDetail(entry.detail);
  const unhashed = {
    seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    campaignId: entry.campaignId,
    ...(detail === undefined ? {} : { detail }),
    prevHash,
  };
  return { ...unhashed, hash: hashAuditEntry(unhashed) };
}

/**
 * Chains `entry` after `prev` (the last entry of the log, or `undefined` for the first): numbered
 * `prev.seq + 1`, linked to `prev.hash`, hashed with {@link hashAuditEntry}. Only the fields of an
 * {@link AuditEntry} are kept, and `detail` as it reads back from JSON, so the entry hashes the same
 * once stored.
 */
export function chainAuditEntry(prev: AuditHead | undefined, entry: AuditEntry): ChainedAuditEntry {
  return chainAuditEntryAt((prev?.seq ?? 0) + 1, prev?.hash ?? AUDIT_GENESIS_HASH, entry);
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** "entry 5 (campaign c1)". */
function named(entry: ChainedAuditEntry): string {
  return typeof entry.campaignId === 'string'
    ? `entry ${entry.seq} (campaign ${entry.campaignId})`
    : `entry ${entry.seq}`;
}

/** "entry 5", "entries 5–7". */
function range(from: number, to: number): string {
  return from === to ? `entry ${from}` : `entries ${from}–${to}`;
}

/** What is wrong with the fields an entry needs to be part of a chain, if anything. */
function malformation(entry: ChainedAuditEntry): string | undefined {
  const { seq, prevHash, hash } = entry as unknown as Record<string, unknown>;
  const wrong: string[] = [];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq))
    wrong.push('seq is not a whole number');
  if (typeof prevHash !== 'string' || !HEX64.test(prevHash))
    wrong.push('prevHash is not 64 hex digits');
  if (typeof hash !== 'string' || !HEX64.test(hash)) wrong.push('hash is not 64 hex digits');
  return wrong.length === 0 ? undefined : wrong.join(', ');
}

/** The positions of the entries, by a key. */
function positionsBy(
  entries: readonly ChainedAuditEntry[],
  key: (entry: ChainedAuditEntry) => unknown,
): Map<unknown, number[]> {
  const positions = new Map<unknown, number[]>();
  entries.forEach((entry, index) => {
    const value = key(entry);
    const list = positions.get(value);
    if (list === undefined) positions.set(value, [index]);
    else list.push(index);
  });
  return positions;
}

/**
 * Checks a log, entries in the order stored, and names the first entry at fault.
 *
 * Walking from the first entry, each must be well formed, match its own hash, carry the next
 * number and link to the hash of the entry before. The first one that does not is classified:
 * - its hash does not match its content: `altered`;
 * - its number was already used, or it links to the genesis hash in mid-log, or, while its number
 *   is the next one, it links to another entry than the one before (a branch) or to a hash no
 *   entry has: `inserted` — unless, in that last case, the log goes on from it: then the entry
 *   before it was swapped for another, `altered` (that entry);
 * - its number jumps ahead and a skipped number comes later: `reordered`; no skipped number comes
 *   later: `deleted` (the first missing number);
 * - two entries carry the same number and the log goes on from the second only (or the anchor is
 *   the second): the first is `inserted`.
 *
 * After the walk, an anchored `head` must be in the log with its hash, else `truncated`.
 * These are heuristics: a log can be tampered with in ways that look like another kind (a deleted
 * entry whose followers were renumbered looks inserted); what is certain is that the log is not as
 * written.
 */
export function verifyAuditChain(
  entries: readonly ChainedAuditEntry[],
  options: VerifyAuditChainOptions = {},
): AuditChainVerdict {
  const { head: anchor } = options;
  if (
    anchor !== undefined &&
    !(Number.isSafeInteger(anchor.seq) && anchor.seq >= 0 && HEX64.test(anchor.hash))
  ) {
    throw invalidInput('audit head', [
      {
        path: 'head',
        message: `expected a whole number of 0 or more and 64 lower-case hex digits, got ${String(anchor.seq)}:${String(anchor.hash)}`,
      },
    ]);
  }
  const count = entries.length;
  const fail = (
    kind: AuditProblemKind,
    seq: number,
    message: string,
    at?: ChainedAuditEntry,
  ): AuditChainVerdict => ({
    ok: false,
    count,
    problem: {
      seq,
      kind,
      message,
      ...(at !== undefined && typeof at.campaignId === 'string'
        ? { campaignId: at.campaignId }
        : {}),
    },
  });
  const bySeq = positionsBy(entries, (entry) => entry.seq);
  const byHash = positionsBy(entries, (entry) => entry.hash);
  const byPrevHash = positionsBy(entries, (entry) => entry.prevHash);
  /** Whether the log goes on from the entry at `index`: a later entry links to it, or it is the anchor. */
  const continues = (index: number): boolean => {
    const entry = entries[index]!;
    if (anchor !== undefined && anchor.seq === entry.seq && anchor.hash === entry.hash) return true;
    return (byPrevHash.get(entry.hash) ?? []).some((other) => other > index);
  };

  const accepted: ChainedAuditEntry[] = [];
  let prev: AuditHead = { seq: 0, hash: AUDIT_GENESIS_HASH };
  for (const [index, entry] of entries.entries()) {
    const position = `position ${index + 1}`;
    const expected = prev.seq + 1;
    const record = entry as unknown as Record<string, unknown>;
    if (record.hash === undefined && record.prevHash === undefined) {
      const seq = Number.isSafeInteger(entry.seq) ? entry.seq : expected;
      return fail(
        'inserted',
        seq,
        `entry ${seq} (${position}) carries no hash: it was not written through the chain`,
        entry,
      );
    }
    const malformed = malformation(entry);
    if (malformed !== undefined) {
      const seq = Number.isSafeInteger(entry.seq) ? entry.seq : expected;
      return fail('altered', seq, `entry ${seq} (${position}) is malformed: ${malformed}`, entry);
    }
    const computed = hashAuditEntry(entry);
    if (computed !== entry.hash) {
      return fail(
        'altered',
        entry.seq,
        `${named(entry)} was altered: its content hashes to ${short(computed)}, but its hash is ${short(entry.hash)}`,
        entry,
      );
    }
    if (entry.seq <= prev.seq) {
      const earlier = accepted[entry.seq - 1];
      const what =
        entry.seq < 1
          ? `is numbered ${entry.seq}, before the first entry (1)`
          : earlier !== undefined && earlier.hash === entry.hash
            ? `is a second copy of entry ${entry.seq}`
            : `is a second entry numbered ${entry.seq}`;
      const where = prev.seq === 0 ? 'at the start of the log' : `after entry ${prev.seq}`;
      return fail('inserted', entry.seq, `${named(entry)} at ${position} ${what}, ${where}`, entry);
    }
    if (entry.prevHash === AUDIT_GENESIS_HASH && entry.seq !== 1 && prev.seq >= 1) {
      return fail(
        'inserted',
        entry.seq,
        `${named(entry)} starts a chain of its own: it links to the genesis hash, not to entry ${prev.seq}`,
        entry,
      );
    }
    if (entry.seq > expected) {
      const later = entries
        .slice(index + 1)
        .findIndex(
          (other) =>
            Number.isSafeInteger(other.seq) && other.seq > prev.seq && other.seq < entry.seq,
        );
      if (later !== -1) {
        const found = entries[index + 1 + later]!;
        return fail(
          'reordered',
          entry.seq,
          `${named(entry)} comes before entry ${found.seq}, found later at position ${index + 2 + later}: the entries are out of order`,
          entry,
        );
      }
      const start = prev.seq === 0 ? 'the log starts at' : `after entry ${prev.seq} comes`;
      const target = byHash.get(entry.prevHash)?.[0];
      const link =
        entry.prevHash === prev.hash
          ? ''
          : target === undefined
            ? `, whose prevHash ${short(entry.prevHash)} is the hash of no entry in the log`
            : `, whose prevHash is the hash of entry ${entries[target]!.seq} (position ${target + 1})`;
      return fail(
        'deleted',
        expected,
        `${range(expected, entry.seq - 1)} ${expected === entry.seq - 1 ? 'is' : 'are'} missing: ${start} ${named(entry)}${link}`,
      );
    }
    if (entry.prevHash !== prev.hash) {
      const previous = accepted.at(-1);
      const target = byHash.get(entry.prevHash)?.[0];
      // Linked to a hash no entry has, and the log goes on from it: the entry before was swapped.
      if (previous !== undefined && target === undefined && continues(index)) {
        return fail(
          'altered',
          previous.seq,
          `${named(previous)} was replaced: its hash is ${short(previous.hash)}, but ${named(entry)}, which follows it, was chained to ${short(entry.prevHash)}`,
          previous,
        );
      }
      const what =
        target === undefined
          ? `its prevHash ${short(entry.prevHash)} is the hash of no entry in the log`
          : `it links to entry ${entries[target]!.seq} (position ${target + 1}), not to entry ${prev.seq}`;
      return fail(
        'inserted',
        entry.seq,
        `${named(entry)} at ${position} does not follow ${prev.seq === 0 ? 'the start of the log' : `entry ${prev.seq}`}: ${what}`,
        entry,
      );
    }
    // Linked as it should be; is there a rival with its number further on, which the log goes on from?
    if (!continues(index)) {
      const rival = (bySeq.get(entry.seq) ?? []).find((other) => other > index && continues(other));
      if (rival !== undefined) {
        return fail(
          'inserted',
          entry.seq,
          `${named(entry)} at ${position} does not belong: the entry at position ${rival + 1} claims the same place, and the log goes on from that one`,
          entry,
        );
      }
    }
    accepted.push(entry);
    prev = { seq: entry.seq, hash: entry.hash };
  }

  if (anchor !== undefined) {
    if (anchor.seq > prev.seq) {
      const ends = prev.seq === 0 ? 'the log is empty' : `the log ends at entry ${prev.seq}`;
      return fail(
        'truncated',
        prev.seq + 1,
        `${ends}, before the anchored head ${anchor.seq}:${short(anchor.hash)}: ${range(prev.seq + 1, anchor.seq)} ${prev.seq + 1 === anchor.seq ? 'is' : 'are'} missing from the end`,
      );
    }
    const held = anchor.seq === 0 ? AUDIT_GENESIS_HASH : accepted[anchor.seq - 1]?.hash;
    if (held !== anchor.hash) {
      const entry = accepted[anchor.seq - 1];
      return fail(
        'truncated',
        anchor.seq,
        `entry ${anchor.seq} has the hash ${short(held ?? AUDIT_GENESIS_HASH)}, not the anchored ${short(anchor.hash)}: the log was cut back to entry ${anchor.seq} or before and written again`,
        entry,
      );
    }
  }
  return { ok: true, count, head: prev };
}
