/** The inbox of the SQLite journal in a file written before the inbox, and the ages of items. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REPLY_DEADLINE_MS, type StoredInboxItem, inboxItemAges } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';

describe('the SQLite inbox', () => {
  it('a journal without the inbox tables opens read-only with an empty inbox, untouched', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rh-inbox-old-')), 'journal.db');
    await new SqliteJournal(file).close();
    const db = new Database(file);
    db.exec('DROP TABLE inbox; DROP TABLE inbox_cursors; DROP TABLE inbox_assignments');
    db.close();
    const reader = new SqliteJournal(file, { readOnly: true });
    expect(await reader.listInbox()).toEqual([]);
    expect(await reader.inboxCursor('a/weibo')).toBeUndefined();
    await expect(reader.putInboxPage('a/weibo', [], { list: '1' })).rejects.toMatchObject({
      code: 'TRANSIENT',
    });
    await reader.close();
    const check = new Database(file, { readonly: true });
    const tables = check
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'inbox%'")
      .all();
    check.close();
    expect(tables).toEqual([]);
    // Opened to write, the tables are made.
    const writer = new SqliteJournal(file);
    expect(await writer.putInboxPage('a/weibo', [], { list: '1' })).toBe(0);
    expect(await writer.inboxCursor('a/weibo')).toEqual({ list: '1' });
    await writer.close();
  });
});

describe('the SQLite inbox of the version before assignments', () => {
  it('lists its items read-only, none assigned; opened to write, assignments work', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rh-inbox-noassign-')), 'journal.db');
    const first = new SqliteJournal(file);
    const entry = {
      platform: 'weibo',
      accountId: 'a/weibo',
      memberId: 'a',
      kind: 'comment' as const,
      remoteId: '501',
      author: { name: '市民' },
      text: '请问？',
      at: '2026-11-26T02:00:00.000Z',
    };
    await first.putInboxItems([entry]);
    await first.close();
    const db = new Database(file);
    db.exec('DROP TABLE inbox_assignments');
    db.close();
    const reader = new SqliteJournal(file, { readOnly: true });
    expect((await reader.listInbox()).map((item) => item.remoteId)).toEqual(['501']);
    expect(await reader.listInbox({ assignedTo: 'b' })).toEqual([]);
    await reader.close();
    const writer = new SqliteJournal(file);
    expect(await writer.assignInbox(entry, 'b', '2026-11-26T03:00:00.000Z')).toBe(true);
    expect((await writer.listInbox({ assignedTo: 'b' }))[0]).toMatchObject({
      remoteId: '501',
      assignedTo: 'b',
    });
    await writer.close();
  });
});

describe('inboxItemAges', () => {
  const item = (at: string, answeredAt?: string): StoredInboxItem => ({
    platform: 'weibo',
    accountId: 'a/weibo',
    memberId: 'a',
    kind: 'comment',
    remoteId: at,
    author: { name: '市民' },
    text: '问',
    at,
    storedAt: at,
    ...(answeredAt === undefined ? {} : { answeredAt }),
  });
  it('flags the unanswered items older than the deadline (24 h by default)', () => {
    const now = new Date('2026-11-27T12:00:00.000Z');
    const ages = inboxItemAges(
      [
        item('2026-11-27T11:00:00.000Z'),
        item('2026-11-26T11:00:00.000Z'),
        item('2026-11-26T11:00:00.000Z', '2026-11-26T12:00:00.000Z'),
        item('2026-11-28T00:00:00.000Z'),
      ],
      now,
    );
    expect(ages.map((age) => [age.ageMs, age.overdue])).toEqual([
      [3_600_000, false],
      [25 * 3_600_000, true],
      [25 * 3_600_000, false],
      [0, false],
    ]);
    expect(DEFAULT_REPLY_DEADLINE_MS).toBe(24 * 3_600_000);
    expect(inboxItemAges([item('2026-11-27T11:00:00.000Z')], now, 1_000)[0]?.overdue).toBe(true);
  });
});
