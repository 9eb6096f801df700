/**
 * The scale-out commands as an operator runs them: `release-hall sandbox` serves a hall's sandbox
 * for other processes, two `release-hall worker` processes take the deliveries, `publish --redis`
 * hands them out and waits, `list --redis` reads the shared journal, SIGTERM drains the workers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingHall, statementPath } from '../helpers/beijing.js';
import { root, runCli } from '../helpers/cli.js';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';

const cli = join(root, 'src/cli/main.ts');
const children: ChildProcess[] = [];
let redis: RedisTestServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await redis.stop();
});

/** Starts a long-running command; resolves once its stdout has said `ready`. */
function start(
  args: readonly string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (ready.test(stdout)) resolve({ child, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`exited ${String(code)} before ready: ${stderr}`)));
  });
}

describe('release-hall worker, sandbox and --redis', () => {
  it('two workers run a campaign published with --redis; SIGTERM drains them (exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-scale-'));
    const hallFile = join(dir, 'hall.json');
    writeFileSync(hallFile, JSON.stringify(await beijingHall()));
    const out = join(dir, 'sandbox');
    const sandbox = await start(['sandbox', '--hall', hallFile, '--out', out], /credentials: /);
    const env = {
      RELEASE_HALL_REDIS: redis.url,
      RELEASE_HALL_CREDENTIALS: join(out, 'credentials.json'),
    };
    const sandboxHall = join(out, 'hall.json');
    expect(
      (
        JSON.parse(readFileSync(sandboxHall, 'utf8')) as {
          platforms: { weibo: { baseURL: string } };
        }
      ).platforms.weibo.baseURL,
    ).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const workers = await Promise.all(
      [1, 2].map(() =>
        start(['worker', '--hall', sandboxHall, '--concurrency', '8'], /taking deliveries/, env),
      ),
    );

    const published = await runCli(
      ['publish', statementPath, '--hall', sandboxHall, '--json', '--no-progress'],
      env,
    );
    expect(published.stderr).not.toMatch(/at .+\.ts:\d+/);
    expect(published.code).toBe(0);
    const report = JSON.parse(published.stdout) as {
      campaignId: string;
      counts: { total: number; succeeded: number };
    };
    expect(report.counts).toMatchObject({ total: 72, succeeded: 72 });
    // The credentials file of the sandbox is never echoed.
    const tokens = Object.values(
      JSON.parse(readFileSync(env.RELEASE_HALL_CREDENTIALS, 'utf8')) as Record<
        string,
        { access_token: string }
      >,
    ).map((fields) => fields.access_token);
    const listed = await runCli(['list', '--json'], env);
    expect(listed.code).toBe(0);
    const campaigns = JSON.parse(listed.stdout) as {
      campaign: { id: string; state: string };
      counts: { succeeded: number };
    }[];
    expect(campaigns.find((entry) => entry.campaign.id === report.campaignId)).toMatchObject({
      campaign: { state: 'finished' },
      counts: { succeeded: 72 },
    });

    // --no-wait hands a second campaign out and returns; the workers finish it.
    const handed = await runCli(
      [
        'publish',
        statementPath,
        '--hall',
        sandboxHall,
        '--campaign-id',
        'handed-out',
        '--member',
        'beijing-fabu',
        '--mode',
        'original',
        '--no-wait',
        '--json',
      ],
      env,
    );
    expect(handed.code).toBe(0);
    expect(JSON.parse(handed.stdout)).toMatchObject({ campaignId: 'handed-out', total: 1 });
    let state = '';
    for (let tries = 0; tries < 200 && state !== 'finished'; tries += 1) {
      const now = JSON.parse((await runCli(['status', 'handed-out', '--json'], env)).stdout) as {
        campaign: { state: string };
        counts: { succeeded: number };
      };
      state = now.campaign.state;
      if (state !== 'finished') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(state).toBe('finished');

    for (const worker of workers) worker.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((worker) => worker.exited));
    expect(codes).toEqual([0, 0]);
    const lines = workers.map((worker) => worker.stderr());
    // Both workers ran deliveries, 72 in all, and said they stopped.
    const ran = lines.map(
      (text) => text.split('\n').filter((line) => line.startsWith(`${report.campaignId} `)).length,
    );
    expect(ran.reduce((sum, count) => sum + count, 0)).toBe(72);
    // The handed-out campaign's one delivery ran on one of them (the lead's post is a duplicate
    // of the first campaign's, which the platform refuses: it ends, and the campaign finishes).
    expect(lines.join('').match(/^handed-out /gm)).toHaveLength(1);
    expect(ran.every((count) => count > 0)).toBe(true);
    for (const text of lines) {
      expect(text).toContain('worker stopped');
      for (const token of tokens) expect(text).not.toContain(token);
    }
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toBe(0);
  }, 120_000);

  it('a worker without a Redis server named, or on one that may lose writes, refuses to start (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-scale-'));
    const hallFile = join(dir, 'hall.json');
    writeFileSync(hallFile, JSON.stringify(await beijingHall()));
    const none = await runCli(['worker', '--hall', hallFile], { RELEASE_HALL_REDIS: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--redis');
    const noWait = await runCli(['publish', statementPath, '--hall', hallFile, '--no-wait'], {
      RELEASE_HALL_REDIS: '',
    });
    expect(noWait.code).toBe(2);
    expect(noWait.stderr).toContain('--no-wait');
    const careless = await startRedisServer(['--appendonly', 'no']);
    try {
      const refused = await runCli(['worker', '--hall', hallFile, '--redis', careless.url]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/appendonly/);
      expect(refused.stderr).not.toMatch(/at .+\.ts:\d+/);
    } finally {
      await careless.stop();
    }
  }, 60_000);
});
