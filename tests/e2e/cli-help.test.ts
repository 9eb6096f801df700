/**
 * `release-hall --help` names every command without loading any of them: no adapter, no SQLite
 * journal, no publisher. The built CLI runs in a child process under a module hook that writes
 * down every module it loads.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { hallPath, statementPath } from '../helpers/beijing.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const builtCli = join(root, 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'rh-cli-help-'));

/** Hooks that append the URL of every module loaded to the file named by `initialize`. */
const recordHooks = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, nextLoad) {
  appendFileSync(log, url + '\\n');
  return nextLoad(url, context);
}
`;
writeFileSync(join(dir, 'record-hooks.mjs'), recordHooks);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'record-hooks.mjs')).href)}, {
  data: { log: process.env.RH_MODULE_LOG },
});
`,
);

interface Loaded {
  code: number | null;
  stdout: string;
  modules: string[];
}

/** Runs the built CLI and returns what it printed and every module it loaded. */
function runRecorded(name: string, args: readonly string[]): Promise<Loaded> {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', pathToFileURL(join(dir, 'register.mjs')).href, builtCli, ...args],
      {
        cwd: root,
        env: { ...process.env, RH_MODULE_LOG: log },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const modules = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      resolve({ code, stdout, modules });
    });
  });
}

const heavy = /better-sqlite3|sqlite-journal|\/adapters\/|\/publisher\//;

beforeAll(async () => {
  // The CLI as installed: compiled to dist/ by the package's own build.
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: root },
  );
}, 180_000);

describe('release-hall --help', () => {
  it('lists every command and loads no adapter, journal or publisher', async () => {
    const result = await runRecorded('help', ['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'publish',
      'resume',
      'follow-up',
      'status',
      'list',
      'retract',
      'pause',
      'preview',
      'lint',
      'validate',
    ]) {
      expect(result.stdout).toContain(`  ${command} `);
    }
    // The hook saw the program itself, so an empty list would not pass by accident.
    expect(result.modules.some((url) => url.endsWith('/dist/src/cli/program.js'))).toBe(true);
    expect(result.modules.filter((url) => heavy.test(url))).toEqual([]);
  });

  it('a command help loads no more than the program', async () => {
    const result = await runRecorded('pause-help', ['pause', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--reason <text>\s+why \(required/);
    expect(result.modules.filter((url) => heavy.test(url))).toEqual([]);
  });

  it('a command loads what it needs when it runs (the hook sees better-sqlite3)', async () => {
    const result = await runRecorded('dry-run', [
      'publish',
      statementPath,
      '--hall',
      hallPath,
      '--dry-run',
      '--sandbox',
      '--group',
      'districts',
    ]);
    expect(result.code).toBe(0);
    expect(result.modules.some((url) => url.includes('better-sqlite3'))).toBe(true);
    expect(result.modules.some((url) => url.includes('/adapters/weibo/'))).toBe(true);
  });
});
