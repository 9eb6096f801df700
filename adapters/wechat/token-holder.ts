/**
 * One access-token holder per appid (platforms.md §1.2, design consequence 1).
 *
 * - `stable` mode (default): `POST cgi-bin/stable_token` with
 *   `{"grant_type":"client_credential","appid","secret","force_refresh":false}`. In normal mode
 *   WeChat returns the current token while it is valid and invalidates nothing; `expires_in` is
 *   the *remaining* life. Cached until `expires_in − 300 s`.
 * - `classic` mode: `GET cgi-bin/token?grant_type=client_credential&appid=…&secret=…`. Each call
 *   issues a new token and the previous one dies five minutes later, so independent fetchers
 *   knock each other's tokens out. Cached until `expires_in − 1500 s` (silenceper's margin).
 *
 * Concurrent callers share one fetch (single-flight, with a double-checked read of the store), so
 * a campaign over 71 accounts makes one fetch per appid per token lifetime, not one per delivery.
 * When a call answers `40001`/`40014`/`42001`, {@link WechatTokenHolder.invalidate} drops the
 * cached token only if it is still the one that failed (compare-and-expire, as WxJava does): a
 * token another caller already replaced is left alone.
 *
 * Tokens are kept in a {@link TokenStore}; the in-memory default serves one process, and a shared
 * store (Redis, a database) lets several processes use one token. Single-flight works inside one
 * process; a store that also offers {@link TokenStore.shareFetch} extends it across processes (the
 * Redis store, `release-hall/adapters/wechat/redis-token-store`, holds a lock with a deadline).
 *
 * No token and no AppSecret ever appears in an error: URLs lose their query string, bodies are
 * never quoted, and every error is scrubbed of both before it leaves.
 *
 * Every fetch is counted ({@link countTokenFetch}: `fetched` or `failed`) for the service's
 * `GET /metrics`; a token read from the store is not a fetch.
 */
import { Redactor, ReleaseHallError } from '#core';
import { countTokenFetch, failMalformed, httpCall, parseJsonBody } from '#adapter-kit';
import type { FetchLike } from '#adapter-kit';
import { WECHAT_PLATFORM, mapWechatError, wechatErrorCode } from './map-wechat-error.js';

/** Which token endpoint a holder uses. */
export type WechatTokenMode = 'stable' | 'classic';

/** A cached token. Times are epoch milliseconds. */
export interface StoredToken {
  readonly accessToken: string;
  /** When the token stops working (fetch time + `expires_in`). */
  readonly expiresAt: number;
  /** When the holder fetches again (ahead of expiry). */
  readonly refreshAt: number;
  readonly fetchedAt: number;
}

/**
 * Where tokens are kept, so several processes can share them. All methods are async so a network
 * store fits. `compareAndDelete` must be atomic: delete only when the stored token equals `accessToken`.
 */
export interface TokenStore {
  get(key: string): Promise<StoredToken | undefined>;
  set(key: string, token: StoredToken): Promise<void>;
  /** Deletes the entry only if it holds `accessToken`; resolves true when it deleted. */
  compareAndDelete(key: string, accessToken: string): Promise<boolean>;
  /**
   * Optional: single-flight across every process sharing the store. Resolves with a token for which
   * `isFresh` holds: the stored one, or one `fetch` got (and the store stored) while this process
   * held the store's fetch lock, or one another process fetched while this one waited for it (its
   * failure is this caller's failure too). Without it, the holder fetches and calls `set` itself.
   */
  shareFetch?(
    key: string,
    fetch: () => Promise<StoredToken>,
    isFresh: (token: StoredToken) => boolean,
  ): Promise<StoredToken>;
}

/** The default {@link TokenStore}: a map in this process. */
export class MemoryTokenStore implements TokenStore {
  readonly #entries = new Map<string, StoredToken>();

