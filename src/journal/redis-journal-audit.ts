/**
 * The audit trail of the Redis journal, hash-chained like the other journals' (see
 * `audit-chain.ts`): one log of every entry in order (`<prefix>audit`), the campaign's own list of
 * its entries' numbers, and the head (`<prefix>audit-head`, `seq:hash`). Redis's Lua has no
 * SHA-256, so the entry is chained here and appended by one script that checks the head is still
 * the one it was chained after (compare-and-set); a writer that lost the race chains again after
 * the new head. A command resent after a reconnect finds its own entry at the head and stops.
 */
import type { Redis } from 'ioredis';
import { LuaScript } from '../redis/lua.js';
import { type AuditHead, type ChainedAuditEntry, chainAuditEntry } from './audit-chain.js';
import { canonicalJson } from '../gate/approvals.js';
import type { AuditEntry } from './journal.js';
import type { RedisJournalKeys } from './redis-journal-keys.js';

/**
 * KEYS: head, log, campaign list. ARGV: the head expected (`seq:hash`, or empty), the new head,
 * the entry's JSON, its seq. Replies `ok`, or the head and the entry at the head when it moved.
 */
const APPEND = new LuaScript(`
local head = redis.call('GET', KEYS[1]) or ''
if head ~= ARGV[1] then
  local last = redis.call('LINDEX', KEYS[2], -1) or ''
  return {'moved', head, last}
end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[4])
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
`);

/** How many times a writer chains again after losing the race before it gives up. */
const ATTEMPTS = 64;

function parseHead(head: string): AuditHead | undefined {
  const [seq, hash] = head.split(':');
  if (seq === undefined || hash === undefined || seq === '') return undefined;
  return { seq: Number(seq), hash };
}

/** The entry's own fields, for telling a resent append from another writer's. */
function own(entry: AuditEntry): string {
  return canonicalJson({
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    campaignId: entry.campaignId,
    detail: entry.detail ?? null,
  });
}

/** Appends an entry, chained after the journal's head. */
export async function appendAudit(
  client: Redis,
  keys: RedisJournalKeys,
  entry: AuditEntry,
): Promise<void> {
  let head = (await client.get(keys.auditHead)) ?? '';
  let expectedPrev = head;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const chained = chainAuditEntry(parseHead(head), entry);
    const reply = (await APPEND.run(
      client,
      [keys.auditHead, keys.auditLog, keys.campaignAudit(entry.campaignId)],
      [head, `${chained.seq}:${chained.hash}`, JSON.stringify(chained), chained.seq],
    )) as string[];
    if (reply[0] === 'ok') return;
    const [, moved = '', last = ''] = reply;
    // Our own append, answered before a reconnect and resent: it is there already.
    if (last !== '') {
      const found = JSON.parse(last) as ChainedAuditEntry;
      if (found.prevHash === parseHead(expectedPrev)?.hash && own(found) === own(chained)) return;
    }
    head = moved;
    expectedPrev = moved;
  }
  throw new Error(`the audit log kept moving: gave up after ${ATTEMPTS} attempts`);
}

/** The campaign's entries, oldest first. */
export async function readAudit(
  client: Redis,
  keys: RedisJournalKeys,
  campaignId: string,
): Promise<ChainedAuditEntry[]> {
  const seqs = await client.lrange(keys.campaignAudit(campaignId), 0, -1);
  if (seqs.length === 0) return [];
  const log = await readAuditLog(client, keys);
  const wanted = new Set(seqs.map(Number));
  return log.filter((entry) => wanted.has(entry.seq));
}

/** Every entry of the journal, in the order appended. */
export async function readAuditLog(
  client: Redis,
  keys: RedisJournalKeys,
): Promise<ChainedAuditEntry[]> {
  const entries = await client.lrange(keys.auditLog, 0, -1);
  return entries.map((entry) => JSON.parse(entry) as ChainedAuditEntry);
}
