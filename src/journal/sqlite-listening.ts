/**
 * The listening side of the SQLite journal: inbox items and cursors, reach readings, replies.
 * Synchronous: the journal wraps each call. A journal of an earlier version opened read-only may
 * lack these tables: reads then find nothing.
 */
import type Database from 'better-sqlite3';
import type { InboxCursor, InboxItem } from '../adapter.js';
import {
  type InboxEntry,
  type InboxFilter,
  type StoredInboxItem,
  storedInboxItems,
} from './inbox.js';
import type { SqliteOutbox } from './sqlite-outbox.js';
import { type ReachReading, oldestReadingFirst, storedReachReading } from './reach.js';
import {
  type ReplyChange,
  type ReplyFilter,
  type ReplyRecord,
  changedReply,
  matchesReplyFilter,
} from './replies.js';

/** A row of the inbox table as read back. */
interface InboxTableRow {
  readonly item: string;
  readonly answered_at: string | null;
  readonly assigned_to: string | null;
  readonly assigned_at: string | null;
}

function inboxItemFrom(row: InboxTableRow): StoredInboxItem {
  const item = JSON.parse(row.item) as StoredInboxItem;
  return {
    ...item,
    ...(row.answered_at === null ? {} : { answeredAt: row.answered_at }),
    ...(row.assigned_to === null || row.assigned_at === null
      ? {}
      : { assignedTo: row.assigned_to, assignedAt: row.assigned_at }),
  };
}

/** Inbox, reach and replies of one SQLite journal. */
export class SqliteListening {
  readonly #db: Database.Database;
  /** Where an item stored for the first time writes its `inbox.item` rows. */
  readonly #outbox: SqliteOutbox | undefined;

  constructor(db: Database.Database, outbox?: SqliteOutbox) {
    this.#db = db;
    this.#outbox = outbox;
  }

