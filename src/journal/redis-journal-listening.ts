/**
 * The listening side of the Redis journal: inbox items and cursors, reach readings, replies. Each
 * method is one script or transaction, as in the rest of the journal; the keys are in
 * `redis-journal-keys.ts`.
 */
import type { Redis } from 'ioredis';
import type { InboxCursor, InboxItem } from '../adapter.js';
import {
  type InboxEntry,
  type InboxFilter,
  type StoredInboxItem,
  inboxItemKey,
  limitInbox,
  matchesInboxFilter,
  newestFirst,
  storedInboxItems,
} from './inbox.js';
import { type OutboxRow, type OutboxSubscription, inboxItemRows } from './outbox.js';
import { type ReachReading, oldestReadingFirst, storedReachReading } from './reach.js';
import {
  type ReplyChange,
  type ReplyFilter,
  type ReplyRecord,
  changedReply,
  matchesReplyFilter,
} from './replies.js';
import { BATCH, chunks, execute, guarded } from './redis-journal-io.js';
import type { RedisJournalKeys } from './redis-journal-keys.js';
import {
  INBOX_ANSWERED,
  INBOX_ASSIGNED,
  PLAN_REPLY,
  PUT_INBOX,
  UPDATE_REPLY,
} from './redis-journal-scripts.js';

/** Inbox, reach and replies of one Redis journal. */
export class RedisListening {
  readonly #client: Redis;
  readonly #keys: RedisJournalKeys;
  /** The journal's outbox subscriptions at the time of a write. */
  readonly #subscriptions: () => readonly OutboxSubscription[];

  constructor(
    client: Redis,
    keys: RedisJournalKeys,
    subscriptions: () => readonly OutboxSubscription[] = () => [],
  ) {
    this.#client = client;
    this.#keys = keys;
    this.#subscriptions = subscriptions;
  }

