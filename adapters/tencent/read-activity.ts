/**
 * `readActivity` on Tencent Weibo (platforms-listening.md §2.2), reads only: the account's
 * followers from `GET user/info` (`fansnum`), and its tweets since a date counted on
 * `GET statuses/broadcast_timeline` with `type=3` (0x1 originals | 0x2 relays: what it published,
 * not its replies to citizens), newest first, at most {@link TENCENT_ACTIVITY_MAX_PAGES} pages of
 * 70. `postsTruncated` says the count stopped at that bound. `lastPostAt` is the newest tweet of
 * the timeline or, when the timeline shows none, `user/info.tweetinfo[0].timestamp`.
 */
import { invalidInput, isRecord } from '#adapter-kit';
import type { Account, AccountActivity, ActivityContext } from '#core';

import type { TencentSettings } from './options.js';
import { tweetId } from './read-reply.js';
import { pageOf, tencentGet, timestampSeconds, withTencentCall } from './tencent-call.js';

/** Pages of the account's timeline `readActivity` reads at most. */
export const TENCENT_ACTIVITY_MAX_PAGES = 10;

/** `reqnum` of the timeline: its largest (§2.1: 70). */
const PAGE_SIZE = 70;

/** `type` of the timeline: 0x1 originals | 0x2 relays. */
const PUBLISHED_TYPE = 0x1 | 0x2;

function count(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Reads the account's followers and counts its tweets since `since`. */
export async function readTencentActivity(
  settings: TencentSettings,
  account: Account,
  since: Date,
  context: ActivityContext,
): Promise<AccountActivity> {
  if (Number.isNaN(since.getTime())) {
    throw invalidInput('Tencent activity request', [
      { path: 'since', message: 'expected a valid date' },
    ]);
  }
  return withTencentCall(settings, account, context, 'user/info', async (call) => {
    const { body: info } = await tencentGet(call, 'user/info', {});
    const user = isRecord(info.data) ? info.data : {};
    const followers = count(user.fansnum);
    const from = Math.floor(since.getTime() / 1000);
    let postsSince = 0;
    let newest: number | undefined;
    let truncated = false;
    let position: { time: number; id: string } | undefined;
    walk: for (let pages = 0; ; pages += 1) {
      if (pages >= TENCENT_ACTIVITY_MAX_PAGES) {
        truncated = true;
        break;
      }
      const { body, call: described } = await tencentGet(call, 'statuses/broadcast_timeline', {
        pageflag: position === undefined ? '0' : '1',
        pagetime: position === undefined ? '0' : String(position.time),
        reqnum: String(PAGE_SIZE),
        lastid: position === undefined ? '0' : position.id,
        type: String(PUBLISHED_TYPE),
        contenttype: '0',
      });
      const page = pageOf(body, described);
      let last: { time: number; id: string } | undefined;
      for (const tweet of page.items) {
        const id = tweetId(tweet.id);
        const time = timestampSeconds(tweet.timestamp);
        if (id === undefined || time === undefined) continue;
        last = { time, id };
        newest = newest === undefined ? time : Math.max(newest, time);
        if (time < from) break walk;
        postsSince += 1;
      }
      if (last === undefined || page.finished) break;
      position = last;
    }
    const tweets = Array.isArray(user.tweetinfo) ? (user.tweetinfo as unknown[]) : [];
    const latest = tweets[0];
    const lastPost = newest ?? (isRecord(latest) ? timestampSeconds(latest.timestamp) : undefined);
    return {
      ...(followers === undefined ? {} : { followers }),
      postsSince,
      ...(truncated ? { postsTruncated: true } : {}),
      ...(lastPost === undefined ? {} : { lastPostAt: new Date(lastPost * 1000).toISOString() }),
      readAt: context.now.toISOString(),
    };
  });
}
