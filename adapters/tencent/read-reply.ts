/**
 * Reading Tencent Weibo's replies: a success body (`ret=0`), "already gone" on `t/del`, or the
 * mapped error; and the references of the tweets they name.
 */
import { errorReplyOf, failMalformed, isRecord, parseJsonBody, postRef } from '#adapter-kit';
import type { CallInfo, HttpReply } from '#adapter-kit';
import type { Account, PostRef } from '#core';
import {
  TENCENT_PLATFORM,
  isAlreadyGone,
  mapTencentError,
  tencentCode,
} from './map-tencent-error.js';
import type { TencentSettings } from './options.js';

/** The endpoints the adapter calls. */
export type TencentEndpoint =
  | 't/add'
  | 't/re_add'
  | 't/del'
  | 't/reply'
  | 'statuses/broadcast_timeline'
  | 'statuses/mentions_timeline'
  | 't/re_list'
  | 't/re_count'
  | 'user/info';

/** One call, for messages and errors. */
export interface TencentCall extends CallInfo {
  readonly endpoint: TencentEndpoint;
  readonly accountId: string;
}

/** A reply read as JSON: a success body, or "already gone" on `t/del`. */
export type TencentReadReply =
  { readonly kind: 'ok'; readonly body: Record<string, unknown> } | { readonly kind: 'gone' };

/** The description of a call to `endpoint` for `account`. */
export function tencentCall(
  endpoint: TencentEndpoint,
  write: boolean,
  account: Account,
): TencentCall {
  return { platform: TENCENT_PLATFORM, endpoint, write, accountId: account.id };
}

/** An id as text: digits, or a safe integer (big ids are quoted before parsing, see below). */
export function tweetId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined;
}

/**
 * Quotes bare integer `id` values of 16 digits or more in raw JSON text, so they keep every digit
 * when parsed. Tencent sends ids as strings; a gateway that turned them into numbers would
 * otherwise lose digits above 2^53. Text inside JSON strings is not touched: there a quote is
 * written `\"`, which the pattern cannot match.
 */
function quoteBigIds(text: string): string {
  return text.replace(/("id"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"');
}

/** Reads a reply; an error reply throws the mapped `ReleaseHallError`. */
export function readTencentReply(
  reply: HttpReply,
  call: TencentCall,
  settings: Pick<TencentSettings, 'rateLimitRetryAfterMs'>,
  secrets: readonly string[],
): TencentReadReply {
  const body = parseJsonBody({ ...reply, text: quoteBigIds(reply.text) }, call);
  const ret = isRecord(body) ? body.ret : undefined;
  const errcode = isRecord(body) ? body.errcode : undefined;
  const retCode = tencentCode(ret);
  if (retCode === 0 && reply.status < 300 && isRecord(body)) return { kind: 'ok', body };
  if (retCode === undefined && reply.status < 300) {
    failMalformed(call, `HTTP ${reply.status} with JSON that has no "ret"`);
  }
  if (reply.status < 500 && isAlreadyGone(ret, errcode, call.endpoint)) return { kind: 'gone' };
  const msg = isRecord(body) && typeof body.msg === 'string' ? body.msg : undefined;
  throw mapTencentError(
    {
      ret: typeof ret === 'number' || typeof ret === 'string' ? ret : undefined,
      errcode: typeof errcode === 'number' || typeof errcode === 'string' ? errcode : undefined,
      msg,
      ...errorReplyOf(reply, call),
    },
    { rateLimitRetryAfterMs: settings.rateLimitRetryAfterMs, secrets },
  );
}

/** The public page of a tweet. */
export function tencentPostUrl(ref: { id: string }): string | undefined {
  return /^\d+$/.test(ref.id) ? `http://t.qq.com/p/t/${ref.id}` : undefined;
}

/** The reference of tweet `id` of the account. */
export function tencentRef(id: string, account: Account): PostRef {
  return postRef(TENCENT_PLATFORM, account, id, tencentPostUrl({ id }));
}
