/**
 * Classifies a Weibo error reply into a {@link ReleaseHallError} (platforms.md §2.6).
 *
 * The adapter only classifies; the core decides whether and when to retry. Two replies are not
 * errors and are handled by the adapter before this mapper is reached: `20032` (posted, visible
 * later) and `20101` on `statuses/destroy` (the status is already gone); see
 * {@link isAcceptedCode} and {@link isAlreadyGone}.
 */
import type { ReleaseHallError } from '#core';
import {
  classifyKnownReply,
  cleanPlatformText,
  rateLimitWait,
  readIntegerCode,
  replyError,
} from '#adapter-kit';
import type { ErrorAdvice, KnownCode, MapErrorOptions, PlatformErrorReply } from '#adapter-kit';

/** Platform name used in errors. */
export const WEIBO_PLATFORM = 'weibo';

/** Default wait after a rate-limit reply that carries no `Retry-After` header. */
export const DEFAULT_RATE_LIMIT_RETRY_AFTER_MS = 60_000;

/** `20032`: "posted, the server is slow, it appears in 1–2 minutes". A success without an id. */
export const WEIBO_ACCEPTED_CODE = 20032;

/** `20101`: "target status does not exist". On `statuses/destroy` it means "already gone". */
export const WEIBO_NOT_FOUND_CODE = 20101;

/** A Weibo error reply, as the adapter read it (`endpoint` without `.json`, e.g. `statuses/share`). */
export interface WeiboErrorReply extends PlatformErrorReply {
  /** `error_code` from the body; Weibo sends it as a number or as a string. */
  readonly errorCode?: number | string | undefined;
  /** `error` from the body: the platform's own words. */
  readonly errorText?: string | undefined;
}

/** Settings of {@link mapWeiboError}. */
export interface MapWeiboErrorOptions extends MapErrorOptions {
  /**
   * Wait after a rate-limit reply without `Retry-After`. Weibo's windows are hourly, so the real
   * wait can be up to an hour; the core re-schedules after this delay and waits again if told so.
   * @default 60_000
   */
  readonly rateLimitRetryAfterMs?: number | undefined;
}

/**
 * Every documented code, with its class and a plain explanation. Codes not listed here are
 * classified by HTTP status (see {@link mapWeiboError}).
 */
const KNOWN_CODES: ReadonlyMap<number, KnownCode> = new Map<number, KnownCode>([
  // Server-side failures. On a read they are TRANSIENT. On a write the code alone does not tell
  // whether the status was stored before the failure: 10001/10003/10011 can happen after the
  // write reached storage and 10010 ("job expired") follows a queued job that may have run.
  // 10002 ("service paused") and 10009 ("too many pending tasks") read like admission refusals,
  // but that is not confirmed, and a duplicate government statement costs far more than one
  // timeline lookup, so every one of them is AMBIGUOUS on a write. [derived]
  [10001, { kind: 'transient-or-ambiguous', what: 'Weibo reported a system error' }],
  [10002, { kind: 'transient-or-ambiguous', what: 'the Weibo service is paused' }],
  [10003, { kind: 'transient-or-ambiguous', what: 'a Weibo back-end service failed' }],
  [10009, { kind: 'transient-or-ambiguous', what: 'Weibo has too many pending tasks' }],
  [10010, { kind: 'transient-or-ambiguous', what: 'the Weibo job expired' }],
  [10011, { kind: 'transient-or-ambiguous', what: 'Weibo reported an RPC error' }],
  // Rate limits: the windows are hourly (platforms.md §2.5).
  [10022, { kind: 'rate-limited', what: 'the request rate of this IP was exceeded' }],
  [10023, { kind: 'rate-limited', what: 'the request rate of this user was exceeded' }],
  [10024, { kind: 'rate-limited', what: 'the rate of this user for this API was exceeded' }],
  [20016, { kind: 'rate-limited', what: 'the account is posting too frequently' }],
  // The app or account may not make this call.
  [10014, { kind: 'permission', what: 'the app lacks permission for this API' }],
  [20015, { kind: 'permission', what: 'Weibo treats the account, IP or app as illegal' }],
  [21321, { kind: 'permission', what: 'the unaudited app is over its user limit' }],
  [21337, { kind: 'permission', what: 'the app key lacks permission' }],
  // 20022 ("abnormal behaviour from this IP") is not in the brief's table; a person must look at
  // the IP before anything is sent again, so it is a permission problem, not a rate limit. [derived]
  [20022, { kind: 'permission', what: 'Weibo saw abnormal behaviour from this IP' }],
  // Parameter errors are bugs or bad settings on our side (wrong id, missing `rip`, ...).
  [10008, { kind: 'invalid-input', what: 'a parameter is wrong' }],
  [10016, { kind: 'invalid-input', what: 'a required parameter is missing' }],
  [10017, { kind: 'invalid-input', what: 'a parameter value is invalid' }],
  [20007, { kind: 'invalid-input', what: 'the picture was not sent as multipart' }],
  // A status that is not the account's own, or the account's own status relayed: the plan or the
  // post reference is wrong, not the text.
  [20102, { kind: 'invalid-input', what: 'the status is not one of this account' }],
  [20103, { kind: 'invalid-input', what: 'an account cannot repost its own status' }],
  // The text or picture was refused: change the content.
  [10018, { kind: 'content', what: 'the request body is too long' }],
  [20005, { kind: 'content', what: 'the picture type is not supported' }],
  [20006, { kind: 'content', what: 'the picture is too large' }],
  [20008, { kind: 'content', what: 'the text is empty' }],
  [20012, { kind: 'content', what: 'the text is longer than 140 characters' }],
  [20013, { kind: 'content', what: 'the text is longer than 300 characters' }],
  [
    20018,
    {
      kind: 'content',
      what: 'Weibo refused a link in the text (share needs one on the safe domain)',
    },
  ],
  [20020, { kind: 'content', what: 'Weibo classified the text as advertising' }],
  [20021, { kind: 'content', what: 'Weibo classified the content as illegal' }],
  [20031, { kind: 'content', what: 'Weibo requires a captcha; a person must post it' }],
  [20101, { kind: 'not-found', what: 'the target status does not exist' }],
  // Comments (platforms-listening.md §1.3).
  [20201, { kind: 'not-found', what: 'the comment does not exist' }],
  [20202, { kind: 'content', what: 'Weibo classified the comment as illegal' }],
  [20203, { kind: 'invalid-input', what: 'the comment is not one of this account' }],
  [20204, { kind: 'invalid-input', what: 'the comment id is empty' }],
  // Already there: the core reconciles through findExisting before it reports.
  [20017, { kind: 'duplicate', what: 'Weibo holds similar content from this account' }],
  [20019, { kind: 'duplicate', what: 'Weibo holds identical content from this account' }],
  [20111, { kind: 'duplicate', what: 'Weibo holds this text from this account' }],
  [40025, { kind: 'duplicate', what: 'Weibo holds this text from this account' }],
  // Tokens.
  [21314, { kind: 'auth-expired', what: 'the access token was already used' }],
  [21315, { kind: 'auth-expired', what: 'the access token has expired' }],
  [21327, { kind: 'auth-expired', what: 'the access token has expired' }],
  // [unconfirmed] 21332 is commonly reported as "invalid access token"; its official meaning was
  // not found. Treated as expired: either way the account must be authorised again.
  [21332, { kind: 'auth-expired', what: 'the access token is no longer valid' }],
  [21301, { kind: 'auth-invalid', what: 'authentication failed' }],
  [21316, { kind: 'auth-invalid', what: 'the access token is illegal' }],
  [21317, { kind: 'auth-invalid', what: 'the access token was rejected' }],
  [21319, { kind: 'auth-invalid', what: 'the user revoked the authorisation' }],
]);

