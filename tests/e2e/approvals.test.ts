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
import { startHallSandbox } from 'release-hall/sandbox';
import { beijingCredentialsFile, beijingHall, statementPath } from '../helpers/beijing.js';
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

describe('a crisis statement on one approval, reviewed afterwards, and a gated follow-up', () => {
  it('publish records the review due; only another approver reviews it; a follow-up is approved over its own plan', async () => {
    // A real campaign (not a rehearsal): the hall file points at a Weibo sandbox on loopback.
    const hall = JSON.parse(readFileSync(hallFile, 'utf8')) as Record<string, unknown>;
    const sandbox = await startHallSandbox(hall, { tokenFor: (ref) => `made-up-${ref}` });
    try {
      const approvals = hall.approvals as Record<string, unknown>;
      const platforms = hall.platforms as Record<string, Record<string, unknown>>;
      const crisisHall = join(dir, 'crisis-hall.json');
      writeFileSync(
        crisisHall,
        JSON.stringify({
          ...hall,
          approvals: {
            ...approvals,
            policy: { routine: 2, urgent: 2, crisis: { approvals: 1, reviewWithinHours: 24 } },
          },
          platforms: {
            ...platforms,
            weibo: {
              ...platforms.weibo,
              baseURL: sandbox.baseURLs.weibo,
              settings: { ...sandbox.settings.weibo, rip: '203.0.113.10' },
            },
          },
        }),
      );
      const crisis = join(dir, 'crisis.yaml');
      writeFileSync(
        crisis,
        readFileSync(statementPath, 'utf8').replace('urgency: urgent', 'urgency: crisis'),
      );
      const keyOf = (id: string): string[] => ['--as', id, '--key', join(dir, `${id}.pem`)];
      const withHall = [
        '--hall',
        crisisHall,
        '--journal',
        join(dir, 'crisis.db'),
        '--credentials',
        await beijingCredentialsFile(dir),
      ];

      const approved = await runCli(['approve', crisis, ...withHall, ...keyOf('wang-wu')]);
      expect(approved.stdout).toMatch(/1 of the 1 approvals needed at urgency crisis/);
      const published = await runCli([
        'publish',
        crisis,
        ...withHall,
        '--author',
        'duty-officer',
        '--campaign-id',
        'crisis-1',
        '--no-progress',
      ]);
      expect(published.code, published.stderr).toBe(0);
      expect(published.stderr).toMatch(
        /gate: approvals: wang-wu over digest [0-9a-f]{12}…; to be reviewed within 24 h/,
      );

      const due = await runCli(['status', 'crisis-1', '--journal', join(dir, 'crisis.db')]);
      expect(due.stdout).toMatch(/review: due by \S+ \(approved by wang-wu\)/);
      const self = await runCli(['review', 'crisis-1', ...withHall, ...keyOf('wang-wu')]);
      expect(self.code).toBe(2);
      expect(self.stderr).toMatch(/"wang-wu" approved or published it/);
      const review = await runCli(['review', 'crisis-1', ...withHall, ...keyOf('li-si')]);
      expect(review.code, review.stderr).toBe(0);
      expect(review.stdout).toMatch(/review: done by li-si/);
      const done = await runCli(['status', 'crisis-1', '--journal', join(dir, 'crisis.db')]);
      expect(done.stdout).toMatch(/review: done by li-si at /);
      expect(done.stdout).toMatch(/ li-si review /);

      // A follow-up passes the gate too: approved over its own plan (approve --follow-up).
      const update = join(dir, 'update.yaml');
      writeFileSync(
        update,
        readFileSync(crisis, 'utf8')
          .replace('id: rumor-subway-2026-11-26', 'id: rumor-subway-2026-11-26-update')
          .replace('kind: rebuttal', 'kind: update'),
      );
      const follow = ['follow-up', 'crisis-1', update, ...withHall, '--author', 'duty-officer'];
      const unapproved = await runCli(follow);
      expect(unapproved.code).toBe(2);
      expect(unapproved.stderr).toMatch(/not approved for publishing/);
      const approveUpdate = await runCli([
        'approve',
        update,
        ...withHall,
        '--follow-up',
        'crisis-1',
        ...keyOf('zhao-liu'),
      ]);
      expect(approveUpdate.code, approveUpdate.stderr).toBe(0);
      const followed = await runCli([...follow, '--json']);
      expect(followed.code, followed.stderr).toBe(0);
      const report = JSON.parse(followed.stdout) as { counts: { succeeded: number } };
      expect(report.counts.succeeded).toBe(72);
      const live = sandbox.weibo.platform.allPosts().filter((post) => !post.deleted);
      expect(live).toHaveLength(144);
    } finally {
      await sandbox.close();
    }
  }, 180_000);
});
