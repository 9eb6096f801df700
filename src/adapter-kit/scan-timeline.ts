/**
 * The look-up behind most `findExisting` implementations: read an account's timeline, newest
 * first, page by page, until the post the first attempt made is found or the posts are older
 * than that attempt. Part of the adapter kit (`release-hall/adapter-kit`).
 */
import type { DeliveryDescriptor, FindExistingResult, PostRef } from '../adapter.js';
import { ReleaseHallError } from '../errors.js';
import { isRecord } from './guards.js';
import type { ResolvedTimelineScanOptions } from './options.js';

/** `findExisting`'s answer when the platform cannot tell; the core never re-sends on it. */
export interface LookupUnknown {
  readonly status: 'unknown';
  readonly reason: string;
}

/** One page of a timeline, newest first. */
export interface TimelinePage<Item, Cursor> {
  /** The posts of the page, newest first. */
  readonly items: readonly Item[];
  /**
   * Where the next (older) page starts; `undefined` when there is nothing older to read
   * (the platform said so, or the page gave no way on).
   */
  readonly next: Cursor | undefined;
}

/** What {@link scanTimeline} needs. */
export interface TimelineScan<Item, Cursor> {
  /** When the first attempt of the delivery left (`delivery.firstAttemptAt`). */
  readonly firstAttemptAt: Date;
  /** Clock skew allowed between this machine and the platform, in milliseconds. */
  readonly clockSkewMs: number;
  /** Pages read at most. */
  readonly maxPages: number;
  /** Posts asked for per page; a shorter page is the last one. */
  readonly pageSize: number;
  /** The cursor of the first (newest) page. */
  readonly first: Cursor;
  /**
   * Reads one page. It may throw (every error but `ABORTED` becomes `unknown` with the error's
   * message) or answer {@link LookupUnknown} itself, e.g. when the reply holds no list.
   */
  readonly readPage: (cursor: Cursor) => Promise<TimelinePage<Item, Cursor> | LookupUnknown>;
  /** When the post was made, in epoch ms; a post without a readable time is passed over. */
  readonly createdAt: (item: Item) => number | undefined;
  /** The post's reference when it is the delivery's post, else `undefined`. */
  readonly refIfMatch: (item: Item) => PostRef | undefined;
}

/**
 * Runs `work`; any error but `ABORTED` (the run was stopped) becomes `unknown` with the error's
 * message, so a failed look-up never turns into a re-send.
 */
export async function lookupOrUnknown<T>(work: () => Promise<T>): Promise<T | LookupUnknown> {
  try {
    return await work();
  } catch (error) {
    if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
    return { status: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  }
}

function isUnknown<T>(value: T | LookupUnknown): value is LookupUnknown {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { status?: unknown }).status === 'unknown'
  );
}

/**
 * Pages through a timeline (newest first) looking for the delivery's post.
 *
 * Only posts made at or after `firstAttemptAt - clockSkewMs` count. Among them the oldest match
 * wins: it is the one the first attempt made. Reading stops at the first post older than that,
 * at a short page, when there is no next page, or after `maxPages`.
 *
 * @returns `found` with the post's reference, `not-found`, or `unknown` when a page could not be
 *   read (the core then never re-sends blindly).
 * @throws ReleaseHallError `ABORTED` when the run was stopped.
 */
export async function scanTimeline<Item, Cursor>(
  scan: TimelineScan<Item, Cursor>,
): Promise<FindExistingResult> {
  const cutoff = scan.firstAttemptAt.getTime() - scan.clockSkewMs;
  let found: PostRef | undefined;
  let cursor = scan.first;
  for (let index = 0; index < scan.maxPages; index++) {
    const page = await lookupOrUnknown(() => scan.readPage(cursor));
    if (isUnknown(page)) return page;
    let reachedCutoff = false;
    for (const item of page.items) {
      const created = scan.createdAt(item);
      if (created === undefined) continue;
      if (created < cutoff) {
        reachedCutoff = true;
        continue;
      }
      // Newest first: the last match is the oldest, the one the first attempt made.
      found = scan.refIfMatch(item) ?? found;
    }
    if (reachedCutoff || page.items.length < scan.pageSize || page.next === undefined) break;
    cursor = page.next;
  }
  return found === undefined ? { status: 'not-found' } : { status: 'found', ref: found };
}

/** The bounds of a {@link scanTimeline} for `delivery`, from the adapter's resolved scan options. */
export function scanBounds(
  delivery: Pick<DeliveryDescriptor, 'firstAttemptAt'>,
  options: ResolvedTimelineScanOptions,
): Pick<
  TimelineScan<unknown, unknown>,
  'firstAttemptAt' | 'clockSkewMs' | 'maxPages' | 'pageSize'
> {
  return {
    firstAttemptAt: delivery.firstAttemptAt,
    clockSkewMs: options.clockSkewMs,
    maxPages: options.timelinePages,
    pageSize: options.timelineCount,
  };
}

/** How {@link refIfRecordMatches} reads a post of a timeline. */
export interface PostMatch {
  /** True when the post is the delivery's. */
  readonly matches: (post: Record<string, unknown>) => boolean;
  /** The post's id; `undefined` when it has none. */
  readonly idOf: (post: Record<string, unknown>) => string | undefined;
  /** The reference of the post with that id. */
  readonly refOf: (id: string) => PostRef;
}

/**
 * The reference of a timeline item that is a JSON object, matches and has an id; else
 * `undefined`. A `refIfMatch` of {@link scanTimeline}.
 */
export function refIfRecordMatches(item: unknown, match: PostMatch): PostRef | undefined {
  if (!isRecord(item) || !match.matches(item)) return undefined;
  const id = match.idOf(item);
  return id === undefined ? undefined : match.refOf(id);
}

/**
 * A page from the list a timeline reply holds, with `next(items)` as the way on; a reply
 * without a list is `unknown` with `missing` as the reason.
 */
export function pageOfList<Cursor>(
  list: unknown,
  next: (items: readonly unknown[]) => Cursor | undefined,
  missing: string,
): TimelinePage<unknown, Cursor> | LookupUnknown {
  if (!Array.isArray(list)) return { status: 'unknown', reason: missing };
  const items: readonly unknown[] = list;
  return { items, next: next(items) };
}
