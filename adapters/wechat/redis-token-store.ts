/**
 * A {@link TokenStore} in Redis, so every process of every host shares one access token per appid
 * (platforms.md §1.2: one central holder, or the holders knock each other's tokens out).
 *
 * - The token is a hash (`accessToken`, `expiresAt`, `refreshAt`, `fetchedAt`) that Redis drops at
 *   the end of the token's life.
 * - Single-flight across processes ({@link RedisTokenStore.shareFetch}): the process that takes the
 *   fetch lock (`SET NX PX`, a deadline of `lockMs`) fetches and stores the token; the others wait
 *   for its result, polling the store, rather than fetching. A fetch that fails is recorded for a
 *   few seconds so the processes that waited for it fail with the same error instead of each
 *   trying again. A holder that dies leaves a lock that expires at its deadline; a waiter then
 *   takes it over.
 * - Compare-and-expire ({@link RedisTokenStore.compareAndDelete}, one Lua script): after a
 *   `40001`/`42001`, the token is dropped only if the stored one is still the token that failed.
 *
 * Keys, under the prefix (default `release-hall:`): `token:<key>`, `token-lock:<key>` and
 * `token-failure:<key>`, where `<key>` is `wechat:<mode>:<appid>`. A token store needs no durable
 * Redis (a lost token is fetched again), but it must not be evicted while a lock is held.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ReleaseHallError, type ErrorCode } from '#core';
import type { StoredToken, TokenStore } from './token-holder.js';

/** Options of {@link createRedisTokenStore}. */
export type RedisTokenStoreOptions = (
  | { readonly url: string; readonly client?: undefined }
  | { readonly client: Redis; readonly url?: undefined }
) & {
  /**
   * Prefix of every key.
   * @default 'release-hall:'
   */
  readonly prefix?: string | undefined;
  /**
   * The deadline of the fetch lock: after it, a waiting process takes the fetch over (the holder
   * died or hangs). Keep it above the token fetch's timeout.
   * @default 15_000
   */
  readonly lockMs?: number | undefined;
  /**
   * How long a failed fetch is shown to the processes that waited for it.
   * @default 5_000
   */
  readonly failureMs?: number | undefined;
  /**
   * The longest pause between two looks of a waiting process (the first is 5 ms, then doubling).
   * @default 100
   */
  readonly pollMs?: number | undefined;
};

/** A failed fetch as recorded for the waiting processes (written from an error that holds no secret). */
interface RecordedFailure {
  readonly attempt: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly platform?: string;
  readonly platformCode?: string;
  readonly retryAfterMs?: number;
}

/** Stores a token; with an attempt id, also ends that attempt (lock and failure dropped). */
const STORE_TOKEN = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'accessToken', ARGV[1], 'expiresAt', ARGV[2], 'refreshAt', ARGV[3], 'fetchedAt', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if ARGV[6] ~= '' then
  if redis.call('GET', KEYS[2]) == ARGV[6] then redis.call('DEL', KEYS[2]) end
  redis.call('DEL', KEYS[3])
