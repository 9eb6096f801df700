/** Response clocks on a fixed clock: on time, late, missing and still due, per account. */
import { describe, expect, it } from 'vitest';
import { type ClockedDelivery, formatClocks, hallSchema, responseClocks } from 'release-hall';

const deadlines = hallSchema.shape.deadlines.parse(undefined);
const delivery = (
  accountId: string,
  status: ClockedDelivery['status'],
  finishedAt?: string,
): ClockedDelivery => ({
  accountId,
  memberId: accountId.split('/')[0]!,
  platform: accountId.split('/')[1]!,
  status,
  finishedAt,
});

describe('responseClocks', () => {
  it('has the documented defaults: 5 h for a crisis, 24 h urgent, 48 h routine', () => {
    expect(deadlines).toEqual({ routine: 2_880, urgent: 1_440, crisis: 300 });
  });

  it('starts at the earlier of eventAt and detectedAt; an account counts by its first live post', () => {
    const clocks = responseClocks({
      statement: {
        urgency: 'crisis',
        eventAt: '2026-11-26T07:00:00+08:00',
        detectedAt: '2026-11-26T08:00:00+08:00',
      },
      deadlines,
      deliveries: [
        delivery('a/weibo', 'succeeded', '2026-11-25T23:30:00.000Z'),
        delivery('b/weibo', 'succeeded', '2026-11-26T04:01:00.000Z'),
        delivery('c/weibo', 'failed', '2026-11-25T23:40:00.000Z'),
        delivery('d/wechat', 'pending'),
        delivery('d/wechat', 'succeeded', '2026-11-26T00:10:00.000Z'),
      ],
      now: new Date('2026-11-26T05:00:00Z'),
    });
    expect(clocks).toMatchObject({
      from: 'eventAt',
      startedAt: '2026-11-25T23:00:00.000Z',
      deadlineAt: '2026-11-26T04:00:00.000Z',
      overdue: 2,
    });
    expect(clocks!.accounts).toEqual([
      {
        accountId: 'a/weibo',
        memberId: 'a',
        platform: 'weibo',
        state: 'on-time',
        liveAt: '2026-11-25T23:30:00.000Z',
        minutes: 30,
      },
      {
        accountId: 'b/weibo',
        memberId: 'b',
        platform: 'weibo',
        state: 'late',
        liveAt: '2026-11-26T04:01:00.000Z',
        minutes: 301,
      },
      { accountId: 'c/weibo', memberId: 'c', platform: 'weibo', state: 'missing' },
      {
        accountId: 'd/wechat',
        memberId: 'd',
        platform: 'wechat',
        state: 'on-time',
        liveAt: '2026-11-26T00:10:00.000Z',
        minutes: 70,
      },
    ]);
    expect(formatClocks(clocks!, true).split('\n')).toEqual([
      'response clock from eventAt 2026-11-25T23:00:00.000Z: deadline 5 h, at 2026-11-26T04:00:00.000Z; 2 accounts late or missing',
      '  late     b/weibo                    live after 301 min',
      '  missing  c/weibo                    not live',
    ]);
  });

  it('an account not live before the deadline is due, not missing; no time given, no clock', () => {
    const clocks = responseClocks({
      statement: { urgency: 'urgent', detectedAt: '2026-11-26T08:00:00+08:00' },
      deadlines,
      deliveries: [delivery('a/weibo', 'pending')],
      now: new Date('2026-11-26T10:00:00Z'),
    });
    expect(clocks).toMatchObject({ from: 'detectedAt', overdue: 0 });
    expect(clocks!.accounts[0]!.state).toBe('due');
    expect(
      responseClocks({
        statement: { urgency: 'routine' },
        deadlines,
        deliveries: [],
        now: new Date(),
      }),
    ).toBeUndefined();
  });
});
