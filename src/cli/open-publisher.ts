/** Opens a publisher for a command: the hall's adapters, the durable journal, a sandbox if asked. */
import { existsSync } from 'node:fs';
import {
  type Journal,
  MemoryJournal,
  type Publisher,
  createCredentialsResolver,
  createPublisher,
  readCredentialsFile,
  readDataFile,
  resolveHall,
  silentLogger,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createRedisJournal } from 'release-hall/journal/redis';
import { type BullmqRunner, createBullmqRunner } from 'release-hall/bullmq';
import { invalidInput } from 'release-hall/adapter-kit';
import { startHallSandbox } from 'release-hall/sandbox';
import { buildAdapters } from './build-adapters.js';
import { type CommonFlags, DEFAULT_JOURNAL, type RedisFlags } from './flags.js';

/** The journal file a command works on: `--journal`, else `RELEASE_HALL_JOURNAL`, else the default. */
export function journalPath(flags: { journal?: string | undefined }): string {
  return flags.journal ?? process.env.RELEASE_HALL_JOURNAL ?? DEFAULT_JOURNAL;
}

/** The Redis server of a command: `--redis`, else `RELEASE_HALL_REDIS`, else none. */
export function redisUrl(flags: RedisFlags): string | undefined {
  return flags.redis ?? (process.env.RELEASE_HALL_REDIS || undefined);
}

/** The Redis journal of a command (refused on a server that may lose writes, unless told). */
export function openRedisJournal(flags: RedisFlags, url: string): Promise<Journal> {
  return createRedisJournal({
    url,
    unsafe: flags.unsafeRedis === true,
    logger: {
      ...silentLogger,
      warn: (message: string) => process.stderr.write(`warning: ${message}\n`),
    },
  });
}

/** The journal a reading command (`list`, `status`, `audit`) reads: Redis or the SQLite file. */
export async function openReadJournal(
  flags: RedisFlags & { journal?: string | undefined },
): Promise<Journal & { readonly path?: string }> {
  const url = redisUrl(flags);
  if (url !== undefined) return Object.assign(await openRedisJournal(flags, url), { path: url });
  return new SqliteJournal(journalPath(flags), { readOnly: true });
}

/**
 * The journal of a command, opened before anything starts so that a bad file stops the command
 * first. A sandbox run keeps its journal in memory unless one is named (the sandbox is gone
 * afterwards). A dry run and a preview never create or write a journal file: they read it when it
 * exists (a file that is not a journal is refused as publish would refuse it).
 */
async function openJournal(
  flags: CommonFlags,
  options: { sandbox?: boolean; dryRun?: boolean; readOnly?: boolean },
): Promise<Journal> {
  const path = journalPath(flags);
  const url = redisUrl(flags);
  if (url !== undefined) {
    if (options.sandbox === true) {
      throw invalidInput('flags', [
        {
          path: 'redis',
          message:
            'a sandbox lives in this process only: rehearse without --redis, or point the hall at `release-hall sandbox` servers',
        },
      ]);
    }
    // A dry run records nothing: it needs no journal, let alone the shared one.
    return options.dryRun === true ? new MemoryJournal() : openRedisJournal(flags, url);
  }
  if (options.sandbox === true && flags.journal === undefined) return new MemoryJournal();
  if (options.dryRun === true) {
    // Checked as publish would check it, then left alone: a dry run records nothing.
    if (existsSync(path)) await new SqliteJournal(path, { readOnly: true }).close();
    return new MemoryJournal();
  }
  if (options.readOnly === true) {
    return existsSync(path) ? new SqliteJournal(path, { readOnly: true }) : new MemoryJournal();
  }
  return new SqliteJournal(path);
}

/** Opens a publisher for a hall file: adapters from its settings, the durable journal. */
export async function openPublisher(
  flags: CommonFlags,
  options: { sandbox?: boolean; dryRun?: boolean; readOnly?: boolean } = {},
): Promise<{ publisher: Publisher; close: () => Promise<void> }> {
  const hallData = await readDataFile(flags.hall, 'hall');
  // Check the hall before starting anything, so a bad file exits 2 with every path named.
  resolveHall(hallData, buildAdapters(hallData));
  const warn = (message: string): void => {
    process.stderr.write(`warning: ${message}\n`);
  };
  // A missing or malformed credentials file is one error now, not one per delivery later.
  const credentialsFile = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
  if (credentialsFile !== undefined)
    await readCredentialsFile(credentialsFile, { onWarning: warn });
  if (flags.wait === false && redisUrl(flags) === undefined) {
    throw invalidInput('flags', [
      {
        path: 'wait',
        message:
          '--no-wait hands the campaign to workers: name their Redis server with --redis (or RELEASE_HALL_REDIS)',
      },
    ]);
  }
  const journal = await openJournal(flags, options);
  let sandbox: Awaited<ReturnType<typeof startHallSandbox>> | undefined;
  let runner: BullmqRunner | undefined;
  try {
    sandbox = options.sandbox === true ? await startHallSandbox(hallData) : undefined;
    const adapters = buildAdapters(hallData, sandbox);
    const credentials = createCredentialsResolver({
      ...(sandbox === undefined ? {} : { resolve: sandbox.credentials }),
      ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
      // Warned about once above; the resolver reads the same file.
      onWarning: () => undefined,
    });
    const url = redisUrl(flags);
    // With --redis, campaigns are handed to the workers (a dry run and a preview send nothing).
    runner =
      url === undefined || options.dryRun === true || options.readOnly === true
        ? undefined
        : createBullmqRunner({ url, wait: flags.wait !== false });
    const publisher = createPublisher({
      hall: resolveHall(hallData, adapters),
      adapters,
      journal,
      credentials,
      sandbox: sandbox !== undefined,
      ...(runner === undefined ? {} : { runner }),
    });
    return {
      publisher,
      close: async () => {
        await runner?.close();
        await journal.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await runner?.close();
    await journal.close();
    await sandbox?.close();
    throw error;
  }
}
