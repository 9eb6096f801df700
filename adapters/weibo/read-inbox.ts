/**
 * `readInbox` on Weibo (platforms-listening.md §1.1–1.2): the comments and @mentions citizens
 * leave on an account, read with `GET` only:
 *
 * - `comments/to_me` (kind `comment`): comments on the account's statuses and replies to its
 *   comments;
 * - `comments/mentions` (kind `mention`): comments that @ the account;
 * - `statuses/mentions` (kind `mention`): statuses that @ the account;
 * - `comments/show?id=` (kind `comment`) instead of the three when `request.postId` is given.
 *
 * Each list is walked newest first with the cursor rule of §1.1: `since_id` is exclusive,
 * `max_id` inclusive, so the next page asks for `max_id = last id − 1`, computed on BigInt:
 * ids are int64 and lose digits in a JS number. Ids are read from `idstr` (then `mid`), never
 * from the numeric `id`. A walk ends at an empty page: Weibo may return fewer than `count` items
 * on a page that is not the last (trimmed or deleted items) [unconfirmed], so a short page is
 * not trusted as the end. `previous_cursor` / `next_cursor` are not used: what they hold is
 * [unconfirmed].
 *
 * The cursor holds, per list, the newest id read (`comments/to_me`, ...) and, after a read cut
 * at `maxItems`, the stretch still unread below the cut (`comments/to_me:gap` = `after-upTo`),
 * which the next read fills first.
 *
 * Every call costs one read of the account's hourly budget (platforms.md §2.5); the adapter sends
 * each request once and classifies a refusal (`10023` → `RATE_LIMITED`, `21327` →
 * `AUTH_EXPIRED`, ...) with the Weibo error mapping; the caller decides when to read again.
 */
import {
  checkInboxRequest,
  oldestInboxItemFirst,
  failMalformed,
  httpCall,
  isRecord,
  timeoutAndSignal,
  withCredential,
} from '#adapter-kit';
import type {
  Account,
  InboxContext,
  InboxCursor,
  InboxItem,
  InboxKind,
  InboxRead,
  InboxRequest,
} from '#core';
import { parseWeiboDate } from './find-existing.js';
import { WEIBO_PLATFORM } from './map-weibo-error.js';
import type { WeiboSettings } from './options.js';
import { readWeiboReply, statusId, weiboCall } from './read-reply.js';
import type { WeiboEndpoint } from './read-reply.js';

/** The most items read from one list in one `readInbox` call, unless the request says otherwise. */
export const WEIBO_INBOX_DEFAULT_MAX_ITEMS = 1_000;

/**
 * Items asked for per page of a `comments/*` list: the documented default (50). The largest
 * `count` those lists take is not stated on the v2 pages (v1 said 200) [unconfirmed], so the
 * adapter stays at the default.
 */
export const WEIBO_COMMENTS_PAGE_SIZE = 50;

/** Items asked for per page of `statuses/mentions`: its documented largest `count` (200). */
export const WEIBO_MENTIONS_PAGE_SIZE = 200;

type InboxEndpoint = Extract<
  WeiboEndpoint,
  'comments/show' | 'comments/to_me' | 'comments/mentions' | 'statuses/mentions'
>;

interface InboxList {
  readonly endpoint: InboxEndpoint;
  readonly kind: InboxKind;
  /** Name of the list in the reply. */
  readonly field: 'comments' | 'statuses';
  readonly pageSize: number;
  /** Key of the list in the cursor. */
  readonly key: string;
  /** Further query parameters (the status id of `comments/show`). */
  readonly query: Readonly<Record<string, string>>;
}

const ACCOUNT_LISTS: readonly InboxList[] = [
  {
    endpoint: 'comments/to_me',
    kind: 'comment',
    field: 'comments',
    pageSize: WEIBO_COMMENTS_PAGE_SIZE,
    key: 'comments/to_me',
    query: {},
  },
  {
    endpoint: 'comments/mentions',
    kind: 'mention',
    field: 'comments',
    pageSize: WEIBO_COMMENTS_PAGE_SIZE,
    key: 'comments/mentions',
    query: {},
  },
  {
    endpoint: 'statuses/mentions',
    kind: 'mention',
    field: 'statuses',
    pageSize: WEIBO_MENTIONS_PAGE_SIZE,
    key: 'statuses/mentions',
    query: {},
  },
];

/** The cursor key of the comments on one status: `comments/show:<status id>`. */
export function weiboPostCommentsKey(postId: string): string {
  return `comments/show:${postId}`;
}

