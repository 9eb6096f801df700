/**
 * The Redis connection of a journal, a rate-window table or a token store: one the caller hands
 * over (and keeps: it is not closed), or one made from a URL (closed by `close()`).
 */
import { Redis } from 'ioredis';
import { ReleaseHallError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Where to find Redis: a URL, or a client the caller made (and closes). */
export type RedisConnection =
  | { readonly url: string; readonly client?: undefined }
  | { readonly client: Redis; readonly url?: undefined };

/** A connection and whether it was made here (then it is closed here too). */
export interface OpenedRedis {
  readonly client: Redis;
  readonly owned: boolean;
}

/** A Redis URL without its user name and password, for messages. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'the Redis URL given';
  }
}

/** Checks the connection options: exactly one of `url` and `client`. */
export function connectionIssue(options: {
  readonly url?: unknown;
  readonly client?: unknown;
}): string | undefined {
  const hasUrl = options.url !== undefined;
  const hasClient = options.client !== undefined;
  if (hasUrl === hasClient) return 'expected either url or client (an ioredis client), not both';
  if (hasUrl && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    return 'expected url to be a redis:// or rediss:// URL';
  }
  if (
    hasClient &&
    (typeof options.client !== 'object' ||
      options.client === null ||
      typeof (options.client as { evalsha?: unknown }).evalsha !== 'function')
  ) {
    return 'expected client to be an ioredis client';
  }
  return undefined;
}

/**
 * Connects: the given client as it is, or a new one from the URL, connected before this resolves.
 * An unreachable server rejects with `TRANSIENT`, naming the URL without its password.
 */
export async function openRedis(
  connection: RedisConnection,
  logger: Logger | undefined,
): Promise<OpenedRedis> {
  if (connection.client !== undefined) return { client: connection.client, owned: false };
  const client = new Redis(connection.url, { lazyConnect: true });
  // Without a listener, ioredis prints every failed reconnect; the failed calls report it anyway.
  client.on('error', (error: unknown) => {
    logger?.debug('redis connection error', {
      error: error instanceof Error ? error.message : String(error),
    });
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new ReleaseHallError(
      `[release-hall] cannot reach Redis at ${describeRedisUrl(connection.url)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { code: 'TRANSIENT', cause: error },
    );
  }
  return { client, owned: true };
}

/** Closes a connection made by {@link openRedis}; leaves a caller's client open. */
export async function closeRedis(opened: OpenedRedis): Promise<void> {
  if (!opened.owned) return;
  try {
    await opened.client.quit();
  } catch {
    opened.client.disconnect();
  }
}
