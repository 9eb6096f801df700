/**
 * Classifies a Tencent Weibo error reply (`ret` ≠ 0, platforms.md §3.4) into a
 * {@link ReleaseHallError}.
 *
 * The adapter only classifies; the core decides whether and when to retry. One reply is not an
 * error and is handled by the adapter before this mapper is reached: `ret=4 errcode=6` on `t/del`
 * (the tweet is already gone); see {@link isAlreadyGone}.
 */
import type { ReleaseHallError } from '#core';
import {
  classifyByStatus,
  classifyKnownReply,
  cleanPlatformText,
  rateLimitWait,
  readIntegerCode,
  replyError,
} from '#adapter-kit';
import type { ErrorAdvice, KnownCode, MapErrorOptions, PlatformErrorReply } from '#adapter-kit';

/** Platform name used in errors and hall files. */
export const TENCENT_PLATFORM = 'tencent';

/**
 * Default wait after a rate-limit reply. Tencent sends no `Retry-After` [unconfirmed] and its
 * windows are not documented; the core waits this long and is told again if it is still too soon.
 */
export const DEFAULT_RATE_LIMIT_RETRY_AFTER_MS = 60_000;

/**
 * A Tencent error reply, as the adapter read it. Tencent answers its errors with HTTP 200; a
 * gateway in front of it may add a `Retry-After`.
 */
export interface TencentErrorReply extends PlatformErrorReply {
  /** `ret` from the body: the class of the error (0 = success). */
  readonly ret?: number | string | undefined;
  /** `errcode` from the body: the detail within the class. */
  readonly errcode?: number | string | undefined;
  /** `msg` from the body: the platform's own words. */
  readonly msg?: string | undefined;
}

/** Settings of {@link mapTencentError}. */
export interface MapTencentErrorOptions extends MapErrorOptions {
  /**
   * Wait reported with a rate-limit reply that has no `Retry-After` header.
   * @default 60_000
   */
  readonly rateLimitRetryAfterMs?: number | undefined;
}

interface Known extends KnownCode {
  /** Add the platform's `msg` to the message: our words alone do not say enough. */
  readonly withPlatformText?: boolean;
}

/** `ret=3` (authentication) by `errcode`. */
const AUTH_CODES: ReadonlyMap<number, Known> = new Map<number, Known>([
  [1, { kind: 'auth-invalid', what: 'the access token is invalid or was revoked' }],
  [2, { kind: 'auth-invalid', what: 'Tencent took the request for a replay' }],
  // 3 ("access_token does not exist") and 4 ("expired"): platforms.md §5 advises a refresh with
  // the refresh token, so both are AUTH_EXPIRED (the core resolves the credentials once more).
  [3, { kind: 'auth-expired', what: 'does not exist on Tencent (expired or replaced)' }],
  [4, { kind: 'auth-expired', what: 'has expired' }],
  [5, { kind: 'auth-invalid', what: 'the OAuth version is wrong (expected oauth_version=2.a)' }],
  [6, { kind: 'auth-invalid', what: 'the signature method is wrong' }],
  [
    7,
    {
      kind: 'auth-invalid',
      what: 'an OAuth parameter is missing or wrong (oauth_consumer_key, openid, clientip, scope)',
      withPlatformText: true,
    },
  ],
  [9, { kind: 'auth-invalid', what: 'the signature check failed' }],
  [11, { kind: 'auth-invalid', what: 'an OAuth parameter has the wrong length' }],
  // 8, 10 and 12–15 are failures of Tencent's authentication service itself ("processing
  // failed", "network error"), not verdicts on the token: telling an operator to re-authorise
  // would be wrong. They are server failures, AMBIGUOUS on a write like any other. [derived]
  [8, { kind: 'transient-or-ambiguous', what: "Tencent's authentication service failed" }],
  [
    10,
    {
      kind: 'transient-or-ambiguous',
      what: "Tencent's authentication service had a network error",
    },
  ],
  [12, { kind: 'transient-or-ambiguous', what: "Tencent's authentication service failed" }],
  [13, { kind: 'transient-or-ambiguous', what: "Tencent's authentication service failed" }],
  [14, { kind: 'transient-or-ambiguous', what: "Tencent's authentication service failed" }],
  [15, { kind: 'transient-or-ambiguous', what: "Tencent's authentication service failed" }],
]);

