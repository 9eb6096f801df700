/**
 * Classifies a WeChat Official Accounts error reply into a {@link ReleaseHallError}
 * (platforms.md §1.2 token endpoints, §1.9 global codes).
 *
 * WeChat answers errors with HTTP 200 and `{"errcode":N,"errmsg":"… rid: …"}`; a success body
 * often has no `errcode` at all (`draft/add` returns only `{"media_id":"…"}`). The adapter reads
 * the body first and calls this mapper only for a non-zero `errcode` (or an HTTP failure).
 *
 * Three codes are not plain failures and are handled by the adapter before this mapper is reached:
 * `40001`/`40014`/`42001` (refresh the token by compare-and-expire and retry once, see
 * {@link isTokenErrorCode}) and `45065` (a mass send with this `clientmsgid` exists: already sent,
 * take its `msg_id`). If they still reach the mapper they are classified conservatively.
 *
 * The adapter only classifies; the core decides whether and when to retry.
 */
import type { ReleaseHallError } from '#core';
import {
  type Classified,
  accountLabel,
  ambiguousOrTransient,
  cleanPlatformText,
  contentRejected,
  invalidInputError,
  platformError,
  readIntegerCode,
} from '#adapter-kit';
import type { MapErrorOptions, PlatformErrorReply } from '#adapter-kit';

/** Platform name used in errors and post references. */
export const WECHAT_PLATFORM = 'wechat';

/** Codes that mean "this access token is not (or no longer) good" on API calls (§1.2, WxJava). */
export const WECHAT_TOKEN_ERROR_CODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** `45065`: a mass send with the same `clientmsgid` exists; the body carries its `msg_id`. */
export const WECHAT_ALREADY_SENT_CODE = 45065;

/** `45066`: the same `clientmsgid` was repeated too fast; repeat it after at least a minute. */
export const WECHAT_REPEAT_TOO_FAST_CODE = 45066;

/**
 * Wait after `45066` and after an ambiguous mass send: WeChat asks for at least one minute
 * (§1.6); five seconds more cover clock differences. [derived]
 */
export const WECHAT_MASS_REPEAT_WAIT_MS = 65_000;

/** The token endpoints (no `access_token` in their URL; `40001` there means a wrong AppSecret). */
export const WECHAT_TOKEN_ENDPOINTS: ReadonlySet<string> = new Set(['token', 'stable_token']);

/** A WeChat error reply, as the adapter read it. */
export interface WechatErrorReply extends PlatformErrorReply {
  /** `errcode` from the body; a number, or a numeric string from a gateway. */
  readonly errcode?: number | string | undefined;
  /** `errmsg` from the body: the platform's words, usually ending in ` rid: …`. */
  readonly errmsg?: string | undefined;
  /** HTTP status (WeChat itself answers 200 even for errors). */
  readonly status: number;
  /** Endpoint below `cgi-bin/`, e.g. `draft/add`, `message/mass/sendall`. */
  readonly endpoint: string;
}

/** Settings of {@link mapWechatError}. */
export interface MapWechatErrorOptions extends MapErrorOptions {
  /** Clock for the "next minute" wait of `45011`. @default Date.now */
  readonly now?: (() => number) | undefined;
}

type Kind =
  | 'busy'
  | 'auth-expired'
  | 'auth-invalid'
  | 'rate-minute'
  | 'rate-repeat'
  | 'quota'
  | 'invalid-input'
  | 'content'
  | 'needs-person'
  | 'permission'
  | 'admin-confirmation'
  | 'ip-refused'
  | 'already-sent'
  | 'not-found';

interface Known {
  readonly kind: Kind;
  readonly what: string;
  /** A wait the platform states (89506/89507), reported as `retryAfterMs`. */
  readonly waitMs?: number;
}

const HOUR = 3_600_000;

