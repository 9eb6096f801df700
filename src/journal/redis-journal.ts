/**
 * The journal in Redis, shared by processes on several hosts. It keeps the semantics of the
 * SQLite journal exactly (leases, `LEASE_LOST`, the history of every change, notes, pauses, the
 * owner of a post, the audit trail, `check()`), and each change is one Lua script: the state
 * change checks the delivery's lease (the fencing token) and applies in the same step, so a worker
 * that stalled while another claimed its delivery is refused, however late it wakes.
 *
 * A change is durable when its promise resolves only if Redis writes its append-only file and
 * fsyncs it before answering (`appendonly yes`, `appendfsync always`) and never evicts keys
 * (`maxmemory-policy noeviction`): {@link createRedisJournal} checks these settings and refuses a
 * server without them unless `unsafe: true` is passed. The key layout is in `redis-journal-keys.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { ReleaseHallError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  type OpenedRedis,
  type RedisConnection,
  closeRedis,
  connectionIssue,
  openRedis,
} from '../redis/connect.js';
import { requireRedisDurability } from '../redis/durability.js';
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
import { type ChainedAuditEntry, verifyAuditChain } from './audit-chain.js';
import { appendAudit, readAudit, readAuditLog } from './redis-journal-audit.js';
import { BATCH, chunks, execute, guarded } from './redis-journal-io.js';
import { RedisListening } from './redis-journal-listening.js';
import {
  DEFAULT_REDIS_PREFIX,
  REDIS_JOURNAL_LAYOUT,
  type RedisJournalKeys,
  redisJournalKeys,
} from './redis-journal-keys.js';
import {
  type JournalOutbox,
  type OutboxAttempt,
  type OutboxRow,
  type OutboxSubscription,
  SETTLED_STATES,
  type WebhookEventType,
  deliveryEventPayload,
  deliveryEventType,
  outboxRowsFor,
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
import {
  ADD_DELIVERIES,
  ADD_OUTBOX,
  CLAIM,
  CREATE_CAMPAIGN,
  FINISH_CREATE,
  NOTE,
  OUTBOX_ATTEMPT,
  OUTBOX_DELIVERED,
  TRANSITION,
  UPDATE_CAMPAIGN,
} from './redis-journal-scripts.js';

export {
  DEFAULT_REDIS_PREFIX,
  REDIS_JOURNAL_LAYOUT,
  redisJournalKeys,
} from './redis-journal-keys.js';
export type { RedisJournalKeys } from './redis-journal-keys.js';

/** Options of {@link createRedisJournal}: a URL or a client, and where the keys go. */
export type RedisJournalOptions = RedisConnection & {
  /**
   * Prefix of every key of the journal. Journals under different prefixes share nothing.
   * @default 'release-hall:'
   */
  readonly prefix?: string | undefined;
  /**
   * Open even when Redis is not durable (or its settings cannot be read): a loud warning is logged
   * instead of refusing. Acknowledged changes may then be lost when Redis crashes.
   * @default false
   */
  readonly unsafe?: boolean | undefined;
  /** Where the warning of `unsafe` goes. @default process.emitWarning */
  readonly logger?: Logger | undefined;
};

/** The fields of a state change copied into the delivery when present. */
const PATCHED_FIELDS = [
  'remoteId',
  'url',
  'performed',
  'via',
  'errorCode',
  'errorMessage',
] as const satisfies readonly (keyof DeliveryTransition)[];

/** The optional fields of a delivery hash, in the order a record lists them. */
const RECORD_FIELDS = [...PATCHED_FIELDS, 'lease'] as const;

/**
 * A journal in Redis. Make it with {@link createRedisJournal}, which checks the server's
 * durability first; the constructor does not.
 */
