/**
 * Pushing to a follower tag over the WeChat sandbox: one member pushes to its `push.tag`, the lead
 * to every follower; the sandbox's records, the quota ledger and the preview agree. A tag the
 * account does not have is refused before anything is sent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Publisher,
  ReleaseHallError,
  createPublisher,
  formatPreviewTable,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry } from '../helpers/fixtures.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';

let sandbox: HallSandbox | undefined;
const journals: SqliteJournal[] = [];
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  for (const journal of journals.splice(0)) await journal.close();
});

interface HallShape {
  members: {
    id: string;
    accounts: { wechat: { appid: string; push?: { tag: string | number } } };
  }[];
}

const TAG = { name: '区县干部', id: 101, followers: 1234 } as const;
const PUSHERS = ['beijing-fabu', 'haidian'];

/** The Beijing hall on WeChat, haidian pushing to `tag`; a sandbox with the tag seeded. */
async function setup(tag: string | number | null = TAG.name): Promise<{
  hall: HallShape;
  sandbox: HallSandbox;
  appid: (memberId: string) => string;
  index: number;
  open: () => Publisher;
}> {
  const hall = (await beijingHall(['wechat'])) as HallShape;
  const index = hall.members.findIndex((member) => member.id === 'haidian');
  if (tag !== null) hall.members[index]!.accounts.wechat.push = { tag };
  sandbox = await startHallSandbox(hall, { wechat: { latency: { fixedMs: 1 } } });
  const appid = (memberId: string): string =>
    hall.members.find((member) => member.id === memberId)!.accounts.wechat.appid;
  sandbox.wechat!.platform.addTag(appid('haidian'), TAG);
  const file = join(mkdtempSync(join(tmpdir(), 'rh-wechat-tag-')), 'journal.db');
  const current = sandbox;
  const open = (): Publisher => {
    const journal = new SqliteJournal(file);
    journals.push(journal);
    return createPublisher({
      hall,
      adapters: [
        createWechatAdapter({
          baseURL: current.baseURLs.wechat,
          publishPoll: { intervalsMs: [1, 2, 4, 8] },
          limits: { requestTimeoutMs: 10_000 },
        }),
      ],
      credentials: current.credentials,
      journal,
      retry: { ...fastRetry, retries: 1, maxRateLimitWaitMs: 5 },
    });
  };
  return { hall, sandbox, appid, index, open };
}

const campaign = {
  mode: 'original',
  selection: { members: PUSHERS },
  push: { policy: 'push', members: PUSHERS, spendLast: true },
} as const;

