/**
 * The crash test on Tencent Weibo and WeChat: a campaign in a child process is killed with SIGKILL
 * at seeded moments (at random progress, or exactly when the server has applied a write and holds
 * its answer), resumed from the journal, and checked against the server's own record. On WeChat
 * every account pushes to its followers, so "never twice" is about the mass send itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Adapter, createPublisher } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import {
  type TencentSandbox,
  type WechatSandbox,
  startTencentSandbox,
  startWechatSandbox,
} from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { campaignChild, random, root, waitFor } from './harness.js';

const RUNS = Number(process.env.RH_FAULT_PLATFORM_RUNS ?? 10);
const child = campaignChild('platform-child');
const MEMBERS = 11;
const cover = join(root, 'examples', 'beijing-hall', 'cover.jpg');

const ids = Array.from({ length: MEMBERS + 1 }, (_, index) => (index === 0 ? 'lead' : `m${index}`));
const secretOf = (id: string): string => `secret-${id}-0123456789abcdef`;
const openidOf = (index: number): string => `A${String(index).padStart(31, '0')}`;
const appidOf = (index: number): string => `wx${String(index).padStart(16, '0')}`;

/** What the test needs of one platform's fake. */
interface Target {
  readonly url: string;
  /** The same platform, served on a port only the killed child uses. */
  readonly childUrl: string;
  /** Account keys on the fake, in member order. */
  readonly keys: readonly string[];
  reset(): void;
  clearFaults(): void;
  /** Connections open on the child's port (a killed client's stay open until its requests are carried out). */
  openConnections(): number;
  /** Holds back the answer to the next write of this account after applying it. */
  holdAfterApply(key: string): void;
  /** Writes the fake holds per account (posts, relays, articles, pushes). */
  writesPerAccount(): Map<string, number>;
  /** Moves the fake's clock (WeChat refuses a repeated push within 60 s). */
  advance(ms: number): void;
  adapter(): Adapter;
  readonly field: string;
}

function hallFor(platform: 'tencent' | 'wechat'): unknown {
  return {
    id: 'crash-hall',
    name: '测试发布厅',
    lead: 'lead',
    site: { domain: 'www.example.gov.cn' },
    members: ids.map((id, index) => ({
      id,
      name: `单位${index}`,
      accounts: {
        [platform]:
          platform === 'tencent'
            ? { handle: `unit${index}`, openid: openidOf(index), credentials: `c-${id}` }
            : {
                handle: `单位${index}`,
                appid: appidOf(index),
                kind: 'service',
                credentials: `c-${id}`,
              },
      },
    })),
  };
}

let tencent: TencentSandbox;
let wechat: WechatSandbox;
// The killed child talks to servers of its own over the same platform state, so "no connection
// open" on them means every request it sent has been carried out (the resume uses the others).
let tencentForChild: TencentSandbox;
let wechatForChild: WechatSandbox;
beforeAll(async () => {
  await child.bundle();
  // A real platform's duplicate check is a narrow window, not a guarantee: off here, so only the
  // library's own look-up before a re-send can keep a post from going out twice.
  tencent = await startTencentSandbox({ refuseRepeats: false });
  ids.forEach((id, index) => {
    tencent.platform.addAccount({
      openid: openidOf(index),
      name: `unit${index}`,
      accessToken: secretOf(id),
      appKey: '801000000',
    });
  });
  wechat = await startWechatSandbox();
  tencentForChild = await startTencentSandbox({ platform: tencent.platform });
  wechatForChild = await startWechatSandbox({ platform: wechat.platform });
  ids.forEach((id, index) => {
    wechat.platform.addAccount({
      appid: appidOf(index),
      secret: secretOf(id),
      kind: 'service',
      pushQuota: 1000,
    });
  });
});
afterAll(async () => {
  await tencent.close();
  await wechat.close();
  await tencentForChild.close();
  await wechatForChild.close();
});

type Platform = 'tencent' | 'wechat' | 'wechat-article';

const targets: Record<Platform, () => Target> = {
  tencent: () => ({
    url: tencent.url,
    childUrl: tencentForChild.url,
    keys: ids.map((_, index) => openidOf(index)),
    reset: () => tencent.platform.reset(),
    openConnections: () => tencentForChild.openConnections(),
    clearFaults: () => tencent.platform.clearFaults(),
    holdAfterApply: (key) =>
      tencent.platform.injectFault({ kind: 'timeout-after-apply', openid: key, hangMs: 20_000 }),
    writesPerAccount: () => {
      const counts = new Map<string, number>();
      for (const tweet of tencent.platform.allPosts())
        counts.set(tweet.openid, (counts.get(tweet.openid) ?? 0) + 1);
      return counts;
    },
    advance: () => undefined,
    adapter: () =>
      createTencentAdapter({
        baseURL: tencent.url,
        appKey: '801000000',
        clientIp: '203.0.113.10',
        limits: { requestTimeoutMs: 2_000 },
      }),
    field: 'access_token',
  }),
  wechat: () => ({
    url: wechat.url,
    childUrl: wechatForChild.url,
    keys: ids.map((_, index) => appidOf(index)),
    reset: () => wechat.platform.reset(),
    openConnections: () => wechatForChild.openConnections(),
    clearFaults: () => wechat.platform.clearFaults(),
    holdAfterApply: (key) =>
      wechat.platform.injectFault({
        kind: 'timeout-after-apply',
        appid: key,
        endpoint: 'message/mass/sendall',
      }),
    writesPerAccount: () => {
      const counts = new Map<string, number>();
      for (const [index] of ids.entries()) {
        const sends = wechat.platform.massSends(appidOf(index)).length;
        if (sends > 0) counts.set(appidOf(index), sends);
      }
      return counts;
    },
    advance: (ms) => wechat.platform.advanceClock(ms),
    adapter: () =>
      createWechatAdapter({
        baseURL: wechat.url,
        publishPoll: { intervalsMs: [1, 2, 4, 8, 16] },
        limits: { requestTimeoutMs: 2_000 },
      }),
    field: 'secret',
  }),
  // The article path: draft/add → freepublish/submit → publish_id, killed around the submit.
  'wechat-article': () => ({
    ...targets.wechat(),
    holdAfterApply: (key) =>
      wechat.platform.injectFault({
        kind: 'timeout-after-apply',
        appid: key,
        endpoint: 'freepublish/submit',
      }),
    writesPerAccount: () => {
      const counts = new Map<string, number>();
      for (const [index] of ids.entries()) {
        const published = wechat.platform.articles(appidOf(index)).length;
        if (published > 0) counts.set(appidOf(index), published);
      }
      return counts;
    },
  }),
};

