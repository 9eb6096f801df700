import { afterEach, describe, expect, it } from 'vitest';
import { type CampaignReport, createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry } from '../helpers/fixtures.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';

let sandbox: HallSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function publishBeijing(
  mode: 'relay' | 'original',
  prepare?: (sandbox: HallSandbox) => void,
): Promise<{ report: CampaignReport; sandbox: HallSandbox }> {
  const hall = await beijingHall();
  sandbox = await startHallSandbox(hall, {
    weibo: { latency: { fixedMs: 2, jitterMs: 3, seed: 1 } },
  });
  prepare?.(sandbox);
  const publisher = createPublisher({
    hall,
    adapters: [
      createWeiboAdapter({
        baseURL: sandbox.baseURLs.weibo,
        rip: '203.0.113.10',
        rateLimitRetryAfterMs: 20,
        limits: { requestTimeoutMs: 10_000 },
      }),
    ],
    credentials: sandbox.credentials,
    retry: fastRetry,
  });
  const report = await publisher.publish(await beijingRebuttal(), { mode });
  return { report, sandbox };
}

describe('the Beijing hall over the Weibo sandbox', () => {
  it('relay: 北京发布 posts once and all 71 members relay it once', async () => {
    const { report, sandbox } = await publishBeijing('relay');
    expect(report.counts).toEqual({
      total: 72,
      succeeded: 72,
      failed: 0,
      skipped: 0,
      unconfirmed: 0,
    });
    const platform = sandbox.weibo.platform;
    const leadPosts = platform.livePostsOf('2418724427');
    expect(leadPosts).toHaveLength(1);
    expect(leadPosts[0]?.kind).toBe('original');
    expect(leadPosts[0]?.text).toContain('https://www.beijing.gov.cn/');
    const all = platform.allPosts();
    expect(all).toHaveLength(72);
    const reposts = all.filter((post) => post.kind === 'repost');
    expect(reposts).toHaveLength(71);
    expect(reposts.every((post) => post.sourceId === leadPosts[0]?.id)).toBe(true);
    expect(new Set(all.map((post) => post.uid)).size).toBe(72);
    // ids stay exact strings above 2^53
    const lead = report.deliveries.find((delivery) => delivery.accountId === 'beijing-fabu/weibo');
    expect(lead?.remoteId).toBe(leadPosts[0]?.id);
    expect(BigInt(lead?.remoteId ?? '0') > 2n ** 53n).toBe(true);
    expect(lead?.url).toBe(`https://weibo.com/2418724427/${leadPosts[0]?.id}`);
    expect(report.firstPostMs).toBeLessThanOrEqual(report.lastPostMs ?? 0);
  });

  it('original: every account posts its own share with its own prefix and the safe-domain link', async () => {
    const { report, sandbox } = await publishBeijing('original');
    expect(report.counts.succeeded).toBe(72);
    const posts = sandbox.weibo.platform.allPosts();
    expect(posts).toHaveLength(72);
    expect(
      posts.every((post) => post.kind === 'original' && post.endpoint === 'statuses/share'),
    ).toBe(true);
    expect(
      posts.find(
        (post) =>
          post.uid ===
          sandbox.weibo.platform.accounts().find((a) => a.screenName === '海淀发布')?.uid,
      )?.text,
    ).toMatch(/^【海淀发布】/);
  });

  it('faults over HTTP: drop after apply, 5xx, truncated reply, HTML page: every account posted exactly once', async () => {
    const { report, sandbox } = await publishBeijing('relay', (sandbox) => {
      const platform = sandbox.weibo.platform;
      const uids = platform.accounts().map((account) => account.uid);
      platform.injectFault({ kind: 'drop-after-apply', uid: uids[0]!, endpoint: 'statuses/share' });
      platform.injectFault({ kind: '5xx-before-apply', uid: uids[1]!, times: 2 });
      platform.injectFault({ kind: 'truncated-after-apply', uid: uids[2]! });
      platform.injectFault({ kind: 'html-200', uid: uids[3]! });
      platform.injectFault({ kind: 'html-200', uid: uids[4]!, applyFirst: true });
      platform.injectFault({ kind: 'drop-after-apply', uid: uids[5]! });
    });
    expect(report.deliveries.filter((d) => d.status !== 'succeeded')).toEqual([]);
    const perAccount = new Map<string, number>();
    for (const post of sandbox.weibo.platform.allPosts())
      perAccount.set(post.uid, (perAccount.get(post.uid) ?? 0) + 1);
    expect(perAccount.size).toBe(72);
    expect([...perAccount.values()].every((count) => count === 1)).toBe(true);
    const reconciled = report.deliveries.filter((delivery) => delivery.via === 'reconciled');
    expect(reconciled.length).toBeGreaterThanOrEqual(3);
  });

  it('a token that expired fails that account only, with a message that names it and no secret', async () => {
    const { report } = await publishBeijing('relay', (sandbox) => {
      const haidian = sandbox.weibo.platform
        .accounts()
        .find((account) => account.screenName === '海淀发布');
      sandbox.weibo.platform.injectFault({ kind: 'token-expired', uid: haidian!.uid, times: 5 });
    });
    const failed = report.deliveries.filter((delivery) => delivery.status !== 'succeeded');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      accountId: 'haidian/weibo',
      status: 'failed',
      errorCode: 'AUTH_EXPIRED',
    });
    expect(failed[0]?.errorMessage).toMatch(/re-authori[sz]e/);
    expect(failed[0]?.errorMessage).not.toMatch(/sandbox-[0-9a-f]{24}/);
  });

  it('rate limits are waited out without failing a delivery', async () => {
    const { report, sandbox } = await publishBeijing('relay', (sandbox) => {
      sandbox.weibo.platform.configure({
        rateLimit: { posts: 1, windowMs: 50, retryAfterSeconds: 0 },
      });
      const uids = sandbox.weibo.platform.accounts().map((account) => account.uid);
      sandbox.weibo.platform.injectFault({
        kind: 'error-before-apply',
        uid: uids[7]!,
        status: 400,
        errorCode: 20016,
        errorText: 'update weibo too fast!',
      });
    });
    expect(report.counts.succeeded).toBe(72);
    expect(sandbox.weibo.platform.allPosts()).toHaveLength(72);
  });
});
