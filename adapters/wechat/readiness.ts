/**
 * The findings of the WeChat readiness check that read like the other platforms' (so the table of
 * `release-hall check` says the same things the same way): the age of the last post against the
 * hall's `dormantDays`, and an aspect left unchecked because an earlier one failed.
 */
import type { CheckContext, ReadinessAspect, ReadinessFinding } from '#core';

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to`, rounded down, never below 0. */
export function wholeDays(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}

/**
 * The last-post finding: a problem at `dormantDays` or more, `ok` below; a warning when no post
 * could be dated (`noneFound` says why that may be and what to do).
 */
export function lastPostFinding(
  lastPostAt: Date | undefined,
  context: Pick<CheckContext, 'now' | 'dormantDays'>,
  noneFound: { readonly message: string; readonly fix: string },
): ReadinessFinding {
  if (lastPostAt === undefined) {
    return { aspect: 'last-post', status: 'warning', summary: 'none found', ...noneFound };
  }
  const age = wholeDays(lastPostAt, context.now);
  if (age < context.dormantDays) {
    return {
      aspect: 'last-post',
      status: 'ok',
      summary: `${age} d ago`,
      message: `the account last published an article ${age} days ago`,
    };
  }
  return {
    aspect: 'last-post',
    status: 'problem',
    summary: `${age} d ago`,
    message: `the account last published an article ${age} days ago (${lastPostAt.toISOString()}): dormant by the hall's limit of ${context.dormantDays} days`,
    fix: 'publish on the account, or ask its unit whether it is still run; a statement on a forgotten account reaches few and may look like an impostor',
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
