/**
 * One description of the Weibo open API v2 (platforms.md §2) that drives both fakes: the loopback
 * sandbox server (`sandbox.ts`) and the msw handlers (`msw.ts`). Both feed requests to
 * {@link handleWeiboRequest} and only carry out what it answers (status, body, delay, drop), so the
 * two cannot drift apart.
 *
 * The state lives in a {@link WeiboPlatform}: accounts, tokens, statuses, rate windows, faults to
 * inject, and a log of requests for tests to inspect.
 *
 * Points marked [unconfirmed] are hypotheses (platforms.md §6) the fake has to decide one way;
 * the adapter is written to tolerate the other way.
 */
import { isIP } from 'node:net';
import {
  WEIBO_MAX_LENGTH,
  WEIBO_MAX_LONG_TEXT_LENGTH,
  countWeiboText,
  isHostOrSubdomain,
  weiboLinkHost,
  weiboLinks,
} from '../count-weibo-text.js';
import {
  type MultipartPart,
  FaultQueue,
  PlatformClock,
  PostStore,
  RequestLog,
  SeededLatency,
  resolveLatency,
  parseMultipart,
  parseContentType,
  pathBelowBase,
} from '../../fake/platform.js';

/** The endpoints the fake serves, named as in errors (`statuses/share`). */
export type WeiboEndpointName =
  | 'statuses/share'
  | 'statuses/update'
  | 'statuses/repost'
  | 'statuses/destroy'
  | 'statuses/user_timeline'
  | 'statuses/show';

interface EndpointRule {
  readonly method: 'GET' | 'POST';
  /** Creates a status (counted by the post rate limit). */
  readonly creates: boolean;
}

const ENDPOINTS: Readonly<Record<WeiboEndpointName, EndpointRule>> = {
  'statuses/share': { method: 'POST', creates: true },
  'statuses/update': { method: 'POST', creates: true },
  'statuses/repost': { method: 'POST', creates: true },
  'statuses/destroy': { method: 'POST', creates: false },
  'statuses/user_timeline': { method: 'GET', creates: false },
  'statuses/show': { method: 'GET', creates: false },
};

/** The write endpoints that create a status. */
export const WEIBO_POSTING_ENDPOINTS: readonly WeiboEndpointName[] = [
  'statuses/share',
  'statuses/update',
  'statuses/repost',
];

/** Default first status id: above 2^53, so any trip through a JS number loses digits. */
export const DEFAULT_FIRST_STATUS_ID = 4_900_000_000_000_000_001n;

/** Text of a repost without a comment (the platform default). */
export const DEFAULT_REPOST_TEXT = '转发微博';

// ---------------------------------------------------------------------------------------------
// Requests and responses

/** A request as both fakes hand it to {@link handleWeiboRequest}. */
export interface WeiboProtocolRequest {
  /** HTTP method, any case. */
  readonly method: string;
  /** API path starting at the version, e.g. `/2/statuses/share.json`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text (`''` when there is none). */
  readonly body: string;
  /** Content type; defaults to `headers['content-type']`. */
  readonly contentType?: string | undefined;
}

/** What a fake must do with a request. */
export interface WeiboProtocolResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Wait this long before answering (latency, or the hang of `timeout-after-apply`). A fake stops
   * waiting, and answers nothing, when the client goes away first.
   */
  readonly delayMs: number;
  /** Close the connection instead of answering, after the delay. */
  readonly drop: boolean;
}

// ---------------------------------------------------------------------------------------------
// Configuration

/** Simulated latency: `fixedMs + jitterMs * random()`, with a seeded generator. */
export interface WeiboLatency {
  /** @default 0 */
  readonly fixedMs?: number;
  /** @default 0 */
  readonly jitterMs?: number;
  /** Seed of the jitter generator, so runs repeat. @default 1 */
  readonly seed?: number;
}

/** Posts one account may make per window before Weibo refuses (platforms.md §2.5). */
export interface WeiboRateLimit {
  /** Posts (share, update, repost) per window per account. */
  readonly posts: number;
  readonly windowMs: number;
  /** Code of the refusal: `20016` (posting too fast) or `10023` (user rate). @default 20016 */
  readonly errorCode?: 20016 | 10023;
  /**
   * Send a `Retry-After` header with this many seconds. Weibo is not known to send one
   * [unconfirmed], so by default none is sent.
   */
  readonly retryAfterSeconds?: number;
}

/** Settings of a {@link WeiboPlatform}; all can be changed later with `configure`. */
export interface WeiboPlatformOptions {
  /** Clock of the platform (creation times, rate windows, delayed visibility). @default Date.now */
  readonly now?: () => number;
  readonly latency?: WeiboLatency;
  /** Per-account post limit; none by default. */
  readonly rateLimit?: WeiboRateLimit | undefined;
  /**
   * The app's registered safe domain: `statuses/share` text must link to it or a subdomain.
   * An account may name its own. When neither is set, any link passes, but a link is required.
   */
  readonly safeDomain?: string | undefined;
  /** Id of the first status. @default DEFAULT_FIRST_STATUS_ID */
  readonly firstStatusId?: bigint;
  /** How long a `delayed-20032` post stays invisible. @default 90_000 */
  readonly acceptedVisibleAfterMs?: number;
  /** How long a `timeout-after-apply` reply is held back. @default 30_000 */
  readonly hangMs?: number;
  /**
   * Rewrite links into `http://t.cn/…` short links in stored text, as Weibo shows them
   * [unconfirmed whether the API returns rewritten text]. @default false
   */
  readonly shortenLinks?: boolean;
  /**
   * Return long-text statuses cut to 120 characters plus `...全文： <link>` in reads, as the
   * Weibo clients show them [unconfirmed for the API]. @default true
   */
  readonly truncateLongText?: boolean;
}

