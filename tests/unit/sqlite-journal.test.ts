import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CampaignRecord,
  type Journal,
  type JournalDelivery,
  MemoryJournal,
} from 'release-hall';
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

const campaign: CampaignRecord = {
  id: 'c1',
  hallId: 'hall',
  mode: 'original',
  relayFallback: 'original',
  createdAt: '2026-11-26T01:30:00.000Z',
  state: 'running',
  statement: { kind: 'announcement' },
};

function stores(): [string, () => Journal][] {
  const dir = mkdtempSync(join(tmpdir(), 'rh-journal-'));
  let n = 0;
  return [
    ['memory', () => new MemoryJournal()],
    ['sqlite', () => new SqliteJournal(join(dir, `journal-${n++}.db`))],
  ];
}

describe.each(stores())('%s journal', (_name, make) => {
  it('records campaigns, deliveries and every state change in order', async () => {
    const journal = make();
    await journal.createCampaign(campaign, [delivery('a'), delivery('b')]);
    await journal.claim(['a', 'b'], 'lease-1');
    await journal.transition({
      deliveryId: 'a',
      state: 'sending',
      at: '2026-11-26T01:30:01.000Z',
      attempt: 1,
      lease: 'lease-1',
    });
    await journal.transition({
      deliveryId: 'a',
      state: 'succeeded',
      at: '2026-11-26T01:30:02.000Z',
      attempt: 1,
      remoteId: '4900000000000000001',
      lease: 'lease-1',
    });
    const records = await journal.getDeliveries('c1');
    expect(records.map((record) => record.state)).toEqual(['succeeded', 'planned']);
    expect(records[0]).toMatchObject({
      remoteId: '4900000000000000001',
      attempts: 1,
      firstAttemptAt: '2026-11-26T01:30:01.000Z',
    });
    expect(records[0]?.history.map((change) => change.state)).toEqual(['sending', 'succeeded']);
    expect(await journal.check()).toEqual([]);
    await journal.close();
  });

  it('refuses a late write from a run whose lease was taken over', async () => {
    const journal = make();
    await journal.createCampaign(campaign, [delivery('a')]);
    await journal.claim(['a'], 'old');
    await journal.transition({
      deliveryId: 'a',
      state: 'sending',
      at: '2026-11-26T01:30:01.000Z',
      lease: 'old',
    });
    await journal.claim(['a'], 'new');
    await expect(
      journal.transition({
        deliveryId: 'a',
        state: 'failed',
        at: '2026-11-26T01:30:05.000Z',
        lease: 'old',
      }),
    ).rejects.toBeInstanceOf(StaleLeaseError);
    await journal.transition({
      deliveryId: 'a',
      state: 'reconciled',
      at: '2026-11-26T01:30:06.000Z',
      lease: 'new',
      remoteId: '7',
    });
    expect((await journal.getDeliveries('c1'))[0]?.state).toBe('reconciled');
    await journal.close();
  });

  it('keeps pauses, runners and the audit trail', async () => {
    const journal = make();
    await journal.createCampaign(campaign, [delivery('a')]);
    await journal.updateCampaign('c1', {
      pause: { reason: '核实中', actor: 'duty', at: 'now', groups: ['districts'] },
    });
    expect((await journal.getCampaign('c1'))?.pause?.groups).toEqual(['districts']);
    await journal.updateCampaign('c1', { pause: null, state: 'finished' });
    expect(await journal.getCampaign('c1')).toMatchObject({ state: 'finished' });
    expect((await journal.getCampaign('c1'))?.pause).toBeUndefined();
    await journal.audit({
      at: 'now',
      actor: 'duty',
      action: 'pause',
      campaignId: 'c1',
      detail: { reason: '核实中' },
    });
    expect(await journal.getAudit('c1')).toHaveLength(1);
    await expect(journal.createCampaign(campaign, [])).rejects.toThrow(/already in the journal/);
    await journal.close();
  });
});

describe('SqliteJournal on disk', () => {
  it('survives a reopen with every state and the history', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rh-journal-')), 'nested', 'journal.db');
    const first = new SqliteJournal(file);
    await first.createCampaign(campaign, [delivery('a')]);
    await first.transition({
      deliveryId: 'a',
      state: 'sending',
      at: '2026-11-26T01:30:01.000Z',
      attempt: 1,
    });
    await first.close();
    const second = new SqliteJournal(file);
    const [record] = await second.getDeliveries('c1');
    expect(record?.state).toBe('sending');
    expect(record?.delivery.rendition).toEqual(delivery('a').rendition);
    expect(await second.listCampaigns()).toHaveLength(1);
    expect(await second.check()).toEqual([]);
    await second.close();
  });
});
