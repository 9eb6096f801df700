/**
 * Tencent Weibo's time-based paging (platforms-listening.md §2.1), as the inbox lists of the fake
 * apply it: `pageflag` 0 first page, 1 the next (older) page, 2 the previous (newer) page;
 * `pagetime` 0 on the first page, else the `timestamp` of the last (or first) item received;
 * `lastid` (`twitterid` on `t/re_list`) 0 on the first page, else that item's id; `reqnum` the page
 * size. The answer's `data.hasnext` is 0 when there is more to fetch in that direction, 1 when
 * the list is finished.
 *
 * [derived] Items are ordered newest first by time in seconds, then by id; a next page holds the
 * items after the position (`pagetime`, `lastid`) in that order, so items written in the same
 * second are neither skipped nor repeated.
 * [derived] On the first page `pagetime` and the id must be 0, on any other page both must be
 * set: anything else is a parameter error (`ret=1`) rather than a guess.
 */
import type { ListedTweet } from './tweet-json.js';
import { seconds, tencentRefusal as refuse, type TencentOutcome } from './state.js';

/** A page request, read and checked. */
export interface PageQuery {
  readonly pageflag: 0 | 1 | 2;
  readonly pagetime: number;
  readonly reqnum: number;
  /** `lastid` or `twitterid`; 0n on the first page. */
  readonly lastid: bigint;
}

/** How one list pages: the name of its id parameter and its `reqnum` range. */
export interface PagingRule {
  readonly idParam: 'lastid' | 'twitterid';
  readonly maxReqnum: number;
  /** `reqnum` when it is absent. */
  readonly defaultReqnum: number;
}

const DIGITS = /^\d+$/;

/** Reads and checks the paging parameters; a refusal (`ret=1`) when they break the rules. */
export function readPageQuery(
  params: URLSearchParams,
  rule: PagingRule,
): PageQuery | TencentOutcome {
  const flag = params.get('pageflag');
  const time = params.get('pagetime');
  const size = params.get('reqnum');
  const id = params.get(rule.idParam) ?? '0';
  if (flag === null) return refuse(1, 0, 'missing parameter pageflag');
  if (flag !== '0' && flag !== '1' && flag !== '2') {
    return refuse(1, 0, 'parameter pageflag must be 0, 1 or 2');
  }
  if (time === null) return refuse(1, 0, 'missing parameter pagetime');
  if (!DIGITS.test(time)) return refuse(1, 0, 'parameter pagetime must be a timestamp');
  const reqnum = size === null ? rule.defaultReqnum : DIGITS.test(size) ? Number(size) : -1;
  if (reqnum < 1 || reqnum > rule.maxReqnum) {
    return refuse(1, 0, `parameter reqnum must be 1-${rule.maxReqnum}`);
  }
  if (!DIGITS.test(id)) return refuse(1, 0, `parameter ${rule.idParam} must be a tweet id`);
  const pageflag = Number(flag) as 0 | 1 | 2;
  const pagetime = Number(time);
  const lastid = BigInt(id);
  if (pageflag === 0 && (pagetime !== 0 || lastid !== 0n)) {
    return refuse(1, 0, `the first page (pageflag=0) takes pagetime=0 and ${rule.idParam}=0`);
  }
  if (pageflag !== 0 && (pagetime === 0 || lastid === 0n)) {
    return refuse(
      1,
      0,
      `pageflag=${pageflag} takes the pagetime and ${rule.idParam} of the item received last`,
    );
  }
  return { pageflag, pagetime, reqnum, lastid };
}

/** Whether a refusal came back instead of a query. */
export function isRefusal(value: PageQuery | TencentOutcome): value is TencentOutcome {
  return 'reply' in value;
}

/** Whether `tweet` comes after the position in the newest-first order (it is older). */
function isAfter(tweet: ListedTweet, time: number, id: bigint): boolean {
  const at = seconds(tweet.createdAt);
  return at < time || (at === time && tweet.id < id);
}

/** Whether `tweet` comes before the position in the newest-first order (it is newer). */
function isBefore(tweet: ListedTweet, time: number, id: bigint): boolean {
  const at = seconds(tweet.createdAt);
  return at > time || (at === time && tweet.id > id);
}

/**
 * The page a query asks for, from tweets ordered newest first, and `hasnext`: 0 when more items
 * lie beyond the page in the direction asked, 1 when none do.
 */
export function pageOfList(
  newestFirst: readonly ListedTweet[],
  query: PageQuery,
): { readonly page: ListedTweet[]; readonly hasnext: 0 | 1 } {
  if (query.pageflag === 0) {
    const page = newestFirst.slice(0, query.reqnum);
    return { page, hasnext: newestFirst.length > page.length ? 0 : 1 };
  }
  if (query.pageflag === 1) {
    const older = newestFirst.filter((tweet) => isAfter(tweet, query.pagetime, query.lastid));
    const page = older.slice(0, query.reqnum);
    return { page, hasnext: older.length > page.length ? 0 : 1 };
  }
  const newer = newestFirst.filter((tweet) => isBefore(tweet, query.pagetime, query.lastid));
  const page = newer.slice(Math.max(0, newer.length - query.reqnum));
  return { page, hasnext: newer.length > page.length ? 0 : 1 };
}