async function crashRun(platform: Platform, seed: number): Promise<number> {
  const target = targets[platform]();
  const next = random(seed * 7919);
  target.reset();
  const atApply = seed % 2 === 0;
  const victim = target.keys[Math.floor(next() * target.keys.length)]!;
  const killAfter = Math.floor(next() * (target.keys.length - 1));
  if (atApply) target.holdAfterApply(victim);
  const journalFile = join(mkdtempSync(join(tmpdir(), `rh-${platform}-crash-`)), 'journal.db');
  const campaignId = `${platform}-crash-${seed}`;
  const hall = hallFor(platform === 'tencent' ? 'tencent' : 'wechat');
  const tokens = Object.fromEntries(ids.map((id) => [`c-${id}`, secretOf(id)]));
  const run = child.start({
    RH_PLATFORM: platform === 'tencent' ? 'tencent' : 'wechat',
    RH_WECHAT_ARTICLES: platform === 'wechat-article' ? '1' : '0',
    RH_BASE_URL: target.childUrl,
    RH_JOURNAL: journalFile,
    RH_HALL: JSON.stringify(hall),
    RH_TOKENS: JSON.stringify(tokens),
    RH_STATEMENT: JSON.stringify({ ...rebuttal, images: [cover] }),
    RH_CAMPAIGN: campaignId,
    RH_ACTION: 'publish',
  });
  await run.planned;
  if (atApply) await waitFor(() => (target.writesPerAccount().get(victim) ?? 0) > 0, 10_000);
  else {
    await waitFor(
      () => [...target.writesPerAccount().values()].reduce((a, b) => a + b, 0) >= killAfter,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 6)));
  }
  await run.kill();
  // The fake's clock moves only once every request the child had sent is carried out: a request
  // still being read would otherwise land after the jump, and a repeat a second later would be
  // refused as too fast (45066) by a platform whose clock says a minute has passed.
  expect(await waitFor(() => target.openConnections() === 0, 10_000)).toBe(true);
  const before = [...target.writesPerAccount().values()].reduce((a, b) => a + b, 0);
  target.clearFaults();
  target.advance(61_000);

  const journal = new SqliteJournal(journalFile);
  try {
    expect(await journal.check()).toEqual([]);
    const publisher = createPublisher({
      hall,
      adapters: [target.adapter()],
      credentials: ({ ref }) =>
        tokens[ref] === undefined ? undefined : { [target.field]: tokens[ref] },
      journal,
      retry: { ...fastRetry, maxRateLimitWaitMs: 5 },
    });
    const report = await publisher.resume(campaignId, { force: true });
    const counts = target.writesPerAccount();
    for (const [key, count] of counts)
      expect(count, `${platform} seed ${seed}: ${key} written ${count} times`).toBe(1);
    for (const result of report.deliveries) {
      expect(
        ['succeeded', 'unconfirmed'],
        `${platform} seed ${seed}: ${result.accountId} ${result.errorMessage ?? ''}`,
      ).toContain(result.status);
    }
    // Both platforms can tell whether a write landed (Tencent's timeline, WeChat's push id), so
    // nothing is left unconfirmed: every account holds its write exactly once.
    expect(
      report.deliveries
        .filter((result) => result.status === 'unconfirmed')
        .map((result) => `${result.accountId}: ${result.errorMessage ?? ''}`),
      `${platform} seed ${seed}`,
    ).toEqual([]);
    expect(counts.size, `${platform} seed ${seed}`).toBe(target.keys.length);
    expect(await journal.check()).toEqual([]);
    return before;
  } finally {
    await journal.close();
  }
}

describe.each(['tencent', 'wechat', 'wechat-article'] as const)(
  'SIGKILL and resume on %s',
  (platform) => {
    it(`${RUNS} seeded runs: nothing lost, nothing written twice`, async () => {
      const before: number[] = [];
      for (let seed = 1; seed <= RUNS; seed++) before.push(await crashRun(platform, seed));
      // the kills landed mid-campaign
      expect(before.some((count) => count > 0 && count < MEMBERS + 1)).toBe(true);
    }, 300_000);
  },
);
