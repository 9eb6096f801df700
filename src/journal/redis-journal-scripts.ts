/**
 * The Lua scripts of the Redis journal. Each change is one script, so it is applied whole or not
 * at all, and no other client sees it half done. Keys are passed in `KEYS` (see
 * `redis-journal-keys.ts`); replies are short status words the journal turns into errors.
 */
import { LuaScript } from '../redis/lua.js';

/**
 * Creates a campaign unless one of that id exists. KEYS: campaign, campaigns. ARGV: id, creation
 * token, record JSON, state, runner JSON or '', pause JSON or ''. The token marks the campaign as
 * being created, so the delivery batches queued after it in the same transaction write only if
 * this script did. The token stays as `createdBy`, so the same transaction sent again (a client
 * resending it after Redis restarted before answering) is known as the one that created the
 * campaign. Replies 1 when created, 2 when this token had created it already, 0 when the id was
 * taken by another creation.
 */
export const CREATE_CAMPAIGN = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'createdBy') == ARGV[2] then return 2 end
  return 0
end
redis.call('HSET', KEYS[1], 'record', ARGV[3], 'state', ARGV[4], 'creating', ARGV[2], 'createdBy', ARGV[2])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'runner', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'pause', ARGV[6]) end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
`);

/** Ends a creation: drops the token. KEYS: campaign. ARGV: token. */
export const FINISH_CREATE = new LuaScript(`
if redis.call('HGET', KEYS[1], 'creating') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'creating')
end
return 1
`);

/**
 * Adds deliveries to a campaign; an id already in the journal is kept as it is. KEYS: campaign,
 * campaign-deliveries, delivery-seq, then one delivery hash per delivery. ARGV: creation token
 * ('' when the campaign must exist already), campaign id, then id, account id and plan JSON of each
 * delivery. Replies the number added, or -1 when the campaign is unknown (or its creation failed).
 */
export const ADD_DELIVERIES = new LuaScript(`
if ARGV[1] ~= '' then
  if redis.call('HGET', KEYS[1], 'creating') ~= ARGV[1] then return -1 end
elseif redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local added = 0
for i = 4, #KEYS do
  local at = 3 + (i - 4) * 3
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local seq = redis.call('INCR', KEYS[3])
    redis.call('HSET', KEYS[i], 'campaign', ARGV[2], 'account', ARGV[at + 1], 'seq', seq,
      'plan', ARGV[at + 2], 'state', 'planned', 'attempts', 0)
    redis.call('RPUSH', KEYS[2], ARGV[at])
    added = added + 1
  end
end
return added
`);

/**
 * Gives deliveries a new lease (the fencing token); unknown ids are passed over. KEYS: delivery
 * hashes. ARGV: lease. Replies the number claimed.
 */
export const CLAIM = new LuaScript(`
local claimed = 0
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HSET', KEYS[i], 'lease', ARGV[1])
    claimed = claimed + 1
  end
end
return claimed
`);

/**
 * Lua that appends outbox rows: `first_key` is the KEYS index of the first row's hash and
 * `first_arg` the ARGV index of its six values (id, webhook id, type, payload JSON, created at,
 * due time in ms). KEYS[due] is the sorted set of owed rows, KEYS[list] the list of every row.
 * `count` rows are appended, or every row to the end of ARGV when it is nil.
 */
const APPEND_OUTBOX = `
local function append_outbox(due, list, first_key, first_arg, count)
  local last = #ARGV
  if count then last = first_arg + count * 6 - 1 end
  local row = 0
  for i = first_arg, last, 6 do
    local key = KEYS[first_key + row]
    redis.call('HSET', key, 'id', ARGV[i], 'webhookId', ARGV[i + 1], 'type', ARGV[i + 2],
      'payload', ARGV[i + 3], 'createdAt', ARGV[i + 4], 'attempts', 0,
      'nextAttemptAt', ARGV[i + 4])
    redis.call('ZADD', KEYS[due], ARGV[i + 5], ARGV[i])
    redis.call('RPUSH', KEYS[list], ARGV[i])
    row = row + 1
  end
end
`;

/**
 * One state change, compare-and-set on the lease, with the outbox rows it causes. KEYS: delivery,
 * delivery-history, outbox-due, outbox, post-owners of the change's remote id when it has one,
 * then one outbox hash per row. ARGV: delivery id, '1' when the change carries a lease, the lease,
 * state, at, attempt, the change's JSON, the number of field/value pairs, '1' when post-owners is
 * passed, the field/value pairs to set, then six values per outbox row.
 *
 * Refused (`stale`) when the change carries a lease and the delivery holds another: a process that
 * stalled while another claimed the delivery cannot overwrite it. A change equal to the last one
 * recorded (a client resending a call whose answer was lost) is not recorded twice (`repeat`), and
 * neither are its outbox rows. Otherwise the state and fields are set, `attempts` becomes the
 * larger of the two, the first `sending` sets `firstAttemptAt`, the change is appended to the
 * history and the outbox rows are appended: all in this one script, so all or none.
 */
export const TRANSITION = new LuaScript(`${APPEND_OUTBOX}
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
if ARGV[2] == '1' then
  local current = redis.call('HGET', KEYS[1], 'lease')
  if current and current ~= ARGV[3] then return 'stale' end
end
if redis.call('LINDEX', KEYS[2], -1) == ARGV[7] then return 'repeat' end
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts') or '0')
local attempt = tonumber(ARGV[6])
if attempt > attempts then attempts = attempt end
redis.call('HSET', KEYS[1], 'state', ARGV[4], 'attempts', attempts)
if ARGV[4] == 'sending' and redis.call('HEXISTS', KEYS[1], 'firstAttemptAt') == 0 then
  redis.call('HSET', KEYS[1], 'firstAttemptAt', ARGV[5])
