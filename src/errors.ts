/**
 * The one error class of release-hall, with a closed set of codes.
 *
 * Adapters only classify what a platform said; the core alone decides whether to retry.
 * No field of an error ever holds a secret: messages are written from facts the library
 * chose to include, and every message passes through the active redactor before it leaves.
 */

/** Every code a {@link ReleaseHallError} can carry. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'AUTH_EXPIRED',
  'AUTH_INVALID',
  'RATE_LIMITED',
  'QUOTA_EXHAUSTED',
  'CONTENT_REJECTED',
  'DUPLICATE_CONTENT',
  'PERMISSION_DENIED',
  'TRANSIENT',
  'AMBIGUOUS',
  'ABORTED',
  'LEASE_LOST',
] as const;

/**
 * A code from {@link ERROR_CODES}. `LEASE_LOST` is the journal's: another run (a resume) has
 * claimed the delivery since this run took it, so this run stops touching it.
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What each code means and what to do about it; used by the README table and the CLI. */
export const ERROR_GUIDE: Readonly<Record<ErrorCode, { retryable: boolean; action: string }>> = {
  INVALID_INPUT: { retryable: false, action: 'fix the named field and run again' },
  AUTH_EXPIRED: {
    retryable: false,
    action:
      'the token expired: re-authorise the account (refreshed once automatically where the platform allows)',
  },
  AUTH_INVALID: {
    retryable: false,
    action: 'the credentials are wrong or revoked: re-authorise the account',
  },
  RATE_LIMITED: {
    retryable: true,
    action: 'waited for the window automatically; lower the rate if it persists',
  },
  QUOTA_EXHAUSTED: {
    retryable: false,
    action: 'no quota left for this period: wait for the next one',
  },
  CONTENT_REJECTED: {
    retryable: false,
    action: 'the platform refused the text: change it and run again',
  },
  DUPLICATE_CONTENT: {
    retryable: false,
    action: 'the platform already holds this text; checked against the account before reporting',
  },
  PERMISSION_DENIED: {
    retryable: false,
    action: 'the app or account lacks the permission for this call',
  },
  TRANSIENT: {
    retryable: true,
    action: 'retried with backoff; if it persists the platform is down',
  },
  AMBIGUOUS: {
    retryable: true,
    action: 'the request may have landed: the account was checked before any re-send',
  },
  ABORTED: { retryable: false, action: 'the run was stopped by its AbortSignal' },
  LEASE_LOST: {
    retryable: false,
    action: 'another run (a resume) took this delivery over: see that run for its result',
  },
};

const MARKER = Symbol.for('release-hall.error');

/** Options of {@link ReleaseHallError}. */
export interface ReleaseHallErrorOptions {
  /** The closed code. */
  readonly code: ErrorCode;
  /** Platform name, when the error came from one. */
  readonly platform?: string | undefined;
  /** The platform's own error code, as text. */
  readonly platformCode?: string | undefined;
  /** The account (`member/platform`) the call was for. */
  readonly accountId?: string | undefined;
  /** Overrides the default of the code. */
  readonly retryable?: boolean | undefined;
  /** How long to wait before the next call, when the platform said so or the window is known. */
  readonly retryAfterMs?: number | undefined;
  /** Where in the input the problem is (for `INVALID_INPUT`). */
  readonly issues?: readonly InputIssue[] | undefined;
  /** The endpoint, never with its query string. */
  readonly endpoint?: string | undefined;
  /** The underlying error; it is itself redacted before it is attached. */
  readonly cause?: unknown;
}

/** One problem in user input: where it is and how to fix it. */
export interface InputIssue {
  /** Dotted path with indexes, e.g. `members[12].accounts.weibo.uid`. */
  readonly path: string;
  /** What was expected and what came, in plain words. */
  readonly message: string;
}

/**
 * The error class of release-hall. Use {@link ReleaseHallError.isInstance} rather than
 * `instanceof` when two copies of the package may be loaded.
 */
export class ReleaseHallError extends Error {
  override readonly name = 'ReleaseHallError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly platform: string | undefined;
  readonly platformCode: string | undefined;
  readonly accountId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly issues: readonly InputIssue[];
  readonly endpoint: string | undefined;
  readonly [MARKER] = true;

  constructor(message: string, options: ReleaseHallErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? ERROR_GUIDE[options.code].retryable;
    this.platform = options.platform;
    this.platformCode = options.platformCode;
    this.accountId = options.accountId;
    this.retryAfterMs = options.retryAfterMs;
    this.issues = options.issues ?? [];
    this.endpoint = options.endpoint;
  }

  /** True for any release-hall error, also one made by another copy of the package. */
  static isInstance(value: unknown): value is ReleaseHallError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }

  /** A plain object for reports and JSON output. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      platform: this.platform,
      platformCode: this.platformCode,
      accountId: this.accountId,
      endpoint: this.endpoint,
      issues: this.issues.length > 0 ? this.issues : undefined,
    };
  }
}

/** Builds the standard message prefix: `[release-hall] [weibo] statuses/share failed (21332 …)`. */
export function platformMessage(
  platform: string,
  endpoint: string,
  platformCode: string | undefined,
  platformText: string | undefined,
  explanation: string,
): string {
  const detail =
    platformCode === undefined ? '' : ` (${platformCode}${platformText ? ` ${platformText}` : ''})`;
  return `[release-hall] [${platform}] ${endpoint} failed${detail}: ${explanation}`;
}

/** An `INVALID_INPUT` error listing every issue, one per line. */
export function invalidInput(subject: string, issues: readonly InputIssue[]): ReleaseHallError {
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
  return new ReleaseHallError(`[release-hall] invalid ${subject}:\n${lines.join('\n')}`, {
    code: 'INVALID_INPUT',
    issues,
  });
}

/** Turns an unknown thrown value into a {@link ReleaseHallError} of code `fallback`. */
export function toReleaseHallError(
  error: unknown,
  fallback: ErrorCode,
  context: { platform?: string; accountId?: string } = {},
): ReleaseHallError {
  if (ReleaseHallError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ReleaseHallError(`[release-hall] ${message}`, {
    code: fallback,
    platform: context.platform,
    accountId: context.accountId,
  });
}
