/**
 * The adapter contract, run against the WeChat adapter talking HTTP to the loopback sandbox.
 *
 * WeChat has no relay, so the two relay cases are skipped with that reason. The "token-expired"
 * fault hits twice: the adapter itself answers one refused token by fetching a new one and
 * repeating the call once (compare-and-expire), so a single refusal is not an error on WeChat.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account } from '#core';
import { runAdapterContract } from '../../adapters/testing/contract-suite.js';
import type { ContractFault, ContractHarness } from '../../adapters/testing/contract-suite.js';
import { createWechatAdapter } from '../../adapters/wechat/index.js';
import type { WechatFault } from '../../adapters/wechat/fake/protocol.js';
import { startWechatSandbox } from '../../adapters/wechat/fake/sandbox.js';

const SECRETS: Readonly<Record<string, string>> = {
  'beijing-fabu/wechat': 'LeadAppSecret0123456789abcdef01',
  'police/wechat': 'MemberAppSecret0123456789abcde2',
};

const NO_RELAY = "WeChat has no relay: an account cannot repost another account's article";

function wechatAccount(memberId: string, handle: string, appid: string): Account {
  return {
    id: `${memberId}/wechat`,
    memberId,
    platform: 'wechat',
    handle,
    credentials: `wechat-${memberId}`,
    kind: 'subscription',
    settings: { appid },
  };
}

runAdapterContract('wechat over the loopback sandbox', async (): Promise<ContractHarness> => {
  const dir = await mkdtemp(join(tmpdir(), 'wechat-contract-'));
  const cover = join(dir, 'cover.jpg');
  const bytes = new Uint8Array(8_000);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  await writeFile(cover, bytes);

  const sandbox = await startWechatSandbox();
  const lead = wechatAccount('beijing-fabu', '北京发布', 'wx2418724427abcdef');
  const member = wechatAccount('police', '平安北京', 'wx7132135868abcdef');
  for (const account of [lead, member]) {
    sandbox.platform.addAccount({
      appid: String(account.settings.appid),
      secret: SECRETS[account.id] ?? '',
      name: account.handle,
    });
  }
  const adapter = createWechatAdapter({
    baseURL: sandbox.url,
    publishPoll: { intervalsMs: [5, 5, 5] },
  });
  const appidOf = (account: Account): string => String(account.settings.appid);

  const faults: Readonly<Record<ContractFault, (appid: string) => WechatFault>> = {
    'drop-after-apply': (appid) => ({
      kind: 'drop-after-apply',
      appid,
      endpoint: 'freepublish/submit',
    }),
    'timeout-after-apply': (appid) => ({
      kind: 'timeout-after-apply',
      appid,
      endpoint: 'freepublish/submit',
      hangMs: 5_000,
    }),
    'token-expired': (appid) => ({ kind: 'token-expired', appid, times: 2 }),
    'rate-limited': (appid) => ({
      kind: 'error-before-apply',
      appid,
      endpoint: 'draft/add',
      errcode: 45011,
      errmsg: 'api minute-quota reach limit mustslower retry next minute',
    }),
    'read-failure': (appid) => ({
      kind: '5xx-before-apply',
      appid,
      endpoint: 'freepublish/batchget',
    }),
  };

  return {
    adapter,
    lead,
    member,
    credentials: (account) => ({ secret: SECRETS[account.id] ?? '' }),
    rendition: (account, label) => ({
      format: 'article',
      title: `【${account.handle}】通知 ${label}`.slice(0, 32),
      author: account.handle,
      digest: '今日全市道路通行正常。',
      html: `<p>今日全市道路通行正常（${label}）。</p>`,
      sourceUrl: `https://www.beijing.gov.cn/notice/${label}.html`,
      cover,
    }),
    faults: Object.keys(faults) as ContractFault[],
    inject: (fault, account) => sandbox.platform.injectFault(faults[fault](appidOf(account))),
    postsOf: (account) =>
      sandbox.platform.articles(appidOf(account)).map((article) => ({
        id: article.articleId,
        text: article.articles[0]?.title ?? '',
        kind: 'original',
        deleted: article.deleted,
      })),
    reset: () => sandbox.platform.reset(),
    close: async () => {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
    shortTimeoutMs: 150,
    skip: { relay: NO_RELAY, 'find-relay-after-drop': NO_RELAY },
  };
});
