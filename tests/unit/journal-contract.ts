/**
 * The journal contract: what every {@link Journal} must do, run against each store (in memory,
 * SQLite, Redis) so they cannot drift apart. `make` gives a new, empty journal for each test.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type CampaignRecord,
  type DeliveryTransition,
  type Journal,
  type JournalDelivery,
  ReleaseHallError,
  verifyAuditChain,
} from 'release-hall';
import { StaleLeaseError } from '../../src/journal/journal.js';
import { type JournalOutbox, hasOutbox } from 'release-hall/webhooks';
import { type ReachReading, hasReach } from 'release-hall';
import { type ReplyRecord, hasReplies, replyKey } from 'release-hall';
import { describeInboxContract } from './journal-contract-inbox.js';
import { describeInboxEvents } from './journal-contract-inbox-events.js';

export const delivery = (
  id: string,
  campaignId = 'c1',
  extra: Partial<JournalDelivery> = {},
): JournalDelivery => ({
  id,
  campaignId,
  accountId: `${id}/weibo`,
  memberId: id,
  platform: 'weibo',
  action: 'post',
  rendition: { format: 'text', text: `text ${id}`, length: 5, topics: [], summarised: false },
  idempotencyKey: `key-${id}`,
  ...extra,
});

export const campaign = (id = 'c1', extra: Partial<CampaignRecord> = {}): CampaignRecord => ({
  id,
  hallId: 'hall',
  mode: 'original',
  relayFallback: 'original',
  createdAt: '2026-11-26T01:30:00.000Z',
  state: 'running',
  statement: { kind: 'announcement' },
  ...extra,
});

const at = (second: number): string => `2026-11-26T01:30:${String(second).padStart(2, '0')}.000Z`;

async function failure(work: Promise<unknown>): Promise<ReleaseHallError> {
  try {
    await work;
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Runs the contract against journals made by `make`; each is closed after its test. */
export function describeJournalContract(name: string, make: () => Promise<Journal>): void {
  const withJournal = (body: (journal: Journal) => Promise<void>) => async (): Promise<void> => {
    const journal = await make();
    try {
      await body(journal);
    } finally {
      await journal.close();
    }
  };

  describe(`journal contract: ${name}`, () => {
    it(
      'records campaigns, deliveries and every state change in order',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a'), delivery('b')]);
        await journal.claim(['a', 'b'], 'lease-1');
        await journal.transition({
          deliveryId: 'a',
          state: 'sending',
          at: at(1),
          attempt: 1,
          lease: 'lease-1',
        });
        await journal.transition({
          deliveryId: 'a',
          state: 'succeeded',
          at: at(2),
          attempt: 1,
          remoteId: '4900000000000000001',
          url: 'https://weibo.com/1/4900000000000000001',
          performed: 'post',
          via: 'sent',
          lease: 'lease-1',
        });
        const records = await journal.getDeliveries('c1');
        expect(records.map((record) => record.state)).toEqual(['succeeded', 'planned']);
        expect(records[0]).toMatchObject({
          remoteId: '4900000000000000001',
          url: 'https://weibo.com/1/4900000000000000001',
          performed: 'post',
          via: 'sent',
          attempts: 1,
          lease: 'lease-1',
          firstAttemptAt: at(1),
        });
        expect(records[0]?.history.map((change) => change.state)).toEqual(['sending', 'succeeded']);
        expect(records[0]?.history[1]).toMatchObject({
          deliveryId: 'a',
          at: at(2),
          remoteId: '4900000000000000001',
        });
        expect(records[1]).toMatchObject({ state: 'planned', attempts: 0, history: [] });
        expect(records[1]?.notes).toBeUndefined();
        expect(records[1]?.firstAttemptAt).toBeUndefined();
        expect(await journal.check()).toEqual([]);
        // One delivery read alone is the same record as in its campaign's list.
        expect(await journal.getDelivery?.('a')).toEqual(records[0]);
        expect(await journal.getDelivery?.('b')).toEqual(records[1]);
        expect(await journal.getDelivery?.('zz')).toBeUndefined();
        expect(typeof journal.getDelivery).toBe('function');
      }),
    );

    it(
      'keeps the plan and the campaign exactly as given',
      withJournal(async (journal) => {
        const record = campaign('c1', {
          statementId: 's-1',
          sandbox: true,
          statement: {
            kind: 'rebuttal',
            headline: '关于网传“停水”的说明',
            empty: [],
            nested: { list: [1, 2.5, { deep: null }], big: 4900000000000000 },
          },
          runner: { id: 'run-1', pid: 4242, heartbeatAt: at(0) },
        });
        const relay = delivery('r', 'c1', {
          action: 'relay',
          dependsOn: 'a',
          fallbackRendition: {
            format: 'text',
            text: '原文',
            length: 2,
            topics: ['北京'],
            summarised: true,
          },
        });
        await journal.createCampaign(record, [delivery('a'), relay]);
        expect(await journal.getCampaign('c1')).toEqual(record);
        const [first, second] = await journal.getDeliveries('c1');
        expect(first?.delivery).toEqual(delivery('a'));
        expect(second?.delivery).toEqual(relay);
      }),
    );

    it(
      'refuses a late write from a run whose lease was taken over, and records nothing of it',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.claim(['a'], 'old');
        await journal.transition({ deliveryId: 'a', state: 'sending', at: at(1), lease: 'old' });
        await journal.claim(['a'], 'new');
        const error = await failure(
          journal.transition({
            deliveryId: 'a',
            state: 'failed',
            at: at(5),
            lease: 'old',
            errorCode: 'TRANSIENT',
          }),
        );
        expect(error).toBeInstanceOf(StaleLeaseError);
        expect(error).toMatchObject({ code: 'LEASE_LOST', retryable: false });
        const [stale] = await journal.getDeliveries('c1');
        expect(stale).toMatchObject({ state: 'sending', lease: 'new' });
        expect(stale?.errorCode).toBeUndefined();
        expect(stale?.history).toHaveLength(1);
        await journal.transition({
          deliveryId: 'a',
          state: 'reconciled',
          at: at(6),
          lease: 'new',
          remoteId: '7',
        });
        expect((await journal.getDeliveries('c1'))[0]?.state).toBe('reconciled');
      }),
    );

    it(
      'takes a change without a lease, and a leased change on a delivery never claimed',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a'), delivery('b')]);
        await journal.claim(['a'], 'lease-1');
        await journal.transition({ deliveryId: 'a', state: 'sending', at: at(1) });
        await journal.transition({ deliveryId: 'b', state: 'sending', at: at(1), lease: 'any' });
        const records = await journal.getDeliveries('c1');
        expect(records.map((record) => record.state)).toEqual(['sending', 'sending']);
        expect(records[1]?.lease).toBeUndefined();
      }),
    );

    it(
      'merges the fields of each change: attempts only grow, firstAttemptAt is the first sending',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        const changes: DeliveryTransition[] = [
          { deliveryId: 'a', state: 'sending', at: at(1), attempt: 1 },
          {
            deliveryId: 'a',
            state: 'unknown',
            at: at(2),
            attempt: 2,
            errorCode: 'AMBIGUOUS',
            errorMessage: 'timed out',
          },
          { deliveryId: 'a', state: 'sending', at: at(3), attempt: 1 },
          { deliveryId: 'a', state: 'reconciled', at: at(4), remoteId: '99', via: 'reconciled' },
          { deliveryId: 'a', state: 'retracted', at: at(5), performed: 'retract' },
        ];
        for (const change of changes) await journal.transition(change);
        const [record] = await journal.getDeliveries('c1');
        expect(record).toMatchObject({
          state: 'retracted',
          attempts: 2,
          firstAttemptAt: at(1),
          errorCode: 'AMBIGUOUS',
          errorMessage: 'timed out',
          remoteId: '99',
          via: 'reconciled',
          performed: 'retract',
        });
        expect(record?.history.map((change) => [change.state, change.at])).toEqual(
          changes.map((change) => [change.state, change.at]),
        );
        expect(await journal.check()).toEqual([]);
      }),
    );

    it(
      'refuses a second campaign of the same id and adds none of its deliveries',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        const error = await failure(
          journal.createCampaign(campaign('c1', { hallId: 'other' }), [delivery('b')]),
        );
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.message).toMatch(/already in the journal/);
        expect((await journal.getDeliveries('c1')).map((record) => record.delivery.id)).toEqual([
          'a',
        ]);
        expect((await journal.getCampaign('c1'))?.hallId).toBe('hall');
        expect(await journal.listCampaigns()).toHaveLength(1);
      }),
    );

    it(
      'adds deliveries in order and keeps those already in the journal as they are',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.createCampaign(campaign('c2'), [delivery('x', 'c2')]);
        await journal.transition({ deliveryId: 'a', state: 'succeeded', at: at(1), remoteId: '1' });
        await journal.addDeliveries('c1', [
          delivery('a', 'c1', { idempotencyKey: 'changed' }),
          delivery('b'),
          delivery('x', 'c1'),
          delivery('c'),
        ]);
        const records = await journal.getDeliveries('c1');
        expect(records.map((record) => record.delivery.id)).toEqual(['a', 'b', 'c']);
        expect(records[0]).toMatchObject({ state: 'succeeded', remoteId: '1' });
        expect(records[0]?.delivery.idempotencyKey).toBe('key-a');
        expect((await journal.getDeliveries('c2')).map((record) => record.delivery.id)).toEqual([
          'x',
        ]);
        await journal.addDeliveries('c1', []);
        expect((await failure(journal.addDeliveries('nope', [delivery('z')]))).code).toBe(
          'INVALID_INPUT',
        );
        expect(await journal.getDeliveries('nope')).toEqual([]);
        expect(await journal.check()).toEqual([]);
      }),
    );

    it(
      'says so for a delivery or campaign it does not hold; a claim passes over unknown ids',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        expect(
          (await failure(journal.transition({ deliveryId: 'zz', state: 'sending', at: at(1) })))
            .code,
        ).toBe('INVALID_INPUT');
        expect((await failure(journal.note('zz', 'job', '1'))).code).toBe('INVALID_INPUT');
        expect((await failure(journal.updateCampaign('zz', { state: 'finished' }))).code).toBe(
          'INVALID_INPUT',
        );
        await journal.claim(['zz', 'a'], 'lease-1');
        await journal.claim([], 'lease-2');
        expect((await journal.getDeliveries('c1'))[0]?.lease).toBe('lease-1');
        expect(await journal.getCampaign('zz')).toBeUndefined();
      }),
    );

    it(
      'keeps the notes of a delivery, the latest value of each',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.note('a', 'publishId', '100000001');
        await journal.note('a', 'mediaId', 'MEDIA');
        await journal.note('a', 'publishId', '100000002');
        const [record] = await journal.getDeliveries('c1');
        expect(record?.notes).toEqual({ publishId: '100000002', mediaId: 'MEDIA' });
        expect(record?.state).toBe('planned');
      }),
    );

    it(
      'keeps pauses, runners and the audit trail',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.createCampaign(campaign('c2'), []);
        const pause = { reason: '核实中', actor: 'duty', at: 'now', groups: ['districts'] };
        await journal.updateCampaign('c1', { pause });
        expect((await journal.getCampaign('c1'))?.pause).toEqual(pause);
        if (journal.pauseOf !== undefined) {
          expect(await journal.pauseOf('c1')).toEqual(pause);
          expect(await journal.pauseOf('c2')).toBeUndefined();
          expect(await journal.pauseOf('zz')).toBeUndefined();
        }
        const runner = { id: 'run-2', pid: 77, heartbeatAt: at(9) };
        await journal.updateCampaign('c1', { runner });
        expect(await journal.getCampaign('c1')).toMatchObject({ runner, pause });
        await journal.updateCampaign('c1', { pause: null, state: 'finished' });
        expect(await journal.getCampaign('c1')).toMatchObject({ state: 'finished', runner });
        expect((await journal.getCampaign('c1'))?.pause).toBeUndefined();
        expect(await journal.pauseOf?.('c1')).toBeUndefined();
        await journal.audit({
          at: 'now',
          actor: 'duty',
          action: 'pause',
          campaignId: 'c1',
          detail: { reason: '核实中', groups: ['districts'] },
        });
        await journal.audit({ at: 'later', actor: 'ops', action: 'publish', campaignId: 'c2' });
        await journal.audit({ at: 'later', actor: 'duty', action: 'unpause', campaignId: 'c1' });
        // Stored entries are chained (seq, prevHash, hash: see audit-chain.ts); their own fields are kept.
        const own = (entries: readonly AuditEntry[]): AuditEntry[] =>
          entries.map(({ at, actor, action, campaignId, detail }) => ({
            at,
            actor,
            action,
            campaignId,
            ...(detail === undefined ? {} : { detail }),
          }));
        expect(own(await journal.getAudit('c1'))).toEqual([
          {
            at: 'now',
            actor: 'duty',
            action: 'pause',
            campaignId: 'c1',
            detail: { reason: '核实中', groups: ['districts'] },
          },
          { at: 'later', actor: 'duty', action: 'unpause', campaignId: 'c1' },
        ]);
        expect((await journal.getAudit('c2')).map((entry) => entry.action)).toEqual(['publish']);
        expect(await journal.getAudit('zz')).toEqual([]);
      }),
    );

    it(
      'chains the audit log, also when many entries are appended at once',
      withJournal(async (journal) => {
        await journal.createCampaign(campaign(), []);
        await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            journal.audit({
              at: at(index),
              actor: `actor-${index % 3}`,
              action: 'pause',
              campaignId: 'c1',
              detail: { index },
            }),
          ),
        );
        const log = (await journal.auditLog?.()) ?? [];
        expect(log.map((entry) => entry.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(verifyAuditChain(log)).toMatchObject({ ok: true, count: 20 });
        const indexes = log.map((entry) => (entry.detail as { index: number }).index);
        expect(new Set(indexes).size).toBe(20);
        expect(await journal.check()).toEqual([]);
      }),
    );

    it(
      'lists campaigns in the order they were created',
      withJournal(async (journal) => {
        for (const id of ['b', 'a', 'c']) await journal.createCampaign(campaign(id), []);
        expect((await journal.listCampaigns()).map((record) => record.id)).toEqual(['b', 'a', 'c']);
      }),
    );

    it(
      'names the delivery that made a post: the first that recorded it, on that account',
      withJournal(async (journal) => {
        if (journal.ownerOfPost === undefined) return;
        await journal.createCampaign(campaign('first'), [delivery('p', 'first')]);
        await journal.transition({ deliveryId: 'p', state: 'sending', at: at(1) });
        await journal.transition({
          deliveryId: 'p',
          state: 'succeeded',
          at: at(2),
          remoteId: '4900',
        });
        // A retract of that post records the same remote id on the same account.
        await journal.createCampaign(campaign('second'), [
          delivery('r', 'second', { action: 'retract', accountId: 'p/weibo' }),
          delivery('o', 'second', { accountId: 'other/weibo' }),
        ]);
        await journal.transition({
          deliveryId: 'r',
          state: 'succeeded',
          at: at(3),
          remoteId: '4900',
        });
        await journal.transition({
          deliveryId: 'o',
          state: 'succeeded',
          at: at(3),
          remoteId: '5000',
        });
        expect(await journal.ownerOfPost('p/weibo', '4900')).toEqual({
          campaignId: 'first',
          deliveryId: 'p',
        });
        expect(await journal.ownerOfPost('other/weibo', '4900')).toBeUndefined();
        expect(await journal.ownerOfPost('other/weibo', '5000')).toEqual({
          campaignId: 'second',
          deliveryId: 'o',
        });
        expect(await journal.ownerOfPost('p/weibo', 'nothing')).toBeUndefined();
      }),
    );

    it(
      'lands every one of many concurrent changes, each delivery in its order',
      withJournal(async (journal) => {
        const ids = Array.from({ length: 60 }, (_, index) => `d${index}`);
        await journal.createCampaign(
          campaign(),
          ids.map((id) => delivery(id)),
        );
        await journal.claim(ids, 'lease-1');
        await Promise.all(
          ids.map(async (deliveryId, index) => {
            await journal.transition({
              deliveryId,
              state: 'sending',
              at: at(1),
              attempt: 1,
              lease: 'lease-1',
            });
            await journal.transition({
              deliveryId,
              state: index % 3 === 0 ? 'failed' : 'succeeded',
              at: at(2),
              attempt: 1,
              lease: 'lease-1',
              ...(index % 3 === 0 ? { errorCode: 'CONTENT_REJECTED' } : { remoteId: `r${index}` }),
            });
          }),
        );
        const records = await journal.getDeliveries('c1');
        expect(records.map((record) => record.delivery.id)).toEqual(ids);
        records.forEach((record, index) => {
          expect(record.state).toBe(index % 3 === 0 ? 'failed' : 'succeeded');
          expect(record.history.map((change) => change.state)).toEqual([
            'sending',
            index % 3 === 0 ? 'failed' : 'succeeded',
          ]);
        });
        expect(await journal.check()).toEqual([]);
      }),
    );
  });

  const withOutbox = (body: (journal: Journal & JournalOutbox) => Promise<void>) =>
    withJournal(async (journal) => {
      expect(hasOutbox(journal)).toBe(true);
      if (!hasOutbox(journal)) return;
      journal.subscribeOutbox([
        { webhookId: 'cms', events: ['delivery.failed', 'campaign.settled', 'deadline.missed'] },
        { webhookId: 'ops', events: ['delivery.unconfirmed'] },
      ]);
      await body(journal);
    });

  describe(`journal outbox: ${name}`, () => {
    it(
      'appends one row per subscribed endpoint with a failed or unconfirmed delivery, none otherwise',
      withOutbox(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a'), delivery('b'), delivery('c')]);
        await journal.transition({ deliveryId: 'a', state: 'sending', at: at(1), attempt: 1 });
        await journal.transition({
          deliveryId: 'a',
          state: 'succeeded',
          at: at(2),
          remoteId: 'r1',
        });
        await journal.transition({
          deliveryId: 'b',
          state: 'failed',
          at: at(3),
          attempt: 2,
          errorCode: 'CONTENT_REJECTED',
          errorMessage: 'rejected',
        });
        await journal.transition({ deliveryId: 'c', state: 'unconfirmed', at: at(4) });
        const rows = await journal.listOutbox(100);
        expect(rows.map((row) => [row.webhookId, row.type])).toEqual([
          ['cms', 'delivery.failed'],
          ['ops', 'delivery.unconfirmed'],
        ]);
        expect(JSON.parse(rows[0]!.payload)).toEqual({
          campaignId: 'c1',
          deliveryId: 'b',
          account: 'b/weibo',
          member: 'b',
          platform: 'weibo',
          action: 'post',
          status: 'failed',
          at: at(3),
          attempt: 2,
          errorCode: 'CONTENT_REJECTED',
          errorMessage: 'rejected',
        });
        expect(rows[0]!.payload).not.toContain('text b');
        expect(rows[0]).toMatchObject({ attempts: 0, createdAt: at(3), nextAttemptAt: at(3) });
        expect(rows[0]!.id).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(rows[0]!.id).not.toBe(rows[1]!.id);
      }),
    );

    it(
      'appends campaign.settled when the campaign changes to a settled state, once per change',
      withOutbox(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.updateCampaign('c1', { state: 'aborted' });
        await journal.updateCampaign('c1', { state: 'finished' });
        await journal.updateCampaign('c1', { state: 'finished' });
        const rows = await journal.listOutbox(100);
        expect(rows.map((row) => row.type)).toEqual(['campaign.settled']);
        expect(JSON.parse(rows[0]!.payload)).toMatchObject({
          campaignId: 'c1',
          status: 'finished',
        });
      }),
    );

    it(
      'writes the row if and only if the state change commits',
      withOutbox(async (journal) => {
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.claim(['a'], 'lease-2');
        await expect(
          journal.transition({ deliveryId: 'a', state: 'failed', at: at(1), lease: 'lease-1' }),
        ).rejects.toBeInstanceOf(ReleaseHallError);
        await expect(
          journal.transition({ deliveryId: 'zz', state: 'failed', at: at(1) }),
        ).rejects.toBeInstanceOf(ReleaseHallError);
        await expect(journal.updateCampaign('nope', { state: 'finished' })).rejects.toBeInstanceOf(
          ReleaseHallError,
        );
        expect(await journal.listOutbox(100)).toEqual([]);
        await journal.transition({ deliveryId: 'a', state: 'failed', at: at(2), lease: 'lease-2' });
        const records = await journal.getDeliveries('c1');
        expect(records[0]!.state).toBe('failed');
        expect(await journal.listOutbox(100)).toHaveLength(1);
      }),
    );

    it(
      'lists due rows, records failed attempts and marks rows delivered',
      withOutbox(async (journal) => {
        await journal.addOutboxEvent('deadline.missed', { campaignId: 'c1' }, at(1));
        await journal.addOutboxEvent('deadline.missed', { campaignId: 'c2' }, at(2));
        const due = await journal.dueOutbox(at(5), 10);
        expect(due.map((row) => JSON.parse(row.payload) as unknown)).toEqual([
          { campaignId: 'c1' },
          { campaignId: 'c2' },
        ]);
        expect(await journal.dueOutbox(at(1), 10)).toHaveLength(1);
        const [first, second] = due;
        await journal.recordOutboxAttempt(first!.id, {
          at: at(5),
          nextAttemptAt: at(30),
          error: 'HTTP 503',
        });
        await journal.markOutboxDelivered(second!.id, at(6));
        await journal.markOutboxDelivered(second!.id, at(9));
        expect(await journal.dueOutbox(at(10), 10)).toEqual([]);
        const later = await journal.dueOutbox(at(31), 10);
        expect(later).toHaveLength(1);
        expect(later[0]).toMatchObject({
          id: first!.id,
          attempts: 1,
          nextAttemptAt: at(30),
          lastError: 'HTTP 503',
        });
        const all = await journal.listOutbox(10);
        expect(all.map((row) => row.id)).toEqual([first!.id, second!.id]);
        expect(all[1]).toMatchObject({ deliveredAt: at(6), attempts: 1 });
        expect(await journal.listOutbox(1)).toHaveLength(1);
        await expect(journal.markOutboxDelivered('msg_unknown', at(7))).rejects.toBeInstanceOf(
          ReleaseHallError,
        );
      }),
    );

    it(
      'appends nothing without subscriptions',
      withJournal(async (journal) => {
        if (!hasOutbox(journal)) return;
        await journal.createCampaign(campaign(), [delivery('a')]);
        await journal.transition({ deliveryId: 'a', state: 'failed', at: at(1) });
        await journal.updateCampaign('c1', { state: 'finished' });
        expect(await journal.listOutbox(10)).toEqual([]);
      }),
    );
  });

  describeInboxContract(name, make);
  describeInboxEvents(name, make);

  describe(`journal reach: ${name}`, () => {
    const reading = (
      postId: string,
      second: number,
      extra: Partial<ReachReading> = {},
    ): ReachReading => ({
      campaignId: 'c1',
      deliveryId: `d-${postId}`,
      accountId: 'a/weibo',
      platform: 'weibo',
      postId,
      reposts: second,
      comments: 2 * second,
      likes: 3 * second,
      readAt: at(second),
      ...extra,
    });

    it(
      'appends readings: a post read twice keeps both readings, oldest first',
      withJournal(async (journal) => {
        if (!hasReach(journal)) throw new Error('every journal of this package keeps reach');
        expect(await journal.listReach('c1')).toEqual([]);
        await journal.putReach([reading('100', 10), reading('200', 10)]);
        await journal.putReach([reading('100', 20)]);
        await journal.putReach([]);
        const stored = await journal.listReach('c1');
        expect(stored.map((item) => [item.postId, item.readAt])).toEqual([
          ['100', at(10)],
          ['200', at(10)],
          ['100', at(20)],
        ]);
        expect(stored[2]).toEqual({
          campaignId: 'c1',
          deliveryId: 'd-100',
          accountId: 'a/weibo',
          platform: 'weibo',
          postId: '100',
          reposts: 20,
          comments: 40,
          likes: 60,
          readAt: at(20),
        });
      }),
    );

    it(
      "lists one campaign's readings, ordered by the time read, without fields it was not given",
      withJournal(async (journal) => {
        if (!hasReach(journal)) throw new Error('every journal of this package keeps reach');
        const extra = { ...reading('300', 30, { campaignId: 'c2' }), note: 'dropped' };
        await journal.putReach([reading('100', 40), extra, reading('101', 5)]);
        expect((await journal.listReach('c1')).map((item) => item.postId)).toEqual(['101', '100']);
        const other = await journal.listReach('c2');
        expect(other).toHaveLength(1);
        expect(other[0]).not.toHaveProperty('note');
        expect(await journal.listReach('zz')).toEqual([]);
      }),
    );
  });

  describe(`journal replies: ${name}`, () => {
    const planned = (remoteId: string, text: string): ReplyRecord => ({
      key: replyKey({ platform: 'weibo', accountId: 'a/weibo', remoteId }, text),
      platform: 'weibo',
      accountId: 'a/weibo',
      memberId: 'a',
      itemRemoteId: remoteId,
      text,
      state: 'planned',
      version: 1,
      attempts: 0,
      createdAt: '2026-11-26T02:00:00.000Z',
      updatedAt: '2026-11-26T02:00:00.000Z',
    });

    it(
      'plans a reply once per key: the second plan answers the first record',
      withJournal(async (journal) => {
        if (!hasReplies(journal)) throw new Error('every journal of this package keeps replies');
        const first = planned('21', '您好，今晚地铁正常运营。');
        expect(await journal.planReply(first)).toEqual(first);
        const again = await journal.planReply({ ...first, memberId: 'other' });
        expect(again).toEqual(first);
        expect(await journal.getReply(first.key)).toEqual(first);
        expect(await journal.getReply('reply:none')).toBeUndefined();
        // The key depends on the item and the trimmed text only.
        expect(
          replyKey(
            { platform: 'weibo', accountId: 'a/weibo', remoteId: '21' },
            ' 您好，今晚地铁正常运营。 ',
          ),
        ).toBe(first.key);
        expect(
          replyKey({ platform: 'weibo', accountId: 'a/weibo', remoteId: '22' }, first.text),
        ).not.toBe(first.key);
      }),
    );

    it(
      'changes a reply only from the version read (compare-and-set), and lists in plan order',
      withJournal(async (journal) => {
        if (!hasReplies(journal)) throw new Error('every journal of this package keeps replies');
        const record = await journal.planReply(planned('21', '已转交相关部门。'));
        await journal.planReply(planned('22', '已转交相关部门。'));
        const sending = await journal.updateReply(record.key, 1, {
          state: 'sending',
          leaseUntil: '2026-11-26T02:02:00.000Z',
          countAttempt: true,
          at: '2026-11-26T02:00:01.000Z',
        });
        expect(sending).toMatchObject({ state: 'sending', version: 2, attempts: 1 });
        // A second writer that read version 1 loses.
        expect(
          await journal.updateReply(record.key, 1, {
            state: 'sending',
            at: '2026-11-26T02:00:02.000Z',
          }),
        ).toBeUndefined();
        const sent = await journal.updateReply(record.key, 2, {
          state: 'sent',
          remoteId: '4900000000000000123',
          at: '2026-11-26T02:00:03.000Z',
        });
        expect(sent).toMatchObject({ state: 'sent', version: 3, remoteId: '4900000000000000123' });
        expect(sent?.leaseUntil).toBeUndefined();
        expect(await journal.getReply(record.key)).toEqual(sent);
        expect(
          await journal.updateReply('reply:none', 1, {
            state: 'failed',
            at: '2026-11-26T02:00:04.000Z',
          }),
        ).toBeUndefined();
        const all = await journal.listReplies();
        expect(all.map((reply) => reply.itemRemoteId)).toEqual(['21', '22']);
        expect(
          (await journal.listReplies({ itemRemoteId: '22' })).map((reply) => reply.state),
        ).toEqual(['planned']);
        expect(await journal.listReplies({ accountId: 'b/weibo' })).toEqual([]);
      }),
    );
  });
}
