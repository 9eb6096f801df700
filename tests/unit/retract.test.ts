import { describe, expect, it } from 'vitest';
import { type Adapter, ReleaseHallError, createPublisher } from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

type Retract = Adapter['retract'];

/** Failures the next deletes of an account throw, in order. */
type Script = Map<string, ('TRANSIENT' | 'RATE_LIMITED' | 'PERMISSION_DENIED')[]>;

/**
 * The memory adapter with scripted delete failures, counting every platform call in flight, per
 * account and over the platform.
 */
function instrumented(options: { latencyMs?: number; platformConcurrency?: number } = {}) {
  const memory = createMemoryAdapter({
    latencyMs: options.latencyMs ?? 0,
    limits: {
      rate: {
        platformConcurrency: options.platformConcurrency ?? 16,
        postsPerWindow: 1000,
        windowMs: 60_000,
        requestTimeoutMs: 5_000,
      },
    },
  });
  const script: Script = new Map();
  const deletes = new Map<string, number>();
  const inFlight = new Map<string, number>();
  let platformInFlight = 0;
  const stats = { maxPlatform: 0, maxPerAccount: 0 };
  const tracked =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>, accountAt: (...args: A) => string) =>
    async (...args: A): Promise<R> => {
      const accountId = accountAt(...args);
      const here = (inFlight.get(accountId) ?? 0) + 1;
      inFlight.set(accountId, here);
      platformInFlight += 1;
      stats.maxPerAccount = Math.max(stats.maxPerAccount, here);
      stats.maxPlatform = Math.max(stats.maxPlatform, platformInFlight);
      try {
        return await call(...args);
      } finally {
        inFlight.set(accountId, (inFlight.get(accountId) ?? 1) - 1);
        platformInFlight -= 1;
      }
    };
  const retract: Retract = async (ref, account, context) => {
    deletes.set(account.id, (deletes.get(account.id) ?? 0) + 1);
    const code = script.get(account.id)?.shift();
    if (code !== undefined) {
      throw new ReleaseHallError(`[release-hall] [memory] delete failed (${code})`, {
        code,
        platform: 'memory',
        accountId: account.id,
        ...(code === 'RATE_LIMITED' ? { retryAfterMs: 5 } : {}),
      });
    }
    return memory.retract(ref, account, context);
  };
  const adapter: Adapter = {
    specificationVersion: memory.specificationVersion,
    platform: memory.platform,
    limits: memory.limits,
    credentialFields: memory.credentialFields,
    publish: tracked(memory.publish.bind(memory), (_rendition, account) => account.id),
    relay: tracked(memory.relay.bind(memory), (_source, _rendition, account) => account.id),
    findExisting: tracked(memory.findExisting.bind(memory), (_delivery, account) => account.id),
    retract: tracked(retract, (_ref, account) => account.id),
  };
  return { memory, adapter, script, deletes, stats };
}

describe('retract', () => {
  it('retries a transient failure of a delete with the publisher retry policy', async () => {
    const { memory, adapter, script, deletes } = instrumented();
    const publisher = createPublisher({
      hall: memoryHall(2),
      adapters: [adapter],
      credentials: testCredentials,
      retry: fastRetry,
    });
    await publisher.publish(rebuttal, { mode: 'original', campaignId: 'to-retract' });
    script.set('m1/memory', ['TRANSIENT', 'TRANSIENT']);
    const report = await publisher.retract('to-retract');
    expect(report.counts).toEqual({ removed: 3, alreadyGone: 0, failed: 0, nothingPosted: 0 });
    expect(deletes.get('m1/memory')).toBe(3);
    expect(deletes.get('m2/memory')).toBe(1);
    expect(memory.posts.filter((post) => !post.deleted)).toHaveLength(0);
  });

  it('gives up after the configured retries and reports the last failure', async () => {
    const { adapter, script, deletes } = instrumented();
    const publisher = createPublisher({
      hall: memoryHall(1),
      adapters: [adapter],
      credentials: testCredentials,
      retry: { ...fastRetry, retries: 2 },
    });
    await publisher.publish(rebuttal, { mode: 'original', campaignId: 'flaky' });
    script.set('m1/memory', ['TRANSIENT', 'TRANSIENT', 'TRANSIENT', 'TRANSIENT']);
    const report = await publisher.retract('flaky');
    expect(deletes.get('m1/memory')).toBe(3);
    const line = report.results.find((entry) => entry.accountId === 'm1/memory');
    expect(line).toMatchObject({ status: 'failed', errorCode: 'TRANSIENT' });
    // Failed deletes are not final: a second retract tries again and removes the post.
    const again = await publisher.retract('flaky');
    expect(again.results.find((entry) => entry.accountId === 'm1/memory')?.status).toBe('removed');
  });

  it('waits out a rate limit without spending a retry, and fails a refusal at once', async () => {
    const { adapter, script, deletes } = instrumented();
    const publisher = createPublisher({
      hall: memoryHall(2),
      adapters: [adapter],
      credentials: testCredentials,
      retry: { ...fastRetry, retries: 0 },
    });
    await publisher.publish(rebuttal, { mode: 'original', campaignId: 'limited' });
    script.set('m1/memory', ['RATE_LIMITED', 'RATE_LIMITED']);
    script.set('m2/memory', ['PERMISSION_DENIED']);
    const report = await publisher.retract('limited');
    expect(report.results.find((entry) => entry.accountId === 'm1/memory')?.status).toBe('removed');
    expect(deletes.get('m1/memory')).toBe(3);
    expect(report.results.find((entry) => entry.accountId === 'm2/memory')).toMatchObject({
      status: 'failed',
      errorCode: 'PERMISSION_DENIED',
    });
    expect(deletes.get('m2/memory')).toBe(1);
  });

  it("shares the per-account lanes and the platform's cap with campaigns being published", async () => {
    const { adapter, stats } = instrumented({ latencyMs: 10, platformConcurrency: 2 });
    const publisher = createPublisher({
      hall: memoryHall(5),
      adapters: [adapter],
      credentials: testCredentials,
      retry: fastRetry,
    });
    await publisher.publish(rebuttal, { mode: 'original', campaignId: 'first' });
    stats.maxPerAccount = 0;
    stats.maxPlatform = 0;
    // A correction goes out on every account while the first statement is retracted.
    const [published, retracted] = await Promise.all([
      publisher.publish(
        { ...rebuttal, id: 'rumor-test-2', headline: '更正：网传“地铁今晚全线停运”不实' },
        { mode: 'original', campaignId: 'second' },
      ),
      publisher.retract('first'),
    ]);
    expect(published.counts.succeeded).toBe(6);
    expect(retracted.counts.removed).toBe(6);
    // Never two requests on one account at once, never more than the cap on the platform.
    expect(stats.maxPerAccount).toBe(1);
    expect(stats.maxPlatform).toBe(2);
  });
});