/** Every code of §1.2 and §1.9 (plus the few the fake uses), with its class and plain words. */
const KNOWN_CODES: ReadonlyMap<number, Known> = new Map<number, Known>([
  [-1, { kind: 'busy', what: 'WeChat reported "system busy"' }],
  // Tokens on API calls (the token endpoints are handled in TOKEN_ENDPOINT_CODES).
  [40001, { kind: 'auth-expired', what: 'the access token is invalid or not the latest' }],
  [40014, { kind: 'auth-expired', what: 'the access token is invalid' }],
  [42001, { kind: 'auth-expired', what: 'the access token has expired' }],
  [41001, { kind: 'invalid-input', what: 'the access token is missing from the call (a bug)' }],
  // Limits and quotas.
  [45009, { kind: 'quota', what: 'the daily API quota of this account is used up' }],
  [45011, { kind: 'rate-minute', what: 'the API was called too often this minute' }],
  [45028, { kind: 'quota', what: 'the account has no mass-send quota left' }],
  [48006, { kind: 'quota', what: 'the monthly quota resets (clear_quota) are used up' }],
  [45066, { kind: 'rate-repeat', what: 'the same clientmsgid was repeated too fast' }],
  [45065, { kind: 'already-sent', what: 'a mass send with this clientmsgid already exists' }],
  // Our own request is wrong: a bug or a setting, not the text.
  [40002, { kind: 'invalid-input', what: 'the grant_type is invalid' }],
  [40007, { kind: 'invalid-input', what: 'the media_id is invalid' }],
  [40033, { kind: 'invalid-input', what: 'the request contains \\uXXXX-escaped characters' }],
  [40114, { kind: 'invalid-input', what: 'the article index is invalid' }],
  [41039, { kind: 'invalid-input', what: 'the content_source_url is invalid' }],
  [43002, { kind: 'invalid-input', what: 'the call must be a POST' }],
  [44002, { kind: 'invalid-input', what: 'the POST body is empty' }],
  [44003, { kind: 'invalid-input', what: 'the article list is empty' }],
  [44004, { kind: 'invalid-input', what: 'the text is empty' }],
  [45067, { kind: 'invalid-input', what: 'the clientmsgid is longer than 64 bytes' }],
  [45159, { kind: 'invalid-input', what: 'the tag_id is invalid' }],
  [53404, { kind: 'invalid-input', what: 'the product card of the article is invalid' }],
  [53405, { kind: 'invalid-input', what: 'the product card of the article is invalid' }],
  [53406, { kind: 'invalid-input', what: 'the product card of the article is invalid' }],
  // [unconfirmed] not in platforms.md: codes seen for a wrong upload; the adapter checks the
  // file itself first, so these are rarely reached.
  [40005, { kind: 'invalid-input', what: 'the file type is not accepted for this media' }],
  [40006, { kind: 'invalid-input', what: 'the file size is not accepted for this media' }],
  [41005, { kind: 'invalid-input', what: 'the multipart field "media" is missing' }],
  [47001, { kind: 'invalid-input', what: 'the request body is not valid JSON' }],
  [40004, { kind: 'invalid-input', what: 'the media type is invalid' }],
  [40008, { kind: 'invalid-input', what: 'the message type is invalid' }],
  [40066, { kind: 'invalid-input', what: 'the API URL is invalid (check baseURL)' }],
  [40097, { kind: 'invalid-input', what: 'a parameter is invalid' }],
  // The content itself is refused: change it.
  [45002, { kind: 'content', what: 'the content is too long' }],
  [45003, { kind: 'content', what: 'the title is longer than 32 characters' }],
  [45004, { kind: 'content', what: 'the digest is longer than 128 characters' }],
  // [unconfirmed] 45110 for a long author is not in platforms.md; the adapter checks first.
  [45110, { kind: 'content', what: 'the author is longer than 16 characters' }],
  [45166, { kind: 'content', what: 'WeChat refused the article content' }],
  [53503, { kind: 'needs-person', what: 'the draft failed the publish check' }],
  [53504, { kind: 'needs-person', what: 'this draft can only be published in the MP console' }],
  [
    53505,
    { kind: 'needs-person', what: 'the draft must first be saved by hand in the MP console' },
  ],
  // Ids that do not (or no longer) exist.
  [53600, { kind: 'not-found', what: 'the article_id is invalid' }],
  // [unconfirmed] 40059 ("invalid msg id") comes from community reports on mass/get and delete.
  [40059, { kind: 'not-found', what: 'the msg_id is invalid' }],
  // The account or app may not do this.
  [40164, { kind: 'permission', what: "the caller's IP is not on the account's IP whitelist" }],
  [48001, { kind: 'permission', what: 'the account is not authorised for this API' }],
  [48002, { kind: 'permission', what: 'the user refuses messages' }],
  [48004, { kind: 'permission', what: 'this API is banned for the account' }],
  [50002, { kind: 'permission', what: 'the account is restricted' }],
  [50004, { kind: 'permission', what: 'the token API is forbidden for the account' }],
  [50007, { kind: 'permission', what: 'the account is frozen' }],
  [88000, { kind: 'permission', what: 'the account has no comment privilege' }],
  [45015, { kind: 'permission', what: 'the reply is outside the time window' }],
  [45047, { kind: 'quota', what: 'the customer-service message count is used up' }],
  [
    89503,
    {
      kind: 'admin-confirmation',
      what: 'this call needs admin confirmation: WeChat sent the admin a request to approve this IP',
    },
  ],
  [
    89506,
    {
      kind: 'ip-refused',
      what: 'the admin refused calls from this IP; WeChat allows a retry after 24 hours',
      waitMs: 24 * HOUR,
    },
  ],
  [
    89507,
    {
      kind: 'ip-refused',
      what: 'the admin refused calls from this IP; WeChat allows a retry after 1 hour',
      waitMs: HOUR,
    },
  ],
]);

