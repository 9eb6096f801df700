/**
 * Ctrl-C in the middle of a campaign: the first stops new starts and lets the calls in flight
 * finish, the report is printed, the exit code is 130, and no stack trace is shown.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CampaignReport, readDataFile } from 'release-hall';
import { hallPath, statementPath } from '../helpers/beijing.js';
import { root } from '../helpers/cli.js';

/**
 * The Beijing hall with a few requests in flight per platform, so that a stop finds deliveries not
 * yet sent (by default every delivery is sent at once).
 */
async function pacedHall(): Promise<string> {
  const hall = (await readDataFile(hallPath, 'hall')) as {
    platforms: Record<string, Record<string, unknown> | undefined>;
  };
  for (const [platform, concurrency] of [
    ['weibo', 8],
    ['tencent', 4],
    ['wechat', 8],
  ] as const) {
    hall.platforms[platform] = {
      ...hall.platforms[platform],
      limits: { platformConcurrency: concurrency },
    };
  }
  const path = join(mkdtempSync(join(tmpdir(), 'release-hall-signals-')), 'hall.json');
  writeFileSync(path, JSON.stringify(hall));
  return path;
}

function startPublish(pacedHallPath: string): ReturnType<typeof spawn> {
  return spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      join(root, 'src/cli/main.ts'),
      'publish',
      statementPath,
      '--hall',
      pacedHallPath,
      '--sandbox',
      '--json',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

describe('Ctrl-C during a publish', () => {
  it('stops cleanly: nothing new starts, what was in flight is answered, exit 130', async () => {
    const child = startPublish(await pacedHall());
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      // Once the first delivery has finished, the campaign is surely under way.
      if (!interrupted && /^succeeded /m.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(interrupted).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('stopping: nothing new starts; press Ctrl-C again to quit at once');
    expect(stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(stdout) as CampaignReport;
    expect(report.aborted).toBe(true);
    expect(report.counts.succeeded).toBeGreaterThan(0);
    expect(report.counts.succeeded).toBeLessThan(report.counts.total);
    // The calls in flight were answered: nothing is left in doubt.
    expect(report.counts.unconfirmed).toBe(0);
    expect(report.counts.skipped + report.counts.succeeded + report.counts.failed).toBe(
      report.counts.total,
    );
  });

  it('a second Ctrl-C quits at once, with exit 130 and no stack trace', async () => {
    const child = startPublish(await pacedHall());
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    let interrupted = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (!interrupted && /^succeeded /m.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
      if (interrupted && stderr.includes('press Ctrl-C again to quit at once'))
        child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(interrupted).toBe(true);
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/\n\s+at /);
    // It did not wait for the report: that is what the first Ctrl-C does.
    expect(stdout).toBe('');
  });
});
