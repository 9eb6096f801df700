/**
 * What the error maps of the platforms (Weibo, Tencent Weibo, WeChat) share: reading codes and
 * `Retry-After`, scrubbing the platform's text, the explanations every platform words alike, and
 * building the house-style error `[release-hall] [platform] endpoint failed (code text): …`.
 * The code tables and the platform-specific words stay in each map. Part of the adapter kit (`release-hall/adapter-kit`).
 */
import { ReleaseHallError, platformMessage } from '../errors.js';
import type { ErrorCode, ReleaseHallErrorOptions } from '../errors.js';
import { Redactor } from '../redact.js';
import type { CallInfo, HttpReply } from './http.js';

/** A code and the plain explanation that goes after `failed (…):`. */
export interface Classified {
  code: ErrorCode;
  explanation: string;
}

/** What every platform's error reply tells about the call. */
export interface ErrorReplyBasics {
  /** HTTP status of the reply. */
  readonly status: number;
  /** True when the call changes state. */
  readonly write: boolean;
  /** The account (`member/platform`) the call was for. */
  readonly accountId?: string | undefined;
}

/**
 * What every platform's error reply tells besides its own codes; a platform's reply type extends
 * it with those codes and the platform's words.
 */
export interface PlatformErrorReply extends ErrorReplyBasics {
  /** Endpoint name for messages, e.g. `statuses/share`. */
  readonly endpoint: string;
  /** Value of the `Retry-After` header, if the reply had one. */
  readonly retryAfter?: string | null | undefined;
}

/** The facts of an error reply to `call`: status, endpoint, write, account and `Retry-After`. */
export function errorReplyOf(reply: HttpReply, call: CallInfo): PlatformErrorReply {
  return {
    status: reply.status,
    endpoint: call.endpoint,
    write: call.write,
    accountId: call.accountId,
    retryAfter: reply.headers.get('retry-after'),
  };
}

/** The settings every platform's error map takes. */
export interface MapErrorOptions {
  /** Wait reported with a rate-limit reply that has no `Retry-After` header. */
  readonly rateLimitRetryAfterMs?: number | undefined;
  /** Secret values to scrub from the platform's text, should it ever echo one. */
  readonly secrets?: readonly (string | undefined)[] | undefined;
  /** Clock used to read an HTTP-date `Retry-After`. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * Reads a platform code as an integer; `undefined` when absent or not an integer. A numeric string
 * may carry a minus sign only when `signed`.
 */
export function readIntegerCode(value: unknown, signed: boolean): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const pattern = signed ? /^\s*-?\d+\s*$/ : /^\s*\d+\s*$/;
  if (typeof value === 'string' && pattern.test(value)) return Number(value);
  return undefined;
}

/**
 * Reads a `Retry-After` value (seconds or an HTTP date) as milliseconds from now.
 * Returns `undefined` when it is absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: () => number = Date.now,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now());
}

/**
 * The wait of a rate-limit reply: its `Retry-After`, else `options.rateLimitRetryAfterMs`, else
 * `fallbackMs`.
 */
export function rateLimitWait(
  retryAfter: string | null | undefined,
  options: {
    readonly rateLimitRetryAfterMs?: number | undefined;
    readonly now?: (() => number) | undefined;
  },
  fallbackMs: number,
): number {
  return parseRetryAfter(retryAfter, options.now) ?? options.rateLimitRetryAfterMs ?? fallbackMs;
}

/** Keeps the platform's text short (one line, at most 200 characters) and free of secrets. */
export function cleanPlatformText(
  text: string | undefined,
  secrets: readonly (string | undefined)[],
): string | undefined {
  if (text === undefined) return undefined;
  const redactor = new Redactor();
  redactor.add(...secrets);
  const single = redactor.string(text).replace(/\s+/g, ' ').trim();
  if (single === '') return undefined;
  return single.length > 200 ? `${single.slice(0, 197)}...` : single;
}

/** `account "member/platform"`, or `the account` when it is not known. */
export function accountLabel(accountId: string | undefined): string {
  return accountId === undefined ? 'the account' : `account "${accountId}"`;
}