end
local pairs_end = 9 + tonumber(ARGV[8]) * 2
for i = 10, pairs_end, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('RPUSH', KEYS[2], ARGV[7])
local first_row = 5
if ARGV[9] == '1' then
  redis.call('ZADD', KEYS[5], 'NX', redis.call('HGET', KEYS[1], 'seq'), ARGV[1])
  first_row = 6
end
append_outbox(3, 4, first_row, pairs_end + 1)
return 'ok'
`);

/** Stores a fact about a delivery. KEYS: delivery, delivery-notes. ARGV: name, value. */
export const NOTE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 'ok'
`);

/**
 * Changes a campaign. KEYS: campaign, outbox-due, outbox, then one outbox hash per row. ARGV:
 * state or '' to keep it, runner JSON or '' to keep it, 'keep' | 'clear' | 'set' for the pause,
 * the pause JSON, then six values per outbox row: appended only when the state changes (a
 * campaign settles once per change into a settled state). Replies 0 for an unknown campaign.
 */
export const UPDATE_CAMPAIGN = new LuaScript(`${APPEND_OUTBOX}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'state') ~= ARGV[1] then
  append_outbox(2, 3, 4, 5)
end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'state', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'runner', ARGV[2]) end
if ARGV[3] == 'clear' then redis.call('HDEL', KEYS[1], 'pause') end
if ARGV[3] == 'set' then redis.call('HSET', KEYS[1], 'pause', ARGV[4]) end
return 1
`);

/** Appends outbox rows. KEYS: outbox-due, outbox, one hash per row. ARGV: six values per row. */
export const ADD_OUTBOX = new LuaScript(`${APPEND_OUTBOX}
append_outbox(1, 2, 3, 1)
return 'ok'
`);

/**
 * Marks an outbox row delivered (once: a second mark keeps the first time). KEYS: the row's hash,
 * outbox-due. ARGV: row id, at. Replies `unknown` for no such row.
 */
export const OUTBOX_DELIVERED = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
if redis.call('HEXISTS', KEYS[1], 'deliveredAt') == 0 then
  redis.call('HSET', KEYS[1], 'deliveredAt', ARGV[2])
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 'ok'
`);

/**
 * Counts a failed attempt of an owed outbox row and sets its next one. KEYS: the row's hash,
 * outbox-due. ARGV: row id, next attempt (ISO), next attempt (ms), error. Replies `unknown` for no
 * such row; a delivered row is left as it is.
 */
export const OUTBOX_ATTEMPT = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
if redis.call('HEXISTS', KEYS[1], 'deliveredAt') == 0 then
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
  redis.call('HSET', KEYS[1], 'nextAttemptAt', ARGV[2], 'lastError', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
return 'ok'
`);

/**
 * Stores a page of inbox items, each once, the `inbox.item` outbox rows of the items stored for
 * the first time, and the account's cursor, as one change. KEYS: inbox, inbox-cursor of the
 * account, outbox-due, outbox, then one inbox-item hash per item, then the outbox hashes of every
 * item's rows (in the order of the items). ARGV: cursor JSON ('' to leave the cursor as it is), the
 * number of items, then the key, the JSON and the number of outbox rows of each item, then six
 * values per outbox row (in the order of the items). An item stored already is left as it is and
 * its rows are not appended. Replies the number added.
 */
export const PUT_INBOX = new LuaScript(`${APPEND_OUTBOX}
local count = tonumber(ARGV[2])
local added = 0
local row_key = 5 + count
local row_arg = 3 + count * 3
for i = 1, count do
  local at = 3 + (i - 1) * 3
  local rows = tonumber(ARGV[at + 2])
  if redis.call('EXISTS', KEYS[4 + i]) == 0 then
    redis.call('HSET', KEYS[4 + i], 'item', ARGV[at + 1])
    redis.call('RPUSH', KEYS[1], ARGV[at])
    append_outbox(3, 4, row_key, row_arg, rows)
    added = added + 1
  end
  row_key = row_key + rows
  row_arg = row_arg + rows * 6
end
if ARGV[1] ~= '' then redis.call('SET', KEYS[2], ARGV[1]) end
return added
`);

/** Marks an inbox item answered; the first time is kept. KEYS: inbox-item. ARGV: at. Replies 0 when unknown. */
export const INBOX_ANSWERED = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[1], 'answeredAt', ARGV[1])
return 1
`);

/**
 * Assigns a stored inbox item to a member (the latest assignment wins). KEYS: the item's hash.
 * ARGV: member id, time. Replies 1, or 0 when the item is not stored.
 */
export const INBOX_ASSIGNED = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'assignedTo', ARGV[1], 'assignedAt', ARGV[2])
return 1
`);

/**
 * Plans a reply unless its key is stored. KEYS: reply hash, replies list. ARGV: key, version,
 * record JSON. Replies the stored record's JSON.
 */
export const PLAN_REPLY = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HGET', KEYS[1], 'record') end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'record', ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[1])
return ARGV[3]
`);

/**
 * Changes a reply when its version is still the one read. KEYS: reply hash. ARGV: expected
 * version, new version, new record JSON. Replies 1 when changed, 0 otherwise.
 */
export const UPDATE_REPLY = new LuaScript(`
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'record', ARGV[3])
return 1
`);
