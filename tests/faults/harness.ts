/**
 * Child-process plumbing of the kill-and-resume fault tests: bundle `campaign-child.ts` once,
 * start it with a campaign in its environment, wait until it says "planned", kill it with SIGKILL;
 * plus the seeded generator that makes every run replayable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The project root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));
const childSource = fileURLToPath(new URL('./campaign-child.ts', import.meta.url));

/** A small seeded generator (mulberry32) so every run can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One run of the child process. */
export interface ChildRun {
  readonly process: ChildProcess;
  /** Resolves once the campaign is in the journal; rejects if the child exits first. */
  readonly planned: Promise<void>;
  readonly exited: Promise<number | null>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
}

/** The campaign child of one test file. */
export interface CampaignChild {
  /** Bundles the child (call it in `beforeAll`). */
  bundle(): Promise<void>;
  /** Starts the bundled child with `env` added to this process's environment. */
  start(env: Record<string, string>): ChildRun;
}

/** Which child to bundle, and the line it writes on stdout once it is ready. */
export interface ChildOptions {
  /** The child's source. @default `campaign-child.ts` */
  readonly source?: string;
  /** What `planned` waits for on stdout. @default 'planned' */
  readonly readyLine?: string;
}

/**
 * The campaign child, bundled to `node_modules/.cache/release-hall-tests/<name>-<pid>.mjs`, so each
 * run starts plain JavaScript in a fraction of a second.
 */
export function campaignChild(name: string, options: ChildOptions = {}): CampaignChild {
  const source = options.source ?? childSource;
  const readyLine = options.readyLine ?? 'planned';
  // Inside the project, so the bundle finds better-sqlite3 (a native module, left external).
  const bundled = join(
    root,
    'node_modules',
    '.cache',
    'release-hall-tests',
    `${name}-${process.pid}.mjs`,
  );
  let ready = false;
  return {
    bundle: async () => {
      await build({
        entryPoints: [source],
        outfile: bundled,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['source'],
        external: ['better-sqlite3'],
        nodePaths: [join(root, 'node_modules')],
        banner: {
          // Aliased: a bundled module may import createRequire itself.
          js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
        },
        logLevel: 'error',
      });
      ready = true;
    },
    start: (env) => {
      if (!ready) throw new Error(`campaign child ${name} is not bundled yet`);
      const proc = spawn(process.execPath, [bundled], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const planned = new Promise<void>((resolve, reject) => {
        proc.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes(readyLine)) resolve();
        });
        proc.on('exit', () =>
          reject(new Error(`child exited before saying ${readyLine}: ${stderr}`)),
        );
      });
      planned.catch(() => undefined);
      const exited = new Promise<number | null>((resolve) =>
        proc.on('exit', (code) => resolve(code)),
      );
      return {
        process: proc,
        planned,
        exited,
        kill: async () => {
          proc.kill('SIGKILL');
          await exited;
        },
      };
    },
  };
}

/** Polls `check` every 2 ms until it holds or `timeoutMs` has passed; says whether it held. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return check();
}
