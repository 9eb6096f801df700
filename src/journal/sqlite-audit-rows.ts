/** The audit table of the SQLite journal as rows: reading entries back, chaining an old table. */
import type Database from 'better-sqlite3';
import { AUDIT_GENESIS_HASH, type ChainedAuditEntry, chainAuditEntryAt } from './audit-chain.js';
import type { AuditEntry } from './journal.js';

/** A row of the audit table. `prev_hash` and `hash` are absent before the upgrade. */
export interface AuditRow {
  readonly seq: number;
  readonly campaign_id: string;
  readonly at: string;
  readonly entry: string;
  readonly prev_hash?: string | null;
  readonly hash?: string | null;
}

/** Whether the audit table has its hash columns (a journal of an earlier version has not). */
export function auditIsChained(db: Database.Database): boolean {
  const columns = db.prepare("SELECT name FROM pragma_table_info('audit')").all() as {
    name: string;
  }[];
  return columns.some((column) => column.name === 'hash');
}

/** The object a row's entry holds, or undefined when it holds none (not JSON, or not an object). */
function entryObject(row: AuditRow): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.entry);
  } catch {
    return undefined;
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}

/**
 * The entry a row holds, as found. An entry an earlier version wrote after the upgrade has no
 * number: it gets the row's (and no hash). A row that is not an entry at all keeps the row's number,
 * time, campaign and hashes, so the verification names it.
 */
export function storedEntry(row: AuditRow): ChainedAuditEntry {
  const value = entryObject(row);
  if (value !== undefined) {
    return ('seq' in value ? value : { seq: row.seq, ...value }) as unknown as ChainedAuditEntry;
  }
  return {
    seq: row.seq,
    at: row.at,
    campaignId: row.campaign_id,
    prevHash: row.prev_hash ?? '',
    hash: row.hash ?? '',
  } as unknown as ChainedAuditEntry;
}

/**
 * The entries of an audit table of an earlier version, chained in their order: numbered as their
 * rows (a gap left by a removed row stays a gap), the first linked to the genesis hash. A row that
 * does not hold an entry is left out, unchained, and the chain goes on past it.
 */
export function chainRows(
  rows: readonly AuditRow[],
): { row: AuditRow; entry: ChainedAuditEntry }[] {
  let prevHash = AUDIT_GENESIS_HASH;
  return rows.flatMap((row) => {
    const parsed = entryObject(row);
    if (parsed === undefined) return [];
    const entry = chainAuditEntryAt(row.seq, prevHash, parsed as unknown as AuditEntry);
    prevHash = entry.hash;
    return [{ row, entry }];
  });
}

/** A SHA-256 in hex. */
export const HEX64 = /^[0-9a-f]{64}$/;

/** Options of {@link SqliteJournal}. */
