/**
 * The findings every readiness check words the same way: a token the platform refused, a token
 * about to expire, the age of the last post against the hall's `dormantDays`, and an aspect that
 * could not be checked. Part of the adapter kit (`release-hall/adapter-kit`).
 */
import type { CheckContext, ReadinessAspect, ReadinessFinding } from '../adapter.js';
import { ReleaseHallError } from '../errors.js';

const DAY_MS = 86_400_000;

/**
 * A token with less than this left is a warning: a week is time to re-authorise it on a quiet
 * day [derived].
 */
export const TOKEN_WARNING_SECONDS = 7 * 86_400;

/** Whole days, rounded down, for a table cell. */
export function days(ms: number): number {
  return Math.max(0, Math.floor(ms / DAY_MS));
}

/** The finding of a token the platform refused, or `undefined` when the error is of another kind. */
export function refusedTokenFinding(error: unknown, fix: string): ReadinessFinding | undefined {
  if (!ReleaseHallError.isInstance(error)) return undefined;
  if (error.code !== 'AUTH_EXPIRED' && error.code !== 'AUTH_INVALID') return undefined;
  return {
    aspect: 'token',
    status: 'problem',
    summary: error.code === 'AUTH_EXPIRED' ? 'expired' : 'refused',
    message: error.message,
    fix,
  };
}

/** The finding of a token that has `seconds` left. */
export function expiryFinding(seconds: number, fix: string): ReadinessFinding {
  const left = `${days(seconds * 1000)} d`;
  if (seconds <= 0) {
    return {
      aspect: 'token',
      status: 'problem',
      summary: 'expired',
      message: 'the token has expired',
      fix,
    };
  }
  if (seconds < TOKEN_WARNING_SECONDS) {
    return {
      aspect: 'token',
      status: 'warning',
      summary: `expires in ${left}`,
      message: `the token expires in ${Math.ceil(seconds / 3600)} hours`,
      fix,
    };
  }
  return {
    aspect: 'token',
    status: 'ok',
    summary: `valid, ${left} left`,
    message: `the token is valid for ${left} more`,
  };
}

/** How a platform names what an account last did: Weibo "posted", WeChat "published an article". */
export interface LastPostWords {
  /** Past tense, e.g. `posted`. */
  readonly did: string;
  /** The verb of the fix, e.g. `post`. */
  readonly verb: string;
}

/**
 * The finding of the last post: a problem when it is `dormantDays` or more old, a warning when
 * none could be found (`noneFound` says why that may be).
 */
export function lastPostFinding(
  lastPostAt: Date | undefined,
  context: Pick<CheckContext, 'now' | 'dormantDays'>,
  noneFound: { readonly message: string; readonly fix: string },
  words: LastPostWords = { did: 'posted', verb: 'post' },
): ReadinessFinding {
  if (lastPostAt === undefined) {
    return { aspect: 'last-post', status: 'warning', summary: 'none found', ...noneFound };
  }
  const age = days(context.now.getTime() - lastPostAt.getTime());
  if (age >= context.dormantDays) {
    return {
      aspect: 'last-post',
      status: 'problem',
      summary: `${age} d ago`,
      message: `the account last ${words.did} ${age} days ago (${lastPostAt.toISOString()}): dormant by the hall's limit of ${context.dormantDays} days`,
      fix: `${words.verb} on the account, or ask its unit whether it is still run; a statement on a forgotten account reaches few and may look like an impostor`,
    };
  }
  return {
    aspect: 'last-post',
    status: 'ok',
    summary: `${age} d ago`,
    message: `the account last ${words.did} ${age} days ago`,
  };
}

/** An aspect that was not checked because an earlier one failed. */
export function notChecked(aspect: ReadinessAspect, because: string): ReadinessFinding {
  return {
    aspect,
    status: 'warning',
    summary: 'not checked',
    message: `not checked: ${because}`,
    fix: 'fix the findings above and run the check again',
  };
}
