/**
 * The inbox endpoints of the Tencent Weibo fake (platforms-listening.md §2.1–2.2), both `GET`,
 * both paged by time (`time-paging.ts`):
 *
 * - `statuses/mentions_timeline`: what others wrote to the account: comments (`type` bit 0x40)
 *   and replies (0x8) on its tweets, and tweets that @ it (0x20; with 0x1 for an original, 0x2
 *   for a relay); `type=0` asks for all. `reqnum` 1–70.
 * - `t/re_list`: the relays (`flag=0`), comments (`flag=1`) or both (`flag=2`) of one tweet,
 *   `rootid`. `reqnum` 1–100; the id parameter is `twitterid`.
 *
 * Both answer `data = {hasnext, timestamp, info: [...], user: {name: nick}}`, or `data: null` for
 * an empty page [unconfirmed, as on `broadcast_timeline`].
 */
import { tencentLinks } from '../count-tencent-text.js';
import { mentionsName } from './inbox-store.js';
import { TENCENT_MAX_REQNUM } from './settings.js';
import {
  seconds,
  tencentOk,
  tencentRefusal as refuse,
  type TencentCall,
  type TencentContent,
  type TencentOutcome,
} from './state.js';
import { isRefusal, pageOfList, readPageQuery, type PagingRule } from './time-paging.js';
import { everyTweet, findTweet, newestFirst, tweetJson, type ListedTweet } from './tweet-json.js';

/** Largest `reqnum` of `t/re_list` (§2.1). */
export const TENCENT_RE_LIST_MAX_REQNUM = 100;

const TIMELINE_PAGING: PagingRule = {
  idParam: 'lastid',
  maxReqnum: TENCENT_MAX_REQNUM,
  defaultReqnum: 20,
};

const RE_LIST_PAGING: PagingRule = {
  idParam: 'twitterid',
  maxReqnum: TENCENT_RE_LIST_MAX_REQNUM,
  defaultReqnum: 20,
};

const DIGITS = /^\d+$/;

/** A bit mask parameter (`type`, `contenttype`): digits, 0 when absent. */
function readMask(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return 0;
  return DIGITS.test(value) ? Number(value) : undefined;
}

function contentBits(tweet: ListedTweet): number {
  return (
    (tweet.sentText.trim() === '' ? 0 : 0x1) |
    (tencentLinks(tweet.sentText).length > 0 ? 0x2 : 0) |
    (tweet.hasPicture ? 0x4 : 0)
  );
}

/**
 * The `type` bits that put `tweet` in the mentions timeline of `openid` (0 when it is not there):
 * 0x40 a comment on one of its tweets, 0x8 a reply to one, 0x20 a tweet that @ its `name`.
 */
function inboxBits(
  content: TencentContent,
  tweet: ListedTweet,
  openid: string,
  name: string,
): number {
  if (tweet.openid === openid || tweet.deleted) return 0;
  const source = tweet.sourceId === undefined ? undefined : findTweet(content, tweet.sourceId);
  const onOwn = source !== undefined && !source.deleted && source.openid === openid;
  let bits = 0;
  if (onOwn && tweet.type === 7) bits |= 0x40;
  if (onOwn && tweet.type === 4) bits |= 0x8;
  if (mentionsName(tweet.sentText, name)) {
    bits |= 0x20 | (tweet.type === 1 ? 0x1 : tweet.type === 2 ? 0x2 : 0);
  }
  return bits;
}

/** One page of a list, as `data`: `null` when the page is empty. */
function listData(
  content: TencentContent,
  page: readonly ListedTweet[],
  hasnext: 0 | 1,
  reader: string,
): unknown {
  if (page.length === 0) return null;
  const user: Record<string, string> = {};
  for (const tweet of page) user[tweet.name] = tweet.nick;
  return {
    hasnext,
    timestamp: seconds(content.now()),
    info: page.map((tweet) => tweetJson(content, tweet, true, reader)),
    user,
  };
}

/** `statuses/mentions_timeline`: comments, replies and mentions to the account, newest first. */
export function mentionsTimeline(call: TencentCall): TencentOutcome {
  const { content, account, params } = call;
  const query = readPageQuery(params, TIMELINE_PAGING);
  if (isRefusal(query)) return query;
  const type = readMask(params, 'type');
  const contenttype = readMask(params, 'contenttype');
  if (type === undefined || contenttype === undefined) {
    return refuse(1, 0, 'parameters type and contenttype must be numbers');
  }
  const listed = everyTweet(content).filter((tweet) => {
    const bits = inboxBits(content, tweet, account.openid, account.name);
    if (bits === 0 || (type !== 0 && (bits & type) === 0)) return false;
    return contenttype === 0 || (contentBits(tweet) & contenttype) !== 0;
  });
  const { page, hasnext } = pageOfList(newestFirst(listed), query);
  return tencentOk(listData(content, page, hasnext, account.openid));
}

/**
 * `t/re_list`: the relays and/or comments of tweet `rootid`, newest first. An unknown or deleted
 * `rootid` is `ret=4 errcode=6` ("record missing") [unconfirmed].
 */
export function reList(call: TencentCall): TencentOutcome {
  const { content, account, params } = call;
  const rootid = params.get('rootid');
  const flag = params.get('flag');
  if (rootid === null || rootid === '') return refuse(1, 0, 'missing parameter rootid');
  if (!DIGITS.test(rootid)) return refuse(1, 0, 'parameter rootid must be a tweet id');
  // [unconfirmed] whether flag had a default; the fake requires it.
  if (flag === null) return refuse(1, 0, 'missing parameter flag');
  if (flag !== '0' && flag !== '1' && flag !== '2') {
    return refuse(1, 0, 'parameter flag must be 0, 1 or 2');
  }
  const query = readPageQuery(params, RE_LIST_PAGING);
  if (isRefusal(query)) return query;
  const root = findTweet(content, rootid);
  if (root === undefined || root.deleted) return refuse(4, 6, 'the tweet does not exist');
  const types: readonly number[] = flag === '0' ? [2] : flag === '1' ? [7] : [2, 7];
  const listed = everyTweet(content).filter(
    (tweet) => tweet.sourceId === rootid && !tweet.deleted && types.includes(tweet.type),
  );
  const { page, hasnext } = pageOfList(newestFirst(listed), query);
  return tencentOk(listData(content, page, hasnext, account.openid));
}
