/** Runs the release-hall CLI from source in a child process, as a user would from a terminal. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hallPath as beijingHallPath, statementPath as beijingStatementPath } from './beijing.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'src/cli/main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `release-hall <args>` and resolves with its exit code and output. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  cwd: string = root,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', cli, ...args],
      { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `release-hall <args>` and sends it SIGINT once its stderr shows `marker` (a command that
 * waits, stopped as Ctrl-C would); resolves with its exit code and output.
 */
export function runCliUntil(
  args: readonly string[],
  marker: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', cli, ...args],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (!sent && stderr.includes(marker)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Publishes the Beijing statement to 北京发布's Weibo account on the built-in sandbox, journaled in
 * `journal`: a one-delivery rehearsal that leaves a campaign in a journal file.
 */
export function rehearseOne(journal: string): Promise<CliResult> {
  return runCli([
    'publish',
    beijingStatementPath,
    '--hall',
    beijingHallPath,
    '--sandbox',
    '--journal',
    journal,
    '--member',
    'beijing-fabu',
    '--platform',
    'weibo',
    '--json',
    '--no-progress',
  ]);
}
