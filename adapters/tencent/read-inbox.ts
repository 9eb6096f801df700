/**
 * `readInbox` on Tencent Weibo (platforms-listening.md §2.1–2.2): what citizens write to an
 * account, read with `GET` only, every call with the OAuth parameters and `format=json`:
 *
 * - `statuses/mentions_timeline` with `type=72` (0x40 comments | 0x8 replies on the account's
 *   tweets; kind `comment`);
 * - `statuses/mentions_timeline` with `type=32` (0x20 tweets that @ the account; kind `mention`);
 * - `t/re_list?rootid=…&flag=1` (the comments on one tweet; kind `comment`) instead of both when
 *   `request.postId` is given.
 *
 * Comments and mentions are read as two lists, each with its own place in the cursor, so the kind
 * of an item comes from the list it is in, not from its `type` field, whose values for a mention
 * are [unconfirmed] (1 original or 6 mention). A comment that also @ the account is in both
 * lists and is kept once, as a comment.
 *
 * Each list is walked newest first by Tencent's time paging (§2.1): the first page with
 * `pageflag=0&pagetime=0&lastid=0` (`twitterid` on `t/re_list`), each next one with `pageflag=1`
 * and the `timestamp` and `id` of the last item received, `reqnum` at its largest (70 on the
 * timelines, 100 on `t/re_list`). A walk ends at an item older than the cursor, at an empty page,
 * or at `hasnext=1`. Times are whole seconds and many items may share one: the cursor keeps the
 * second last read and the ids read at it (`inbox-cursor.ts`), so an item written later in the
 * same second is read, and none is read twice.
 *
 * A read of more than `maxItems` new items returns the newest, moves the cursor to them and keeps
 * the stretch below the cut as a gap, which the next read fills first (as on Weibo).
 *
 * [unconfirmed] Whether Tencent orders items of one second by id, as `lastid` suggests: the walk
 * does not rely on it beyond the position it sends, and skips ids it has already read.
 */
import { checkInboxRequest, oldestInboxItemFirst, failMalformed, isRecord } from '#adapter-kit';
import type {
  Account,
  InboxContext,
  InboxCursor,
  InboxItem,
  InboxKind,
  InboxRead,
  InboxRequest,
} from '#core';
import { plainText } from './find-existing.js';
import {
  formatGap,
  formatMark,
  gapKey,
  isRead,
  parseGap,
  parseMark,
  withRead,
  type Mark,
} from './inbox-cursor.js';
import { TENCENT_PLATFORM } from './map-tencent-error.js';
import type { TencentSettings } from './options.js';
import { tweetId, type TencentCall } from './read-reply.js';
import {
  pageOf,
  tencentGet,
  timestampSeconds,
  type TencentCallContext,
  withTencentCall,
} from './tencent-call.js';

/** The most items read from one list in one `readInbox` call, unless the request says otherwise. */
export const TENCENT_INBOX_DEFAULT_MAX_ITEMS = 1_000;

/** `reqnum` of `statuses/mentions_timeline`: its largest (§2.1: 1–70). */
export const TENCENT_TIMELINE_PAGE_SIZE = 70;

/** `reqnum` of `t/re_list`: its largest (§2.1: 1–100). */
export const TENCENT_RE_LIST_PAGE_SIZE = 100;

/** `type` of the comments list: 0x40 comments | 0x8 replies on the account's tweets. */
export const TENCENT_COMMENTS_TYPE = 0x40 | 0x8;

/** `type` of the mentions list: 0x20 tweets that @ the account. */
export const TENCENT_MENTIONS_TYPE = 0x20;

interface InboxList {
  readonly endpoint: 'statuses/mentions_timeline' | 't/re_list';
  readonly kind: InboxKind;
  /** Key of the list in the cursor. */
  readonly key: string;
  /** The list's own parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** The id parameter of the paging. */
  readonly idParam: 'lastid' | 'twitterid';
  readonly pageSize: number;
  /** The tweet whose comments `t/re_list` reads. */
  readonly rootId?: string;
}

const ACCOUNT_LISTS: readonly InboxList[] = [
  {
    endpoint: 'statuses/mentions_timeline',
    kind: 'comment',
    key: 'statuses/mentions_timeline:comments',
    query: { type: String(TENCENT_COMMENTS_TYPE), contenttype: '0' },
    idParam: 'lastid',
    pageSize: TENCENT_TIMELINE_PAGE_SIZE,
  },
  {
    endpoint: 'statuses/mentions_timeline',
    kind: 'mention',
    key: 'statuses/mentions_timeline:mentions',
    query: { type: String(TENCENT_MENTIONS_TYPE), contenttype: '0' },
    idParam: 'lastid',
    pageSize: TENCENT_TIMELINE_PAGE_SIZE,
  },
];