  /**
   * The campaign of each post the items answer: the delivery that recorded the post on the item's
   * own account first, then any delivery that recorded it.
   */
  async #campaignsOfPosts(items: readonly InboxEntry[]): Promise<Map<string, string>> {
    const posts = [
      ...new Set(items.flatMap((item) => (item.postId === undefined ? [] : [item.postId]))),
    ];
    const found = new Map<string, string>();
    if (posts.length === 0) return found;
    const owners = await execute(
      posts.reduce(
        (batch, post) => batch.zrange(this.#keys.postOwners(post), 0, -1),
        this.#client.pipeline(),
      ),
    );
    const candidates = posts.flatMap((post, index) =>
      (owners[index] as string[]).map((deliveryId) => ({ post, deliveryId })),
    );
    if (candidates.length === 0) return found;
    const batch = this.#client.pipeline();
    for (const { deliveryId } of candidates) {
      batch.hmget(this.#keys.delivery(deliveryId), 'remoteId', 'account', 'campaign');
    }
    const replies = await execute(batch);
    candidates.forEach(({ post }, index) => {
      const [recorded, account, campaign] = replies[index] as (string | null)[];
      if (recorded !== post || campaign == null || account == null) return;
      found.set(`${account}\u0000${post}`, campaign);
      if (!found.has(post)) found.set(post, campaign);
    });
    return found;
  }

  async #putInbox(
    cursor: { readonly accountId: string; readonly cursor: InboxCursor } | undefined,
    items: readonly InboxEntry[],
  ): Promise<number> {
    const campaigns = await this.#campaignsOfPosts(items);
    const stored = storedInboxItems(
      items,
      (item) =>
        item.postId === undefined
          ? undefined
          : (campaigns.get(`${item.accountId}\u0000${item.postId}`) ?? campaigns.get(item.postId)),
      new Date().toISOString(),
    );
    const keys = stored.map((item) => inboxItemKey(item));
    // Each item's `inbox.item` rows go with it; the script appends them only for an item it stores.
    const subscriptions = this.#subscriptions();
    const rows = stored.map((item) => inboxItemRows(subscriptions, item));
    const allRows: OutboxRow[] = rows.flat();
    const reply = await PUT_INBOX.run(
      this.#client,
      [
        this.#keys.inbox,
        this.#keys.inboxCursor(cursor?.accountId ?? ''),
        this.#keys.outboxDue,
        this.#keys.outbox,
        ...keys.map((key) => this.#keys.inboxItem(key)),
        ...allRows.map((row) => this.#keys.outboxRow(row.id)),
      ],
      [
        cursor === undefined ? '' : JSON.stringify(cursor.cursor),
        stored.length,
        ...stored.flatMap((item, index) => [
          keys[index]!,
          JSON.stringify(item),
          rows[index]!.length,
        ]),
        ...allRows.flatMap((row) => [
          row.id,
          row.webhookId,
          row.type,
          row.payload,
          row.createdAt,
          Date.parse(row.nextAttemptAt),
        ]),
      ],
    );
    return Number(reply);
  }

  putInboxItems(items: readonly InboxEntry[]): Promise<number> {
    return guarded(() => this.#putInbox(undefined, items));
  }

  putInboxPage(
    accountId: string,
    items: readonly InboxEntry[],
    cursor: InboxCursor,
  ): Promise<number> {
    return guarded(() => this.#putInbox({ accountId, cursor }, items));
  }

  inboxCursor(accountId: string): Promise<InboxCursor | undefined> {
    return guarded(async () => {
      const text = await this.#client.get(this.#keys.inboxCursor(accountId));
      return text === null ? undefined : (JSON.parse(text) as InboxCursor);
    });
  }

  saveInboxCursor(accountId: string, cursor: InboxCursor): Promise<void> {
    return guarded(async () => {
      await this.#client.set(this.#keys.inboxCursor(accountId), JSON.stringify(cursor));
    });
  }

  /** Reads every stored item (in batches), filters and orders them. */
  listInbox(filter: InboxFilter = {}): Promise<readonly StoredInboxItem[]> {
    return guarded(async () => {
      const keys = await this.#client.lrange(this.#keys.inbox, 0, -1);
      const entries: { item: StoredInboxItem; order: number }[] = [];
      for (const [part, start] of chunks(keys, BATCH).map(
        (part, index) => [part, index * BATCH] as const,
      )) {
        const batch = this.#client.pipeline();
        for (const key of part) {
          batch.hmget(this.#keys.inboxItem(key), 'item', 'answeredAt', 'assignedTo', 'assignedAt');
        }
        (await execute(batch)).forEach((reply, index) => {
          const [text, answeredAt, assignedTo, assignedAt] = reply as (string | null)[];
          if (text == null) return;
          const item: StoredInboxItem = {
            ...(JSON.parse(text) as StoredInboxItem),
            ...(answeredAt == null ? {} : { answeredAt }),
            ...(assignedTo == null || assignedAt == null ? {} : { assignedTo, assignedAt }),
          };
          if (matchesInboxFilter(item, filter)) entries.push({ item, order: start + index });
        });
      }
      return limitInbox(newestFirst(entries), filter);
    });
  }

  /** Appends the readings to each campaign's list, in one transaction. */
  putReach(readings: readonly ReachReading[]): Promise<void> {
    return guarded(async () => {
      if (readings.length === 0) return;
      const batch = this.#client.multi();
      for (const reading of readings.map(storedReachReading)) {
        batch.rpush(this.#keys.campaignReach(reading.campaignId), JSON.stringify(reading));
      }
      await execute(batch);
    });
  }

  listReach(campaignId: string): Promise<readonly ReachReading[]> {
    return guarded(async () => {
      const texts = await this.#client.lrange(this.#keys.campaignReach(campaignId), 0, -1);
      return oldestReadingFirst(texts.map((text) => JSON.parse(text) as ReachReading));
    });
  }

  markInboxAnswered(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    at: string,
  ): Promise<boolean> {
    return guarded(async () => {
      const reply = await INBOX_ANSWERED.run(
        this.#client,
        [this.#keys.inboxItem(inboxItemKey(item))],
        [at],
      );
      return Number(reply) === 1;
    });
  }
  assignInbox(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    memberId: string,
    at: string,
  ): Promise<boolean> {
    return guarded(async () => {
      const reply = await INBOX_ASSIGNED.run(
        this.#client,
        [this.#keys.inboxItem(inboxItemKey(item))],
        [memberId, at],
      );
      return Number(reply) === 1;
    });
  }

  planReply(record: ReplyRecord): Promise<ReplyRecord> {
    return guarded(async () => {
      const reply = await PLAN_REPLY.run(
        this.#client,
        [this.#keys.reply(record.key), this.#keys.replies],
        [record.key, record.version, JSON.stringify(record)],
      );
      return JSON.parse(String(reply)) as ReplyRecord;
    });
  }

  getReply(key: string): Promise<ReplyRecord | undefined> {
    return guarded(async () => {
      const text = await this.#client.hget(this.#keys.reply(key), 'record');
      return text === null ? undefined : (JSON.parse(text) as ReplyRecord);
    });
  }

  updateReply(key: string, version: number, change: ReplyChange): Promise<ReplyRecord | undefined> {
    return guarded(async () => {
      const text = await this.#client.hget(this.#keys.reply(key), 'record');
      if (text === null) return undefined;
      const stored = JSON.parse(text) as ReplyRecord;
      if (stored.version !== version) return undefined;
      const next = changedReply(stored, change);
      const changed = await UPDATE_REPLY.run(
        this.#client,
        [this.#keys.reply(key)],
        [version, next.version, JSON.stringify(next)],
      );
      return Number(changed) === 1 ? next : undefined;
    });
  }

  listReplies(filter: ReplyFilter = {}): Promise<readonly ReplyRecord[]> {
    return guarded(async () => {
      const keys = await this.#client.lrange(this.#keys.replies, 0, -1);
      const records: ReplyRecord[] = [];
      for (const part of chunks(keys, BATCH)) {
        const batch = this.#client.pipeline();
        for (const key of part) batch.hget(this.#keys.reply(key), 'record');
        for (const reply of await execute(batch)) {
          if (typeof reply !== 'string') continue;
          const record = JSON.parse(reply) as ReplyRecord;
          if (matchesReplyFilter(record, filter)) records.push(record);
        }
      }
      return records;
    });
  }
}
