/**
 * Campaign isolation: a delivery claims only a post its own attempts made. Two campaigns with the
 * same text on the same account never share a post: the second is refused by the platform as a
 * duplicate and says whose post it is; retracting it leaves the first campaign's post alone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Journal, MemoryJournal, createPublisher } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

const journals: [string, () => Journal][] = [
  ['in memory', () => new MemoryJournal()],
  ['in SQLite', () => new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'rh-iso-')), 'j.db'))],
];

describe.each(journals)('two campaigns with the same text, journal %s', (_name, makeJournal) => {
  it("the second does not claim the first one's posts, and its retract leaves them alone", async () => {
    const adapter = createMemoryAdapter();
    const journal = makeJournal();
    const publisher = createPublisher({
      hall: memoryHall(1),
      adapters: [adapter],
      credentials: testCredentials,
      journal,
      retry: fastRetry,
    });
    const first = await publisher.publish(rebuttal, { mode: 'original', campaignId: 'first' });
    expect(first.counts).toMatchObject({ total: 2, succeeded: 2 });
    const second = await publisher.publish(rebuttal, { mode: 'original', campaignId: 'second' });
    expect(second.counts).toMatchObject({ total: 2, succeeded: 0, failed: 2 });
    for (const delivery of second.deliveries) {
      expect(delivery).toMatchObject({ errorCode: 'DUPLICATE_CONTENT', duplicateOf: 'first' });
      expect(delivery.remoteId).toBeUndefined();
      expect(delivery.errorMessage).toContain('posted by campaign "first"');
    }
    // The journal tells the same after the run.
    const status = await publisher.status('second');
    expect(status.deliveries.map((delivery) => delivery.duplicateOf)).toEqual(['first', 'first']);

    const retracted = await publisher.retract('second');
    expect(retracted.counts).toMatchObject({ removed: 0, nothingPosted: 2 });
    expect(adapter.posts.filter((post) => !post.deleted)).toHaveLength(2);
    await journal.close();
  });
});
