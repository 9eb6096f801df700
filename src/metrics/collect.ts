/**
 * Collecting the reach of a campaign: every live post of the campaign (a delivery that succeeded
 * or was reconciled, with the platform's id of its post) is read through its adapter's
 * `readReach`, one account at a time, and the readings are appended to the journal with the time
 * they were read. Collecting again later adds new readings beside the old ones.
 */
import {
  type Adapter,
  type PostFacts,
  type PostReach,
  REACH_COUNTS,
  type ReachCount,
} from '../adapter.js';
import { type CredentialsSource, CredentialsResolver } from '../credentials.js';
import { type ErrorCode, ReleaseHallError, toReleaseHallError } from '../errors.js';
import type { DeliveryRecord, Journal } from '../journal/journal.js';
import { type ReachReading, hasReach, storedReachReading } from '../journal/reach.js';
import { type Logger, silentLogger } from '../logger.js';
import type { ResolvedHall } from '../model/load.js';

/** Options of {@link collectReach}. */
export interface CollectReachOptions {
  /** The hall whose accounts made the posts. */
  readonly hall: ResolvedHall;
  /** The adapters; accounts whose adapter has no `readReach` are listed as `unsupported`. */
  readonly adapters: readonly Adapter[];
  /** Where the accounts' secrets come from. */
  readonly credentials: CredentialsSource | CredentialsResolver;
  /** Where the campaign's deliveries are and where the readings are appended (`hasReach`). */
  readonly journal: Journal;
  /** The campaign whose posts are read. */
  readonly campaignId: string;
  /** Stops the collection between accounts; readings stored stay stored. */
  readonly signal?: AbortSignal | undefined;
  /** Where the adapters log. @default silentLogger */
  readonly logger?: Logger | undefined;
  /** Timeout of each request. @default 15_000 */
  readonly requestTimeoutMs?: number | undefined;
}

/** How one account's reading ended. */
export type ReachAccountStatus =
  /** Read: its readings are stored (a post the platform no longer shows is in `missing`). */
  | 'read'
  /** Its adapter cannot read reach (no `readReach`), or the account is not in the hall. */
  | 'unsupported'
  /** The read failed (an expired token, a rate limit, a platform failure). */
  | 'failed'
  /** Not read: the signal stopped the collection. */
  | 'aborted';

/** What reading one account did. */
export interface ReachAccountResult {
  readonly accountId: string;
  readonly memberId: string;
  readonly platform: string;
  readonly status: ReachAccountStatus;
  /** The readings stored for the account's posts. */
  readonly readings: readonly ReachReading[];
  /** Posts asked for that the platform did not answer for (deleted, or not visible any more). */
  readonly missing: readonly string[];
  /** What stopped the read, for `failed` and `unsupported`. */
  readonly error?: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly retryAfterMs?: number;
  };
}

/** Sums of counts: a count no reading holds is absent. */
export type ReachTotals = Readonly<Partial<Record<ReachCount, number>>>;

/** What {@link collectReach} read and stored. */
export interface ReachCollection {
  readonly campaignId: string;
  /** Every account with a live post of the campaign, in hall order. */
  readonly accounts: readonly ReachAccountResult[];
  /** Every reading stored by this collection. */
  readonly readings: readonly ReachReading[];
  /** The sums of this collection's readings. */
  readonly totals: ReachTotals;
}

/** The sums of the counts of `readings`. */
export function reachTotals(readings: readonly PostReach[]): ReachTotals {
  const totals: Partial<Record<ReachCount, number>> = {};
  for (const reading of readings) {
    for (const name of REACH_COUNTS) {
      const value = reading[name];
      if (value !== undefined) totals[name] = (totals[name] ?? 0) + value;
    }
  }
  return totals;
}

/** The states of a delivery whose post is live on the platform. */
const LIVE_STATES = new Set<DeliveryRecord['state']>(['succeeded', 'reconciled']);

/** A live post of an account: the delivery that made it and what the journal knows of it. */
interface LivePost {
  readonly deliveryId: string;
  readonly facts: PostFacts;
}

/** What the journal knows of the post a delivery made: its notes and when it went live. */
function factsOf(record: DeliveryRecord): PostFacts {
  const live = [...record.history].reverse().find((step) => LIVE_STATES.has(step.state));
  return {
    ...(record.notes === undefined ? {} : { notes: record.notes }),
    ...(live === undefined ? {} : { postedAt: live.at }),
  };
}