  get(key: string): Promise<StoredToken | undefined> {
    return Promise.resolve(this.#entries.get(key));
  }

  set(key: string, token: StoredToken): Promise<void> {
    this.#entries.set(key, token);
    return Promise.resolve();
  }

  compareAndDelete(key: string, accessToken: string): Promise<boolean> {
    const current = this.#entries.get(key);
    if (current === undefined || current.accessToken !== accessToken) return Promise.resolve(false);
    this.#entries.delete(key);
    return Promise.resolve(true);
  }

  /** Number of tokens held. */
  get size(): number {
    return this.#entries.size;
  }
}

/** The store key of a holder: stable and classic tokens are separate on WeChat's side too. */
export function tokenStoreKey(mode: WechatTokenMode, appid: string): string {
  return `wechat:${mode}:${appid}`;
}

/** Default refresh margins: 300 s before expiry for stable tokens, 1500 s for classic ones. */
export const DEFAULT_REFRESH_MARGIN_MS: Readonly<Record<WechatTokenMode, number>> = {
  stable: 300_000,
  classic: 1_500_000,
};

/** Used when a token reply has no readable `expires_in` [derived: the documented lifetime]. */
const DEFAULT_EXPIRES_IN_S = 7200;

/** A token is cached at least this long (or half its life), so a short `expires_in` cannot cause a fetch storm. */
const MIN_CACHE_MS = 30_000;

/** Options of {@link WechatTokenHolder}. */
export interface WechatTokenHolderOptions {
  /** The account's appid. */
  readonly appid: string;
  /** @default 'stable' */
  readonly mode?: WechatTokenMode | undefined;
  /** API base ending with `cgi-bin/`. @default 'https://api.weixin.qq.com/cgi-bin/' */
  readonly baseURL?: string | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike | undefined;
  /** @default a new {@link MemoryTokenStore} */
  readonly store?: TokenStore | undefined;
  /** @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Refresh this long before expiry. @default {@link DEFAULT_REFRESH_MARGIN_MS} of the mode */
  readonly refreshMarginMs?: number | undefined;
  /** Timeout of one token fetch (shared by every waiting caller). @default 10_000 */
  readonly timeoutMs?: number | undefined;
}

/** What a caller gives to get a token. */
export interface TokenRequest {
  /** The AppSecret, resolved at call time from the account's credentials. */
  readonly secret: string;
  /** Stops waiting (the shared fetch goes on for the other callers). */
  readonly signal?: AbortSignal | undefined;
  /** Account named in errors. */
  readonly accountId?: string | undefined;
}

/**
 * Holds the access token of one appid. Make one per appid and share it; the adapter does so.
 *
 * @example
 * const holder = new WechatTokenHolder({ appid: 'wx0123456789abcdef' });
 * const token = await holder.getToken({ secret });
 * // a call answered 42001:
 * await holder.invalidate(token); // then getToken again and retry once
 */
export class WechatTokenHolder {
  readonly appid: string;
  readonly mode: WechatTokenMode;
  readonly #baseURL: string;
  readonly #fetch: FetchLike;
  readonly #store: TokenStore;
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #timeoutMs: number;
  readonly #key: string;
  #inflight: Promise<StoredToken> | undefined;
  #fetches = 0;

  constructor(options: WechatTokenHolderOptions) {
    this.appid = options.appid;
    this.mode = options.mode ?? 'stable';
    const base = options.baseURL ?? 'https://api.weixin.qq.com/cgi-bin/';
    this.#baseURL = base.endsWith('/') ? base : `${base}/`;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#store = options.store ?? new MemoryTokenStore();
    this.#now = options.now ?? Date.now;
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS[this.mode];
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#key = tokenStoreKey(this.mode, this.appid);
  }

  /** Token fetches this holder made (for tests and metrics). */
  get fetches(): number {
    return this.#fetches;
  }

  /**
   * A token good for at least the refresh margin. Fetches when none is cached or the cached one
   * is due for refresh; concurrent callers share that fetch. If a due refresh fails while the
   * cached token is still valid, the cached token is returned.
   */
  async getToken(request: TokenRequest): Promise<string> {
    const cached = await this.#store.get(this.#key);
    const now = this.#now();
    if (cached !== undefined && now < cached.refreshAt) return cached.accessToken;
    try {
      const fresh = await this.#shared(request);
      return fresh.accessToken;
    } catch (error) {
      if (
        cached !== undefined &&
        this.#now() < cached.expiresAt - 60_000 &&
        !(ReleaseHallError.isInstance(error) && error.code === 'ABORTED')
      ) {
        return cached.accessToken; // refresh ahead failed; the old token still has time
      }
      throw error;
    }
  }

  /**
   * Compare-and-expire: drops the cached token only if it is `failedToken`. Resolves true when it
   * dropped it, false when another caller had already replaced it (then just get the new one).
   */
  async invalidate(failedToken: string): Promise<boolean> {
    return this.#store.compareAndDelete(this.#key, failedToken);
  }

