/**
 * The durable journal: SQLite through better-sqlite3, in WAL mode with `synchronous=FULL`, so a
 * state change is on disk when its promise resolves, before the call that depends on it leaves.
 * A killed process leaves the journal as of its last commit.
 *
 * Group commit: the state changes asked for within a few milliseconds (`commitWindowMs`; many
 * deliveries run at once) are written in one transaction, committed (one fsync) before any of
 * their promises resolves. Nothing resolves before it is on disk; only the number of fsyncs goes down. A call
 * that touches deliveries (claim, reads of deliveries, new deliveries, check, close) first commits
 * the changes waiting, so it sees them and keeps its order; calls on campaigns and the audit trail
 * (a pause check before each delivery) do not wait for them.
 *
 * The audit trail is a hash chain (`audit-chain.ts`). An entry is appended in an immediate
 * transaction: the write lock is taken before the last entry's hash is read, so two processes
 * appending to one file take turns and each links to the other's entry. The row holds the chained
 * entry as JSON (`entry`, what is verified) and its `prev_hash` and `hash` beside it. A journal
 * written by an earlier version, whose audit table has no hash columns, is upgraded when opened to
 * write: the columns are added and the entries already there are chained in order, once, in one
 * transaction.
 */
import type Database from 'better-sqlite3';
import { ReleaseHallError } from '../errors.js';
import {
  AUDIT_GENESIS_HASH,
  type ChainedAuditEntry,
  chainAuditEntryAt,
  verifyAuditChain,
} from './audit-chain.js';
import {
  type AuditEntry,
  type CampaignRecord,
  type DeliveryRecord,
  type DeliveryTransition,
  type Journal,
  type JournalDelivery,
  type PauseState,
  type PostOwner,
  StaleLeaseError,
  notInJournal,
  storeFailure,
} from './journal.js';
import { openJournalDatabase } from './sqlite-open.js';
import { REACH_SCHEMA, SCHEMA } from './sqlite-schema.js';
import {
  type AuditRow,
  HEX64,
  auditIsChained,
  chainRows,
  storedEntry,
} from './sqlite-audit-rows.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { SqliteListening } from './sqlite-listening.js';
import {
  type JournalOutbox,
  type OutboxAttempt,
  type OutboxRow,
  type OutboxSubscription,
  SETTLED_STATES,
  type WebhookEventType,
  deliveryEventPayload,
  deliveryEventType,
  settledEventPayload,
} from './outbox.js';
import {
  type InboxEntry,
  type InboxFilter,
  type JournalInbox,
  type StoredInboxItem,
} from './inbox.js';
import { type JournalReach, type ReachReading } from './reach.js';
import type { InboxCursor, InboxItem } from '../adapter.js';
import {
  type JournalReplies,
  type ReplyChange,
  type ReplyFilter,
  type ReplyRecord,
} from './replies.js';

/** The fields of a state change copied into the delivery's record when present. */
const PATCHED_FIELDS = [
  'remoteId',
  'url',
  'performed',
  'via',
  'errorCode',
  'errorMessage',
] as const satisfies readonly (keyof DeliveryTransition)[];

/**
 * A state change applied to a delivery's record inside SQLite, as `applyTransition` applies
 * it: the state and the fields present merged in, `attempts` the larger of the two, and
 * `firstAttemptAt` set by the first `sending`.
 */
const APPLY_CHANGE = `
UPDATE deliveries SET state = @state, record = (
  SELECT CASE
    WHEN @state = 'sending' AND json_extract(patched, '$.firstAttemptAt') IS NULL
    THEN json_set(patched, '$.firstAttemptAt', @at)
    ELSE patched
  END
  FROM (
    SELECT json_set(
      json_patch(record, @patch),
      '$.attempts',
      max(coalesce(json_extract(record, '$.attempts'), 0), @attempt)
    ) AS patched
  )
)
WHERE id = @id`;

