/**
 * What the listening commands (`inbox sync`, `inbox reply`, `metrics`) open: the hall with its
 * adapters, the credentials (the file read once first, so a bad one is one error), the journal
 * (SQLite, or Redis with `--redis`), and a stop signal for SIGINT and SIGTERM. When the hall has
 * `webhooks`, the journal is subscribed to them, so what the command stores (a new inbox item:
 * `inbox.item`) writes its events with it, for a `serve` on the same journal to send.
 */
import {
  type Adapter,
  type CredentialsResolver,
  type Journal,
  type ResolvedHall,
  createCredentialsResolver,
  readCredentialsFile,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { hasOutbox } from 'release-hall/webhooks';
import { buildAdapters } from './build-adapters.js';
import type { RedisFlags } from './flags.js';
import { journalPath, openRedisJournal, redisUrl } from './open-publisher.js';

/** The flags every listening command takes. */
export interface HallWorkFlags extends RedisFlags {
  hall: string;
  credentials?: string;
  journal?: string;
}

/** What a listening command works with; `close` lets the signals go and closes the journal. */
export interface HallWork {
  readonly hall: ResolvedHall;
  readonly adapters: Adapter[];
  readonly credentials: CredentialsResolver;
  readonly journal: Journal;
  /** Aborted on SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  readonly close: () => Promise<void>;
}

/** Opens the hall, credentials, journal and stop signal of a listening command. */
export async function openHallWork(flags: HallWorkFlags): Promise<HallWork> {
  const hallData = await readDataFile(flags.hall, 'hall');
  const adapters = buildAdapters(hallData);
  const hall = resolveHall(hallData, adapters);
  const credentialsFile = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
  if (credentialsFile !== undefined) {
    await readCredentialsFile(credentialsFile, {
      onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
    });
  }
  const credentials = createCredentialsResolver({
    ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
    // Warned about once above; the resolver reads the same file.
    onWarning: () => undefined,
  });
  const url = redisUrl(flags);
  const journal: Journal =
    url === undefined ? new SqliteJournal(journalPath(flags)) : await openRedisJournal(flags, url);
  const webhooks = hall.hall.webhooks ?? [];
  // Writing the rows needs only which endpoint wants which event; the secrets stay with `serve`.
  if (webhooks.length > 0 && hasOutbox(journal)) {
    journal.subscribeOutbox(
      webhooks.map((webhook) => ({ webhookId: webhook.id, events: webhook.events })),
    );
  }
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    hall,
    adapters,
    credentials,
    journal,
    signal: stop.signal,
    close: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await journal.close();
    },
  };
}
