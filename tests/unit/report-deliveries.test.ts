import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CampaignRecord,
  type DeliveryTransition,
  type JournalDelivery,
  MemoryJournal,
  Redactor,
  createPublisher,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { scrubResult } from '../../src/run/scrub.js';
import type { DeliveryResult } from '../../src/run/types.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

function setup(journal = new MemoryJournal()) {
  const adapter = createMemoryAdapter();
  const publisher = createPublisher({
    hall: memoryHall(6),
    adapters: [adapter],
    credentials: testCredentials,
    retry: fastRetry,
    journal,
  });
  return { adapter, publisher };
}

describe('reportDeliveries', () => {
  it('keeps every line by default, in plan order, without saying so', async () => {
    const { publisher } = setup();
    const report = await publisher.publish(rebuttal, { mode: 'relay' });
    expect(report.deliveries).toHaveLength(7);
    expect(report.deliveries[0]!.memberId).toBe('lead');
    expect(report.deliveriesKept).toBeUndefined();
  });

  it('"unsuccessful" keeps only the lines that did not succeed, with the same counts and timings', async () => {
    const { adapter, publisher } = setup();
    adapter.inject('content-rejected', { accountId: 'm3/memory' });
    adapter.inject('content-rejected', { accountId: 'm5/memory' });
    const report = await publisher.publish(rebuttal, {
      mode: 'original',
      reportDeliveries: 'unsuccessful',
    });
    expect(report.counts).toMatchObject({ total: 7, succeeded: 5, failed: 2 });
    expect(report.deliveries.map((line) => line.memberId)).toEqual(['m3', 'm5']);
    expect(report.deliveriesKept).toBe('unsuccessful');
    expect(report.firstPostMs).toBeGreaterThanOrEqual(0);
    expect(report.lastPostMs).toBeGreaterThanOrEqual(report.firstPostMs!);
    // Every line is still in the journal.
    const status = await publisher.status(report.campaignId);
    expect(status.deliveries).toHaveLength(7);
  });

  it('"none" keeps no line; events still carry every one', async () => {
    const { publisher } = setup();
    const seen: string[] = [];
    publisher.on('delivery:succeeded', ({ result }) => seen.push(result.memberId));
    const report = await publisher.publish(rebuttal, { mode: 'relay', reportDeliveries: 'none' });
    expect(report.deliveries).toEqual([]);
    expect(report.deliveriesKept).toBe('none');
    expect(report.counts.succeeded).toBe(7);
    expect(seen).toHaveLength(7);
  });

  it('refuses an unknown value', async () => {
    const { publisher } = setup();
    await expect(
      publisher.publish(rebuttal, { reportDeliveries: 'some' as never }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('scrubResult', () => {
  const line: DeliveryResult = {
    deliveryId: 'c:a:post',
    accountId: 'a',
    memberId: 'm',
    platform: 'weibo',
    handle: 'h',
    action: 'post',
    performed: 'post',
    status: 'failed',
    attempts: 1,
    errorMessage: 'refused for token-secret-1',
    ref: { platform: 'weibo', accountId: 'a', id: '1', url: 'https://x/1' },
  };

  it('returns the same object when no string carries a secret', () => {
    const redactor = new Redactor();
    redactor.add('another-secret');
    expect(scrubResult(redactor, line)).toBe(line);
  });

  it('scrubs as deep does, without touching the original', () => {
    const redactor = new Redactor();
    redactor.add('token-secret-1');
    redactor.add('abc1');
    const withUrl = { ...line, ref: { ...line.ref!, url: 'https://x/?access_token=abc1' } };
    const scrubbed = scrubResult(redactor, withUrl);
    expect(scrubbed).toEqual(redactor.deep(withUrl));
    expect(scrubbed.errorMessage).not.toContain('token-secret-1');
    expect(scrubbed.ref?.url).not.toContain('abc1');
    expect(withUrl.errorMessage).toContain('token-secret-1');
  });
});

describe('SqliteJournal state changes', () => {
  const delivery: JournalDelivery = {
    id: 'd1',
    campaignId: 'c1',
    accountId: 'a1/weibo',
    memberId: 'a1',
    platform: 'weibo',
    action: 'post',
    rendition: { format: 'text', text: 'text', length: 4, topics: [], summarised: false },
    idempotencyKey: 'key',
  };
  const campaign: CampaignRecord = {
    id: 'c1',
    hallId: 'hall',
    mode: 'original',
    relayFallback: 'original',
    createdAt: '2026-11-26T01:30:00.000Z',
    state: 'running',
    statement: { kind: 'announcement' },
  };
  const changes: DeliveryTransition[] = [
    {
      deliveryId: 'd1',
      state: 'sending',
      at: '2026-11-26T01:30:01.000Z',
      attempt: 1,
      lease: 'L',
      performed: 'post',
    },
    {
      deliveryId: 'd1',
      state: 'unknown',
      at: '2026-11-26T01:30:02.000Z',
      attempt: 1,
      lease: 'L',
      errorCode: 'AMBIGUOUS',
      errorMessage: 'lost',
    },
    {
      deliveryId: 'd1',
      state: 'sending',
      at: '2026-11-26T01:30:03.000Z',
      attempt: 2,
      lease: 'L',
      performed: 'post',
    },
    {
      deliveryId: 'd1',
      state: 'succeeded',
      at: '2026-11-26T01:30:04.000Z',
      attempt: 0,
      lease: 'L',
      via: 'sent',
      remoteId: '42',
      url: 'https://w/42',
    },
  ];

  it('records the same delivery as the in-memory journal', async () => {
    const sqlite = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'rh-apply-')), 'j.db'));
    const memory = new MemoryJournal();
    for (const journal of [sqlite, memory]) {
      await journal.createCampaign(campaign, [delivery]);
      await journal.claim(['d1'], 'L');
      for (const change of changes) await journal.transition(change);
    }
    const [fromSqlite] = await sqlite.getDeliveries('c1');
    const [fromMemory] = await memory.getDeliveries('c1');
    const strip = (history: readonly DeliveryTransition[]) =>
      history.map(({ lease: _lease, ...rest }) => rest);
    expect({ ...fromSqlite, history: strip(fromSqlite!.history) }).toEqual({
      ...fromMemory,
      history: strip(fromMemory!.history),
    });
    expect(fromSqlite).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      firstAttemptAt: '2026-11-26T01:30:01.000Z',
      errorCode: 'AMBIGUOUS',
      remoteId: '42',
    });
    expect(await sqlite.check()).toEqual([]);
    await sqlite.close();
  });

  it('reads the pause without the campaign record', async () => {
    const sqlite = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'rh-pause-')), 'j.db'));
    await sqlite.createCampaign(campaign, [delivery]);
    expect(await sqlite.pauseOf('c1')).toBeUndefined();
    const pause = { reason: 'check', actor: 'ops', at: '2026-11-26T01:31:00.000Z' };
    await sqlite.updateCampaign('c1', { pause });
    expect(await sqlite.pauseOf('c1')).toEqual(pause);
    await sqlite.updateCampaign('c1', { pause: null });
    expect(await sqlite.pauseOf('c1')).toBeUndefined();
    await sqlite.close();
  });
});
