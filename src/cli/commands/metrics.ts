/**
 * `release-hall metrics <campaign-id>`: reads the reach (reposts, comments, likes) of every live
 * post of the campaign now, appends the readings to the journal with the time they were read, and
 * prints a table per account with totals, or `--json`, or `--csv` (RFC 4180).
 */
import {
  type Journal,
  ReleaseHallError,
  collectReach,
  createCredentialsResolver,
  readCredentialsFile,
  readDataFile,
  reachCsv,
  reachTable,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { buildAdapters } from '../build-adapters.js';
import type { RedisFlags } from '../flags.js';
import { journalPath, openRedisJournal, redisUrl } from '../open-publisher.js';

/** Flags of `metrics`. */
export interface MetricsFlags extends RedisFlags {
  hall: string;
  credentials?: string;
  journal?: string;
  json?: boolean;
  csv?: boolean;
}

export async function metricsCommand(campaignId: string, flags: MetricsFlags): Promise<number> {
  if (flags.json === true && flags.csv === true) {
    throw new ReleaseHallError('[release-hall] --json and --csv: choose one', {
      code: 'INVALID_INPUT',
      issues: [{ path: 'csv', message: 'both --json and --csv given' }],
    });
  }
  const hallData = await readDataFile(flags.hall, 'hall');
  const adapters = buildAdapters(hallData);
  const hall = resolveHall(hallData, adapters);
  const credentialsFile = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
  if (credentialsFile !== undefined) {
    await readCredentialsFile(credentialsFile, {
      onWarning: (message) => {
        process.stderr.write(`warning: ${message}\n`);
      },
    });
  }
  const credentials = createCredentialsResolver({
    ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
    onWarning: () => undefined,
  });
  const url = redisUrl(flags);
  const journal: Journal =
    url === undefined ? new SqliteJournal(journalPath(flags)) : await openRedisJournal(flags, url);
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const collection = await collectReach({
      hall,
      adapters,
      credentials,
      journal,
      campaignId,
      signal: stop.signal,
    });
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(collection, null, 2)}\n`);
    } else if (flags.csv === true) {
      process.stdout.write(reachCsv(collection));
    } else {
      process.stdout.write(reachTable(collection));
    }
    return collection.accounts.some(
      (account) => account.status === 'failed' || account.status === 'aborted',
    )
      ? 1
      : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await journal.close();
  }
}
