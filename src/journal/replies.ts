/**
 * The replies of the journal: one record per reply the hall means to make to an inbox item, known
 * by an idempotency key derived from the item and the text. The record is written `sending` before
 * the platform is called, so a reply whose answer was lost (a crash, a timeout after the platform
 * took it) is found in `sending` or `unknown` and looked up on the platform before any re-send.
 *
 * Every change is a compare-and-set on the record's `version`: of two processes that read the same
 * record, one changes it and the other is told it lost.
 */
import { createHash } from 'node:crypto';
import type { InboxItem } from '../adapter.js';
import type { Journal } from './journal.js';

/**
 * Where a reply stands:
 *
 * - `planned`: recorded, nothing sent;
 * - `sending`: being sent (written before the platform call);
 * - `sent`: the platform stored it (`remoteId`);
 * - `failed`: the platform certainly did not store it (refused, or never reached);
 * - `unknown`: it may have been stored (a timeout, a 5xx after the write): look it up first.
 */
export type ReplyState = 'planned' | 'sending' | 'sent' | 'failed' | 'unknown';

/** A reply as the journal keeps it. */
export interface ReplyRecord {
  /** The idempotency key: {@link replyKey} of the item and the text. */
  readonly key: string;
  readonly platform: string;
  /** The account that answers: the item's own, or the one `as` or an assignment names. */
  readonly accountId: string;
  /** The member of that account. */
  readonly memberId: string;
  /** The platform's id of the item answered. */
  readonly itemRemoteId: string;
  readonly text: string;
  readonly state: ReplyState;
  /** Incremented by every change; the compare-and-set of {@link JournalReplies.updateReply}. */
  readonly version: number;
  /** Sends made so far. */
  readonly attempts: number;
  /** The platform's id of the reply, once `sent`. */
  readonly remoteId?: string;
  /** While `sending`: the time (ISO 8601) until which the sender holds the record. */
  readonly leaseUntil?: string;
  /** Why it is `failed` or `unknown`. */
  readonly error?: { readonly code: string; readonly message: string };
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601. */
  readonly updatedAt: string;
}

/** A change of a reply record: its new state and the fields that come with it. */
export interface ReplyChange {
  readonly state: ReplyState;
  readonly remoteId?: string;
  readonly leaseUntil?: string;
  readonly error?: { readonly code: string; readonly message: string };
  /** Count one more send. */
  readonly countAttempt?: boolean;
  /** When the change is made (ISO 8601). */
  readonly at: string;
}

/** Which reply records {@link JournalReplies.listReplies} returns. */
export interface ReplyFilter {
  readonly accountId?: string | undefined;
  readonly itemRemoteId?: string | undefined;
}

/**
 * The reply methods of a journal. The journals of this package have them; a journal of another
 * maker may not ({@link hasReplies}).
 */
export interface JournalReplies {
  /**
   * Stores a new record unless one with its key is stored: resolves with the stored record (the
   * earlier one when there was one).
   */
  planReply(record: ReplyRecord): Promise<ReplyRecord>;
  /** The record with this key, if any. */
  getReply(key: string): Promise<ReplyRecord | undefined>;
  /**
   * Changes the record when its version is still `version`; resolves with the changed record, or
   * `undefined` when it was changed since (or is not stored).
   */
  updateReply(key: string, version: number, change: ReplyChange): Promise<ReplyRecord | undefined>;
  /** The records that match `filter`, in the order they were planned. */
  listReplies(filter?: ReplyFilter): Promise<readonly ReplyRecord[]>;
}

/** True when `journal` keeps replies (every journal of this package does). */
export function hasReplies(journal: Journal): journal is Journal & JournalReplies {
  const candidate = journal as Partial<JournalReplies>;
  return (
    typeof candidate.planReply === 'function' &&
    typeof candidate.getReply === 'function' &&
    typeof candidate.updateReply === 'function' &&
    typeof candidate.listReplies === 'function'
  );
}

/**
 * The idempotency key of a reply: the item (platform, account, remote id) and the text, trimmed.
 * The same text to the same item always has the same key.
 */
export function replyKey(
  item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
  text: string,
): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([item.platform, item.accountId, item.remoteId, text.trim()]))
    .digest('hex');
  return `reply:${digest.slice(0, 32)}`;
}

/** The record after `change` (a pure step every journal shares). */
export function changedReply(record: ReplyRecord, change: ReplyChange): ReplyRecord {
  const { remoteId, leaseUntil: _leaseUntil, error: _error, ...kept } = record;
  return {
    ...kept,
    state: change.state,
    version: record.version + 1,
    attempts: record.attempts + (change.countAttempt === true ? 1 : 0),
    ...(change.remoteId === undefined
      ? remoteId === undefined
        ? {}
        : { remoteId }
      : { remoteId: change.remoteId }),
    ...(change.leaseUntil === undefined ? {} : { leaseUntil: change.leaseUntil }),
    ...(change.error === undefined ? {} : { error: change.error }),
    updatedAt: change.at,
  };
}

/** True when a record passes the filter. */
export function matchesReplyFilter(record: ReplyRecord, filter: ReplyFilter = {}): boolean {
  if (filter.accountId !== undefined && record.accountId !== filter.accountId) return false;
  if (filter.itemRemoteId !== undefined && record.itemRemoteId !== filter.itemRemoteId) {
    return false;
  }
  return true;
}
