/**
 * Finishing what failed: `resume` with `retryFailed` reopens deliveries that failed for a passing
 * reason, looks each up on the platform, and sends only what is not there. The final message of a
 * delivery that gave up never says it "will retry".
 */
import { describe, expect, it } from 'vitest';
import { type DeliveryResult, createPublisher } from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { finalWording } from '../../src/run/conclude.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

function setUp() {
  const adapter = createMemoryAdapter();
  const publisher = createPublisher({
    hall: memoryHall(1),
    adapters: [adapter],
    credentials: testCredentials,
    retry: { ...fastRetry, retries: 2 },
  });
  return { adapter, publisher };
}

const of = (deliveries: readonly DeliveryResult[], accountId: string): DeliveryResult => {
  const found = deliveries.find((delivery) => delivery.accountId === accountId);
  if (found === undefined) throw new Error(`no delivery for ${accountId}`);
  return found;
};

describe('resume with retryFailed', () => {
  it('a burst of transient failures that outlasted the retries is finished by a later resume', async () => {
    const { adapter, publisher } = setUp();
    for (let i = 0; i < 3; i++) adapter.inject('transient', { accountId: 'm1/memory' });
    const first = await publisher.publish(rebuttal, { mode: 'original' });
    const failed = of(first.deliveries, 'm1/memory');
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'TRANSIENT', attempts: 3 });
    expect(failed.errorMessage).not.toMatch(/will retry/);
    expect(failed.errorMessage).toContain('gave up after 3 attempts: resume with retryFailed');

    // A plain resume leaves a failed delivery alone.
    const plain = await publisher.resume(first.campaignId);
    expect(of(plain.deliveries, 'm1/memory').status).toBe('failed');
    expect(adapter.postsOf('m1/memory')).toHaveLength(0);

    const again = await publisher.resume(first.campaignId, { retryFailed: true });
    expect(again.counts).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
    const status = await publisher.status(first.campaignId);
    expect(status.audit.map((entry) => entry.action)).toContain('retry-failed');
  });

  it('a failure whose post did land is found by the look-up, not sent twice', async () => {
    const { adapter, publisher } = setUp();
    const first = await publisher.publish(rebuttal, { mode: 'original' });
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
    // As a run leaves it when its answer was lost and it gave up: failed, in doubt.
    const delivery = of(first.deliveries, 'm1/memory');
    await publisher.journal.transition({
      deliveryId: delivery.deliveryId,
      state: 'failed',
      at: new Date().toISOString(),
      errorCode: 'AMBIGUOUS',
      errorMessage: 'no answer',
    });
    const again = await publisher.resume(first.campaignId, { retryFailed: true });
    expect(of(again.deliveries, 'm1/memory')).toMatchObject({
      status: 'succeeded',
      via: 'reconciled',
    });
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
  });

  it('does not reopen a failure that will not pass', async () => {
    const { adapter, publisher } = setUp();
    adapter.inject('content-rejected', { accountId: 'm1/memory' });
    const first = await publisher.publish(rebuttal, { mode: 'original' });
    expect(of(first.deliveries, 'm1/memory')).toMatchObject({
      status: 'failed',
      errorCode: 'CONTENT_REJECTED',
    });
    const again = await publisher.resume(first.campaignId, { retryFailed: true });
    expect(of(again.deliveries, 'm1/memory').status).toBe('failed');
    expect(adapter.postsOf('m1/memory')).toHaveLength(0);
  });
});

describe('the final wording of a failure', () => {
  it.each([
    [
      'post failed (503): service unavailable; will retry',
      true,
      3,
      'post failed (503): service unavailable; gave up after 3 attempts: resume with retryFailed (CLI: resume --retry-failed) looks it up and tries again',
    ],
    [
      'system busy (-1); will retry with backoff',
      true,
      1,
      'system busy (-1); gave up after 1 attempt: resume with retryFailed (CLI: resume --retry-failed) looks it up and tries again',
    ],
    ['refused for its content', false, 1, 'refused for its content'],
    ['bad gateway; will be retried.', false, 2, 'bad gateway'],
  ])('%s', (message, retryable, attempts, expected) => {
    expect(finalWording(message, retryable, attempts)).toBe(expected);
  });
});
