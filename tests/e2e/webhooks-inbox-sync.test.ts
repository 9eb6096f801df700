/**
 * `release-hall inbox sync` on a hall file with `webhooks`: the items it stores for the first time
 * write their `inbox.item` events in the journal (for a `serve` on the same journal to send), with
 * no webhook secret given; a second run writes none.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPublisher } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { runCli } from '../helpers/cli.js';
import { fastRetry } from '../helpers/fixtures.js';
import { writeSandboxFiles } from '../helpers/sandbox-files.js';

const MEMBERS = ['beijing-fabu', 'subway'];

let sandbox: HallSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('release-hall inbox sync with webhooks in the hall', () => {
  it('writes one inbox.item per new item for each endpoint subscribed to it, once', async () => {
    const hall = (await beijingHall(['weibo'])) as { members: { id: string }[] };
    hall.members = hall.members.filter((member) => MEMBERS.includes(member.id));
    const current = await startHallSandbox(hall);
    sandbox = current;
    const adapters = [createWeiboAdapter({ baseURL: current.baseURLs.weibo, rip: '203.0.113.10' })];
    const dir = mkdtempSync(join(tmpdir(), 'rh-sync-hooks-'));
    const file = join(dir, 'journal.db');
    const journal = new SqliteJournal(file);
    const report = await createPublisher({
      hall,
      adapters,
      credentials: current.credentials,
      journal,
      retry: fastRetry,
    }).publish(await beijingRebuttal(), { mode: 'original' });
    await journal.close();
    expect(report.deliveries.filter((line) => line.status !== 'succeeded')).toEqual([]);
    const postOf = new Map(report.deliveries.map((line) => [line.accountId, line.remoteId!]));
    current.weibo.platform.addComment({
      statusId: postOf.get('beijing-fabu/weibo')!,
      authorName: '市民甲',
      text: '今晚地铁运营吗？',
    });
    current.weibo.platform.addComment({
      statusId: postOf.get('subway/weibo')!,
      authorName: '市民乙',
      text: '末班车几点？',
    });

    const { hallFile, credentialsFile } = await writeSandboxFiles(dir, hall, current, adapters, {
      extra: {
        webhooks: [
          // The secrets are not in the credentials file: a sync writes events, it does not send.
          {
            id: 'cms',
            url: 'https://cms.example.gov.cn/hooks',
            events: ['inbox.item'],
            secret: 'cms-hook',
          },
          {
            id: 'ops',
            url: 'https://ops.example.gov.cn/hooks',
            events: ['delivery.failed'],
            secret: 'ops-hook',
          },
        ],
      },
    });
    const args = [
      'inbox',
      'sync',
      '--hall',
      hallFile,
      '--credentials',
      credentialsFile,
      '--journal',
      file,
      '--campaign',
      report.campaignId,
    ];

    const first = await runCli(args);
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('2 new items from 2 accounts\n');
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('0 new items from 2 accounts\n');

    const check = new SqliteJournal(file);
    try {
      const items = await check.listInbox();
      const rows = await check.listOutbox(100);
      expect(rows.map((row) => [row.webhookId, row.type, row.deliveredAt])).toEqual([
        ['cms', 'inbox.item', undefined],
        ['cms', 'inbox.item', undefined],
      ]);
      const data = rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
      expect(data.map((event) => [event.account, event.text, event.campaignId]).sort()).toEqual(
        [
          ['beijing-fabu/weibo', '今晚地铁运营吗？', report.campaignId],
          ['subway/weibo', '末班车几点？', report.campaignId],
        ].sort(),
      );
      for (const event of data) {
        const item = items.find((stored) => stored.remoteId === event.itemId);
        expect(item).toBeDefined();
        expect(event).toMatchObject({
          platform: 'weibo',
          member: item!.memberId,
          kind: 'comment',
          postId: item!.postId,
          author: { name: item!.author.name },
          at: item!.at,
          storedAt: item!.storedAt,
        });
      }
    } finally {
      await check.close();
    }
  });
});
