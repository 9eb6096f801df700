/**
 * The key layout of the Redis journal. Every key starts with the prefix (default
 * `release-hall:`); the kind of key comes before the id, so no id (which may hold any character)
 * can make one key look like another.
 *
 * | key | type | holds |
 * | --- | --- | --- |
 * | `<prefix>journal` | string | the layout version, `release-hall-journal/2` |
 * | `<prefix>campaigns` | list | campaign ids, in the order they were created |
 * | `<prefix>campaign:<id>` | hash | `record` (the campaign's JSON without state, runner and pause), `state`, `runner` (JSON), `pause` (JSON), `createdBy` (the id of the call that created it) |
 * | `<prefix>campaign-deliveries:<id>` | list | the campaign's delivery ids, in plan order |
 * | `<prefix>audit` | list | every audit entry (JSON, hash-chained), in the order appended |
 * | `<prefix>audit-head` | string | the last entry's `seq:hash` |
 * | `<prefix>campaign-audit:<id>` | list | the `seq` of the campaign's audit entries, oldest first |
 * | `<prefix>delivery:<id>` | hash | `campaign`, `account`, `seq`, `plan` (JSON), `state`, `attempts`, `lease`, `firstAttemptAt`, and `remoteId`, `url`, `performed`, `via`, `errorCode`, `errorMessage` once set |
 * | `<prefix>delivery-history:<id>` | list | every state change (JSON, without its lease), oldest first |
 * | `<prefix>delivery-notes:<id>` | hash | the facts an adapter journaled (a platform job id) |
 * | `<prefix>delivery-seq` | string | a counter giving each delivery its place in the order of creation |
 * | `<prefix>post-owners:<remoteId>` | sorted set | the deliveries that recorded this post id, by `seq` |
 * | `<prefix>campaign-reach:<id>` | list | every reach reading of the campaign's posts (JSON), in the order appended |
 * | `<prefix>outbox` | list | every outbox row id (webhook events), in the order appended |
 * | `<prefix>outbox-due` | sorted set | the ids of the rows still owed, by next attempt (ms) |
 * | `<prefix>outbox-row:<id>` | hash | `id`, `webhookId`, `type`, `payload` (JSON), `createdAt`, `attempts`, `nextAttemptAt`, `deliveredAt`, `lastError` |
 * | `<prefix>inbox` | list | every inbox item key (`["platform","account","remoteId"]`), in the order stored |
 * | `<prefix>inbox-item:<key>` | hash | `item` (the stored item, JSON), `answeredAt` once marked |
 * | `<prefix>inbox-cursor:<account>` | string | the cursor stored with the account's last page (JSON) |
 * | `<prefix>replies` | list | every reply key, in the order planned |
 * | `<prefix>reply:<key>` | hash | `version`, `record` (the reply record, JSON) |
 *
 * For Redis Cluster, put a hash tag in the prefix (`{release-hall}:`) so every key of a journal
 * lives in one slot, as its multi-key scripts need.
 */

/** The layout version stored at `<prefix>journal`. */
export const REDIS_JOURNAL_LAYOUT = 'release-hall-journal/2';

/** The default key prefix. */
export const DEFAULT_REDIS_PREFIX = 'release-hall:';

/** The keys of one journal. */
export interface RedisJournalKeys {
  readonly layout: string;
  readonly campaigns: string;
  readonly deliverySeq: string;
  readonly campaign: (id: string) => string;
  readonly campaignDeliveries: (id: string) => string;
  readonly campaignAudit: (id: string) => string;
  readonly auditLog: string;
  readonly auditHead: string;
  readonly delivery: (id: string) => string;
  readonly deliveryHistory: (id: string) => string;
  readonly deliveryNotes: (id: string) => string;
  readonly postOwners: (remoteId: string) => string;
  readonly campaignReach: (id: string) => string;
  readonly outbox: string;
  readonly outboxDue: string;
  readonly outboxRow: (id: string) => string;
  readonly inbox: string;
  readonly inboxItem: (key: string) => string;
  readonly inboxCursor: (accountId: string) => string;
  readonly replies: string;
  readonly reply: (key: string) => string;
}

/** The keys of the journal under `prefix`. */
export function redisJournalKeys(prefix: string = DEFAULT_REDIS_PREFIX): RedisJournalKeys {
  return {
    layout: `${prefix}journal`,
    campaigns: `${prefix}campaigns`,
    deliverySeq: `${prefix}delivery-seq`,
    campaign: (id) => `${prefix}campaign:${id}`,
    campaignDeliveries: (id) => `${prefix}campaign-deliveries:${id}`,
    campaignAudit: (id) => `${prefix}campaign-audit:${id}`,
    auditLog: `${prefix}audit`,
    auditHead: `${prefix}audit-head`,
    delivery: (id) => `${prefix}delivery:${id}`,
    deliveryHistory: (id) => `${prefix}delivery-history:${id}`,
    deliveryNotes: (id) => `${prefix}delivery-notes:${id}`,
    postOwners: (remoteId) => `${prefix}post-owners:${remoteId}`,
    campaignReach: (id) => `${prefix}campaign-reach:${id}`,
    outbox: `${prefix}outbox`,
    outboxDue: `${prefix}outbox-due`,
    outboxRow: (id) => `${prefix}outbox-row:${id}`,
    inbox: `${prefix}inbox`,
    inboxItem: (key) => `${prefix}inbox-item:${key}`,
    inboxCursor: (accountId) => `${prefix}inbox-cursor:${accountId}`,
    replies: `${prefix}replies`,
    reply: (key) => `${prefix}reply:${key}`,
  };
}
