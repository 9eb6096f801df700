/**
 * The SQLite journal's audit log as a hash chain: entries chained as they are stored, the file
 * tampered with directly (an entry edited, removed, forged, two swapped, the last one cut off) and
 * each found by `verifyAuditChain`, `check()` and `release-hall audit verify`; a journal of an
 * earlier version chained once when opened to write; two processes appending to one file keep one
 * chain.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH,
  type AuditEntry,
  type AuditHead,
  type ChainedAuditEntry,
  ReleaseHallError,
  chainAuditEntry,
  verifyAuditChain,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { chainAuditEntryAt } from '../../src/journal/audit-chain.js';
import { JOURNAL_APPLICATION_ID } from '../../src/journal/sqlite-open.js';
import { root, runCli } from '../helpers/cli.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'rh-audit-'));

const entry = (n: number, campaignId = n <= 3 ? 'subway-1' : 'flood-2'): AuditEntry => ({
  at: `2026-11-26T01:${String(30 + n).padStart(2, '0')}:00.000Z`,
  actor: n % 2 === 0 ? 'li-si' : 'duty',
  action: n === 2 ? 'approve' : n === 3 ? 'override' : 'publish',
  campaignId,
  ...(n === 2 ? { detail: { approver: 'li-si', digest: 'ab'.repeat(32) } } : {}),
  ...(n === 3 ? { detail: { reason: '口径已与市委宣传部核实' } } : {}),
  ...(n > 3 ? { detail: { deliveries: n, selection: { groups: ['districts'] } } } : {}),
});

/** A journal file with `count` audit entries, closed; its head. */
async function journalWith(count: number): Promise<{ file: string; head: AuditHead }> {
  const file = join(scratch(), 'journal.db');
  const journal = new SqliteJournal(file);
  for (let n = 1; n <= count; n += 1) await journal.audit(entry(n));
  const log = await journal.auditLog();
  await journal.close();
  const last = log.at(-1);
  return { file, head: { seq: last?.seq ?? 0, hash: last?.hash ?? AUDIT_GENESIS_HASH } };
}

/** Opens the file as anyone with write access could, runs `change`, closes it. */
function tamper(file: string, change: (db: Database.Database) => void): void {
  const db = new Database(file);
  try {
    change(db);
  } finally {
    db.close();
  }
}

/** The log as a read-only journal sees it. */
async function readLog(file: string): Promise<readonly ChainedAuditEntry[]> {
  const journal = new SqliteJournal(file, { readOnly: true });
  try {
    return await journal.auditLog();
  } finally {
    await journal.close();
  }
}

