/** Where the review of a campaign sent on few approvals stands, read from its audit trail. */
import { describe, expect, it } from 'vitest';
import { type AuditEntry, formatReview, reviewState } from 'release-hall';

const published: AuditEntry = {
  at: '2026-11-26T01:00:00.000Z',
  actor: 'duty-desk',
  action: 'publish',
  campaignId: 'c1',
  detail: {
    gate: {
      author: 'zhang-san',
      lint: { errors: 0 },
      approvals: {
        digest: 'a'.repeat(64),
        by: ['wang-wu'],
        reviewDueAt: '2026-11-27T01:00:00.000Z',
      },
    },
  },
};
const reviewed = (at: string): AuditEntry => ({
  at,
  actor: 'li-si',
  action: 'review',
  campaignId: 'c1',
  detail: { approver: 'li-si' },
});

describe('reviewState', () => {
  it('is due before its time, overdue after, reviewed (late or not) once a review is journaled', () => {
    expect(reviewState([published], new Date('2026-11-26T12:00:00Z'))).toMatchObject({
      state: 'due',
      approvedBy: ['wang-wu'],
      author: 'zhang-san',
    });
    const overdue = reviewState([published], new Date('2026-11-27T02:00:00Z'));
    expect(overdue?.state).toBe('overdue');
    expect(formatReview(overdue!)).toMatch(/OVERDUE since 2026-11-27T01:00:00.000Z/);
    expect(
      reviewState(
        [published, reviewed('2026-11-26T20:00:00.000Z')],
        new Date('2026-11-28T00:00:00Z'),
      ),
    ).toMatchObject({ state: 'reviewed', reviewedBy: 'li-si', late: false });
    const late = reviewState([published, reviewed('2026-11-27T03:00:00.000Z')], new Date());
    expect(late).toMatchObject({ state: 'reviewed', late: true });
    expect(formatReview(late!)).toMatch(/late: due 2026-11-27T01:00:00.000Z/);
  });

  it('is absent when the gate asked no review, or there was no gate', () => {
    const plain: AuditEntry = { ...published, detail: { gate: { lint: { errors: 0 } } } };
    expect(reviewState([plain], new Date())).toBeUndefined();
    expect(reviewState([{ ...published, detail: {} }], new Date())).toBeUndefined();
    expect(reviewState([], new Date())).toBeUndefined();
  });
});
