/**
 * The journal from the command line: `list` and `status` read it without a hall file and never
 * write it; a file that is not a release-hall journal is refused untouched, before anything starts.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { CampaignReport, CampaignSummary } from 'release-hall';
import { beijingCredentialsFile, hallPath, statementPath } from '../helpers/beijing.js';
import { rehearseOne, runCli } from '../helpers/cli.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'rh-journal-'));

/** A text file and another application's SQLite database, with their bytes. */
function foreignFiles(dir: string): { path: string; bytes: Buffer; what: string }[] {
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'minutes of the press meeting\n');
  const other = join(dir, 'crm.db');
  const db = new Database(other);
  db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('press office')");
  db.close();
  return [
    { path: text, bytes: readFileSync(text), what: 'not an SQLite database' },
    {
      path: other,
      bytes: readFileSync(other),
      what: 'an SQLite database with other tables: contacts',
    },
  ];
}

describe('list and status from the journal', () => {
  it('list shows the campaign with its counts; status needs no hall, adds up, and writes nothing', async () => {
    const dir = scratch();
    const journal = join(dir, 'journal.db');
    const published = await runCli([
      'publish',
      statementPath,
      '--hall',
      hallPath,
      '--sandbox',
      '--journal',
      journal,
      '--group',
      'districts',
      '--platform',
      'weibo',
      '--mode',
      'original',
      '--json',
      '--no-progress',
    ]);
    expect(published.code).toBe(0);
    const report = JSON.parse(published.stdout) as CampaignReport;
    expect(report.counts.succeeded).toBe(16);
    const bytes = readFileSync(journal);
    const files = readdirSync(dir).sort();

    const listed = await runCli(['list', '--journal', journal]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${report.campaignId}  hall beijing  finished`);
    expect(listed.stdout).toContain(
      '16/16 succeeded, 0 failed, 0 unconfirmed, 0 skipped, 0 pending',
    );
    const listedJson = JSON.parse(
      (await runCli(['list', '--journal', journal, '--json'])).stdout,
    ) as CampaignSummary[];
    expect(listedJson.map((summary) => summary.campaign.id)).toEqual([report.campaignId]);

    const status = await runCli(['status', report.campaignId, '--journal', journal]);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `Campaign ${report.campaignId} of hall beijing (original, on the sandbox), finished`,
    );
    expect(status.stdout).toContain(
      '16 succeeded, 0 failed, 0 unconfirmed, 0 skipped, 0 pending: 16 in all',
    );

    const withHall = await runCli([
      'status',
      report.campaignId,
      '--journal',
      journal,
      '--hall',
      hallPath,
      '--json',
    ]);
    expect(withHall.code).toBe(0);
    const counts = (JSON.parse(withHall.stdout) as { counts: Record<string, number> }).counts;
    expect(
      counts.succeeded! + counts.failed! + counts.unconfirmed! + counts.skipped! + counts.pending!,
    ).toBe(counts.total);

    expect(Buffer.compare(readFileSync(journal), bytes)).toBe(0);
    expect(readdirSync(dir).filter((name) => name === 'journal.db').length).toBe(1);
    expect(files).toContain('journal.db');
  });

  it('a sandbox rehearsal is never resumed, retracted or followed up on the real platforms', async () => {
    const dir = scratch();
    const journal = join(dir, 'journal.db');
    const published = await rehearseOne(journal);
    const { campaignId } = JSON.parse(published.stdout) as CampaignReport;
    const listed = await runCli(['list', '--journal', journal]);
    expect(listed.stdout).toContain(`${campaignId}  hall beijing  finished (sandbox)`);
    const status = await runCli(['status', campaignId, '--journal', journal]);
    expect(status.stdout).toContain('(relay, on the sandbox), finished');
    for (const args of [
      ['resume', campaignId],
      ['retract', campaignId],
      ['follow-up', campaignId, statementPath],
      ['pause', campaignId, '--reason', 'check'],
    ]) {
      const result = await runCli([...args, '--hall', hallPath, '--journal', journal]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `campaign "${campaignId}" was a rehearsal on the built-in sandbox: its posts are on no platform`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('status of an unknown campaign names it and exits 2', async () => {
    const dir = scratch();
    const journal = join(dir, 'journal.db');
    await rehearseOne(journal);
    const result = await runCli(['status', 'no-such-campaign', '--journal', journal]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no campaign "no-such-campaign" in the journal');
  });

  it('list, status and preview never create a journal file', async () => {
    const dir = scratch();
    const journal = join(dir, 'absent.db');
    const list = await runCli(['list', '--journal', journal]);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain(`no journal at ${journal}`);
    const status = await runCli(['status', 'x', '--journal', journal]);
    expect(status.code).toBe(2);
    const credentials = await beijingCredentialsFile(scratch());
    const preview = await runCli([
      'preview',
      statementPath,
      '--hall',
      hallPath,
      '--journal',
      journal,
      '--json',
      '--credentials',
      credentials,
    ]);
    expect(preview.stderr).toBe('');
    expect(preview.code).toBe(0);
    expect(existsSync(journal)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['list', (journal: string) => ['list', '--journal', journal]],
    ['status', (journal: string) => ['status', 'c', '--journal', journal]],
    [
      'preview',
      (journal: string) => ['preview', statementPath, '--hall', hallPath, '--journal', journal],
    ],
    [
      'publish --dry-run',
      (journal: string) => [
        'publish',
        statementPath,
        '--hall',
        hallPath,
        '--dry-run',
        '--journal',
        journal,
      ],
    ],
    [
      'publish --sandbox',
      (journal: string) => [
        'publish',
        statementPath,
        '--hall',
        hallPath,
        '--sandbox',
        '--journal',
        journal,
        '--no-progress',
      ],
    ],
    ['resume', (journal: string) => ['resume', 'c', '--hall', hallPath, '--journal', journal]],
  ])('%s refuses a file that is not a journal, untouched, with exit 2', async (_name, args) => {
    for (const file of foreignFiles(scratch())) {
      const result = await runCli(args(file.path));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `${file.path} is not a release-hall journal (${file.what}); it was left untouched`,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(Buffer.compare(readFileSync(file.path), file.bytes)).toBe(0);
    }
  });
});
