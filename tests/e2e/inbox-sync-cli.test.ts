/**
 * `release-hall inbox sync` as a press office runs it, over the sandboxes of a hall with Weibo,
 * Tencent Weibo and WeChat accounts: comments on the campaign's posts are read into the journal
 * once (a second run adds nothing), one progress line per read account, and a note that WeChat
 * messages come through `serve` instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPublisher, hasInbox } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
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

describe('release-hall inbox sync', () => {
  it('reads Weibo and Tencent comments once, line by line, and says where WeChat messages come from', async () => {
    const hall = (await beijingHall(['weibo', 'tencent', 'wechat'])) as {
      members: { id: string }[];
    };
    hall.members = hall.members.filter((member) => MEMBERS.includes(member.id));
    const current = await startHallSandbox(hall);
    sandbox = current;
    const adapters = [
      createWeiboAdapter({ baseURL: current.baseURLs.weibo, rip: '203.0.113.10' }),
      createTencentAdapter({
        baseURL: current.baseURLs.tencent,
        appKey: '801000000',
        clientIp: '203.0.113.10',
      }),
      createWechatAdapter({ baseURL: current.baseURLs.wechat, publishPoll: { intervalsMs: [1] } }),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'rh-sync-cli-'));
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
    current.tencent!.platform.addComment({
      postId: postOf.get('subway/tencent')!,
      author: 'shimin_c',
      text: '请问换乘站开放吗？',
    });

    // The files an operator keeps: the hall pointing at the sandboxes, and the secrets.
    const { hallFile, credentialsFile, secrets } = await writeSandboxFiles(
      dir,
      hall,
      current,
      adapters,
      { settings: { tencent: { appKey: '801000000', clientIp: '203.0.113.10' } } },
    );
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
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('3 new items from 4 accounts\n');
    const lines = first.stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('read '))).toHaveLength(4);
    expect(lines).toContain(
      "note: 2 wechat accounts are not read by a sync: their followers' messages reach the inbox through release-hall serve (docs/wechat-service.md)",
    );
    for (const secret of Object.values(secrets).flatMap((fields) => Object.values(fields))) {
      expect(first.stderr + first.stdout).not.toContain(secret);
    }

    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('0 new items from 4 accounts\n');

    const check = new SqliteJournal(file);
    try {
      if (!hasInbox(check)) throw new Error('the SQLite journal keeps an inbox');
      const items = await check.listInbox();
      expect(items.map((item) => [item.accountId, item.text, item.campaignId]).sort()).toEqual(
        [
          ['beijing-fabu/weibo', '今晚地铁运营吗？', report.campaignId],
          ['subway/tencent', '请问换乘站开放吗？', report.campaignId],
          ['subway/weibo', '末班车几点？', report.campaignId],
        ].sort(),
      );
    } finally {
      await check.close();
    }
  });
});
