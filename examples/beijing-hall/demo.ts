/**
 * The Beijing hall demo: one rumor rebuttal from 北京发布, relayed by all 71 members, over real
 * HTTP against the built-in Weibo sandbox on loopback.
 *
 *   npm run demo
 */
import { fileURLToPath } from 'node:url';
import {
  createPublisher,
  formatReport,
  loadStatementFile,
  readDataFile,
  showProgress,
} from 'release-hall';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { startHallSandbox } from 'release-hall/sandbox';

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

const hallData = await readDataFile(here('hall.yaml'), 'hall');
const statement = await loadStatementFile(here('rebuttal.yaml'));

// The sandboxes speak Weibo's and Tencent Weibo's protocols on 127.0.0.1 with 80 ± 20 ms of
// latency per request.
const latency = { fixedMs: 60, jitterMs: 40, seed: 7 };
const sandbox = await startHallSandbox(hallData, { weibo: { latency }, tencent: { latency } });
try {
  const weibo = createWeiboAdapter({
    baseURL: sandbox.baseURLs.weibo,
    mode: 'share',
    rip: '203.0.113.10',
  });
  const tencent = createTencentAdapter({
    baseURL: sandbox.baseURLs.tencent,
    appKey: '801000000',
    clientIp: '203.0.113.10',
  });
  const publisher = createPublisher({
    hall: hallData,
    adapters: [weibo, tencent],
    credentials: sandbox.credentials,
  });
  const byPlatform = (platform: string): number =>
    publisher.hall.accounts.filter((account) => account.platform === platform).length;
  console.log(
    `Publishing "${statement.headline}" to ${byPlatform('weibo')} Weibo and ${byPlatform('tencent')} Tencent Weibo accounts (relay mode)\n`,
  );
  const stopProgress = showProgress(publisher);
  const report = await publisher.publish(statement, { mode: 'relay' });
  stopProgress();
  console.log(`\n${formatReport(report)}`);

  // Ground truth from the sandboxes: every account holds exactly one post of this campaign.
  const owners = [
    ...sandbox.weibo.platform
      .allPosts()
      .filter((post) => !post.deleted)
      .map((post) => `weibo:${post.uid}`),
    ...(sandbox.tencent?.platform.allPosts() ?? [])
      .filter((post) => !post.deleted)
      .map((post) => `tencent:${post.openid}`),
  ];
  const perAccount = new Map<string, number>();
  for (const owner of owners) perAccount.set(owner, (perAccount.get(owner) ?? 0) + 1);
  const twice = [...perAccount.values()].filter((count) => count > 1).length;
  console.log(
    `Sandboxes hold ${owners.length} posts on ${perAccount.size} accounts; accounts with more than one: ${twice}`,
  );
  process.exitCode = report.counts.succeeded === report.counts.total && twice === 0 ? 0 : 1;
} finally {
  await sandbox.close();
}
