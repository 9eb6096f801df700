/**
 * Scenario `rate-limit`: sustained load on one account against the platform's per-account limit,
 * time compressed. The Weibo sandbox refuses a post beyond `posts` in any `windowMs` (counted
 * from its own receipt of each post); the publisher is given the same limit. Load: many small
 * campaigns on the one account, all started at once on one publisher (each campaign is one post:
 * a hall's account takes one delivery per campaign). Measures the rate achieved and the refusals.
 */
import { createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { startWeiboSandbox } from 'release-hall/sandbox';
import type { BenchRow, BenchSize, Scenario, ScenarioResult } from './bench-types.js';
import { count, now, round } from './measure.js';
import {
  BENCH_DOMAIN,
  BENCH_RIP,
  benchStatement,
  syntheticCredentials,
  syntheticHall,
  tokenOf,
  uidOf,
} from './synthetic-hall.js';

interface RateSize {
  /** Posts allowed per window (sandbox and publisher alike). */
  readonly posts: number;
  readonly windowMs: number;
  /** Campaigns (posts) run on the account. */
  readonly campaigns: number;
  readonly latency: { readonly fixedMs: number; readonly jitterMs: number };
}

const SIZES: Readonly<Record<BenchSize, RateSize>> = {
  full: { posts: 20, windowMs: 1_000, campaigns: 200, latency: { fixedMs: 1, jitterMs: 4 } },
  smoke: { posts: 3, windowMs: 200, campaigns: 9, latency: { fixedMs: 1, jitterMs: 0 } },
};

/** The most posts any window of `windowMs` holds, given the posts' times (ascending). */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    // The platform counts posts created after `now - windowMs`: a window is (t - windowMs, t].
    while (times[start]! <= times[end]! - windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const { posts, windowMs, campaigns, latency } = SIZES[size];
  const sandbox = await startWeiboSandbox({
    safeDomain: BENCH_DOMAIN,
    latency: { ...latency, seed: 3 },
    rateLimit: { posts, windowMs },
  });
  try {
    sandbox.platform.addAccount({
      uid: uidOf(0),
      screenName: '基准发布',
      accessToken: tokenOf(0),
    });
    const weibo = createWeiboAdapter({
      baseURL: sandbox.url,
      rip: BENCH_RIP,
      // Were the limit overrun, the refusal carries no Retry-After: wait one window, not a minute.
      rateLimitRetryAfterMs: windowMs,
    });
    const publisher = createPublisher({
      hall: syntheticHall({ accounts: 1 }),
      adapters: [weibo],
      credentials: syntheticCredentials,
      limits: { weibo: { postsPerWindow: posts, windowMs } },
    });
    let rateLimitedRetries = 0;
    publisher.on('delivery:retrying', ({ code }) => {
      if (code === 'RATE_LIMITED') rateLimitedRetries += 1;
    });
    const reports = await Promise.all(
      Array.from({ length: campaigns }, (_, index) =>
        publisher.publish(benchStatement(index + 1), { mode: 'original' }),
      ),
    );
    const succeeded = reports.filter((report) => report.counts.succeeded === 1).length;
    const created = sandbox.platform
      .postsOf(uidOf(0))
      .map((post) => post.createdAt.getTime())
      .sort((a, b) => a - b);
    const refusals = sandbox.platform
      .requests()
      .filter((request) => request.errorCode === 20016 || request.errorCode === 10023).length;
    const first = created[0] ?? 0;
    const last = created.at(-1) ?? 0;
    // The least time the limit allows for these posts from the first to the last: every post
    // `posts` places later must come a full window after (platform's receipt times).
    const leastSpanMs = Math.floor((created.length - 1) / posts) * windowMs;
    const spanMs = last - first;
    const limitRate = (posts / windowMs) * 1000;
    const achievedRate = spanMs > 0 ? (limitRate * leastSpanMs) / spanMs : 0;
    const ratio = achievedRate / limitRate;
    const busiest = busiestWindow(created, windowMs);
    const rows: BenchRow[] = [
      {
        check: 'sustained post rate on one account vs its limit',
        measured: `${round(achievedRate, 2)} posts/s`,
        baseline: `${round(limitRate, 2)} posts/s limit`,
        ratio: round(ratio, 3),
        target: '≥ 0.95',
        pass: ratio >= 0.95 && succeeded === campaigns,
      },
      {
        check: `posts refused by the platform's limit (busiest window: ${busiest}/${posts})`,
        measured: `${count(refusals)} refused`,
        baseline: `${count(created.length)} posts`,
        ratio: null,
        target: '0',
        pass: refusals === 0 && busiest <= posts,
      },
    ];
    return {
      name: 'rate-limit',
      title: 'Rate-limit precision',
      parameters: {
        account: 'one Weibo account',
        limit: `${posts} posts per ${windowMs} ms window, sliding (sandbox and publisher)`,
        load: `${campaigns} one-post campaigns started at once on one publisher`,
        latency: `${latency.fixedMs}–${latency.fixedMs + latency.jitterMs} ms per request`,
        achievedRate:
          'limit × (least span the limit allows for the posts) ÷ (span from first to last post), by the sandbox’s receipt times',
      },
      rows,
      figures: {
        campaigns,
        succeeded,
        posts: created.length,
        spanMs: round(spanMs, 0),
        leastSpanMs,
        achievedRate: round(achievedRate, 3),
        limitRate: round(limitRate, 3),
        ratio: round(ratio, 4),
        refusals,
        rateLimitedRetries,
        busiestWindow: busiest,
      },
      notes: [
        'Each post counts against the window from its sending to its answer plus the window, so the platform never sees more than the limit whatever the latency; the cost is one answer time per window.',
      ],
      durationMs: now() - begun,
    };
  } finally {
    await sandbox.close();
  }
}

/** The `rate-limit` scenario. */
export const rateLimitScenario: Scenario = {
  name: 'rate-limit',
  title: 'Rate-limit precision',
  run,
};