describe('SqliteJournal: the chained audit log', () => {
  it('numbers entries across campaigns, links each to the one before, and goes on after a reopen', async () => {
    const { file } = await journalWith(4);
    const reopened = new SqliteJournal(file);
    await reopened.audit(entry(5));
    const log = await reopened.auditLog();
    expect(log.map((each) => each.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log[0]?.prevHash).toBe(AUDIT_GENESIS_HASH);
    for (let index = 1; index < log.length; index += 1) {
      expect(log[index]?.prevHash).toBe(log[index - 1]?.hash);
    }
    expect(verifyAuditChain(log)).toMatchObject({ ok: true, count: 5, head: { seq: 5 } });
    const flood = await reopened.getAudit('flood-2');
    expect(flood.map((each) => each.seq)).toEqual([4, 5]);
    expect(flood[0]).toEqual(log[3]);
    expect(await reopened.check()).toEqual([]);
    await reopened.close();
    // The row holds the chained entry; the hash columns mirror it.
    const db = new Database(file, { readonly: true });
    const row = db.prepare('SELECT * FROM audit WHERE seq = 2').get() as Record<string, unknown>;
    db.close();
    expect(JSON.parse(row.entry as string)).toEqual(log[1]);
    expect(row).toMatchObject({ prev_hash: log[0]?.hash, hash: log[1]?.hash });
  });

  it('refuses to append to a journal open for reading only', async () => {
    const { file } = await journalWith(1);
    const journal = new SqliteJournal(file, { readOnly: true });
    await expect(journal.audit(entry(2))).rejects.toBeInstanceOf(ReleaseHallError);
    await journal.close();
  });

  it('a detail that is not JSON data is refused and leaves no entry', async () => {
    const { file } = await journalWith(1);
    const journal = new SqliteJournal(file);
    await expect(journal.audit({ ...entry(2), detail: { count: 1n } })).rejects.toBeInstanceOf(
      ReleaseHallError,
    );
    await journal.audit(entry(3));
    expect((await journal.auditLog()).map((each) => each.seq)).toEqual([1, 2]);
    expect(await journal.check()).toEqual([]);
    await journal.close();
  });
});

describe('the journal file tampered with directly', () => {
  const setSeq = (db: Database.Database, from: number, to: number): void => {
    db.prepare('UPDATE audit SET seq = ? WHERE seq = ?').run(to, from);
  };
  const cases: {
    name: string;
    change: (db: Database.Database, file: string) => void;
    kind: string;
    seq: number;
    campaign?: string;
    says: RegExp;
  }[] = [
    {
      name: "an entry's JSON edited",
      change: (db) =>
        db
          .prepare("UPDATE audit SET entry = json_set(entry, '$.detail.reason', ?) WHERE seq = 3")
          .run('未经核实'),
      kind: 'altered',
      seq: 3,
      campaign: 'subway-1',
      says: /entry 3 \(campaign subway-1\) was altered: its content hashes to/,
    },
    {
      name: 'a middle row deleted',
      change: (db) => db.exec('DELETE FROM audit WHERE seq = 3'),
      kind: 'deleted',
      seq: 3,
      says: /entry 3 is missing: after entry 2 comes entry 4 \(campaign flood-2\)/,
    },
    {
      name: 'a forged row inserted at the end, hashed but linked to nothing',
      change: (db) => {
        const forged = chainAuditEntryAt(6, 'f'.repeat(64), { ...entry(6), actor: 'intruder' });
        db.prepare(
          'INSERT INTO audit (seq, campaign_id, at, entry, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          6,
          forged.campaignId,
          forged.at,
          JSON.stringify(forged),
          forged.prevHash,
          forged.hash,
        );
      },
      kind: 'inserted',
      seq: 6,
      campaign: 'flood-2',
      says: /entry 6 \(campaign flood-2\) at position 6 does not follow entry 5/,
    },
    {
      name: 'a forged row slipped in the middle, chained to the entry before',
      change: (db) => {
        // Rows 3 to 5 moved one down, and a forgery linked to entry 2 put in row 3.
        for (const seq of [5, 4, 3]) setSeq(db, seq, seq + 1);
        const two = JSON.parse(
          (db.prepare('SELECT entry FROM audit WHERE seq = 2').get() as { entry: string }).entry,
        ) as ChainedAuditEntry;
        const forged = chainAuditEntry(two, { ...entry(3), actor: 'intruder' });
        db.prepare(
          'INSERT INTO audit (seq, campaign_id, at, entry, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          3,
          forged.campaignId,
          forged.at,
          JSON.stringify(forged),
          forged.prevHash,
          forged.hash,
        );
      },
      kind: 'inserted',
      seq: 3,
      campaign: 'subway-1',
      says: /the entry at position 4 claims the same place, and the log goes on from that one/,
    },
    {
      name: "two rows' contents swapped",
      change: (db) => {
        setSeq(db, 2, 100);
        setSeq(db, 3, 2);
        setSeq(db, 100, 3);
      },
      kind: 'reordered',
      seq: 3,
      campaign: 'subway-1',
      says: /entry 3 \(campaign subway-1\) comes before entry 2, found later at position 3/,
    },
  ];

  it.each(cases)(
    '$name: verifyAuditChain, check() and audit verify name entry $seq ($kind)',
    async ({ change, kind, seq, campaign, says }) => {
      const { file } = await journalWith(5);
      tamper(file, (db) => change(db, file));
      const verdict = verifyAuditChain(await readLog(file));
      expect(verdict.ok).toBe(false);
      if (verdict.ok) return;
      expect(verdict.problem).toMatchObject({ kind, seq });
      expect(verdict.problem.campaignId).toBe(campaign);
      expect(verdict.problem.message).toMatch(says);

      const journal = new SqliteJournal(file, { readOnly: true });
      const problems = await journal.check();
      await journal.close();
      expect(problems).toContainEqual(expect.stringMatching(`^audit log: ${kind}: `));

      const bytes = readFileSync(file);
      const cli = await runCli(['audit', 'verify', '--journal', file]);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(
        `BROKEN at entry ${seq}${campaign === undefined ? '' : `, campaign ${campaign}`}: ${kind}`,
      );
      expect(cli.stdout).toMatch(says);
      expect(Buffer.compare(readFileSync(file), bytes)).toBe(0);
    },
    30_000,
  );

  it('the last row deleted: unseen without an anchor, truncated with one; the next entry shows the gap', async () => {
    const { file, head } = await journalWith(5);
    tamper(file, (db) => db.exec('DELETE FROM audit WHERE seq = 5'));
    const log = await readLog(file);
    expect(verifyAuditChain(log).ok).toBe(true);
    const anchored = verifyAuditChain(log, { head });
    expect(anchored).toMatchObject({ ok: false, problem: { kind: 'truncated', seq: 5 } });

    const cli = await runCli([
      'audit',
      'verify',
      '--journal',
      file,
      '--head',
      `${head.seq}:${head.hash}`,
    ]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('BROKEN at entry 5: truncated');
    expect(cli.stdout).toMatch(/the log ends at entry 4, before the anchored head 5:/);

    // The number of the removed entry is never given again: the next entry leaves a gap.
    const journal = new SqliteJournal(file);
    await journal.audit(entry(6));
    const after = verifyAuditChain(await journal.auditLog());
    expect(after).toMatchObject({ ok: false, problem: { kind: 'deleted', seq: 5 } });
    await journal.close();
  }, 30_000);

  it('a hash column changed under its entry is reported by check()', async () => {
    const { file } = await journalWith(3);
    tamper(file, (db) => db.prepare('UPDATE audit SET hash = ? WHERE seq = 2').run('e'.repeat(64)));
    const journal = new SqliteJournal(file, { readOnly: true });
    expect(await journal.check()).toEqual([
      'audit log: 1 row whose seq, prev_hash or hash column differs from the entry held (the first: row 2)',
    ]);
    await journal.close();
  });

  it('a row that is not JSON any more is an altered entry', async () => {
    const { file } = await journalWith(3);
    tamper(file, (db) => db.exec("UPDATE audit SET entry = 'garbled' WHERE seq = 2"));
    expect(verifyAuditChain(await readLog(file))).toMatchObject({
      ok: false,
      problem: { kind: 'altered', seq: 2, campaignId: 'subway-1' },
    });
    // The next entry still links to the last one.
    const journal = new SqliteJournal(file);
    await journal.audit(entry(4));
    const log = await journal.auditLog();
    expect(log.at(-1)?.prevHash).toBe(log.at(-2)?.hash);
    await journal.close();
  });
});

/** The tables of a journal as release-hall wrote them before the audit log was chained. */
const EARLIER_SCHEMA = `
CREATE TABLE campaigns (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns(id), seq INTEGER NOT NULL,
  lease TEXT, state TEXT NOT NULL, record TEXT NOT NULL
);
CREATE INDEX deliveries_by_campaign ON deliveries(campaign_id, seq);
CREATE TABLE transitions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id TEXT NOT NULL REFERENCES deliveries(id),
  state TEXT NOT NULL, at TEXT NOT NULL, change TEXT NOT NULL
);
CREATE INDEX transitions_by_delivery ON transitions(delivery_id, seq);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, campaign_id TEXT NOT NULL, at TEXT NOT NULL, entry TEXT NOT NULL
);
CREATE INDEX audit_by_campaign ON audit(campaign_id, seq);
`;

/** A journal file of an earlier version holding `entries` in its audit table. */
function earlierJournal(entries: readonly AuditEntry[]): string {
  const file = join(scratch(), 'journal.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`application_id = ${JOURNAL_APPLICATION_ID}`);
  db.exec(EARLIER_SCHEMA);
  const insert = db.prepare('INSERT INTO audit (campaign_id, at, entry) VALUES (?, ?, ?)');
  for (const each of entries) insert.run(each.campaignId, each.at, JSON.stringify(each));
  db.close();
  return file;
}

describe('a journal of an earlier version', () => {
  const earlier = [entry(1), entry(2), entry(4)];

  it('read-only: nothing is written; the log cannot be verified yet, the campaign audit still reads', async () => {
    const file = earlierJournal(earlier);
    const bytes = readFileSync(file);
    const journal = new SqliteJournal(file, { readOnly: true });
    const refused = await journal.auditLog().catch((error: unknown) => error);
    expect(ReleaseHallError.isInstance(refused) && refused.code).toBe('INVALID_INPUT');
    expect((refused as Error).message).toMatch(
      /is not hash-chained yet: the journal was written by an earlier release-hall/,
    );
    const audit = await journal.getAudit('subway-1');
    expect(audit.map(({ seq, actor, action }) => ({ seq, actor, action }))).toEqual([
      { seq: 1, actor: 'duty', action: 'publish' },
      { seq: 2, actor: 'li-si', action: 'approve' },
    ]);
    expect(await journal.check()).toEqual([
      expect.stringMatching(/^audit log: not hash-chained yet/),
    ]);
    await journal.close();
    expect(Buffer.compare(readFileSync(file), bytes)).toBe(0);

    const cli = await runCli(['audit', 'verify', '--journal', file]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('is not hash-chained yet');
    expect(Buffer.compare(readFileSync(file), bytes)).toBe(0);
  }, 30_000);

  it('opened to write: the entries there are chained once, in order, as read-only reading showed them', async () => {
    const file = earlierJournal(earlier);
    const before = new SqliteJournal(file, { readOnly: true });
    const foreseen = [
      ...(await before.getAudit('subway-1')),
      ...(await before.getAudit('flood-2')),
    ];
    await before.close();

    const journal = new SqliteJournal(file);
    const log = await journal.auditLog();
    expect(log).toEqual(foreseen);
    expect(log.map(({ seq, action, campaignId }) => ({ seq, action, campaignId }))).toEqual([
      { seq: 1, action: 'publish', campaignId: 'subway-1' },
      { seq: 2, action: 'approve', campaignId: 'subway-1' },
      { seq: 3, action: 'publish', campaignId: 'flood-2' },
    ]);
    expect(log[1]?.detail).toEqual(entry(2).detail);
    expect(verifyAuditChain(log)).toMatchObject({ ok: true, count: 3 });
    await journal.audit(entry(5));
    await journal.close();

    // A second open finds it done: nothing is chained again.
    const again = new SqliteJournal(file);
    const after = await again.auditLog();
    expect(after.slice(0, 3)).toEqual(log);
    expect(after[3]).toMatchObject({ seq: 4, prevHash: log[2]?.hash });
    expect(await again.check()).toEqual([]);
    await again.close();
  });

  it('a row that holds no entry does not stop the upgrade, and is reported', async () => {
    const file = earlierJournal(earlier);
    tamper(file, (db) => db.exec("UPDATE audit SET entry = 'null' WHERE seq = 2"));
    const journal = new SqliteJournal(file);
    expect(verifyAuditChain(await journal.auditLog())).toMatchObject({
      ok: false,
      problem: { kind: 'altered', seq: 2, campaignId: 'subway-1' },
    });
    await journal.close();
  });

  it('an entry an earlier version appends after the upgrade is one that does not belong', async () => {
    const file = earlierJournal(earlier);
    await new SqliteJournal(file).close();
    tamper(file, (db) =>
      db
        .prepare('INSERT INTO audit (campaign_id, at, entry) VALUES (?, ?, ?)')
        .run('flood-2', entry(5).at, JSON.stringify(entry(5))),
    );
    expect(verifyAuditChain(await readLog(file))).toMatchObject({
      ok: false,
      problem: { kind: 'inserted', seq: 4 },
    });
  });
});

/**
 * A process that opens the journal, says "ready", then for each line it reads appends `burst`
 * entries and says "ok"; at the end of its input it closes the journal.
 */
function appender(file: string, writer: string, burst: number): ChildProcessWithoutNullStreams {
  const script = `
    import { createInterface } from 'node:readline';
    import { SqliteJournal } from 'release-hall/journal/sqlite';
    const journal = new SqliteJournal(process.env.RH_FILE);
    process.stdout.write('ready\\n');
    let n = 0;
    for await (const _line of createInterface({ input: process.stdin })) {
      for (let each = 0; each < Number(process.env.RH_BURST); each += 1) {
        n += 1;
        await journal.audit({ at: new Date().toISOString(), actor: process.env.RH_WRITER, action: 'publish', campaignId: process.env.RH_WRITER, detail: { n } });
      }
      process.stdout.write('ok\\n');
    }
    await journal.close();
  `;
  return spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: root,
      env: { ...process.env, RH_FILE: file, RH_WRITER: writer, RH_BURST: String(burst) },
    },
  );
}

/** Counts the lines a process prints; `next(word, count)` resolves once `word` was said `count` times. */
function listen(
  child: ChildProcessWithoutNullStreams,
): (word: string, count: number) => Promise<void> {
  let out = '';
  let err = '';
  const waiting: {
    word: string;
    count: number;
    resolve: () => void;
    reject: (error: Error) => void;
  }[] = [];
  const times = (word: string): number => out.split('\n').filter((line) => line === word).length;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const wait of [...waiting]) {
      if (times(wait.word) >= wait.count) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve();
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  child.on('exit', (code) => {
    for (const wait of waiting.splice(0)) wait.reject(new Error(`exited ${code}: ${err}`));
  });
  return (word, count) =>
    times(word) >= count
      ? Promise.resolve()
      : new Promise((resolve, reject) => waiting.push({ word, count, resolve, reject }));
}

describe('two writers', () => {
  it('two processes appending to one file at once keep one chain', async () => {
    const { file } = await journalWith(1);
    const rounds = 30;
    const burst = 5;
    const writers = ['east', 'west'].map((name) => appender(file, name, burst));
    const said = writers.map(listen);
    await Promise.all(said.map((next) => next('ready', 1)));
    // Each round, both are told at once to append a burst: they race for the file every time.
    for (let round = 1; round <= rounds; round += 1) {
      for (const child of writers) child.stdin.write('go\n');
      await Promise.all(said.map((next) => next('ok', round)));
    }
    const exited = writers.map(
      (child) => new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    );
    for (const child of writers) child.stdin.end();
    expect(await Promise.all(exited)).toEqual([0, 0]);

    const count = rounds * burst;
    const log = await readLog(file);
    expect(verifyAuditChain(log)).toMatchObject({ ok: true, count: 1 + 2 * count });
    expect(log.map((each) => each.seq)).toEqual(log.map((_each, index) => index + 1));
    for (const name of ['east', 'west']) {
      const mine = log.filter((each) => each.actor === name).map((each) => each.detail?.n);
      expect(mine).toEqual(Array.from({ length: count }, (_each, index) => index + 1));
    }
    // Their entries interleave: each appended while the other was appending.
    const switches = log.slice(1).filter((each, index) => each.actor !== log[index]!.actor).length;
    expect(switches).toBeGreaterThan(rounds);
  }, 60_000);

  it('two journals of one file in one process alternate into one chain', async () => {
    const { file } = await journalWith(0);
    const first = new SqliteJournal(file);
    const second = new SqliteJournal(file);
    await Promise.all(
      Array.from({ length: 20 }, (_each, index) =>
        (index % 2 === 0 ? first : second).audit(entry(index + 1)),
      ),
    );
    expect(verifyAuditChain(await first.auditLog())).toMatchObject({ ok: true, count: 20 });
    await first.close();
    await second.close();
  });
});
