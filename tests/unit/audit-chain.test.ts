/**
 * The audit log's hash chain, as pure functions: the hash recipe pinned to its bytes, and a table
 * of logs edited, cut, padded and shuffled, each naming the first entry at fault and its kind.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH,
  type AuditEntry,
  type AuditHead,
  type AuditProblemKind,
  type ChainedAuditEntry,
  ReleaseHallError,
  canonicalJson,
  chainAuditEntry,
  hashAuditEntry,
  verifyAuditChain,
} from 'release-hall';
import { chainAuditEntryAt } from '../../src/journal/audit-chain.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const ACTIONS: AuditEntry['action'][] = ['publish', 'approve', 'override', 'pause', 'unpause'];

/** The n-th entry: two campaigns, nested details. */
function entry(n: number): AuditEntry {
  const action = ACTIONS[(n - 1) % ACTIONS.length]!;
  return {
    at: `2026-11-26T01:${String(30 + n).padStart(2, '0')}:00.000Z`,
    actor: n % 2 === 0 ? 'li-si' : 'duty',
    action,
    campaignId: n <= 3 ? 'subway-1' : 'flood-2',
    ...(n % 3 === 0
      ? {}
      : { detail: { n, nested: { members: ['haidian', 'chaoyang'], ok: true } } }),
  };
}

/** A chained log of `length` entries. */
function chain(length: number): ChainedAuditEntry[] {
  const log: ChainedAuditEntry[] = [];
  for (let n = 1; n <= length; n += 1) log.push(chainAuditEntry(log.at(-1), entry(n)));
  return log;
}

const base = chain(6);
const at = (seq: number): ChainedAuditEntry => base[seq - 1]!;
const headOf = (seq: number): AuditHead => ({ seq, hash: at(seq).hash });
const foreignHash = sha256('not an entry of this log');

/** `seq`'s entry with its content changed and its hash kept. */
const edited = (seq: number, change: Record<string, unknown>): ChainedAuditEntry => ({
  ...at(seq),
  ...change,
});

describe('the hash of an entry', () => {
  it('is the SHA-256 of the canonical JSON of its fields, byte for byte', () => {
    const first = chainAuditEntry(undefined, {
      at: '2026-11-26T01:30:00.000Z',
      actor: 'li-si',
      action: 'approve',
      campaignId: 'subway-1',
      detail: { digest: 'ab12', approver: 'li-si', extra: { z: [1, 'é"\n'], a: null } },
    });
    const expected =
      '{"action":"approve","actor":"li-si","at":"2026-11-26T01:30:00.000Z","campaignId":"subway-1",' +
      '"detail":{"approver":"li-si","digest":"ab12","extra":{"a":null,"z":[1,"é\\"\\n"]}},' +
      `"prevHash":"${'0'.repeat(64)}","seq":1}`;
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(AUDIT_GENESIS_HASH);
    expect(first.hash).toBe(sha256(expected));
    const { hash: _hash, ...fields } = first;
    expect(canonicalJson(fields)).toBe(expected);
  });

  it('leaves out an absent detail, and nothing else is hashed', () => {
    const bare = chainAuditEntry(undefined, {
      at: 't',
      actor: 'duty',
      action: 'retract',
      campaignId: 'c',
    });
    expect(bare.hash).toBe(
      sha256(
        `{"action":"retract","actor":"duty","at":"t","campaignId":"c","prevHash":"${AUDIT_GENESIS_HASH}","seq":1}`,
      ),
    );
    expect('detail' in bare).toBe(false);
    const padded = { ...bare, note: 'not hashed', hash: 'ignored' } as unknown as ChainedAuditEntry;
    expect(hashAuditEntry(padded)).toBe(bare.hash);
  });

  it('does not depend on the order of keys, at any depth', () => {
    const one = chainAuditEntry(undefined, {
      at: 't',
      actor: 'a',
      action: 'publish',
      campaignId: 'c',
      detail: { b: { y: 1, x: [{ q: 1, p: 2 }] }, a: '甲' },
    });
    const other = chainAuditEntry(undefined, {
      campaignId: 'c',
      detail: { a: '甲', b: { x: [{ p: 2, q: 1 }], y: 1 } },
      action: 'publish',
      actor: 'a',
      at: 't',
    });
    expect(other.hash).toBe(one.hash);
  });

  it('is the same once the entry went through JSON (dates, undefined values)', () => {
    const chained = chainAuditEntry(undefined, {
      at: 't',
      actor: 'a',
      action: 'override',
      campaignId: 'c',
      detail: { reason: '口径已核', when: new Date('2026-11-26T01:30:00Z'), gone: undefined },
    });
    expect(chained.detail).toEqual({ reason: '口径已核', when: '2026-11-26T01:30:00.000Z' });
    const reread = JSON.parse(JSON.stringify(chained)) as ChainedAuditEntry;
    expect(hashAuditEntry(reread)).toBe(chained.hash);
    expect(verifyAuditChain([reread]).ok).toBe(true);
  });

  it('keeps only the fields of an audit entry', () => {
    const chained = chainAuditEntry({ seq: 4, hash: foreignHash }, {
      ...entry(1),
      secret: 'x',
    } as AuditEntry);
    expect(Object.keys(chained).sort()).toEqual(
      ['action', 'actor', 'at', 'campaignId', 'detail', 'hash', 'prevHash', 'seq'].sort(),
    );
    expect(chained).toMatchObject({ seq: 5, prevHash: foreignHash });
  });
});

