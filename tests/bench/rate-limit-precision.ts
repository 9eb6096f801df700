/**
 * Scenario `rate-limit`: sustained load on one account against the platform's per-account limit,
 * time compressed. The Weibo sandbox refuses a post beyond `posts` in any `windowMs` (counted
 * from its own receipt of each post); the publisher is given the same limit. Load: many small
 * campaigns on the one account, all started at once on one publisher (each campaign is one post:
 * a hall's account takes one delivery per campaign). Measures the rate achieved and the refusals,
 * over three runs, with the sandbox in a process of its own.
 */
import { createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import type { BenchRow, BenchSize, Figure, Scenario, ScenarioResult } from './bench-types.js';
import { bundleScript } from './bundle-script.js';
import { IpcProcess } from './ipc-process.js';
import { count, formatSpread, now, repeatRuns, round, spreadOf } from './measure.js';
import {
  BENCH_RIP,
  benchStatement,
  syntheticCredentials,
  syntheticHall,
} from './synthetic-hall.js';
import type { SandboxCommand, SandboxMessage, SandboxSettings } from './weibo-sandbox-process.js';

interface RateSize {
  /** Posts allowed per window (sandbox and publisher alike). */
  readonly posts: number;
  readonly windowMs: number;
  /** Campaigns (posts) run on the account. */
  readonly campaigns: number;
  readonly latency: { readonly fixedMs: number; readonly jitterMs: number };
  /** Measured runs. */
  readonly runs: number;
}

const SIZES: Readonly<Record<BenchSize, RateSize>> = {
  full: {
    posts: 20,
    windowMs: 1_000,
    campaigns: 200,
    latency: { fixedMs: 1, jitterMs: 4 },
    runs: 3,
  },
  smoke: { posts: 3, windowMs: 200, campaigns: 9, latency: { fixedMs: 1, jitterMs: 0 }, runs: 1 },
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

/** What one measured run gave. */
interface RateRun {
  readonly succeeded: number;
  readonly posts: number;
  readonly spanMs: number;
  readonly leastSpanMs: number;
  readonly achievedRate: number;
  readonly refusals: number;
  readonly rateLimitedRetries: number;
  readonly busiest: number;
}

/** One run: every campaign started at once on a new publisher, against an emptied sandbox. */
async function measureOnce(
  sandbox: IpcProcess<SandboxMessage, SandboxCommand>,
  url: string,
  rate: RateSize,
): Promise<RateRun> {
  const { posts, windowMs, campaigns } = rate;
  await sandbox.ask({ type: 'reset' });
  const weibo = createWeiboAdapter({
    baseURL: url,
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
  const answer = await sandbox.ask({ type: 'posts' });
  if (answer.type !== 'posts') throw new Error(`sandbox answered "${answer.type}" to "posts"`);
  const created = answer.times;
  const first = created[0] ?? 0;
  const last = created.at(-1) ?? 0;
  // The least time the limit allows for these posts from the first to the last: every post
  // `posts` places later must come a full window after (platform's receipt times).
  const leastSpanMs = Math.floor((created.length - 1) / posts) * windowMs;
  const spanMs = last - first;
  const limitRate = (posts / windowMs) * 1000;
  return {
    succeeded,
    posts: created.length,
    spanMs,
    leastSpanMs,
    achievedRate: spanMs > 0 ? (limitRate * leastSpanMs) / spanMs : 0,
    refusals: answer.limitRefusals,
    rateLimitedRetries,
    busiest: busiestWindow(created, windowMs),
  };
}

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const rate = SIZES[size];
  const { posts, windowMs, campaigns, latency, runs } = rate;
  const settings: SandboxSettings = {
    latency: { ...latency, seed: 3 },
    rateLimit: { posts, windowMs },
  };
  const { process: sandbox, ready } = await IpcProcess.start<SandboxMessage, SandboxCommand>(
    await bundleScript('weibo-sandbox-process'),
    ['1', JSON.stringify(settings)],
  );
  if (ready.type !== 'ready') throw new Error('the sandbox did not start');
  try {
    const results = await repeatRuns(runs, () => measureOnce(sandbox, ready.url, rate));
    const limitRate = (posts / windowMs) * 1000;
    const achieved = spreadOf(results.map((result) => result.achievedRate));
    const ratio = achieved.median / limitRate;
    const refusals = results.reduce((sum, result) => sum + result.refusals, 0);
    const busiest = Math.max(...results.map((result) => result.busiest));
    const allSucceeded = results.every((result) => result.succeeded === campaigns);
    const rows: BenchRow[] = [
      {
        check: 'sustained post rate on one account vs its limit',
        measured: formatSpread(achieved, 'posts/s', (value) => String(round(value, 2))),
        baseline: `${round(limitRate, 2)} posts/s limit`,
        ratio: round(ratio, 3),
        target: '≥ 0.95',
        pass: ratio >= 0.95 && allSucceeded,
      },
      {
        check: `posts refused by the platform's limit, all runs (busiest window: ${busiest}/${posts})`,
        measured: `${count(refusals)} refused`,
        baseline: `${count(results.reduce((sum, result) => sum + result.posts, 0))} posts`,
        ratio: null,
        target: '0',
        pass: refusals === 0 && busiest <= posts,
      },
    ];
    const figures: Record<string, Figure> = {
      campaigns,
      runs,
      limitRate: round(limitRate, 3),
      achievedRateMedian: round(achieved.median, 3),
      ratio: round(ratio, 4),
      refusals,
      busiestWindow: busiest,
    };
    results.forEach((result, index) => {
      figures[`run${index + 1}`] = JSON.stringify({
        ...result,
        spanMs: round(result.spanMs, 0),
        achievedRate: round(result.achievedRate, 3),
      });
    });
    return {
      name: 'rate-limit',
      title: 'Rate-limit precision',
      parameters: {
        account: 'one Weibo account',
        limit: `${posts} posts per ${windowMs} ms window, sliding (sandbox and publisher)`,
        load: `${campaigns} one-post campaigns started at once on one publisher, ${runs} runs`,
        latency: `${latency.fixedMs}–${latency.fixedMs + latency.jitterMs} ms per request, the sandbox in its own process`,
        achievedRate:
          'limit × (least span the limit allows for the posts) ÷ (span from first to last post), by the sandbox’s receipt times',
      },
      rows,
      figures,
      notes: [
        'Each post counts against the window from its sending to its answer plus the window, so the platform never sees more than the limit whatever the latency; the cost is one answer time per window.',
      ],
      durationMs: now() - begun,
    };
  } finally {
    await sandbox.close({ type: 'close' });
  }
}

/** The `rate-limit` scenario. */
export const rateLimitScenario: Scenario = {
  name: 'rate-limit',
  title: 'Rate-limit precision',
  run,
};