end
return 1
`;

/** Records a failed attempt and lets go of its lock. KEYS: lock, failure. ARGV: attempt, JSON, ms. */
const RECORD_FAILURE = `
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/** Lets go of a lock if this attempt still holds it. KEYS: lock. ARGV: attempt. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Compare-and-expire. KEYS: token. ARGV: the token that failed. Replies 1 when it dropped it. */
const COMPARE_AND_DELETE = `
if redis.call('HGET', KEYS[1], 'accessToken') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

function tokenFrom(fields: Record<string, string>): StoredToken | undefined {
  if (fields.accessToken === undefined) return undefined;
  return {
    accessToken: fields.accessToken,
    expiresAt: Number(fields.expiresAt),
    refreshAt: Number(fields.refreshAt),
    fetchedAt: Number(fields.fetchedAt),
  };
}

function recordOf(attempt: string, error: unknown): RecordedFailure {
  if (ReleaseHallError.isInstance(error)) {
    return {
      attempt,
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.platform === undefined ? {} : { platform: error.platform }),
      ...(error.platformCode === undefined ? {} : { platformCode: error.platformCode }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    };
  }
  return {
    attempt,
    code: 'TRANSIENT',
    message: `[release-hall] [wechat] token fetch failed: ${error instanceof Error ? error.message : String(error)}`,
    retryable: true,
    platform: 'wechat',
  };
}

function errorFrom(failure: RecordedFailure): ReleaseHallError {
  return new ReleaseHallError(failure.message, {
    code: failure.code,
    retryable: failure.retryable,
    platform: failure.platform,
    platformCode: failure.platformCode,
    retryAfterMs: failure.retryAfterMs,
  });
}

function storeFailure(error: unknown): ReleaseHallError {
  if (ReleaseHallError.isInstance(error)) return error;
  return new ReleaseHallError(
    `[release-hall] [wechat] the Redis token store failed: ${error instanceof Error ? error.message : String(error)}`,
    { code: 'TRANSIENT', platform: 'wechat' },
  );
}

/** A {@link TokenStore} in Redis with single-flight across processes. */
export class RedisTokenStore implements TokenStore {
  readonly #client: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #lockMs: number;
  readonly #failureMs: number;
  readonly #pollMs: number;

  constructor(options: RedisTokenStoreOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new ReleaseHallError(
        '[release-hall] invalid Redis token store options: expected either url or client, not both',
        {
          code: 'INVALID_INPUT',
          issues: [{ path: 'connection', message: 'expected either url or client' }],
        },
      );
    }
    if (options.client === undefined) {
      this.#client = new Redis(options.url);
      // Failed calls report the connection's trouble; the listener keeps ioredis from printing it.
      this.#client.on('error', () => undefined);
      this.#owned = true;
    } else {
      this.#client = options.client;
      this.#owned = false;
    }
    this.#prefix = options.prefix ?? 'release-hall:';
    this.#lockMs = options.lockMs ?? 15_000;
    this.#failureMs = options.failureMs ?? 5_000;
    this.#pollMs = options.pollMs ?? 100;
  }

  #keys(key: string): { token: string; lock: string; failure: string } {
    return {
      token: `${this.#prefix}token:${key}`,
      lock: `${this.#prefix}token-lock:${key}`,
      failure: `${this.#prefix}token-failure:${key}`,
    };
  }

  async get(key: string): Promise<StoredToken | undefined> {
    try {
      return tokenFrom(await this.#client.hgetall(this.#keys(key).token));
    } catch (error) {
      throw storeFailure(error);
    }
  }

  set(key: string, token: StoredToken): Promise<void> {
    return this.#store(key, token, '');
  }

  async #store(key: string, token: StoredToken, attempt: string): Promise<void> {
    const keys = this.#keys(key);
    try {
      await this.#client.eval(
        STORE_TOKEN,
        3,
        keys.token,
        keys.lock,
        keys.failure,
        token.accessToken,
        token.expiresAt,
        token.refreshAt,
        token.fetchedAt,
        Math.max(1, Math.round(token.expiresAt - token.fetchedAt)),
        attempt,
      );
    } catch (error) {
      throw storeFailure(error);
    }
  }

  async compareAndDelete(key: string, accessToken: string): Promise<boolean> {
    try {
      const deleted = await this.#client.eval(
        COMPARE_AND_DELETE,
        1,
        this.#keys(key).token,
        accessToken,
      );
      return deleted === 1;
    } catch (error) {
      throw storeFailure(error);
    }
  }

  /**
   * Single-flight across processes: the stored token when `isFresh` holds for it; otherwise the
   * token fetched by whichever process takes the lock (this one, or another that this one waits
   * for). The failure of a fetch this process waited for is its failure too.
   */
  async shareFetch(
    key: string,
    fetch: () => Promise<StoredToken>,
    isFresh: (token: StoredToken) => boolean,
  ): Promise<StoredToken> {
    const keys = this.#keys(key);
    /** The attempt (lock holder) this process is waiting for. */
    let awaited: string | undefined;
    let pause = 5;
    for (;;) {
      const { token, holder, failure } = await this.#look(keys);
      if (token !== undefined && isFresh(token)) return token;
      if (failure !== undefined && awaited !== undefined && failure.attempt === awaited) {
        throw errorFrom(failure);
      }
      if (holder === null) {
        const attempt = randomUUID();
        const taken = await this.#client
          .set(keys.lock, attempt, 'PX', this.#lockMs, 'NX')
          .catch((error: unknown) => {
            throw storeFailure(error);
          });
        if (taken === 'OK') return this.#fetchHolding(key, attempt, fetch, isFresh);
        continue; // another process took it first: wait for that one
      }
      if (holder !== awaited) {
        awaited = holder;
        pause = 5;
      }
      await sleep(pause);
      pause = Math.min(pause * 2, this.#pollMs);
    }
  }

  /** One consistent look at the token, the lock and the last failure. */
  async #look(keys: { token: string; lock: string; failure: string }): Promise<{
    token: StoredToken | undefined;
    holder: string | null;
    failure: RecordedFailure | undefined;
  }> {
    try {
      const replies = await this.#client
        .multi()
        .hgetall(keys.token)
        .get(keys.lock)
        .get(keys.failure)
        .exec();
      if (replies === null) throw new Error('the Redis transaction was discarded');
      const values = replies.map(([error, value]) => {
        if (error) throw error;
        return value;
      });
      const failure = values[2] as string | null;
      return {
        token: tokenFrom(values[0] as Record<string, string>),
        holder: values[1] as string | null,
        failure: failure === null ? undefined : (JSON.parse(failure) as RecordedFailure),
      };
    } catch (error) {
      throw storeFailure(error);
    }
  }

  /** Fetches while holding the lock; stores the token, or records the failure for the waiters. */
  async #fetchHolding(
    key: string,
    attempt: string,
    fetch: () => Promise<StoredToken>,
    isFresh: (token: StoredToken) => boolean,
  ): Promise<StoredToken> {
    const keys = this.#keys(key);
    let token: StoredToken;
    try {
      // Double-checked: the previous holder may have stored it just before this one took the lock.
      const again = await this.get(key);
      if (again !== undefined && isFresh(again)) {
        await this.#client.eval(RELEASE_LOCK, 1, keys.lock, attempt);
        return again;
      }
      token = await fetch();
    } catch (error) {
      const failure = JSON.stringify(recordOf(attempt, error));
      await this.#client
        .eval(RECORD_FAILURE, 2, keys.lock, keys.failure, attempt, failure, this.#failureMs)
        .catch(() => undefined); // the lock's deadline frees it anyway
      throw error;
    }
    await this.#store(key, token, attempt);
    return token;
  }

  /** Closes the connection if the store made it (from `url`); a client handed over stays open. */
  async close(): Promise<void> {
    if (!this.#owned) return;
    try {
      await this.#client.quit();
    } catch {
      this.#client.disconnect();
    }
  }
}

/**
 * A Redis token store for the WeChat adapter (`createWechatAdapter({ tokenStore })`): one token
 * per appid for every process using the same Redis and prefix.
 *
 * @example
 * const tokenStore = createRedisTokenStore({ url: 'redis://10.0.0.5:6379' });
 * const wechat = createWechatAdapter({ tokenStore });
 */
export function createRedisTokenStore(options: RedisTokenStoreOptions): RedisTokenStore {
  return new RedisTokenStore(options);
}
