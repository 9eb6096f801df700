/**
 * A campaign run in its own process, for the kill-and-resume fault tests. It publishes (or
 * resumes) against a Weibo server named in the environment, journaling to a SQLite file, and says
 * "planned" on stdout once the campaign is in the journal. The parent kills it with SIGKILL.
 *
 * Environment: RH_BASE_URL, RH_JOURNAL, RH_HALL (JSON), RH_TOKENS (JSON ref → secret),
 * RH_STATEMENT (JSON), RH_CAMPAIGN, RH_ACTION (publish | resume | journal-churn),
 * RH_PLATFORM (weibo | tencent | wechat; WeChat campaigns push to every follower).
 */
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createPublisher } from 'release-hall';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
};

const journal = new SqliteJournal(env('RH_JOURNAL'));
const action = env('RH_ACTION');

if (action === 'journal-churn') {
  // Heavy journal writes until killed.
  const campaignId = env('RH_CAMPAIGN');
  const ids = Array.from({ length: 200 }, (_, index) => `${campaignId}:d${index}`);
  await journal.createCampaign(
    {
      id: campaignId,
      hallId: 'churn',
      mode: 'original',
      relayFallback: 'original',
      createdAt: new Date().toISOString(),
      state: 'running',
      statement: {},
    },
    ids.map((id, index) => ({
      id,
      campaignId,
      accountId: `m${index}/weibo`,
      memberId: `m${index}`,
      platform: 'weibo',
      action: 'post' as const,
      rendition: {
        format: 'text' as const,
        text: `t${index}`,
        length: 2,
        topics: [],
        summarised: false,
      },
      idempotencyKey: `k${index}`,
    })),
  );
  process.stdout.write('planned\n');
  for (let round = 0; ; round++) {
    for (const id of ids) {
      await journal.transition({
        deliveryId: id,
        state: round % 2 === 0 ? 'sending' : 'unknown',
        at: new Date().toISOString(),
        attempt: round,
      });
    }
  }
}

const tokens = JSON.parse(env('RH_TOKENS')) as Record<string, string>;
const platform = process.env.RH_PLATFORM ?? 'weibo';
const baseURL = env('RH_BASE_URL');
const adapter =
  platform === 'tencent'
    ? createTencentAdapter({
        baseURL,
        appKey: '801000000',
        clientIp: '203.0.113.10',
        limits: { requestTimeoutMs: 2_000 },
      })
    : platform === 'wechat'
      ? createWechatAdapter({
          baseURL,
          publishPoll: { intervalsMs: [1, 2, 4, 8, 16] },
          limits: { requestTimeoutMs: 2_000 },
        })
      : createWeiboAdapter({ baseURL, rip: '203.0.113.10', limits: { requestTimeoutMs: 2_000 } });
const field = platform === 'wechat' ? 'secret' : 'access_token';
const publisher = createPublisher({
  hall: JSON.parse(env('RH_HALL')) as unknown,
  adapters: [adapter],
  credentials: ({ ref }) => {
    const token = tokens[ref];
    return token === undefined ? undefined : { [field]: token };
  },
  journal,
  retry: {
    minTimeoutMs: 1,
    maxTimeoutMs: 5,
    randomize: false,
    reconcileDelayMs: 0,
    acceptedPollMs: [1],
  },
});
publisher.on('campaign:planned', () => process.stdout.write('planned\n'));
const report =
  action === 'resume'
    ? await publisher.resume(env('RH_CAMPAIGN'), { force: true })
    : await publisher.publish(JSON.parse(env('RH_STATEMENT')) as never, {
        mode: 'relay',
        campaignId: env('RH_CAMPAIGN'),
        // On WeChat every account pushes to its followers: the write that must never happen twice.
        // RH_WECHAT_ARTICLES=1: publish articles instead (draft → freepublish → publish_id).
        ...(platform === 'wechat' && process.env.RH_WECHAT_ARTICLES !== '1'
          ? { push: { policy: 'push' as const, spendLast: true } }
          : {}),
      });
process.stdout.write(`${JSON.stringify(report.counts)}\n`);
await journal.close();
