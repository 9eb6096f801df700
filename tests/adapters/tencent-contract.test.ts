/**
 * The adapter contract, run against the Tencent Weibo adapter talking HTTP to the loopback
 * sandbox.
 */
import type { Account } from '#core';
import { createTencentAdapter } from '../../adapters/tencent/index.js';
import { runAdapterContract } from '../../adapters/testing/contract-suite.js';
import type { ContractFault, ContractHarness } from '../../adapters/testing/contract-suite.js';
import { TENCENT_POSTING_ENDPOINTS } from '../../adapters/tencent/fake/protocol.js';
import type { TencentFault } from '../../adapters/tencent/fake/protocol.js';
import { startTencentSandbox } from '../../adapters/tencent/fake/sandbox.js';

const SITE = 'www.beijing.gov.cn';
const APP_KEY = '801000001';
const TOKENS: Readonly<Record<string, string>> = {
  'beijing-fabu/tencent': 'LeadTencentSecretTokenAbcdef123456',
  'police/tencent': 'MemberTencentSecretTokenXyz987654',
};

function tencentAccount(memberId: string, handle: string, openid: string): Account {
  return {
    id: `${memberId}/tencent`,
    memberId,
    platform: 'tencent',
    handle,
    credentials: `tencent-${memberId}`,
    settings: { openid },
  };
}

runAdapterContract('tencent over the loopback sandbox', async (): Promise<ContractHarness> => {
  const sandbox = await startTencentSandbox();
  const lead = tencentAccount('beijing-fabu', 'beijingfabu', 'B624064BA065E01CB73F835017FE96FA');
  const member = tencentAccount('police', 'pinganbeijing', 'C7E0A1F2B3C4D5E6F708192A3B4C5D6E');
  for (const account of [lead, member]) {
    sandbox.platform.addAccount({
      openid: String(account.settings.openid),
      name: account.handle,
      accessToken: TOKENS[account.id] ?? '',
      appKey: APP_KEY,
    });
  }
  const adapter = createTencentAdapter({
    baseURL: sandbox.url,
    appKey: APP_KEY,
    clientIp: '203.0.113.7',
    rateLimitRetryAfterMs: 1_000,
  });
  const openidOf = (account: Account): string => String(account.settings.openid);

  const faults: Readonly<Record<ContractFault, (openid: string) => TencentFault>> = {
    'drop-after-apply': (openid) => ({
      kind: 'drop-after-apply',
      openid,
      endpoint: TENCENT_POSTING_ENDPOINTS,
    }),
    'timeout-after-apply': (openid) => ({
      kind: 'timeout-after-apply',
      openid,
      endpoint: TENCENT_POSTING_ENDPOINTS,
      hangMs: 5_000,
    }),
    'token-expired': (openid) => ({ kind: 'token-expired', openid }),
    'rate-limited': (openid) => ({
      kind: 'error-before-apply',
      openid,
      endpoint: TENCENT_POSTING_ENDPOINTS,
      ret: 4,
      errcode: 10,
      msg: 'publishing too fast',
    }),
    'read-failure': (openid) => ({
      kind: '5xx-before-apply',
      openid,
      endpoint: 'statuses/broadcast_timeline',
    }),
  };

  return {
    adapter,
    lead,
    member,
    credentials: (account) => ({ access_token: TOKENS[account.id] ?? '' }),
    rendition: (account, label) => {
      const text = `#${account.handle}# 通知（${label}）：今日全市道路通行正常。详见 https://${SITE}/notice/${label}.html`;
      return {
        format: 'text',
        text,
        length: adapter.limits.text.count(text),
        link: `https://${SITE}/notice/${label}.html`,
        topics: [account.handle],
        summarised: false,
      };
    },
    faults: Object.keys(faults) as ContractFault[],
    inject: (fault, account) => sandbox.platform.injectFault(faults[fault](openidOf(account))),
    postsOf: (account) =>
      sandbox.platform.postsOf(openidOf(account)).map((post) => ({
        id: post.id,
        text: post.text,
        kind: post.kind,
        sourceId: post.sourceId,
        deleted: post.deleted,
      })),
    reset: () => sandbox.platform.reset(),
    close: () => sandbox.close(),
    shortTimeoutMs: 150,
  };
});