/** Codes whose meaning differs on the token endpoints (§1.2). */
const TOKEN_ENDPOINT_CODES: ReadonlyMap<number, Known> = new Map<number, Known>([
  [40001, { kind: 'auth-invalid', what: 'the AppSecret is wrong' }],
  [40013, { kind: 'auth-invalid', what: 'the appid is invalid' }],
  [40125, { kind: 'auth-invalid', what: 'the AppSecret is invalid' }],
  [40243, { kind: 'auth-invalid', what: 'the AppSecret is frozen' }],
  [41002, { kind: 'invalid-input', what: 'the appid is missing' }],
  [41004, { kind: 'auth-invalid', what: 'the AppSecret is missing' }],
]);

/** Reads `errcode` as an integer; `undefined` when absent or not an integer. */
export function wechatErrorCode(value: unknown): number | undefined {
  return readIntegerCode(value, true);
}

/** True for `40001`, `40014`, `42001`: refresh the token (compare-and-expire) and retry once. */
export function isTokenErrorCode(code: unknown): boolean {
  const value = wechatErrorCode(code);
  return value !== undefined && WECHAT_TOKEN_ERROR_CODES.has(value);
}

/**
 * Splits WeChat's `errmsg` into the words and the request id (`"has no masssend quota rid:
 * 62bd10f4-7514f9d8-1d884148"` → words and `62bd10f4-…`). The id helps WeChat support find the call.
 */
export function splitRequestId(errmsg: string | undefined): {
  readonly text: string | undefined;
  readonly rid: string | undefined;
} {
  if (errmsg === undefined) return { text: undefined, rid: undefined };
  const match = /^(.*?)[\s,;]*\brid:\s*([0-9A-Za-z-]+)\s*$/s.exec(errmsg);
  if (match === null) return { text: errmsg.trim() || undefined, rid: undefined };
  const text = (match[1] ?? '').trim();
  return { text: text === '' ? undefined : text, rid: match[2] };
}

/** Milliseconds until one second past the next wall-clock minute (the per-minute window of 45011). */
export function untilNextMinute(now: number): number {
  return 60_000 - (now % 60_000) + 1_000;
}

function explain(
  known: Known,
  reply: WechatErrorReply,
  now: () => number,
): Classified & { retryAfterMs?: number; retryable?: boolean } {
  const account = accountLabel(reply.accountId);
  const { what } = known;
  switch (known.kind) {
    case 'busy':
      return ambiguousOrTransient(what, reply, 'will retry with backoff');
    case 'auth-expired':
      return {
        code: 'AUTH_EXPIRED',
        explanation: `${what} for ${account}, also after a fresh token was fetched; check that no other system fetches tokens for this appid (use one central token holder)`,
      };
    case 'auth-invalid':
      return {
        code: 'AUTH_INVALID',
        explanation: `${what} for ${account}: check the appid in the hall file and the "secret" in its credentials`,
      };
    case 'rate-minute': {
      const retryAfterMs = untilNextMinute(now());
      return {
        code: 'RATE_LIMITED',
        retryAfterMs,
        explanation: `${what} for ${account}; waiting ${Math.ceil(retryAfterMs / 1000)} s for the next minute`,
      };
    }
    case 'rate-repeat':
      return {
        code: 'RATE_LIMITED',
        retryAfterMs: WECHAT_MASS_REPEAT_WAIT_MS,
        explanation: `${what} for ${account}; repeating the same request, with the same clientmsgid, after ${WECHAT_MASS_REPEAT_WAIT_MS / 1000} s`,
      };
    case 'quota':
      return {
        code: 'QUOTA_EXHAUSTED',
        explanation: `${what} (${account}); nothing was sent, and it is not retried in this period`,
      };
    case 'already-sent':
      return {
        code: 'DUPLICATE_CONTENT',
        explanation: `${what} (${account}): it was already sent; confirm it with message/mass/get`,
      };
    case 'invalid-input':
      return invalidInputError(what, reply);
    case 'content':
      return contentRejected(what, reply);
    case 'needs-person':
      return {
        code: 'CONTENT_REJECTED',
        explanation: `${what} (${account}); it needs a person in the MP console (mp.weixin.qq.com)`,
      };
    case 'not-found':
      return {
        code: 'INVALID_INPUT',
        explanation: `${what} (${account}): it was deleted or never existed`,
      };
    case 'permission':
      return {
        code: 'PERMISSION_DENIED',
        explanation: `${what} (${account}); an administrator must change the account's settings in the MP console`,
      };
    case 'admin-confirmation':
      return {
        code: 'PERMISSION_DENIED',
        explanation: `${what} (${account}); it needs admin confirmation: retry from the same IP once the admin has approved it`,
      };
    case 'ip-refused':
      return {
        code: 'PERMISSION_DENIED',
        retryable: false,
        ...(known.waitMs === undefined ? {} : { retryAfterMs: known.waitMs }),
        explanation: `${what} (${account}): IP refused; ask the admin to allow this server's IP`,
      };
  }
}