  /** The cached token entry, if any (never log it). */
  async peek(): Promise<StoredToken | undefined> {
    return this.#store.get(this.#key);
  }

  #shared(request: TokenRequest): Promise<StoredToken> {
    this.#inflight ??= this.#refresh(request).finally(() => {
      this.#inflight = undefined;
    });
    return waitFor(this.#inflight, request.signal, request.accountId);
  }

  async #refresh(request: TokenRequest): Promise<StoredToken> {
    const isFresh = (token: StoredToken): boolean => this.#now() < token.refreshAt;
    if (this.#store.shareFetch !== undefined) {
      return this.#store.shareFetch(this.#key, () => this.#fetchToken(request), isFresh);
    }
    // Double-checked: another caller of this process (or another process sharing the store) may
    // have stored a fresh token while this one waited.
    const again = await this.#store.get(this.#key);
    if (again !== undefined && isFresh(again)) return again;
    const token = await this.#fetchToken(request);
    await this.#store.set(this.#key, token);
    return token;
  }

  async #fetchToken(request: TokenRequest): Promise<StoredToken> {
    const endpoint = this.mode === 'stable' ? 'stable_token' : 'token';
    const call = {
      platform: WECHAT_PLATFORM,
      endpoint,
      write: false,
      accountId: request.accountId,
    } as const;
    const redactor = new Redactor();
    redactor.add(request.secret);
    this.#fetches += 1;
    try {
      const reply =
        this.mode === 'stable'
          ? await httpCall({
              ...call,
              fetch: this.#fetch,
              url: `${this.#baseURL}stable_token`,
              method: 'POST',
              headers: { 'content-type': 'application/json; charset=utf-8' },
              body: JSON.stringify({
                grant_type: 'client_credential',
                appid: this.appid,
                secret: request.secret,
                force_refresh: false,
              }),
              timeoutMs: this.#timeoutMs,
            })
          : await httpCall({
              ...call,
              fetch: this.#fetch,
              url: `${this.#baseURL}token?${new URLSearchParams({
                grant_type: 'client_credential',
                appid: this.appid,
                secret: request.secret,
              }).toString()}`,
              method: 'GET',
              timeoutMs: this.#timeoutMs,
            });
      const body = parseJsonBody(reply, call);
      const record =
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? (body as Record<string, unknown>)
          : undefined;
      const errcode = wechatErrorCode(record?.errcode);
      if (record === undefined || (errcode !== undefined && errcode !== 0) || reply.status >= 300) {
        throw mapWechatError(
          {
            errcode: errcode ?? undefined,
            errmsg: typeof record?.errmsg === 'string' ? record.errmsg : undefined,
            status: reply.status,
            endpoint,
            write: false,
            accountId: request.accountId,
          },
          { secrets: [request.secret], now: this.#now },
        );
      }
      const accessToken = record.access_token;
      if (typeof accessToken !== 'string' || accessToken === '') {
        failMalformed(call, `HTTP ${reply.status} without an access_token`);
      }
      const expiresIn = readSeconds(record.expires_in) ?? DEFAULT_EXPIRES_IN_S;
      const fetchedAt = this.#now();
      const lifeMs = expiresIn * 1000;
      const cacheMs = Math.max(lifeMs - this.#marginMs, Math.min(lifeMs / 2, MIN_CACHE_MS));
      countTokenFetch(WECHAT_PLATFORM, 'fetched');
      return {
        accessToken,
        fetchedAt,
        expiresAt: fetchedAt + lifeMs,
        refreshAt: fetchedAt + cacheMs,
      };
    } catch (error) {
      countTokenFetch(WECHAT_PLATFORM, 'failed');
      if (error instanceof Error) redactor.scrubError(error);
      throw error;
    }
  }
}

function readSeconds(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined;
}

/** Waits for a shared promise, giving up (for this caller only) when its signal aborts. */
function waitFor<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  accountId: string | undefined,
): Promise<T> {
  if (signal === undefined) return promise;
  const aborted = (): ReleaseHallError =>
    new ReleaseHallError('[release-hall] [wechat] token fetch stopped: the run was aborted', {
      code: 'ABORTED',
      platform: WECHAT_PLATFORM,
      accountId,
      retryable: false,
    });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
