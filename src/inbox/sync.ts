/**
 * Reading the hall's inboxes into the journal: for each account whose adapter reads an inbox, read
 * from the cursor the journal holds, store each page with the cursor that follows it in one
 * transaction, and go on while the adapter says more is waiting. An interrupted sync (a crash, an
 * abort) is resumed by running it again: it starts from the last cursor stored.
 */
import type { Adapter, InboxCursor, InboxRequest } from '../adapter.js';
import { type CredentialsSource, CredentialsResolver } from '../credentials.js';
import { type ErrorCode, ReleaseHallError, toReleaseHallError } from '../errors.js';
import { type InboxEntry, hasInbox } from '../journal/inbox.js';
import type { Journal } from '../journal/journal.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Account } from '../model/hall.js';
import type { ResolvedHall } from '../model/load.js';

/** Pages read from one account in one sync at most: a bound on a backlog read in one go. */
export const INBOX_SYNC_MAX_PAGES = 100;

/** Options of {@link syncInbox}. */
export interface SyncInboxOptions {
  /** The hall whose accounts are read. */
  readonly hall: ResolvedHall;
  /** The adapters; accounts whose adapter has no `readInbox` are left out. */
  readonly adapters: readonly Adapter[];
  /** Where the accounts' secrets come from. */
  readonly credentials: CredentialsSource | CredentialsResolver;
  /** Where the items and cursors are stored (it must keep an inbox: `hasInbox`). */
  readonly journal: Journal;
  /** Read this campaign's accounts first (every account is read). */
  readonly campaignId?: string | undefined;
  /**
   * Store only items written at or after this time (ISO 8601). The cursor still moves past older
   * ones, so they are not read again.
   */
  readonly since?: string | undefined;
  /** Stops the sync between pages; what was stored stays stored. */
  readonly signal?: AbortSignal | undefined;
  /** Called once per account, when it is done. */
  readonly onProgress?: ((result: InboxSyncAccountResult) => void) | undefined;
  /** Most items read from each of an account's lists in one page. @default the adapter's default */
  readonly maxItems?: number | undefined;
  /** Where the adapters log. @default silentLogger */
  readonly logger?: Logger | undefined;
  /** Timeout of each request. @default 15_000 */
  readonly requestTimeoutMs?: number | undefined;
}

/** How an account's read ended. */
export type InboxSyncStatus =
  /** Read to the end: nothing was waiting when it stopped. */
  | 'read'
  /** Stopped by the platform's rate limit or quota: run the sync again after `retryAfterMs`. */
  | 'rate-limited'
  /** Stopped by another error (an expired token, a platform failure). */
  | 'failed'
  /** Stopped by the signal, or not started because of it. */
  | 'aborted'
  /** More was waiting after {@link INBOX_SYNC_MAX_PAGES} pages: run the sync again. */
  | 'incomplete';

/** What one account's read did. */
export interface InboxSyncAccountResult {
  readonly accountId: string;
  readonly memberId: string;
  readonly platform: string;
  readonly status: InboxSyncStatus;
  /** Items stored for the first time. */
  readonly added: number;
  /** Items read (stored already or not, older than `since` included). */
  readonly read: number;
  /** Pages stored. */
  readonly pages: number;
  /** What stopped the read, for `rate-limited` and `failed`. */
  readonly error?: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly retryAfterMs?: number;
  };
}

/** What {@link syncInbox} did. */
export interface InboxSyncSummary {
  readonly accounts: readonly InboxSyncAccountResult[];
  /** Items stored for the first time, every account's. */
  readonly added: number;
  /** True when the signal stopped the sync. */
  readonly aborted: boolean;
}

/** The accounts to read, in order: the campaign's first when one is named. */
async function accountsToRead(options: SyncInboxOptions): Promise<Account[]> {
  const readers = new Set(
    options.adapters
      .filter((adapter) => typeof adapter.readInbox === 'function')
      .map((adapter) => adapter.platform),
  );
  const accounts = options.hall.accounts.filter((account) => readers.has(account.platform));
  if (options.campaignId === undefined) return accounts;
  const deliveries = await options.journal.getDeliveries(options.campaignId);
  if (
    deliveries.length === 0 &&
    (await options.journal.getCampaign(options.campaignId)) === undefined
  ) {
    throw new ReleaseHallError(
      `[release-hall] campaign ${options.campaignId} is not in the journal: name one that \`release-hall list\` shows`,
      { code: 'INVALID_INPUT', issues: [{ path: 'campaign', message: 'unknown campaign' }] },
    );
  }
  const first = new Set(deliveries.map((record) => record.delivery.accountId));
  return [
    ...accounts.filter((account) => first.has(account.id)),
    ...accounts.filter((account) => !first.has(account.id)),
  ];
}