/** A sandbox account. */
export interface WeiboAccountInit {
  /** Digits, e.g. `"2418724427"`. */
  readonly uid: string;
  readonly screenName: string;
  /** The token that authenticates as this account. */
  readonly accessToken: string;
  /** Overrides the platform's safe domain for this account's app. */
  readonly safeDomain?: string;
  /** The token expires at this platform time (ms). */
  readonly tokenExpiresAt?: number;
  /** The account qualifies for long text (`is_longtext=1`). @default true */
  readonly longTextAllowed?: boolean;
}

/** A registered account, as the inspection API shows it (without its token). */
export interface WeiboAccountInfo {
  readonly uid: string;
  readonly screenName: string;
  readonly safeDomain: string | undefined;
  readonly longTextAllowed: boolean;
}

// ---------------------------------------------------------------------------------------------
// Faults

/**
 * Faults the next matching requests suffer:
 *
 * - `5xx-before-apply`: HTTP 503 (or `status`) with an HTML page; nothing is stored.
 * - `error-before-apply`: a Weibo error body with `errorCode` (and `status`, default 400); nothing
 *   is stored. For codes the rules never produce by themselves (`20017`, `20111`, `10001`, ...).
 * - `token-expired`: `21327 expired_token` once, although the token is still good.
 * - `html-200`: an HTML page with status 200, as a captive portal or a WAF would send. By default
 *   nothing is stored: such pages come from something in front of Weibo, so the request never
 *   reached it. With `applyFirst: true` the request is applied and the reply is replaced.
 * - `drop-after-apply`: the request is applied, then the connection is closed without a reply.
 * - `timeout-after-apply`: the request is applied, then the reply is held back for `hangMs`
 *   (or until the client gives up).
 * - `truncated-after-apply`: the request is applied, then the JSON reply is cut in half.
 * - `delayed-20032`: the request is applied, the reply is `20032` (posted, visible in 1–2
 *   minutes), and the status stays out of reads for `visibleAfterMs`.
 *
 * Faults that act after the apply are used up only by a request that is applied; one that fails
 * the rules gets its normal error and leaves the fault queued.
 */
export type WeiboFaultKind =
  | '5xx-before-apply'
  | 'error-before-apply'
  | 'token-expired'
  | 'html-200'
  | 'drop-after-apply'
  | 'timeout-after-apply'
  | 'truncated-after-apply'
  | 'delayed-20032';

/** One fault to inject. */
export interface WeiboFault {
  readonly kind: WeiboFaultKind;
  /** Endpoints it applies to; all when omitted. */
  readonly endpoint?: WeiboEndpointName | readonly WeiboEndpointName[];
  /** Only requests authenticated as this account. */
  readonly uid?: string;
  /** How many requests it hits. @default 1 */
  readonly times?: number;
  /** HTTP status for `5xx-before-apply` (default 503) and `error-before-apply` (default 400). */
  readonly status?: number;
  /** Weibo code for `error-before-apply`. @default 10001 */
  readonly errorCode?: number;
  /** Weibo text for `error-before-apply`. */
  readonly errorText?: string;
  /** `html-200` only: apply the request before replacing the reply. @default false */
  readonly applyFirst?: boolean;
  /** `timeout-after-apply` only: how long the reply is held back. @default platform `hangMs` */
  readonly hangMs?: number;
  /** `delayed-20032` only: invisibility. @default platform `acceptedVisibleAfterMs` */
  readonly visibleAfterMs?: number;
}

const BEFORE_APPLY: ReadonlySet<WeiboFaultKind> = new Set<WeiboFaultKind>([
  '5xx-before-apply',
  'error-before-apply',
  'token-expired',
  'html-200',
]);

// ---------------------------------------------------------------------------------------------
// Inspection

/** A status as the inspection API shows it. */
export interface WeiboPost {
  /** `idstr`. */
  readonly id: string;
  readonly uid: string;
  /** Text as stored (links rewritten when `shortenLinks` is on). */
  readonly text: string;
  /** Text exactly as sent in `status`. */
  readonly sentText: string;
  readonly kind: 'original' | 'repost';
  /** For a repost: `idstr` of the status reposted (the root of a repost chain). */
  readonly sourceId: string | undefined;
  readonly endpoint: WeiboEndpointName;
  readonly deleted: boolean;
  readonly createdAt: Date;
  /** When reads start to show it (later than `createdAt` after `delayed-20032`). */
  readonly visibleAt: Date;
  readonly isLongText: boolean;
}

