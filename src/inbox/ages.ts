/**
 * How long the stored items have waited, and which have waited past the reply deadline: the
 * hall's `inbox.replyDeadlineHours` (24 hours unless the hall file says otherwise), or the one the
 * caller gives.
 */
import type { StoredInboxItem } from '../journal/inbox.js';

/** The reply deadline used when none is given: 24 hours after an item was written. */
export const DEFAULT_REPLY_DEADLINE_MS = 24 * 60 * 60 * 1000;

/** A stored item with its age at `now`. */
export interface InboxItemAge {
  readonly item: StoredInboxItem;
  /** Milliseconds since the item was written (0 for an item dated in the future). */
  readonly ageMs: number;
  /** True when the item is not answered and older than the reply deadline. */
  readonly overdue: boolean;
}

/** The age of each item at `now`, and whether it waits past `deadlineMs` unanswered. */
export function inboxItemAges(
  items: readonly StoredInboxItem[],
  now: Date,
  deadlineMs: number = DEFAULT_REPLY_DEADLINE_MS,
): InboxItemAge[] {
  return items.map((item) => {
    const ageMs = Math.max(0, now.getTime() - Date.parse(item.at));
    return { item, ageMs, overdue: item.answeredAt === undefined && ageMs > deadlineMs };
  });
}