function resolverOf(credentials: CredentialsSource | CredentialsResolver): CredentialsResolver {
  return credentials instanceof CredentialsResolver
    ? credentials
    : new CredentialsResolver([credentials]);
}

/**
 * Reads every account's inbox into the journal and resolves with what each read did. Errors of one
 * account (a rate limit, an expired token) stop that account only; a failure of the journal stops
 * the sync and rejects.
 *
 * @throws ReleaseHallError `INVALID_INPUT` when the journal keeps no inbox or the campaign is unknown
 */
export async function syncInbox(options: SyncInboxOptions): Promise<InboxSyncSummary> {
  const { journal } = options;
  if (!hasInbox(journal)) {
    throw new ReleaseHallError(
      '[release-hall] this journal keeps no inbox (it has no putInboxPage): use a journal of release-hall',
      { code: 'INVALID_INPUT', issues: [{ path: 'journal', message: 'no inbox methods' }] },
    );
  }
  const since = options.since === undefined ? undefined : Date.parse(options.since);
  if (since !== undefined && Number.isNaN(since)) {
    throw new ReleaseHallError(
      `[release-hall] since: expected an ISO 8601 time such as 2026-11-26T09:30:00+08:00, got "${options.since}"`,
      { code: 'INVALID_INPUT', issues: [{ path: 'since', message: 'not an ISO 8601 time' }] },
    );
  }
  const adapters = new Map(options.adapters.map((adapter) => [adapter.platform, adapter]));
  const credentials = resolverOf(options.credentials);
  const signal = options.signal ?? new AbortController().signal;
  const results: InboxSyncAccountResult[] = [];

  for (const account of await accountsToRead(options)) {
    const adapter = adapters.get(account.platform);
    if (adapter?.readInbox === undefined) continue;
    const counts = { added: 0, read: 0, pages: 0 };
    const finish = (
      status: InboxSyncStatus,
      error?: InboxSyncAccountResult['error'],
    ): InboxSyncAccountResult => {
      const result: InboxSyncAccountResult = {
        accountId: account.id,
        memberId: account.memberId,
        platform: account.platform,
        status,
        ...counts,
        ...(error === undefined ? {} : { error }),
      };
      results.push(result);
      options.onProgress?.(result);
      return result;
    };
    if (signal.aborted) {
      finish('aborted');
      continue;
    }
    let secrets;
    try {
      secrets = await credentials.resolve(account, adapter.credentialFields);
    } catch (error) {
      finish('failed', errorOf(error, account));
      continue;
    }
    let status: InboxSyncStatus = 'incomplete';
    let error: InboxSyncAccountResult['error'];
    for (let page = 0; page < INBOX_SYNC_MAX_PAGES; page += 1) {
      if (signal.aborted) {
        status = 'aborted';
        break;
      }
      const cursor: InboxCursor | undefined = await journal.inboxCursor(account.id);
      const request: InboxRequest = {
        ...(cursor === undefined ? {} : { since: cursor }),
        ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
      };
      let read;
      try {
        read = await adapter.readInbox(account, request, {
          signal,
          credentials: secrets,
          logger: options.logger ?? silentLogger,
          requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
        });
      } catch (thrown) {
        if (signal.aborted) {
          status = 'aborted';
          break;
        }
        error = errorOf(thrown, account);
        status =
          error.code === 'RATE_LIMITED' || error.code === 'QUOTA_EXHAUSTED'
            ? 'rate-limited'
            : 'failed';
        break;
      }
      const entries: InboxEntry[] = read.items
        .filter((item) => since === undefined || Date.parse(item.at) >= since)
        .map((item) => ({ ...item, memberId: account.memberId }));
      counts.added += await journal.putInboxPage(account.id, entries, read.cursor);
      counts.read += read.items.length;
      counts.pages += 1;
      if (read.complete) {
        status = 'read';
        break;
      }
    }
    finish(status, error);
  }
  return {
    accounts: results,
    added: results.reduce((sum, result) => sum + result.added, 0),
    aborted: signal.aborted,
  };
}

/** The code, message and wait of an error, never a secret (adapters redact their messages). */
function errorOf(thrown: unknown, account: Account): NonNullable<InboxSyncAccountResult['error']> {
  const error = toReleaseHallError(thrown, 'TRANSIENT', {
    platform: account.platform,
    accountId: account.id,
  });
  return {
    code: error.code,
    message: error.message,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}
