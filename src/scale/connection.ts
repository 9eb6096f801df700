/** The Redis connections of the BullMQ runner and workers, and the names of their keys. */
import { Redis } from 'ioredis';
import { ReleaseHallError } from '../errors.js';
import { DEFAULT_REDIS_PREFIX } from '../journal/redis-journal-keys.js';
import { connectionIssue, describeRedisUrl } from '../redis/connect.js';

/** Where the queue is: a Redis URL or an ioredis client, a key prefix and the queue's name. */
export interface QueueConnectionOptions {
  /** `redis://…` or `rediss://…`; or pass `client`. */
  readonly url?: string | undefined;
  /** An ioredis client made with `maxRetriesPerRequest: null`; it stays the caller's. */
  readonly client?: Redis | undefined;
  /**
   * The prefix of every key, shared with the journal's (`release-hall:` by default): the queue is
   * at `<prefix>queue:<queue>:…`, the list of campaigns given to the workers at
   * `<prefix>workers:campaigns`.
   * @default 'release-hall:'
   */
  readonly prefix?: string | undefined;
  /**
   * The queue's name; a publisher and its workers must agree on it.
   * @default 'release-hall-deliveries'
   */
  readonly queue?: string | undefined;
}

/** A connection opened for the runner or a worker. */
export interface QueueConnection {
  readonly client: Redis;
  readonly prefix: string;
  /** Closes the client if it was opened here. */
  close(): Promise<void>;
  /** A new client to the same server (for a worker's blocking connection). */
  duplicate(): Redis;
}

/** Checks the options and opens (or takes) the client; `INVALID_INPUT` for bad options. */
export function openQueueConnection(
  options: QueueConnectionOptions,
  what: string,
): QueueConnection {
  const issue = connectionIssue(options);
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  if (issue !== undefined) {
    throw new ReleaseHallError(`[release-hall] invalid ${what} options: ${issue}`, {
      code: 'INVALID_INPUT',
      issues: [{ path: options.url === undefined ? 'client' : 'url', message: issue }],
    });
  }
  const owned = options.client === undefined;
  const make = (): Redis => {
    // BullMQ's workers block on Redis: a call must wait for a reconnect rather than fail.
    const client = new Redis(options.url ?? '', { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    return client;
  };
  const client = options.client ?? make();
  return {
    client,
    prefix,
    duplicate: () => {
      const copy = client.duplicate({ maxRetriesPerRequest: null });
      copy.on('error', () => undefined);
      return copy;
    },
    close: async () => {
      if (!owned) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

/** The key of the set of campaigns handed to workers (those the reconciler watches). */
export function campaignsKey(prefix: string): string {
  return `${prefix}workers:campaigns`;
}

/** The BullMQ prefix of the queue's keys. */
export function queuePrefix(prefix: string): string {
  return `${prefix}queue`;
}

/** For messages: the server without its password. */
export function describeConnection(options: QueueConnectionOptions): string {
  return options.url === undefined ? 'the Redis client given' : describeRedisUrl(options.url);
}
