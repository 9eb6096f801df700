import { describe, expect, it } from 'vitest';
import {
  mayPush,
  pushQuotaRule,
  pushesLeft,
  quotaPeriodBounds,
  quotaPeriodKey,
} from '../../adapters/wechat/quota-ledger.js';

describe('period keys in Asia/Shanghai', () => {
  it('2026-11-26T16:30Z is already 11-27 in Shanghai', () => {
    expect(quotaPeriodKey('day', '2026-11-26T16:30:00Z')).toBe('2026-11-27');
    expect(quotaPeriodKey('day', '2026-11-26T15:59:59.999Z')).toBe('2026-11-26');
    expect(quotaPeriodKey('day', new Date('2026-11-26T16:00:00Z'))).toBe('2026-11-27');
  });

  it('the month turns at 16:00Z on the last UTC day', () => {
    expect(quotaPeriodKey('month', '2026-11-30T15:59:59Z')).toBe('2026-11');
    expect(quotaPeriodKey('month', '2026-11-30T16:00:00Z')).toBe('2026-12');
    expect(quotaPeriodKey('month', Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01');
  });

  it('bounds are Shanghai midnights as instants', () => {
    const day = quotaPeriodBounds('day', '2026-11-26T16:30:00Z');
    expect(day.start.toISOString()).toBe('2026-11-26T16:00:00.000Z');
    expect(day.end.toISOString()).toBe('2026-11-27T16:00:00.000Z');
    const month = quotaPeriodBounds('month', '2026-02-10T00:00:00Z');
    expect(month.start.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(month.end.toISOString()).toBe('2026-02-28T16:00:00.000Z');
  });

  it('a bad time is refused', () => {
    expect(() => quotaPeriodKey('day', 'not a time')).toThrow(RangeError);
  });
});

describe('rules', () => {
  it('subscription: one per day; service: four per month; overridable', () => {
    expect(pushQuotaRule('subscription')).toEqual({ period: 'day', pushes: 1 });
    expect(pushQuotaRule('service')).toEqual({ period: 'month', pushes: 4 });
    expect(pushQuotaRule('service', { pushes: 2 })).toEqual({ period: 'month', pushes: 2 });
    expect(pushQuotaRule(undefined)).toEqual({ period: 'day', pushes: 1 });
    expect(() => pushQuotaRule('service', { pushes: -1 })).toThrow(RangeError);
  });
});

describe('pushesLeft', () => {
  it('a subscription push late on 11-26 (Shanghai) does not count on 11-27', () => {
    const pushes = [{ at: '2026-11-26T15:00:00Z' }]; // 23:00 in Shanghai, 11-26
    const before = pushesLeft({ kind: 'subscription', at: '2026-11-26T15:30:00Z', pushes });
    expect(before).toMatchObject({ used: 1, left: 0, periodKey: '2026-11-26' });
    expect(before.resetsAt.toISOString()).toBe('2026-11-26T16:00:00.000Z');
    const after = pushesLeft({ kind: 'subscription', at: '2026-11-26T16:30:00Z', pushes });
    expect(after).toMatchObject({ used: 0, left: 1, periodKey: '2026-11-27' });
  });

  it('a push at 00:10 Shanghai counts on the new day (16:10Z the day before)', () => {
    const pushes = [{ at: '2026-11-26T16:10:00Z' }];
    expect(pushesLeft({ kind: 'subscription', at: '2026-11-27T03:00:00Z', pushes }).left).toBe(0);
  });

  it('service: four per calendar month, refused pushes not counted, tag pushes counted', () => {
    const pushes = [
      { at: '2026-11-01T00:00:00Z' }, // 08:00 11-01 Shanghai
      { at: '2026-11-10T00:00:00Z' },
      { at: '2026-11-20T00:00:00Z', refused: true },
      { at: '2026-10-31T12:00:00Z', toAll: false }, // 20:00 10-31 Shanghai: October
      { at: '2026-10-31T16:30:00Z' }, // 00:30 11-01 Shanghai: November
      { at: '2026-10-31T15:30:00Z' }, // 23:30 10-31 Shanghai: October
    ];
    const status = pushesLeft({ kind: 'service', at: '2026-11-26T02:00:00Z', pushes });
    expect(status).toMatchObject({ used: 3, left: 1, periodKey: '2026-11' });
    expect(status.resetsAt.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    const december = pushesLeft({ kind: 'service', at: '2026-11-30T16:00:00Z', pushes });
    expect(december).toMatchObject({ used: 0, left: 4, periodKey: '2026-12' });
  });

  it("subscription: a push to a tag uses the day's one push (to all or to one tag)", () => {
    const pushes = [{ at: '2026-11-27T01:00:00Z', toAll: false }];
    const status = pushesLeft({ kind: 'subscription', at: '2026-11-27T03:00:00Z', pushes });
    expect(status).toMatchObject({ used: 1, left: 0 });
  });

  it('an override can lower the quota to zero', () => {
    const status = pushesLeft({ kind: 'service', at: 0, pushes: [], override: { pushes: 0 } });
    expect(status.left).toBe(0);
  });
});

describe('mayPush', () => {
  it('a routine push never spends the last push; crisis may', () => {
    const status = pushesLeft({ kind: 'subscription', at: '2026-11-26T02:00:00Z', pushes: [] });
    expect(mayPush(status).allowed).toBe(false);
    expect(mayPush(status).reason).toContain('last push');
    expect(mayPush(status, { spendLast: true }).allowed).toBe(true);
  });

  it('none left: refused with the period and when it comes back', () => {
    const status = pushesLeft({
      kind: 'subscription',
      at: '2026-11-26T02:00:00Z',
      pushes: [{ at: '2026-11-26T01:00:00Z' }],
    });
    const answer = mayPush(status, { spendLast: true });
    expect(answer.allowed).toBe(false);
    expect(answer.reason).toContain('2026-11-26');
    expect(answer.reason).toContain('2026-11-26T16:00:00.000Z');
  });

  it('service with pushes to spare may push a routine statement', () => {
    const status = pushesLeft({ kind: 'service', at: '2026-11-26T02:00:00Z', pushes: [] });
    expect(mayPush(status)).toEqual({ allowed: true, reason: '4 of 4 pushes left this month' });
  });
});
