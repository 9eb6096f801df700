/** The journal contract on the in-memory and SQLite journals (Redis: redis-journal.test.ts). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryJournal } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { describeJournalContract } from './journal-contract.js';

describeJournalContract('in memory', () => Promise.resolve(new MemoryJournal()));

const dir = mkdtempSync(join(tmpdir(), 'rh-contract-'));
let files = 0;
describeJournalContract('SQLite', () =>
  Promise.resolve(new SqliteJournal(join(dir, `journal-${files++}.db`), { commitWindowMs: 1 })),
);
