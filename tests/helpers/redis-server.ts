/**
 * A real `redis-server` for tests: on a free loopback port, in a temporary folder, with the
 * settings the journal requires (`appendonly yes`, `appendfsync always`,
 * `maxmemory-policy noeviction`, no RDB snapshots). It can be killed with SIGKILL and started again
 * from the same folder and port, to test what the append-only file brings back.
 *
 * `redis-server` is looked up on the PATH (or `REDIS_SERVER` names the binary). When it is missing,
 * starting fails with a message saying how to install it: the tests fail, they are not skipped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** The settings every test server starts with (a test may change them with CONFIG SET). */
export const DURABLE_SETTINGS: readonly string[] = [
  '--appendonly',
  'yes',
  '--appendfsync',
  'always',
  '--maxmemory-policy',
  'noeviction',
  '--save',
  '',
];

/** A running test server. */
export interface RedisTestServer {
  readonly port: number;
  readonly url: string;
  /** The folder holding the append-only files. */
  readonly dir: string;
  /** Stops the server (SIGTERM) and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL: nothing is flushed beyond what was already written. */
  kill(): Promise<void>;
  /** Starts the server again on the same port from the same folder (after `kill`). */
  restart(): Promise<void>;
}

/** Every server started by this process, so none outlives it even when a test fails. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Sends PING over a raw socket; resolves true on `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function launch(port: number, dir: string, extra: readonly string[]): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    ...DURABLE_SETTINGS,
    ...extra,
  ];
  const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const failedToSpawn = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve(
        error.code === 'ENOENT'
          ? new Error(
              `redis-server not found (looked for "${BINARY}" on the PATH): these tests need a real Redis 7 server; install it (apt-get install redis-server, brew install redis) or name the binary with REDIS_SERVER`,
            )
          : error,
      );
    });
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const spawnError = await Promise.race([failedToSpawn, sleep(10).then(() => undefined)]);
    if (spawnError !== undefined) throw spawnError;
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with code ${child.exitCode} at start:\n${output}`);
    }
    if (await ping(port)) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer PING on port ${port} within 10 s:\n${output}`);
    }
  }
}

/**
 * Starts a server. `extraArgs` are appended to the command line (they override the defaults).
 * Call `stop()` in `afterAll`/`finally`; a server left running is killed when the process exits.
 */
export async function startRedisServer(
  extraArgs: readonly string[] = [],
): Promise<RedisTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rh-redis-'));
  let lastError: unknown;
  for (let tries = 0; tries < 5; tries += 1) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await launch(port, dir, extraArgs);
    } catch (error) {
      // Another process may have taken the port between the look and the start.
      lastError = error;
      if (error instanceof Error && error.message.startsWith('redis-server not found')) break;
      continue;
    }
    let current: ChildProcess | undefined = child;
    let stopped = false;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      dir,
      async stop() {
        if (stopped) return;
        stopped = true;
        if (current !== undefined) {
          const child = current;
          current = undefined;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited(child);
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
      async kill() {
        if (current === undefined) return;
        const child = current;
        current = undefined;
        child.kill('SIGKILL');
        await exited(child);
      },
      async restart() {
        if (stopped) throw new Error('the server was stopped');
        if (current !== undefined) throw new Error('the server is running: kill it first');
        current = await launch(port, dir, extraArgs);
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error('redis-server did not start');
}
