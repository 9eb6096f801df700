/**
 * A Lua script run by its SHA-1 (`EVALSHA`), sent in full only when the server does not hold it
 * yet (`NOSCRIPT`: first use, or a server restarted since).
 */
import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

/** A Lua script for Redis. */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with these keys and arguments; resolves with its reply. */
  async run(
    client: Redis,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /** Queues the script in a transaction or pipeline (sent in full: a queued call cannot fall back). */
  queue(
    batch: ChainableCommander,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): void {
    batch.eval(this.source, keys.length, ...keys, ...args);
  }
}
