/**
 * A BullMQ worker in its own process, for the scale-out kill tests. It runs the deliveries of the
 * queue at RH_REDIS_URL under RH_PREFIX against a platform server named in the environment, says
 * "ready" on stdout once it takes jobs, then one line per attempt and per ending:
 * `started <accountId>` and `ended <accountId> <status>`. The parent kills it with SIGKILL.
 *
 * Environment: RH_PLATFORM (weibo | tencent | wechat), RH_BASE_URL, RH_HALL (JSON), RH_TOKENS
 * (JSON ref → secret), RH_REDIS_URL, RH_PREFIX, RH_LOCK_MS, RH_RECONCILE_MS, RH_CONCURRENCY.
 */
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { startWorker } from 'release-hall/bullmq';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
};

const platform = env('RH_PLATFORM');
const baseURL = env('RH_BASE_URL');
const tokens = JSON.parse(env('RH_TOKENS')) as Record<string, string>;
// Short: a request that never comes back must not hold a delivery long.
const limits = { requestTimeoutMs: 1_500 };
const adapter =
  platform === 'tencent'
    ? createTencentAdapter({ baseURL, appKey: '801000000', clientIp: '203.0.113.10', limits })
    : platform === 'wechat'
      ? createWechatAdapter({ baseURL, publishPoll: { intervalsMs: [1, 2, 4, 8, 16] }, limits })
      : createWeiboAdapter({ baseURL, rip: '203.0.113.10', rateLimitRetryAfterMs: 20, limits });
const field = platform === 'wechat' ? 'secret' : 'access_token';

const worker = await startWorker({
  hall: JSON.parse(env('RH_HALL')) as unknown,
  adapters: [adapter],
  credentials: ({ ref }) => {
    const token = tokens[ref];
    return token === undefined ? undefined : { [field]: token };
  },
  url: env('RH_REDIS_URL'),
  prefix: env('RH_PREFIX'),
  concurrency: Number(env('RH_CONCURRENCY')),
  lockMs: Number(env('RH_LOCK_MS')),
  reconcileEveryMs: Number(env('RH_RECONCILE_MS')),
  pausePollMs: 20,
  retry: {
    minTimeoutMs: 1,
    maxTimeoutMs: 5,
    randomize: false,
    reconcileDelayMs: 0,
    acceptedPollMs: [1, 1, 1],
    // A delivery taken over from a killed worker is looked up once the killed worker's request,
    // a few milliseconds long on the fakes, can no longer be carried out (a second after it left).
    interruptedSendWaitMs: 1_000,
    // WeChat asks a minute before a push is repeated; the parent moves the fake's clock instead.
    maxRateLimitWaitMs: 50,
  },
});
worker.events.on('delivery:started', (event) => {
  process.stdout.write(`started ${event.accountId}\n`);
});
for (const name of ['delivery:succeeded', 'delivery:failed', 'delivery:skipped'] as const) {
  worker.events.on(name, (event) => {
    process.stdout.write(`ended ${event.result.accountId} ${event.result.status}\n`);
  });
}
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
process.stdout.write('ready\n');
