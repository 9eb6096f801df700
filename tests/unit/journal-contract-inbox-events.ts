/**
 * The `inbox.item` part of the journal contract (called by {@link describeJournalContract}): an
 * inbox item stored for the first time appends one event per subscribed endpoint, in the same
 * change as the item; an item stored again appends none.
 */
import { describe, expect, it } from 'vitest';
import { type InboxEntry, type Journal, type JournalInbox, hasInbox } from 'release-hall';
import { type JournalOutbox, type OutboxRow, hasOutbox } from 'release-hall/webhooks';

const at = (second: number): string => `2026-11-26T02:10:${String(second).padStart(2, '0')}.000Z`;

const entry = (remoteId: string, extra: Partial<InboxEntry> = {}): InboxEntry => ({
  platform: 'wechat',
  accountId: 'a/wechat',
  memberId: 'a',
  kind: 'message',
  remoteId,
  author: { id: `open${remoteId}`, name: `粉丝${remoteId}` },
  text: `留言 ${remoteId}`,
  at: at(Number(remoteId) % 60),
  ...extra,
});

const itemIds = (rows: readonly OutboxRow[]): unknown[] =>
  rows.map((row) => (JSON.parse(row.payload) as { itemId: string }).itemId);

/** Runs the `inbox.item` cases against journals made by `make`. */
export function describeInboxEvents(name: string, make: () => Promise<Journal>): void {
  const withJournal =
    (body: (journal: Journal & JournalInbox & JournalOutbox) => Promise<void>, subscribe = true) =>
    async (): Promise<void> => {
      const journal = await make();
      try {
        if (!hasInbox(journal) || !hasOutbox(journal)) {
          throw new Error('every journal of this package keeps an inbox and an outbox');
        }
        if (subscribe) {
          journal.subscribeOutbox([
            { webhookId: 'cms', events: ['inbox.item', 'delivery.failed'] },
            { webhookId: 'ops', events: ['campaign.settled'] },
            { webhookId: 'desk', events: ['inbox.item'] },
          ]);
        }
        await body(journal);
      } finally {
        await journal.close();
      }
    };

  describe(`journal inbox events: ${name}`, () => {
    it(
      'appends one inbox.item row per subscribed endpoint for a new item, with its data',
      withJournal(async (journal) => {
        expect(
          await journal.putInboxItems([
            entry('1', { postId: 'P1', replyToId: 'C0', kind: 'comment' }),
          ]),
        ).toBe(1);
        const [item] = await journal.listInbox();
        const rows = await journal.listOutbox(100);
        expect(rows.map((row) => [row.webhookId, row.type])).toEqual([
          ['cms', 'inbox.item'],
          ['desk', 'inbox.item'],
        ]);
        expect(JSON.parse(rows[0]!.payload)).toEqual({
          platform: 'wechat',
          account: 'a/wechat',
          member: 'a',
          kind: 'comment',
          itemId: '1',
          postId: 'P1',
          replyToId: 'C0',
          author: { id: 'open1', name: '粉丝1' },
          text: '留言 1',
          at: at(1),
          storedAt: item!.storedAt,
        });
        expect(rows[1]!.payload).toBe(rows[0]!.payload);
        expect(rows[0]).toMatchObject({
          attempts: 0,
          createdAt: item!.storedAt,
          nextAttemptAt: item!.storedAt,
        });
        expect(rows[0]!.id).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(rows[0]!.id).not.toBe(rows[1]!.id);
        expect(await journal.dueOutbox(item!.storedAt, 10)).toHaveLength(2);
      }),
    );

    it(
      'appends nothing for an item stored again, by putInboxItems or putInboxPage',
      withJournal(async (journal) => {
        expect(await journal.putInboxItems([entry('1'), entry('1')])).toBe(1);
        expect(await journal.putInboxItems([entry('1', { text: 'changed' })])).toBe(0);
        expect(await journal.putInboxPage('a/wechat', [entry('1')], { messages: '1' })).toBe(0);
        const rows = await journal.listOutbox(100);
        expect(rows.map((row) => row.webhookId)).toEqual(['cms', 'desk']);
        expect(itemIds(rows)).toEqual(['1', '1']);
      }),
    );

    it(
      'appends events only for the new items of a page: 3 new and 2 known make 3 events each',
      withJournal(async (journal) => {
        expect(await journal.putInboxPage('a/wechat', [entry('2'), entry('4')], { m: '4' })).toBe(
          2,
        );
        const before = await journal.listOutbox(100);
        expect(before).toHaveLength(4);
        expect(
          await journal.putInboxPage(
            'a/wechat',
            [entry('1'), entry('2'), entry('3'), entry('4'), entry('5')],
            { m: '5' },
          ),
        ).toBe(3);
        expect(await journal.inboxCursor('a/wechat')).toEqual({ m: '5' });
        const added = (await journal.listOutbox(100)).slice(before.length);
        expect(added.filter((row) => row.webhookId === 'cms').map((row) => row.type)).toEqual([
          'inbox.item',
          'inbox.item',
          'inbox.item',
        ]);
        expect(itemIds(added.filter((row) => row.webhookId === 'cms'))).toEqual(['1', '3', '5']);
        expect(itemIds(added.filter((row) => row.webhookId === 'desk'))).toEqual(['1', '3', '5']);
        expect(added).toHaveLength(6);
      }),
    );

    it(
      'gives the event the campaign whose post the item answers',
      withJournal(async (journal) => {
        await journal.createCampaign(
          {
            id: 'c1',
            hallId: 'hall',
            mode: 'original',
            relayFallback: 'original',
            createdAt: at(0),
            state: 'running',
            statement: { kind: 'announcement' },
          },
          [
            {
              id: 'd1',
              campaignId: 'c1',
              accountId: 'a/wechat',
              memberId: 'a',
              platform: 'wechat',
              action: 'post',
              rendition: { format: 'text', text: 't', length: 1, topics: [], summarised: false },
              idempotencyKey: 'k1',
            },
          ],
        );
        await journal.transition({
          deliveryId: 'd1',
          state: 'succeeded',
          at: at(1),
          remoteId: 'P9',
        });
        await journal.putInboxItems([entry('7', { kind: 'comment', postId: 'P9' })]);
        const rows = await journal.listOutbox(100);
        expect(rows).toHaveLength(2);
        expect(JSON.parse(rows[0]!.payload)).toMatchObject({ itemId: '7', campaignId: 'c1' });
      }),
    );

    it(
      'appends nothing for endpoints not subscribed to inbox.item, nor without subscriptions',
      withJournal(async (journal) => {
        journal.subscribeOutbox([{ webhookId: 'ops', events: ['campaign.settled'] }]);
        expect(await journal.putInboxItems([entry('1')])).toBe(1);
        journal.subscribeOutbox([]);
        expect(await journal.putInboxPage('a/wechat', [entry('2')], { m: '2' })).toBe(1);
        expect(await journal.listOutbox(100)).toEqual([]);
        expect(await journal.listInbox()).toHaveLength(2);
      }, false),
    );

    it(
      'writes the rows with the items: the same items put at once are stored and announced once',
      withJournal(async (journal) => {
        const page = [entry('1'), entry('2'), entry('3')];
        const added = await Promise.all([
          journal.putInboxPage('a/wechat', page, { m: '3' }),
          journal.putInboxItems(page),
          journal.putInboxItems([entry('3'), entry('2')]),
        ]);
        expect(added.reduce((sum, n) => sum + n, 0)).toBe(3);
        const stored = await journal.listInbox();
        const rows = await journal.listOutbox(100);
        // Every stored item has exactly one event per endpoint, and every event an item.
        expect(itemIds(rows.filter((row) => row.webhookId === 'cms')).sort()).toEqual(
          stored.map((item) => item.remoteId).sort(),
        );
        expect(rows.filter((row) => row.webhookId === 'desk')).toHaveLength(3);
        for (const row of rows) {
          const { itemId, storedAt } = JSON.parse(row.payload) as {
            itemId: string;
            storedAt: string;
          };
          expect(stored.find((item) => item.remoteId === itemId)?.storedAt).toBe(storedAt);
        }
      }),
    );
  });
}
