/**
 * The audit log from the command line: `audit verify` (exit 0 with the head, 1 naming the first
 * entry at fault, 2 for a bad file or anchor), `audit export --format jsonl` (one entry per line,
 * each re-verifiable) and `audit head` (the anchor, signed by an approver with `--sign`, which
 * `audit verify --head` takes). None of them creates or changes the journal.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type CampaignReport,
  type ChainedAuditEntry,
  type Journal,
  MemoryJournal,
  credentialsEnvName,
  generateApproverKey,
  hashAuditEntry,
  verifyAuditChain,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { auditLogOf } from '../../src/cli/commands/audit-log.js';
import { beijingHall } from '../helpers/beijing.js';
import { rehearseOne, runCli } from '../helpers/cli.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'rh-cli-audit-'));
const dir = scratch();
const journal = join(dir, 'journal.db');
const hallFile = join(dir, 'hall.json');
const keys = { 'li-si': generateApproverKey(), 'wang-wu': generateApproverKey() };
let campaignId = '';

const approval = (n: number): AuditEntry => ({
  at: `2026-11-26T02:0${n}:00.000Z`,
  actor: 'li-si',
  action: n % 2 === 0 ? 'approve' : 'override',
  campaignId: 'flood-2',
  detail: n % 2 === 0 ? { approver: 'li-si', digest: 'cd'.repeat(32) } : { reason: '数据已核' },
});

/** Appends entries to the journal, as another command would. */
async function append(file: string, entries: readonly AuditEntry[]): Promise<void> {
  const writer = new SqliteJournal(file);
  for (const entry of entries) await writer.audit(entry);
  await writer.close();
}

const anchorOf = (stdout: string): string => stdout.trim();

beforeAll(async () => {
  // A rehearsal on the sandbox journals its `publish`; two more entries of another campaign follow.
  const published = await rehearseOne(journal);
  expect(published.code, published.stderr).toBe(0);
  campaignId = (JSON.parse(published.stdout) as CampaignReport).campaignId;
  await append(journal, [approval(1), approval(2)]);

  const hall = (await beijingHall(['weibo'])) as Record<string, unknown>;
  hall.approvals = {
    approvers: [
      { id: 'li-si', name: '李四', publicKey: keys['li-si'].publicKey, key: 'approver-li-si' },
      { id: 'wang-wu', name: '王五', publicKey: keys['wang-wu'].publicKey },
    ],
  };
  writeFileSync(hallFile, JSON.stringify(hall));
  for (const [id, key] of Object.entries(keys))
    writeFileSync(join(dir, `${id}.pem`), key.privateKeyPem);
}, 60_000);

