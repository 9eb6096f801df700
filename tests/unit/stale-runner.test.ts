/**
 * A campaign whose runner died: `resume` takes it over without `force` once the runner's
 * heartbeat is older than `staleRunnerMs`, and refuses (naming the process) while it is fresh.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJournal, createPublisher } from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

async function interruptedCampaign(heartbeatAgoMs: number) {
  // One call at a time, so a stop after the first success leaves the others unsent.
  const adapter = createMemoryAdapter({
    latencyMs: 5,
    limits: {
      rate: { platformConcurrency: 1, postsPerWindow: 100, windowMs: 1000, requestTimeoutMs: 1000 },
    },
  });
  const journal = new MemoryJournal();
  const publisher = createPublisher({
    hall: memoryHall(4),
    adapters: [adapter],
    credentials: testCredentials,
    journal,
    retry: fastRetry,
    staleRunnerMs: 1_000,
  });
  const controller = new AbortController();
  publisher.once('delivery:succeeded', () => controller.abort());
  const first = await publisher.publish(rebuttal, {
    mode: 'original',
    campaignId: 'died',
    signal: controller.signal,
  });
  expect(first.counts.succeeded).toBeLessThan(5);
  // As a process killed mid-run leaves it: still "running", with its last heartbeat.
  await journal.updateCampaign('died', {
    state: 'running',
    runner: {
      id: 'another-process',
      pid: 4242,
      heartbeatAt: new Date(Date.now() - heartbeatAgoMs).toISOString(),
    },
  });
  return { adapter, publisher };
}

describe('a runner that died', () => {
  it('is taken over without force once its heartbeat is stale', async () => {
    const { adapter, publisher } = await interruptedCampaign(5_000);
    const report = await publisher.resume('died');
    expect(report.counts).toMatchObject({ total: 5, succeeded: 5 });
    for (const account of ['lead', 'm1', 'm2', 'm3', 'm4']) {
      expect(adapter.postsOf(`${account}/memory`)).toHaveLength(1);
    }
  });

  it('is not taken over while its heartbeat is fresh: resume names the process', async () => {
    const { adapter, publisher } = await interruptedCampaign(0);
    const before = adapter.posts.length;
    await expect(publisher.resume('died')).rejects.toThrow(/being run by process 4242/);
    expect(adapter.posts.length).toBe(before);
  });
});