/** The cursor key of the comments on one tweet: `t/re_list:<tweet id>`. */
export function tencentPostCommentsKey(postId: string): string {
  return `t/re_list:${postId}`;
}

const DIGITS = /^\d+$/;

function listsOf(request: InboxRequest): InboxList[] {
  if (request.postId !== undefined) {
    return [
      {
        endpoint: 't/re_list',
        kind: 'comment',
        key: tencentPostCommentsKey(request.postId),
        query: { rootid: request.postId, flag: '1' },
        idParam: 'twitterid',
        pageSize: TENCENT_RE_LIST_PAGE_SIZE,
        rootId: request.postId,
      },
    ];
  }
  const kinds = request.kinds ?? ['comment', 'mention'];
  return ACCOUNT_LISTS.filter((list) => kinds.includes(list.kind));
}

function checkRequest(request: InboxRequest): void {
  checkInboxRequest(request, {
    what: 'Tencent inbox request',
    postId: (id) =>
      DIGITS.test(id) ? undefined : `expected a Tencent tweet id (digits), got "${id}"`,
    cursorEntry: (key, value) => {
      if (key.endsWith(':gap')) {
        return parseGap(value) === undefined
          ? `expected "<seconds>:<ids>|<seconds>:<ids>" as the cursor gave it, got "${value}"`
          : undefined;
      }
      return parseMark(value) === undefined
        ? `expected "<seconds>:<ids>" as the cursor gave it, got "${value}"`
        : undefined;
    },
  });
}

