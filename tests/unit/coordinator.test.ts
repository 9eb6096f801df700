import { describe, expect, it } from 'vitest';
import { type CampaignReport, createPublisher, type DeliveryResult } from 'release-hall';
import { createMemoryAdapter, type MemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

function setup(
  size = 3,
  adapterOptions: Parameters<typeof createMemoryAdapter>[0] = {},
): {
  adapter: MemoryAdapter;
  publisher: ReturnType<typeof createPublisher>;
} {
  const adapter = createMemoryAdapter(adapterOptions);
  const publisher = createPublisher({
    hall: memoryHall(size),
    adapters: [adapter],
    credentials: testCredentials,
    retry: fastRetry,
  });
  return { adapter, publisher };
}

function byAccount(report: CampaignReport, accountId: string): DeliveryResult {
  const result = report.deliveries.find((delivery) => delivery.accountId === accountId);
  if (!result) throw new Error(`no result for ${accountId}`);
  return result;
}

/** Six accounts on a memory platform whose calls take `latencyMs`, `concurrency` at a time. */
function slowHall(
  latencyMs: number,
  concurrency: number,
): { adapter: MemoryAdapter; publisher: ReturnType<typeof createPublisher> } {
  const adapter = createMemoryAdapter({
    latencyMs,
    limits: {
      rate: {
        platformConcurrency: concurrency,
        postsPerWindow: 100,
        windowMs: 1000,
        requestTimeoutMs: 1000,
      },
    },
  });
  const publisher = createPublisher({
    hall: memoryHall(5),
    adapters: [adapter],
    credentials: testCredentials,
    retry: fastRetry,
  });
  return { adapter, publisher };
}

describe('coordinator', () => {
  it('relay mode: the lead posts once, every member relays the lead post once', async () => {
    const { adapter, publisher } = setup(3);
    const report = await publisher.publish(rebuttal, { mode: 'relay' });
    expect(report.counts).toEqual({
      total: 4,
      succeeded: 4,
      failed: 0,
      skipped: 0,
      unconfirmed: 0,
    });
    const lead = adapter.postsOf('lead/memory');
    expect(lead).toHaveLength(1);
    for (const member of ['m1', 'm2', 'm3']) {
      const posts = adapter.postsOf(`${member}/memory`);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.kind).toBe('relay');
      expect(posts[0]?.sourceId).toBe(lead[0]?.id);
    }
    expect(byAccount(report, 'lead/memory').remoteId).toBe(lead[0]?.id);
    expect(report.firstPostMs).toBeLessThanOrEqual(report.lastPostMs ?? Infinity);
  });

  it('original mode: every account posts its own rendition with its own prefix', async () => {
    const { adapter, publisher } = setup(2);
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    expect(report.counts.succeeded).toBe(3);
    expect(adapter.postsOf('m1/memory')[0]?.text.startsWith('【单位1】')).toBe(true);
    expect(adapter.postsOf('lead/memory')[0]?.text.startsWith('【测试发布】')).toBe(true);
    expect(adapter.posts.every((post) => post.kind === 'post')).toBe(true);
  });

  it('retries a transient failure and reports the attempts', async () => {
    const { adapter, publisher } = setup(1);
    adapter.inject('transient', { accountId: 'm1/memory', times: 2 });
    const retries: string[] = [];
    publisher.on('delivery:retrying', (event) => retries.push(event.code));
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    const result = byAccount(report, 'm1/memory');
    expect(result.status).toBe('succeeded');
    expect(result.attempts).toBe(3);
    expect(retries).toEqual(['TRANSIENT', 'TRANSIENT']);
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
  });

  it('an ambiguous failure after the post landed is reconciled, never re-sent', async () => {
    const { adapter, publisher } = setup(1);
    adapter.inject('ambiguous-after-apply', { accountId: 'm1/memory' });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    const result = byAccount(report, 'm1/memory');
    expect(result.status).toBe('succeeded');
    expect(result.via).toBe('reconciled');
    expect(adapter.calls.get('m1/memory')).toBe(1);
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
    expect(result.remoteId).toBe(adapter.postsOf('m1/memory')[0]?.id);
  });

  it('an ambiguous failure that did not land is sent again after the look-up says not-found', async () => {
    const { adapter, publisher } = setup(1);
    adapter.inject('ambiguous-before-apply', { accountId: 'm1/memory' });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    expect(byAccount(report, 'm1/memory')).toMatchObject({
      status: 'succeeded',
      via: 'sent',
      attempts: 2,
    });
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
  });

  it('when the platform cannot tell, the delivery is unconfirmed and not re-sent', async () => {
    const { adapter, publisher } = setup(1);
    adapter.inject('ambiguous-before-apply', { accountId: 'm1/memory' });
    adapter.inject('lookup-unknown', { accountId: 'm1/memory', times: 3 });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    const result = byAccount(report, 'm1/memory');
    expect(result.status).toBe('unconfirmed');
    expect(result.errorMessage).toMatch(/not re-sent: check the account by hand/);
    expect(adapter.calls.get('m1/memory')).toBe(1);
    expect(report.counts.unconfirmed).toBe(1);
  });

  it('waits out a rate limit without counting it as a failed attempt', async () => {
    const { adapter, publisher } = setup(1);
    adapter.inject('rate-limited', { accountId: 'm1/memory', times: 2 });
    const report = await publisher.publish(rebuttal, {
      mode: 'original',
      relayFallback: 'original',
    });
    const result = byAccount(report, 'm1/memory');
    expect(result.status).toBe('succeeded');
    expect(adapter.postsOf('m1/memory')).toHaveLength(1);
  });

  it('content rejected fails at once with the platform reason', async () => {
    const { adapter, publisher } = setup(1);
    adapter.inject('content-rejected', { accountId: 'm1/memory' });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    expect(byAccount(report, 'm1/memory')).toMatchObject({
      status: 'failed',
      errorCode: 'CONTENT_REJECTED',
      attempts: 1,
    });
    expect(adapter.calls.get('m1/memory')).toBe(1);
  });

  it('a relay whose lead post failed falls back to an original post', async () => {
    const { adapter, publisher } = setup(2);
    adapter.inject('content-rejected', { accountId: 'lead/memory' });
    const report = await publisher.publish(rebuttal, { mode: 'relay', relayFallback: 'original' });
    expect(byAccount(report, 'lead/memory').status).toBe('failed');
    expect(byAccount(report, 'm1/memory')).toMatchObject({
      status: 'succeeded',
      action: 'relay',
      performed: 'post',
    });
    expect(adapter.postsOf('m1/memory')[0]?.kind).toBe('post');
  });

  it('a relay whose lead post failed is skipped when the fallback is skip', async () => {
    const { adapter, publisher } = setup(2);
    adapter.inject('content-rejected', { accountId: 'lead/memory' });
    const report = await publisher.publish(rebuttal, { mode: 'relay', relayFallback: 'skip' });
    expect(byAccount(report, 'm1/memory').status).toBe('skipped');
    expect(adapter.postsOf('m1/memory')).toHaveLength(0);
  });

  it('auth expired: credentials are resolved again once, then the call is retried', async () => {
    const adapter = createMemoryAdapter({ validToken: 'fresh-token-1234' });
    // The token is renewed once the platform has seen the stale one.
    const publisher = createPublisher({
      hall: memoryHall(0),
      adapters: [adapter],
      credentials: () => ({
        access_token:
          (adapter.calls.get('lead/memory') ?? 0) === 0 ? 'stale-token-1234' : 'fresh-token-1234',
      }),
      retry: fastRetry,
    });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    expect(byAccount(report, 'lead/memory')).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('auth expired with no fresher credentials fails with a message naming the account', async () => {
    const adapter = createMemoryAdapter({ validToken: 'fresh-token-1234' });
    const publisher = createPublisher({
      hall: memoryHall(0),
      adapters: [adapter],
      credentials: () => ({ access_token: 'stale-token-1234' }),
      retry: fastRetry,
    });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    const result = byAccount(report, 'lead/memory');
    expect(result).toMatchObject({ status: 'failed', errorCode: 'AUTH_EXPIRED' });
    expect(result.errorMessage).toContain('lead/memory');
    expect(result.errorMessage).toContain(
      'the credentials resolved again are the same, so the token is expired, revoked or not valid',
    );
    expect(result.errorMessage).not.toContain('stale-token-1234');
  });

  it('missing credentials refuse the campaign before anything is sent, naming where to put the secret', async () => {
    const adapter = createMemoryAdapter();
    const publisher = createPublisher({
      hall: memoryHall(1),
      adapters: [adapter],
      credentials: ({ ref }) => (ref === 'cred-m1' ? undefined : { access_token: 'token-abcdef' }),
      retry: fastRetry,
    });
    const refused = await publisher
      .publish(rebuttal, { mode: 'original' })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String(refused)).toContain('accounts.m1/memory.credentials');
    expect(String(refused)).toContain('RELEASE_HALL_CRED_CRED_M1__ACCESS_TOKEN');
    expect([...adapter.calls.values()].reduce((sum, calls) => sum + calls, 0)).toBe(0);
    expect(await publisher.journal.listCampaigns()).toEqual([]);
  });

  it('credentials that vanish after the pre-flight fail that account only', async () => {
    const adapter = createMemoryAdapter();
    let checked = false;
    const publisher = createPublisher({
      hall: memoryHall(1),
      adapters: [adapter],
      // Answers for every account once (the pre-flight), then no longer for m1.
      credentials: ({ ref }) => {
        if (ref === 'cred-m1' && checked) return undefined;
        if (ref === 'cred-m1') checked = true;
        return { access_token: 'token-abcdef' };
      },
      retry: fastRetry,
    });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    const result = byAccount(report, 'm1/memory');
    expect(result).toMatchObject({ status: 'failed', errorCode: 'AUTH_INVALID' });
    expect(result.errorMessage).toContain('RELEASE_HALL_CRED_CRED_M1__ACCESS_TOKEN');
    expect(byAccount(report, 'lead/memory').status).toBe('succeeded');
  });

  it('an accepted post without an id is looked up and never re-sent', async () => {
    const { adapter, publisher } = setup(0);
    adapter.inject('accepted', { accountId: 'lead/memory' });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    expect(byAccount(report, 'lead/memory')).toMatchObject({
      status: 'succeeded',
      via: 'accepted',
    });
    expect(byAccount(report, 'lead/memory').remoteId).toBe(adapter.postsOf('lead/memory')[0]?.id);
    expect(adapter.calls.get('lead/memory')).toBe(1);
  });

  it('an aborted run starts nothing new and reports every delivery', async () => {
    const { adapter, publisher } = slowHall(20, 1);
    const controller = new AbortController();
    publisher.once('delivery:succeeded', () => controller.abort());
    const report = await publisher.publish(rebuttal, {
      mode: 'original',
      signal: controller.signal,
    });
    expect(report.aborted).toBe(true);
    expect(report.counts.total).toBe(6);
    expect(report.counts.succeeded).toBeGreaterThanOrEqual(1);
    expect(report.counts.succeeded).toBeLessThan(6);
    expect(report.counts.skipped + report.counts.unconfirmed + report.counts.succeeded).toBe(6);
    expect(adapter.posts.length).toBeLessThan(6);
  });

  it('a stop lets the calls in flight finish: their answers are kept, nothing else starts', async () => {
    const { adapter, publisher } = slowHall(30, 2);
    const controller = new AbortController();
    const started: string[] = [];
    publisher.on('delivery:started', ({ accountId }) => {
      started.push(accountId);
      if (started.length === 2) controller.abort();
    });
    const report = await publisher.publish(rebuttal, {
      mode: 'original',
      signal: controller.signal,
    });
    expect(report.aborted).toBe(true);
    expect(started).toHaveLength(2);
    // The two calls in flight were answered: nothing is left in doubt.
    expect(report.counts).toMatchObject({ total: 6, succeeded: 2, unconfirmed: 0, skipped: 4 });
    expect(adapter.posts).toHaveLength(2);
  });

  it('many deliveries backing off at once raise no Node warning', async () => {
    const adapter = createMemoryAdapter();
    const publisher = createPublisher({
      hall: memoryHall(30),
      adapters: [adapter],
      credentials: testCredentials,
      retry: { ...fastRetry, minTimeoutMs: 20, maxTimeoutMs: 20 },
    });
    adapter.inject('transient', { times: 31 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const report = await publisher.publish(rebuttal, {
        mode: 'original',
        signal: new AbortController().signal,
      });
      expect(report.counts.succeeded).toBe(31);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((warning) => warning.name)).toEqual([]);
  });

  it('journals every delivery: sending before the call, the remote id after', async () => {
    const { adapter, publisher } = setup(1);
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    const records = await publisher.journal.getDeliveries(report.campaignId);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.history.map((change) => change.state)).toEqual(['sending', 'succeeded']);
      expect(record.remoteId).toBe(adapter.postsOf(record.delivery.accountId)[0]?.id);
    }
    expect((await publisher.journal.getCampaign(report.campaignId))?.state).toBe('finished');
  });

  it('respects the per-platform cap on requests in flight', async () => {
    const adapter = createMemoryAdapter({
      latencyMs: 5,
      limits: {
        rate: {
          platformConcurrency: 2,
          postsPerWindow: 100,
          windowMs: 1000,
          requestTimeoutMs: 1000,
        },
      },
    });
    const publisher = createPublisher({
      hall: memoryHall(8),
      adapters: [adapter],
      credentials: testCredentials,
      retry: fastRetry,
    });
    const report = await publisher.publish(rebuttal, { mode: 'original' });
    expect(report.counts.succeeded).toBe(9);
    expect(adapter.maxInFlight).toBe(2);
  });

  it('a dry run sends nothing and shows each text', async () => {
    const { adapter, publisher } = setup(2);
    const report = await publisher.publish(rebuttal, { mode: 'relay', dryRun: true });
    expect(adapter.posts).toHaveLength(0);
    expect(report.dryRun).toBe(true);
    expect(
      report.deliveries.every((delivery) => delivery.status === 'skipped' && delivery.text),
    ).toBe(true);
  });
});
