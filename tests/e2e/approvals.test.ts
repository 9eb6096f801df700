/**
 * The approval gate from the terminal: keys made with `keygen`, approvals signed with `approve`,
 * and `publish` refusing (exit 2, nothing sent) until enough approvers other than the author have
 * signed exactly what is sent.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDataFile } from 'release-hall';
import { beijingHall, statementPath } from '../helpers/beijing.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-gate-'));
const hallFile = join(dir, 'hall.json');
const statement = join(dir, 'rebuttal.yaml');
const publicKeys: Record<string, string> = {};

async function keygen(id: string): Promise<void> {
  const result = await runCli(['keygen', '--out', join(dir, `${id}.pem`)]);
  expect(result.code, result.stderr).toBe(0);
  const line = /^publicKey: (\S+)$/m.exec(result.stdout);
  expect(line).not.toBeNull();
  publicKeys[id] = line![1]!;
}

const approve = (id: string, file = statement) =>
  runCli(['approve', file, '--hall', hallFile, '--as', id, '--key', join(dir, `${id}.pem`)]);
const publish = (...extra: string[]) =>
  runCli(['publish', statement, '--hall', hallFile, '--sandbox', '--json', ...extra]);

beforeAll(async () => {
  for (const id of ['li-si', 'wang-wu', 'zhao-liu']) await keygen(id);
  const hall = (await beijingHall(['weibo'])) as Record<string, unknown>;
  hall.approvals = {
    approvers: [
      { id: 'li-si', name: '李四', publicKey: publicKeys['li-si'] },
      { id: 'wang-wu', name: '王五', publicKey: publicKeys['wang-wu'] },
      { id: 'zhao-liu', name: '赵六', publicKey: publicKeys['zhao-liu'] },
    ],
    policy: { routine: 2, urgent: 2, crisis: 1 },
  };
  writeFileSync(hallFile, JSON.stringify(hall));
  // The statement and its cover picture, next to each other as the example keeps them.
  copyFileSync(statementPath, statement);
  copyFileSync(join(statementPath, '..', 'cover.jpg'), join(dir, 'cover.jpg'));
}, 60_000);

describe('the approval gate', () => {
  it('keygen keeps the private key to its owner and never overwrites it', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'li-si.pem')).mode & 0o777).toBe(0o600);
    const again = await runCli(['keygen', '--out', join(dir, 'li-si.pem')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/li-si\.pem exists: keep it, or give --force/);
  });

  it('publish refuses without approvals, names who is missing, and sends nothing', async () => {
    const noAuthor = await publish();
    expect(noAuthor.code).toBe(2);
    expect(noAuthor.stderr).toMatch(/requires approvals: name who publishes with --author/);
    const none = await publish('--author', 'duty-officer');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/urgency urgent: 2 approvals needed/);
    expect(none.stderr).toMatch(/2 approvals from distinct approvers needed, 0 valid/);
    expect(none.stdout).toBe('');
  }, 60_000);

  it('two approvals let it through; the author’s own does not count', async () => {
    expect((await approve('li-si')).code).toBe(0);
    const one = await approve('wang-wu');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/2 of the 2 approvals needed at urgency urgent/);

    const self = await publish('--author', 'li-si');
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/李四 \(li-si\) is the author/);

    const published = await publish('--author', 'duty-officer');
    expect(published.code, published.stderr).toBe(0);
    const report = JSON.parse(published.stdout) as { counts: { succeeded: number; total: number } };
    expect(report.counts).toMatchObject({ succeeded: 72, total: 72 });
  }, 120_000);

  it('a changed comma, a smaller selection or an edited approval voids the approvals', async () => {
    const changed = join(dir, 'changed.yaml');
    copyFileSync(statement, changed);
    copyFileSync(`${statement}.approval`, `${changed}.approval`);
    writeFileSync(changed, readFileSync(statement, 'utf8').replace('不实', '不实，'));
    const edited = await runCli([
      'publish',
      changed,
      '--hall',
      hallFile,
      '--sandbox',
      '--author',
      'duty-officer',
    ]);
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/approved something else/);

    const fewer = await publish('--author', 'duty-officer', '--member', 'beijing-fabu');
    expect(fewer.code).toBe(2);
    expect(fewer.stderr).toMatch(/approved something else/);

    const forged = join(dir, 'forged.approval');
    const file = JSON.parse(readFileSync(`${statement}.approval`, 'utf8')) as {
      approvals: { approver: string }[];
    };
    file.approvals[0]!.approver = 'zhao-liu';
    writeFileSync(forged, JSON.stringify(file));
    const refused = await publish('--author', 'duty-officer', '--approvals', forged);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/signature of 赵六 \(zhao-liu\) is not valid/);
  }, 120_000);

  it('approve refuses an id the hall does not list', async () => {
    const result = await runCli([
      'approve',
      statement,
      '--hall',
      hallFile,
      '--as',
      'nobody',
      '--key',
      join(dir, 'li-si.pem'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /"nobody" is not an approver of this hall; approvers: li-si, wang-wu, zhao-liu/,
    );
    expect(await readDataFile(hallFile, 'hall')).toBeDefined();
  });
});

describe('the lint gate', () => {
  it('publish refuses a statement the linter finds errors in, unless overridden with a reason', async () => {
    const plainHall = join(dir, 'plain-hall.json');
    writeFileSync(plainHall, JSON.stringify(await beijingHall(['weibo'])));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(statementPath, 'utf8').replace(
        'advice: 请勿信谣传谣，以官方发布为准。',
        'advice: 不管你信不信，反正我信了。',
      ),
    );
    copyFileSync(join(statementPath, '..', 'cover.jpg'), join(dir, 'cover.jpg'));
    const refused = await runCli(['publish', bad, '--hall', plainHall, '--sandbox', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the linter finds \d+ errors?, and publish sends nothing/);
    expect(refused.stderr).toMatch(/--override "<reason>"/);
    expect(refused.stdout).toBe('');

    const overridden = await runCli([
      'publish',
      bad,
      '--hall',
      plainHall,
      '--sandbox',
      '--author',
      'duty-officer',
      '--override',
      'quoting the rumor verbatim, approved by the director',
    ]);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stderr).toMatch(
      /gate: lint: \d+ error\(s\) overridden by duty-officer: quoting the rumor verbatim/,
    );
  }, 120_000);
});