function unknownCode(reply: WechatErrorReply, code: number | undefined): Classified {
  const account = accountLabel(reply.accountId);
  if (code === undefined && reply.status >= 500) {
    return ambiguousOrTransient(`HTTP ${reply.status}`, reply);
  }
  if (code === undefined && reply.status === 429) {
    // Not a WeChat reply; a gateway in front of WeChat may answer so. [derived]
    return { code: 'RATE_LIMITED', explanation: `HTTP 429 for ${account}; waiting a minute` };
  }
  return {
    code: 'CONTENT_REJECTED',
    explanation: `WeChat refused the call for ${account}${code === undefined ? ` (HTTP ${reply.status})` : ''}; see its message`,
  };
}

/**
 * Turns a WeChat error reply into a {@link ReleaseHallError}:
 *
 * - `-1` system busy: `TRANSIENT` on reads, `AMBIGUOUS` on writes.
 * - `40001`/`40014`/`42001`: `AUTH_EXPIRED` (after the adapter's one refresh-and-retry); on the
 *   token endpoints `40001`/`40013`/`40125`/`40243`/`41004` are `AUTH_INVALID` (wrong appid/secret).
 * - `45009`/`45028`/`48006`: `QUOTA_EXHAUSTED`, not retried.
 * - `45011`: `RATE_LIMITED` until the next minute; `45066`: `RATE_LIMITED` with
 *   `retryAfterMs` ≥ 60 000, to be repeated with the same `clientmsgid`.
 * - `45065`: `DUPLICATE_CONTENT` (the adapter normally turns it into "already sent" first).
 * - request errors (`40007`, `40033`, `44002`–`44004`, `45067`, `41001`, …) and invalid ids
 *   (`53600`, `40059`): `INVALID_INPUT`.
 * - refused content (`45002`–`45004`, `45166`) and drafts that need a person (`53503`–`53505`):
 *   `CONTENT_REJECTED`.
 * - `40164`, `48001`, `48004`, `50002`, `89503`, `89506`, `89507`, …: `PERMISSION_DENIED`, with
 *   "needs admin confirmation" / "IP refused" in the words where it applies.
 * - any other code: `CONTENT_REJECTED` with the platform's words; no code with HTTP 5xx:
 *   `AMBIGUOUS` on writes, `TRANSIENT` on reads.
 *
 * The message is `[release-hall] [wechat] draft/add failed (45003 title size out of limit): …`,
 * with WeChat's request id (`rid`) at the end; it never holds a token or the AppSecret.
 */
export function mapWechatError(
  reply: WechatErrorReply,
  options: MapWechatErrorOptions = {},
): ReleaseHallError {
  const code = wechatErrorCode(reply.errcode);
  const onTokenEndpoint = WECHAT_TOKEN_ENDPOINTS.has(reply.endpoint);
  const known =
    code === undefined
      ? undefined
      : ((onTokenEndpoint ? TOKEN_ENDPOINT_CODES.get(code) : undefined) ?? KNOWN_CODES.get(code));
  // On the token endpoints `-1` is a read (fetching a token changes nothing visible).
  const effective: WechatErrorReply = onTokenEndpoint ? { ...reply, write: false } : reply;
  const classified: Classified & { retryAfterMs?: number; retryable?: boolean } =
    known !== undefined
      ? explain(known, effective, options.now ?? Date.now)
      : unknownCode(effective, code);
  if (classified.code === 'RATE_LIMITED' && classified.retryAfterMs === undefined) {
    classified.retryAfterMs = options.rateLimitRetryAfterMs ?? 60_000;
  }
  const { text, rid } = splitRequestId(cleanPlatformText(reply.errmsg, options.secrets ?? []));
  const platformCode = code === undefined ? undefined : String(code);
  const explanation =
    rid === undefined ? classified.explanation : `${classified.explanation} (rid ${rid})`;
  return platformError({
    code: classified.code,
    explanation,
    platform: WECHAT_PLATFORM,
    endpoint: reply.endpoint,
    status: reply.status,
    accountId: reply.accountId,
    platformCode,
    platformText: text,
    extra: {
      ...(classified.retryable === undefined ? {} : { retryable: classified.retryable }),
      ...(classified.retryAfterMs === undefined ? {} : { retryAfterMs: classified.retryAfterMs }),
    },
  });
}