/** The live posts of a campaign by account, in the order of the deliveries. */
function livePostsByAccount(
  deliveries: readonly DeliveryRecord[],
): Map<string, { platform: string; memberId: string; posts: Map<string, LivePost> }> {
  const byAccount = new Map<
    string,
    { platform: string; memberId: string; posts: Map<string, LivePost> }
  >();
  for (const record of deliveries) {
    if (!LIVE_STATES.has(record.state) || record.remoteId === undefined) continue;
    const { accountId, platform, memberId } = record.delivery;
    const entry = byAccount.get(accountId) ?? { platform, memberId, posts: new Map() };
    if (!entry.posts.has(record.remoteId)) {
      entry.posts.set(record.remoteId, { deliveryId: record.delivery.id, facts: factsOf(record) });
    }
    byAccount.set(accountId, entry);
  }
  return byAccount;
}

function resolverOf(credentials: CredentialsSource | CredentialsResolver): CredentialsResolver {
  return credentials instanceof CredentialsResolver
    ? credentials
    : new CredentialsResolver([credentials]);
}

function invalid(message: string, path: string, why: string): ReleaseHallError {
  return new ReleaseHallError(`[release-hall] ${message}`, {
    code: 'INVALID_INPUT',
    issues: [{ path, message: why }],
  });
}

/**
 * Reads the reach of every live post of a campaign, stores the readings in the journal with the
 * time each was read, and resolves with them. Errors of one account stop that account only; a
 * failure of the journal rejects.
 *
 * @throws ReleaseHallError `INVALID_INPUT` when the journal keeps no reach readings or the campaign
 *   is unknown
 */
export async function collectReach(options: CollectReachOptions): Promise<ReachCollection> {
  const { journal, campaignId } = options;
  if (!hasReach(journal)) {
    throw invalid(
      'this journal keeps no reach readings (it has no putReach): use a journal of release-hall',
      'journal',
      'no reach methods',
    );
  }
  const deliveries = await journal.getDeliveries(campaignId);
  if (deliveries.length === 0 && (await journal.getCampaign(campaignId)) === undefined) {
    throw invalid(
      `campaign ${campaignId} is not in the journal: name one that \`release-hall list\` shows`,
      'campaign',
      'unknown campaign',
    );
  }
  const adapters = new Map(options.adapters.map((adapter) => [adapter.platform, adapter]));
  const credentials = resolverOf(options.credentials);
  const signal = options.signal ?? new AbortController().signal;
  const live = livePostsByAccount(deliveries);
  const order = new Map(options.hall.accounts.map((account, index) => [account.id, index]));
  const accountIds = [...live.keys()].sort(
    (a, b) => (order.get(a) ?? order.size) - (order.get(b) ?? order.size),
  );
  const results: ReachAccountResult[] = [];

  for (const accountId of accountIds) {
    const entry = live.get(accountId)!;
    const base = { accountId, memberId: entry.memberId, platform: entry.platform };
    const postIds = [...entry.posts.keys()];
    const account = options.hall.accountById.get(accountId);
    const adapter = adapters.get(entry.platform);
    if (account === undefined || adapter?.readReach === undefined) {
      results.push({
        ...base,
        status: 'unsupported',
        readings: [],
        missing: [],
        error: {
          code: 'INVALID_INPUT',
          message:
            account === undefined
              ? `account ${accountId} is not in the hall file`
              : `the ${entry.platform} adapter does not read reach`,
        },
      });
      continue;
    }
    if (signal.aborted) {
      results.push({ ...base, status: 'aborted', readings: [], missing: [] });
      continue;
    }
    let reach: readonly PostReach[];
    try {
      const secrets = await credentials.resolve(account, adapter.credentialFields);
      reach = await adapter.readReach(account, postIds, {
        signal,
        credentials: secrets,
        logger: options.logger ?? silentLogger,
        requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
        posts: new Map([...entry.posts].map(([postId, post]) => [postId, post.facts])),
      });
    } catch (thrown) {
      if (signal.aborted) {
        results.push({ ...base, status: 'aborted', readings: [], missing: [] });
        continue;
      }
      const error = toReleaseHallError(thrown, 'TRANSIENT', {
        platform: entry.platform,
        accountId,
      });
      results.push({
        ...base,
        status: 'failed',
        readings: [],
        missing: [],
        error: {
          code: error.code,
          message: error.message,
          ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        },
      });
      continue;
    }
    const readings: ReachReading[] = reach.flatMap((reading) => {
      const deliveryId = entry.posts.get(reading.postId)?.deliveryId;
      return deliveryId === undefined
        ? []
        : [
            storedReachReading({
              ...reading,
              campaignId,
              deliveryId,
              accountId,
              platform: entry.platform,
            }),
          ];
    });
    const answered = new Set(readings.map((reading) => reading.postId));
    await journal.putReach(readings);
    results.push({
      ...base,
      status: 'read',
      readings,
      missing: postIds.filter((id) => !answered.has(id)),
    });
  }
  const readings = results.flatMap((result) => result.readings);
  return { campaignId, accounts: results, readings, totals: reachTotals(readings) };
}