/** One request the platform received. Never holds the token. */
export interface WeiboRequestRecord {
  readonly at: Date;
  readonly method: string;
  readonly path: string;
  readonly endpoint: WeiboEndpointName | undefined;
  /** Account the token belongs to, when it is known. */
  readonly uid: string | undefined;
  /** Where the token came from. */
  readonly tokenFrom: 'query' | 'body' | 'header' | 'none';
  readonly contentType: string | undefined;
  /** Query and body parameters, without `access_token`. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  readonly errorCode: number | undefined;
  readonly fault: WeiboFaultKind | undefined;
}

/** Counters of the platform. */
export interface WeiboCounts {
  readonly requests: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** Statuses ever created (deleted included). */
  readonly posts: number;
  readonly livePosts: number;
  readonly faultsApplied: number;
}

// ---------------------------------------------------------------------------------------------
// Internal state

interface AccountState {
  readonly uid: string;
  readonly screenName: string;
  readonly safeDomain: string | undefined;
  readonly longTextAllowed: boolean;
}

interface TokenState {
  readonly uid: string;
  readonly expiresAt: number | undefined;
  expired: boolean;
}

interface StatusState {
  readonly id: bigint;
  readonly idstr: string;
  readonly uid: string;
  readonly text: string;
  readonly sentText: string;
  readonly kind: 'original' | 'repost';
  readonly sourceId: string | undefined;
  readonly endpoint: WeiboEndpointName;
  readonly createdAt: number;
  readonly visibleAt: number;
  readonly isLongText: boolean;
  deleted: boolean;
}

class WeiboReply {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: string,
    readonly errorCode: number | undefined,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const HTML_TYPE = 'text/html; charset=utf-8';

/** Codes answered with HTTP 403 (authentication and permission); the rest get 400. */
function statusForCode(code: number): number {
  if (code >= 21300 && code < 21400) return 403;
  if (code === 10014 || code === 20015) return 403;
  return 400;
}

/** A JSON number that is written into the text as it is, digits and all. */
class RawJsonNumber {
  constructor(readonly digits: string) {}
}

const RAW_MARK = '\u0000raw-number:';

/** `JSON.stringify` that writes {@link RawJsonNumber}s as bare numbers, beyond 2^53 included. */
function stringifyWithRawNumbers(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) =>
    item instanceof RawJsonNumber ? `${RAW_MARK}${item.digits}` : item,
  );
  return text.replace(/"\\u0000raw-number:(-?\d+)"/g, '$1');
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** Weibo's `created_at` format in China time: `Wed Oct 24 23:49:17 +0800 2012`. */
export function formatWeiboDate(ms: number): string {
  const local = new Date(ms + 8 * 3_600_000);
  const two = (value: number): string => String(value).padStart(2, '0');
  return (
    `${WEEKDAYS[local.getUTCDay()]} ${MONTHS[local.getUTCMonth()]} ${two(local.getUTCDate())} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} ` +
    `+0800 ${local.getUTCFullYear()}`
  );
}

/** Topics are written `#话题#`. */
const TOPIC_PATTERN = /#[^#\r\n]+#/;

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface ParsedBody {
  readonly params: URLSearchParams;
  readonly picture: MultipartPart | undefined;
  readonly readable: boolean;
}

function parseBody(method: string, body: string, contentType: string | undefined): ParsedBody {
  if (method !== 'POST')
    return { params: new URLSearchParams(), picture: undefined, readable: true };
  const { type, boundary } = parseContentType(contentType);
  if (type === 'application/x-www-form-urlencoded') {
    return { params: new URLSearchParams(body), picture: undefined, readable: true };
  }
  if (type === 'multipart/form-data' && boundary !== undefined) {
    const params = new URLSearchParams();
    let picture: MultipartPart | undefined;
    for (const part of parseMultipart(body, boundary)) {
      if (part.name === 'pic' && part.filename !== undefined) picture = part;
      else params.append(part.name, part.value);
    }
    return { params, picture, readable: true };
  }
  return { params: new URLSearchParams(), picture: undefined, readable: body.length === 0 };
}

interface ResolvedPlatformOptions {
  readonly now: () => number;
  readonly latency: Required<WeiboLatency>;
  readonly rateLimit: WeiboRateLimit | undefined;
  readonly safeDomain: string | undefined;
  readonly firstStatusId: bigint;
  readonly acceptedVisibleAfterMs: number;
  readonly hangMs: number;
  readonly shortenLinks: boolean;
  readonly truncateLongText: boolean;
}

// ---------------------------------------------------------------------------------------------
// The platform

/**
 * The state of a fake Weibo: accounts, tokens, statuses, limits and faults. Drives the sandbox
 * server and the msw handlers through {@link handleWeiboRequest}.
 *
 * @example
 * const platform = new WeiboPlatform({ safeDomain: 'www.beijing.gov.cn' });
 * platform.addAccount({ uid: '2418724427', screenName: '北京发布', accessToken: 'token-1' });
 * platform.injectFault({ kind: 'drop-after-apply', endpoint: 'statuses/share' });
 */
export class WeiboPlatform {
  #options: ResolvedPlatformOptions;
  readonly #jitter: SeededLatency;
  readonly #clock = new PlatformClock(() => this.#options.now());
  readonly #accounts = new Map<string, AccountState>();
  readonly #tokens = new Map<string, TokenState>();
  readonly #statuses = new PostStore<StatusState>((status) => status.uid);
  readonly #faults = new FaultQueue<WeiboFault, WeiboEndpointName>({
    beforeApply: BEFORE_APPLY,
    accountOf: (fault) => fault.uid,
  });
  readonly #log = new RequestLog<WeiboRequestRecord>();
  #nextId: bigint;
  #nextShortLink = 100_000_000;

  constructor(options: WeiboPlatformOptions = {}) {
    this.#options = {
      now: options.now ?? Date.now,
      rateLimit: options.rateLimit,
      safeDomain: options.safeDomain,
      firstStatusId: options.firstStatusId ?? DEFAULT_FIRST_STATUS_ID,
      acceptedVisibleAfterMs: options.acceptedVisibleAfterMs ?? 90_000,
      hangMs: options.hangMs ?? 30_000,
      shortenLinks: options.shortenLinks ?? false,
      truncateLongText: options.truncateLongText ?? true,
      latency: resolveLatency(options.latency),
    };
    this.#jitter = new SeededLatency(this.#options.latency);
    this.#nextId = this.#options.firstStatusId;
  }

  /** Changes settings; omitted ones stay. Pass `rateLimit: undefined` to lift the limit. */
  configure(options: WeiboPlatformOptions): void {
    const latency = this.#jitter.configure(this.#options.latency, options.latency);
    this.#options = {
      ...this.#options,
      ...(options.now ? { now: options.now } : {}),
      ...('rateLimit' in options ? { rateLimit: options.rateLimit } : {}),
      ...('safeDomain' in options ? { safeDomain: options.safeDomain } : {}),
      ...(options.acceptedVisibleAfterMs !== undefined
        ? { acceptedVisibleAfterMs: options.acceptedVisibleAfterMs }
        : {}),
      ...(options.hangMs !== undefined ? { hangMs: options.hangMs } : {}),
      ...(options.shortenLinks !== undefined ? { shortenLinks: options.shortenLinks } : {}),
      ...(options.truncateLongText !== undefined
        ? { truncateLongText: options.truncateLongText }
        : {}),
      latency,
    };
  }

  /** Current platform time in ms (the clock plus any {@link advanceClock}). */
  now(): number {
    return this.#clock.now();
  }

  /** Moves the platform clock forward, e.g. past a rate window or a delayed visibility. */
  advanceClock(ms: number): void {
    this.#clock.advance(ms);
  }

  // -- accounts --------------------------------------------------------------------------------

  /** Registers an account and its token. */
  addAccount(account: WeiboAccountInit): WeiboAccountInfo {
    if (!/^\d+$/.test(account.uid)) throw new TypeError(`uid must be digits, got "${account.uid}"`);
    if (this.#accounts.has(account.uid)) throw new Error(`account ${account.uid} already exists`);
    const state: AccountState = {
      uid: account.uid,
      screenName: account.screenName,
      safeDomain: account.safeDomain,
      longTextAllowed: account.longTextAllowed ?? true,
    };
    this.#accounts.set(account.uid, state);
    this.addToken(account.uid, account.accessToken, account.tokenExpiresAt);
    return { ...state };
  }

  /** Adds another token for an account. */
  addToken(uid: string, accessToken: string, expiresAt?: number): void {
    if (!this.#accounts.has(uid)) throw new Error(`no account ${uid}`);
    this.#tokens.set(accessToken, { uid, expiresAt, expired: false });
  }

  /** Makes a token expire now: every call with it gets `21327 expired_token`. */
  expireToken(accessToken: string): void {
    const token = this.#tokens.get(accessToken);
    if (token === undefined) throw new Error('unknown token');
    token.expired = true;
  }

  /** Registered accounts, without tokens. */
  accounts(): WeiboAccountInfo[] {
    return [...this.#accounts.values()].map((account) => ({ ...account }));
  }

  // -- faults ----------------------------------------------------------------------------------

  /** Queues a fault for the next matching request(s). */
  injectFault(fault: WeiboFault): void {
    this.#faults.inject(fault);
  }

  /** Faults still queued. */
  pendingFaults(): WeiboFault[] {
    return this.#faults.pending();
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.#faults.clear();
  }

  // -- inspection ------------------------------------------------------------------------------

  /** Statuses of one account, oldest first, deleted ones included. */
  postsOf(uid: string): WeiboPost[] {
    return this.#statuses.of(uid).map((status) => this.#snapshot(status));
  }

  /** Statuses of one account that are not deleted, oldest first. */
  livePostsOf(uid: string): WeiboPost[] {
    return this.postsOf(uid).filter((post) => !post.deleted);
  }

  /** Every status, oldest first. */
  allPosts(): WeiboPost[] {
    return this.#statuses.all().map((status) => this.#snapshot(status));
  }

  /** One status by `idstr`. */
  post(id: string): WeiboPost | undefined {
    const status = this.#statuses.get(id);
    return status === undefined ? undefined : this.#snapshot(status);
  }

  /** Every request received, oldest first. */
  requests(): readonly WeiboRequestRecord[] {
    return this.#log.entries();
  }

  /** Counters. */
  counts(): WeiboCounts {
    return {
      requests: this.#log.size,
      byEndpoint: this.#log.byEndpoint(),
      posts: this.#statuses.size,
      livePosts: this.#statuses.liveCount(),
      faultsApplied: this.#faults.applied,
    };
  }

  /**
   * Forgets statuses, faults, the request log, rate windows, expired-token marks and the clock
   * offset. Accounts, tokens and settings stay; ids keep growing so old ids never come back.
   */
  reset(): void {
    this.#statuses.clear();
    this.#faults.reset();
    this.#log.clear();
    this.#clock.reset();
    for (const token of this.#tokens.values()) token.expired = false;
  }

  // -- the protocol ----------------------------------------------------------------------------

  /** Answers one request. See {@link handleWeiboRequest}. */
  handle(request: WeiboProtocolRequest): WeiboProtocolResponse {
    const method = request.method.toUpperCase();
    const contentType = request.contentType ?? request.headers['content-type'];
    const parsed = parseBody(method, request.body, contentType);
    const params = new URLSearchParams(request.query);
    for (const [name, value] of parsed.params) params.set(name, value);

    const endpoint = endpointOf(request.path);
    const token = readToken(request, parsed.params);
    const tokenState = token.value === undefined ? undefined : this.#tokens.get(token.value);
    const uid = tokenState?.uid;

    let fault: WeiboFaultKind | undefined;
    let delayMs = this.#jitter.sample(this.#options.latency);
    let drop = false;

    const finish = (reply: WeiboReply): WeiboProtocolResponse => {
      const logged: Record<string, string> = {};
      for (const [name, value] of params) if (name !== 'access_token') logged[name] = value;
      this.#log.push({
        at: new Date(this.now()),
        method,
        path: request.path,
        endpoint,
        uid,
        tokenFrom: token.from,
        contentType,
        params: logged,
        status: reply.status,
        errorCode: reply.errorCode,
        fault,
      });
      return {
        status: reply.status,
        body: reply.body,
        headers: { 'content-type': reply.contentType, ...reply.headers },
        delayMs,
        drop,
      };
    };
    const error = (code: number, text: string, status = statusForCode(code)): WeiboReply =>
      new WeiboReply(
        status,
        JSON.stringify({ request: request.path, error_code: code, error: text }),
        JSON_TYPE,
        code,
      );

    // Routing: unknown API and wrong method. [unconfirmed: codes 10020/10021 are from the older
    // v2 table and are not in platforms.md]
    if (endpoint === undefined) {
      return finish(error(10020, `no API at ${request.path}`, 404));
    }
    const rule = ENDPOINTS[endpoint];
    if (method !== rule.method) {
      return finish(error(10021, `HTTP method ${method} is not supported for this request`, 405));
    }

    // Faults that act before anything is looked at.
    const early = this.#faults.take(endpoint, uid, true);
    if (early !== undefined) {
      fault = early.kind;
      switch (early.kind) {
        case '5xx-before-apply':
          return finish(
            new WeiboReply(
              early.status ?? 503,
              '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
              HTML_TYPE,
              undefined,
            ),
          );
        case 'error-before-apply':
          return finish(
            error(
              early.errorCode ?? 10001,
              early.errorText ?? 'injected error',
              early.status ?? 400,
            ),
          );
        case 'token-expired':
          return finish(error(21327, 'expired_token'));
        case 'html-200':
          if (early.applyFirst !== true) return finish(htmlPage());
          break;
        default:
          break;
      }
    }

    // Body encoding: writes are form-encoded (multipart when a picture is attached).
    if (method === 'POST' && !parsed.readable) {
      return finish(
        error(
          10016,
          'miss required parameter: the body must be application/x-www-form-urlencoded or multipart/form-data',
        ),
      );
    }

    // Authentication. [unconfirmed: 21332 for an unknown token, see platforms.md §6]
    if (token.value === undefined) return finish(error(21301, 'auth failed: no access_token'));
    if (tokenState === undefined) return finish(error(21332, 'invalid_access_token'));
    if (
      tokenState.expired ||
      (tokenState.expiresAt !== undefined && this.now() >= tokenState.expiresAt)
    ) {
      return finish(error(21327, 'expired_token'));
    }
    const account = this.#accounts.get(tokenState.uid);
    if (account === undefined) return finish(error(21301, 'auth failed'));

    // Post rate limit per account.
    if (rule.creates) {
      const limited = this.#rateLimited(account.uid);
      if (limited !== undefined) {
        const reply = error(
          limited.code,
          limited.code === 20016 ? 'posting too frequently' : 'user requests out of rate limit',
        );
        return finish(
          limited.retryAfterSeconds === undefined
            ? reply
            : new WeiboReply(reply.status, reply.body, reply.contentType, reply.errorCode, {
                'retry-after': String(limited.retryAfterSeconds),
              }),
        );
      }
    }

    // The endpoint itself.
    const visibleAfter = (): number => {
      const late = this.#faults.peek(endpoint, account.uid, false);
      return late?.kind === 'delayed-20032'
        ? (late.visibleAfterMs ?? this.#options.acceptedVisibleAfterMs)
        : 0;
    };
    const outcome = this.#apply(endpoint, account, params, parsed.picture, error, visibleAfter);
    if (outcome.applied === false) return finish(outcome.reply);

    // `html-200` with `applyFirst`: applied, and the reply replaced by the page.
    if (fault === 'html-200') return finish(htmlPage());

    // Faults that act after the request was applied.
    const late = this.#faults.take(endpoint, account.uid, false);
    if (late === undefined) return finish(outcome.reply);
    fault = late.kind;
    switch (late.kind) {
      case 'drop-after-apply':
        drop = true;
        return finish(outcome.reply);
      case 'timeout-after-apply':
        delayMs += late.hangMs ?? this.#options.hangMs;
        return finish(outcome.reply);
      case 'truncated-after-apply': {
        const body = outcome.reply.body;
        return finish(
          new WeiboReply(
            outcome.reply.status,
            body.slice(0, Math.floor(body.length / 2)),
            JSON_TYPE,
            undefined,
          ),
        );
      }
      case 'delayed-20032':
        return finish(
          // [unconfirmed] the HTTP status that comes with 20032; the adapter accepts any.
          error(20032, 'posted; the server is slow, it shows up in 1-2 minutes', 400),
        );
      default:
        return finish(outcome.reply);
    }
  }

  // -- internals -------------------------------------------------------------------------------

  #rateLimited(uid: string): { code: 20016 | 10023; retryAfterSeconds?: number } | undefined {
    const limit = this.#options.rateLimit;
    if (limit === undefined) return undefined;
    const since = this.now() - limit.windowMs;
    const recent = this.#statuses.of(uid).filter((status) => status.createdAt > since).length;
    if (recent < limit.posts) return undefined;
    return {
      code: limit.errorCode ?? 20016,
      ...(limit.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: limit.retryAfterSeconds }
        : {}),
    };
  }

  #isVisible(status: StatusState): boolean {
    return !status.deleted && this.now() >= status.visibleAt;
  }

  #apply(
    endpoint: WeiboEndpointName,
    account: AccountState,
    params: URLSearchParams,
    picture: MultipartPart | undefined,
    error: (code: number, text: string, status?: number) => WeiboReply,
    visibleAfter: () => number,
  ): { applied: true; reply: WeiboReply } | { applied: false; reply: WeiboReply } {
    const refuse = (code: number, text: string, status?: number) =>
      ({ applied: false, reply: error(code, text, status) }) as const;
    const ok = (body: unknown) =>
      ({
        applied: true,
        reply: new WeiboReply(200, stringifyWithRawNumbers(body), JSON_TYPE, undefined),
      }) as const;

    switch (endpoint) {
      case 'statuses/share':
      case 'statuses/update': {
        const text = params.get('status');
        if (text === null) return refuse(10016, 'miss required parameter (status)');
        const rip = checkRip(params.get('rip'));
        if (rip !== undefined) return refuse(rip.code, rip.text);
        if (text.trim() === '') return refuse(20008, 'content is empty');
        const longText = endpoint === 'statuses/update' && params.get('is_longtext') === '1';
        if (longText && !account.longTextAllowed) {
          return refuse(10017, "parameter (is_longtext)'s value invalid: account not qualified");
        }
        const limit = longText ? WEIBO_MAX_LONG_TEXT_LENGTH : WEIBO_MAX_LENGTH;
        if (countWeiboText(text) > limit) {
          return refuse(20012, `text too long: at most ${limit} characters`);
        }
        if (endpoint === 'statuses/share') {
          if (TOPIC_PATTERN.test(text)) {
            // [unconfirmed] the code for a topic in share text is not documented; the text is a
            // parameter statuses/share does not accept, hence 10017 (invalid parameter value).
            return refuse(
              10017,
              "parameter (status)'s value invalid: no #topic# in statuses/share",
            );
          }
          const domainProblem = this.#checkSafeDomain(text, account);
          if (domainProblem !== undefined) return refuse(20018, domainProblem);
          if (picture !== undefined) {
            if (!/^image\/(jpeg|gif|png)$/.test(picture.contentType ?? '')) {
              return refuse(20005, 'picture type not supported');
            }
            if (picture.value.length >= 5 * 1024 * 1024) {
              return refuse(20006, 'picture too large');
            }
          }
        }
        if (this.#repeatsLatest(account.uid, text, undefined)) {
          return refuse(20019, 'repeated content: the same text was just posted');
        }
        const status = this.#create(
          endpoint,
          account,
          text,
          'original',
          undefined,
          visibleAfter(),
          longText && countWeiboText(text) > WEIBO_MAX_LENGTH,
        );
        return ok(this.#statusJson(status, false));
      }

      case 'statuses/repost': {
        const id = params.get('id');
        if (id === null) return refuse(10016, 'miss required parameter (id)');
        if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
        const rip = checkRip(params.get('rip'));
        if (rip !== undefined) return refuse(rip.code, rip.text);
        const isComment = params.get('is_comment');
        if (isComment !== null && !/^[0-3]$/.test(isComment)) {
          return refuse(10017, "parameter (is_comment)'s value invalid");
        }
        const comment = params.get('status') ?? '';
        if (countWeiboText(comment) > WEIBO_MAX_LENGTH) {
          return refuse(20012, `text too long: at most ${WEIBO_MAX_LENGTH} characters`);
        }
        const source = this.#statuses.get(id);
        if (source === undefined || !this.#isVisible(source)) {
          return refuse(20101, 'target status does not exist');
        }
        if (source.uid === account.uid) return refuse(20103, 'cannot repost your own status');
        const root =
          source.kind === 'repost' && source.sourceId !== undefined ? source.sourceId : id;
        const sourceAccount = this.#accounts.get(source.uid);
        const said = comment.trim() === '' ? DEFAULT_REPOST_TEXT : comment;
        // Reposting a repost quotes the chain after `//@name:`, as the clients show it.
        const text =
          root === id
            ? said
            : `${said}//@${sourceAccount?.screenName ?? source.uid}:${source.text}`;
        if (this.#repeatsLatest(account.uid, text, root)) {
          return refuse(20019, 'repeated content: the same repost was just made');
        }
        const status = this.#create(endpoint, account, text, 'repost', root, visibleAfter(), false);
        return ok(this.#statusJson(status, false));
      }

      case 'statuses/destroy': {
        // [unconfirmed] v2 destroy parameters: only `id` is known; `rip` is accepted, not required.
        const id = params.get('id');
        if (id === null) return refuse(10016, 'miss required parameter (id)');
        if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
        const status = this.#statuses.get(id);
        if (status === undefined || status.deleted) {
          return refuse(20101, 'target status does not exist');
        }
        if (status.uid !== account.uid) return refuse(20102, 'not your own status');
        status.deleted = true;
        return ok(this.#statusJson(status, false));
      }

      case 'statuses/show': {
        const id = params.get('id');
        if (id === null) return refuse(10016, 'miss required parameter (id)');
        if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
        const status = this.#statuses.get(id);
        if (status === undefined || !this.#isVisible(status)) {
          return refuse(20101, 'target status does not exist');
        }
        return ok(this.#statusJson(status, true));
      }

      case 'statuses/user_timeline': {
        // [unconfirmed] Weibo narrowed user_timeline to the authorised user's own statuses for
        // many apps; the fake serves any registered account and defaults to the token's own.
        const uidParam = params.get('uid');
        const screenName = params.get('screen_name');
        let target: AccountState | undefined = account;
        if (uidParam !== null) target = this.#accounts.get(uidParam);
        else if (screenName !== null) {
          target = [...this.#accounts.values()].find((item) => item.screenName === screenName);
        }
        // [unconfirmed] 20003 "user does not exist" is from the older v2 table.
        if (target === undefined) return refuse(20003, 'user does not exist');
        const count = readInteger(params.get('count'), 20);
        const page = readInteger(params.get('page'), 1);
        if (count === undefined || count < 1 || page === undefined || page < 1) {
          return refuse(10017, "parameter (count/page)'s value invalid");
        }
        const sinceId = params.get('since_id');
        const maxId = params.get('max_id');
        if (
          (sinceId !== null && !/^\d+$/.test(sinceId)) ||
          (maxId !== null && !/^\d+$/.test(maxId))
        ) {
          return refuse(10017, "parameter (since_id/max_id)'s value invalid");
        }
        const owner = target.uid;
        const live = this.#statuses
          .all()
          .filter((status) => status.uid === owner && this.#isVisible(status))
          .filter((status) => sinceId === null || status.id > BigInt(sinceId))
          .filter((status) => maxId === null || maxId === '0' || status.id <= BigInt(maxId))
          .reverse();
        const size = Math.min(count, 100);
        const slice = live.slice((page - 1) * size, page * size);
        return ok({
          statuses: slice.map((status) => this.#statusJson(status, true)),
          previous_cursor: 0,
          next_cursor: 0,
          total_number: live.length,
        });
      }
    }
  }

  #checkSafeDomain(text: string, account: AccountState): string | undefined {
    // [unconfirmed] which code Weibo gives for a share without a safe-domain link; 20018
    // ("contains an illegal URL") is the documented code closest to it.
    const links = weiboLinks(text);
    if (links.length === 0) return "status must carry a link on the app's safe domain";
    const domain = account.safeDomain ?? this.#options.safeDomain;
    if (domain === undefined) return undefined;
    const onDomain = links.some((link) => {
      const host = weiboLinkHost(link);
      return host !== undefined && isHostOrSubdomain(host, domain);
    });
    return onDomain ? undefined : `no link on the app's safe domain ${domain}`;
  }

  #repeatsLatest(uid: string, text: string, sourceId: string | undefined): boolean {
    const all = this.#statuses.all();
    for (let index = all.length - 1; index >= 0; index--) {
      const status = all[index];
      if (status === undefined || status.uid !== uid || status.deleted) continue;
      return status.sentText === text && status.sourceId === sourceId;
    }
    return false;
  }

  #create(
    endpoint: WeiboEndpointName,
    account: AccountState,
    sentText: string,
    kind: 'original' | 'repost',
    sourceId: string | undefined,
    visibleAfterMs: number,
    isLongText: boolean,
  ): StatusState {
    const id = this.#nextId;
    this.#nextId += 1n;
    const createdAt = this.now();
    const status: StatusState = {
      id,
      idstr: id.toString(),
      uid: account.uid,
      text: this.#options.shortenLinks ? this.#shorten(sentText) : sentText,
      sentText,
      kind,
      sourceId,
      endpoint,
      createdAt,
      visibleAt: createdAt + visibleAfterMs,
      isLongText,
      deleted: false,
    };
    this.#statuses.add(status);
    return status;
  }

  #shorten(text: string): string {
    let out = text;
    for (const link of weiboLinks(text)) {
      if (weiboLinkHost(link) === 't.cn') continue;
      let value = this.#nextShortLink++;
      let code = '';
      while (value > 0) {
        code = `${BASE62[value % 62] ?? '0'}${code}`;
        value = Math.floor(value / 62);
      }
      out = out.replace(link, `http://t.cn/A${code}`);
    }
    return out;
  }

  #statusJson(status: StatusState, forRead: boolean): Record<string, unknown> {
    const account = this.#accounts.get(status.uid);
    let text = status.text;
    if (forRead && status.isLongText && this.#options.truncateLongText) {
      // [unconfirmed] how the API shows long text in reads; the clients show a cut text.
      text = `${Array.from(text).slice(0, 120).join('')}...全文： http://m.weibo.cn/${status.uid}/${status.idstr}`;
    }
    const json: Record<string, unknown> = {
      created_at: formatWeiboDate(status.createdAt),
      id: new RawJsonNumber(status.idstr),
      idstr: status.idstr,
      mid: status.idstr,
      text,
      source: '<a href="https://open.weibo.com" rel="nofollow">release-hall sandbox</a>',
      favorited: false,
      truncated: false,
      in_reply_to_status_id: '',
      in_reply_to_user_id: '',
      in_reply_to_screen_name: '',
      geo: null,
      isLongText: status.isLongText,
      user: {
        id: new RawJsonNumber(status.uid),
        idstr: status.uid,
        screen_name: account?.screenName ?? status.uid,
        name: account?.screenName ?? status.uid,
      },
      reposts_count: this.#statuses
        .all()
        .filter((item) => item.sourceId === status.idstr && !item.deleted).length,
      comments_count: 0,
      attitudes_count: 0,
    };
    if (status.deleted) json.deleted = '1';
    if (status.sourceId !== undefined) {
      const source = this.#statuses.get(status.sourceId);
      json.retweeted_status =
        source === undefined || source.deleted
          ? {
              created_at: formatWeiboDate(status.createdAt),
              id: new RawJsonNumber(status.sourceId),
              idstr: status.sourceId,
              mid: status.sourceId,
              text: '抱歉，此微博已被作者删除。',
              deleted: '1',
            }
          : this.#statusJson(source, forRead);
    }
    return json;
  }

  #snapshot(status: StatusState): WeiboPost {
    return {
      id: status.idstr,
      uid: status.uid,
      text: status.text,
      sentText: status.sentText,
      kind: status.kind,
      sourceId: status.sourceId,
      endpoint: status.endpoint,
      deleted: status.deleted,
      createdAt: new Date(status.createdAt),
      visibleAt: new Date(status.visibleAt),
      isLongText: status.isLongText,
    };
  }
}

