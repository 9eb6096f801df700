import { describe, expect, it } from 'vitest';
import type { RateLimits } from 'release-hall';
import { Admission, Ticket } from '../../src/run/admission.js';
import { schedulerFor } from '../../src/run/scheduler.js';

const limits = (postsPerWindow: number, windowMs: number): Map<string, RateLimits> =>
  new Map([
    ['memory', { platformConcurrency: 2, postsPerWindow, windowMs, requestTimeoutMs: 1_000 }],
  ]);

describe('the scheduler', () => {
  it('holds a post until the oldest answered post of the window has aged a full window', async () => {
    const scheduler = schedulerFor(limits(2, 120));
    const signal = new AbortController().signal;
    const first = await scheduler.takePostSlot('a', 'memory', signal);
    first.settle(true);
    const second = await scheduler.takePostSlot('a', 'memory', signal);
    second.settle(true);
    const answered = Date.now();
    const third = await scheduler.takePostSlot('a', 'memory', signal);
    expect(Date.now() - answered).toBeGreaterThanOrEqual(110);
    third.settle(true);
    // Another account has its own window.
    const other = Date.now();
    (await scheduler.takePostSlot('b', 'memory', signal)).settle(true);
    expect(Date.now() - other).toBeLessThan(50);
  });

  it('frees the place of a post that certainly did not land', async () => {
    const scheduler = schedulerFor(limits(1, 10_000));
    const signal = new AbortController().signal;
    (await scheduler.takePostSlot('a', 'memory', signal)).settle(false);
    const started = Date.now();
    (await scheduler.takePostSlot('a', 'memory', signal)).settle(true);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('is shared by every user of one limits table, and stops waiting on abort', async () => {
    const table = limits(1, 10_000);
    expect(schedulerFor(table)).toBe(schedulerFor(table));
    expect(schedulerFor(limits(1, 10_000))).not.toBe(schedulerFor(table));
    const controller = new AbortController();
    (await schedulerFor(table).takePostSlot('a', 'memory', controller.signal)).settle(true);
    const waiting = schedulerFor(table).takePostSlot('a', 'memory', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow();
  });

  it('runs one task at a time per account and caps the platform', async () => {
    const scheduler = schedulerFor(limits(100, 1_000));
    const order: string[] = [];
    const idle = <T>(wait: () => Promise<T>): Promise<T> => wait();
    const task = (name: string) => async (): Promise<void> => {
      order.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(`${name} end`);
    };
    await Promise.all([
      scheduler.inLane('a', idle, task('a1')),
      scheduler.inLane('a', idle, task('a2')),
    ]);
    expect(order).toEqual(['a1 start', 'a1 end', 'a2 start', 'a2 end']);
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        scheduler.onPlatform('memory', async () => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight -= 1;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(scheduler.trackedAccounts).toBe(0);
  });
});

describe('admission', () => {
  it('lends a waiting delivery the ticket during a wait, then takes it back before newcomers', async () => {
    const admission = new Admission(1);
    const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
    const first = new Ticket(admission);
    await first.take();
    const second = new Ticket(admission);
    let secondHolds = false;
    void second.take().then(() => {
      secondHolds = true;
    });
    let endWait!: () => void;
    let firstBack = false;
    void first
      .idle(() => new Promise<void>((resolve) => (endWait = resolve)))
      .then(() => {
        firstBack = true;
      });
    await settled();
    expect(secondHolds).toBe(true);
    const third = new Ticket(admission);
    let thirdHolds = false;
    void third.take().then(() => {
      thirdHolds = true;
    });
    endWait();
    await settled();
    second.release();
    await settled();
    expect(firstBack).toBe(true);
    expect(thirdHolds).toBe(false);
    first.release();
    await settled();
    expect(thirdHolds).toBe(true);
  });
});
