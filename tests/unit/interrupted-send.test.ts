/**
 * A run killed while a request was in flight: the request may still be carried out after the
 * resume starts. The resume waits out the request's timeout from the journaled send before it
 * looks the delivery up, so a post that lands a moment late is found, not sent twice.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJournal, createPublisher, silentLogger } from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

/** A campaign whose m1 delivery was being sent when its runner died; its request lands `lateMs` later. */
async function killedMidSend(interruptedSendWaitMs: number, lateMs: number) {
  const adapter = createMemoryAdapter();
  const journal = new MemoryJournal();
  const publisher = createPublisher({
    hall: memoryHall(1),
    adapters: [adapter],
    credentials: testCredentials,
    journal,
    retry: { ...fastRetry, interruptedSendWaitMs },
    staleRunnerMs: 1_000,
  });
  await publisher.publish(rebuttal, { mode: 'original', campaignId: 'killed' });
  const record = (await journal.getDeliveries('killed')).find(
    (entry) => entry.delivery.accountId === 'm1/memory',
  )!;
  const account = publisher.hall.accountById.get('m1/memory')!;
  const context = {
    signal: new AbortController().signal,
    idempotencyKey: record.delivery.idempotencyKey,
    credentials: testCredentials({ ref: account.credentials }),
    logger: silentLogger,
    requestTimeoutMs: 1_000,
  };
  // As the killed run left it: m1 "sending" just now, its post not (yet) on the platform.
  await adapter.retract(
    { platform: 'memory', accountId: account.id, id: record.remoteId! },
    account,
    context,
  );
  await journal.transition({
    deliveryId: record.delivery.id,
    state: 'sending',
    at: new Date().toISOString(),
    attempt: 2,
  });
  await journal.updateCampaign('killed', {
    state: 'running',
    runner: { id: 'dead', pid: 4242, heartbeatAt: new Date(Date.now() - 5_000).toISOString() },
  });
  // The request the dead run had sent is carried out a little later.
  const landing = new Promise<string>((resolve) => {
    setTimeout(() => {
      adapter.publish(record.delivery.rendition, account, context).then(
        () => resolve('landed'),
        (error: { code?: string }) => resolve(error.code ?? 'failed'),
      );
    }, lateMs);
  });
  return { adapter, publisher, landing };
}

describe('a delivery left "sending" by a killed run', () => {
  it('is looked up only once its request can no longer land: found, not sent again', async () => {
    const { adapter, publisher, landing } = await killedMidSend(300, 100);
    const report = await publisher.resume('killed');
    expect(await landing).toBe('landed');
    expect(report.deliveries.find((entry) => entry.accountId === 'm1/memory')).toMatchObject({
      status: 'succeeded',
      via: 'reconciled',
    });
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
  });

  it('without the wait, the look-up misses it and the post is sent again (what the wait prevents)', async () => {
    const { publisher, landing } = await killedMidSend(0, 100);
    const report = await publisher.resume('killed');
    expect(report.deliveries.find((entry) => entry.accountId === 'm1/memory')).toMatchObject({
      status: 'succeeded',
      via: 'sent',
    });
    // Only this fake's duplicate check stops the late request; a platform's is a narrow window.
    expect(await landing).toBe('DUPLICATE_CONTENT');
  });
});
