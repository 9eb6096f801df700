/**
 * The inbox of the journal: the comments and mentions read from the hall's accounts, each stored
 * once, and the cursor of each account's last read. A page of items and the cursor that follows it
 * are written in one transaction ({@link JournalInbox.putInboxPage}), so a read interrupted at any
 * point is read again from the cursor stored with the last page kept: no item is lost or stored
 * twice.
 */
import type { InboxCursor, InboxItem } from '../adapter.js';
import type { Journal } from './journal.js';

/** An item to store: what the adapter read, and the member whose account it was left on. */
export interface InboxEntry extends InboxItem {
  /** The member of the hall whose account the item was left on. */
  readonly memberId: string;
}

/** An inbox item as the journal keeps it. */
export interface StoredInboxItem extends InboxEntry {
  /**
   * The campaign whose post the item answers: set when `postId` is a post one of the journal's
   * deliveries made, absent otherwise (a mention in a post of someone else, a comment on an older
   * post).
   */
  readonly campaignId?: string;
  /** When the journal stored the item (ISO 8601). */
  readonly storedAt: string;
  /** When the item was marked answered ({@link JournalInbox.markInboxAnswered}); absent until then. */
  readonly answeredAt?: string;
  /**
   * The member the item was routed to ({@link JournalInbox.assignInbox}): the bureau that can
   * answer it. Absent until assigned; the latest assignment wins.
   */
  readonly assignedTo?: string;
  /** When it was assigned, ISO 8601. */
  readonly assignedAt?: string;
}

/** Which stored items {@link JournalInbox.listInbox} returns. */
export interface InboxFilter {
  /** Only the items left on this member's accounts. */
  readonly memberId?: string | undefined;
  /** Only the items that answer this campaign's posts. */
  readonly campaignId?: string | undefined;
  /** Only the items not marked answered. */
  readonly unanswered?: boolean | undefined;
  /** Only the items assigned to this member. */
  readonly assignedTo?: string | undefined;
  /** At most this many (the newest). @default every matching item */
  readonly limit?: number | undefined;
}

/**
 * The inbox methods of a journal. The journals of this package have them; a journal of another
 * maker may not ({@link hasInbox}).
 */
export interface JournalInbox {
  /**
   * Stores items, each once: an item whose platform, account and remote id are stored already is
   * left as it is. Resolves with the number of items added.
   */
  putInboxItems(items: readonly InboxEntry[]): Promise<number>;
  /**
   * Stores one page of an account's read and the cursor that follows it, in one transaction: both
   * or neither. Resolves with the number of items added (items stored already are left as they are).
   */
  putInboxPage(
    accountId: string,
    items: readonly InboxEntry[],
    cursor: InboxCursor,
  ): Promise<number>;
  /** The cursor stored with the account's last page, if any. */
  inboxCursor(accountId: string): Promise<InboxCursor | undefined>;
  /** Stores the account's cursor alone (prefer {@link JournalInbox.putInboxPage} after a read). */
  saveInboxCursor(accountId: string, cursor: InboxCursor): Promise<void>;
  /** The stored items that match `filter`, newest first (by `at`, then by the order stored). */
  listInbox(filter?: InboxFilter): Promise<readonly StoredInboxItem[]>;
  /**
   * Marks an item answered (the first time is kept). Resolves `false` when the journal does not
   * hold the item.
   */
  markInboxAnswered(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    at: string,
  ): Promise<boolean>;
  /**
   * Routes an item to a member (the bureau that can answer it); a later assignment replaces an
   * earlier one. Resolves `false` when the journal does not hold the item.
   */
  assignInbox(
    item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>,
    memberId: string,
    at: string,
  ): Promise<boolean>;
}

/** True when `journal` keeps an inbox (every journal of this package does). */
export function hasInbox(journal: Journal): journal is Journal & JournalInbox {
  const candidate = journal as Partial<JournalInbox>;
  return (
    typeof candidate.putInboxPage === 'function' &&
    typeof candidate.putInboxItems === 'function' &&
    typeof candidate.inboxCursor === 'function' &&
    typeof candidate.listInbox === 'function'
  );
}

/** The identity of an item in the journal: platform, account and remote id, as one string. */
export function inboxItemKey(item: Pick<InboxItem, 'platform' | 'accountId' | 'remoteId'>): string {
  return JSON.stringify([item.platform, item.accountId, item.remoteId]);
}

/**
 * The items of a page as stored: each key once (the first wins), with the member, the campaign
 * `campaignOf` resolves for its post, and the time stored.
 */
export function storedInboxItems(
  items: readonly InboxEntry[],
  campaignOf: (item: InboxEntry) => string | undefined,
  storedAt: string,
): StoredInboxItem[] {
  const seen = new Set<string>();
  const out: StoredInboxItem[] = [];
  for (const item of items) {
    const key = inboxItemKey(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(storedInboxItem(item, campaignOf(item), storedAt));
  }
  return out;
}

/** One item as stored: its fields as given (in a fixed order), its campaign and the time stored. */
export function storedInboxItem(
  item: InboxEntry,
  campaignId: string | undefined,
  storedAt: string,
): StoredInboxItem {
  return {
    platform: item.platform,
    accountId: item.accountId,
    memberId: item.memberId,
    kind: item.kind,
    remoteId: item.remoteId,
    ...(item.postId === undefined ? {} : { postId: item.postId }),
    ...(item.replyToId === undefined ? {} : { replyToId: item.replyToId }),
    author: {
      ...(item.author.id === undefined ? {} : { id: item.author.id }),
      name: item.author.name,
    },
    text: item.text,
    at: item.at,
    ...(campaignId === undefined ? {} : { campaignId }),
    storedAt,
  };
}

/** True when a stored item passes the filter (the limit aside). */
export function matchesInboxFilter(item: StoredInboxItem, filter: InboxFilter = {}): boolean {
  if (filter.memberId !== undefined && item.memberId !== filter.memberId) return false;
  if (filter.campaignId !== undefined && item.campaignId !== filter.campaignId) return false;
  if (filter.unanswered === true && item.answeredAt !== undefined) return false;
  if (filter.assignedTo !== undefined && item.assignedTo !== filter.assignedTo) return false;
  return true;
}

/**
 * Orders stored items newest first: by `at`, then the later stored first. `order` gives the place
 * each was stored in.
 */
export function newestFirst<T extends Pick<InboxItem, 'at'>>(
  entries: readonly { readonly item: T; readonly order: number }[],
): T[] {
  return [...entries]
    .sort((a, b) => {
      const byTime = Date.parse(b.item.at) - Date.parse(a.item.at);
      return byTime !== 0 ? byTime : b.order - a.order;
    })
    .map((entry) => entry.item);
}

/** Applies `limit` of a filter. */
export function limitInbox<T>(items: readonly T[], filter: InboxFilter = {}): T[] {
  return filter.limit === undefined ? [...items] : items.slice(0, Math.max(0, filter.limit));
}
