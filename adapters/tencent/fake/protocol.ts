/**
 * One description of the Tencent Weibo open API (OAuth2 "2.a", platforms.md §3) that drives both
 * fakes: the loopback sandbox server (`sandbox.ts`) and the msw handlers (`msw.ts`). Both feed
 * requests to {@link handleTencentRequest} and only carry out what it answers (status, body, delay,
 * drop), so the two cannot drift apart.
 *
 * Tencent Weibo stopped service on 2020-09-28. This fake exists so the adapter can be built and
 * tested against the documented protocol; it is not a copy of a live service.
 *
 * The state lives in a {@link TencentPlatform}: accounts, tokens, tweets, rate windows, faults to
 * inject, and a log of requests for tests to inspect.
 *
 * Points marked [unconfirmed] are hypotheses (platforms.md §6) the fake has to decide one way;
 * the adapter is written to tolerate the other way.
 */
import { clientIpProblem } from '../client-ip.js';
import { TENCENT_MAX_BYTES, countTencentText, tencentLinks } from '../count-tencent-text.js';
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

/** The endpoints the fake serves, named as in errors (`t/add`). */
export type TencentEndpointName =
  't/add' | 't/add_pic' | 't/re_add' | 't/del' | 'statuses/broadcast_timeline';

interface EndpointRule {
  readonly method: 'GET' | 'POST';
  /** Creates a tweet (counted by the post rate limit). */
  readonly creates: boolean;
  /** Body encoding a POST must use. */
  readonly encoding: 'form' | 'multipart' | 'none';
}

const ENDPOINTS: Readonly<Record<TencentEndpointName, EndpointRule>> = {
  't/add': { method: 'POST', creates: true, encoding: 'form' },
  't/add_pic': { method: 'POST', creates: true, encoding: 'multipart' },
  't/re_add': { method: 'POST', creates: true, encoding: 'form' },
  't/del': { method: 'POST', creates: false, encoding: 'form' },
  // [unconfirmed] platforms.md lists only the write endpoints; the read is served as a GET, as
  // reads were in the API v1 documentation.
  'statuses/broadcast_timeline': { method: 'GET', creates: false, encoding: 'none' },
};

/** The write endpoints that create a tweet. */
export const TENCENT_POSTING_ENDPOINTS: readonly TencentEndpointName[] = [
  't/add',
  't/add_pic',
  't/re_add',
];

/** The OAuth parameters every call must carry (platforms.md §3.1). */
export const TENCENT_OAUTH_PARAMETERS = [
  'oauth_consumer_key',
  'access_token',
  'openid',
  'clientip',
  'oauth_version',
  'scope',
] as const;

/** Default first tweet id: above 2^53, so any trip through a JS number loses digits. */
export const DEFAULT_FIRST_TWEET_ID = 9_300_000_000_000_000_001n;

/** Largest `reqnum` of `statuses/broadcast_timeline`. [unconfirmed] */
export const TENCENT_MAX_REQNUM = 70;

/** Largest picture `t/add_pic` takes. [unconfirmed] */
const MAX_PICTURE_BYTES = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Requests and responses

