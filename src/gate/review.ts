/**
 * The review of a statement sent on few approvals: a crisis statement may go out on one approval
 * when the hall's policy says it is reviewed within some hours (`reviewWithinHours`). The publish
 * journals when that review is due; an approver other than those who approved it, and not its
 * author, signs the same digest afterwards (`publisher.review`, `release-hall review`). Pure: the
 * audit trail comes in, nothing is read or written.
 */
import type { AuditEntry } from '../journal/journal.js';

/** Where the review of a campaign stands. */
export interface ReviewState {
  /** When the review is due. */
  readonly dueAt: string;
  /** The digest the statement was approved over (a review signs the same). */
  readonly digest: string;
  /** Who approved it before it went out. */
  readonly approvedBy: readonly string[];
  /** Who published it (never its reviewer). */
  readonly author?: string;
  /** `due`: not reviewed, still in time; `overdue`: not reviewed, past due; `reviewed`: done. */
  readonly state: 'due' | 'overdue' | 'reviewed';
  readonly reviewedBy?: string;
  readonly reviewedAt?: string;
  /** True when the review came after it was due. */
  readonly late?: boolean;
}

interface GateDetail {
  readonly author?: unknown;
  readonly approvals?: {
    readonly digest?: unknown;
    readonly by?: unknown;
    readonly reviewDueAt?: unknown;
  };
}

/**
 * The review a campaign's gate asked for, from its audit trail, or `undefined` when it asked none.
 */
export function reviewState(audit: readonly AuditEntry[], now: Date): ReviewState | undefined {
  const published = audit.find((entry) => entry.action === 'publish');
  const gate = published?.detail?.gate as GateDetail | undefined;
  const approvals = gate?.approvals;
  if (typeof approvals?.reviewDueAt !== 'string' || typeof approvals.digest !== 'string') {
    return undefined;
  }
  const base = {
    dueAt: approvals.reviewDueAt,
    digest: approvals.digest,
    approvedBy: Array.isArray(approvals.by) ? approvals.by.map(String) : [],
    ...(typeof gate?.author === 'string' ? { author: gate.author } : {}),
  };
  const review = audit.find((entry) => entry.action === 'review');
  if (review !== undefined) {
    return {
      ...base,
      state: 'reviewed',
      reviewedBy: review.actor,
      reviewedAt: review.at,
      late: Date.parse(review.at) > Date.parse(base.dueAt),
    };
  }
  return { ...base, state: now.getTime() > Date.parse(base.dueAt) ? 'overdue' : 'due' };
}

/** The review as one line for a terminal. */
export function formatReview(review: ReviewState): string {
  if (review.state === 'reviewed') {
    return `review: done by ${review.reviewedBy ?? '?'} at ${review.reviewedAt ?? '?'}${review.late === true ? ` (late: due ${review.dueAt})` : ''}`;
  }
  return review.state === 'overdue'
    ? `review: OVERDUE since ${review.dueAt} (approved by ${review.approvedBy.join(', ')}): run "release-hall review" as another approver`
    : `review: due by ${review.dueAt} (approved by ${review.approvedBy.join(', ')})`;
}
