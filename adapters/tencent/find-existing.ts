/**
 * `findExisting` on Tencent Weibo: `GET statuses/broadcast_timeline`, newest first, matched on the
 * text without its URLs and, for a relay, on the id of the tweet relayed.
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
import { withoutTencentLinks } from './count-tencent-text.js';
import { tencentCode } from './map-tencent-error.js';
import { missingSettings, oauthParameters, secretsOf } from './oauth.js';
import type { TencentSettings } from './options.js';
import { readTencentReply, tencentCall, tencentRef, tweetId } from './read-reply.js';

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Undoes the HTML of Tencent's `text` field: tags removed, entities decoded. [unconfirmed] */
export function plainText(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, name: string) => {
      if (name.startsWith('#')) {
        const hex = name[1] === 'x' || name[1] === 'X';
        const point = hex ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return point <= 0x10ffff ? String.fromCodePoint(point) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    });
}

/**
 * What two texts share once Tencent has handled one of them: URLs removed (Tencent shortens them
 * to url.cn links), compatibility forms folded (NFKC), whitespace dropped.
 */
export function tencentTextFingerprint(text: string): string {
  return withoutTencentLinks(text.normalize('NFKC')).replace(/\s+/gu, '');
}

/** The fingerprints of a timeline item: from `origtext` (as sent) and from `text` (as shown). */
function itemFingerprints(item: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof item.origtext === 'string') out.push(tencentTextFingerprint(item.origtext));
  if (typeof item.text === 'string') out.push(tencentTextFingerprint(plainText(item.text)));
  return out;
}

/** Reads a timestamp in seconds (number or digits) as epoch ms. */
function timestampMs(value: unknown): number | undefined {
  const seconds =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * A tweet that is no longer there: `status` 1 (removed by the platform) or 3 (by its author).
 * A tweet under review (2) was posted and counts. [unconfirmed: the status values]
 */
function isRemoved(item: Record<string, unknown>): boolean {
  const status = tencentCode(item.status);
  return status === 1 || status === 3;
}

function matchesDelivery(item: Record<string, unknown>, delivery: DeliveryDescriptor): boolean {
  if (delivery.rendition.format !== 'text' || isRemoved(item)) return false;
  const wanted = tencentTextFingerprint(delivery.rendition.text);
  const type = tencentCode(item.type);
  const source = isRecord(item.source) ? item.source : undefined;
  if (delivery.action === 'post') {
    if (source !== undefined || (type !== undefined && type !== 1)) return false;
    return itemFingerprints(item).includes(wanted);
  }
  if (source === undefined || delivery.source === undefined) return false;
  if (type !== undefined && type !== 2) return false;
  if (tweetId(source.id) !== delivery.source.id) return false;
  if (wanted === '') return true;
  // A relay of a relay may show the chain after `||@name:`, as the clients did. [unconfirmed]
  return itemFingerprints(item).some((got) => got === wanted || got.startsWith(`${wanted}||@`));
}

/** Where a page of `broadcast_timeline` starts: the first page, or after the last tweet read. */
interface PageCursor {
  readonly pageflag: string;
  readonly pagetime: string;
  readonly lastid: string;
}

/** The cursor of the page after `items`; `undefined` when there is nothing older to read. */
function nextCursor(data: unknown, items: readonly unknown[]): PageCursor | undefined {
  const hasNext = isRecord(data) ? tencentCode(data.hasnext) : undefined;
  // [unconfirmed] `hasnext` bit 1 set: nothing older to read.
  if (hasNext !== undefined && (hasNext & 1) === 1) return undefined;
  const last = items.at(-1);
  const lastId = isRecord(last) ? tweetId(last.id) : undefined;
  const lastTime = isRecord(last) ? timestampMs(last.timestamp) : undefined;
  if (lastId === undefined || lastTime === undefined) return undefined;
  return { pageflag: '1', pagetime: String(lastTime / 1000), lastid: lastId };
}

/** Looks for the delivery's tweet on the account's timeline. */
export async function findTencentTweet(
  { settings, account, context, credential: token }: WorkflowCall<TencentSettings>,
  delivery: DeliveryDescriptor,
): Promise<FindExistingResult> {
  if (delivery.rendition.format !== 'text') return { status: 'not-found' };
  const issues = missingSettings(settings, account);
  if (issues.length > 0) {
    return {
      status: 'unknown',
      reason: `[release-hall] [tencent] statuses/broadcast_timeline cannot be read for account "${account.id}": ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    };
  }
  const call = tencentCall('statuses/broadcast_timeline', false, account);
  return scanTimeline<unknown, PageCursor>({
    ...scanBounds(delivery, settings),
    first: { pageflag: '0', pagetime: '0', lastid: '0' },
    readPage: async (cursor) => {
      // [unconfirmed] type=0 and contenttype=0 ask for every kind of tweet; the adapter
      // filters by itself.
      const query = new URLSearchParams({
        ...oauthParameters(settings, account, token),
        ...cursor,
        reqnum: String(settings.timelineCount),
        type: '0',
        contenttype: '0',
      });
      const reply = await httpCall({
        ...call,
        fetch: settings.fetch,
        url: `${settings.baseURL}statuses/broadcast_timeline?${query.toString()}`,
        method: 'GET',
        headers: { accept: 'application/json' },
        ...timeoutAndSignal(context),
      });
      const read = readTencentReply(reply, call, settings, secretsOf(settings, token));
      const data = read.kind === 'ok' ? read.body.data : undefined;
      // [unconfirmed] An empty timeline may come as `data: null`.
      const list: unknown = data === null ? [] : isRecord(data) ? data.info : undefined;
      return pageOfList(
        list,
        (items) => nextCursor(data, items),
        '[release-hall] [tencent] statuses/broadcast_timeline replied without a list of tweets (data.info)',
      );
    },
    createdAt: (item) => (isRecord(item) ? timestampMs(item.timestamp) : undefined),
    refIfMatch: (item) =>
      refIfRecordMatches(item, {
        matches: (record) => matchesDelivery(record, delivery),
        idOf: (record) => tweetId(record.id),
        refOf: (id) => tencentRef(id, account),
      }),
  });
}