/** Reads `error_code` as a number; `undefined` when absent or not an integer. */
export function weiboErrorCode(value: unknown): number | undefined {
  return readIntegerCode(value, false);
}

/** True for `20032`: the post was taken and shows up later. */
export function isAcceptedCode(code: unknown): boolean {
  return weiboErrorCode(code) === WEIBO_ACCEPTED_CODE;
}

/** True when a reply to `statuses/destroy` says the status is already gone (`20101`). */
export function isAlreadyGone(code: unknown, endpoint: string): boolean {
  return endpoint === 'statuses/destroy' && weiboErrorCode(code) === WEIBO_NOT_FOUND_CODE;
}

/**
 * Reads a `Retry-After` value (seconds or an HTTP date) as milliseconds from now.
 * Returns `undefined` when it is absent or unreadable.
 */
export { parseRetryAfter } from '#adapter-kit';

/** Weibo's words where the platforms' advice differs. */
const WEIBO_ADVICE: ErrorAdvice = {
  platformTitle: 'Weibo',
  rateLimited: (what, account) => `${what} for ${account}`,
  permission: (what, account) =>
    `${what} (${account}); check the app's permissions on open.weibo.com`,
  notFound: (what, account) =>
    `${what} (${account}); the post it refers to was deleted or never existed`,
  authExpired: (_what, account) => `the access token of ${account} has expired; re-authorise it`,
  authInvalid: (what, account) =>
    `${what}: the access token of ${account} is wrong or revoked; re-authorise it`,
};

/**
 * Turns a Weibo error reply into a {@link ReleaseHallError}.
 *
 * - `10001`–`10011` server failures: `TRANSIENT` on reads, `AMBIGUOUS` on writes.
 * - `10022`/`10023`/`10024`/`20016`: `RATE_LIMITED`, `retryAfterMs` from `Retry-After` or the option.
 * - `10014`/`20015`/`20022`/`21321`/`21337`: `PERMISSION_DENIED`.
 * - parameter errors (`10008`/`10016`/`10017`/`20007`/`20102`/`20103`): `INVALID_INPUT`.
 * - refused content (`10018`, `20005`–`20008`, `20012`/`20013`, `20018`, `20020`/`20021`, `20031`,
 *   `20101`): `CONTENT_REJECTED`.
 * - `20017`/`20019`/`20111`/`40025`: `DUPLICATE_CONTENT`.
 * - `21314`/`21315`/`21327`/`21332`: `AUTH_EXPIRED`; `21301`/`21316`/`21317`/`21319`: `AUTH_INVALID`.
 * - any other code: HTTP 5xx → `AMBIGUOUS` for writes, `TRANSIENT` for reads; HTTP 429 →
 *   `RATE_LIMITED`; otherwise `CONTENT_REJECTED` with the platform's text.
 *
 * The message never holds a token: it is written from the code, the endpoint and the account id,
 * and the platform's text is scrubbed of `options.secrets`.
 */
export function mapWeiboError(
  reply: WeiboErrorReply,
  options: MapWeiboErrorOptions = {},
): ReleaseHallError {
  const code = weiboErrorCode(reply.errorCode);
  const known = code === undefined ? undefined : KNOWN_CODES.get(code);
  const retryAfterMs = rateLimitWait(reply.retryAfter, options, DEFAULT_RATE_LIMIT_RETRY_AFTER_MS);

  const classified = classifyKnownReply(known, reply, WEIBO_ADVICE, retryAfterMs);
  return replyError(reply, classified, {
    platform: WEIBO_PLATFORM,
    platformCode: code === undefined ? undefined : String(code),
    platformText: cleanPlatformText(reply.errorText, options.secrets ?? []),
    retryAfterMs,
  });
}
