/**
 * Is this Redis safe to keep a journal in? A change the journal acknowledged must survive a crash
 * of the server and must never be evicted:
 *
 * - `appendonly yes`: without the append-only file, a restart loses everything since the last
 *   snapshot (or everything, when snapshots are off);
 * - `appendfsync always`: each write is on disk before Redis answers it; `everysec` (the default)
 *   may lose the last second of acknowledged changes, `no` leaves it to the kernel;
 * - `maxmemory-policy noeviction`: under memory pressure Redis refuses writes instead of deleting
 *   keys; any other policy may delete journal entries, rate windows or token locks.
 *
 * The settings are read with `CONFIG GET`. Managed services often disable `CONFIG`; then nothing
 * can be checked, and the caller must say it accepts that (`unsafe: true`).
 */
import type { Redis } from 'ioredis';
import { ReleaseHallError, toReleaseHallError } from '../errors.js';
import type { Logger } from '../logger.js';

/** A setting the journal requires, with the value it needs and why. */
export interface RedisRequirement {
  readonly setting: 'appendonly' | 'appendfsync' | 'maxmemory-policy';
  readonly required: string;
  readonly why: string;
}

/** The settings checked, in the order they are reported. */
export const REDIS_REQUIREMENTS: readonly RedisRequirement[] = [
  {
    setting: 'appendonly',
    required: 'yes',
    why: 'without the append-only file a restart loses the journal',
  },
  {
    setting: 'appendfsync',
    required: 'always',
    why: 'each change must be on disk before Redis acknowledges it',
  },
  {
    setting: 'maxmemory-policy',
    required: 'noeviction',
    why: 'any other policy may delete journal entries when memory runs short',
  },
];

/** One setting that is not as required. */
export interface RedisDurabilityProblem extends RedisRequirement {
  /** The value the server reported (absent when it reported none). */
  readonly found?: string;
}

/** What {@link checkRedisDurability} found. */
export interface RedisDurability {
  /** True when every required setting was read and is as required. */
  readonly safe: boolean;
  /** False when the server refused `CONFIG GET` (typical of managed Redis): nothing was checked. */
  readonly configReadable: boolean;
  /** The settings that are not as required (empty when safe or when nothing could be read). */
  readonly problems: readonly RedisDurabilityProblem[];
  /** Why `CONFIG GET` was refused, when it was. */
  readonly configError?: string;
}

/** The server's reply to CONFIG GET, as a flat list (RESP2 shape) or an object (RESP3 mapping). */
function readConfigReply(reply: unknown): Map<string, string> {
  const values = new Map<string, string>();
  if (Array.isArray(reply)) {
    for (let index = 0; index + 1 < reply.length; index += 2) {
      values.set(String(reply[index]), String(reply[index + 1]));
    }
  } else if (typeof reply === 'object' && reply !== null) {
    for (const [name, value] of Object.entries(reply)) values.set(name, String(value));
  }
  return values;
}

/** A `CONFIG` refused by the server (renamed away, or not allowed to this user). */
function isConfigRefused(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /unknown command|NOPERM|no permissions|not allowed|disabled/i.test(message);
}

/**
 * Reads `appendonly`, `appendfsync` and `maxmemory-policy` and says which are not as the journal
 * requires. A server that refuses `CONFIG GET` is reported with `configReadable: false`. Rejects
 * only when Redis cannot be reached (`TRANSIENT`).
 */
export async function checkRedisDurability(client: Redis): Promise<RedisDurability> {
  let reply: unknown;
  try {
    reply = await client.call('CONFIG', 'GET', ...REDIS_REQUIREMENTS.map((item) => item.setting));
  } catch (error) {
    if (!isConfigRefused(error)) throw toReleaseHallError(error, 'TRANSIENT');
    return {
      safe: false,
      configReadable: false,
      problems: [],
      configError: error instanceof Error ? error.message : String(error),
    };
  }
  const values = readConfigReply(reply);
  const problems: RedisDurabilityProblem[] = [];
  for (const requirement of REDIS_REQUIREMENTS) {
    const found = values.get(requirement.setting);
    if (found?.toLowerCase() === requirement.required) continue;
    problems.push(found === undefined ? { ...requirement } : { ...requirement, found });
  }
  return { safe: problems.length === 0, configReadable: true, problems };
}

/** The fix for every requirement, as one line of configuration each. */
const FIX = REDIS_REQUIREMENTS.map((item) => `${item.setting} ${item.required}`).join(', ');

/** A plain-words account of what is wrong, naming each setting and its fix. */
export function describeDurability(durability: RedisDurability): string {
  if (!durability.configReadable) {
    return `the server refuses CONFIG GET (${durability.configError ?? 'refused'}), as managed Redis services often do, so its settings cannot be checked: the service must run with ${FIX}`;
  }
  const lines = durability.problems.map(
    (problem) =>
      `${problem.setting} is ${problem.found === undefined ? 'not reported' : `"${problem.found}"`}: set \`${problem.setting} ${problem.required}\` (${problem.why})`,
  );
  return lines.join('; ');
}

/** Options of {@link requireRedisDurability}. */
export interface RequireDurabilityOptions {
  /**
   * Accept a server that is not (or cannot be shown to be) durable: a loud warning is logged
   * instead of refusing. Acknowledged changes may then be lost in a crash.
   * @default false
   */
  readonly unsafe?: boolean | undefined;
  /** Where the warning goes. @default process.emitWarning */
  readonly logger?: Logger | undefined;
  /** What is being opened, for messages. @default 'the journal' */
  readonly what?: string | undefined;
}

/**
 * Refuses (`INVALID_INPUT`, one issue per setting) a Redis that is not durable, unless `unsafe`
 * is set: then it warns, loudly, and goes on.
 */
export async function requireRedisDurability(
  client: Redis,
  options: RequireDurabilityOptions = {},
): Promise<RedisDurability> {
  const durability = await checkRedisDurability(client);
  if (durability.safe) return durability;
  const what = options.what ?? 'the journal';
  const account = describeDurability(durability);
  if (options.unsafe === true) {
    const message = `[release-hall] UNSAFE: ${what} is kept in a Redis that may lose acknowledged changes: ${account}`;
    if (options.logger === undefined) {
      process.emitWarning(message, { code: 'RELEASE_HALL_REDIS_UNSAFE' });
    } else {
      options.logger.warn(message, { unsafe: true });
    }
    return durability;
  }
  const issues = durability.configReadable
    ? durability.problems.map((problem) => ({
        path: `redis.${problem.setting}`,
        message: `expected ${problem.required}, found ${problem.found ?? 'nothing'}`,
      }))
    : [{ path: 'redis', message: 'CONFIG GET refused: the settings cannot be checked' }];
  const way = durability.configReadable
    ? 'or pass unsafe: true to accept losing acknowledged changes'
    : 'once that is made sure in the service settings, pass unsafe: true';
  throw new ReleaseHallError(
    `[release-hall] refusing to open ${what} in this Redis: ${account}; ${way}`,
    { code: 'INVALID_INPUT', issues },
  );
}
