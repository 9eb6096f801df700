/**
 * The ideal of the `crisis` scenario, built from the platforms' documented rules only
 * (the protocol notes summarised in docs/platforms/): what a publisher that sends every
 * request the moment the rules allow would take, every request at the sandbox's mean latency.
 * Nothing here reads release-hall's own limits (its `platformConcurrency`, its post windows): the
 * ideal is what the platforms allow, not what the library chooses.
 *
 * Per platform, one delivery is the chain of requests its protocol needs:
 * - Weibo (§2.3): the lead's `statuses/share`, then each member's `statuses/repost` of it;
 * - Tencent Weibo (§3.2): the lead's `t/add`, then each member's `t/re_add`;
 * - WeChat (§1.2–1.5; no relay): per account `stable_token`, the cover's
 *   `material/add_material`, `draft/add`, `freepublish/submit`, then one `freepublish/get` that
 *   arrives as the job ends (the job ends `publishDelayMs` after the platform took the submit).
 *
 * Then the documented limits are checked against the counts the campaign makes, and the ideal is
 * pushed to the next window where one would bind.
 */

/** One platform's part of the ideal. */
export interface PlatformIdeal {
  readonly platform: string;
  /** Deliveries on the platform (accounts of the hall on it). */
  readonly accounts: number;
  /** Whether members relay the lead's post (they wait for it). */
  readonly relays: boolean;
  /** Requests the protocol needs for one delivery (the lead's, or any one account's). */
  readonly requestsPerDelivery: number;
  /** Calls the whole campaign makes on the platform. */
  readonly calls: number;
  /** The ideal time to the platform's last post, in ms. */
  readonly idealMs: number;
  /** The critical path, in words. */
  readonly path: string;
  /** Which documented rule binds for this many accounts, or the one that would bind first. */
  readonly binding: string;
}

/** What the ideal depends on besides the hall. */
export interface IdealInput {
  /** Mean latency of one request (request and answer), in ms. */
  readonly meanLatencyMs: number;
  /** How long a WeChat publish job runs after the platform took `freepublish/submit`, in ms. */
  readonly wechatPublishDelayMs: number;
}

const HOUR_MS = 3_600_000;

/**
 * Weibo's documented limits (§2.5), at the lowest app level ("test"), so the ideal never assumes
 * more than any app gets.
 */
export const WEIBO_RULES = {
  /** Posts (share, repost) per user per app per hour. */
  postsPerUserPerHour: 30,
  /** Calls per server IP per hour: test level (10 000 normal, 40 000 partner). */
  callsPerIpPerHour: 1_000,
  /** Calls per server IP per hour of a normal-level app. */
  callsPerIpPerHourNormal: 10_000,
} as const;

/** WeChat's documented limits that touch an article publish (§1.2, §1.6, §1.8), per app (account). */
export const WECHAT_RULES = {
  /** `stable_token` calls per minute per app. */
  stableTokenPerMinute: 10_000,
  /** Media uploads per day per app (a newly registered account). */
  uploadsPerDay: 5_000,
  /** Requests per minute on the mass endpoints (not called by a publish). */
  massPerMinute: 60,
} as const;

/**
 * Extra whole hours a campaign of `calls` calls waits when at most `perHour` may be made in an
 * hour: the calls beyond each hour's quota go in the next hour.
 */
export function hoursWaited(calls: number, perHour: number): number {
  if (calls <= 0) return 0;
  return Math.ceil(calls / perHour) - 1;
}

/**
 * A relay platform (Weibo, Tencent): the lead's post, then every relay at once, one request each.
 * `perIpPerHour` is the documented per-IP hourly quota, when there is one.
 */
function relayIdeal(
  platform: string,
  accounts: number,
  input: IdealInput,
  perIpPerHour: number | undefined,
): PlatformIdeal {
  const calls = accounts;
  const waves = accounts > 1 ? 2 : 1;
  const waited = perIpPerHour === undefined ? 0 : hoursWaited(calls, perIpPerHour);
  const idealMs = waves * input.meanLatencyMs + waited * HOUR_MS;
  const names =
    platform === 'weibo' ? ['statuses/share', 'statuses/repost'] : ['t/add', 't/re_add'];
  const path =
    accounts > 1
      ? `lead's ${names[0]}, then ${accounts - 1} ${names[1]} at once: 2 × ${input.meanLatencyMs} ms`
      : `${names[0]}: ${input.meanLatencyMs} ms`;
  let binding: string;
  if (platform === 'weibo') {
    binding =
      waited > 0
        ? `the per-IP hourly quota (${WEIBO_RULES.callsPerIpPerHour} calls, test-level app, §2.5) binds: ${calls} calls need ${waited + 1} hours`
        : `no documented limit binds for ${accounts} accounts (1 post each, ${WEIBO_RULES.postsPerUserPerHour} allowed per user per hour); the per-IP hourly quota would bind above ${WEIBO_RULES.callsPerIpPerHour} calls (test-level app; ${WEIBO_RULES.callsPerIpPerHourNormal} normal), §2.5`;
  } else {
    binding = `no documented limit (Tencent's are unconfirmed, §3.4): none binds`;
  }
  return {
    platform,
    accounts,
    relays: accounts > 1,
    requestsPerDelivery: 1,
    calls,
    idealMs,
    path,
    binding,
  };
}

/** Requests of one WeChat article publish: token, cover, draft, submit, one status read. */
export const WECHAT_ARTICLE_REQUESTS = 5;

/**
 * WeChat: every account's chain at once (no relay). The job ends `publishDelayMs` after the
 * submit reached the platform (at 3 latencies); the status read that sees it leaves no earlier
 * than the submit's answer (4 latencies) and takes one more.
 */
function wechatIdeal(accounts: number, input: IdealInput): PlatformIdeal {
  const latency = input.meanLatencyMs;
  const submitTaken = 3 * latency;
  const readLeaves = Math.max(4 * latency, submitTaken + input.wechatPublishDelayMs);
  const idealMs = readLeaves + latency;
  return {
    platform: 'wechat',
    accounts,
    relays: false,
    requestsPerDelivery: WECHAT_ARTICLE_REQUESTS,
    calls: accounts * WECHAT_ARTICLE_REQUESTS,
    idealMs,
    path: `every account at once: stable_token, add_material, draft/add, submit (${3} × ${latency} ms to the submit), job ${input.wechatPublishDelayMs} ms, freepublish/get answered ${latency} ms after max(submit answered, job done)`,
    binding: `no documented limit binds: limits are per app and every account is its own app (stable_token ${WECHAT_RULES.stableTokenPerMinute}/min §1.2, uploads ${WECHAT_RULES.uploadsPerDay}/day §1.8; each account makes 1 of each); ${WECHAT_RULES.massPerMinute}/min binds only mass sends (§1.6); no per-IP rate is documented`,
  };
}

/** The ideal of one platform with `accounts` accounts (the lead among them when it relays). */
export function platformIdeal(
  platform: string,
  accounts: number,
  input: IdealInput,
): PlatformIdeal {
  switch (platform) {
    case 'weibo':
      return relayIdeal(platform, accounts, input, WEIBO_RULES.callsPerIpPerHour);
    case 'tencent':
      return relayIdeal(platform, accounts, input, undefined);
    case 'wechat':
      return wechatIdeal(accounts, input);
    default:
      throw new Error(`no platform rules for ${platform}`);
  }
}

/** The hall's ideal: the platforms run side by side (other hosts, other apps), so the slowest one. */
export function hallIdeal(parts: readonly PlatformIdeal[]): number {
  return Math.max(0, ...parts.map((part) => part.idealMs));
}