describe('audit verify', () => {
  it('passes the log of a real run, prints the count and the head, and writes nothing', async () => {
    const bytes = readFileSync(journal);
    const result = await runCli(['audit', 'verify', '--journal', journal]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^audit log of ${journal}: intact, 3 entries\nhead 3:[0-9a-f]{64}\n$`),
    );
    const json = await runCli(['audit', 'verify', '--journal', journal, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      journal,
      ok: true,
      count: 3,
      head: { seq: 3 },
    });
    expect(Buffer.compare(readFileSync(journal), bytes)).toBe(0);
  }, 30_000);

  it('exits 2 for a missing file, a file that is not a journal and a bad anchor, creating and changing nothing', async () => {
    const here = scratch();
    const missing = join(here, 'absent.db');
    const absent = await runCli(['audit', 'verify', '--journal', missing]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain(`no journal at ${missing}`);
    expect(readdirSync(here)).toEqual([]);

    const text = join(here, 'notes.txt');
    writeFileSync(text, 'minutes of the press meeting\n');
    const crm = join(here, 'crm.db');
    const db = new Database(crm);
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('press office')");
    db.close();
    const files = {
      [text]: 'not an SQLite database',
      [crm]: 'an SQLite database with other tables: contacts',
    };
    const bytes = { [text]: readFileSync(text), [crm]: readFileSync(crm) };
    for (const [command, file] of [
      ['verify', text],
      ['verify', crm],
      ['export', crm],
      ['head', text],
    ] as const) {
      const result = await runCli(['audit', command, '--journal', file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `${file} is not a release-hall journal (${files[file]}); it was left untouched`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    for (const file of [text, crm])
      expect(Buffer.compare(readFileSync(file), bytes[file]!)).toBe(0);

    const bad = await runCli(['audit', 'verify', '--journal', journal, '--head', '3:abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--head "3:abc" is not an anchor: expected SEQ:HASH');
  }, 60_000);
});

describe('audit export', () => {
  it('writes one JSON object per line, each with seq, prevHash and hash, that re-verifies', async () => {
    const result = await runCli(['audit', 'export', '--format', 'jsonl', '--journal', journal]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const entries = lines.map((line) => JSON.parse(line) as ChainedAuditEntry);
    expect(Object.keys(entries[0]!)).toEqual([
      'seq',
      'at',
      'actor',
      'action',
      'campaignId',
      'detail',
      'prevHash',
      'hash',
    ]);
    expect(entries.map(({ seq, action, campaignId: id }) => [seq, action, id])).toEqual([
      [1, 'publish', campaignId],
      [2, 'override', 'flood-2'],
      [3, 'approve', 'flood-2'],
    ]);
    for (const entry of entries) expect(hashAuditEntry(entry)).toBe(entry.hash);
    expect(verifyAuditChain(entries).ok).toBe(true);
  }, 30_000);

  it('--campaign keeps that campaign only; -o writes a file, never the journal', async () => {
    const out = join(scratch(), 'flood.jsonl');
    const result = await runCli([
      'audit',
      'export',
      '--format',
      'jsonl',
      '--journal',
      journal,
      '--campaign',
      'flood-2',
      '-o',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`2 entries of the audit log of ${journal} written to ${out}`);
    const entries = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ChainedAuditEntry);
    expect(entries.map((entry) => entry.seq)).toEqual([2, 3]);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);

    const bytes = readFileSync(journal);
    const onto = await runCli(['audit', 'export', '--journal', journal, '-o', journal]);
    expect(onto.code).toBe(2);
    expect(onto.stderr).toContain('is the journal itself');
    expect(Buffer.compare(readFileSync(journal), bytes)).toBe(0);

    const unknown = await runCli(['audit', 'export', '--format', 'csv', '--journal', journal]);
    expect(unknown.code).toBe(2);
  }, 30_000);
});

describe('audit head', () => {
  it('prints seq:hash, which verify --head takes, also once the log has grown', async () => {
    const file = join(scratch(), 'journal.db');
    await append(file, [approval(1), approval(2)]);
    const head = await runCli(['audit', 'head', '--journal', file]);
    expect(head.code).toBe(0);
    expect(head.stdout).toMatch(/^2:[0-9a-f]{64}\n$/);
    expect(head.stderr).toContain('head of the audit log');
    const anchor = anchorOf(head.stdout);

    await append(file, [approval(3)]);
    const grown = await runCli(['audit', 'verify', '--journal', file, '--head', anchor]);
    expect(grown.code).toBe(0);
    expect(grown.stdout).toContain('intact, 3 entries; it holds the anchored head 2');

    // The last two entries cut off: the anchor sees it.
    const db = new Database(file);
    db.exec('DELETE FROM audit WHERE seq >= 2');
    db.close();
    const cut = await runCli(['audit', 'verify', '--journal', file, '--head', anchor]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain('BROKEN at entry 2: truncated');

    const json = JSON.parse(
      (await runCli(['audit', 'head', '--journal', file, '--json'])).stdout,
    ) as unknown;
    expect(json).toMatchObject({ journal: file, count: 1, seq: 1 });
  }, 30_000);

  it('refuses to give the head of a broken log', async () => {
    const file = join(scratch(), 'journal.db');
    await append(file, [approval(1), approval(2), approval(3)]);
    const db = new Database(file);
    db.prepare("UPDATE audit SET entry = json_set(entry, '$.actor', 'nobody') WHERE seq = 2").run();
    db.close();
    const head = await runCli(['audit', 'head', '--journal', file]);
    expect(head.code).toBe(1);
    expect(head.stdout).toBe('');
    expect(head.stderr).toContain('is broken at entry 2 (altered)');
  }, 30_000);

  it('--sign: an approver signs the head with the key approve uses; verify checks it with --hall', async () => {
    const signed = await runCli([
      'audit',
      'head',
      '--journal',
      journal,
      '--sign',
      '--hall',
      hallFile,
      '--as',
      'wang-wu',
      '--key',
      join(dir, 'wang-wu.pem'),
    ]);
    expect(signed.stderr).toContain('signed by wang-wu');
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(/^3:[0-9a-f]{64}:wang-wu:[A-Za-z0-9+/]+=*\n$/);
    const anchor = anchorOf(signed.stdout);

    const checked = await runCli([
      'audit',
      'verify',
      '--journal',
      journal,
      '--head',
      anchor,
      '--hall',
      hallFile,
    ]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('it holds the anchored head 3');

    const unchecked = await runCli(['audit', 'verify', '--journal', journal, '--head', anchor]);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).toContain('its signature is not checked: give --hall');

    // Another head under the same signature does not pass.
    const [, hash = '', approver = '', signature = ''] = anchor.split(':');
    const moved = `2:${hash}:${approver}:${signature}`;
    const forged = await runCli([
      'audit',
      'verify',
      '--journal',
      journal,
      '--head',
      moved,
      '--hall',
      hallFile,
    ]);
    expect(forged.code).toBe(2);
    expect(forged.stderr).toContain("the signature of the anchor is not 王五's (wang-wu)");
  }, 60_000);

  it("--sign finds the key by the approver's reference, as approve does, and refuses another's key", async () => {
    const byReference = await runCli(
      ['audit', 'head', '--journal', journal, '--sign', '--hall', hallFile, '--as', 'li-si'],
      { [credentialsEnvName('approver-li-si', 'privateKey')]: keys['li-si'].privateKeyPem },
    );
    expect(byReference.stderr).toContain('signed by li-si');
    expect(byReference.code).toBe(0);
    expect(byReference.stdout).toMatch(/^3:[0-9a-f]{64}:li-si:/);

    const wrongKey = await runCli([
      'audit',
      'head',
      '--journal',
      journal,
      '--sign',
      '--hall',
      hallFile,
      '--as',
      'li-si',
      '--key',
      join(dir, 'wang-wu.pem'),
    ]);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('the private key given is not the key of 李四 (li-si)');
    expect(wrongKey.stdout).toBe('');

    const noHall = await runCli(['audit', 'head', '--journal', journal, '--sign', '--as', 'li-si']);
    expect(noHall.code).toBe(2);
    expect(noHall.stderr).toContain('--sign needs --hall <file> and --as <approver-id>');

    const stranger = await runCli([
      'audit',
      'head',
      '--journal',
      journal,
      '--sign',
      '--hall',
      hallFile,
      '--as',
      'zhang-san',
      '--key',
      join(dir, 'li-si.pem'),
    ]);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('"zhang-san" is not an approver of this hall');
  }, 60_000);

  it('never creates a journal', async () => {
    const here = scratch();
    const result = await runCli(['audit', 'head', '--journal', join(here, 'absent.db')]);
    expect(result.code).toBe(2);
    expect(existsSync(join(here, 'absent.db'))).toBe(false);
  }, 30_000);
});

describe('a journal that keeps no chained log', () => {
  it('is named as such: its audit trail cannot be verified, exported or anchored', async () => {
    // A journal of another maker: everything but auditLog.
    const other: Journal = new Proxy(new MemoryJournal(), {
      get: (target, key) =>
        key === 'auditLog' ? undefined : (Reflect.get(target, key) as unknown),
    });
    await expect(auditLogOf(other, 'redis://journal')).rejects.toThrow(
      'the journal at redis://journal keeps no hash-chained audit log (its store has no auditLog method)',
    );
  });
});
