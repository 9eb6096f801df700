import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  type CampaignRecord,
  type DeliveryTransition,
  type JournalDelivery,
  MemoryJournal,
} from 'release-hall';
import {
  campaignEvents,
  compareEventKeys,
  eventIdOf,
  parseEventId,
  streamCampaignEvents,
} from '../../src/service/events.js';

const campaign: CampaignRecord = {
  id: 'c1',
  hallId: 'hall',
  mode: 'original',
  relayFallback: 'original',
  createdAt: '2026-11-26T01:30:00.000Z',
  state: 'running',
  statement: { kind: 'announcement', text: 'the full text' },
};

function delivery(id: string, accountId: string): JournalDelivery {
  return {
    id,
    campaignId: 'c1',
    accountId,
    memberId: accountId.split('/')[0]!,
    platform: 'weibo',
    action: 'post',
    rendition: { format: 'text', text: 'the full text', length: 13, topics: [], summarised: false },
    idempotencyKey: `key-${id}`,
  };
}

const at = (second: number): string => `2026-11-26T01:30:${String(second).padStart(2, '0')}.000Z`;

async function journalWith(changes: readonly DeliveryTransition[]): Promise<MemoryJournal> {
  const journal = new MemoryJournal();
  await journal.createCampaign(campaign, [
    delivery('c1:b', 'b/weibo'),
    delivery('c1:a', 'a/weibo'),
  ]);
  for (const change of changes) await journal.transition(change);
  return journal;
}

const CHANGES: DeliveryTransition[] = [
  { deliveryId: 'c1:b', state: 'sending', at: at(1), attempt: 1 },
  { deliveryId: 'c1:a', state: 'sending', at: at(1), attempt: 1 },
  {
    deliveryId: 'c1:a',
    state: 'succeeded',
    at: at(2),
    attempt: 1,
    remoteId: '99',
    url: 'https://weibo.example/99',
    performed: 'post',
    via: 'sent',
  },
  {
    deliveryId: 'c1:b',
    state: 'failed',
    at: at(3),
    attempt: 1,
    errorCode: 'CONTENT_REJECTED',
    errorMessage: 'token-secret-1 was refused',
  },
];

describe('campaignEvents', () => {
  it('orders changes by time, then delivery id, then place in the history', async () => {
    const read = await campaignEvents(await journalWith(CHANGES), 'c1');
    expect(read?.events.map((event) => [event.data.deliveryId, event.data.state])).toEqual([
      ['c1:a', 'sending'],
      ['c1:b', 'sending'],
      ['c1:a', 'succeeded'],
      ['c1:b', 'failed'],
    ]);
    expect(read?.events.map((event) => event.id)).toEqual([
      `${at(1)}~c1:a~0`,
      `${at(1)}~c1:b~0`,
      `${at(2)}~c1:a~1`,
      `${at(3)}~c1:b~1`,
    ]);
    expect(read?.events[2]?.data).toEqual({
      deliveryId: 'c1:a',
      accountId: 'a/weibo',
      platform: 'weibo',
      action: 'post',
      state: 'succeeded',
      at: at(2),
      attempt: 1,
      remoteId: '99',
      url: 'https://weibo.example/99',
    });
    const text = JSON.stringify(read);
    expect(text).not.toContain('the full text');
    expect(text).not.toContain('token-secret-1');
    expect(read?.end).toBeUndefined();
  });

  it('sends only the changes after an id, and ids that do not move as changes are added', async () => {
    const journal = await journalWith(CHANGES.slice(0, 2));
    const first = await campaignEvents(journal, 'c1');
    const lastSeen = first!.events.at(-1)!;
    for (const change of CHANGES.slice(2)) await journal.transition(change);
    const later = await campaignEvents(journal, 'c1', parseEventId(lastSeen.id));
    expect(later?.events.map((event) => event.data.state)).toEqual(['succeeded', 'failed']);
    const all = await campaignEvents(journal, 'c1');
    expect(all?.events.slice(0, 2).map((event) => event.id)).toEqual(
      first?.events.map((event) => event.id),
    );
  });

  it('ends once the campaign is not running and no delivery is pending', async () => {
    const journal = await journalWith(CHANGES);
    await journal.updateCampaign('c1', { state: 'finished' });
    const read = await campaignEvents(journal, 'c1', { at: at(3), deliveryId: 'c1:b', index: 1 });
    expect(read?.events).toEqual([]);
    expect(read?.end).toEqual({
      campaignId: 'c1',
      state: 'finished',
      counts: { total: 2, succeeded: 1, failed: 1, skipped: 0, unconfirmed: 0, pending: 0 },
    });
    const interrupted = await journalWith(CHANGES.slice(0, 3));
    await interrupted.updateCampaign('c1', { state: 'interrupted' });
    expect((await campaignEvents(interrupted, 'c1'))?.end).toBeUndefined();
    expect(await campaignEvents(interrupted, 'nope')).toBeUndefined();
  });

  it('reads back the ids it writes and refuses others', () => {
    const key = { at: at(4), deliveryId: 'api-1:a~odd/weibo:post', index: 12 };
    expect(parseEventId(eventIdOf(key))).toEqual(key);
    for (const bad of ['', '12', 'x~y~1', `${at(1)}~~1`, `${at(1)}~d~one`, `${at(1)}~d`]) {
      expect(parseEventId(bad)).toBeUndefined();
    }
    expect(
      compareEventKeys(
        { at: at(1), deliveryId: 'b', index: 5 },
        { at: at(2), deliveryId: 'a', index: 0 },
      ),
    ).toBeLessThan(0);
  });
});

class CountingJournal extends MemoryJournal {
  reads = 0;
  override getCampaign(campaignId: string): Promise<CampaignRecord | undefined> {
    this.reads += 1;
    return super.getCampaign(campaignId);
  }
}

describe('streamCampaignEvents', () => {
  it('stops reading the journal once the client goes away', async () => {
    const counting = new CountingJournal();
    await counting.createCampaign(campaign, [delivery('c1:a', 'a/weibo')]);
    await counting.transition(CHANGES[1]!);
    const app = new Hono();
    app.get('/events', (context) => streamCampaignEvents(context, counting, 'c1', { pollMs: 5 }));
    const client = new AbortController();
    const response = await app.request('/events', { signal: client.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: delivery');
    client.abort();
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const after = counting.reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counting.reads).toBe(after);
  });

  it('sends a keep-alive comment while nothing changes', async () => {
    const journal = await journalWith([]);
    const app = new Hono();
    app.get('/events', (context) =>
      streamCampaignEvents(context, journal, 'c1', { pollMs: 5, keepAliveMs: 10 }),
    );
    const client = new AbortController();
    const response = await app.request('/events', { signal: client.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe(': keep-alive\n\n');
    client.abort();
    await reader.cancel();
  });
});
