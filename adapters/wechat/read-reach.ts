/**
 * `readReach` on WeChat (platforms-listening.md §3.3): article reads and shares from the
 * statistics API, `POST datacube/getarticletotal?access_token=…` (below `datacube/`, not
 * `cgi-bin/`) with `{"begin_date":"YYYY-MM-DD","end_date":"YYYY-MM-DD"}`, one day per call (the
 * article APIs' largest span), dates in UTC+8.
 *
 * **Which post is which row.** The statistics name an article `msgid` = `"<msg_data_id>_<index>"`
 * (index 1-based), where `msg_data_id` is what `message/mass/sendall` answers for an article
 * push. A delivery's post id is not that:
 *
 * - a push delivery's id is `mass:<msg_id>` (the send's `msg_id`, `push.ts`); `msg_id` and
 *   `msg_data_id` are two different numbers and no API turns one into the other. The adapter
 *   remembers the `msg_data_id` and the time of every article push it sends, and journals it
 *   with the delivery (note `wechat.msg_data_id`); a reader is handed those notes and the time
 *   the post went live (`context.posts`), so the pushes of any process that journaled them are
 *   read; a push whose `msg_data_id` is known neither way (a text push) gets no reading;
 * - a publish delivery's id is the `article_id` (`publish.ts`); whether the statistics cover
 *   articles that were only published (发表, not pushed) is [unconfirmed], and an `article_id`
 *   names no `msg_data_id`: it gets no reading;
 * - a statistics id itself (`"<msg_data_id>_<index>"`) is read as it is.
 *
 * **Which days.** `getarticletotal` answers, for the articles sent on the day asked (`ref_date`),
 * `details` per `stat_date`, cumulative to that date [unconfirmed]: the newest detail is the
 * article's reads (`int_page_read_count`) and shares (`share_count`) so far. A push whose day is
 * known is asked on that day (one call); other ids are looked for on each of the last
 * {@link WECHAT_REACH_DAYS} ready days, newest first, until all are found. The newest day that
 * can be asked is yesterday (UTC+8), and only after 08:00 today: until then, the day before. So a
 * post gets no reading before 08:00 (UTC+8) the day after it was sent.
 *
 * Comments and likes are not in these statistics and stay absent. The statistics are open to
 * verified accounts only: `48001` throws `PERMISSION_DENIED`. `61500`/`61501` (date format,
 * date range) throw `INVALID_INPUT`: this server's clock is off.
 */
import type { Account, PostFacts, PostReach, ReachContext } from '#core';
import { failMalformed, isRecord } from '#adapter-kit';
import { addDays, chinaDay, newestReadyDay } from './china-day.js';
import { guarded, wechatFailure } from './errors.js';
import { WECHAT_PLATFORM, splitRequestId } from './map-wechat-error.js';
import { readInteger } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';
import { MSG_DATA_ID_NOTE } from './push.js';

/** Ready days `readReach` looks back over for an id whose day is not known. */
export const WECHAT_REACH_DAYS = 7;

/** The statistics endpoint read. */
const ENDPOINT = 'datacube/getarticletotal';

const UNVERIFIED = 48001;
const DATE_FORMAT = 61500;
const DATE_RANGE = 61501;

const STATS_ID = /^(\d+)_(\d+)$/;
const PUSH_ID = /^mass:(\d+)$/;

/** One post asked for, as the statistics name it. */
interface Target {
  readonly postId: string;
  /** The exact `msgid`, or the prefix `<msg_data_id>_` of every article of a push. */
  readonly match: (msgid: string) => boolean;
  /** The day it was sent, when known. */
  readonly day: string | undefined;
  /**
   * The day before `day`, asked when `day` does not have it: `day` comes from when the journal
   * saw the push go live, which may be just after the midnight that followed its sending.
   */
  readonly spare?: string;
}

/** Counts found for one post. */
interface Found {
  reads: number;
  reposts: number;
}

/** What the statistics can find for a post id, or why they cannot. */
function targetOf(
  runtime: WechatRuntime,
  account: Account,
  postId: string,
  facts: PostFacts | undefined,
): Target | { readonly postId: string; readonly why: string } {
  if (STATS_ID.test(postId)) {
    return { postId, match: (msgid) => msgid === postId, day: undefined };
  }
  const push = PUSH_ID.exec(postId);
  if (push !== null) {
    const journaled = facts?.notes?.[MSG_DATA_ID_NOTE];
    const pushed =
      runtime.pushedArticles.get(account, push[1] ?? '') ??
      (journaled === undefined
        ? undefined
        : {
            msgDataId: journaled,
            sentAt: facts?.postedAt === undefined ? undefined : Date.parse(facts.postedAt),
          });
    if (pushed === undefined) {
      return {
        postId,
        why: 'the msg_data_id of this push is not known here (it was sent by another process, or it was a text push)',
      };
    }
    const prefix = `${pushed.msgDataId}_`;
    const day = pushed.sentAt === undefined ? undefined : chinaDay(pushed.sentAt);
    const fromJournal = runtime.pushedArticles.get(account, push[1] ?? '') === undefined;
    return {
      postId,
      match: (msgid) => msgid.startsWith(prefix),
      day,
      ...(fromJournal && day !== undefined ? { spare: addDays(day, -1) } : {}),
    };
  }
  return {
    postId,
    why: 'an article_id of a publish names no msg_data_id, and whether the statistics cover published-only articles is unconfirmed',
  };
}