/** A request as both fakes hand it to {@link handleTencentRequest}. */
export interface TencentProtocolRequest {
  /** HTTP method, any case. */
  readonly method: string;
  /** API path starting at `/api/`, e.g. `/api/t/add`. */
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
export interface TencentProtocolResponse {
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
export interface TencentLatency {
  /** @default 0 */
  readonly fixedMs?: number;
  /** @default 0 */
  readonly jitterMs?: number;
  /** Seed of the jitter generator, so runs repeat. @default 1 */
  readonly seed?: number;
}

/** Posts one account may make per window before the fake refuses. Tencent's own limits are [unconfirmed]. */
export interface TencentRateLimit {
  /** Tweets (`t/add`, `t/add_pic`, `t/re_add`) per window per account. */
  readonly posts: number;
  readonly windowMs: number;
  /**
   * How the refusal reads: `ret=4 errcode=10` ("publishing too fast") or `ret=2` (rate limited).
   * @default 'errcode-10'
   */
  readonly reply?: 'errcode-10' | 'ret-2';
}

/** Settings of a {@link TencentPlatform}; all can be changed later with `configure`. */
export interface TencentPlatformOptions {
  /** Clock of the platform (tweet times, rate windows, token expiry). @default Date.now */
  readonly now?: () => number;
  readonly latency?: TencentLatency;
  /** Per-account post limit; none by default. */
  readonly rateLimit?: TencentRateLimit | undefined;
  /** Id of the first tweet. @default DEFAULT_FIRST_TWEET_ID */
  readonly firstTweetId?: bigint;
  /** How long a `timeout-after-apply` reply is held back. @default 30_000 */
  readonly hangMs?: number;
  /**
   * Show URLs in the `text` of reads as `http://url.cn/XXXX` short links, as the platform did;
   * `origtext` always holds the text as sent. [unconfirmed: the exact short-link form] @default true
   */
  readonly shortenLinks?: boolean;
}

/** A sandbox account. */
export interface TencentAccountInit {
  /** The account's openid (hex or alphanumeric). */
  readonly openid: string;
  /** The account name (used for mentions), e.g. `beijingfabu`. */
  readonly name: string;
  /** Display name; defaults to `name`. */
  readonly nick?: string;
  /** The token that authenticates as this account. */
  readonly accessToken: string;
  /** App key (`oauth_consumer_key`) of the app the token was issued to. */
  readonly appKey: string;
  /** The token expires at this platform time (ms). */
  readonly tokenExpiresAt?: number;
}

/** A registered account, as the inspection API shows it (without its token or app key). */
export interface TencentAccountInfo {
  readonly openid: string;
  readonly name: string;
  readonly nick: string;
}

// ---------------------------------------------------------------------------------------------
// Faults

/**
 * Faults the next matching requests suffer:
 *
 * - `5xx-before-apply`: HTTP 503 (or `status`) with an HTML page; nothing is stored.
 * - `error-before-apply`: a Tencent error body with `ret`/`errcode` (HTTP 200 unless `status`);
 *   nothing is stored. For replies the rules never produce by themselves.
 * - `token-expired`: `ret=3 errcode=4` once, although the token is still good.
 * - `html-200`: an HTML page with status 200, as a captive portal or a WAF would send. By default
 *   nothing is stored; with `applyFirst: true` the request is applied and the reply replaced.
 * - `drop-after-apply`: the request is applied, then the connection is closed without a reply.
 * - `timeout-after-apply`: the request is applied, then the reply is held back for `hangMs`
 *   (or until the client gives up).
 * - `truncated-after-apply`: the request is applied, then the JSON reply is cut in half.
 *
 * Faults that act after the apply are used up only by a request that is applied; one that fails
 * the rules gets its normal error and leaves the fault queued.
 */
export type TencentFaultKind =
  | '5xx-before-apply'
  | 'error-before-apply'
  | 'token-expired'
  | 'html-200'
  | 'drop-after-apply'
  | 'timeout-after-apply'
  | 'truncated-after-apply';

/** One fault to inject. */
export interface TencentFault {
  readonly kind: TencentFaultKind;
  /** Endpoints it applies to; all when omitted. */
  readonly endpoint?: TencentEndpointName | readonly TencentEndpointName[];
  /** Only requests authenticated as this account. */
  readonly openid?: string;
  /** How many requests it hits. @default 1 */
  readonly times?: number;
  /** HTTP status for `5xx-before-apply` (default 503) and `error-before-apply` (default 200). */
  readonly status?: number;
  /** `ret` for `error-before-apply`. @default 4 */
  readonly ret?: number;
  /** `errcode` for `error-before-apply`. @default 0 */
  readonly errcode?: number;
  /** `msg` for `error-before-apply`. */
  readonly msg?: string;
  /** `html-200` only: apply the request before replacing the reply. @default false */
  readonly applyFirst?: boolean;
  /** `timeout-after-apply` only: how long the reply is held back. @default platform `hangMs` */
  readonly hangMs?: number;
}

const BEFORE_APPLY: ReadonlySet<TencentFaultKind> = new Set<TencentFaultKind>([
  '5xx-before-apply',
  'error-before-apply',
  'token-expired',
  'html-200',
]);

// ---------------------------------------------------------------------------------------------
// Inspection

/** A tweet as the inspection API shows it. */
export interface TencentTweet {
  /** The tweet id, as a string. */
  readonly id: string;
  readonly openid: string;
  /** Text as reads show it (URLs as short links when `shortenLinks` is on). */
  readonly text: string;
  /** Text exactly as sent in `content` (`origtext` in reads). */
  readonly sentText: string;
  readonly kind: 'original' | 'relay';
  /** For a relay: the id of the tweet relayed (`reid`). */
  readonly sourceId: string | undefined;
  readonly endpoint: TencentEndpointName;
  readonly deleted: boolean;
  readonly underReview: boolean;
  readonly hasPicture: boolean;
  readonly createdAt: Date;
}

/** Where the OAuth parameters of a request came from. */
export type TencentOAuthPlacement = 'query' | 'body' | 'mixed' | 'none';

/** One request the platform received. Never holds the token or the app key. */
export interface TencentRequestRecord {
  readonly at: Date;
  readonly method: string;
  readonly path: string;
  readonly endpoint: TencentEndpointName | undefined;
  /** Account the token belongs to, when it is known. */
  readonly openid: string | undefined;
  /** Where the OAuth parameters came from. */
  readonly oauthFrom: TencentOAuthPlacement;
  readonly contentType: string | undefined;
  /** Query and body parameters, without `access_token` and `oauth_consumer_key`. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  /** `ret` of the reply (0 on success), when the reply was a Tencent body. */
  readonly ret: number | undefined;
  readonly errcode: number | undefined;
  readonly fault: TencentFaultKind | undefined;
}

/** Counters of the platform. */
export interface TencentCounts {
  readonly requests: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** Tweets ever created (deleted included). */
  readonly posts: number;
  readonly livePosts: number;
  readonly faultsApplied: number;
}

// ---------------------------------------------------------------------------------------------
// Internal state

interface AccountState {
  readonly openid: string;
  readonly name: string;
  readonly nick: string;
}

interface TokenState {
  readonly openid: string;
  readonly appKey: string;
  readonly expiresAt: number | undefined;
  expired: boolean;
}

interface TweetState {
  readonly id: bigint;
  readonly idstr: string;
  readonly openid: string;
  readonly text: string;
  readonly sentText: string;
  readonly kind: 'original' | 'relay';
  readonly sourceId: string | undefined;
  readonly endpoint: TencentEndpointName;
  readonly createdAt: number;
  readonly hasPicture: boolean;
  deleted: boolean;
  underReview: boolean;
}

class TencentReply {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: string,
    readonly ret: number | undefined,
    readonly errcode: number | undefined,
  ) {}
}

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Escapes text as Tencent's `text` field carried it (HTML). [unconfirmed] */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

interface ParsedBody {
  readonly params: URLSearchParams;
  readonly picture: MultipartPart | undefined;
  readonly encoding: 'form' | 'multipart' | 'none' | 'unreadable';
}

function parseBody(method: string, body: string, contentType: string | undefined): ParsedBody {
  const none: ParsedBody = { params: new URLSearchParams(), picture: undefined, encoding: 'none' };
  if (method !== 'POST') return none;
  const { type, boundary } = parseContentType(contentType);
  if (type === 'application/x-www-form-urlencoded') {
    return { params: new URLSearchParams(body), picture: undefined, encoding: 'form' };
  }
  if (type === 'multipart/form-data' && boundary !== undefined) {
    const params = new URLSearchParams();
    let picture: MultipartPart | undefined;
    for (const part of parseMultipart(body, boundary)) {
      if (part.name === 'pic' && part.filename !== undefined) picture = part;
      else params.append(part.name, part.value);
    }
    return { params, picture, encoding: 'multipart' };
  }
  return body.length === 0 ? none : { ...none, encoding: 'unreadable' };
}

function readInteger(value: string | null, fallback: number | undefined): number | undefined {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

interface ResolvedPlatformOptions {
  readonly now: () => number;
  readonly latency: Required<TencentLatency>;
  readonly rateLimit: TencentRateLimit | undefined;
  readonly firstTweetId: bigint;
  readonly hangMs: number;
  readonly shortenLinks: boolean;
}

type Outcome = { applied: true; reply: TencentReply } | { applied: false; reply: TencentReply };

// ---------------------------------------------------------------------------------------------
// The platform

/**
 * The state of a fake Tencent Weibo: accounts, tokens, tweets, limits and faults. Drives the
 * sandbox server and the msw handlers through {@link handleTencentRequest}.
 *
 * @example
 * const platform = new TencentPlatform();
 * platform.addAccount({
 *   openid: 'B624064BA065E01CB73F835017FE96FA',
 *   name: 'beijingfabu',
 *   accessToken: 'token-1',
 *   appKey: '801000000',
 * });
 * platform.injectFault({ kind: 'drop-after-apply', endpoint: 't/add' });
 */
export class TencentPlatform {
  #options: ResolvedPlatformOptions;
  readonly #jitter: SeededLatency;
  readonly #clock = new PlatformClock(() => this.#options.now());
  readonly #accounts = new Map<string, AccountState>();
  readonly #tokens = new Map<string, TokenState>();
  readonly #tweets = new PostStore<TweetState>((tweet) => tweet.openid);
  readonly #shortLinks = new Map<string, string>();
  readonly #faults = new FaultQueue<TencentFault, TencentEndpointName>({
    beforeApply: BEFORE_APPLY,
    accountOf: (fault) => fault.openid,
  });
  readonly #log = new RequestLog<TencentRequestRecord>();
  #nextId: bigint;
  // From 62^3 = 238 328 on, every code has 4 characters: `url.cn/` plus 4 makes the 11 bytes
  // counted per URL [derived].
  #nextShortLink = 250_000;

