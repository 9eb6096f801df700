/**
 * Article statistics in the WeChat fake (platforms-listening.md §3.3, §4.11):
 * `POST /datacube/getarticlesummary` and `POST /datacube/getarticletotal` (below `/datacube/`,
 * not `/cgi-bin/`), from statistics tests seed per article and day.
 *
 * - Dates are `YYYY-MM-DD` in UTC+8 on the platform clock; a malformed date: `61500`.
 * - `end_date` today or later, `begin_date` after `end_date`, a span over 1 day (the article
 *   APIs' largest), or a day before 2014-12-01: `61501`.
 * - A day's figures show only after 08:00 (UTC+8) the next day; before that, they are left out
 *   (an empty `list` when nothing else is there).
 * - Unverified accounts: `48001` (the endpoint rule, before this runs).
 * - `getarticlesummary` lists an article on a day only when its reads + shares + favourites that
 *   day are at least 3. `getarticletotal` lists the articles sent on the day asked, with one
 *   `details` entry per ready day, cumulative to its `stat_date` (cumulative is [unconfirmed]).
 */
import type { WechatArticleStatsInit } from './inspection.js';
import {
  chinaPeriod,
  DAY_MS,
  wechatOk,
  type ArticleDayState,
  type ArticleStatsState,
  type WechatCall,
  type WechatContent,
  type WechatOutcome,
} from './state.js';

/** The first day with statistics. */
const FIRST_DAY = '2014-12-01';

/** Largest span in days of the article APIs. */
const ARTICLE_MAX_SPAN_DAYS = 1;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Midnight UTC of a day, or `undefined` when it is not a real date. */
function dayStart(day: string): number | undefined {
  if (!DATE.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? undefined : ms;
}

/**
 * True when the figures of `day` show at `now`: from 08:00 UTC+8 the next day, which is 00:00
 * UTC the next day.
 */
export function dayReady(day: string, now: number): boolean {
  const start = dayStart(day);
  return start !== undefined && now >= start + DAY_MS;
}

/** Seeds the statistics of one article. */
export function seedArticleStats(content: WechatContent, init: WechatArticleStatsInit): void {
  if (!/^\d+_\d+$/.test(init.msgid)) {
    throw new Error(`msgid must be "<msg_data_id>_<index>", got "${init.msgid}"`);
  }
  let refDate = init.refDate;
  if (refDate === undefined) {
    const msgDataId = init.msgid.split('_')[0];
    const send = [...content.mass.values()].find((entry) => entry.msgDataId === msgDataId);
    if (send === undefined) {
      throw new Error(`no mass send with msg_data_id ${msgDataId ?? ''}: give refDate`);
    }
    refDate = chinaPeriod(send.createdAt, 'day');
  }
  if (dayStart(refDate) === undefined) throw new Error(`refDate must be YYYY-MM-DD`);
  const days: ArticleDayState[] = init.days.map((day) => {
    if (dayStart(day.date) === undefined) throw new Error(`date must be YYYY-MM-DD`);
    return {
      date: day.date,
      reads: day.reads,
      readUsers: day.readUsers ?? day.reads,
      originalReads: day.originalReads ?? 0,
      originalReadUsers: day.originalReads ?? 0,
      shares: day.shares,
      shareUsers: day.shareUsers ?? day.shares,
      favs: day.favs ?? 0,
      favUsers: day.favs ?? 0,
    };
  });
  days.sort((a, b) => a.date.localeCompare(b.date));
  content.stats = content.stats.filter(
    (entry) => !(entry.appid === init.appid && entry.msgid === init.msgid),
  );
  content.stats.push({
    appid: init.appid,
    msgid: init.msgid,
    title: init.title,
    refDate,
    targetUser: init.targetUser ?? 0,
    days,
  });
}

/** The day asked, or the refusal of the dates. */
function askedDay(call: WechatCall): string | WechatOutcome {
  const { content, body } = call;
  const begin = body.begin_date;
  const end = body.end_date;
  if (typeof begin !== 'string' || typeof end !== 'string') {
    return content.refuse(61500, 'date format error');
  }
  const from = dayStart(begin);
  const to = dayStart(end);
  if (from === undefined || to === undefined) return content.refuse(61500, 'date format error');
  const today = chinaPeriod(content.now(), 'day');
  if (
    begin > end ||
    end >= today ||
    begin < FIRST_DAY ||
    (to - from) / DAY_MS + 1 > ARTICLE_MAX_SPAN_DAYS
  ) {
    return content.refuse(61501, 'date range error');
  }
  return begin;
}

/** The figures of one day (or summed to it), in WeChat's field names. */
function figures(days: readonly ArticleDayState[]): Record<string, number> {
  const sum = (pick: (day: ArticleDayState) => number): number =>
    days.reduce((total, day) => total + pick(day), 0);
  return {
    int_page_read_user: sum((day) => day.readUsers),
    int_page_read_count: sum((day) => day.reads),
    ori_page_read_user: sum((day) => day.originalReadUsers),
    ori_page_read_count: sum((day) => day.originalReads),
    share_user: sum((day) => day.shareUsers),
    share_count: sum((day) => day.shares),
    add_to_fav_user: sum((day) => day.favUsers),
    add_to_fav_count: sum((day) => day.favs),
  };
}

function statsOf(call: WechatCall): ArticleStatsState[] {
  return call.content.stats.filter((entry) => entry.appid === call.account.appid);
}

/** `datacube/getarticlesummary`: each article's figures of the day asked. */
export function articleSummary(call: WechatCall): WechatOutcome {
  const day = askedDay(call);
  if (typeof day !== 'string') return day;
  const now = call.content.now();
  const list = statsOf(call).flatMap((entry) => {
    const today = entry.days.find((item) => item.date === day);
    if (today === undefined || !dayReady(day, now)) return [];
    if (today.reads + today.shares + today.favs < 3) return [];
    return [{ ref_date: day, msgid: entry.msgid, title: entry.title, ...figures([today]) }];
  });
  return wechatOk({ list });
}

/** `datacube/getarticletotal`: the articles sent on the day asked, with their ready days. */
export function articleTotal(call: WechatCall): WechatOutcome {
  const day = askedDay(call);
  if (typeof day !== 'string') return day;
  const now = call.content.now();
  const list = statsOf(call).flatMap((entry) => {
    if (entry.refDate !== day) return [];
    const ready = entry.days.filter((item) => dayReady(item.date, now));
    if (ready.length === 0) return [];
    return [
      {
        ref_date: entry.refDate,
        msgid: entry.msgid,
        title: entry.title,
        details: ready.map((item, index) => ({
          stat_date: item.date,
          target_user: entry.targetUser,
          ...figures(ready.slice(0, index + 1)),
        })),
      },
    ];
  });
  return wechatOk({ list });
}
