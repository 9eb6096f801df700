/**
 * Sliding-window rate limits shared through Redis: at most `limit` slots of a key (an account, a
 * platform) in any `windowMs`, counted by every process that uses the same Redis and prefix.
 *
 * Each key is a sorted set of the slots that still count, scored by the time each stops counting:
 * a slot taken counts until `windowMs` (plus `holdMs`, for a call whose answer is still awaited)
 * after it was taken; once the call has answered, {@link RateWindowSlot.settle} moves that to the
 * answer time plus `windowMs` when the call landed (or may have), or frees the slot at once when it
 * certainly did not, as the in-process scheduler does. Taking a slot is one Lua script: expire the
 * slots that stopped counting, count, add or say when the oldest one stops counting. Times come from
 * the Redis server's clock, so hosts whose clocks disagree still share one window.
 *
 * A caller that finds the window full is told how long to wait (`retryInMs`): it is delayed, not
 * failed. {@link RedisRateWindows.take} does the waiting.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ReleaseHallError, toReleaseHallError } from '../errors.js';
import { LuaScript } from './lua.js';

/** The limit of one key. */
export interface RateWindowLimits {
  /** Slots allowed in any window. */
  readonly limit: number;
  /** The window, in milliseconds. */
  readonly windowMs: number;
  /**
   * How much longer than the window a slot counts while its call has not answered (a bound for a
   * process that dies before it settles). Settling replaces it with the answer time plus the window.
   * @default 0
   */
  readonly holdMs?: number | undefined;
}

/** A slot taken from a window. */
export interface RateWindowSlot {
  readonly id: string;
  /**
   * Records how the call ended: `landed` (or may have) keeps the slot counting until now plus the
   * window; a call that certainly did not land frees it at once. Settling twice does nothing.
   */
  settle(landed: boolean): Promise<void>;
}

/** The answer of {@link RedisRateWindows.acquire}. */
export type RateWindowAnswer =
  | { readonly ok: true; readonly slot: RateWindowSlot }
  | { readonly ok: false; readonly retryInMs: number };

/** Sliding windows shared through Redis. */
export interface RedisRateWindows {
  /** Takes a slot of `key` if the window has room; otherwise says how long until one frees. */
  acquire(key: string, limits: RateWindowLimits): Promise<RateWindowAnswer>;
  /** Waits (as long as the window says, again and again) until a slot is taken. Rejects on abort. */
  take(key: string, limits: RateWindowLimits, signal?: AbortSignal): Promise<RateWindowSlot>;
  /** The slots of `key` that count now. */
  count(key: string): Promise<number>;
}

/** Options of {@link createRedisRateWindows}. */
export interface RedisRateWindowsOptions {
  /** The connection; it stays the caller's (it is not closed here). */
  readonly client: Redis;
  /**
   * Prefix of every key; windows are at `<prefix>rate:<key>`.
   * @default 'release-hall:'
   */
  readonly prefix?: string | undefined;
}

/**
 * KEYS[1] the window; ARGV: slot id, limit, windowMs, holdMs. Replies `{1, 0}` when the slot was
 * taken, `{0, ms}` with the wait until the oldest slot stops counting when the window is full.
 */
const ACQUIRE = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = tonumber(ARGV[2])
local until_ms = now + tonumber(ARGV[3]) + tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], until_ms, ARGV[1])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(oldest[2]) - now)}
`);

/**
 * KEYS[1] the window; ARGV: slot id, '1' when the call landed, windowMs. A landed slot counts until
 * now plus the window (put back if it had already stopped counting); a slot that did not land goes.
 */
const SETTLE = new LuaScript(`
if ARGV[2] ~= '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
return 1
`);

/** KEYS[1] the window: the slots that count now. */
const COUNT = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`);

function aborted(key: string): ReleaseHallError {
  return new ReleaseHallError(
    `[release-hall] stopped waiting for the rate window of "${key}": aborted`,
    {
      code: 'ABORTED',
    },
  );
}

function checkLimits(key: string, limits: RateWindowLimits): void {
  const issues: { path: string; message: string }[] = [];
  if (typeof key !== 'string' || key === '')
    issues.push({ path: 'key', message: 'expected a non-empty string' });
  if (!Number.isInteger(limits.limit) || limits.limit < 1) {
    issues.push({
      path: 'limit',
      message: `expected a whole number ≥ 1, got ${String(limits.limit)}`,
    });
  }
  if (!Number.isInteger(limits.windowMs) || limits.windowMs < 1) {
    issues.push({
      path: 'windowMs',
      message: `expected a whole number of ms ≥ 1, got ${String(limits.windowMs)}`,
    });
  }
  const hold = limits.holdMs ?? 0;
  if (!Number.isInteger(hold) || hold < 0) {
    issues.push({
      path: 'holdMs',
      message: `expected a whole number of ms ≥ 0, got ${String(hold)}`,
    });
  }
  if (issues.length > 0) {
    throw new ReleaseHallError(
      `[release-hall] invalid rate window for "${key}": ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      { code: 'INVALID_INPUT', issues },
    );
  }
}

/**
 * Rate windows shared by every process using the same Redis and prefix.
 *
 * @example
 * const windows = createRedisRateWindows({ client });
 * const slot = await windows.take('weibo:1234567890', { limit: 30, windowMs: 3_600_000 });
 * const landed = await post();
 * await slot.settle(landed);
 */
export function createRedisRateWindows(options: RedisRateWindowsOptions): RedisRateWindows {
  const { client } = options;
  const prefix = options.prefix ?? 'release-hall:';
  const keyOf = (key: string): string => `${prefix}rate:${key}`;

  const slotOf = (key: string, id: string, windowMs: number): RateWindowSlot => {
    let settled = false;
    return {
      id,
      async settle(landed) {
        if (settled) return;
        settled = true;
        try {
          await SETTLE.run(client, [keyOf(key)], [id, landed ? '1' : '0', windowMs]);
        } catch (error) {
          throw toReleaseHallError(error, 'TRANSIENT');
        }
      },
    };
  };

  const acquire = async (key: string, limits: RateWindowLimits): Promise<RateWindowAnswer> => {
    checkLimits(key, limits);
    const id = randomUUID();
    let reply: unknown;
    try {
      reply = await ACQUIRE.run(
        client,
        [keyOf(key)],
        [id, limits.limit, limits.windowMs, limits.holdMs ?? 0],
      );
    } catch (error) {
      throw toReleaseHallError(error, 'TRANSIENT');
    }
    const [taken, waitMs] = reply as [number, number];
    if (taken === 1) return { ok: true, slot: slotOf(key, id, limits.windowMs) };
    return { ok: false, retryInMs: Number(waitMs) };
  };

  return {
    acquire,
    async take(key, limits, signal) {
      for (;;) {
        if (signal?.aborted === true) throw aborted(key);
        const answer = await acquire(key, limits);
        if (answer.ok) return answer.slot;
        // The oldest slot may still be waiting for its answer (it then counts until its hold
        // ends, though its settle will soon bring that forward): look again at least every
        // hundredth of the window, so a slot freed early is taken within that.
        const wait = Math.min(answer.retryInMs, Math.max(5, Math.ceil(limits.windowMs / 100)));
        try {
          await sleep(wait, undefined, signal === undefined ? {} : { signal });
        } catch (error) {
          // The sleep rejects only when the signal aborts.
          if (signal !== undefined) throw aborted(key);
          throw error;
        }
      }
    },
    async count(key) {
      try {
        return Number(await COUNT.run(client, [keyOf(key)], []));
      } catch (error) {
        throw toReleaseHallError(error, 'TRANSIENT');
      }
    },
  };
}
