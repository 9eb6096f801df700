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
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { startHallSandbox } from 'release-hall/sandbox';
import { buildAdapters } from './build-adapters.js';
import { type CommonFlags, DEFAULT_JOURNAL } from './flags.js';

/** The journal file a command works on: `--journal`, else `RELEASE_HALL_JOURNAL`, else the default. */
export function journalPath(flags: { journal?: string | undefined }): string {
  return flags.journal ?? process.env.RELEASE_HALL_JOURNAL ?? DEFAULT_JOURNAL;
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
  const journal = await openJournal(flags, options);
  let sandbox: Awaited<ReturnType<typeof startHallSandbox>> | undefined;
  try {
    sandbox = options.sandbox === true ? await startHallSandbox(hallData) : undefined;
    const adapters = buildAdapters(hallData, sandbox);
    const credentials = createCredentialsResolver({
      ...(sandbox === undefined ? {} : { resolve: sandbox.credentials }),
      ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
      // Warned about once above; the resolver reads the same file.
      onWarning: () => undefined,
    });
    const publisher = createPublisher({
      hall: resolveHall(hallData, adapters),
      adapters,
      journal,
      credentials,
      sandbox: sandbox !== undefined,
    });
    return {
      publisher,
      close: async () => {
        await journal.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await journal.close();
    await sandbox?.close();
    throw error;
  }
}
