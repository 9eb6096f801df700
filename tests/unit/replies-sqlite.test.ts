/** The replies of the SQLite journal in a file written before replies existed. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type ReplyRecord, replyKey } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';

const record: ReplyRecord = {
  key: replyKey({ platform: 'weibo', accountId: 'a/weibo', remoteId: '21' }, '您好'),
  platform: 'weibo',
  accountId: 'a/weibo',
  memberId: 'a',
  itemRemoteId: '21',
  text: '您好',
  state: 'planned',
  version: 1,
  attempts: 0,
  createdAt: '2026-11-26T02:00:00.000Z',
  updatedAt: '2026-11-26T02:00:00.000Z',
};

describe('the SQLite replies', () => {
  it('a journal without the replies table opens read-only with no replies, untouched; opened to write, it gets the table', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rh-replies-old-')), 'journal.db');
    await new SqliteJournal(file).close();
    const db = new Database(file);
    db.exec('DROP TABLE replies');
    db.close();
    const reader = new SqliteJournal(file, { readOnly: true });
    expect(await reader.listReplies()).toEqual([]);
    expect(await reader.getReply(record.key)).toBeUndefined();
    await reader.close();
    const check = new Database(file, { readonly: true });
    const tables = check
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'replies'")
      .all();
    check.close();
    expect(tables).toEqual([]);
    const writer = new SqliteJournal(file);
    expect(await writer.planReply(record)).toEqual(record);
    await writer.close();
    const again = new SqliteJournal(file, { readOnly: true });
    expect(await again.listReplies()).toEqual([record]);
    await again.close();
  });
});
