/** Child processes of the benchmarks: bundled modules run by a plain Node. */
import { type ChildProcess, fork } from 'node:child_process';
import { bundleScript, repositoryRoot } from './bundle-script.js';

/** Options of {@link runChild}. */
export interface ChildOptions {
  /** Node flags for the child, e.g. `--expose-gc`. */
  readonly nodeFlags?: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Starts `tests/bench/<name>.ts`, bundled (see `bundle-script.ts`), in a plain Node child process
 * with an IPC channel, whatever runs this one (tsx or vitest).
 */
export async function forkScript(
  name: string,
  args: readonly string[],
  options: { readonly nodeFlags?: readonly string[] } = {},
): Promise<ChildProcess> {
  const file = await bundleScript(name);
  return fork(file, [...args], {
    cwd: repositoryRoot,
    execArgv: [...(options.nodeFlags ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * Runs `tests/bench/<name>.ts` in a child process and resolves with the first message it sends.
 * Rejects when it exits without one or takes longer than `timeoutMs`.
 */
export async function runChild<T>(
  name: string,
  args: readonly string[],
  options: ChildOptions,
): Promise<T> {
  const child = await forkScript(name, args, options);
  return new Promise<T>((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} ${args.join(' ')} took longer than ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.once('message', (message) => {
      answered = true;
      clearTimeout(timer);
      resolve(message as T);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!answered) {
        reject(new Error(`${name} ${args.join(' ')} exited (${signal ?? code}) without a result`));
      }
    });
  });
}
