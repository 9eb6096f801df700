import { describe, expect, it } from 'vitest';
import { createPublisher, MemoryJournal, ReleaseHallError } from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { isLeaseLost, StaleLeaseError } from '../../src/journal/journal.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

/** A journal in which another process claims every delivery right after this run does. */
class TakenOverJournal extends MemoryJournal {
  override async claim(deliveryIds: readonly string[], _lease: string): Promise<void> {
    await super.claim(deliveryIds, 'another-process');
  }
}

describe('a lost lease', () => {
  it('is a ReleaseHallError of code LEASE_LOST', async () => {
    const journal = new MemoryJournal();
    await journal.createCampaign(
      {
        id: 'c',
        hallId: 'h',
        mode: 'original',
        relayFallback: 'original',
        createdAt: new Date(0).toISOString(),
        state: 'running',
        statement: {},
      },
      [
        {
          id: 'd',
          campaignId: 'c',
          accountId: 'a',
          memberId: 'm',
          platform: 'memory',
          action: 'post',
          rendition: { format: 'text', text: 'x', length: 1, topics: [], summarised: false },
          idempotencyKey: 'k',
        },
      ],
    );
    await journal.claim(['d'], 'new');
    const error: unknown = await journal
      .transition({ deliveryId: 'd', state: 'sending', at: new Date().toISOString(), lease: 'old' })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(StaleLeaseError);
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    expect(isLeaseLost(error)).toBe(true);
    expect(error).toMatchObject({ code: 'LEASE_LOST', retryable: false });
    expect(isLeaseLost(new ReleaseHallError('[release-hall] other', { code: 'TRANSIENT' }))).toBe(
      false,
    );
  });

  it('stops the run touching the delivery: nothing is sent and nothing journaled', async () => {
    const adapter = createMemoryAdapter();
    const journal = new TakenOverJournal();
    const publisher = createPublisher({
      hall: memoryHall(2),
      adapters: [adapter],
      credentials: testCredentials,
      retry: fastRetry,
      journal,
    });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    expect(adapter.posts).toHaveLength(0);
    expect(report.deliveries.length).toBeGreaterThan(0);
    for (const delivery of report.deliveries) {
      expect(delivery).toMatchObject({ status: 'skipped', errorCode: 'LEASE_LOST' });
      expect(delivery.errorMessage).toMatch(/is now run by another process/);
    }
    const records = await journal.getDeliveries(report.campaignId);
    expect(records.every((record) => record.state === 'planned')).toBe(true);
  });
});