/**
 * A server-side failure: `AMBIGUOUS` on a write (it may have been applied), `TRANSIENT` on a read.
 */
export function ambiguousOrTransient(
  what: string,
  reply: ErrorReplyBasics,
  retryWords = 'will retry',
): Classified {
  return reply.write
    ? {
        code: 'AMBIGUOUS',
        explanation: `${what} while writing for ${accountLabel(reply.accountId)}; the write may have been applied, so the account is checked before any re-send`,
      }
    : { code: 'TRANSIENT', explanation: `${what}; ${retryWords}` };
}

/** `INVALID_INPUT`: our own request is wrong. */
export function invalidInputError(what: string, reply: ErrorReplyBasics): Classified {
  return { code: 'INVALID_INPUT', explanation: `${what} (${accountLabel(reply.accountId)})` };
}

/** `CONTENT_REJECTED`: the text or picture was refused. */
export function contentRejected(what: string, reply: ErrorReplyBasics): Classified {
  return {
    code: 'CONTENT_REJECTED',
    explanation: `${what} (${accountLabel(reply.accountId)}); change it and run again`,
  };
}

/** `DUPLICATE_CONTENT`: the account already holds the post; the core reconciles. */
export function duplicateContent(what: string): Classified {
  return {
    code: 'DUPLICATE_CONTENT',
    explanation: `${what}; the account is checked for the existing post before reporting`,
  };
}

/**
 * A reply the codes do not explain, classified by HTTP status: 5xx is a server failure
 * ({@link ambiguousOrTransient}), anything else a refusal by `platformTitle` (e.g. `Weibo`).
 */
export function classifyByStatus(reply: ErrorReplyBasics, platformTitle: string): Classified {
  if (reply.status >= 500) return ambiguousOrTransient(`HTTP ${reply.status}`, reply);
  return {
    code: 'CONTENT_REJECTED',
    explanation: `${platformTitle} refused the call for ${accountLabel(reply.accountId)} (HTTP ${reply.status}); see its message`,
  };
}

/** What {@link platformError} needs besides the classification. */
export interface PlatformErrorParts {
  readonly platform: string;
  readonly endpoint: string;
  readonly status: number;
  readonly accountId?: string | undefined;
  /** The platform's code as text (`20016`, `ret=3 errcode=4`). */
  readonly platformCode: string | undefined;
  /** The platform's words, already cleaned; shown after the code. */
  readonly platformText: string | undefined;
  readonly explanation: string;
  readonly code: ErrorCode;
  /** Further options of the error (`retryAfterMs`, `retryable`). */
  readonly extra?: Pick<ReleaseHallErrorOptions, 'retryAfterMs' | 'retryable'>;
}

/**
 * The house-style error: `[release-hall] [platform] endpoint failed (code text): explanation`.
 * Without a platform code, `HTTP <status>` stands in for it when there is text to show.
 */
export function platformError(parts: PlatformErrorParts): ReleaseHallError {
  const { platform, endpoint, platformCode, platformText } = parts;
  return new ReleaseHallError(
    platformMessage(
      platform,
      endpoint,
      platformCode ?? (platformText === undefined ? undefined : `HTTP ${parts.status}`),
      platformText,
      parts.explanation,
    ),
    {
      code: parts.code,
      platform,
      platformCode,
      accountId: parts.accountId,
      endpoint,
      ...parts.extra,
    },
  );
}

/**
 * The kinds a microblog platform's code table sorts its codes into; {@link explainKnownCode}
 * turns one into a {@link Classified}.
 */
export type ErrorKind =
  | 'transient-or-ambiguous'
  | 'rate-limited'
  | 'permission'
  | 'invalid-input'
  | 'content'
  | 'duplicate'
  | 'not-found'
  | 'auth-expired'
  | 'auth-invalid';

/** A documented code: its kind and the plain words for it. */
export interface KnownCode {
  readonly kind: ErrorKind;
  readonly what: string;
}

/** Words of one kind: from the code's words and {@link accountLabel}, the explanation. */
export type AdviceWording = (what: string, account: string) => string;

/**
 * A platform's words for the kinds whose advice differs from platform to platform (who to ask,
 * what to check). The other kinds are worded alike everywhere.
 */
