/**
 * Facts the service's `GET /metrics` reads that happen far from the service: the access-token
 * fetches of the adapters, and the pushes each account has left. They are kept for the whole
 * process (from its start), since a token holder or a campaign run does not know which service,
 * if any, is watching. Memory is bounded by the platforms and the accounts of the hall.
 */

/** How a token fetch ended. */
export type TokenFetchOutcome = 'fetched' | 'failed';

const tokenFetches = new Map<string, number>();

/**
 * Counts one access-token fetch an adapter made (a request to the platform's token endpoint, not
 * a token read from its cache). Adapters whose platform issues tokens call it once per fetch.
 */
export function countTokenFetch(platform: string, outcome: TokenFetchOutcome): void {
  const key = `${platform}\u0000${outcome}`;
  tokenFetches.set(key, (tokenFetches.get(key) ?? 0) + 1);
}

/** One count of {@link countTokenFetch}. */
export interface TokenFetchCount {
  readonly platform: string;
  readonly outcome: TokenFetchOutcome;
  readonly count: number;
}

/** The token fetches of this process so far, by platform and outcome. */
export function tokenFetchCounts(): TokenFetchCount[] {
  return [...tokenFetches].map(([key, count]) => {
    const [platform = '', outcome] = key.split('\u0000');
    return { platform, outcome: outcome === 'failed' ? 'failed' : 'fetched', count };
  });
}

/** What the push quota of an account was, when it was last worked out. */
export interface PushesLeft {
  readonly platform: string;
  readonly accountId: string;
  /** Pushes left in the period. */
  readonly left: number;
  /** Pushes allowed per period. */
  readonly limit: number;
  readonly period: 'day' | 'month';
  /** When the quota is back. */
  readonly resetsAt: Date;
}

const pushesLeft = new Map<string, PushesLeft>();
let pushesWatched = false;

/**
 * Asks campaign runs to work out the pushes left of the accounts they pushed on once they end
 * (it costs a read of the journal's recent pushes, so it is done only when someone watches).
 */
export function watchPushesLeft(): void {
  pushesWatched = true;
}

/** Whether {@link watchPushesLeft} was called in this process. */
export function pushesLeftWatched(): boolean {
  return pushesWatched;
}

/** Records the pushes an account has left. */
export function notePushesLeft(reading: PushesLeft): void {
  pushesLeft.set(reading.accountId, reading);
}

/**
 * The latest reading of each account's pushes left (one whose period has ended since is left out:
 * its count no longer holds).
 */
export function pushesLeftReadings(now: number = Date.now()): PushesLeft[] {
  return [...pushesLeft.values()].filter((reading) => reading.resetsAt.getTime() > now);
}
