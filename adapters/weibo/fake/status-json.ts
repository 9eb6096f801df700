/** How the Weibo fake writes a status: as the API's JSON and as the inspection API shows it. */
import { postSnapshot } from '../../fake/microblog-platform.js';
import { RawJsonNumber } from '../../fake/raw-json.js';
import type { StatusState, WeiboContent, WeiboPost } from './state.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** Weibo's `created_at` format in China time: `Wed Oct 24 23:49:17 +0800 2012`. */
export function formatWeiboDate(ms: number): string {
  const local = new Date(ms + 8 * 3_600_000);
  const two = (value: number): string => String(value).padStart(2, '0');
  return (
    `${WEEKDAYS[local.getUTCDay()]} ${MONTHS[local.getUTCMonth()]} ${two(local.getUTCDate())} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} ` +
    `+0800 ${local.getUTCFullYear()}`
  );
}

/** A status as the API writes it; `forRead` cuts long text as reads show it. */
export function statusJson(
  content: WeiboContent,
  status: StatusState,
  forRead: boolean,
): Record<string, unknown> {
  const account = content.accounts.get(status.uid);
  let text = status.text;
  if (forRead && status.isLongText && content.settings().truncateLongText) {
    // [unconfirmed] how the API shows long text in reads; the clients show a cut text.
    text = `${Array.from(text).slice(0, 120).join('')}...全文： http://m.weibo.cn/${status.uid}/${status.idstr}`;
  }
  const json: Record<string, unknown> = {
    created_at: formatWeiboDate(status.createdAt),
    id: new RawJsonNumber(status.idstr),
    idstr: status.idstr,
    mid: status.idstr,
    text,
    source: '<a href="https://open.weibo.com" rel="nofollow">release-hall sandbox</a>',
    favorited: false,
    truncated: false,
    in_reply_to_status_id: '',
    in_reply_to_user_id: '',
    in_reply_to_screen_name: '',
    geo: null,
    isLongText: status.isLongText,
    user: {
      id: new RawJsonNumber(status.uid),
      idstr: status.uid,
      screen_name: account?.screenName ?? status.uid,
      name: account?.screenName ?? status.uid,
    },
    reposts_count: content.posts
      .all()
      .filter((item) => item.sourceId === status.idstr && !item.deleted).length,
    comments_count: 0,
    attitudes_count: 0,
  };
  if (status.deleted) json.deleted = '1';
  if (status.sourceId !== undefined) {
    const source = content.posts.get(status.sourceId);
    json.retweeted_status =
      source === undefined || source.deleted
        ? {
            created_at: formatWeiboDate(status.createdAt),
            id: new RawJsonNumber(status.sourceId),
            idstr: status.sourceId,
            mid: status.sourceId,
            text: '抱歉，此微博已被作者删除。',
            deleted: '1',
          }
        : statusJson(content, source, forRead);
  }
  return json;
}

/** A status as the inspection API shows it. */
export function statusSnapshot(status: StatusState): WeiboPost {
  return {
    ...postSnapshot(status),
    uid: status.uid,
    visibleAt: new Date(status.visibleAt),
    isLongText: status.isLongText,
  };
}