export interface ErrorAdvice {
  /** The platform's name in words, e.g. `Weibo`, for a refusal no code explains. */
  readonly platformTitle: string;
  /** Before `; waiting N s before the next call`. */
  readonly rateLimited: AdviceWording;
  readonly permission: AdviceWording;
  readonly authExpired: AdviceWording;
  readonly authInvalid: AdviceWording;
  /** `CONTENT_REJECTED` for a post that is gone; left out, the kind reads as refused content. */
  readonly notFound?: AdviceWording | undefined;
}

/**
 * The code and explanation of a documented code, in the platform's words (`advice`) where the
 * platforms differ. `retryAfterMs` is the wait a rate limit reports.
 */
export function explainKnownCode(
  known: KnownCode,
  reply: ErrorReplyBasics,
  advice: ErrorAdvice,
  retryAfterMs: number,
): Classified {
  const account = accountLabel(reply.accountId);
  const { what } = known;
  switch (known.kind) {
    case 'transient-or-ambiguous':
      return ambiguousOrTransient(what, reply);
    case 'rate-limited':
      return {
        code: 'RATE_LIMITED',
        explanation: `${advice.rateLimited(what, account)}; waiting ${Math.ceil(retryAfterMs / 1000)} s before the next call`,
      };
    case 'permission':
      return { code: 'PERMISSION_DENIED', explanation: advice.permission(what, account) };
    case 'invalid-input':
      return invalidInputError(what, reply);
    case 'content':
      return contentRejected(what, reply);
    case 'not-found':
      return advice.notFound === undefined
        ? contentRejected(what, reply)
        : { code: 'CONTENT_REJECTED', explanation: advice.notFound(what, account) };
    case 'duplicate':
      return duplicateContent(what);
    case 'auth-expired':
      return { code: 'AUTH_EXPIRED', explanation: advice.authExpired(what, account) };
    case 'auth-invalid':
      return { code: 'AUTH_INVALID', explanation: advice.authInvalid(what, account) };
  }
}

/**
 * The classification of an error reply: a documented code ({@link explainKnownCode}); else HTTP
 * 429 from a gateway, `RATE_LIMITED`; else by HTTP status ({@link classifyByStatus}).
 */
export function classifyKnownReply(
  known: KnownCode | undefined,
  reply: ErrorReplyBasics,
  advice: ErrorAdvice,
  retryAfterMs: number,
): Classified {
  if (known !== undefined) return explainKnownCode(known, reply, advice, retryAfterMs);
  if (reply.status === 429) {
    // Not a platform reply; a gateway in front of the platform may answer so. [derived]
    const slowDown: KnownCode = { kind: 'rate-limited', what: 'the platform asked to slow down' };
    return explainKnownCode(slowDown, reply, advice, retryAfterMs);
  }
  return classifyByStatus(reply, advice.platformTitle);
}

/** What {@link replyError} adds to the classification of a reply. */
export interface ReplyErrorFacts {
  readonly platform: string;
  /** The platform's code as text (`20016`, `ret=3 errcode=4`). */
  readonly platformCode: string | undefined;
  /** The platform's words, already cleaned. */
  readonly platformText: string | undefined;
  /** The wait reported when the classification is `RATE_LIMITED`. */
  readonly retryAfterMs?: number | undefined;
}

/**
 * The house-style error ({@link platformError}) of an error reply: its endpoint, status and
 * account, the classification, and the wait when it is `RATE_LIMITED`.
 */
export function replyError(
  reply: Pick<PlatformErrorReply, 'endpoint' | 'status' | 'accountId'>,
  classified: Classified,
  facts: ReplyErrorFacts,
): ReleaseHallError {
  const { retryAfterMs } = facts;
  return platformError({
    ...classified,
    platform: facts.platform,
    endpoint: reply.endpoint,
    status: reply.status,
    accountId: reply.accountId,
    platformCode: facts.platformCode,
    platformText: facts.platformText,
    ...(classified.code === 'RATE_LIMITED' && retryAfterMs !== undefined
      ? { extra: { retryAfterMs } }
      : {}),
  });
}
