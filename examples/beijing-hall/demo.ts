/**
 * The Beijing hall demo: one rumor rebuttal from 北京发布, relayed by all 71 members, over real
 * HTTP against the built-in Weibo sandbox on loopback.
 *
 *   npm run demo
 */
import { fileURLToPath } from 'node:url';
import {
  type CampaignOptions,
  approveStatement,
  createPublisher,
  describeGate,
  formatReport,
  generateApproverKey,
  loadStatementFile,
  readDataFile,
  readPrivateKey,
  showProgress,
} from 'release-hall';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { startHallSandbox } from 'release-hall/sandbox';

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

const hallData = (await readDataFile(here('hall.yaml'), 'hall')) as Record<string, unknown>;

// 先审后发: two demo approvers, with keys made for this run (a real hall lists its approvers'
// public keys in the hall file, made once with `release-hall keygen`).
const demoKeys = { 'li-si': generateApproverKey(), 'wang-wu': generateApproverKey() };
hallData.approvals = {
  approvers: [
    { id: 'li-si', name: '李四（新闻处）', publicKey: demoKeys['li-si'].publicKey },
    { id: 'wang-wu', name: '王五（分管领导）', publicKey: demoKeys['wang-wu'].publicKey },
  ],
  policy: { routine: 2, urgent: 2, crisis: 1 },
};
const statement = await loadStatementFile(here('rebuttal.yaml'));

// The sandboxes speak Weibo's and Tencent Weibo's protocols on 127.0.0.1 with 80 ± 20 ms of
// latency per request.
const latency = { fixedMs: 60, jitterMs: 40, seed: 7 };
// WeChat publishes asynchronously: the sandbox reports each job "publishing" once before success.
const sandbox = await startHallSandbox(hallData, {
  weibo: { latency },
  tencent: { latency },
  wechat: { latency, publishPollsBeforeDone: 1 },
});
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
  const wechat = createWechatAdapter({
    baseURL: sandbox.baseURLs.wechat,
    publishPoll: { intervalsMs: [200, 400, 800, 1600, 3200] },
  });
  const publisher = createPublisher({
    hall: hallData,
    adapters: [weibo, tencent, wechat],
    credentials: sandbox.credentials,
  });
  const byPlatform = (platform: string): number =>
    publisher.hall.accounts.filter((account) => account.platform === platform).length;
  console.log(
    `Publishing "${statement.headline}" to ${byPlatform('weibo')} Weibo, ${byPlatform('tencent')} Tencent Weibo and ${byPlatform('wechat')} WeChat accounts (relay mode; on WeChat 北京发布 pushes the article to its followers and the other members publish it)\n`,
  );
  const options: CampaignOptions = {
    mode: 'relay',
    // Only the lead pushes, and may spend its one push of the day on this rebuttal.
    push: { policy: 'push-else-publish', members: ['beijing-fabu'], spendLast: true },
  };

  // The gate: each approver signs the digest of exactly what will be sent (the statement, its
  // picture, every account's action, the push policy); publish verifies it before the first
  // request, with the linter, and journals who approved in the audit trail.
  const digest = await publisher.approvalDigest(statement, options);
  const approvals = (['li-si', 'wang-wu'] as const).map((approver) =>
    approveStatement({
      digest,
      approver,
      privateKey: readPrivateKey(demoKeys[approver].privateKeyPem, approver),
    }),
  );
  console.log(`Approved by li-si and wang-wu: digest ${digest.slice(0, 16)}…\n`);

  const stopProgress = showProgress(publisher);
  const report = await publisher.publish(statement, {
    ...options,
    gate: { author: 'duty-officer', approvals },
  });
  stopProgress();
  for (const line of describeGate(report.gate!)) console.log(`gate: ${line}`);
  console.log(`\n${formatReport(report)}`);

  // Ground truth from the sandboxes: every account holds exactly one post of this campaign.
  const wechatAccounts = sandbox.wechat?.platform.accounts() ?? [];
  const owners = [
    ...sandbox.weibo.platform
      .allPosts()
      .filter((post) => !post.deleted)
      .map((post) => `weibo:${post.uid}`),
    ...(sandbox.tencent?.platform.allPosts() ?? [])
      .filter((post) => !post.deleted)
      .map((post) => `tencent:${post.openid}`),
    // On WeChat an account either published the article or pushed it (a push is also an article).
    ...wechatAccounts.flatMap((account) =>
      [
        ...(sandbox.wechat?.platform.liveArticles(account.appid) ?? []),
        ...(sandbox.wechat?.platform.massSends(account.appid) ?? []),
      ].map(() => `wechat:${account.appid}`),
    ),
  ];
  const pushes = wechatAccounts.flatMap(
    (account) => sandbox.wechat?.platform.massSends(account.appid) ?? [],
  );
  const perAccount = new Map<string, number>();
  for (const owner of owners) perAccount.set(owner, (perAccount.get(owner) ?? 0) + 1);
  const twice = [...perAccount.values()].filter((count) => count > 1).length;
  console.log(
    `Sandboxes hold ${owners.length} posts on ${perAccount.size} accounts; accounts with more than one: ${twice}; WeChat pushes: ${pushes.length}`,
  );
  process.exitCode = report.counts.succeeded === report.counts.total && twice === 0 ? 0 : 1;
} finally {
  await sandbox.close();
}
