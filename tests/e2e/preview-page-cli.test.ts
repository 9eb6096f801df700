/**
 * `release-hall preview --html-page`: the terminal table as before, and the preview page written
 * to the file named, with a card per account of the Beijing hall, the WeChat cover inlined, the
 * lint finding marked, and the approvals of the statement's `.approval` file counted.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApproverKey, readDataFile } from 'release-hall';
import { beijingCredentialsFile, hallPath, statementPath } from '../helpers/beijing.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-preview-page-'));
const hallFile = join(dir, 'hall.json');
const statement = join(dir, 'rebuttal.yaml');
const journal = join(dir, 'journal.db');
let credentials: string;
let accounts = 0;

const preview = (out: string, ...extra: string[]) =>
  runCli([
    'preview',
    statement,
    '--hall',
    hallFile,
    '--credentials',
    credentials,
    '--journal',
    journal,
    '--html-page',
    out,
    ...extra,
  ]);

beforeAll(async () => {
  const hall = (await readDataFile(hallPath, 'hall')) as {
    members: { accounts: Record<string, unknown> }[];
    approvals?: unknown;
  };
  accounts = hall.members.reduce((sum, member) => sum + Object.keys(member.accounts).length, 0);
  const approvers = ['li-si', 'wang-wu'].map((id) => {
    const key = generateApproverKey();
    writeFileSync(join(dir, `${id}.pem`), key.privateKeyPem, { mode: 0o600 });
    return { id, name: id, publicKey: key.publicKey };
  });
  hall.approvals = { approvers, policy: { routine: 2, urgent: 2, crisis: 1 } };
  writeFileSync(hallFile, JSON.stringify(hall));
  // The statement, with a chatty phrase the linter warns about, and its cover beside it.
  const text = readFileSync(statementPath, 'utf8').replace(/^advice: /m, 'advice: 小伙伴们，');
  expect(text).toContain('小伙伴们');
  writeFileSync(statement, text);
  copyFileSync(join(statementPath, '..', 'cover.jpg'), join(dir, 'cover.jpg'));
  credentials = await beijingCredentialsFile(dir);
});

describe('release-hall preview --html-page', () => {
  it('writes the page and keeps the table on stdout', async () => {
    const out = join(dir, 'preview.html');
    const result = await preview(out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Preview of /);
    expect(result.stderr).toContain(`preview page written to ${out}`);
    expect(existsSync(out)).toBe(true);
    const page = readFileSync(out, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.match(/<article /g)).toHaveLength(accounts);
    expect(page).toContain('data-account="beijing-fabu/weibo"');
    expect(page).toContain('data-account="beijing-fabu/tencent"');
    expect(page).toContain('data-account="beijing-fabu/wechat"');
    expect(page).toMatch(/<img class="cover" alt="cover" src="data:image\/jpeg;base64,/);
    expect(page).toMatch(/<mark class="lint lint-warning" data-rule="discouraged-phrase"/);
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(page).toContain('approvals: 0 of 2 required (urgency urgent)');
  }, 60_000);

  it('--json stays JSON on stdout; the page counts the approvals signed for this plan', async () => {
    const approved = await runCli([
      'approve',
      statement,
      '--hall',
      hallFile,
      '--as',
      'li-si',
      '--key',
      join(dir, 'li-si.pem'),
      '--journal',
      journal,
    ]);
    expect(approved.code, approved.stderr).toBe(0);
    const out = join(dir, 'approved.html');
    const result = await preview(out, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { table: unknown }).table).toBeDefined();
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('approvals: 1 of 2 required (urgency urgent) (li-si)');
    expect(page).toContain('data-gate="short" data-required="2" data-present="1"');
  }, 60_000);
});