/** An item as read, with its second and id for the cursor. */
interface ReadItem {
  readonly item: InboxItem;
  readonly time: number;
  readonly id: string;
  /** Written by the account itself (its `openid`): never an inbox item. */
  readonly own: boolean;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Normalises one tweet of a list; one without an id or a time is malformed. */
function toItem(
  record: Record<string, unknown>,
  list: InboxList,
  account: Account,
  call: TencentCall,
): ReadItem {
  const remoteId = tweetId(record.id);
  if (remoteId === undefined) return failMalformed(call, 'a tweet in data.info without an id');
  const time = timestampSeconds(record.timestamp);
  if (time === undefined) return failMalformed(call, `tweet ${remoteId} without a timestamp`);
  const source = isRecord(record.source) ? tweetId(record.source.id) : undefined;
  // A comment belongs to the tweet commented on; a mention to the tweet it answers, if any, or
  // else to itself.
  const postId = list.rootId ?? source ?? (list.kind === 'mention' ? remoteId : undefined);
  const name = text(record.name);
  const nick = text(record.nick);
  const said = text(record.origtext) ?? plainText(text(record.text) ?? '');
  return {
    item: {
      platform: TENCENT_PLATFORM,
      accountId: account.id,
      kind: list.kind,
      remoteId,
      ...(postId === undefined ? {} : { postId }),
      author: {
        ...(name === undefined || name === '' ? {} : { id: name }),
        name: nick !== undefined && nick !== '' ? nick : (name ?? ''),
      },
      text: said,
      at: new Date(time * 1000).toISOString(),
    },
    time,
    id: remoteId,
    own: typeof record.openid === 'string' && record.openid === account.settings.openid,
  };
}

/** Where a walk runs: newer than `after`, older than `start` (the cut of an earlier read). */
interface WalkBounds {
  readonly after: Mark | undefined;
  readonly start: Mark | undefined;
  readonly maxItems: number;
}

interface ListWalk {
  readonly read: ReadItem[];
  /** Where the walk stopped at `maxItems`; `undefined` when it reached the end. */
  readonly cut: Mark | undefined;
}

/** The mark of the oldest item read: its second, the ids read at it, the last one last. */
function cutOf(read: readonly ReadItem[], start: Mark | undefined): Mark | undefined {
  const last = read.at(-1);
  if (last === undefined) return undefined;
  const earlier = start?.time === last.time ? start.ids : [];
  const now = read.filter((entry) => entry.time === last.time).map((entry) => entry.id);
  return { time: last.time, ids: [...earlier.filter((id) => !now.includes(id)), ...now] };
}

/** Walks one list newest first from its top (or from `start`) back to `after`, or `maxItems`. */
async function walkList(
  call: TencentCallContext,
  list: InboxList,
  bounds: WalkBounds,
): Promise<ListWalk> {
  const { after, start, maxItems } = bounds;
  const read: ReadItem[] = [];
  const taken = new Set<string>();
  let position =
    start === undefined ? undefined : { time: start.time, id: start.ids.at(-1) ?? '0' };
  for (;;) {
    const { body, call: info } = await tencentGet(call, list.endpoint, {
      ...list.query,
      pageflag: position === undefined ? '0' : '1',
      pagetime: position === undefined ? '0' : String(position.time),
      reqnum: String(list.pageSize),
      [list.idParam]: position === undefined ? '0' : position.id,
    });
    const page = pageOf(body, info);
    let last: { time: number; id: string } | undefined;
    for (const record of page.items) {
      const entry = toItem(record, list, call.account, info);
      last = { time: entry.time, id: entry.id };
      // Items come newest first: one older than the cursor ends the walk.
      if (after !== undefined && entry.time < after.time) return { read, cut: undefined };
      if (after !== undefined && isRead(after, entry.time, entry.id)) continue;
      // Tolerate a platform that ignores the position: keep only what lies below the cut.
      if (start !== undefined && (entry.time > start.time || start.ids.includes(entry.id))) {
        continue;
      }
      // [derived] The account's own tweets are not written to it; a list that shows one (a self
      // mention) is passed over.
      if (entry.own || taken.has(entry.id)) continue;
      taken.add(entry.id);
      read.push(entry);
      if (read.length >= maxItems) return { read, cut: cutOf(read, start) };
    }
    if (last === undefined || page.finished) return { read, cut: undefined };
    if (position !== undefined && last.time === position.time && last.id === position.id) {
      return failMalformed(info, 'a next page that does not move past the last tweet');
    }
    position = last;
  }
}

/**
 * Reads one list within `maxItems`: first the stretch a cut read left (the gap), then what is
 * newer than the cursor.
 */
async function readList(
  walk: (bounds: WalkBounds) => Promise<ListWalk>,
  list: InboxList,
  since: InboxCursor,
  cursor: Record<string, string>,
  maxItems: number,
): Promise<{ readonly items: ReadItem[]; readonly complete: boolean }> {
  const items: ReadItem[] = [];
  let newest = parseMark(since[list.key]);
  const gap = parseGap(since[gapKey(list.key)]);
  const keepNewest = (): void => {
    if (newest !== undefined) cursor[list.key] = formatMark(newest);
  };
  if (gap !== undefined) {
    const filled = await walk({ after: gap.after, start: gap.cut, maxItems });
    items.push(...filled.read);
    // Items of the gap at the cursor's second are read now: the next fresh walk must skip them.
    if (newest !== undefined) newest = withRead(newest, filled.read);
    keepNewest();
    if (filled.cut !== undefined) {
      cursor[gapKey(list.key)] = formatGap({ after: gap.after, cut: filled.cut });
      return { items, complete: false };
    }
    delete cursor[gapKey(list.key)];
    if (items.length >= maxItems) return { items, complete: false };
  }
  const before = newest;
  const fresh = await walk({ after: before, start: undefined, maxItems: maxItems - items.length });
  items.push(...fresh.read);
  const top = fresh.read.reduce((max, entry) => Math.max(max, entry.time), -1);
  if (top >= 0) {
    newest =
      before !== undefined && before.time === top
        ? withRead(before, fresh.read)
        : withRead({ time: top, ids: [] }, fresh.read);
  }
  keepNewest();
  // Without a cursor, the first read takes the newest `maxItems` and starts from there.
  if (fresh.cut === undefined || before === undefined) return { items, complete: true };
  cursor[gapKey(list.key)] = formatGap({ after: before, cut: fresh.cut });
  return { items, complete: false };
}

/** Reads an account's comments and mentions. */
export async function readTencentInbox(
  settings: TencentSettings,
  account: Account,
  request: InboxRequest,
  context: InboxContext,
): Promise<InboxRead> {
  checkRequest(request);
  const lists = listsOf(request);
  const endpoint = lists[0]?.endpoint ?? 'statuses/mentions_timeline';
  return withTencentCall(settings, account, context, endpoint, async (call) => {
    const maxItems = request.maxItems ?? TENCENT_INBOX_DEFAULT_MAX_ITEMS;
    const since = request.since ?? {};
    const cursor: Record<string, string> = { ...since };
    const seen = new Set<string>();
    const items: InboxItem[] = [];
    let complete = true;
    // One list after another: a refusal stops the read before more calls are spent.
    for (const list of lists) {
      const read = await readList(
        (bounds) => walkList(call, list, bounds),
        list,
        since,
        cursor,
        maxItems,
      );
      if (!read.complete) complete = false;
      for (const { item } of read.items) {
        // A comment that @ the account is in both lists: kept once, as a comment (the lists
        // come in that order). Tweets share one id space, so the id alone names an item.
        if (seen.has(item.remoteId)) continue;
        seen.add(item.remoteId);
        items.push(item);
      }
    }
    return { items: items.sort(oldestInboxItemFirst), cursor, complete };
  });
}
