/** The read endpoint of the Tencent Weibo fake: `statuses/broadcast_timeline`. */
import { tencentLinks } from '../count-tencent-text.js';
import { TENCENT_MAX_REQNUM } from './settings.js';
import {
  seconds,
  tencentOk,
  tencentRefusal as refuse,
  type AccountState,
  type TencentCall,
  type TencentContent,
  type TencentOutcome,
  type TweetState,
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
 * One page of the account's own tweets, newest first. `pageflag` 0 is the first page, 1 the
 * page below (older than `pagetime`/`lastid`, the last tweet of the page before), 2 the page
 * above (newer than the first tweet of the page before).
 *
 * [unconfirmed] `hasnext` as a bit set: 1 = nothing older, 2 = nothing newer (3 = neither).
 * [unconfirmed] An empty page is `data: null`; the adapter accepts `info: []` as well.
 * [unconfirmed] `type` bits 0x1 original, 0x2 relay (0 = all); `contenttype` bits 0x1 text,
 * 0x2 link, 0x4 picture (0 = all).
 */
function timeline(content: TencentContent, account: AccountState, query: TimelineQuery): unknown {
  const own = content.posts
    .all()
    .filter((tweet) => tweet.openid === account.openid && !tweet.deleted)
    .filter((tweet) => query.type === 0 || (query.type & kindBits(tweet)) !== 0)
    .filter((tweet) => query.contenttype === 0 || (query.contenttype & contentBits(tweet)) !== 0)
    .reverse(); // newest first
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

function kindBits(tweet: TweetState): number {
  return tweet.kind === 'original' ? 0x1 : 0x2;
}

function contentBits(tweet: TweetState): number {
  return (
    (tweet.sentText.trim() === '' ? 0 : 0x1) |
    (tencentLinks(tweet.sentText).length > 0 ? 0x2 : 0) |
    (tweet.hasPicture ? 0x4 : 0)
  );
}

/** The page `pageflag` asks for, from the tweets newest first. */
function pageOf(own: TweetState[], query: TimelineQuery): TweetState[] {
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

/** Escapes text as Tencent's `text` field carried it (HTML). [unconfirmed] */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * A tweet as `data.info[]` shows it. [unconfirmed] `status`: 0 normal, 2 under review, 3
 * deleted by its author (shown only for the source of a relay).
 */
function tweetJson(
  content: TencentContent,
  tweet: TweetState,
  withSource: boolean,
): Record<string, unknown> {
  const account = content.accounts.get(tweet.openid);
  const json: Record<string, unknown> = {
    id: tweet.idstr,
    text: escapeHtml(tweet.text),
    origtext: tweet.sentText,
    timestamp: Math.floor(tweet.createdAt / 1000),
    type: tweet.kind === 'original' ? 1 : 2,
    status: tweet.deleted ? 3 : tweet.underReview ? 2 : 0,
    name: account?.name ?? tweet.openid,
    nick: account?.nick ?? tweet.openid,
    openid: tweet.openid,
    self: 1,
    from: 'release-hall sandbox',
    image: tweet.hasPicture ? [`http://app.qpic.cn/sandbox/${tweet.idstr}`] : null,
    count: content.posts.all().filter((item) => item.sourceId === tweet.idstr && !item.deleted)
      .length,
    mcount: 0,
    source: null,
  };
  if (withSource && tweet.sourceId !== undefined) {
    const source = content.posts.get(tweet.sourceId);
    json.source =
      source === undefined
        ? { id: tweet.sourceId, text: '', origtext: '', status: 3 }
        : source.deleted
          ? { id: source.idstr, text: '', origtext: '', status: 3 }
          : tweetJson(content, source, false);
  }
  return json;
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
      ? [tweetJson(content, newest, false)]
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
    fansnum: 0,
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
