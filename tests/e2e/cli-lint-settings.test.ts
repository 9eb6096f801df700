/**
 * A hall's lint settings from the terminal: `release-hall lint --hall` and `publish` see the same
 * findings. A phrase the hall adds as an error fails `lint` and stops `publish` (exit 2, nothing
 * sent); with the rule switched off the same statement is published; settings the hall file cannot
 * have are refused with their path.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CampaignReport, LintResult } from 'release-hall';
import { beijingCredentialsFile, beijingHall, statementPath } from '../helpers/beijing.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-lint-settings-'));
const statement = join(dir, 'rebuttal.yaml');
const AGENCY = { phrase: '有关部门', suggestion: '写明具体部门名称', severity: 'error' };
/** Two members' Weibo accounts: enough to see the gate, quick to publish. */
const members = ['--member', 'beijing-fabu,haidian'];

/** Writes the Beijing hall (Weibo accounts) with these lint settings; returns its path. */
async function hallWith(name: string, lint: unknown): Promise<string> {
  const hall = (await beijingHall(['weibo'])) as Record<string, unknown>;
  if (lint !== undefined) hall.lint = lint;
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(hall));
  return file;
}

const lint = (hall: string) => runCli(['lint', statement, '--hall', hall]);
const publish = (hall: string) =>
  runCli(['publish', statement, '--hall', hall, '--sandbox', '--json', ...members]);

beforeAll(() => {
  // The demo rebuttal, saying 有关部门 where it names the commission.
  const text = readFileSync(statementPath, 'utf8');
  const changed = text.replace('市交通委将通过官方渠道', '有关部门将通过官方渠道');
  expect(changed).not.toBe(text);
  writeFileSync(statement, changed);
  copyFileSync(join(statementPath, '..', 'cover.jpg'), join(dir, 'cover.jpg'));
});

describe('hall lint settings from the terminal', () => {
  it('without settings, the statement passes lint: the phrase is not on the built-in list', async () => {
    const result = await lint(await hallWith('plain.json', undefined));
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('0 errors, 0 warnings');
    expect(result.code).toBe(0);
  }, 60_000);

  it('a phrase the hall adds as an error fails lint --hall and stops publish', async () => {
    const hall = await hallWith('phrase.json', { discouragedPhrases: [AGENCY] });

    const linted = await lint(hall);
    expect(linted.code).toBe(1);
    expect(linted.stdout).toContain(
      `error   body: "有关部门" in body: "有关部门" is on the hall's list of discouraged phrases (fix: 写明具体部门名称) [discouraged-phrase]`,
    );
    expect(linted.stdout).toContain('1 errors, 0 warnings');

    const json = await runCli(['lint', statement, '--hall', hall, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      errors: 1,
      ok: false,
      findings: [{ severity: 'error', rule: 'discouraged-phrase', path: 'body' }],
    });

    // preview reads no journal that is not there, and writes none.
    const previewed = await runCli([
      'preview',
      statement,
      '--hall',
      hall,
      '--credentials',
      await beijingCredentialsFile(dir),
      '--journal',
      join(dir, 'no-journal.db'),
      '--json',
    ]);
    expect(previewed.code, previewed.stderr).toBe(1);
    const preview = JSON.parse(previewed.stdout) as { lint: { findings: unknown[] } };
    expect(preview.lint.findings).toEqual((JSON.parse(json.stdout) as LintResult).findings);

    const refused = await publish(hall);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the linter finds 1 error, and publish sends nothing/);
    expect(refused.stderr).toContain('body: "有关部门" in body');
    expect(refused.stdout).toBe('');
  }, 120_000);

  it('with the rule switched off, lint passes and publish sends to every account', async () => {
    const hall = await hallWith('off.json', {
      discouragedPhrases: [AGENCY],
      off: ['discouraged-phrase'],
    });

    const linted = await lint(hall);
    expect(linted.stdout).toContain('0 errors, 0 warnings');
    expect(linted.code).toBe(0);

    const published = await publish(hall);
    expect(published.code, published.stderr).toBe(0);
    const report = JSON.parse(published.stdout) as CampaignReport;
    expect(report.counts).toMatchObject({ total: 2, succeeded: 2 });
  }, 120_000);

  it('a rule the linter does not have is refused with its path and the rules it has', async () => {
    const hall = await hallWith('unknown-rule.json', { off: ['topic-on-share'] });
    for (const result of [await lint(hall), await publish(hall)]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /lint\.off\[0\]: expected a rule of the linter, got "topic-on-share" \(did you mean "topic-on-share-only"\?\); the rules: .*discouraged-phrase/,
      );
      expect(result.stdout).toBe('');
    }
  }, 120_000);
});