describe('WeChat over the sandbox: pushing to a follower tag', () => {
  it('one member pushes to its tag, the lead to everyone; the ledger counts both; the preview names the tag', async () => {
    const { sandbox, appid, open } = await setup();
    const platform = sandbox.wechat!.platform;
    const publisher = open();

    const preview = await publisher.preview(await beijingRebuttal(), campaign);
    expect(preview.refusals).toEqual([]);
    const noteOf = (deliveries: readonly { accountId: string; note?: string }[], member: string) =>
      deliveries.find((delivery) => delivery.accountId === `${member}/wechat`)?.note;
    expect(noteOf(preview.deliveries, 'haidian')).toBe(
      'push to tag 区县干部 (id 101), 1,234 followers: 1 of 1 pushes left today',
    );
    expect(noteOf(preview.deliveries, 'beijing-fabu')).toMatch(/^push: 1 of 1 pushes left today/);
    expect(formatPreviewTable(preview.table)).toContain(
      'push to tag 区县干部 (id 101), 1,234 followers',
    );
    // The preview sent nothing.
    expect(platform.massSends(appid('haidian'))).toEqual([]);

    const report = await publisher.publish(await beijingRebuttal(), {
      ...campaign,
      campaignId: 'wx-tag-1',
    });
    expect(
      report.deliveries.map(({ accountId, action, status }) => [accountId, action, status]),
    ).toEqual(
      expect.arrayContaining([
        ['beijing-fabu/wechat', 'push', 'succeeded'],
        ['haidian/wechat', 'push', 'succeeded'],
      ]),
    );
    expect(report.deliveries).toHaveLength(2);

    // The sandbox's records: the tag push reached the tag's followers only.
    const [tagged] = platform.massSends(appid('haidian'));
    expect(platform.massSends(appid('haidian'))).toHaveLength(1);
    expect(tagged).toMatchObject({ toAll: false, tagId: 101, msgtype: 'mpnews' });
    expect(tagged?.recipients).toEqual(platform.tags(appid('haidian'))[1]?.followers);
    expect(tagged?.recipients).toHaveLength(1234);
    const [toAll] = platform.massSends(appid('beijing-fabu'));
    expect(toAll).toMatchObject({ toAll: true, tagId: undefined, recipients: undefined });

    // The quota ledger counts both pushes: neither account has a push left today.
    const after = await open().preview(await beijingRebuttal(), campaign);
    for (const member of PUSHERS) {
      expect(noteOf(after.deliveries, member)).toMatch(
        /^not pushed: no push left today \(1 of 1 used/,
      );
    }
    expect(platform.pushesUsed(appid('haidian'))).toBe(1);
  });

  it('a tag given by its id is sent as it is; the preview still names it and counts its followers', async () => {
    const { sandbox, appid, open } = await setup(101);
    const preview = await open().preview(await beijingRebuttal(), campaign);
    expect(
      preview.deliveries.find((delivery) => delivery.accountId === 'haidian/wechat')?.note,
    ).toMatch(/^push to tag 区县干部 \(id 101\), 1,234 followers: /);
    await open().publish(await beijingRebuttal(), { ...campaign, campaignId: 'wx-tag-2' });
    expect(sandbox.wechat!.platform.massSends(appid('haidian'))[0]).toMatchObject({ tagId: 101 });
  });

  it('an unknown tag is refused before anything is sent, naming the field and the fix', async () => {
    const { sandbox, index, open } = await setup('区县领导');
    const platform = sandbox.wechat!.platform;
    const publisher = open();
    let refused: unknown;
    try {
      await publisher.publish(await beijingRebuttal(), { ...campaign, campaignId: 'wx-tag-3' });
    } catch (error) {
      refused = error;
    }
    expect(ReleaseHallError.isInstance(refused)).toBe(true);
    const error = refused as ReleaseHallError;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe(`members[${index}].accounts.wechat.push.tag`);
    expect(error.issues[0]?.message).toMatch(
      /^no tag is named "区县领导" on this WeChat account \(the account's tags: 星标组 \(id 2\), 区县干部 \(id 101\)\): use one of these names or ids, or create the tag/,
    );
    // Only reads: a token and tags/get. No draft, no upload, no send.
    const endpoints = Object.keys(platform.counts().byEndpoint).sort();
    expect(endpoints.every((endpoint) => ['stable_token', 'tags/get'].includes(endpoint))).toBe(
      true,
    );
    expect(await publisher.journal.getDeliveries('wx-tag-3')).toEqual([]);

    // The preview shows the same refusal.
    const preview = await publisher.preview(await beijingRebuttal(), campaign);
    expect(preview.refusals.map((issue) => issue.path)).toEqual([
      `members[${index}].accounts.wechat.push.tag`,
    ]);
  });

  it("the campaign's push tag applies to every account that pushes, and is journaled with the delivery", async () => {
    const { sandbox, appid, open } = await setup(null);
    const platform = sandbox.wechat!.platform;
    const tagged = {
      mode: 'original' as const,
      selection: { members: ['haidian'] },
      push: { policy: 'push' as const, spendLast: true, tag: '区县干部' },
    };
    const publisher = open();
    const preview = await publisher.preview(await beijingRebuttal(), tagged);
    expect(preview.refusals).toEqual([]);
    expect(preview.deliveries[0]?.note).toBe(
      'push to tag 区县干部 (id 101), 1,234 followers: 1 of 1 pushes left today',
    );
    const report = await publisher.publish(await beijingRebuttal(), {
      ...tagged,
      campaignId: 'wx-tag-4',
    });
    expect(report.deliveries[0]).toMatchObject({ action: 'push', status: 'succeeded' });
    expect(platform.massSends(appid('haidian'))[0]).toMatchObject({ toAll: false, tagId: 101 });
    const [record] = await publisher.journal.getDeliveries('wx-tag-4');
    expect(record?.delivery.pushTag).toBe('区县干部');
  });

  it('an unknown campaign push tag is refused on push.tag, naming the account; with policy publish it is refused outright', async () => {
    const { sandbox, open } = await setup(null);
    const publisher = open();
    const refusal = async (push: object): Promise<ReleaseHallError> => {
      try {
        await publisher.publish(await beijingRebuttal(), {
          mode: 'original',
          selection: { members: ['haidian'] },
          push,
        });
      } catch (error) {
        if (ReleaseHallError.isInstance(error)) return error;
        throw error;
      }
      throw new Error('expected a refusal');
    };
    const unknown = await refusal({ policy: 'push', spendLast: true, tag: 7 });
    expect(unknown.issues).toHaveLength(1);
    expect(unknown.issues[0]?.path).toBe('push.tag');
    expect(unknown.issues[0]?.message).toMatch(
      /^account "haidian\/wechat": no tag has the id 7 on this WeChat account/,
    );
    const publishOnly = await refusal({ policy: 'publish', tag: '区县干部' });
    expect(publishOnly.issues[0]).toMatchObject({ path: 'push.tag' });
    expect(publishOnly.issues[0]?.message).toMatch(/the push policy is "publish"/);
    expect(sandbox.wechat!.platform.counts().massSends).toBe(0);
  });
});