/** The error for a refusal of the statistics API. */
function refused(account: Account, day: string, errcode: number, errmsg: string | undefined) {
  const { rid } = splitRequestId(errmsg);
  const tail = rid === undefined ? '' : ` (rid ${rid})`;
  if (errcode === UNVERIFIED) {
    return wechatFailure(
      account,
      ENDPOINT,
      'PERMISSION_DENIED',
      `WeChat's article statistics are open to verified accounts only, and account "${account.id}" is not verified (or not granted the statistics API): verify it in the MP console (mp.weixin.qq.com); until then its reads cannot be read${tail}`,
      { platformCode: String(errcode) },
    );
  }
  return wechatFailure(
    account,
    ENDPOINT,
    'INVALID_INPUT',
    `WeChat refused the day ${day} (${errcode === DATE_FORMAT ? 'date format error' : 'date range error'}): statistics are asked by day in UTC+8, up to yesterday; check this server's clock${tail}`,
    { platformCode: String(errcode) },
  );
}

/** The newest detail's counts of one `getarticletotal` row. */
function countsOf(row: Record<string, unknown>): Found | undefined {
  const details = Array.isArray(row.details) ? row.details : [];
  let newest: Record<string, unknown> | undefined;
  for (const detail of details) {
    if (!isRecord(detail) || typeof detail.stat_date !== 'string') continue;
    if (newest === undefined || detail.stat_date > String(newest.stat_date)) newest = detail;
  }
  if (newest === undefined) return undefined;
  const reads = readInteger(newest.int_page_read_count);
  const reposts = readInteger(newest.share_count);
  if (reads === undefined || reposts === undefined) return undefined;
  return { reads, reposts };
}

/** Reads the articles sent on `day` into `found`, for the targets that match. */
async function readDay(
  runtime: WechatRuntime,
  account: Account,
  context: ReachContext,
  day: string,
  targets: readonly Target[],
  found: Map<string, Found>,
): Promise<void> {
  const reply = await runtime.client.call(account, context, {
    endpoint: ENDPOINT,
    method: 'POST',
    json: { begin_date: day, end_date: day },
    write: false,
    handle: [UNVERIFIED, DATE_FORMAT, DATE_RANGE],
  });
  if (reply.errcode !== undefined) throw refused(account, day, reply.errcode, reply.errmsg);
  const list = reply.body.list;
  if (!Array.isArray(list)) {
    return failMalformed(
      { platform: WECHAT_PLATFORM, endpoint: ENDPOINT, write: false, accountId: account.id },
      'a reply without a list',
    );
  }
  for (const row of list) {
    if (!isRecord(row) || typeof row.msgid !== 'string') continue;
    const msgid = row.msgid;
    const counts = countsOf(row);
    if (counts === undefined) continue;
    for (const target of targets) {
      if (!target.match(msgid)) continue;
      const sum = found.get(target.postId) ?? { reads: 0, reposts: 0 };
      sum.reads += counts.reads;
      sum.reposts += counts.reposts;
      found.set(target.postId, sum);
    }
  }
}

/** Reads the reads and shares of an account's posts (see the module notes). */
export function readWechatReach(
  runtime: WechatRuntime,
  account: Account,
  postIds: readonly string[],
  context: ReachContext,
): Promise<readonly PostReach[]> {
  return guarded(account, async () => {
    const unique = [...new Set(postIds)];
    const now = runtime.options.now();
    const newest = newestReadyDay(now);
    const known = new Map<string, Target[]>();
    const unknownDay: Target[] = [];
    for (const postId of unique) {
      const target = targetOf(runtime, account, postId, context.posts?.get(postId));
      if ('why' in target) {
        context.logger.debug('wechat reach: no statistics for this post', {
          accountId: account.id,
          postId,
          reason: target.why,
        });
        continue;
      }
      if (target.day === undefined) {
        unknownDay.push(target);
      } else if (target.day <= newest) {
        known.set(target.day, [...(known.get(target.day) ?? []), target]);
      }
      // Else a push of today (or of yesterday before 08:00): no statistics yet, nothing asked.
    }
    const found = new Map<string, Found>();
    for (const [day, targets] of known) {
      await readDay(runtime, account, context, day, targets, found);
    }
    const spares = new Map<string, Target[]>();
    for (const target of [...known.values()].flat()) {
      if (target.spare === undefined || found.has(target.postId)) continue;
      spares.set(target.spare, [...(spares.get(target.spare) ?? []), target]);
    }
    for (const [day, targets] of spares) {
      await readDay(runtime, account, context, day, targets, found);
    }
    for (let back = 0; back < WECHAT_REACH_DAYS && unknownDay.length > 0; back++) {
      const day = addDays(newest, -back);
      await readDay(runtime, account, context, day, unknownDay, found);
      for (let index = unknownDay.length - 1; index >= 0; index--) {
        if (found.has(unknownDay[index]!.postId)) unknownDay.splice(index, 1);
      }
    }
    const readAt = new Date(now).toISOString();
    return unique.flatMap((postId) => {
      const counts = found.get(postId);
      return counts === undefined ? [] : [{ postId, ...counts, readAt }];
    });
  });
}
