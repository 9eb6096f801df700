/**
 * The outbox of the SQLite journal: webhook events stored in the same transaction as the state
 * change that causes them (`insert`, called inside the journal's transaction), then read, marked
 * delivered or given their next attempt by the sender. Synchronous: the journal wraps each call.
 */
import type Database from 'better-sqlite3';
import { notInJournal } from './journal.js';
import {
  type OutboxAttempt,
  type OutboxRow,
  type OutboxSubscription,
  type WebhookEventType,
  inboxItemRows,
  outboxRowsFor,
} from './outbox.js';
import type { StoredInboxItem } from './inbox.js';

/** A row of the outbox table. */
interface OutboxTableRow {
  readonly id: string;
  readonly webhook_id: string;
  readonly type: string;
  readonly payload: string;
  readonly created_at: string;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly delivered_at: string | null;
  readonly last_error: string | null;
}

function outboxRowFrom(row: OutboxTableRow): OutboxRow {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    type: row.type as WebhookEventType,
    payload: row.payload,
    createdAt: row.created_at,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.next_attempt_at).toISOString(),
    ...(row.delivered_at === null ? {} : { deliveredAt: row.delivered_at }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

const OUTBOX_COLUMNS =
  'id, webhook_id, type, payload, created_at, attempts, next_attempt_at, delivered_at, last_error';

/** The outbox table of one journal and the endpoints subscribed to it. */
export class SqliteOutbox {
  readonly #db: Database.Database;
  #subscriptions: readonly OutboxSubscription[] = [];

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Whether any endpoint listens (no event is stored otherwise). */
  get active(): boolean {
    return this.#subscriptions.length > 0;
  }

  subscribe(subscriptions: readonly OutboxSubscription[]): void {
    this.#subscriptions = [...subscriptions];
  }

  /** Inserts the rows of an event, one per subscribed endpoint (inside the caller's transaction). */
  insert(type: WebhookEventType, payload: Readonly<Record<string, unknown>>, at: string): void {
    this.#insertRows(outboxRowsFor(this.#subscriptions, type, payload, at));
  }

  /**
   * Inserts the `inbox.item` rows of an item just stored, one per subscribed endpoint (inside the
   * caller's transaction, which inserted the item).
   */
  insertInboxItem(item: StoredInboxItem): void {
    this.#insertRows(inboxItemRows(this.#subscriptions, item));
  }

  #insertRows(rows: readonly OutboxRow[]): void {
    if (rows.length === 0) return;
    const insert = this.#db.prepare(
      'INSERT INTO outbox (id, webhook_id, type, payload, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
    );
    for (const row of rows) {
      insert.run(
        row.id,
        row.webhookId,
        row.type,
        row.payload,
        row.createdAt,
        Date.parse(row.nextAttemptAt),
      );
    }
  }

  /** Stores an event that is no state change of the journal, in a transaction of its own. */
  add(type: WebhookEventType, payload: Readonly<Record<string, unknown>>, at: string): void {
    this.#db.transaction(() => {
      this.insert(type, payload, at);
    })();
  }

  due(now: string, limit: number): OutboxRow[] {
    return (
      this.#db
        .prepare(
          `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?`,
        )
        .all(Date.parse(now), limit) as OutboxTableRow[]
    ).map(outboxRowFrom);
  }

  list(limit: number): OutboxRow[] {
    return (
      this.#db
        .prepare(
          `SELECT * FROM (SELECT seq, ${OUTBOX_COLUMNS} FROM outbox ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
        )
        .all(limit) as OutboxTableRow[]
    ).map(outboxRowFrom);
  }

  markDelivered(id: string, at: string): void {
    const result = this.#db
      .prepare(
        'UPDATE outbox SET delivered_at = coalesce(delivered_at, ?), attempts = attempts + (delivered_at IS NULL) WHERE id = ?',
      )
      .run(at, id);
    if (result.changes === 0) throw notInJournal(`unknown outbox event ${id}`);
  }

  recordAttempt(id: string, attempt: OutboxAttempt): void {
    const exists = this.#db.prepare('SELECT 1 FROM outbox WHERE id = ?').get(id);
    if (!exists) throw notInJournal(`unknown outbox event ${id}`);
    this.#db
      .prepare(
        'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND delivered_at IS NULL',
      )
      .run(Date.parse(attempt.nextAttemptAt), attempt.error, id);
  }
}
