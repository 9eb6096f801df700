/**
 * `deadline:missed` during a run: once the response deadline of the statement's clock passes (or
 * has passed when the run starts), the publisher names the accounts not live yet, once.
 */
import { describe, expect, it } from 'vitest';
import {
  type Adapter,
  type DeadlineMissedEvent,
  MemoryJournal,
  type StatementInput,
  createPublisher,
} from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

const CRISIS_MINUTES = 300;

/** A memory adapter whose members' posts wait until `release` is called (the lead posts at once). */
function heldAdapter(): { adapter: Adapter; release: () => void } {
  const inner = createMemoryAdapter();
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const adapter: Adapter = {
    ...inner,
    publish: async (rendition, account, context) => {
      if (account.memberId !== 'lead') await held;
      return inner.publish(rendition, account, context);
    },
  };
  return { adapter, release };
}

function crisis(eventAt: Date): StatementInput {
  return { ...rebuttal, urgency: 'crisis', eventAt: eventAt.toISOString() };
}

describe('deadline:missed', () => {
  it('fires once when the deadline passes during the run, naming only the accounts not live', async () => {
    const { adapter, release } = heldAdapter();
    const publisher = createPublisher({
      hall: memoryHall(2),
      adapters: [adapter],
      credentials: testCredentials,
      journal: new MemoryJournal(),
      retry: fastRetry,
    });
    const seen: DeadlineMissedEvent[] = [];
    publisher.on('deadline:missed', (event) => {
      seen.push(event);
      release();
    });
    // The deadline falls 300 ms after the run starts; the members are held until it fires.
    const eventAt = new Date(Date.now() - CRISIS_MINUTES * 60_000 + 300);
    const safety = setTimeout(release, 5_000);
    const report = await publisher.publish(crisis(eventAt), { mode: 'original' });
    clearTimeout(safety);
    expect(report.counts.succeeded).toBe(3);
    expect(seen).toHaveLength(1);
    const [event] = seen;
    expect(event).toMatchObject({
      campaignId: report.campaignId,
      from: 'eventAt',
      deadlineMinutes: CRISIS_MINUTES,
      deadlineAt: new Date(eventAt.getTime() + CRISIS_MINUTES * 60_000).toISOString(),
    });
    expect(event?.accounts.map((account) => account.accountId).sort()).toEqual([
      'm1/memory',
      'm2/memory',
    ]);
  });

  it('fires at the start when the deadline has already passed, and not at all without a clock', async () => {
    const publisher = createPublisher({
      hall: memoryHall(1),
      adapters: [createMemoryAdapter({ latencyMs: 30 })],
      credentials: testCredentials,
      journal: new MemoryJournal(),
      retry: fastRetry,
    });
    const seen: DeadlineMissedEvent[] = [];
    publisher.on('deadline:missed', (event) => seen.push(event));
    const late = await publisher.publish(crisis(new Date(Date.now() - 10 * 3_600_000)), {
      mode: 'original',
    });
    expect(late.counts.succeeded).toBe(2);
    expect(seen.map((event) => event.accounts.length)).toEqual([2]);

    await publisher.publish({ ...rebuttal, id: 'no-clock' }, { mode: 'original' });
    const soon = new Date(Date.now() - 60_000);
    await publisher.publish({ ...crisis(soon), id: 'well-within' }, { mode: 'original' });
    expect(seen).toHaveLength(1);
  });

  it('a listener that throws does not stop the run', async () => {
    const errors: string[] = [];
    const publisher = createPublisher({
      hall: memoryHall(1),
      adapters: [createMemoryAdapter({ latencyMs: 20 })],
      credentials: testCredentials,
      journal: new MemoryJournal(),
      retry: fastRetry,
      log: (level, message) => {
        if (level === 'error') errors.push(message);
      },
    });
    publisher.on('deadline:missed', () => {
      throw new Error('listener failed');
    });
    const report = await publisher.publish(crisis(new Date(Date.now() - 10 * 3_600_000)), {
      mode: 'original',
    });
    expect(report.counts.succeeded).toBe(2);
    expect(errors.join('\n')).toMatch(/a listener of deadline:missed threw: listener failed/);
  });
});