export interface SqliteJournalOptions {
  /**
   * Wait for a lock held by another process, in milliseconds.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
  /**
   * How long a state change waits for others to share its commit, in milliseconds. Each commit is
   * one fsync, which holds up the whole process (better-sqlite3 is synchronous): under load, a
   * longer window means fewer, larger commits; a lone change waits at most this long.
   * @default 4
   */
  readonly commitWindowMs?: number;
  /**
   * Open for reading only: the file must exist, and nothing is created or written (for `status`
   * and `list`). Writes are refused by SQLite.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** A state change waiting for the next group commit. */
interface PendingChange {
  readonly change: DeliveryTransition;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A row of the deliveries table as read back. */
interface DeliveryRow {
  readonly id: string;
  readonly record: string;
  readonly lease: string | null;
}

/**
 * A journal in one SQLite file. Several processes may open the same file; leases keep a stalled
 * one from overwriting a newer run.
 */
export class SqliteJournal
  implements Journal, JournalOutbox, JournalInbox, JournalReach, JournalReplies
{
  readonly #db: Database.Database;
  readonly path: string;
  /** Whether the journal was opened with `readOnly`. */
  readonly readOnly: boolean;
  readonly #statements: {
    readonly readDelivery: Database.Statement;
    readonly updateDelivery: Database.Statement;
    readonly insertTransition: Database.Statement;
    readonly readCampaign: Database.Statement;
    readonly readLease: Database.Statement;
    readonly applyChange: Database.Statement;
    readonly readPause: Database.Statement;
  };
  /** The statements of the audit trail, once its table has the hash columns (not read-only). */
  readonly #auditStatements:
    | {
        readonly last: Database.Statement;
        readonly sequence: Database.Statement;
        readonly insert: Database.Statement;
      }
    | undefined;
  /** Whether the audit table has its hash columns (false: an earlier version's, opened read-only). */
  readonly #auditChained: boolean;
  #pending: PendingChange[] = [];
  #flushScheduled = false;
  readonly #outbox: SqliteOutbox;
  readonly #listening: SqliteListening;
  readonly #commitWindowMs: number;

