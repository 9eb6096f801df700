/**
 * The audit log of the CLI's journal, read for `audit verify`, `audit export` and `audit head`:
 * the journal is opened read-only (never created, never written; a file that is not a journal is
 * refused untouched), read whole, and closed.
 */
import { type ChainedAuditEntry, type Journal, ReleaseHallError } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { journalPath } from '../open-publisher.js';

/**
 * The whole audit log of a journal.
 * @throws ReleaseHallError `INVALID_INPUT` when the journal keeps no chained log (a journal of
 * another maker without `auditLog`, or a journal of an earlier version not upgraded yet).
 */
export function auditLogOf(journal: Journal, path: string): Promise<readonly ChainedAuditEntry[]> {
  if (journal.auditLog === undefined) {
    return Promise.reject(
      new ReleaseHallError(
        `[release-hall] the journal at ${path} keeps no hash-chained audit log (its store has no auditLog method): its audit trail cannot be verified, exported or anchored`,
        { code: 'INVALID_INPUT', issues: [{ path: 'journal', message: 'no auditLog' }] },
      ),
    );
  }
  return journal.auditLog();
}

/** The journal's path and its whole audit log, read-only. */
export async function readAuditLog(flags: {
  journal?: string | undefined;
}): Promise<{ path: string; entries: readonly ChainedAuditEntry[] }> {
  const path = journalPath(flags);
  const journal: Journal = new SqliteJournal(path, { readOnly: true });
  try {
    return { path, entries: await auditLogOf(journal, path) };
  } finally {
    await journal.close();
  }
}
