/**
 * The adapter contract, run against the Weibo adapter talking HTTP to the loopback sandbox.
 */
import type { Account } from '#core';
import { createWeiboAdapter } from '../../adapters/weibo/index.js';
import { runAdapterContract } from '../../adapters/testing/contract-suite.js';
import type { ContractFault, ContractHarness } from '../../adapters/testing/contract-suite.js';
import { WEIBO_POSTING_ENDPOINTS } from '../../adapters/weibo/fake/protocol.js';
import type { WeiboFault } from '../../adapters/weibo/fake/protocol.js';
import { startWeiboSandbox } from '../../adapters/weibo/fake/sandbox.js';

const SITE = 'www.beijing.gov.cn';
const TOKENS: Readonly<Record<string, string>> = {
  'beijing-fabu/weibo': '2.00LeadSecretTokenAbcdef123456',
  'police/weibo': '2.00MemberSecretTokenXyz987654',
};

function weiboAccount(memberId: string, handle: string, uid: string): Account {
  return {
    id: `${memberId}/weibo`,
    memberId,
    platform: 'weibo',
    handle,
    credentials: `weibo-${memberId}`,
    settings: { uid },
  };
}

runAdapterContract('weibo over the loopback sandbox', async (): Promise<ContractHarness> => {
  const sandbox = await startWeiboSandbox({ safeDomain: SITE, shortenLinks: true });
  const lead = weiboAccount('beijing-fabu', '北京发布', '2418724427');
  const member = weiboAccount('police', '平安北京', '7132135868');
  for (const account of [lead, member]) {
    sandbox.platform.addAccount({
      uid: String(account.settings.uid),
      screenName: account.handle,
      accessToken: TOKENS[account.id] ?? '',
    });
  }
  const adapter = createWeiboAdapter({
    baseURL: sandbox.url,
    rip: '203.0.113.7',
    rateLimitRetryAfterMs: 1_000,
  });
  const uidOf = (account: Account): string => String(account.settings.uid);

  const faults: Readonly<Record<ContractFault, (uid: string) => WeiboFault>> = {
    'drop-after-apply': (uid) => ({
      kind: 'drop-after-apply',
      uid,
      endpoint: WEIBO_POSTING_ENDPOINTS,
    }),
    'timeout-after-apply': (uid) => ({
      kind: 'timeout-after-apply',
      uid,
      endpoint: WEIBO_POSTING_ENDPOINTS,
      hangMs: 5_000,
    }),
    'token-expired': (uid) => ({ kind: 'token-expired', uid }),
    'rate-limited': (uid) => ({
      kind: 'error-before-apply',
      uid,
      endpoint: WEIBO_POSTING_ENDPOINTS,
      errorCode: 20016,
      errorText: 'posting too frequently',
    }),
    'read-failure': (uid) => ({
      kind: '5xx-before-apply',
      uid,
      endpoint: 'statuses/user_timeline',
    }),
  };

  return {
    adapter,
    lead,
    member,
    credentials: (account) => ({ access_token: TOKENS[account.id] ?? '' }),
    rendition: (account, label) => {
      const text = `【${account.handle}】通知（${label}）：今日全市道路通行正常。详见 https://${SITE}/notice/${label}.html`;
      return {
        format: 'text',
        text,
        length: adapter.limits.text.count(text),
        link: `https://${SITE}/notice/${label}.html`,
        topics: [],
        summarised: false,
      };
    },
    faults: Object.keys(faults) as ContractFault[],
    inject: (fault, account) => sandbox.platform.injectFault(faults[fault](uidOf(account))),
    postsOf: (account) =>
      sandbox.platform.postsOf(uidOf(account)).map((post) => ({
        id: post.id,
        text: post.text,
        kind: post.kind === 'repost' ? 'relay' : 'original',
        sourceId: post.sourceId,
        deleted: post.deleted,
      })),
    reset: () => sandbox.platform.reset(),
    close: () => sandbox.close(),
    shortTimeoutMs: 150,
  };
});
