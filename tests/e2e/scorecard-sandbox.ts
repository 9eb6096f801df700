/**
 * A hall's month over the Weibo sandbox, for the scorecard and report tests: four members whose
 * accounts last posted 40 days before; a relay campaign in which m3's repost is refused (a
 * permission error), citizens comment on the posts, reach is collected twice an hour and a half
 * apart, the inbox is synced and one comment is answered. Journaled in SQLite, with the hall and
 * credentials files the CLI reads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import {
  type CampaignReport,
  type HallInput,
  type ResolvedHall,
  collectReach,
  createPublisher,
  hasInbox,
  replyToItem,
  resolveHall,
  syncInbox,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { type WeiboAdapter, createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';

/** Markup in a member's name and a citizen's: it must stay text in every page. */
export const HOSTILE = `<img src=x onerror="document.body.dataset.ran='yes'">`;

const DAY = 86_400_000;

export const scorecardHall: HallInput = {
  id: 'score-hall',
  name: '测试考核发布厅',
  lead: 'lead',
  site: { domain: 'www.example.gov.cn' },
  check: { dormantDays: 30 },
  members: [
    ['lead', '测试发布', '2418700011', '测试发布新闻办'],
    ['m1', '单位一', '2418700012', '单位一新闻办'],
    ['m2', '单位二', '2418700013', `单位二${HOSTILE}`],
    ['m3', '单位三', '2418700014', '单位三新闻办'],
  ].map(([id, handle, uid, name]) => ({
    id: id!,
    name: name!,
    shortName: handle!,
    accounts: { weibo: { handle: handle!, uid: uid!, credentials: `cred-${id!}` } },
  })),
};

export const tokenFor = (ref: string): string => `2.00sandbox-token-${ref}`;

/** What the world holds. */
export interface ScorecardWorld {
  readonly sandbox: HallSandbox;
  readonly adapter: WeiboAdapter;
  readonly hall: ResolvedHall;
  readonly dir: string;
  readonly journalFile: string;
  readonly hallFile: string;
  readonly credentialsFile: string;
  readonly report: CampaignReport;
  readonly postOf: ReadonlyMap<string, string>;
  /** The start of the period: a day before the campaign. */
  readonly since: Date;
}

/** Builds the world (see the module comment). Close `sandbox` when done. */
export async function scorecardWorld(): Promise<ScorecardWorld> {
  const since = new Date(Date.now() - DAY);
  const sandbox = await startHallSandbox(scorecardHall, { tokenFor, lastPostAgeMs: 40 * DAY });
  const platform = sandbox.weibo.platform;
  // Followers as users/show reports them to each account itself.
  platform.setFollowers('2418700011', 1_250_000);
  platform.setFollowers('2418700012', 48_210);
  const adapter = createWeiboAdapter({
    baseURL: sandbox.baseURLs.weibo,
    rip: '203.0.113.10',
    limits: { requestTimeoutMs: 2_000 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'rh-scorecard-'));
  const journalFile = join(dir, 'journal.db');
  const journal = new SqliteJournal(journalFile);
  try {
    platform.injectFault({
      kind: 'error-before-apply',
      endpoint: 'statuses/repost',
      uid: '2418700014',
      errorCode: 10014,
      status: 403,
    });
    const publisher = createPublisher({
      hall: scorecardHall,
      adapters: [adapter],
      credentials: sandbox.credentials,
      journal,
      retry: fastRetry,
    });
    const report = await publisher.publish(rebuttal, { mode: 'relay' });
    expect(report.counts).toMatchObject({ succeeded: 3, failed: 1 });
    const postOf = new Map(
      report.deliveries.flatMap((line) =>
        line.remoteId === undefined ? [] : [[line.accountId, line.remoteId] as const],
      ),
    );
    const leadPost = postOf.get('lead/weibo')!;
    platform.addComment({ statusId: leadPost, authorName: '市民甲', text: '收到' });
    platform.addComment({
      statusId: leadPost,
      authorName: HOSTILE,
      text: `请问何时恢复？${HOSTILE}`,
    });
    platform.addComment({ statusId: postOf.get('m1/weibo')!, authorName: '市民丙', text: '好' });
    platform.setAttitudes(leadPost, 41);

    const hall = resolveHall(scorecardHall, [adapter]);
    const options = {
      hall,
      adapters: [adapter],
      credentials: sandbox.credentials,
      journal,
      campaignId: report.campaignId,
    };
    await collectReach(options);
    // An hour and a half later: more likes and a comment, read again (only the clock is moved).
    platform.setAttitudes(leadPost, 58);
    platform.addComment({ statusId: postOf.get('m1/weibo')!, authorName: '市民丁', text: '谢谢' });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 90 * 60_000 });
    try {
      await collectReach(options);
    } finally {
      vi.useRealTimers();
    }

    await syncInbox({ hall, adapters: [adapter], credentials: sandbox.credentials, journal });
    if (!hasInbox(journal)) throw new Error('the SQLite journal keeps an inbox');
    const first = (await journal.listInbox({ memberId: 'lead' })).find(
      (item) => item.text === '收到',
    );
    if (first === undefined) throw new Error('the comment was not synced');
    await replyToItem({
      hall,
      adapters: [adapter],
      credentials: sandbox.credentials,
      journal,
      itemId: first.remoteId,
      text: '感谢关注，以官方通报为准。',
    });

    const hallFile = join(dir, 'hall.json');
    writeFileSync(
      hallFile,
      JSON.stringify({
        ...scorecardHall,
        platforms: { weibo: { baseURL: sandbox.baseURLs.weibo } },
      }),
    );
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(
      credentialsFile,
      JSON.stringify(
        Object.fromEntries(
          scorecardHall.members.map((member) => [
            `cred-${member.id}`,
            { access_token: tokenFor(`cred-${member.id}`) },
          ]),
        ),
      ),
      { mode: 0o600 },
    );
    return {
      sandbox,
      adapter,
      hall,
      dir,
      journalFile,
      hallFile,
      credentialsFile,
      report,
      postOf,
      since,
    };
  } catch (error) {
    await sandbox.close();
    throw error;
  } finally {
    await journal.close();
  }
}
