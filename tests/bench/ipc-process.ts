/** A child process driven over IPC: it says it is ready, then answers one message per command. */
import { type ChildProcess, fork } from 'node:child_process';

/** A child process that answers each command with one message. */
export class IpcProcess<
  Message extends { readonly type: string },
  Command extends { readonly type: string },
> {
  private constructor(readonly child: ChildProcess) {}

  /**
   * Forks `file` (plain JavaScript) with `args` and resolves with the process and its first
   * message, which must be of type `ready`.
   */
  static async start<M extends { readonly type: string }, C extends { readonly type: string }>(
    file: string,
    args: readonly string[],
  ): Promise<{ process: IpcProcess<M, C>; ready: M }> {
    const child = fork(file, [...args], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started = new IpcProcess<M, C>(child);
    const ready = await started.#next(60_000);
    if (ready.type !== 'ready') {
      child.kill('SIGKILL');
      throw new Error(`${file}: expected "ready", got "${ready.type}"`);
    }
    return { process: started, ready };
  }

  /** Sends a command and resolves with the answer. */
  async ask(command: Command): Promise<Message> {
    const answer = this.#next(30_000);
    this.child.send(command);
    return answer;
  }

  /** Asks the process to close (`{ type: 'close' }`), and kills it if it has not gone in 2 s. */
  async close(command: Command): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send(command);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  #next(timeoutMs: number): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`the child process exited (${code}) before it answered`));
      };
      const timer = setTimeout(() => {
        this.child.off('exit', onExit);
        reject(new Error(`the child process did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.child.once('exit', onExit);
      this.child.once('message', (message) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(message as Message);
      });
    });
  }
}