  /** Whether every one of these tables exists. */
  #hasTables(...names: readonly string[]): boolean {
    const found = this.#db
      .prepare(
        `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (${names.map(() => '?').join(', ')})`,
      )
      .get(...names) as { n: number };
    return found.n === names.length;
  }

  /** The campaign of the delivery that made `postId`: the account's own first, then any. */
  #campaignOfPost(accountId: string, postId: string | undefined): string | undefined {
    if (postId === undefined) return undefined;
    const row = this.#db
      .prepare(
        "SELECT campaign_id FROM deliveries WHERE json_extract(record, '$.remoteId') = ? ORDER BY json_extract(record, '$.delivery.accountId') = ? DESC LIMIT 1",
      )
      .get(postId, accountId) as { campaign_id: string } | undefined;
    return row?.campaign_id;
  }

  /**
   * Inserts the items not stored yet, each with its `inbox.item` rows (inside the caller's
   * transaction); returns how many.
   */
  #insertInbox(items: readonly InboxEntry[]): number {
    const storedAt = new Date().toISOString();
    const insert = this.#db.prepare(
      'INSERT INTO inbox (platform, account_id, remote_id, member_id, campaign_id, at_ms, item) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, account_id, remote_id) DO NOTHING',
    );
    let added = 0;
    for (const item of storedInboxItems(
      items,
      (entry) => this.#campaignOfPost(entry.accountId, entry.postId),
      storedAt,
    )) {
      const inserted = insert.run(
        item.platform,
        item.accountId,
        item.remoteId,
        item.memberId,
        item.campaignId ?? null,
        Date.parse(item.at),
        JSON.stringify(item),
      ).changes;
      if (inserted === 0) continue;
      added += inserted;
      this.#outbox?.insertInboxItem(item);
    }
    return added;
  }

  writeCursor(accountId: string, cursor: InboxCursor): void {
    this.#db
      .prepare(
        'INSERT INTO inbox_cursors (account_id, cursor) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET cursor = excluded.cursor',
      )
      .run(accountId, JSON.stringify(cursor));
  }

  putInboxItems(items: readonly InboxEntry[]): number {
    return this.#db.transaction(() => this.#insertInbox(items)).immediate();
  }

  /** The items of a page and the account's cursor, in one transaction. */
  putInboxPage(accountId: string, items: readonly InboxEntry[], cursor: InboxCursor): number {
    return this.#db
      .transaction(() => {
        const added = this.#insertInbox(items);
        this.writeCursor(accountId, cursor);
        return added;
      })
      .immediate();
  }

  inboxCursor(accountId: string): InboxCursor | undefined {
    if (!this.#hasTables('inbox', 'inbox_cursors')) return undefined;
    const row = this.#db
      .prepare('SELECT cursor FROM inbox_cursors WHERE account_id = ?')
      .get(accountId) as { cursor: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.cursor) as InboxCursor);
  }

  listInbox(filter: InboxFilter): StoredInboxItem[] {
    if (!this.#hasTables('inbox', 'inbox_cursors')) return [];
    const where: string[] = [];
    const values: (string | number)[] = [];
    if (filter.memberId !== undefined) {
      where.push('i.member_id = ?');
      values.push(filter.memberId);
    }
    if (filter.campaignId !== undefined) {
      where.push('i.campaign_id = ?');
      values.push(filter.campaignId);
    }
    if (filter.unanswered === true) where.push('i.answered_at IS NULL');
    // A journal of an earlier version opened read-only has no assignments table.
    const assignments = this.#hasTables('inbox_assignments');
    if (filter.assignedTo !== undefined) {
      if (!assignments) return [];
      where.push('a.member_id = ?');
      values.push(filter.assignedTo);
    }
    const limit = filter.limit === undefined ? -1 : Math.max(0, filter.limit);
    const columns = assignments
      ? 'i.item, i.answered_at, a.member_id AS assigned_to, a.assigned_at'
      : 'i.item, i.answered_at, NULL AS assigned_to, NULL AS assigned_at';
    const join = assignments
      ? 'LEFT JOIN inbox_assignments a ON a.platform = i.platform AND a.account_id = i.account_id AND a.remote_id = i.remote_id'
      : '';
    const rows = this.#db
      .prepare(
        `SELECT ${columns} FROM inbox i ${join} ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY i.at_ms DESC, i.seq DESC LIMIT ?`,
      )
      .all(...values, limit) as InboxTableRow[];
    return rows.map(inboxItemFrom);
  }

  markInboxAnswered(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    at: string,
  ): boolean {
    const result = this.#db
      .prepare(
        'UPDATE inbox SET answered_at = coalesce(answered_at, ?) WHERE platform = ? AND account_id = ? AND remote_id = ?',
      )
      .run(at, item.platform, item.accountId, item.remoteId);
    return result.changes > 0;
  }

  assignInbox(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    memberId: string,
    at: string,
  ): boolean {
    return this.#db
      .transaction(() => {
        const held = this.#db
          .prepare('SELECT 1 FROM inbox WHERE platform = ? AND account_id = ? AND remote_id = ?')
          .get(item.platform, item.accountId, item.remoteId);
        if (held === undefined) return false;
        this.#db
          .prepare(
            'INSERT INTO inbox_assignments (platform, account_id, remote_id, member_id, assigned_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, account_id, remote_id) DO UPDATE SET member_id = excluded.member_id, assigned_at = excluded.assigned_at',
          )
          .run(item.platform, item.accountId, item.remoteId, memberId, at);
        return true;
      })
      .immediate();
  }

  putReach(readings: readonly ReachReading[]): void {
    this.#db
      .transaction(() => {
        const insert = this.#db.prepare(
          'INSERT INTO reach (campaign_id, delivery_id, post_id, read_at, reading) VALUES (?, ?, ?, ?, ?)',
        );
        for (const reading of readings.map(storedReachReading)) {
          insert.run(
            reading.campaignId,
            reading.deliveryId,
            reading.postId,
            reading.readAt,
            JSON.stringify(reading),
          );
        }
      })
      .immediate();
  }

  listReach(campaignId: string): ReachReading[] {
    if (!this.#hasTables('reach')) return [];
    const rows = this.#db
      .prepare('SELECT reading FROM reach WHERE campaign_id = ? ORDER BY seq')
      .all(campaignId) as { reading: string }[];
    return oldestReadingFirst(rows.map((row) => JSON.parse(row.reading) as ReachReading));
  }

  planReply(record: ReplyRecord): ReplyRecord {
    return this.#db
      .transaction(() => {
        this.#db
          .prepare(
            'INSERT INTO replies (key, account_id, item_remote_id, version, record) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
          )
          .run(
            record.key,
            record.accountId,
            record.itemRemoteId,
            record.version,
            JSON.stringify(record),
          );
        const row = this.#db
          .prepare('SELECT record FROM replies WHERE key = ?')
          .get(record.key) as { record: string };
        return JSON.parse(row.record) as ReplyRecord;
      })
      .immediate();
  }

  getReply(key: string): ReplyRecord | undefined {
    if (!this.#hasTables('replies')) return undefined;
    const row = this.#db.prepare('SELECT record FROM replies WHERE key = ?').get(key) as
      { record: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as ReplyRecord);
  }

  /** Applies `change` if the stored reply is still at `version` (compare-and-set). */
  updateReply(key: string, version: number, change: ReplyChange): ReplyRecord | undefined {
    return this.#db
      .transaction(() => {
        const row = this.#db
          .prepare('SELECT record FROM replies WHERE key = ? AND version = ?')
          .get(key, version) as { record: string } | undefined;
        if (row === undefined) return undefined;
        const next = changedReply(JSON.parse(row.record) as ReplyRecord, change);
        this.#db
          .prepare('UPDATE replies SET version = ?, record = ? WHERE key = ? AND version = ?')
          .run(next.version, JSON.stringify(next), key, version);
        return next;
      })
      .immediate();
  }

  listReplies(filter: ReplyFilter): ReplyRecord[] {
    if (!this.#hasTables('replies')) return [];
    const rows = this.#db.prepare('SELECT record FROM replies ORDER BY seq').all() as {
      record: string;
    }[];
    return rows
      .map((row) => JSON.parse(row.record) as ReplyRecord)
      .filter((record) => matchesReplyFilter(record, filter));
  }
}
