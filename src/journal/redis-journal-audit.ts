/**
 * The audit trail of the Redis journal: one list per campaign, entries appended in order (one
 * `RPUSH`, atomic and durable once acknowledged) and read back oldest first. Kept apart so the
 * way entries are written (for example, chained by hash) changes in this file only.
 */
import type { Redis } from 'ioredis';
import type { AuditEntry } from './journal.js';
import type { RedisJournalKeys } from './redis-journal-keys.js';

/** Appends an entry to its campaign's trail. */
export async function appendAudit(
  client: Redis,
  keys: RedisJournalKeys,
  entry: AuditEntry,
): Promise<void> {
  await client.rpush(keys.campaignAudit(entry.campaignId), JSON.stringify(entry));
}

/** The campaign's entries, oldest first. */
export async function readAudit(
  client: Redis,
  keys: RedisJournalKeys,
  campaignId: string,
): Promise<AuditEntry[]> {
  const entries = await client.lrange(keys.campaignAudit(campaignId), 0, -1);
  return entries.map((entry) => JSON.parse(entry) as AuditEntry);
}
