/**
 * Reading Weibo's replies: a status (or a timeline), `20032` (accepted, appears later), "already
 * gone" on destroy, or the mapped error; and the references of the statuses they name.
 */
import { errorReplyOf, failMalformed, isRecord, parseJsonBody, postRef } from '#adapter-kit';
import type { CallInfo, HttpReply } from '#adapter-kit';
import type { Account, PostRef } from '#core';
import { WEIBO_PLATFORM, isAcceptedCode, isAlreadyGone, mapWeiboError } from './map-weibo-error.js';
import type { WeiboSettings } from './options.js';

/** The endpoints the adapter calls. */
export type WeiboEndpoint =
  | 'statuses/share'
  | 'statuses/update'
  | 'statuses/repost'
  | 'statuses/destroy'
  | 'statuses/user_timeline'
  | 'statuses/count'
  | 'oauth2/get_token_info'
  | 'users/show'
  | 'comments/show'
  | 'comments/to_me'
  | 'comments/mentions'
  | 'statuses/mentions'
  | 'comments/reply'
  | 'comments/by_me';

/** One call, for messages and errors. */
export interface WeiboCall extends CallInfo {
  readonly endpoint: WeiboEndpoint;
  readonly accountId: string;
}

/** A reply read as JSON: a status (or timeline), `20032`, or "already gone" on destroy. */
export type WeiboReadReply =
  | { readonly kind: 'ok'; readonly body: Record<string, unknown> }
  | { readonly kind: 'accepted'; readonly text: string }
  | { readonly kind: 'gone' };

/** The description of a call to `endpoint` for `account`. */
export function weiboCall(endpoint: WeiboEndpoint, write: boolean, account: Account): WeiboCall {
  return { platform: WEIBO_PLATFORM, endpoint, write, accountId: account.id };
}

function digits(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined;
}

/** A status id read as text: `idstr`, then `mid`; never through a JS number. */
export function statusId(status: Record<string, unknown>): string | undefined {
  return digits(status.idstr) ?? digits(status.mid);
}

/** Reads a reply; an error reply throws the mapped `ReleaseHallError`. */
export function readWeiboReply(
  reply: HttpReply,
  call: WeiboCall,
  settings: Pick<WeiboSettings, 'rateLimitRetryAfterMs'>,
  token: string,
): WeiboReadReply {
  const body = parseJsonBody(reply, call);
  const errorCode = isRecord(body) ? body.error_code : undefined;
  if (errorCode === undefined && reply.status < 300 && isRecord(body)) return { kind: 'ok', body };
  const errorText = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
  if (isAcceptedCode(errorCode)) {
    return { kind: 'accepted', text: errorText ?? 'posted; appears later' };
  }
  if (isAlreadyGone(errorCode, call.endpoint)) {
    return { kind: 'gone' };
  }
  if (errorCode === undefined && reply.status < 300) {
    failMalformed(call, `HTTP ${reply.status} with JSON that is not an object`);
  }
  throw mapWeiboError(
    {
      errorCode:
        typeof errorCode === 'number' || typeof errorCode === 'string' ? errorCode : undefined,
      errorText,
      ...errorReplyOf(reply, call),
    },
    { rateLimitRetryAfterMs: settings.rateLimitRetryAfterMs, secrets: [token] },
  );
}

/**
 * The public page of a status. The numeric id works in the desktop permalink
 * `https://weibo.com/<uid>/<id>`; the clients themselves link with a base62 form of the mid.
 * [unconfirmed that numeric ids keep working]
 */
export function weiboPostUrl(ref: { id: string }, account: Account): string | undefined {
  const uid = account.settings.uid;
  return typeof uid === 'string' && /^\d+$/.test(uid)
    ? `https://weibo.com/${uid}/${ref.id}`
    : undefined;
}

/** The reference of status `id` of the account. */
export function weiboRef(id: string, account: Account): PostRef {
  return postRef(WEIBO_PLATFORM, account, id, weiboPostUrl({ id }, account));
}
