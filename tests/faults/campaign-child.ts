/**
 * A campaign run in its own process, for the kill-and-resume fault tests. It publishes (or
 * resumes) against a Weibo server named in the environment, journaling to a SQLite file, and says
 * "planned" on stdout once the campaign is in the journal. The parent kills it with SIGKILL.
 *
 * Environment: RH_BASE_URL, RH_JOURNAL, RH_HALL (JSON), RH_TOKENS (JSON ref → token),
 * RH_STATEMENT (JSON), RH_CAMPAIGN, RH_ACTION (publish | resume | journal-churn).
 */
import { SqliteJournal, createPublisher } from 'release-hall';
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
const publisher = createPublisher({
  hall: JSON.parse(env('RH_HALL')) as unknown,
  adapters: [
    createWeiboAdapter({
      baseURL: env('RH_BASE_URL'),
      rip: '203.0.113.10',
      limits: { requestTimeoutMs: 2_000 },
    }),
  ],
  credentials: ({ ref }) => {
    const token = tokens[ref];
    return token === undefined ? undefined : { access_token: token };
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
      });
process.stdout.write(`${JSON.stringify(report.counts)}\n`);
await journal.close();
