/**
 * The checks every `readInbox` makes of its request before anything is read: the post id has the
 * platform's form, `maxItems` is a whole number of at least 1, and each cursor entry is one the
 * adapter gave. Each problem is reported with its path.
 */
import type { InboxItem, InboxRequest } from '../adapter.js';
import { type InputIssue, ReleaseHallError, invalidInput } from '../errors.js';

/** What a platform accepts, for {@link checkInboxRequest}. */
export interface InboxRequestRules {
  /** Names the request in the error, e.g. `Weibo inbox request`. */
  readonly what: string;
  /** The problem with a post id, or `undefined` when it has the platform's form. */
  readonly postId: (id: string) => string | undefined;
  /** The problem with one cursor entry, or `undefined` when it is one the adapter gives. */
  readonly cursorEntry: (key: string, value: string) => string | undefined;
}

/**
 * Checks an inbox request against the platform's rules.
 * @throws ReleaseHallError `INVALID_INPUT` listing every problem with its path.
 */
export function checkInboxRequest(request: InboxRequest, rules: InboxRequestRules): void {
  const issues: InputIssue[] = [];
  const postProblem = request.postId === undefined ? undefined : rules.postId(request.postId);
  if (postProblem !== undefined) issues.push({ path: 'postId', message: postProblem });
  const max = request.maxItems;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    issues.push({ path: 'maxItems', message: `expected a whole number of at least 1, got ${max}` });
  }
  for (const [key, value] of Object.entries(request.since ?? {})) {
    const problem = rules.cursorEntry(key, value);
    if (problem !== undefined) issues.push({ path: `since.${key}`, message: problem });
  }
  if (issues.length > 0) throw invalidInput(rules.what, issues);
}

/**
 * The error of a reply look-up that read as far back as it may without reaching the time of the
 * item answered: the reply may be further back, so "not found" cannot be said, and the reply must
 * not be sent again. `AMBIGUOUS`: the reply stays `unknown` for a person to check.
 */
export function inconclusiveReplyLookUp(
  platform: string,
  accountId: string,
  read: string,
): ReleaseHallError {
  return new ReleaseHallError(
    `[release-hall] ${platform} ${accountId}: the look-up read ${read} without reaching the time of the item answered, so whether the reply was posted cannot be told; nothing is sent again: check on the platform, and if it is not there send it with resendUnconfirmed (--resend-unconfirmed)`,
    { code: 'AMBIGUOUS', platform, accountId },
  );
}

/**
 * The order of `InboxRead.items`: oldest first by `at`, then by the platform id (compared as
 * integers: ids beyond 2^53 stay exact). For platforms whose ids are digits.
 */
export function oldestInboxItemFirst(left: InboxItem, right: InboxItem): number {
  if (left.at !== right.at) return left.at < right.at ? -1 : 1;
  const a = BigInt(left.remoteId);
  const b = BigInt(right.remoteId);
  return a === b ? 0 : a < b ? -1 : 1;
}
