/**
 * Response clocks from the terminal: `status` shows, per account, the minutes from the event to
 * its first live post; `status --late` lists only the accounts past the deadline, exit 1.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beijingHall, statementPath } from '../helpers/beijing.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-clocks-'));
const journal = join(dir, 'journal.db');
const hallFile = join(dir, 'hall.json');

/** The demo rebuttal as a crisis statement whose event happened `minutesAgo` minutes ago. */
function statementFrom(minutesAgo: number, name: string): string {
  const eventAt = new Date(Date.now() - minutesAgo * 60_000).toISOString().replace('Z', '+00:00');
  const text = readFileSync(statementPath, 'utf8')
    .replace('urgency: urgent', 'urgency: crisis')
    .replace(/^issuedAt: .*$/m, `issuedAt: '${eventAt}'\neventAt: '${eventAt}'`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  copyFileSync(join(statementPath, '..', 'cover.jpg'), join(dir, 'cover.jpg'));
  return file;
}

/** Publishes `statement` to the sandbox hall as campaign `campaignId`, into the test's journal. */
const publishOnSandbox = (statement: string, campaignId: string) =>
  runCli([
    'publish',
    statement,
    '--hall',
    hallFile,
    '--sandbox',
    '--journal',
    journal,
    '--campaign-id',
    campaignId,
    '--json',
  ]);

describe('response clocks', () => {
  it('status --late lists the accounts past a crisis deadline (5 h), exit 1; on time, exit 0', async () => {
    writeFileSync(hallFile, JSON.stringify(await beijingHall(['weibo'])));
    const late = statementFrom(6 * 60, 'late');
    const published = await publishOnSandbox(late, 'late-1');
    expect(published.code, published.stderr).toBe(0);
    const overdue = await runCli(['status', 'late-1', '--journal', journal, '--late']);
    expect(overdue.code).toBe(1);
    expect(overdue.stdout).toMatch(/deadline 5 h, .*; 72 accounts late or missing/);
    expect(overdue.stdout.match(/^ {2}late {5}\S+ +live after 3\d\d min$/gm)).toHaveLength(72);

    const onTime = statementFrom(10, 'on-time');
    const again = await publishOnSandbox(onTime, 'on-time-1');
    expect(again.code, again.stderr).toBe(0);
    const none = await runCli(['status', 'on-time-1', '--journal', journal, '--late']);
    expect(none.code).toBe(0);
    expect(none.stdout.trim().split('\n')).toHaveLength(1);
    const full = await runCli(['status', 'on-time-1', '--journal', journal]);
    expect(full.stdout.match(/^ {2}on-time {2}\S+ +live after 1\d min$/gm)).toHaveLength(72);
  }, 120_000);

  it('status --late of a statement without eventAt or detectedAt says so, exit 2', async () => {
    const published = await publishOnSandbox(statementPath, 'plain-1');
    expect(published.code, published.stderr).toBe(0);
    const result = await runCli(['status', 'plain-1', '--journal', journal, '--late']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/gives neither eventAt nor detectedAt/);
  }, 60_000);
});
