import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type JournalDelivery } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { StaleLeaseError } from '../../src/journal/journal.js';

const delivery = (id: string): JournalDelivery => ({
  id,
  campaignId: 'c1',
  accountId: `${id}/weibo`,
  memberId: id,
  platform: 'weibo',
  action: 'post',
  rendition: { format: 'text', text: `text ${id}`, length: 5, topics: [], summarised: false },
  idempotencyKey: `key-${id}`,
});

describe('SqliteJournal group commit', () => {
  it('commits concurrent changes together; a refused change fails alone; all are durable', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rh-group-')), 'journal.db');
    const journal = new SqliteJournal(file, { commitWindowMs: 2 });
    await journal.createCampaign(
      {
        id: 'c1',
        hallId: 'hall',
        mode: 'original',
        relayFallback: 'original',
        createdAt: '2026-11-26T01:30:00.000Z',
        state: 'running',
        statement: { kind: 'announcement' },
      },
      ['a', 'b', 'c'].map(delivery),
    );
    await journal.claim(['a', 'b', 'c'], 'lease-1');
    const at = '2026-11-26T01:30:01.000Z';
    const outcomes = await Promise.allSettled([
      journal.transition({ deliveryId: 'a', state: 'sending', at, attempt: 1, lease: 'lease-1' }),
      journal.transition({ deliveryId: 'b', state: 'sending', at, attempt: 1, lease: 'stale' }),
      journal.transition({ deliveryId: 'c', state: 'sending', at, attempt: 1, lease: 'lease-1' }),
      journal.transition({ deliveryId: 'zz', state: 'sending', at, attempt: 1 }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StaleLeaseError);
    await journal.close();
    const reopened = new SqliteJournal(file);
    const states = (await reopened.getDeliveries('c1')).map((record) => [
      record.delivery.id,
      record.state,
      record.history.length,
    ]);
    expect(states).toEqual([
      ['a', 'sending', 1],
      ['b', 'planned', 0],
      ['c', 'sending', 1],
    ]);
    expect(await reopened.check()).toEqual([]);
    await reopened.close();
  });
});
