/** The account reads of the Tencent Weibo fake: `statuses/broadcast_timeline` and `user/info`. */
import { tencentLinks } from '../count-tencent-text.js';
import { TENCENT_MAX_REQNUM } from './settings.js';
import { everyTweet, listedOwn, newestFirst, tweetJson, type ListedTweet } from './tweet-json.js';
import {
  seconds,
  tencentOk,
  tencentRefusal as refuse,
  type AccountState,
  type TencentCall,
  type TencentContent,
  type TencentOutcome,
} from './state.js';

interface TimelineQuery {
  readonly pageflag: number;
  readonly pagetime: number;
  readonly reqnum: number;
  readonly lastid: string;
  readonly type: number;
  readonly contenttype: number;
}

function readInteger(value: string | null, fallback: number | undefined): number | undefined {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** `statuses/broadcast_timeline`: a page of the account's own tweets. */
export function broadcastTimeline(call: TencentCall): TencentOutcome {
  const { params } = call;
  // [unconfirmed] Which of these were required: the fake requires pageflag, pagetime and
  // reqnum, and reads lastid, type and contenttype as 0 when absent.
  const pageflag = readInteger(params.get('pageflag'), undefined);
  const pagetime = readInteger(params.get('pagetime'), undefined);
  const reqnum = readInteger(params.get('reqnum'), undefined);
  const lastid = params.get('lastid') ?? '0';
  const type = readInteger(params.get('type'), 0);
  const contenttype = readInteger(params.get('contenttype'), 0);
  if (pageflag === undefined || pageflag > 2) {
    return refuse(1, 0, 'parameter pageflag must be 0, 1 or 2');
  }
  if (pagetime === undefined) return refuse(1, 0, 'parameter pagetime must be a timestamp');
  if (reqnum === undefined || reqnum < 1 || reqnum > TENCENT_MAX_REQNUM) {
    return refuse(1, 0, `parameter reqnum must be 1-${TENCENT_MAX_REQNUM}`);
  }
  if (!/^\d+$/.test(lastid)) return refuse(1, 0, 'parameter lastid must be a tweet id');
  if (type === undefined || contenttype === undefined) {
    return refuse(1, 0, 'parameters type and contenttype must be numbers');
  }
  const query = { pageflag, pagetime, reqnum, lastid, type, contenttype };
  return tencentOk(timeline(call.content, call.account, query));
}

/**
 * One page of the account's own tweets (its replies and comments included), newest first.
 * `pageflag` 0 is the first page, 1 the page below (older than `pagetime`/`lastid`, the last
 * tweet of the page before), 2 the page above (newer than the first tweet of the page before).
 *
 * [unconfirmed] `hasnext` as a bit set: 1 = nothing older, 2 = nothing newer (3 = neither). The
 * inbox lists (`read-inbox.ts`) answer 0 = more, 1 = done, as §2.1 states; the adapter reads
 * bit 1 as "done" and so reads both.
 * [unconfirmed] An empty page is `data: null`; the adapter accepts `info: []` as well.
 * [unconfirmed] `type` bits 0x1 original, 0x2 relay, 0x8 reply, 0x40 comment (0 = all);
 * `contenttype` bits 0x1 text, 0x2 link, 0x4 picture (0 = all).
 */
function timeline(content: TencentContent, account: AccountState, query: TimelineQuery): unknown {
  const own = newestFirst(
    everyTweet(content).filter((tweet) => tweet.openid === account.openid && !tweet.deleted),
  )
    .filter((tweet) => query.type === 0 || (query.type & kindBits(tweet)) !== 0)
    .filter((tweet) => query.contenttype === 0 || (query.contenttype & contentBits(tweet)) !== 0);
  const page = pageOf(own, query);
  if (page.length === 0) return null;
  const newest = page[0];
  const oldest = page[page.length - 1];
  const noOlder = oldest === undefined || !own.some((tweet) => tweet.id < oldest.id);
  const noNewer = newest === undefined || !own.some((tweet) => tweet.id > newest.id);
  return {
    hasnext: (noOlder ? 1 : 0) | (noNewer ? 2 : 0),
    timestamp: seconds(content.now()),
    info: page.map((tweet) => tweetJson(content, tweet, true)),
  };
}

/** The `type` bits of a tweet: 0x1 original, 0x2 relay, 0x8 reply, 0x40 comment. */
function kindBits(tweet: ListedTweet): number {
  return { 1: 0x1, 2: 0x2, 4: 0x8, 7: 0x40 }[tweet.type];
}

function contentBits(tweet: ListedTweet): number {
  return (
    (tweet.sentText.trim() === '' ? 0 : 0x1) |
    (tencentLinks(tweet.sentText).length > 0 ? 0x2 : 0) |
    (tweet.hasPicture ? 0x4 : 0)
  );
}

/** The page `pageflag` asks for, from the tweets newest first. */
function pageOf(own: ListedTweet[], query: TimelineQuery): ListedTweet[] {
  const lastid = BigInt(query.lastid);
  if (query.pageflag === 0) return own.slice(0, query.reqnum);
  if (query.pageflag === 1) {
    const older = own.filter((tweet) =>
      lastid === 0n
        ? seconds(tweet.createdAt) < query.pagetime
        : seconds(tweet.createdAt) <= query.pagetime && tweet.id < lastid,
    );
    return older.slice(0, query.reqnum);
  }
  const newer = own.filter((tweet) =>
    lastid === 0n
      ? seconds(tweet.createdAt) > query.pagetime
      : seconds(tweet.createdAt) >= query.pagetime && tweet.id > lastid,
  );
  return newer.slice(Math.max(0, newer.length - query.reqnum));
}

/**
 * `user/info`: the profile of the account the token belongs to, with `isvip` (verified) and
 * `tweetinfo[0]`, its newest tweet (or the time of one made before the fake, `setLastPostAt`).
 * [unconfirmed] the exact field types; numbers as in the SDK examples.
 */
export function userInfo(call: TencentCall): TencentOutcome {
  const { content, account } = call;
  const profile = content.profile(account.openid);
  const own = content.posts
    .all()
    .filter((tweet) => tweet.openid === account.openid && !tweet.deleted);
  const newest = own.at(-1);
  const earlier = profile.earlierPostAt;
  const tweetinfo =
    newest !== undefined && (earlier === undefined || newest.createdAt >= earlier)
      ? [tweetJson(content, listedOwn(content, newest), false)]
      : earlier !== undefined
        ? [
            {
              id: '1000000000000',
              text: '（较早的微博）',
              origtext: '（较早的微博）',
              timestamp: seconds(earlier),
            },
          ]
        : [];
  return tencentOk({
    name: account.name,
    nick: account.nick,
    openid: account.openid,
    fansnum: profile.followers,
    idolnum: 0,
    tweetnum: own.length + (earlier === undefined ? 0 : 1),
    favnum: 0,
    isvip: profile.verified ? 1 : 0,
    verifyinfo: profile.verified ? '政府机构' : '',
    isrealname: 1,
    regtime: 1_300_000_000,
    tweetinfo,
  });
}