  constructor(path: string, options: SqliteJournalOptions = {}) {
    this.path = path;
    this.#commitWindowMs = options.commitWindowMs ?? 4;
    this.readOnly = options.readOnly === true;
    this.#db = openJournalDatabase(path, options);
    this.#outbox = new SqliteOutbox(this.#db);
    this.#listening = new SqliteListening(this.#db, this.#outbox);
    if (!this.readOnly) {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('foreign_keys = ON');
      this.#db.exec(SCHEMA);
      this.#db.exec(REACH_SCHEMA);
      if (!auditIsChained(this.#db)) this.#upgradeAudit();
    }
    this.#auditChained = auditIsChained(this.#db);
    this.#auditStatements =
      this.readOnly || !this.#auditChained
        ? undefined
        : {
            // The hash of the last entry as its JSON says (what is verified), else as its column.
            last: this.#db.prepare(
              "SELECT seq, CASE WHEN json_valid(entry) THEN json_extract(entry, '$.hash') END AS entry_hash, hash FROM audit ORDER BY seq DESC LIMIT 1",
            ),
            sequence: this.#db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit'"),
            insert: this.#db.prepare(
              'INSERT INTO audit (seq, campaign_id, at, entry, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
            ),
          };
    this.#statements = {
      readDelivery: this.#db.prepare('SELECT record, lease FROM deliveries WHERE id = ?'),
      updateDelivery: this.#db.prepare('UPDATE deliveries SET state = ?, record = ? WHERE id = ?'),
      insertTransition: this.#db.prepare(
        'INSERT INTO transitions (delivery_id, state, at, change) VALUES (?, ?, ?, ?)',
      ),
      readCampaign: this.#db.prepare('SELECT record FROM campaigns WHERE id = ?'),
      readLease: this.#db.prepare('SELECT lease FROM deliveries WHERE id = ?'),
      applyChange: this.#db.prepare(APPLY_CHANGE),
      readPause: this.#db.prepare(
        "SELECT json_extract(record, '$.pause') AS pause FROM campaigns WHERE id = ?",
      ),
    };
  }

  /**
   * Chains the audit trail of a journal written by an earlier version: adds the hash columns and
   * chains the entries already there, in order, in one immediate transaction (a second process
   * upgrading the same file at the same time waits, then finds it done).
   */
  #upgradeAudit(): void {
    const upgrade = this.#db.transaction(() => {
      if (auditIsChained(this.#db)) return;
      this.#db.exec('ALTER TABLE audit ADD COLUMN prev_hash TEXT');
      this.#db.exec('ALTER TABLE audit ADD COLUMN hash TEXT');
      const rows = this.#db
        .prepare('SELECT seq, campaign_id, at, entry FROM audit ORDER BY seq')
        .all() as AuditRow[];
      const update = this.#db.prepare(
        'UPDATE audit SET entry = ?, prev_hash = ?, hash = ? WHERE seq = ?',
      );
      for (const { row, entry } of chainRows(rows)) {
        update.run(JSON.stringify(entry), entry.prevHash, entry.hash, row.seq);
      }
    });
    upgrade.immediate();
  }

  #readDelivery(id: string): DeliveryRecord | undefined {
    const row = this.#statements.readDelivery.get(id) as
      { record: string; lease: string | null } | undefined;
    if (row === undefined) return undefined;
    const record = JSON.parse(row.record) as DeliveryRecord;
    return row.lease === null ? record : { ...record, lease: row.lease };
  }

  createCampaign(record: CampaignRecord, deliveries: readonly JournalDelivery[]): Promise<void> {
    this.#flush();
    const insert = this.#db.transaction(() => {
      const exists = this.#db.prepare('SELECT 1 FROM campaigns WHERE id = ?').get(record.id);
      if (exists) throw notInJournal(`campaign ${record.id} is already in the journal`);
      this.#db
        .prepare('INSERT INTO campaigns (id, record) VALUES (?, ?)')
        .run(record.id, JSON.stringify(record));
      this.#insertDeliveries(record.id, deliveries);
    });
    return run(() => insert());
  }

  #insertDeliveries(campaignId: string, deliveries: readonly JournalDelivery[]): void {
    const next = (
      this.#db
        .prepare('SELECT COALESCE(MAX(seq), -1) + 1 AS next FROM deliveries WHERE campaign_id = ?')
        .get(campaignId) as {
        next: number;
      }
    ).next;
    const statement = this.#db.prepare(
      'INSERT OR IGNORE INTO deliveries (id, campaign_id, seq, lease, state, record) VALUES (?, ?, ?, NULL, ?, ?)',
    );
    deliveries.forEach((delivery, index) => {
      const record: DeliveryRecord = { delivery, state: 'planned', attempts: 0, history: [] };
      statement.run(delivery.id, campaignId, next + index, 'planned', JSON.stringify(record));
    });
  }

  addDeliveries(campaignId: string, deliveries: readonly JournalDelivery[]): Promise<void> {
    this.#flush();
    const add = this.#db.transaction(() => {
      const exists = this.#db.prepare('SELECT 1 FROM campaigns WHERE id = ?').get(campaignId);
      if (!exists) throw notInJournal(`unknown campaign ${campaignId}`);
      this.#insertDeliveries(campaignId, deliveries);
    });
    return run(() => add());
  }

  claim(deliveryIds: readonly string[], lease: string): Promise<void> {
    this.#flush();
    const statement = this.#db.prepare('UPDATE deliveries SET lease = ? WHERE id = ?');
    const claimAll = this.#db.transaction(() => {
      for (const id of deliveryIds) statement.run(lease, id);
    });
    return run(() => claimAll());
  }

  note(deliveryId: string, key: string, value: string): Promise<void> {
    this.#flush();
    const write = this.#db.transaction(() => {
      const current = this.#readDelivery(deliveryId);
      if (current === undefined) throw notInJournal(`unknown delivery ${deliveryId}`);
      const { lease: _lease, ...stored } = current;
      const updated: DeliveryRecord = { ...stored, notes: { ...current.notes, [key]: value } };
      this.#statements.updateDelivery.run(current.state, JSON.stringify(updated), deliveryId);
    });
    return run(() => write());
  }

  /**
   * Records a state change. It joins the changes asked for within `commitWindowMs`; all are
   * committed in one transaction, and the promise resolves once that commit is on disk.
   */
  transition(change: DeliveryTransition): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ change, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setTimeout(() => {
          this.#flush();
        }, this.#commitWindowMs);
      }
    });
  }

  /** Commits the waiting state changes in one transaction, then settles their promises. */
  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    // A change that cannot apply (unknown delivery, stale lease) fails alone and writes nothing:
    // each runs in its own savepoint (a transaction nested in a transaction) inside the commit.
    const refused = new Map<PendingChange, ReleaseHallError>();
    const applyOne = this.#db.transaction((change: DeliveryTransition) => {
      this.#apply(change);
    });
    const commit = this.#db.transaction(() => {
      for (const pending of batch) {
        try {
          applyOne(pending.change);
        } catch (error) {
          refused.set(pending, storeFailure(error));
        }
      }
    });
    try {
      commit();
    } catch (error) {
      const failure = storeFailure(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    for (const pending of batch) {
      const error = refused.get(pending);
      if (error === undefined) pending.resolve();
      else pending.reject(error);
    }
  }

  #apply(change: DeliveryTransition): void {
    const row = this.#statements.readLease.get(change.deliveryId) as
      { lease: string | null } | undefined;
    if (row === undefined) throw notInJournal(`unknown delivery ${change.deliveryId}`);
    if (change.lease !== undefined && row.lease !== null && row.lease !== change.lease) {
      throw new StaleLeaseError(change.deliveryId);
    }
    // The record is changed by SQLite itself (the same fields `applyTransition` changes): the
    // plan it carries is neither parsed nor written out again by each state change.
    const { deliveryId, lease: _changeLease, attempt, at, ...fields } = change;
    const patch: Record<string, unknown> = { state: fields.state };
    for (const key of PATCHED_FIELDS) {
      const value = fields[key];
      if (value !== undefined) patch[key] = value;
    }
    this.#statements.applyChange.run({
      id: deliveryId,
      state: change.state,
      patch: JSON.stringify(patch),
      attempt: attempt ?? 0,
      at,
    });
    // The history lives in its own table; the record keeps the latest state only.
    const { lease: _lease, ...changeStored } = change;
    this.#statements.insertTransition.run(
      change.deliveryId,
      change.state,
      change.at,
      JSON.stringify(changeStored),
    );
    // In the same savepoint: the event is stored if and only if the change is.
    const type = deliveryEventType(change.state);
    if (type !== undefined && this.#outbox.active) {
      const plan = this.#db
        .prepare("SELECT json_extract(record, '$.delivery') AS plan FROM deliveries WHERE id = ?")
        .get(deliveryId) as { plan: string };
      const delivery = JSON.parse(plan.plan) as DeliveryRecord['delivery'];
      this.#outbox.insert(type, deliveryEventPayload(delivery, change), change.at);
    }
  }

  subscribeOutbox(subscriptions: readonly OutboxSubscription[]): void {
    this.#outbox.subscribe(subscriptions);
  }

  addOutboxEvent(
    type: WebhookEventType,
    payload: Readonly<Record<string, unknown>>,
    at: string,
  ): Promise<void> {
    return run(() => {
      this.#outbox.add(type, payload, at);
    });
  }

  dueOutbox(now: string, limit: number): Promise<readonly OutboxRow[]> {
    return run(() => this.#outbox.due(now, limit));
  }

  listOutbox(limit: number): Promise<readonly OutboxRow[]> {
    return run(() => this.#outbox.list(limit));
  }

  markOutboxDelivered(id: string, at: string): Promise<void> {
    return run(() => {
      this.#outbox.markDelivered(id, at);
    });
  }

  recordOutboxAttempt(id: string, attempt: OutboxAttempt): Promise<void> {
    return run(() => {
      this.#outbox.recordAttempt(id, attempt);
    });
  }

  // The listening side (inbox, reach, replies) lives in `sqlite-listening.ts`.
  putInboxItems(items: readonly InboxEntry[]): Promise<number> {
    this.#flush();
    return run(() => this.#listening.putInboxItems(items));
  }

  putInboxPage(
    accountId: string,
    items: readonly InboxEntry[],
    cursor: InboxCursor,
  ): Promise<number> {
    this.#flush();
    return run(() => this.#listening.putInboxPage(accountId, items, cursor));
  }

  inboxCursor(accountId: string): Promise<InboxCursor | undefined> {
    return run(() => this.#listening.inboxCursor(accountId));
  }

  saveInboxCursor(accountId: string, cursor: InboxCursor): Promise<void> {
    return run(() => {
      this.#listening.writeCursor(accountId, cursor);
    });
  }

  listInbox(filter: InboxFilter = {}): Promise<readonly StoredInboxItem[]> {
    return run(() => this.#listening.listInbox(filter));
  }

  markInboxAnswered(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    at: string,
  ): Promise<boolean> {
    return run(() => this.#listening.markInboxAnswered(item, at));
  }

  assignInbox(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    memberId: string,
    at: string,
  ): Promise<boolean> {
    return run(() => this.#listening.assignInbox(item, memberId, at));
  }

  putReach(readings: readonly ReachReading[]): Promise<void> {
    this.#flush();
    return run(() => {
      this.#listening.putReach(readings);
    });
  }

  listReach(campaignId: string): Promise<readonly ReachReading[]> {
    return run(() => this.#listening.listReach(campaignId));
  }

  planReply(record: ReplyRecord): Promise<ReplyRecord> {
    this.#flush();
    return run(() => this.#listening.planReply(record));
  }

  getReply(key: string): Promise<ReplyRecord | undefined> {
    return run(() => this.#listening.getReply(key));
  }

  updateReply(key: string, version: number, change: ReplyChange): Promise<ReplyRecord | undefined> {
    this.#flush();
    return run(() => this.#listening.updateReply(key, version, change));
  }

  listReplies(filter: ReplyFilter = {}): Promise<readonly ReplyRecord[]> {
    return run(() => this.#listening.listReplies(filter));
  }

  /** The pause of a campaign, read without parsing its record (asked before every delivery). */
  pauseOf(campaignId: string): Promise<PauseState | undefined> {
    return run(() => {
      const row = this.#statements.readPause.get(campaignId) as
        { pause: string | null } | undefined;
      if (row === undefined || row.pause === null) return undefined;
      return JSON.parse(row.pause) as PauseState;
    });
  }

  updateCampaign(
    campaignId: string,
    change: Partial<Pick<CampaignRecord, 'state' | 'runner'>> & { pause?: PauseState | null },
  ): Promise<void> {
    const update = this.#db.transaction(() => {
      const row = this.#db.prepare('SELECT record FROM campaigns WHERE id = ?').get(campaignId) as
        { record: string } | undefined;
      if (row === undefined) throw notInJournal(`unknown campaign ${campaignId}`);
      const { pause, ...rest } = change;
      const current = JSON.parse(row.record) as CampaignRecord & { pause?: PauseState };
      const next: Record<string, unknown> = { ...current, ...rest };
      if (pause === null) delete next.pause;
      else if (pause !== undefined) next.pause = pause;
      this.#db
        .prepare('UPDATE campaigns SET record = ? WHERE id = ?')
        .run(JSON.stringify(next), campaignId);
      if (
        change.state !== undefined &&
        change.state !== current.state &&
        SETTLED_STATES.has(change.state) &&
        this.#outbox.active
      ) {
        const at = new Date().toISOString();
        this.#outbox.insert(
          'campaign.settled',
          settledEventPayload(campaignId, change.state, at),
          at,
        );
      }
    });
    return run(() => update());
  }

  getCampaign(campaignId: string): Promise<CampaignRecord | undefined> {
    return run(() => {
      const row = this.#statements.readCampaign.get(campaignId) as { record: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.record) as CampaignRecord);
    });
  }

  listCampaigns(): Promise<readonly CampaignRecord[]> {
    return run(() =>
      (
        this.#db.prepare('SELECT record FROM campaigns ORDER BY rowid').all() as {
          record: string;
        }[]
      ).map((row) => JSON.parse(row.record) as CampaignRecord),
    );
  }

  ownerOfPost(accountId: string, remoteId: string): Promise<PostOwner | undefined> {
    this.#flush();
    return run(() => {
      // Rare (only a look-up that found a post asks), so a scan of the records is enough.
      const row = this.#db
        .prepare(
          "SELECT id, campaign_id FROM deliveries WHERE json_extract(record, '$.remoteId') = ? AND json_extract(record, '$.delivery.accountId') = ? LIMIT 1",
        )
        .get(remoteId, accountId) as { id: string; campaign_id: string } | undefined;
      return row === undefined ? undefined : { campaignId: row.campaign_id, deliveryId: row.id };
    });
  }

  getDeliveries(campaignId: string): Promise<readonly DeliveryRecord[]> {
    this.#flush();
    return run(() => {
      const rows = this.#db
        .prepare('SELECT id, record, lease FROM deliveries WHERE campaign_id = ? ORDER BY seq')
        .all(campaignId) as DeliveryRow[];
      return rows.map((row) => this.#withHistory(row));
    });
  }

  getDelivery(deliveryId: string): Promise<DeliveryRecord | undefined> {
    this.#flush();
    return run(() => {
      const row = this.#db
        .prepare('SELECT id, record, lease FROM deliveries WHERE id = ?')
        .get(deliveryId) as DeliveryRow | undefined;
      return row === undefined ? undefined : this.#withHistory(row);
    });
  }

  /** A delivery row with its history of changes. */
  #withHistory(row: DeliveryRow): DeliveryRecord {
    const record = JSON.parse(row.record) as DeliveryRecord;
    const changes = (
      this.#db
        .prepare('SELECT change FROM transitions WHERE delivery_id = ? ORDER BY seq')
        .all(row.id) as { change: string }[]
    ).map((entry) => JSON.parse(entry.change) as DeliveryTransition);
    return { ...record, ...(row.lease === null ? {} : { lease: row.lease }), history: changes };
  }

  /**
   * Appends to the audit trail, chained: in one immediate transaction (the write lock first, so
   * another process cannot append in between), reads the last entry's hash, numbers the new entry
   * after the highest number ever given (a removed last entry leaves its number unused, and so
   * shows as a gap) and inserts it. Does not wait for the state changes of the group commit.
   */
  audit(entry: AuditEntry): Promise<void> {
    const statements = this.#auditStatements;
    if (statements === undefined) {
      return Promise.reject(
        storeFailure(new Error(`the journal ${this.path} is open for reading only`)),
      );
    }
    const append = this.#db.transaction(() => {
      const last = statements.last.get() as
        { seq: number; entry_hash: unknown; hash: string | null } | undefined;
      const used = statements.sequence.get() as { seq: number } | undefined;
      const seq = Math.max(last?.seq ?? 0, used?.seq ?? 0) + 1;
      const prevHash =
        typeof last?.entry_hash === 'string' && HEX64.test(last.entry_hash)
          ? last.entry_hash
          : (last?.hash ?? AUDIT_GENESIS_HASH);
      const chained = chainAuditEntryAt(seq, prevHash, entry);
      statements.insert.run(
        seq,
        chained.campaignId,
        chained.at,
        JSON.stringify(chained),
        chained.prevHash,
        chained.hash,
      );
    });
    return run(() => append.immediate());
  }

  /** Every row of the audit table, in order (with the hash columns when the table has them). */
  #auditRows(campaignId?: string): AuditRow[] {
    const columns = `seq, campaign_id, at, entry${this.#auditChained ? ', prev_hash, hash' : ''}`;
    return campaignId === undefined
      ? (this.#db.prepare(`SELECT ${columns} FROM audit ORDER BY seq`).all() as AuditRow[])
      : (this.#db
          .prepare(`SELECT ${columns} FROM audit WHERE campaign_id = ? ORDER BY seq`)
          .all(campaignId) as AuditRow[]);
  }

  /**
   * The campaign's audit entries, chained. In a journal of an earlier version opened read-only
   * (not upgraded yet), the entries are chained in memory as the upgrade will chain them.
   */
  getAudit(campaignId: string): Promise<readonly ChainedAuditEntry[]> {
    return run(() => {
      if (!this.#auditChained) {
        return chainRows(this.#auditRows())
          .map(({ entry }) => entry)
          .filter((entry) => entry.campaignId === campaignId);
      }
      return this.#auditRows(campaignId).map(storedEntry);
    });
  }

  /**
   * The whole audit log as stored, in the order of its rows, for {@link verifyAuditChain}. Each
   * entry is what its row holds, even when tampered with.
   * @throws ReleaseHallError `INVALID_INPUT` for a journal of an earlier version opened read-only:
   * its log is chained only when the journal is next opened to write.
   */
  auditLog(): Promise<readonly ChainedAuditEntry[]> {
    if (!this.#auditChained) {
      return Promise.reject(
        new ReleaseHallError(
          `[release-hall] the audit log of ${this.path} is not hash-chained yet: the journal was written by an earlier release-hall. Its entries are chained, once, the next time this version opens the journal to write (publish, resume, pause, retract, follow-up)`,
          {
            code: 'INVALID_INPUT',
            issues: [{ path: 'journal', message: 'audit log not chained yet' }],
          },
        ),
      );
    }
    return run(() => this.#auditRows().map(storedEntry));
  }

  /** The audit log's problems: not chained yet, hash columns that differ from the entries, a broken chain. */
  #auditProblems(): string[] {
    if (!this.#auditChained) {
      return [
        'audit log: not hash-chained yet (written by an earlier release-hall); it is chained when the journal is next opened to write',
      ];
    }
    const problems: string[] = [];
    const rows = this.#auditRows();
    const entries = rows.map(storedEntry);
    const differing = rows.filter((row, index) => {
      const entry = entries[index]!;
      return entry.seq !== row.seq || entry.prevHash !== row.prev_hash || entry.hash !== row.hash;
    });
    if (differing.length > 0) {
      problems.push(
        `audit log: ${differing.length} row${differing.length === 1 ? '' : 's'} whose seq, prev_hash or hash column differs from the entry held (the first: row ${differing[0]!.seq})`,
      );
    }
    const verdict = verifyAuditChain(entries);
    if (!verdict.ok)
      problems.push(`audit log: ${verdict.problem.kind}: ${verdict.problem.message}`);
    return problems;
  }

  /**
   * SQLite's own integrity check, plus the journal's invariants: every delivery belongs to a
   * campaign, its stored state is its latest transition, every record parses, and the audit log's
   * chain holds ({@link verifyAuditChain}, without an anchor).
   */
  check(): Promise<readonly string[]> {
    this.#flush();
    return run(() => {
      const problems: string[] = [];
      const integrity = this.#db.pragma('integrity_check') as { integrity_check: string }[];
      for (const row of integrity)
        if (row.integrity_check !== 'ok') problems.push(`sqlite: ${row.integrity_check}`);
      const orphans = this.#db
        .prepare(
          'SELECT COUNT(*) AS n FROM deliveries WHERE campaign_id NOT IN (SELECT id FROM campaigns)',
        )
        .get() as { n: number };
      if (orphans.n > 0) problems.push(`${orphans.n} deliveries without a campaign`);
      const rows = this.#db.prepare('SELECT id, state, record FROM deliveries').all() as {
        id: string;
        state: string;
        record: string;
      }[];
      const lastState = this.#db.prepare(
        'SELECT state FROM transitions WHERE delivery_id = ? ORDER BY seq DESC LIMIT 1',
      );
      for (const row of rows) {
        let record: DeliveryRecord;
        try {
          record = JSON.parse(row.record) as DeliveryRecord;
        } catch {
          problems.push(`delivery ${row.id}: record does not parse`);
          continue;
        }
        if (record.state !== row.state)
          problems.push(`delivery ${row.id}: state column ${row.state} ≠ record ${record.state}`);
        const last = lastState.get(row.id) as { state: string } | undefined;
        const expected = last?.state ?? 'planned';
        if (expected !== row.state)
          problems.push(`delivery ${row.id}: state ${row.state} ≠ last transition ${expected}`);
      }
      problems.push(...this.#auditProblems());
      return problems;
    });
  }

  close(): Promise<void> {
    this.#flush();
    return run(() => {
      this.#db.close();
    });
  }
}

function run<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(storeFailure(error));
  }
}