  constructor(options: TencentPlatformOptions = {}) {
    this.#options = {
      now: options.now ?? Date.now,
      rateLimit: options.rateLimit,
      firstTweetId: options.firstTweetId ?? DEFAULT_FIRST_TWEET_ID,
      hangMs: options.hangMs ?? 30_000,
      shortenLinks: options.shortenLinks ?? true,
      latency: resolveLatency(options.latency),
    };
    this.#jitter = new SeededLatency(this.#options.latency);
    this.#nextId = this.#options.firstTweetId;
  }

  /** Changes settings; omitted ones stay. Pass `rateLimit: undefined` to lift the limit. */
  configure(options: TencentPlatformOptions): void {
    const latency = this.#jitter.configure(this.#options.latency, options.latency);
    this.#options = {
      ...this.#options,
      ...(options.now ? { now: options.now } : {}),
      ...('rateLimit' in options ? { rateLimit: options.rateLimit } : {}),
      ...(options.hangMs !== undefined ? { hangMs: options.hangMs } : {}),
      ...(options.shortenLinks !== undefined ? { shortenLinks: options.shortenLinks } : {}),
      latency,
    };
  }

  /** Current platform time in ms (the clock plus any {@link advanceClock}). */
  now(): number {
    return this.#clock.now();
  }

  /** Moves the platform clock forward, e.g. past a rate window or a token's expiry. */
  advanceClock(ms: number): void {
    this.#clock.advance(ms);
  }

  // -- accounts --------------------------------------------------------------------------------

  /** Registers an account and its token. */
  addAccount(account: TencentAccountInit): TencentAccountInfo {
    if (!/^[0-9A-Za-z]{1,64}$/.test(account.openid)) {
      throw new TypeError(`openid must be letters and digits, got "${account.openid}"`);
    }
    if (this.#accounts.has(account.openid)) {
      throw new Error(`account ${account.openid} already exists`);
    }
    const state: AccountState = {
      openid: account.openid,
      name: account.name,
      nick: account.nick ?? account.name,
    };
    this.#accounts.set(account.openid, state);
    this.addToken(account.openid, account.accessToken, {
      appKey: account.appKey,
      ...(account.tokenExpiresAt === undefined ? {} : { expiresAt: account.tokenExpiresAt }),
    });
    return { ...state };
  }

  /** Adds another token for an account, issued to `appKey` (default: the app of its first token). */
  addToken(
    openid: string,
    accessToken: string,
    options: { readonly appKey?: string; readonly expiresAt?: number } = {},
  ): void {
    if (!this.#accounts.has(openid)) throw new Error(`no account ${openid}`);
    const appKey =
      options.appKey ?? [...this.#tokens.values()].find((token) => token.openid === openid)?.appKey;
    if (appKey === undefined) throw new Error('appKey is required for the first token');
    this.#tokens.set(accessToken, {
      openid,
      appKey,
      expiresAt: options.expiresAt,
      expired: false,
    });
  }

  /** Makes a token expire now: every call with it gets `ret=3 errcode=4`. */
  expireToken(accessToken: string): void {
    const token = this.#tokens.get(accessToken);
    if (token === undefined) throw new Error('unknown token');
    token.expired = true;
  }

  /** Registered accounts, without tokens. */
  accounts(): TencentAccountInfo[] {
    return [...this.#accounts.values()].map((account) => ({ ...account }));
  }

  /** Puts a tweet under review (relaying it gets `ret=4 errcode=12`) or releases it. */
  setUnderReview(id: string, underReview = true): void {
    const tweet = this.#tweets.get(id);
    if (tweet === undefined) throw new Error(`no tweet ${id}`);
    tweet.underReview = underReview;
  }

  // -- faults ----------------------------------------------------------------------------------

  /** Queues a fault for the next matching request(s). */
  injectFault(fault: TencentFault): void {
    this.#faults.inject(fault);
  }

  /** Faults still queued. */
  pendingFaults(): TencentFault[] {
    return this.#faults.pending();
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.#faults.clear();
  }

  // -- inspection ------------------------------------------------------------------------------

  /** Tweets of one account, oldest first, deleted ones included. */
  postsOf(openid: string): TencentTweet[] {
    return this.#tweets.of(openid).map((tweet) => this.#snapshot(tweet));
  }

  /** Tweets of one account that are not deleted, oldest first. */
  livePostsOf(openid: string): TencentTweet[] {
    return this.postsOf(openid).filter((post) => !post.deleted);
  }

  /** Every tweet, oldest first. */
  allPosts(): TencentTweet[] {
    return this.#tweets.all().map((tweet) => this.#snapshot(tweet));
  }

  /** One tweet by id. */
  post(id: string): TencentTweet | undefined {
    const tweet = this.#tweets.get(id);
    return tweet === undefined ? undefined : this.#snapshot(tweet);
  }

  /** Every request received, oldest first. */
  requests(): readonly TencentRequestRecord[] {
    return this.#log.entries();
  }

  /** Counters. */
  counts(): TencentCounts {
    return {
      requests: this.#log.size,
      byEndpoint: this.#log.byEndpoint(),
      posts: this.#tweets.size,
      livePosts: this.#tweets.liveCount(),
      faultsApplied: this.#faults.applied,
    };
  }

  /**
   * Forgets tweets, faults, the request log, rate windows, expired-token marks and the clock
   * offset. Accounts, tokens and settings stay; ids keep growing so old ids never come back.
   */
  reset(): void {
    this.#tweets.clear();
    this.#faults.reset();
    this.#log.clear();
    this.#clock.reset();
    for (const token of this.#tokens.values()) token.expired = false;
  }

  // -- the protocol ----------------------------------------------------------------------------

  /** Answers one request. See {@link handleTencentRequest}. */
  handle(request: TencentProtocolRequest): TencentProtocolResponse {
    const method = request.method.toUpperCase();
    const contentType = request.contentType ?? request.headers['content-type'];
    const parsed = parseBody(method, request.body, contentType);
    const params = new URLSearchParams(request.query);
    for (const [name, value] of parsed.params) params.set(name, value);

    const endpoint = endpointOf(request.path);
    const oauthFrom = placementOf(request.query, parsed.params);
    const tokenValue = params.get('access_token') ?? '';
    const tokenState = tokenValue === '' ? undefined : this.#tokens.get(tokenValue);
    const openid = tokenState?.openid;

    let fault: TencentFaultKind | undefined;
    let delayMs = this.#jitter.sample(this.#options.latency);
    let drop = false;

    const finish = (reply: TencentReply): TencentProtocolResponse => {
      const logged: Record<string, string> = {};
      for (const [name, value] of params) {
        if (name !== 'access_token' && name !== 'oauth_consumer_key') logged[name] = value;
      }
      this.#log.push({
        at: new Date(this.now()),
        method,
        path: request.path,
        endpoint,
        openid,
        oauthFrom,
        contentType,
        params: logged,
        status: reply.status,
        ret: reply.ret,
        errcode: reply.errcode,
        fault,
      });
      return {
        status: reply.status,
        body: reply.body,
        headers: { 'content-type': reply.contentType },
        delayMs,
        drop,
      };
    };
    const error = (ret: number, errcode: number, msg: string, status = 200): TencentReply =>
      new TencentReply(
        status,
        JSON.stringify({ data: null, errcode, msg, ret }),
        JSON_TYPE,
        ret,
        errcode,
      );

    // Routing. [unconfirmed] How Tencent answered an unknown API or a wrong method: the fake
    // answers in its error envelope with ret=1 (parameter error).
    if (endpoint === undefined) return finish(error(1, 0, `no API at ${request.path}`, 404));
    const rule = ENDPOINTS[endpoint];
    if (method !== rule.method) {
      return finish(error(1, 0, `HTTP method ${method} is not supported: use ${rule.method}`));
    }

    // Faults that act before anything is looked at.
    const early = this.#faults.take(endpoint, openid ?? params.get('openid') ?? undefined, true);
    if (early !== undefined) {
      fault = early.kind;
      switch (early.kind) {
        case '5xx-before-apply':
          return finish(
            new TencentReply(
              early.status ?? 503,
              '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
              HTML_TYPE,
              undefined,
              undefined,
            ),
          );
        case 'error-before-apply':
          return finish(
            error(early.ret ?? 4, early.errcode ?? 0, early.msg ?? 'injected error', early.status),
          );
        case 'token-expired':
          return finish(error(3, 4, 'access_token expired'));
        case 'html-200':
          if (early.applyFirst !== true) return finish(htmlPage());
          break;
        default:
          break;
      }
    }

    // Body encoding: form-urlencoded, multipart for t/add_pic.
    if (method === 'POST' && parsed.encoding !== rule.encoding) {
      const wanted =
        rule.encoding === 'multipart' ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
      return finish(error(1, 0, `parameter error: the body must be ${wanted}`));
    }

    // Reply format. [derived] Tencent also spoke XML; the fake speaks JSON only and refuses a call
    // without `format=json` rather than guess.
    const format = params.get('format');
    if (format !== 'json') {
      return finish(
        error(
          1,
          0,
          format === null ? 'missing parameter format' : `format ${format} is not served here`,
        ),
      );
    }

    // OAuth parameters, in the query or the body [unconfirmed which one Tencent preferred].
    // [unconfirmed] The codes of these refusals: ret=3 with errcode 7 ("parameter error"),
    // 5 (wrong oauth version), 3 (no such token), 4 (expired), 1 (invalid token).
    for (const name of TENCENT_OAUTH_PARAMETERS) {
      const value = params.get(name);
      if (value === null || value === '') {
        return finish(error(3, 7, `missing oauth parameter ${name}`));
      }
    }
    if (params.get('oauth_version') !== '2.a') {
      return finish(error(3, 5, 'wrong oauth_version: expected 2.a'));
    }
    if (params.get('scope') !== 'all') return finish(error(3, 7, 'wrong scope: expected all'));
    if (tokenState === undefined) return finish(error(3, 3, 'access_token does not exist'));
    if (
      tokenState.expired ||
      (tokenState.expiresAt !== undefined && this.now() >= tokenState.expiresAt)
    ) {
      return finish(error(3, 4, 'access_token expired'));
    }
    if (params.get('oauth_consumer_key') !== tokenState.appKey) {
      return finish(error(3, 1, 'access_token was not issued to this oauth_consumer_key'));
    }
    if (params.get('openid') !== tokenState.openid) {
      return finish(error(3, 1, 'access_token does not belong to this openid'));
    }
    // [unconfirmed] The code for a refused clientip: ret=1 (parameter error).
    const ipProblem = clientIpProblem(params.get('clientip') ?? '');
    if (ipProblem !== undefined) return finish(error(1, 0, `clientip invalid: ${ipProblem}`));
    const account = this.#accounts.get(tokenState.openid);
    if (account === undefined) return finish(error(3, 1, 'access_token invalid'));

    // Post rate limit per account.
    if (rule.creates && this.#rateLimited(account.openid)) {
      return finish(
        this.#options.rateLimit?.reply === 'ret-2'
          ? error(2, 0, 'access rate limit')
          : error(4, 10, 'publishing too fast'),
      );
    }

    const outcome = this.#apply(endpoint, account, params, parsed.picture, error);
    if (!outcome.applied) return finish(outcome.reply);

    // `html-200` with `applyFirst`: applied, and the reply replaced by the page.
    if (fault === 'html-200') return finish(htmlPage());

    // Faults that act after the request was applied.
    const late = this.#faults.take(endpoint, account.openid, false);
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
          new TencentReply(
            outcome.reply.status,
            body.slice(0, Math.floor(body.length / 2)),
            JSON_TYPE,
            undefined,
            undefined,
          ),
        );
      }
      default:
        return finish(outcome.reply);
    }
  }

  // -- internals -------------------------------------------------------------------------------

  #rateLimited(openid: string): boolean {
    const limit = this.#options.rateLimit;
    if (limit === undefined) return false;
    const since = this.now() - limit.windowMs;
    const recent = this.#tweets.of(openid).filter((tweet) => tweet.createdAt > since).length;
    return recent >= limit.posts;
  }

  #apply(
    endpoint: TencentEndpointName,
    account: AccountState,
    params: URLSearchParams,
    picture: MultipartPart | undefined,
    error: (ret: number, errcode: number, msg: string) => TencentReply,
  ): Outcome {
    const refuse = (ret: number, errcode: number, msg: string): Outcome => ({
      applied: false,
      reply: error(ret, errcode, msg),
    });
    const ok = (data: unknown): Outcome => ({
      applied: true,
      reply: new TencentReply(
        200,
        JSON.stringify({ data, errcode: 0, msg: 'ok', ret: 0 }),
        JSON_TYPE,
        0,
        0,
      ),
    });
    const seconds = (ms: number): number => Math.floor(ms / 1000);

    switch (endpoint) {
      case 't/add':
      case 't/add_pic': {
        const content = params.get('content');
        if (content === null) return refuse(1, 0, 'missing parameter content');
        // [unconfirmed] the code for empty content.
        if (content.trim() === '') return refuse(1, 0, 'content is empty');
        if (countTencentText(content) > TENCENT_MAX_BYTES) {
          return refuse(4, 8, `content longer than ${TENCENT_MAX_BYTES} bytes`);
        }
        if (endpoint === 't/add_pic') {
          // [unconfirmed] the accepted picture types and size, and the codes of their refusals.
          if (picture === undefined) return refuse(1, 0, 'missing parameter pic');
          if (!/^image\/(jpeg|png|gif)$/.test(picture.contentType ?? '')) {
            return refuse(1, 0, 'pic must be a jpeg, png or gif image');
          }
          if (picture.value.length > MAX_PICTURE_BYTES) return refuse(1, 0, 'pic too large');
        }
        if (this.#repeats(account.openid, content, undefined)) {
          return refuse(4, 13, 'duplicate tweet: the same text was already posted');
        }
        const tweet = this.#create(
          endpoint,
          account,
          content,
          'original',
          undefined,
          picture !== undefined,
        );
        return ok({ id: tweet.idstr, time: seconds(tweet.createdAt) });
      }

      case 't/re_add': {
        const reid = params.get('reid');
        if (reid === null || reid === '') return refuse(1, 0, 'missing parameter reid');
        if (!/^\d+$/.test(reid)) return refuse(1, 0, 'reid must be a tweet id');
        // [unconfirmed] whether a relay without a comment was allowed; the fake allows it.
        const content = params.get('content') ?? '';
        if (countTencentText(content) > TENCENT_MAX_BYTES) {
          return refuse(4, 8, `content longer than ${TENCENT_MAX_BYTES} bytes`);
        }
        const source = this.#tweets.get(reid);
        if (source === undefined) return refuse(4, 6, 'the source tweet does not exist');
        if (source.deleted) return refuse(4, 11, 'the source tweet was deleted');
        if (source.underReview) return refuse(4, 12, 'the source tweet is under review');
        if (this.#repeats(account.openid, content, reid)) {
          return refuse(4, 13, 'duplicate tweet: the same relay was already posted');
        }
        const tweet = this.#create(endpoint, account, content, 'relay', reid, false);
        return ok({ id: tweet.idstr, time: seconds(tweet.createdAt) });
      }

      case 't/del': {
        const id = params.get('id');
        if (id === null || id === '') return refuse(1, 0, 'missing parameter id');
        if (!/^\d+$/.test(id)) return refuse(1, 0, 'id must be a tweet id');
        const tweet = this.#tweets.get(id);
        if (tweet === undefined || tweet.deleted) return refuse(4, 6, 'the tweet does not exist');
        // [unconfirmed] the code for deleting another account's tweet.
        if (tweet.openid !== account.openid) return refuse(1, 0, 'not a tweet of this account');
        tweet.deleted = true;
        return ok({ id: tweet.idstr });
      }

      case 'statuses/broadcast_timeline': {
        // [unconfirmed] Which of these were required: the fake requires pageflag, pagetime and
        // reqnum, and reads lastid, type and contenttype as 0 when absent.
        const pageflag = readInteger(params.get('pageflag'), undefined);
        const pagetime = readInteger(params.get('pagetime'), undefined);
        const reqnum = readInteger(params.get('reqnum'), undefined);
        const lastid = params.get('lastid') ?? '0';
        const type = readInteger(params.get('type'), 0);
        const contenttype = readInteger(params.get('contenttype'), 0);
        if (pageflag === undefined || pageflag > 2) {
          return refuse(1, 0, 'parameter pageflag must be 0, 1 or 2');
        }
        if (pagetime === undefined) return refuse(1, 0, 'parameter pagetime must be a timestamp');
        if (reqnum === undefined || reqnum < 1 || reqnum > TENCENT_MAX_REQNUM) {
          return refuse(1, 0, `parameter reqnum must be 1-${TENCENT_MAX_REQNUM}`);
        }
        if (!/^\d+$/.test(lastid)) return refuse(1, 0, 'parameter lastid must be a tweet id');
        if (type === undefined || contenttype === undefined) {
          return refuse(1, 0, 'parameters type and contenttype must be numbers');
        }
        return ok(
          this.#timeline(account, { pageflag, pagetime, reqnum, lastid, type, contenttype }),
        );
      }
    }
  }

  /**
   * One page of the account's own tweets, newest first. `pageflag` 0 is the first page, 1 the
   * page below (older than `pagetime`/`lastid`, the last tweet of the page before), 2 the page
   * above (newer than the first tweet of the page before).
   *
   * [unconfirmed] `hasnext` as a bit set: 1 = nothing older, 2 = nothing newer (3 = neither).
   * [unconfirmed] An empty page is `data: null`; the adapter accepts `info: []` as well.
   * [unconfirmed] `type` bits 0x1 original, 0x2 relay (0 = all); `contenttype` bits 0x1 text,
   * 0x2 link, 0x4 picture (0 = all).
   */
  #timeline(
    account: AccountState,
    query: {
      pageflag: number;
      pagetime: number;
      reqnum: number;
      lastid: string;
      type: number;
      contenttype: number;
    },
  ): unknown {
    const seconds = (ms: number): number => Math.floor(ms / 1000);
    const lastid = BigInt(query.lastid);
    const own = this.#tweets
      .all()
      .filter((tweet) => tweet.openid === account.openid && !tweet.deleted)
      .filter((tweet) => {
        if (query.type === 0) return true;
        return (query.type & (tweet.kind === 'original' ? 0x1 : 0x2)) !== 0;
      })
      .filter((tweet) => {
        if (query.contenttype === 0) return true;
        const bits =
          (tweet.sentText.trim() === '' ? 0 : 0x1) |
          (tencentLinks(tweet.sentText).length > 0 ? 0x2 : 0) |
          (tweet.hasPicture ? 0x4 : 0);
        return (query.contenttype & bits) !== 0;
      })
      .reverse(); // newest first

    let page: TweetState[];
    if (query.pageflag === 0) {
      page = own.slice(0, query.reqnum);
    } else if (query.pageflag === 1) {
      const older = own.filter((tweet) =>
        lastid === 0n
          ? seconds(tweet.createdAt) < query.pagetime
          : seconds(tweet.createdAt) <= query.pagetime && tweet.id < lastid,
      );
      page = older.slice(0, query.reqnum);
    } else {
      const newer = own.filter((tweet) =>
        lastid === 0n
          ? seconds(tweet.createdAt) > query.pagetime
          : seconds(tweet.createdAt) >= query.pagetime && tweet.id > lastid,
      );
      page = newer.slice(Math.max(0, newer.length - query.reqnum));
    }
    if (page.length === 0) return null;
    const newest = page[0];
    const oldest = page[page.length - 1];
    const noOlder = oldest === undefined || !own.some((tweet) => tweet.id < oldest.id);
    const noNewer = newest === undefined || !own.some((tweet) => tweet.id > newest.id);
    return {
      hasnext: (noOlder ? 1 : 0) | (noNewer ? 2 : 0),
      timestamp: seconds(this.now()),
      info: page.map((tweet) => this.#tweetJson(tweet, true)),
    };
  }

  #repeats(openid: string, content: string, sourceId: string | undefined): boolean {
    return this.#tweets
      .all()
      .some(
        (tweet) =>
          tweet.openid === openid &&
          !tweet.deleted &&
          tweet.sentText === content &&
          tweet.sourceId === sourceId,
      );
  }

  #create(
    endpoint: TencentEndpointName,
    account: AccountState,
    sentText: string,
    kind: 'original' | 'relay',
    sourceId: string | undefined,
    hasPicture: boolean,
  ): TweetState {
    const id = this.#nextId;
    this.#nextId += 1n;
    const tweet: TweetState = {
      id,
      idstr: id.toString(),
      openid: account.openid,
      text: this.#options.shortenLinks ? this.#shorten(sentText) : sentText,
      sentText,
      kind,
      sourceId,
      endpoint,
      createdAt: this.now(),
      hasPicture,
      deleted: false,
      underReview: false,
    };
    this.#tweets.add(tweet);
    return tweet;
  }

  /** Replaces each URL with a `http://url.cn/XXXX` short link, the same one for the same URL. */
  #shorten(text: string): string {
    let out = text;
    for (const link of tencentLinks(text)) {
      let short = this.#shortLinks.get(link);
      if (short === undefined) {
        let value = this.#nextShortLink++;
        let code = '';
        while (value > 0) {
          code = `${BASE62[value % 62] ?? '0'}${code}`;
          value = Math.floor(value / 62);
        }
        short = `http://url.cn/${code}`;
        this.#shortLinks.set(link, short);
      }
      out = out.replace(link, short);
    }
    return out;
  }

  /**
   * A tweet as `data.info[]` shows it. [unconfirmed] `status`: 0 normal, 2 under review, 3
   * deleted by its author (shown only for the source of a relay).
   */
  #tweetJson(tweet: TweetState, withSource: boolean): Record<string, unknown> {
    const account = this.#accounts.get(tweet.openid);
    const json: Record<string, unknown> = {
      id: tweet.idstr,
      text: escapeHtml(tweet.text),
      origtext: tweet.sentText,
      timestamp: Math.floor(tweet.createdAt / 1000),
      type: tweet.kind === 'original' ? 1 : 2,
      status: tweet.deleted ? 3 : tweet.underReview ? 2 : 0,
      name: account?.name ?? tweet.openid,
      nick: account?.nick ?? tweet.openid,
      openid: tweet.openid,
      self: 1,
      from: 'release-hall sandbox',
      image: tweet.hasPicture ? [`http://app.qpic.cn/sandbox/${tweet.idstr}`] : null,
      count: this.#tweets.all().filter((item) => item.sourceId === tweet.idstr && !item.deleted)
        .length,
      mcount: 0,
      source: null,
    };
    if (withSource && tweet.sourceId !== undefined) {
      const source = this.#tweets.get(tweet.sourceId);
      json.source =
        source === undefined
          ? { id: tweet.sourceId, text: '', origtext: '', status: 3 }
          : source.deleted
            ? { id: source.idstr, text: '', origtext: '', status: 3 }
            : this.#tweetJson(source, false);
    }
    return json;
  }

  #snapshot(tweet: TweetState): TencentTweet {
    return {
      id: tweet.idstr,
      openid: tweet.openid,
      text: tweet.text,
      sentText: tweet.sentText,
      kind: tweet.kind,
      sourceId: tweet.sourceId,
      endpoint: tweet.endpoint,
      deleted: tweet.deleted,
      underReview: tweet.underReview,
      hasPicture: tweet.hasPicture,
      createdAt: new Date(tweet.createdAt),
    };
  }
}