export class RedisJournal
  implements Journal, JournalOutbox, JournalInbox, JournalReach, JournalReplies
{
  readonly #client: Redis;
  #subscriptions: readonly OutboxSubscription[] = [];
  readonly #opened: OpenedRedis;
  readonly #keys: RedisJournalKeys;
  readonly #listening: RedisListening;
  /** The key prefix of this journal. */
  readonly prefix: string;

  /** Uses `client` as it is (no durability check; see {@link createRedisJournal}). */
  constructor(
    client: Redis,
    options: { readonly prefix?: string; readonly ownsClient?: boolean } = {},
  ) {
    this.#client = client;
    this.#opened = { client, owned: options.ownsClient === true };
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#keys = redisJournalKeys(this.prefix);
    this.#listening = new RedisListening(client, this.#keys, () => this.#subscriptions);
  }

  /** The keys of this journal (see `redis-journal-keys.ts`). */
  get keys(): RedisJournalKeys {
    return this.#keys;
  }

  /** Marks the key space as a journal's, or refuses one that holds another layout. */
  async claimKeySpace(): Promise<void> {
    const layout = await guarded(async () => {
      await this.#client.set(this.#keys.layout, REDIS_JOURNAL_LAYOUT, 'NX');
      return this.#client.get(this.#keys.layout);
    });
    if (layout !== REDIS_JOURNAL_LAYOUT) {
      throw new ReleaseHallError(
        `[release-hall] the Redis keys under "${this.prefix}" are not a release-hall journal of this version (${this.#keys.layout} holds ${JSON.stringify(layout)}); they were left untouched: choose another prefix`,
        {
          code: 'INVALID_INPUT',
          issues: [
            { path: 'prefix', message: `${this.#keys.layout} is ${JSON.stringify(layout)}` },
          ],
        },
      );
    }
  }

  createCampaign(record: CampaignRecord, deliveries: readonly JournalDelivery[]): Promise<void> {
    const { state, runner, pause, ...rest } = record;
    const token = randomUUID();
    const batch = this.#client.multi();
    CREATE_CAMPAIGN.queue(
      batch,
      [this.#keys.campaign(record.id), this.#keys.campaigns],
      [
        record.id,
        token,
        JSON.stringify(rest),
        state,
        runner === undefined ? '' : JSON.stringify(runner),
        pause === undefined ? '' : JSON.stringify(pause),
      ],
    );
    this.#queueDeliveries(batch, record.id, token, deliveries);
    FINISH_CREATE.queue(batch, [this.#keys.campaign(record.id)], [token]);
    return guarded(async () => {
      const [created] = await execute(batch);
      if (created === 0) throw notInJournal(`campaign ${record.id} is already in the journal`);
    });
  }

  /** Queues the scripts adding `deliveries`, in batches of {@link BATCH}. */
  #queueDeliveries(
    batch: ChainableCommander,
    campaignId: string,
    token: string,
    deliveries: readonly JournalDelivery[],
  ): void {
    for (const part of chunks(deliveries, BATCH)) {
      ADD_DELIVERIES.queue(
        batch,
        [
          this.#keys.campaign(campaignId),
          this.#keys.campaignDeliveries(campaignId),
          this.#keys.deliverySeq,
          ...part.map((delivery) => this.#keys.delivery(delivery.id)),
        ],
        [
          token,
          campaignId,
          ...part.flatMap((delivery) => [
            delivery.id,
            delivery.accountId,
            JSON.stringify(delivery),
          ]),
        ],
      );
    }
  }

  addDeliveries(campaignId: string, deliveries: readonly JournalDelivery[]): Promise<void> {
    return guarded(async () => {
      if (deliveries.length === 0) {
        if ((await this.#client.exists(this.#keys.campaign(campaignId))) === 0) {
          throw notInJournal(`unknown campaign ${campaignId}`);
        }
        return;
      }
      // One transaction: every batch is written, or (unknown campaign) none is.
      const batch = this.#client.multi();
      this.#queueDeliveries(batch, campaignId, '', deliveries);
      const replies = await execute(batch);
      if (replies[0] === -1) throw notInJournal(`unknown campaign ${campaignId}`);
    });
  }

  claim(deliveryIds: readonly string[], lease: string): Promise<void> {
    return guarded(async () => {
      const parts = chunks(deliveryIds, BATCH);
      if (parts.length === 0) return;
      if (parts.length === 1) {
        await CLAIM.run(this.#client, parts[0]!.map(this.#keys.delivery), [lease]);
        return;
      }
      const batch = this.#client.multi();
      for (const part of parts) CLAIM.queue(batch, part.map(this.#keys.delivery), [lease]);
      await execute(batch);
    });
  }

  note(deliveryId: string, key: string, value: string): Promise<void> {
    return guarded(async () => {
      const reply = await NOTE.run(
        this.#client,
        [this.#keys.delivery(deliveryId), this.#keys.deliveryNotes(deliveryId)],
        [key, value],
      );
      if (reply !== 'ok') throw notInJournal(`unknown delivery ${deliveryId}`);
    });
  }

  /**
   * Records a state change in one script: refused with a {@link StaleLeaseError} when the change
   * carries a lease and the delivery holds another; resolves once Redis has acknowledged it.
   */
  transition(change: DeliveryTransition): Promise<void> {
    const { lease, ...stored } = change;
    const fields: string[] = [];
    for (const name of PATCHED_FIELDS) {
      const value = change[name];
      if (value !== undefined) fields.push(name, value);
    }
    return guarded(async () => {
      const keys = [
        this.#keys.delivery(change.deliveryId),
        this.#keys.deliveryHistory(change.deliveryId),
        this.#keys.outboxDue,
        this.#keys.outbox,
      ];
      if (change.remoteId !== undefined) keys.push(this.#keys.postOwners(change.remoteId));
      const rows = await this.#deliveryEventRows(change);
      keys.push(...rows.keys);
      const reply = await TRANSITION.run(this.#client, keys, [
        change.deliveryId,
        lease === undefined ? '0' : '1',
        lease ?? '',
        change.state,
        change.at,
        change.attempt ?? 0,
        JSON.stringify(stored),
        fields.length / 2,
        change.remoteId === undefined ? '0' : '1',
        ...fields,
        ...rows.args,
      ]);
      if (reply === 'unknown') throw notInJournal(`unknown delivery ${change.deliveryId}`);
      if (reply === 'stale') throw new StaleLeaseError(change.deliveryId);
    });
  }

  /**
   * The outbox rows a state change causes, as keys and script arguments. The delivery's plan is
   * read first: it never changes, and the rows are written (or not) with the change itself.
   */
  async #deliveryEventRows(change: DeliveryTransition): Promise<OutboxArguments> {
    const type = deliveryEventType(change.state);
    if (type === undefined || this.#subscriptions.length === 0) return { keys: [], args: [] };
    const plan = await this.#client.hget(this.#keys.delivery(change.deliveryId), 'plan');
    if (plan === null) return { keys: [], args: [] };
    const delivery = JSON.parse(plan) as JournalDelivery;
    return this.#outboxArguments(
      outboxRowsFor(this.#subscriptions, type, deliveryEventPayload(delivery, change), change.at),
    );
  }

  #outboxArguments(rows: readonly OutboxRow[]): OutboxArguments {
    return {
      keys: rows.map((row) => this.#keys.outboxRow(row.id)),
      args: rows.flatMap((row) => [
        row.id,
        row.webhookId,
        row.type,
        row.payload,
        row.createdAt,
        Date.parse(row.createdAt),
      ]),
    };
  }

  updateCampaign(
    campaignId: string,
    change: Partial<Pick<CampaignRecord, 'state' | 'runner'>> & { pause?: PauseState | null },
  ): Promise<void> {
    const pauseMode = change.pause === null ? 'clear' : change.pause === undefined ? 'keep' : 'set';
    const at = new Date().toISOString();
    const rows =
      change.state !== undefined && SETTLED_STATES.has(change.state)
        ? this.#outboxArguments(
            outboxRowsFor(
              this.#subscriptions,
              'campaign.settled',
              settledEventPayload(campaignId, change.state, at),
              at,
            ),
          )
        : { keys: [], args: [] };
    return guarded(async () => {
      const reply = await UPDATE_CAMPAIGN.run(
        this.#client,
        [this.#keys.campaign(campaignId), this.#keys.outboxDue, this.#keys.outbox, ...rows.keys],
        [
          change.state ?? '',
          change.runner === undefined ? '' : JSON.stringify(change.runner),
          pauseMode,
          change.pause ? JSON.stringify(change.pause) : '',
          ...rows.args,
        ],
      );
      if (reply !== 1) throw notInJournal(`unknown campaign ${campaignId}`);
    });
  }

  subscribeOutbox(subscriptions: readonly OutboxSubscription[]): void {
    this.#subscriptions = [...subscriptions];
  }

  addOutboxEvent(
    type: WebhookEventType,
    payload: Readonly<Record<string, unknown>>,
    at: string,
  ): Promise<void> {
    const rows = this.#outboxArguments(outboxRowsFor(this.#subscriptions, type, payload, at));
    if (rows.keys.length === 0) return Promise.resolve();
    return guarded(async () => {
      await ADD_OUTBOX.run(
        this.#client,
        [this.#keys.outboxDue, this.#keys.outbox, ...rows.keys],
        rows.args,
      );
    });
  }

  async #readOutboxRows(ids: readonly string[]): Promise<OutboxRow[]> {
    if (ids.length === 0) return [];
    const batch = this.#client.pipeline();
    for (const id of ids) batch.hgetall(this.#keys.outboxRow(id));
    return (await execute(batch)).flatMap((reply) => {
      const fields = reply as Record<string, string>;
      return fields.id === undefined ? [] : [outboxRowFrom(fields)];
    });
  }

  dueOutbox(now: string, limit: number): Promise<readonly OutboxRow[]> {
    return guarded(async () => {
      const ids = await this.#client.zrangebyscore(
        this.#keys.outboxDue,
        '-inf',
        Date.parse(now),
        'LIMIT',
        0,
        limit,
      );
      return this.#readOutboxRows(ids);
    });
  }

  listOutbox(limit: number): Promise<readonly OutboxRow[]> {
    return guarded(async () =>
      this.#readOutboxRows(await this.#client.lrange(this.#keys.outbox, -limit, -1)),
    );
  }

  markOutboxDelivered(id: string, at: string): Promise<void> {
    return guarded(async () => {
      const reply = await OUTBOX_DELIVERED.run(
        this.#client,
        [this.#keys.outboxRow(id), this.#keys.outboxDue],
        [id, at],
      );
      if (reply === 'unknown') throw notInJournal(`unknown outbox event ${id}`);
    });
  }

  recordOutboxAttempt(id: string, attempt: OutboxAttempt): Promise<void> {
    return guarded(async () => {
      const reply = await OUTBOX_ATTEMPT.run(
        this.#client,
        [this.#keys.outboxRow(id), this.#keys.outboxDue],
        [id, attempt.nextAttemptAt, Date.parse(attempt.nextAttemptAt), attempt.error],
      );
      if (reply === 'unknown') throw notInJournal(`unknown outbox event ${id}`);
    });
  }

  // The listening side (inbox, reach, replies) lives in `redis-journal-listening.ts`.
  putInboxItems(items: readonly InboxEntry[]): Promise<number> {
    return this.#listening.putInboxItems(items);
  }

  putInboxPage(
    accountId: string,
    items: readonly InboxEntry[],
    cursor: InboxCursor,
  ): Promise<number> {
    return this.#listening.putInboxPage(accountId, items, cursor);
  }

  inboxCursor(accountId: string): Promise<InboxCursor | undefined> {
    return this.#listening.inboxCursor(accountId);
  }

  saveInboxCursor(accountId: string, cursor: InboxCursor): Promise<void> {
    return this.#listening.saveInboxCursor(accountId, cursor);
  }

  listInbox(filter: InboxFilter = {}): Promise<readonly StoredInboxItem[]> {
    return this.#listening.listInbox(filter);
  }

  markInboxAnswered(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    at: string,
  ): Promise<boolean> {
    return this.#listening.markInboxAnswered(item, at);
  }

  assignInbox(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    memberId: string,
    at: string,
  ): Promise<boolean> {
    return this.#listening.assignInbox(item, memberId, at);
  }

  putReach(readings: readonly ReachReading[]): Promise<void> {
    return this.#listening.putReach(readings);
  }

  listReach(campaignId: string): Promise<readonly ReachReading[]> {
    return this.#listening.listReach(campaignId);
  }

  planReply(record: ReplyRecord): Promise<ReplyRecord> {
    return this.#listening.planReply(record);
  }

  getReply(key: string): Promise<ReplyRecord | undefined> {
    return this.#listening.getReply(key);
  }

  updateReply(key: string, version: number, change: ReplyChange): Promise<ReplyRecord | undefined> {
    return this.#listening.updateReply(key, version, change);
  }

  listReplies(filter: ReplyFilter = {}): Promise<readonly ReplyRecord[]> {
    return this.#listening.listReplies(filter);
  }

  getCampaign(campaignId: string): Promise<CampaignRecord | undefined> {
    return guarded(async () =>
      campaignFrom(await this.#client.hgetall(this.#keys.campaign(campaignId))),
    );
  }

  /** The campaign's pause, read alone (asked before every delivery). */
  pauseOf(campaignId: string): Promise<PauseState | undefined> {
    return guarded(async () => {
      const pause = await this.#client.hget(this.#keys.campaign(campaignId), 'pause');
      return pause === null ? undefined : (JSON.parse(pause) as PauseState);
    });
  }

  listCampaigns(): Promise<readonly CampaignRecord[]> {
    return guarded(async () => {
      const ids = await this.#client.lrange(this.#keys.campaigns, 0, -1);
      const records: CampaignRecord[] = [];
      for (const part of chunks(ids, BATCH)) {
        const batch = this.#client.pipeline();
        for (const id of part) batch.hgetall(this.#keys.campaign(id));
        for (const fields of await execute(batch)) {
          const record = campaignFrom(fields as Record<string, string>);
          if (record !== undefined) records.push(record);
        }
      }
      return records;
    });
  }

  getDeliveries(campaignId: string): Promise<readonly DeliveryRecord[]> {
    return guarded(async () => {
      const ids = await this.#client.lrange(this.#keys.campaignDeliveries(campaignId), 0, -1);
      const records: DeliveryRecord[] = [];
      for (const part of chunks(ids, BATCH)) records.push(...(await this.#readDeliveries(part)));
      return records;
    });
  }

  getDelivery(deliveryId: string): Promise<DeliveryRecord | undefined> {
    return guarded(async () => (await this.#readDeliveries([deliveryId]))[0]);
  }

  /** The deliveries of these ids that exist, in the same order, in one round trip. */
  async #readDeliveries(ids: readonly string[]): Promise<DeliveryRecord[]> {
    const batch = this.#client.pipeline();
    for (const id of ids) {
      batch.hgetall(this.#keys.delivery(id));
      batch.lrange(this.#keys.deliveryHistory(id), 0, -1);
      batch.hgetall(this.#keys.deliveryNotes(id));
    }
    const replies = await execute(batch);
    const records: DeliveryRecord[] = [];
    for (let index = 0; index < ids.length; index += 1) {
      const fields = replies[index * 3] as Record<string, string>;
      if (fields.plan === undefined) continue;
      records.push(
        deliveryFrom(
          fields,
          replies[index * 3 + 1] as string[],
          replies[index * 3 + 2] as Record<string, string>,
        ),
      );
    }
    return records;
  }

  /**
   * The first delivery (in the order they were created) whose recorded post on `accountId` is
   * `remoteId`, as the SQLite and in-memory journals answer.
   */
  ownerOfPost(accountId: string, remoteId: string): Promise<PostOwner | undefined> {
    return guarded(async () => {
      const candidates = await this.#client.zrange(this.#keys.postOwners(remoteId), 0, -1);
      if (candidates.length === 0) return undefined;
      const batch = this.#client.pipeline();
      for (const id of candidates) {
        batch.hmget(this.#keys.delivery(id), 'remoteId', 'account', 'campaign');
      }
      const replies = await execute(batch);
      for (let index = 0; index < candidates.length; index += 1) {
        const [recorded, account, campaign] = replies[index] as (string | null)[];
        if (recorded === remoteId && account === accountId && campaign != null) {
          return { campaignId: campaign, deliveryId: candidates[index]! };
        }
      }
      return undefined;
    });
  }

  audit(entry: AuditEntry): Promise<void> {
    return guarded(() => appendAudit(this.#client, this.#keys, entry));
  }

  getAudit(campaignId: string): Promise<readonly ChainedAuditEntry[]> {
    return guarded(() => readAudit(this.#client, this.#keys, campaignId));
  }

  /** Every audit entry of the journal, hash-chained, in order. */
  auditLog(): Promise<readonly ChainedAuditEntry[]> {
    return guarded(() => readAuditLog(this.#client, this.#keys));
  }

  /**
   * The journal's invariants (every listed campaign and delivery is there and parses, each
   * delivery belongs to the campaign listing it, its state is its latest change) and the health of
   * Redis's append-only file.
   */
  check(): Promise<readonly string[]> {
    return guarded(async () => {
      const problems: string[] = [];
      // INFO may be refused to this user (managed Redis): then the file's health is not known.
      const info = await this.#client.info('persistence').catch(() => '');
      if (/^aof_last_write_status:err/m.test(info)) {
        problems.push(
          'redis: the last write to the append-only file failed (aof_last_write_status:err)',
        );
      }
      const layout = await this.#client.get(this.#keys.layout);
      if (layout !== null && layout !== REDIS_JOURNAL_LAYOUT) {
        problems.push(
          `${this.#keys.layout} holds ${JSON.stringify(layout)}, not ${REDIS_JOURNAL_LAYOUT}`,
        );
      }
      const ids = await this.#client.lrange(this.#keys.campaigns, 0, -1);
      const seen = new Set<string>();
      for (const id of ids) {
        if (seen.has(id)) problems.push(`campaign ${id} is listed twice`);
        seen.add(id);
        problems.push(...(await this.#checkCampaign(id)));
      }
      const verdict = verifyAuditChain(await readAuditLog(this.#client, this.#keys));
      if (!verdict.ok) {
        problems.push(`audit log: ${verdict.problem.kind}: ${verdict.problem.message}`);
      }
      return problems;
    });
  }

  async #checkCampaign(campaignId: string): Promise<string[]> {
    const problems: string[] = [];
    const record = await this.#client.hget(this.#keys.campaign(campaignId), 'record');
    if (record === null) return [`campaign ${campaignId} is listed but missing`];
    if (!parses(record)) problems.push(`campaign ${campaignId}: record does not parse`);
    const ids = await this.#client.lrange(this.#keys.campaignDeliveries(campaignId), 0, -1);
    for (const part of chunks(ids, BATCH)) {
      const batch = this.#client.pipeline();
      for (const id of part) {
        batch.hmget(this.#keys.delivery(id), 'campaign', 'state', 'plan');
        batch.lindex(this.#keys.deliveryHistory(id), -1);
      }
      const replies = await execute(batch);
      part.forEach((id, index) => {
        const [campaign, state, plan] = replies[index * 2] as (string | null)[];
        const last = replies[index * 2 + 1] as string | null;
        if (plan === null || plan === undefined) {
          problems.push(`delivery ${id} is listed by campaign ${campaignId} but missing`);
          return;
        }
        if (campaign !== campaignId) {
          problems.push(
            `delivery ${id}: listed by campaign ${campaignId}, belongs to ${String(campaign)}`,
          );
        }
        if (!parses(plan)) problems.push(`delivery ${id}: record does not parse`);
        let expected = 'planned';
        if (last !== null) {
          try {
            expected = (JSON.parse(last) as DeliveryTransition).state;
          } catch {
            problems.push(`delivery ${id}: last transition does not parse`);
            return;
          }
        }
        if (expected !== state) {
          problems.push(`delivery ${id}: state ${String(state)} ≠ last transition ${expected}`);
        }
      });
    }
    return problems;
  }

  /** Closes the connection if the journal made it; a client handed over stays open. */
  close(): Promise<void> {
    return closeRedis(this.#opened);
  }
}

/** Outbox rows as script keys and arguments (six per row). */
interface OutboxArguments {
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

/** An outbox row from its hash. */
function outboxRowFrom(fields: Record<string, string>): OutboxRow {
  return {
    id: fields.id!,
    webhookId: fields.webhookId!,
    type: fields.type as WebhookEventType,
    payload: fields.payload!,
    createdAt: fields.createdAt!,
    attempts: Number(fields.attempts ?? 0),
    nextAttemptAt: fields.nextAttemptAt!,
    ...(fields.deliveredAt === undefined ? {} : { deliveredAt: fields.deliveredAt }),
    ...(fields.lastError === undefined ? {} : { lastError: fields.lastError }),
  };
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A campaign from its hash (undefined when the hash is empty: no such campaign). */
function campaignFrom(fields: Record<string, string>): CampaignRecord | undefined {
  if (fields.record === undefined) return undefined;
  const base = JSON.parse(fields.record) as Omit<CampaignRecord, 'state' | 'runner' | 'pause'>;
  const record: { -readonly [K in keyof CampaignRecord]: CampaignRecord[K] } = {
    ...base,
    state: fields.state as CampaignRecord['state'],
  };
  if (fields.runner !== undefined)
    record.runner = JSON.parse(fields.runner) as CampaignRecord['runner'] & object;
  if (fields.pause !== undefined) record.pause = JSON.parse(fields.pause) as PauseState;
  return record;
}

/** A delivery from its hash, history and notes. */
function deliveryFrom(
  fields: Record<string, string>,
  history: readonly string[],
  notes: Record<string, string>,
): DeliveryRecord {
  const record: { -readonly [K in keyof DeliveryRecord]: DeliveryRecord[K] } = {
    delivery: JSON.parse(fields.plan!) as JournalDelivery,
    state: fields.state as DeliveryRecord['state'],
    attempts: Number(fields.attempts ?? 0),
    history: [],
  };
  for (const name of RECORD_FIELDS) {
    const value = fields[name];
    if (value !== undefined) (record as Record<string, unknown>)[name] = value;
  }
  if (Object.keys(notes).length > 0) record.notes = notes;
  if (fields.firstAttemptAt !== undefined) record.firstAttemptAt = fields.firstAttemptAt;
  record.history = history.map((change) => JSON.parse(change) as DeliveryTransition);
  return record;
}

/**
 * Opens a journal in Redis: connects (for a `url`), checks that the server keeps what it
 * acknowledges (`appendonly yes`, `appendfsync always`, `maxmemory-policy noeviction`; refused with
 * `INVALID_INPUT` otherwise, unless `unsafe: true`), and marks its key space.
 *
 * @example
 * const journal = await createRedisJournal({ url: 'redis://10.0.0.5:6379' });
 * const publisher = createPublisher({ hall, adapters, credentials, journal });
 */
export async function createRedisJournal(options: RedisJournalOptions): Promise<RedisJournal> {
  const issue = connectionIssue(options);
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  if (issue !== undefined || typeof prefix !== 'string') {
    const message = issue ?? 'expected prefix to be a string';
    throw new ReleaseHallError(`[release-hall] invalid Redis journal options: ${message}`, {
      code: 'INVALID_INPUT',
      issues: [{ path: issue === undefined ? 'prefix' : 'connection', message }],
    });
  }
  const opened = await openRedis(options, options.logger);
  try {
    await requireRedisDurability(opened.client, {
      unsafe: options.unsafe,
      logger: options.logger,
      what: 'the journal',
    });
    const journal = new RedisJournal(opened.client, { prefix, ownsClient: opened.owned });
    await journal.claimKeySpace();
    return journal;
  } catch (error) {
    await closeRedis(opened);
    throw storeFailure(error);
  }
}