describe('verifyAuditChain', () => {
  it('passes an intact log and gives its head to anchor', () => {
    expect(verifyAuditChain(base)).toEqual({ ok: true, count: 6, head: headOf(6) });
    expect(verifyAuditChain([])).toEqual({
      ok: true,
      count: 0,
      head: { seq: 0, hash: AUDIT_GENESIS_HASH },
    });
    // An anchor taken earlier still holds once the log has grown.
    expect(verifyAuditChain(base, { head: headOf(4) }).ok).toBe(true);
    expect(verifyAuditChain(base, { head: headOf(6) }).ok).toBe(true);
    expect(verifyAuditChain([], { head: { seq: 0, hash: AUDIT_GENESIS_HASH } }).ok).toBe(true);
  });

  const forged = (seq: number, prevHash: string, n = 9): ChainedAuditEntry =>
    chainAuditEntryAt(seq, prevHash, { ...entry(n), actor: 'intruder' });
  const [one, two, three, four, five, six] = base as [
    ChainedAuditEntry,
    ChainedAuditEntry,
    ChainedAuditEntry,
    ChainedAuditEntry,
    ChainedAuditEntry,
    ChainedAuditEntry,
  ];
  const rewritten = (() => {
    const log: ChainedAuditEntry[] = [];
    for (let n = 1; n <= 6; n += 1) {
      log.push(
        chainAuditEntry(log.at(-1), n === 2 ? { ...entry(2), actor: 'someone else' } : entry(n)),
      );
    }
    return log;
  })();

  const cases: [
    string,
    readonly ChainedAuditEntry[],
    AuditHead | undefined,
    AuditProblemKind,
    number,
    RegExp,
  ][] = [
    // altered
    [
      'a detail changed',
      [one, two, edited(3, { detail: { n: 30 } }), four],
      undefined,
      'altered',
      3,
      /entry 3 \(campaign subway-1\) was altered: its content hashes to [0-9a-f]{12}…, but its hash is/,
    ],
    [
      'a nested detail changed',
      [one, edited(2, { detail: { n: 2, nested: { members: ['haidian'], ok: true } } }), three],
      undefined,
      'altered',
      2,
      /entry 2 .* was altered/,
    ],
    [
      'the actor of the first entry changed',
      [edited(1, { actor: 'someone' }), two],
      undefined,
      'altered',
      1,
      /entry 1 .* was altered/,
    ],
    [
      'the time changed',
      [one, two, three, edited(4, { at: '2026-11-25T00:00:00.000Z' })],
      undefined,
      'altered',
      4,
      /entry 4 \(campaign flood-2\) was altered/,
    ],
    [
      'the number changed',
      [one, edited(2, { seq: 3 }), four],
      undefined,
      'altered',
      3,
      /entry 3 .* was altered/,
    ],
    [
      'the hash replaced by another',
      [one, edited(2, { hash: foreignHash }), three],
      undefined,
      'altered',
      2,
      /entry 2 .* was altered/,
    ],
    [
      'a hash that is not hex',
      [one, edited(2, { hash: 'abc' })],
      undefined,
      'altered',
      2,
      /entry 2 \(position 2\) is malformed: hash is not 64 hex digits/,
    ],
    [
      'an entry replaced by a chained forgery, the log going on',
      [one, two, forged(3, two.hash), four, five],
      undefined,
      'altered',
      3,
      /entry 3 \(campaign flood-2\) was replaced: its hash is [0-9a-f]{12}…, but entry 4 \(campaign flood-2\), which follows it, was chained to/,
    ],
    // deleted
    [
      'a middle entry removed',
      [one, two, four, five, six],
      undefined,
      'deleted',
      3,
      /^entry 3 is missing: after entry 2 comes entry 4 \(campaign flood-2\), whose prevHash [0-9a-f]{12}… is the hash of no entry in the log$/,
    ],
    [
      'two middle entries removed',
      [one, two, five, six],
      undefined,
      'deleted',
      3,
      /^entries 3–4 are missing: after entry 2 comes entry 5/,
    ],
    [
      'the first entry removed',
      [two, three],
      undefined,
      'deleted',
      1,
      /^entry 1 is missing: the log starts at entry 2/,
    ],
    [
      'the last entry removed, then one appended',
      [one, two, three, four, five, chainAuditEntryAt(7, five.hash, entry(7))],
      undefined,
      'deleted',
      6,
      /^entry 6 is missing: after entry 5 comes entry 7 \(campaign flood-2\)$/,
    ],
    // inserted
    [
      'a copy of an entry',
      [one, two, three, three, four],
      undefined,
      'inserted',
      3,
      /entry 3 \(campaign subway-1\) at position 4 is a second copy of entry 3, after entry 3/,
    ],
    [
      'a chained forgery beside the real entry',
      [one, two, forged(3, two.hash), three, four, five],
      undefined,
      'inserted',
      3,
      /entry 3 \(campaign flood-2\) at position 3 does not belong: the entry at position 4 claims the same place, and the log goes on from that one/,
    ],
    [
      'a second entry with a taken number',
      [one, two, three, forged(2, one.hash), four],
      undefined,
      'inserted',
      2,
      /entry 2 .* at position 4 is a second entry numbered 2, after entry 3/,
    ],
    [
      'a forgery linked to nothing, in the middle',
      [one, two, forged(3, foreignHash), three, four],
      undefined,
      'inserted',
      3,
      /entry 3 .* at position 3 does not follow entry 2: its prevHash [0-9a-f]{12}… is the hash of no entry in the log/,
    ],
    [
      'a forgery linked to nothing, at the end',
      [...base, forged(7, foreignHash)],
      undefined,
      'inserted',
      7,
      /entry 7 .* at position 7 does not follow entry 6/,
    ],
    [
      'a forgery linked to an earlier entry',
      [...base, forged(7, three.hash)],
      undefined,
      'inserted',
      7,
      /entry 7 .* does not follow entry 6: it links to entry 3 \(position 3\), not to entry 6/,
    ],
    [
      'a forged branch from an earlier entry, going on',
      [one, two, three, forged(4, two.hash), chainAuditEntry(forged(4, two.hash), entry(8))],
      undefined,
      'inserted',
      4,
      /entry 4 .* at position 4 does not follow entry 3: it links to entry 2 \(position 2\), not to entry 3/,
    ],
    [
      'a longer forged branch beside the last entry: the anchor tells which is real',
      [one, two, three, forged(3, two.hash), chainAuditEntry(forged(3, two.hash), entry(8))],
      headOf(3),
      'inserted',
      3,
      /entry 3 .* at position 4 is a second entry numbered 3, after entry 3/,
    ],
    [
      'a second chain started mid-log',
      [...base, forged(7, AUDIT_GENESIS_HASH)],
      undefined,
      'inserted',
      7,
      /entry 7 .* starts a chain of its own: it links to the genesis hash, not to entry 6/,
    ],
    [
      'an entry written without the chain',
      [one, two, { ...entry(3), seq: 3 } as ChainedAuditEntry],
      undefined,
      'inserted',
      3,
      /entry 3 \(position 3\) carries no hash: it was not written through the chain/,
    ],
    [
      'an entry numbered 0 before the first',
      [forged(0, AUDIT_GENESIS_HASH), one, two],
      undefined,
      'inserted',
      0,
      /entry 0 .* is numbered 0, before the first entry \(1\), at the start of the log/,
    ],
    // reordered
    [
      'two neighbours swapped',
      [one, three, two, four, five, six],
      undefined,
      'reordered',
      3,
      /entry 3 \(campaign subway-1\) comes before entry 2, found later at position 3: the entries are out of order/,
    ],
    [
      'an entry moved back',
      [one, two, five, three, four, six],
      undefined,
      'reordered',
      5,
      /entry 5 .* comes before entry 3, found later at position 4/,
    ],
    [
      'the first two swapped',
      [two, one, three],
      undefined,
      'reordered',
      2,
      /entry 2 .* comes before entry 1, found later at position 2/,
    ],
    [
      'the last moved to the front',
      [six, one, two, three, four, five],
      undefined,
      'reordered',
      6,
      /entry 6 .* comes before entry 1/,
    ],
    // truncated
    [
      'the last entry cut off',
      [one, two, three, four, five],
      headOf(6),
      'truncated',
      6,
      /^the log ends at entry 5, before the anchored head 6:[0-9a-f]{12}…: entry 6 is missing from the end$/,
    ],
    [
      'three entries cut off',
      [one, two, three],
      headOf(6),
      'truncated',
      4,
      /^the log ends at entry 3, .*: entries 4–6 are missing from the end$/,
    ],
    [
      'every entry gone',
      [],
      headOf(2),
      'truncated',
      1,
      /^the log is empty, before the anchored head 2:/,
    ],
    [
      'rewritten with every hash recomputed',
      rewritten,
      headOf(6),
      'truncated',
      6,
      /^entry 6 has the hash [0-9a-f]{12}…, not the anchored [0-9a-f]{12}…: the log was cut back to entry 6 or before and written again$/,
    ],
    [
      'cut back and appended to',
      [
        one,
        two,
        three,
        four,
        chainAuditEntry(four, entry(8)),
        chainAuditEntry(chainAuditEntry(four, entry(8)), entry(9)),
      ],
      headOf(5),
      'truncated',
      5,
      /entry 5 has the hash .*, not the anchored/,
    ],
  ];

  it.each(cases)('%s', (_name, entries, head, kind, seq, message) => {
    const verdict = verifyAuditChain(entries, head === undefined ? {} : { head });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.count).toBe(entries.length);
    expect(verdict.problem).toMatchObject({ kind, seq });
    expect(verdict.problem.message).toMatch(message);
    expect(verdict.problem.message).toContain(String(seq));
  });

  it('names the campaign of the entry at fault, when there is one', () => {
    const altered = verifyAuditChain([one, two, three, edited(4, { actor: 'x' })]);
    expect(altered.ok === false && altered.problem.campaignId).toBe('flood-2');
    const deleted = verifyAuditChain([one, three]);
    expect(deleted.ok === false && deleted.problem.campaignId).toBeUndefined();
  });

  it('cannot see a rewrite with every hash recomputed, or a cut, without an anchor', () => {
    expect(verifyAuditChain(rewritten).ok).toBe(true);
    expect(verifyAuditChain([one, two, three]).ok).toBe(true);
  });

  it('refuses an anchor that is not a number and a hash', () => {
    for (const head of [
      { seq: -1, hash: at(1).hash },
      { seq: 1.5, hash: at(1).hash },
      { seq: 1, hash: 'ABC' },
    ]) {
      expect(() => verifyAuditChain(base, { head })).toThrow(ReleaseHallError);
    }
  });
});