/** `ret=4` (server side / publishing) by `errcode`; 6 depends on the endpoint. */
const PUBLISH_CODES: ReadonlyMap<number, Known> = new Map<number, Known>([
  [4, { kind: 'content', what: 'the text holds too many filtered words' }],
  [5, { kind: 'permission', what: 'Tencent forbids this account to post (city or QQ blacklist)' }],
  [8, { kind: 'content', what: 'the text is longer than 420 bytes after URL shortening' }],
  [
    9,
    {
      kind: 'content',
      what: 'Tencent classified the text as spam (advertising, a bad link or a blacklisted number)',
    },
  ],
  [10, { kind: 'rate-limited', what: 'the account is posting too fast' }],
  [11, { kind: 'content', what: 'the tweet being relayed was deleted' }],
  [12, { kind: 'content', what: 'the tweet being relayed is under review' }],
  [13, { kind: 'duplicate', what: 'Tencent already holds this text from this account' }],
  // [unconfirmed] 14 is seen only in third-party code ("not real-name verified").
  [14, { kind: 'permission', what: 'the account is not real-name verified' }],
]);

/** Other `ret` values (platforms.md §3.4). */
const RET_CODES: ReadonlyMap<number, Known> = new Map<number, Known>([
  [
    1,
    {
      kind: 'invalid-input',
      what: 'a parameter is missing or wrong',
      withPlatformText: true,
    },
  ],
  [2, { kind: 'rate-limited', what: 'Tencent asked to slow down' }],
  [
    5,
    {
      kind: 'permission',
      what: 'Tencent reported a user error for this account',
      withPlatformText: true,
    },
  ],
  [6, { kind: 'permission', what: 'the QQ account is not registered for Tencent Weibo' }],
  [7, { kind: 'permission', what: 'the account is not real-name verified' }],
]);

/** Reads `ret` or `errcode` as an integer; `undefined` when absent or not an integer. */
export function tencentCode(value: unknown): number | undefined {
  return readIntegerCode(value, true);
}

/** True when a reply to `t/del` says the tweet is already gone (`ret=4 errcode=6`). */
export function isAlreadyGone(ret: unknown, errcode: unknown, endpoint: string): boolean {
  return endpoint === 't/del' && tencentCode(ret) === 4 && tencentCode(errcode) === 6;
}

/** True for `ret=4 errcode=13`: the account already holds this text. */
export function isDuplicate(ret: unknown, errcode: unknown): boolean {
  return tencentCode(ret) === 4 && tencentCode(errcode) === 13;
}

/**
 * Reads a `Retry-After` value (seconds or an HTTP date) as milliseconds from now.
 * Returns `undefined` when it is absent or unreadable.
 */
export { parseRetryAfter } from '#adapter-kit';

/** The class of a reply by its codes alone (HTTP status aside). */
function classify(
  ret: number | undefined,
  errcode: number | undefined,
  endpoint: string,
): Known | undefined {
  if (ret === 3) {
    return (
      (errcode === undefined ? undefined : AUTH_CODES.get(errcode)) ?? {
        kind: 'auth-invalid',
        what: 'authentication failed',
        withPlatformText: true,
      }
    );
  }
  if (ret === 4) {
    if (errcode === 6) {
      // On t/del this is "already gone" and never reaches the mapper through the adapter.
      return endpoint === 't/del'
        ? { kind: 'content', what: 'the tweet does not exist' }
        : endpoint === 't/re_add'
          ? { kind: 'content', what: 'the tweet being relayed does not exist' }
          : endpoint === 't/re_list'
            ? { kind: 'content', what: 'the tweet whose comments were asked for does not exist' }
            : { kind: 'content', what: 'the tweet replied to no longer exists' };
    }
    const known = errcode === undefined ? undefined : PUBLISH_CODES.get(errcode);
    // Any other ret=4 is a server-side failure Tencent did not explain: it cannot tell whether
    // the tweet was stored, so it is AMBIGUOUS on a write. [derived]
    return (
      known ?? {
        kind: 'transient-or-ambiguous',
        what: 'Tencent reported a server-side failure',
        withPlatformText: true,
      }
    );
  }
  return ret === undefined ? undefined : RET_CODES.get(ret);
}

