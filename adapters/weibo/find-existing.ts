/**
 * `findExisting` on Weibo: `GET statuses/user_timeline`, newest first, matched on the text
 * without its links (Weibo may rewrite them into t.cn short links) and, for a relay, on the id
 * of the status relayed.
 */
import {
  httpCall,
  isRecord,
  pageOfList,
  refIfRecordMatches,
  scanBounds,
  scanTimeline,
  timeoutAndSignal,
} from '#adapter-kit';
import type { WorkflowCall } from '#adapter-kit';
import type { DeliveryDescriptor, FindExistingResult } from '#core';
import { withoutWeiboLinks } from './count-weibo-text.js';
import type { WeiboSettings } from './options.js';
import { readWeiboReply, statusId, weiboCall, weiboRef } from './read-reply.js';

const MONTH_INDEX: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Reads Weibo's `created_at` (`Wed Oct 24 23:49:17 +0800 2012`) as epoch ms. */
export function parseWeiboDate(text: string): number | undefined {
  const match =
    /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(
      text.trim(),
    );
  if (match === null) {
    const fallback = Date.parse(text);
    return Number.isNaN(fallback) ? undefined : fallback;
  }
  const [, month, day, hours, minutes, seconds, sign, offsetHours, offsetMinutes, year] = match;
  const monthIndex = MONTH_INDEX[month ?? ''];
  if (monthIndex === undefined) return undefined;
  const utc = Date.UTC(
    Number(year),
    monthIndex,
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
  );
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return sign === '-' ? utc + offset : utc - offset;
}

/**
 * What two texts share once Weibo has handled one of them: links removed (Weibo may rewrite
 * them into t.cn short links), compatibility forms folded (NFKC), whitespace dropped.
 */
export function weiboTextFingerprint(text: string): string {
  return withoutWeiboLinks(text.normalize('NFKC')).replace(/\s+/gu, '');
}

/** The cut-off marker the clients add to long text (`...全文：`); [unconfirmed] for the API. */
const LONG_TEXT_TAIL = /(?:\.\.\.|…)全文[:：]?$/u;

function sameText(status: Record<string, unknown>, wanted: string): boolean {
  if (typeof status.text !== 'string') return false;
  const got = weiboTextFingerprint(status.text);
  if (got === wanted) return true;
  if (status.isLongText === true) {
    const head = got.replace(LONG_TEXT_TAIL, '');
    return head.length >= 10 && wanted.startsWith(head);
  }
  return false;
}

function matchesDelivery(status: Record<string, unknown>, delivery: DeliveryDescriptor): boolean {
  if (delivery.rendition.format !== 'text' || status.deleted === '1') return false;
  const wanted = weiboTextFingerprint(delivery.rendition.text);
  const retweeted = isRecord(status.retweeted_status) ? status.retweeted_status : undefined;
  if (delivery.action === 'post') {
    return retweeted === undefined && sameText(status, wanted);
  }
  if (retweeted === undefined || delivery.source === undefined) return false;
  if (statusId(retweeted) !== delivery.source.id) return false;
  if (wanted === '' || typeof status.text !== 'string') return true;
  // A repost of a repost carries the chain after `//@name:`.
  const got = weiboTextFingerprint(status.text);
  return got === wanted || got.startsWith(`${wanted}//@`);
}

/** Looks for the delivery's status on the account's timeline. */
export async function findWeiboStatus(
  { settings, account, context, credential: token }: WorkflowCall<WeiboSettings>,
  delivery: DeliveryDescriptor,
): Promise<FindExistingResult> {
  if (delivery.rendition.format !== 'text') return { status: 'not-found' };
  const call = weiboCall('statuses/user_timeline', false, account);
  const uid = account.settings.uid;
  return scanTimeline({
    ...scanBounds(delivery, settings),
    first: 1,
    readPage: async (page) => {
      // The token goes in the Authorization header, never the URL, so gateway and proxy
      // access logs do not keep it.
      const query = new URLSearchParams({
        ...(typeof uid === 'string' ? { uid } : {}),
        count: String(settings.timelineCount),
        page: String(page),
      });
      const reply = await httpCall({
        ...call,
        fetch: settings.fetch,
        url: `${settings.baseURL}statuses/user_timeline.json?${query.toString()}`,
        method: 'GET',
        headers: { accept: 'application/json', authorization: `OAuth2 ${token}` },
        ...timeoutAndSignal(context),
      });
      const read = readWeiboReply(reply, call, settings, token);
      const statuses = read.kind === 'ok' ? read.body.statuses : undefined;
      return pageOfList(
        statuses,
        () => page + 1,
        '[release-hall] [weibo] statuses/user_timeline replied without a list of statuses',
      );
    },
    createdAt: (status) =>
      isRecord(status) && typeof status.created_at === 'string'
        ? parseWeiboDate(status.created_at)
        : undefined,
    refIfMatch: (status) =>
      refIfRecordMatches(status, {
        matches: (record) => matchesDelivery(record, delivery),
        idOf: statusId,
        refOf: (id) => weiboRef(id, account),
      }),
  });
}
