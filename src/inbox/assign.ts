/**
 * Routing an inbox item to the member that can answer it (民意直通车): a question left on the
 * city's account goes to the bureau that knows. The assignment is kept in the journal with the
 * item; `inbox list --assigned-to` shows a bureau its queue, and `inbox reply` answers from the
 * assignee's account on the item's platform when it has one there (public comments and mentions),
 * else from the account that holds the item (a WeChat message can only be answered by the account
 * it was sent to).
 */
import { invalidInput } from '../errors.js';
import { type StoredInboxItem, hasInbox } from '../journal/inbox.js';
import type { Journal } from '../journal/journal.js';
import type { ResolvedHall } from '../model/load.js';

/** Options of {@link assignItem}. */
export interface AssignItemOptions {
  /** The hall the item's account and the assignee belong to. */
  readonly hall: ResolvedHall;
  /** The journal that holds the item (`inbox sync`). */
  readonly journal: Journal;
  /** The platform's id of the item (`remoteId`, as `inbox list` shows it). */
  readonly itemId: string;
  /** The member the item goes to. */
  readonly to: string;
  /** Picks the copy of an item held by several accounts: the member whose account holds it. */
  readonly member?: string | undefined;
  /** The clock. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

/** What {@link assignItem} did. */
export interface AssignItemResult {
  /** The item as the journal holds it now (with `assignedTo`). */
  readonly item: StoredInboxItem;
  /** The account a reply will come from, unless `inbox reply --as` names another. */
  readonly answersFrom: string;
  /** Why the reply will not come from the assignee's own account, when it will not. */
  readonly note?: string;
}

/**
 * Assigns a stored inbox item to a member; a later assignment replaces an earlier one.
 *
 * @throws ReleaseHallError `INVALID_INPUT` for a member not in the hall, an item not in the
 * journal, or an item held by several accounts without `member`.
 */
export async function assignItem(options: AssignItemOptions): Promise<AssignItemResult> {
  const { hall, journal } = options;
  if (!hasInbox(journal)) {
    throw invalidInput('assignment', [{ path: 'journal', message: 'this journal keeps no inbox' }]);
  }
  if (!hall.hall.members.some((member) => member.id === options.to)) {
    throw invalidInput('assignment', [
      {
        path: 'to',
        message: `no member "${options.to}" in the hall file: name a member id of the hall`,
      },
    ]);
  }
  const all = (await journal.listInbox()).filter((item) => item.remoteId === options.itemId);
  const copies =
    options.member === undefined ? all : all.filter((item) => item.memberId === options.member);
  const [item, ...others] = copies;
  if (item === undefined) {
    throw invalidInput('assignment', [
      {
        path: 'itemId',
        message: `no inbox item ${options.itemId}${options.member === undefined ? '' : ` on the accounts of member ${options.member}`} in the journal: run inbox sync, then name an id inbox list shows`,
      },
    ]);
  }
  if (others.length > 0) {
    throw invalidInput('assignment', [
      {
        path: 'member',
        message: `item ${options.itemId} is in the inbox of ${copies.map((copy) => copy.accountId).join(', ')}: name the member whose copy is meant (--member)`,
      },
    ]);
  }
  const at = (options.now ?? (() => new Date()))().toISOString();
  await journal.assignInbox(item, options.to, at);
  const assigned: StoredInboxItem = { ...item, assignedTo: options.to, assignedAt: at };
  const own = hall.accounts.find(
    (account) => account.memberId === options.to && account.platform === item.platform,
  );
  if (options.to === item.memberId) return { item: assigned, answersFrom: item.accountId };
  if (item.kind === 'message') {
    return {
      item: assigned,
      answersFrom: item.accountId,
      note: `a private message is answered by the account it was sent to (${item.accountId}); ${options.to} drafts the answer`,
    };
  }
  if (own === undefined) {
    return {
      item: assigned,
      answersFrom: item.accountId,
      note: `${options.to} has no ${item.platform} account in the hall file; the reply comes from ${item.accountId}`,
    };
  }
  return { item: assigned, answersFrom: own.id };
}