/** Tencent's words where the platforms' advice differs. */
const TENCENT_ADVICE: ErrorAdvice = {
  platformTitle: 'Tencent',
  rateLimited: (what, account) => `${what} (${account})`,
  permission: (what, account) => `${what} (${account}); a person must settle it with Tencent`,
  authExpired: (what, account) =>
    `the access token of ${account} ${what}; refresh or re-authorise it`,
  authInvalid: (what, account) =>
    `${what}: Tencent refused the credentials of ${account}; check the app key, openid and clientip, or re-authorise it`,
};

/** Keeps the platform's text short and free of secrets; Tencent's `ok` says nothing. */
function cleanTencentText(
  text: string | undefined,
  secrets: readonly (string | undefined)[],
): string | undefined {
  const cleaned = cleanPlatformText(text, secrets);
  return cleaned?.toLowerCase() === 'ok' ? undefined : cleaned;
}

/** `ret=3 errcode=4`, or `ret=2` when there is no `errcode`. */
function codeText(ret: number | undefined, errcode: number | undefined): string | undefined {
  if (ret === undefined) return undefined;
  return errcode === undefined ? `ret=${ret}` : `ret=${ret} errcode=${errcode}`;
}

/**
 * Turns a Tencent error reply into a {@link ReleaseHallError}.
 *
 * - HTTP 5xx: `AMBIGUOUS` on a write, `TRANSIENT` on a read, whatever the body says.
 * - `ret=4 errcode=13`: `DUPLICATE_CONTENT` (already posted; the core reconciles).
 * - `ret=2`, `ret=4 errcode=10` (and HTTP 429 from a gateway): `RATE_LIMITED`, with
 *   `retryAfterMs` from `Retry-After` or the option.
 * - `ret=3 errcode=3/4`: `AUTH_EXPIRED`; `ret=3 errcode=8/10/12–15` (the authentication service
 *   failed): `AMBIGUOUS` on a write, `TRANSIENT` on a read; any other `ret=3`: `AUTH_INVALID`.
 * - `ret=1`: `INVALID_INPUT`.
 * - `ret=4 errcode=4/8/9/11/12`, and `6` outside `t/del`: `CONTENT_REJECTED`.
 * - `ret=4 errcode=5/14`, `ret=5/6/7`: `PERMISSION_DENIED`.
 * - any other `ret=4`: `AMBIGUOUS` on a write, `TRANSIENT` on a read.
 * - anything else: `CONTENT_REJECTED` with the platform's text.
 *
 * The message reads `[release-hall] [tencent] t/add failed (ret=3 errcode=4): …`. Tencent's `msg`
 * is added after the codes only where the explanation needs it (parameter errors, unknown codes);
 * it is scrubbed of `options.secrets`. No message is ever written from a token.
 */
export function mapTencentError(
  reply: TencentErrorReply,
  options: MapTencentErrorOptions = {},
): ReleaseHallError {
  const ret = tencentCode(reply.ret);
  const errcode = tencentCode(reply.errcode);
  const retryAfterMs = rateLimitWait(reply.retryAfter, options, DEFAULT_RATE_LIMIT_RETRY_AFTER_MS);

  const known = classify(ret, errcode, reply.endpoint);
  // HTTP 5xx is a server failure whatever the body says. Tencent's `msg` is shown where the
  // code's words need it, and for a reply no code explains.
  const classified =
    reply.status >= 500
      ? classifyByStatus(reply, 'Tencent')
      : classifyKnownReply(known, reply, TENCENT_ADVICE, retryAfterMs);
  const withText =
    known === undefined
      ? reply.status < 500 && reply.status !== 429
      : known.withPlatformText === true;
  return replyError(reply, classified, {
    platform: TENCENT_PLATFORM,
    platformCode: codeText(ret, errcode),
    platformText: withText ? cleanTencentText(reply.msg, options.secrets ?? []) : undefined,
    retryAfterMs,
  });
}
