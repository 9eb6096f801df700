/**
 * `inbox.item` rows are written in the same change as the item: in SQLite an outbox insert that
 * fails takes the items and the cursor back with it; in Redis two processes storing the same page
 * at once store and announce each item once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxEntry } from 'release-hall';
import { RedisJournal } from 'release-hall/journal/redis';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import type { OutboxSubscription } from 'release-hall/webhooks';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';

const entry = (remoteId: string): InboxEntry => ({
  platform: 'wechat',
  accountId: 'a/wechat',
  memberId: 'a',
  kind: 'message',
  remoteId,
  author: { id: `open${remoteId}`, name: `粉丝${remoteId}` },
  text: `留言 ${remoteId}`,
  at: '2026-11-26T02:10:00.000Z',
});

const subscriptions: readonly OutboxSubscription[] = [{ webhookId: 'cms', events: ['inbox.item'] }];

describe('SQLite journal: inbox.item rows and items commit together', () => {
  it('stores neither the items, the cursor nor the rows when the outbox insert fails', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rh-inbox-events-')), 'journal.db');
    const journal = new SqliteJournal(file, { commitWindowMs: 1 });
    journal.subscribeOutbox(subscriptions);
    expect(await journal.putInboxPage('a/wechat', [entry('1')], { m: '1' })).toBe(1);
    const side = new Database(file);
    side.exec(
      "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END",
    );
    await expect(
      journal.putInboxPage('a/wechat', [entry('1'), entry('2'), entry('3')], { m: '3' }),
    ).rejects.toThrow(/outbox refused/);
    await expect(journal.putInboxItems([entry('4')])).rejects.toThrow(/outbox refused/);
    expect((await journal.listInbox()).map((item) => item.remoteId)).toEqual(['1']);
    expect(await journal.inboxCursor('a/wechat')).toEqual({ m: '1' });
    expect(await journal.listOutbox(10)).toHaveLength(1);
    // An item stored already writes no row, so the trigger is not reached.
    expect(await journal.putInboxItems([entry('1')])).toBe(0);
    side.exec('DROP TRIGGER refuse_outbox');
    side.close();
    expect(await journal.putInboxPage('a/wechat', [entry('2'), entry('3')], { m: '3' })).toBe(2);
    const rows = await journal.listOutbox(10);
    expect(rows.map((row) => (JSON.parse(row.payload) as { itemId: string }).itemId)).toEqual([
      '1',
      '2',
      '3',
    ]);
    await journal.close();
  });
});

describe('Redis journal: inbox.item rows and items in one script', () => {
  let server: RedisTestServer;
  const clients: Redis[] = [];
  const connect = (): Redis => {
    const client = new Redis(server.url);
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });

  it('announces each item once when two processes store the same page at once', async () => {
    const prefix = `inbox-events-${randomUUID()}:`;
    const first = new RedisJournal(connect(), { prefix });
    const second = new RedisJournal(connect(), { prefix });
    first.subscribeOutbox(subscriptions);
    second.subscribeOutbox(subscriptions);
    const page = Array.from({ length: 20 }, (_, index) => entry(String(index + 1)));
    const added = await Promise.all([
      first.putInboxPage('a/wechat', page, { m: '20' }),
      second.putInboxPage('a/wechat', [...page].reverse(), { m: '20' }),
      first.putInboxItems(page.slice(5, 15)),
      second.putInboxItems(page.slice(10)),
    ]);
    expect(added.reduce((sum, n) => sum + n, 0)).toBe(20);
    const rows = await first.listOutbox(100);
    const ids = rows.map((row) => (JSON.parse(row.payload) as { itemId: string }).itemId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect((await second.listInbox()).length).toBe(20);
    expect(await second.dueOutbox('2999-01-01T00:00:00.000Z', 100)).toHaveLength(20);
  });

  it('appends no row for a journal that is not subscribed, while another one is', async () => {
    const prefix = `inbox-events-${randomUUID()}:`;
    const plain = new RedisJournal(connect(), { prefix });
    const subscribed = new RedisJournal(connect(), { prefix });
    subscribed.subscribeOutbox(subscriptions);
    expect(await plain.putInboxItems([entry('1')])).toBe(1);
    expect(await subscribed.putInboxItems([entry('1'), entry('2')])).toBe(1);
    const rows = await plain.listOutbox(10);
    expect(rows.map((row) => (JSON.parse(row.payload) as { itemId: string }).itemId)).toEqual([
      '2',
    ]);
  });
});
