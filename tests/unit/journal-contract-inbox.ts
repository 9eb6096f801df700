/**
 * The inbox part of the journal contract (called by {@link describeJournalContract}): each item
 * stored once, a page and its cursor together, the campaign an item answers, listing, answering
 * and assigning.
 */
import { describe, expect, it } from 'vitest';
import { type InboxEntry, type Journal, hasInbox } from 'release-hall';
import { campaign, delivery } from './journal-contract.js';

const at = (second: number): string => `2026-11-26T01:30:${String(second).padStart(2, '0')}.000Z`;

/** Runs the inbox cases against journals made by `make`. */
export function describeInboxContract(name: string, make: () => Promise<Journal>): void {
  const withJournal = (body: (journal: Journal) => Promise<void>) => async (): Promise<void> => {
    const journal = await make();
    try {
      await body(journal);
    } finally {
      await journal.close();
    }
  };

  const entry = (remoteId: string, extra: Partial<InboxEntry> = {}): InboxEntry => ({
    platform: 'weibo',
    accountId: 'a/weibo',
    memberId: 'a',
    kind: 'comment',
    remoteId,
    author: { id: `u${remoteId}`, name: `市民${remoteId}` },
    text: `评论 ${remoteId}`,
    at: at(Number(remoteId) % 60),
    ...extra,
  });

  describe(`journal inbox: ${name}`, () => {
    it(
      'stores each item once: a second put adds nothing and changes nothing',
      withJournal(async (journal) => {
        if (!hasInbox(journal)) throw new Error('every journal of this package keeps an inbox');
        expect(await journal.putInboxItems([entry('1'), entry('2'), entry('2')])).toBe(2);
        const first = await journal.listInbox();
        expect(first.map((item) => item.remoteId)).toEqual(['2', '1']);
        expect(first[1]).toMatchObject({
          platform: 'weibo',
          accountId: 'a/weibo',
          memberId: 'a',
          kind: 'comment',
          author: { id: 'u1', name: '市民1' },
          text: '评论 1',
          at: at(1),
        });
        expect(Date.parse(first[1]!.storedAt)).not.toBeNaN();
        expect(await journal.putInboxItems([entry('1', { text: 'changed' }), entry('2')])).toBe(0);
        expect(await journal.listInbox()).toEqual(first);
        // The same remote id on another account is another item.
        expect(
          await journal.putInboxItems([entry('1', { accountId: 'b/weibo', memberId: 'b' })]),
        ).toBe(1);
        expect(await journal.listInbox()).toHaveLength(3);
      }),
    );

    it(
      'stores a page with its cursor; a page read again from an older cursor adds nothing',
      withJournal(async (journal) => {
        if (!hasInbox(journal)) throw new Error('every journal of this package keeps an inbox');
        expect(await journal.inboxCursor('a/weibo')).toBeUndefined();
        expect(
          await journal.putInboxPage('a/weibo', [entry('1'), entry('2')], {
            'comments/to_me': '2',
          }),
        ).toBe(2);
        expect(await journal.inboxCursor('a/weibo')).toEqual({ 'comments/to_me': '2' });
        expect(await journal.inboxCursor('b/weibo')).toBeUndefined();
        expect(
          await journal.putInboxPage('a/weibo', [entry('2'), entry('3')], {
            'comments/to_me': '3',
            'comments/to_me:gap': '0-1',
          }),
        ).toBe(1);
        expect(await journal.inboxCursor('a/weibo')).toEqual({
          'comments/to_me': '3',
          'comments/to_me:gap': '0-1',
        });
        // An empty page still moves the cursor.
        expect(await journal.putInboxPage('a/weibo', [], { 'comments/to_me': '3' })).toBe(0);
        expect(await journal.inboxCursor('a/weibo')).toEqual({ 'comments/to_me': '3' });
        await journal.saveInboxCursor('b/weibo', { 'statuses/mentions': '9' });
        expect(await journal.inboxCursor('b/weibo')).toEqual({ 'statuses/mentions': '9' });
        expect((await journal.listInbox()).map((item) => item.remoteId)).toEqual(['3', '2', '1']);
      }),
    );

    it(
      'gives an item the campaign whose post it answers, and none otherwise',
      withJournal(async (journal) => {
        if (!hasInbox(journal)) throw new Error('every journal of this package keeps an inbox');
        await journal.createCampaign(campaign(), [delivery('a'), delivery('b')]);
        await journal.transition({
          deliveryId: 'a',
          state: 'succeeded',
          at: at(1),
          remoteId: 'P1',
        });
        await journal.transition({
          deliveryId: 'b',
          state: 'succeeded',
          at: at(1),
          remoteId: 'P2',
        });
        await journal.createCampaign(campaign('c2'), [
          delivery('a2', 'c2', { accountId: 'a/weibo' }),
        ]);
        await journal.transition({
          deliveryId: 'a2',
          state: 'succeeded',
          at: at(2),
          remoteId: 'P3',
        });
        await journal.putInboxPage(
          'a/weibo',
          [
            entry('11', { postId: 'P1' }),
            entry('12', { postId: 'P3' }),
            entry('13', { postId: 'elsewhere' }),
            entry('14', { kind: 'mention', postId: '14' }),
            entry('15'),
          ],
          { 'comments/to_me': '15' },
        );
        const items = await journal.listInbox();
        const campaignOf = Object.fromEntries(
          items.map((item) => [item.remoteId, item.campaignId]),
        );
        expect(campaignOf).toEqual({
          '11': 'c1',
          '12': 'c2',
          '13': undefined,
          '14': undefined,
          '15': undefined,
        });
        expect(items.find((item) => item.remoteId === '13')).not.toHaveProperty('campaignId');
        expect(
          (await journal.listInbox({ campaignId: 'c1' })).map((item) => item.remoteId),
        ).toEqual(['11']);
      }),
    );

    it(
      'lists newest first, by member, campaign, unanswered and limit',
      withJournal(async (journal) => {
        if (!hasInbox(journal)) throw new Error('every journal of this package keeps an inbox');
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.transition({
          deliveryId: 'a',
          state: 'succeeded',
          at: at(1),
          remoteId: 'P1',
        });
        await journal.putInboxItems([
          entry('21', { postId: 'P1' }),
          entry('25', { postId: 'P1' }),
          entry('23', { accountId: 'b/weibo', memberId: 'b' }),
          entry('22', { kind: 'mention', postId: '22' }),
        ]);
        const ids = (items: readonly { remoteId: string }[]) => items.map((item) => item.remoteId);
        expect(ids(await journal.listInbox())).toEqual(['25', '23', '22', '21']);
        expect(ids(await journal.listInbox({}))).toEqual(['25', '23', '22', '21']);
        expect(ids(await journal.listInbox({ memberId: 'b' }))).toEqual(['23']);
        expect(ids(await journal.listInbox({ campaignId: 'c1' }))).toEqual(['25', '21']);
        expect(ids(await journal.listInbox({ limit: 2 }))).toEqual(['25', '23']);
        expect(
          await journal.markInboxAnswered(
            { platform: 'weibo', accountId: 'a/weibo', remoteId: '25' },
            at(40),
          ),
        ).toBe(true);
        expect(
          await journal.markInboxAnswered(
            { platform: 'weibo', accountId: 'a/weibo', remoteId: '25' },
            at(50),
          ),
        ).toBe(true);
        expect(
          await journal.markInboxAnswered(
            { platform: 'weibo', accountId: 'a/weibo', remoteId: '99' },
            at(50),
          ),
        ).toBe(false);
        expect(ids(await journal.listInbox({ unanswered: true }))).toEqual(['23', '22', '21']);
        expect(
          ids(await journal.listInbox({ unanswered: true, campaignId: 'c1', memberId: 'a' })),
        ).toEqual(['21']);
        expect((await journal.listInbox({ campaignId: 'c1' }))[0]).toMatchObject({
          remoteId: '25',
          answeredAt: at(40),
        });
        // Same time: the later stored comes first.
        await journal.putInboxItems([entry('85', { accountId: 'c/weibo', memberId: 'c' })]);
        expect(ids(await journal.listInbox({ limit: 2 }))).toEqual(['85', '25']);
      }),
    );

    it(
      'routes an item to a member: the latest assignment wins, unknown items are refused',
      withJournal(async (journal) => {
        if (!hasInbox(journal)) throw new Error('every journal of this package keeps an inbox');
        await journal.putInboxItems([entry('31'), entry('32', { kind: 'message' })]);
        const item = { platform: 'weibo', accountId: 'a/weibo', remoteId: '31' };
        expect(await journal.assignInbox(item, 'b', at(10))).toBe(true);
        expect(await journal.assignInbox(item, 'c', at(20))).toBe(true);
        expect(await journal.assignInbox({ ...item, remoteId: '99' }, 'b', at(30))).toBe(false);
        const [assigned] = await journal.listInbox({ assignedTo: 'c' });
        expect(assigned).toMatchObject({ remoteId: '31', assignedTo: 'c', assignedAt: at(20) });
        expect(await journal.listInbox({ assignedTo: 'b' })).toEqual([]);
        const other = (await journal.listInbox()).find((stored) => stored.remoteId === '32');
        expect(other?.kind).toBe('message');
        expect(other?.assignedTo).toBeUndefined();
        // Answering keeps the assignment; the assignment keeps the answer.
        await journal.markInboxAnswered(item, at(40));
        expect((await journal.listInbox({ assignedTo: 'c', unanswered: false }))[0]).toMatchObject({
          answeredAt: at(40),
          assignedTo: 'c',
        });
        expect(await journal.listInbox({ assignedTo: 'c', unanswered: true })).toEqual([]);
      }),
    );
  });
}