function htmlPage(): WeiboReply {
  return new WeiboReply(
    200,
    '<!DOCTYPE html><html><head><title>系统繁忙</title></head><body><p>系统繁忙，请稍后再试。</p></body></html>',
    HTML_TYPE,
    undefined,
  );
}

function endpointOf(path: string): WeiboEndpointName | undefined {
  const match = /^\/2\/([a-z_]+\/[a-z_]+)\.json$/.exec(path);
  const name = match?.[1];
  return name !== undefined && name in ENDPOINTS ? (name as WeiboEndpointName) : undefined;
}

function readToken(
  request: WeiboProtocolRequest,
  body: URLSearchParams,
): { value: string | undefined; from: WeiboRequestRecord['tokenFrom'] } {
  const inQuery = request.query.get('access_token');
  if (inQuery !== null && inQuery !== '') return { value: inQuery, from: 'query' };
  const inBody = body.get('access_token');
  if (inBody !== null && inBody !== '') return { value: inBody, from: 'body' };
  const header = /^OAuth2\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (header !== undefined) return { value: header, from: 'header' };
  return { value: undefined, from: 'none' };
}

function checkRip(rip: string | null): { code: number; text: string } | undefined {
  if (rip === null || rip === '') return { code: 10016, text: 'miss required parameter (rip)' };
  if (isIP(rip) === 0) return { code: 10017, text: "parameter (rip)'s value invalid" };
  return undefined;
}

function readInteger(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Answers one request as Weibo v2 would: routing, method, body encoding, token, post rate limit,
 * parameter rules, state change, and the queued faults. The one function both fakes call.
 */
export function handleWeiboRequest(
  platform: WeiboPlatform,
  request: WeiboProtocolRequest,
): WeiboProtocolResponse {
  return platform.handle(request);
}

/**
 * Maps a URL received by a fake to the protocol path (`/2/statuses/share.json`), given the base
 * URL the fake serves (`https://api.weibo.com/2/`, `http://127.0.0.1:PORT/2/`, a gateway prefix).
 * Returns `undefined` when the URL is outside the base.
 */
export function protocolPath(url: URL, baseURL: string): string | undefined {
  const below = pathBelowBase(url, baseURL);
  return below === undefined ? undefined : `/2/${below}`;
}