function htmlPage(): TencentReply {
  return new TencentReply(
    200,
    '<!DOCTYPE html><html><head><title>系统繁忙</title></head><body><p>系统繁忙，请稍后再试。</p></body></html>',
    HTML_TYPE,
    undefined,
    undefined,
  );
}

function endpointOf(path: string): TencentEndpointName | undefined {
  const name = /^\/api\/([a-z_]+\/[a-z_]+)$/.exec(path)?.[1];
  return name !== undefined && name in ENDPOINTS ? (name as TencentEndpointName) : undefined;
}

function placementOf(query: URLSearchParams, body: URLSearchParams): TencentOAuthPlacement {
  let inQuery = false;
  let inBody = false;
  for (const name of TENCENT_OAUTH_PARAMETERS) {
    if (query.has(name)) inQuery = true;
    if (body.has(name)) inBody = true;
  }
  if (inQuery && inBody) return 'mixed';
  if (inQuery) return 'query';
  return inBody ? 'body' : 'none';
}

/**
 * Answers one request as Tencent Weibo would: routing, method, body encoding, `format=json`, the
 * OAuth parameters, `clientip`, the post rate limit, parameter rules, state change, and the queued
 * faults. The one function both fakes call.
 */
export function handleTencentRequest(
  platform: TencentPlatform,
  request: TencentProtocolRequest,
): TencentProtocolResponse {
  return platform.handle(request);
}

/**
 * Maps a URL received by a fake to the protocol path (`/api/t/add`), given the base URL the fake
 * serves (`https://open.t.qq.com/api/`, `http://127.0.0.1:PORT/api/`, a gateway prefix).
 * Returns `undefined` when the URL is outside the base.
 */
export function tencentProtocolPath(url: URL, baseURL: string): string | undefined {
  const below = pathBelowBase(url, baseURL);
  return below === undefined ? undefined : `/api/${below}`;
}
