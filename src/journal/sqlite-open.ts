/**
 * Opening a journal file safely: a file that is not a release-hall journal (another application's
 * SQLite database, a text file) is refused untouched, and a read-only open never creates or
 * changes a file.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ReleaseHallError } from '../errors.js';

/** `PRAGMA application_id` of a release-hall journal ("RHJ1"). */
export const JOURNAL_APPLICATION_ID = 0x52484a31;

/** The tables every journal has; a read-only open refuses a database without them. */
const REQUIRED_TABLES = new Set(['campaigns', 'deliveries', 'transitions', 'audit']);

/**
 * The tables of a journal (`outbox` since webhooks, `inbox` and `inbox_cursors` since the inbox);
 * a database holding any other is not one.
 */
const JOURNAL_TABLES = new Set([
  ...REQUIRED_TABLES,
  'outbox',
  'inbox',
  'inbox_cursors',
  // `reach` since reach readings; `replies` since replying to the inbox; `inbox_assignments`
  // since routing items to members.
  'inbox_assignments',
  'reach',
  'replies',
]);

const SQLITE_HEADER = 'SQLite format 3\u0000';

function refuse(path: string, why: string): ReleaseHallError {
  return new ReleaseHallError(
    `[release-hall] ${path} is not a release-hall journal (${why}); it was left untouched: name another file with --journal`,
    { code: 'INVALID_INPUT', issues: [{ path: 'journal', message: why }] },
  );
}

/** Reads the first bytes of a file: an SQLite database starts with its format string. */
function startsLikeSqlite(path: string): boolean {
  const descriptor = openSync(path, 'r');
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(descriptor, header, 0, header.length, 0);
    return read === header.length && header.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(descriptor);
  }
}

/** Refuses a database that holds tables of its own or another application's id. */
function checkIdentity(db: Database.Database, path: string, readOnly: boolean): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tables = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[]
  ).map((row) => row.name);
  if (applicationId !== 0 && applicationId !== JOURNAL_APPLICATION_ID) {
    throw refuse(path, `an SQLite database of another application (id ${applicationId})`);
  }
  const foreign = tables.filter((name) => !JOURNAL_TABLES.has(name));
  if (foreign.length > 0) {
    throw refuse(path, `an SQLite database with other tables: ${foreign.slice(0, 5).join(', ')}`);
  }
  if (readOnly && [...REQUIRED_TABLES].some((name) => !tables.includes(name))) {
    throw refuse(path, 'an SQLite database without the journal tables');
  }
}

/**
 * Opens the database of a journal. Writable: creates the file (and its folder) when missing.
 * Read-only: the file must exist and nothing is written to it. Either way, a file that is not a
 * release-hall journal is refused with `INVALID_INPUT` before anything is written.
 */
export function openJournalDatabase(
  path: string,
  options: { readonly readOnly?: boolean; readonly busyTimeoutMs?: number } = {},
): Database.Database {
  const inMemory = path === ':memory:';
  const exists = !inMemory && existsSync(path);
  if (exists && statSync(path).isDirectory()) throw refuse(path, 'a folder');
  if (exists && statSync(path).size > 0 && !startsLikeSqlite(path)) {
    throw refuse(path, 'not an SQLite database');
  }
  if (options.readOnly === true && !inMemory && !exists) {
    throw new ReleaseHallError(
      `[release-hall] no journal at ${path}: name the journal with --journal (or RELEASE_HALL_JOURNAL)`,
      { code: 'INVALID_INPUT', issues: [{ path: 'journal', message: `no file at ${path}` }] },
    );
  }
  if (!inMemory && !exists) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(
    path,
    options.readOnly === true ? { readonly: true, fileMustExist: true } : {},
  );
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    checkIdentity(db, path, options.readOnly === true);
    if (options.readOnly !== true) db.pragma(`application_id = ${JOURNAL_APPLICATION_ID}`);
  } catch (error) {
    db.close();
    if (ReleaseHallError.isInstance(error)) throw error;
    throw refuse(path, error instanceof Error ? error.message : String(error));
  }
  return db;
}