const DIGITS = /^\d+$/;

function listsOf(request: InboxRequest): InboxList[] {
  if (request.postId !== undefined) {
    return [
      {
        endpoint: 'comments/show',
        kind: 'comment',
        field: 'comments',
        pageSize: WEIBO_COMMENTS_PAGE_SIZE,
        key: weiboPostCommentsKey(request.postId),
        query: { id: request.postId },
      },
    ];
  }
  const kinds = request.kinds ?? ['comment', 'mention'];
  return ACCOUNT_LISTS.filter((list) => kinds.includes(list.kind));
}

function checkRequest(request: InboxRequest): void {
  checkInboxRequest(request, {
    what: 'Weibo inbox request',
    postId: (id) =>
      DIGITS.test(id) ? undefined : `expected a Weibo status id (digits), got "${id}"`,
    cursorEntry: (key, value) =>
      (key.endsWith(':gap') ? readGap(value) !== undefined : DIGITS.test(value))
        ? undefined
        : `expected a Weibo id (digits), got "${value}"`,
  });
}

/** The id one below `id`, on BigInt: the `max_id` of the next page. */
export function weiboIdBefore(id: string): string {
  return (BigInt(id) - 1n).toString();
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Normalises one comment or status of a list; an item without an id or a time is malformed. */
function toItem(
  record: Record<string, unknown>,
  list: InboxList,
  account: Account,
  malformed: (what: string) => never,
): InboxItem {
  const remoteId = statusId(record);
  if (remoteId === undefined) return malformed(`an item of ${list.field} without idstr`);
  const created = text(record.created_at);
  const at = created === undefined ? undefined : parseWeiboDate(created);
  if (at === undefined) return malformed(`item ${remoteId} without a readable created_at`);
  const user = isRecord(record.user) ? record.user : {};
  const authorId = statusId(user);
  const status = isRecord(record.status) ? record.status : undefined;
  const replied = isRecord(record.reply_comment) ? record.reply_comment : undefined;
  const postId =
    list.field === 'statuses' ? remoteId : status === undefined ? undefined : statusId(status);
  const replyToId = replied === undefined ? undefined : statusId(replied);
  return {
    platform: WEIBO_PLATFORM,
    accountId: account.id,
    kind: list.kind,
    remoteId,
    ...(postId === undefined ? {} : { postId }),
    ...(replyToId === undefined ? {} : { replyToId }),
    author: {
      ...(authorId === undefined ? {} : { id: authorId }),
      name: text(user.screen_name) ?? text(user.name) ?? '',
    },
    text: text(record.text) ?? '',
    at: new Date(at).toISOString(),
  };
}

interface ListWalk {
  readonly items: InboxItem[];
  /** The newest id seen, if any. */
  readonly newest: string | undefined;
  /** The lowest id seen when the walk stopped at `maxItems`; `undefined` when it reached the end. */
  readonly cutAt: bigint | undefined;
}

/** Where a walk runs: above `since` (exclusive), at or below `maxId` (inclusive). */
interface WalkBounds {
  readonly since: string | undefined;
  readonly maxId: string | undefined;
  readonly maxItems: number;
}

/** Walks one list from its newest item (at or below `maxId`) back to `since`, or `maxItems`. */
async function walkList(
  settings: WeiboSettings,
  account: Account,
  context: InboxContext,
  token: string,
  list: InboxList,
  bounds: WalkBounds,
): Promise<ListWalk> {
  const { since, maxItems } = bounds;
  const call = weiboCall(list.endpoint, false, account);
  const malformed = (what: string): never => failMalformed(call, what);
  const items: InboxItem[] = [];
  let newest: string | undefined;
  let maxId = bounds.maxId;
  for (;;) {
    // The token goes in the Authorization header, never the URL, so gateway and proxy access
    // logs do not keep it.
    const query = new URLSearchParams({
      ...list.query,
      count: String(list.pageSize),
      ...(since === undefined ? {} : { since_id: since }),
      ...(maxId === undefined ? {} : { max_id: maxId }),
    });
    const reply = await httpCall({
      ...call,
      fetch: settings.fetch,
      url: `${settings.baseURL}${list.endpoint}.json?${query.toString()}`,
      method: 'GET',
      headers: { accept: 'application/json', authorization: `OAuth2 ${token}` },
      ...timeoutAndSignal(context),
    });
    const read = readWeiboReply(reply, call, settings, token);
    const page = read.kind === 'ok' ? read.body[list.field] : undefined;
    if (!Array.isArray(page)) return malformed(`a reply without a list of ${list.field}`);
    let lowest: bigint | undefined;
    for (const entry of page) {
      if (!isRecord(entry)) return malformed(`an item of ${list.field} that is not an object`);
      const item = toItem(entry, list, account, malformed);
      const id = BigInt(item.remoteId);
      // Tolerate a platform that ignores a bound: keep only what the cursor asked for.
      if (since !== undefined && id <= BigInt(since)) continue;
      if (maxId !== undefined && id > BigInt(maxId)) continue;
      if (newest === undefined || id > BigInt(newest)) newest = item.remoteId;
      if (lowest === undefined || id < lowest) lowest = id;
      items.push(item);
      if (items.length >= maxItems) return { items, newest, cutAt: lowest };
    }
    // An empty page (or one with nothing inside the bounds) is the end of the list.
    if (lowest === undefined) return { items, newest, cutAt: undefined };
    maxId = weiboIdBefore(lowest.toString());
  }
}

/** The cursor key of the stretch of a list still to read after a cut read. */
function gapKey(key: string): string {
  return `${key}:gap`;
}

/** A stretch still to read: ids above `after`, at or below `upTo`. */
interface Gap {
  readonly after: string;
  readonly upTo: string;
}

function readGap(value: string | undefined): Gap | undefined {
  const match = value === undefined ? null : /^(\d+)-(\d+)$/.exec(value);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { after: match[1], upTo: match[2] };
}

/**
 * Reads one list within `maxItems`: first the stretch a cut read left (the gap), then what is
 * newer than the cursor. A read cut at `maxItems` after the cursor moves the cursor to the newest
 * id and keeps the stretch below the cut as the gap, so nothing is skipped or read twice.
 */
async function readList(
  walk: (bounds: WalkBounds) => Promise<ListWalk>,
  list: InboxList,
  since: InboxCursor,
  cursor: Record<string, string>,
  maxItems: number,
): Promise<{ readonly items: InboxItem[]; readonly complete: boolean }> {
  const items: InboxItem[] = [];
  const gap = readGap(since[gapKey(list.key)]);
  if (gap !== undefined) {
    const filled = await walk({ since: gap.after, maxId: gap.upTo, maxItems });
    items.push(...filled.items);
    if (filled.cutAt !== undefined) {
      cursor[gapKey(list.key)] = `${gap.after}-${(filled.cutAt - 1n).toString()}`;
      return { items, complete: false };
    }
    delete cursor[gapKey(list.key)];
    if (items.length >= maxItems) return { items, complete: false };
  }
  const after = since[list.key];
  const fresh = await walk({ since: after, maxId: undefined, maxItems: maxItems - items.length });
  items.push(...fresh.items);
  if (fresh.newest !== undefined) cursor[list.key] = fresh.newest;
  // Without a cursor, the first read takes the newest `maxItems` and starts from there.
  if (fresh.cutAt === undefined || after === undefined) return { items, complete: true };
  cursor[gapKey(list.key)] = `${after}-${(fresh.cutAt - 1n).toString()}`;
  return { items, complete: false };
}

/** Reads an account's comments and mentions. */
export async function readWeiboInbox(
  settings: WeiboSettings,
  account: Account,
  request: InboxRequest,
  context: InboxContext,
): Promise<InboxRead> {
  checkRequest(request);
  return withCredential(
    account,
    context,
    { platform: WEIBO_PLATFORM, field: 'access_token' },
    async (token) => {
      const maxItems = request.maxItems ?? WEIBO_INBOX_DEFAULT_MAX_ITEMS;
      const since = request.since ?? {};
      const cursor: Record<string, string> = { ...since };
      const seen = new Set<string>();
      const items: InboxItem[] = [];
      let complete = true;
      // One list after another: each call counts against the same hourly budget, and a refusal
      // stops the read before more of it is spent.
      for (const list of listsOf(request)) {
        const walk = (bounds: WalkBounds): Promise<ListWalk> =>
          walkList(settings, account, context, token, list, bounds);
        const read = await readList(walk, list, since, cursor, maxItems);
        if (!read.complete) complete = false;
        for (const item of read.items) {
          // A comment that @ the account on its own status is in both comments lists: keep it
          // once, as a comment (the lists come in that order). Statuses and comments share
          // Weibo's one id space [derived], so the id alone names an item.
          if (seen.has(item.remoteId)) continue;
          seen.add(item.remoteId);
          items.push(item);
        }
      }
      return { items: items.sort(oldestInboxItemFirst), cursor, complete };
    },
  );
}
