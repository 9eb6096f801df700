/**
 * `readActivity` on Weibo (platforms-listening.md §1.5): an account's followers and how much it
 * posted since a date, reads only.
 *
 * 1. `GET users/show.json?uid=` with the token: `followers_count` (a number, or a string as the
 *    commercial twin sends counts) and `status.created_at`, the latest post, shown for an account
 *    that authorised the app, as a hall's own accounts did.
 * 2. `GET statuses/user_timeline.json?uid=&count=100`, newest first, then older pages with
 *    `max_id` = the oldest id seen − 1 (ids are int64: the subtraction is done on BigInt), until a
 *    post older than `since` shows, an empty page comes, or {@link WEIBO_ACTIVITY_MAX_PAGES} pages
 *    were read (then `postsTruncated`). `count` above 100 is treated as 100 by Weibo; reposts
 *    are posts of the account and count. `user_timeline` may be narrowed to the authorised
 *    user's own statuses [unconfirmed which apps]: each account is read with its own token.
 *
 * Every call costs one read of the account's hourly budget (platforms.md §2.5); a refusal is
 * classified with the Weibo error mapping and nothing is retried here.
 */
import {
  failMalformed,
  httpCall,
  invalidInput,
  isRecord,
  timeoutAndSignal,
  withCredential,
} from '#adapter-kit';
import type { Account, AccountActivity, ActivityContext } from '#core';
import { parseWeiboDate } from './find-existing.js';
import { WEIBO_PLATFORM } from './map-weibo-error.js';
import type { WeiboSettings } from './options.js';
import { readWeiboCount } from './read-reach.js';
import { readWeiboReply, statusId, weiboCall } from './read-reply.js';

/** Statuses asked for per `user_timeline` page: Weibo's most (§1.5). */
export const WEIBO_ACTIVITY_PAGE_SIZE = 100;

/** Timeline pages one activity read walks at most (so at most 1 000 posts are counted). */
export const WEIBO_ACTIVITY_MAX_PAGES = 10;

/** What the timeline walk found. */
interface TimelineCount {
  readonly postsSince: number;
  readonly postsTruncated: boolean;
  readonly newest: number | undefined;
}

function createdAtOf(status: Record<string, unknown>): number | undefined {
  return typeof status.created_at === 'string' ? parseWeiboDate(status.created_at) : undefined;
}

/** Reads the followers of one account and counts its posts made at or after `since`. */
export async function readWeiboActivity(
  settings: WeiboSettings,
  account: Account,
  since: Date,
  context: ActivityContext,
): Promise<AccountActivity> {
  const uid = account.settings.uid;
  if (typeof uid !== 'string' || !/^\d+$/.test(uid)) {
    throw invalidInput(`Weibo activity request for account "${account.id}"`, [
      { path: 'settings.uid', message: 'expected the numeric Weibo uid of the account as text' },
    ]);
  }
  if (Number.isNaN(since.getTime())) {
    throw invalidInput('Weibo activity request', [
      { path: 'since', message: 'expected a valid date' },
    ]);
  }
  return withCredential(
    account,
    context,
    { platform: WEIBO_PLATFORM, field: 'access_token' },
    async (token) => {
      const headers = { accept: 'application/json', authorization: `OAuth2 ${token}` };
      // The token goes in the Authorization header, never the URL, so gateway and proxy access
      // logs do not keep it.
      const showCall = weiboCall('users/show', false, account);
      const shown = await httpCall({
        ...showCall,
        fetch: settings.fetch,
        url: `${settings.baseURL}users/show.json?${new URLSearchParams({ uid }).toString()}`,
        method: 'GET',
        headers,
        ...timeoutAndSignal(context),
      });
      const read = readWeiboReply(shown, showCall, settings, token);
      const user = read.kind === 'ok' ? read.body : {};
      const followers = readWeiboCount(user.followers_count);
      const status = isRecord(user.status) ? user.status : undefined;
      const shownLast = status === undefined ? undefined : createdAtOf(status);

      const timeline = await countTimeline(settings, account, uid, since.getTime(), {
        headers,
        token,
        context,
      });
      const newest = Math.max(shownLast ?? -Infinity, timeline.newest ?? -Infinity);
      return {
        ...(followers === undefined ? {} : { followers }),
        postsSince: timeline.postsSince,
        ...(timeline.postsTruncated ? { postsTruncated: true } : {}),
        ...(Number.isFinite(newest) ? { lastPostAt: new Date(newest).toISOString() } : {}),
        readAt: context.now.toISOString(),
      };
    },
  );
}

async function countTimeline(
  settings: WeiboSettings,
  account: Account,
  uid: string,
  since: number,
  request: {
    readonly headers: Record<string, string>;
    readonly token: string;
    readonly context: ActivityContext;
  },
): Promise<TimelineCount> {
  const call = weiboCall('statuses/user_timeline', false, account);
  let postsSince = 0;
  let newest: number | undefined;
  let maxId: bigint | undefined;
  for (let page = 1; page <= WEIBO_ACTIVITY_MAX_PAGES; page += 1) {
    const query = new URLSearchParams({
      uid,
      count: String(WEIBO_ACTIVITY_PAGE_SIZE),
      ...(maxId === undefined ? {} : { max_id: maxId.toString() }),
    });
    const reply = await httpCall({
      ...call,
      fetch: settings.fetch,
      url: `${settings.baseURL}statuses/user_timeline.json?${query.toString()}`,
      method: 'GET',
      headers: request.headers,
      ...timeoutAndSignal(request.context),
    });
    const read = readWeiboReply(reply, call, settings, request.token);
    const statuses = read.kind === 'ok' ? read.body.statuses : undefined;
    if (!Array.isArray(statuses)) return failMalformed(call, 'a reply without a list of statuses');
    if (statuses.length === 0) return { postsSince, postsTruncated: false, newest };
    let oldestId: bigint | undefined;
    let reachedSince = false;
    for (const status of statuses) {
      if (!isRecord(status)) return failMalformed(call, 'a status that is not an object');
      const id = statusId(status);
      const at = createdAtOf(status);
      if (id === undefined || at === undefined) {
        return failMalformed(call, 'a status without an id or a readable created_at');
      }
      const value = BigInt(id);
      if (oldestId === undefined || value < oldestId) oldestId = value;
      if (status.deleted === '1') continue;
      if (newest === undefined || at > newest) newest = at;
      if (at >= since) postsSince += 1;
      else reachedSince = true;
    }
    if (reachedSince || oldestId === undefined || oldestId <= 1n) {
      return { postsSince, postsTruncated: false, newest };
    }
    if (maxId !== undefined && oldestId > maxId) {
      return failMalformed(call, 'a page that did not go back in time');
    }
    maxId = oldestId - 1n;
  }
  return { postsSince, postsTruncated: true, newest };
}
