/**
 * The Tencent Weibo adapter of release-hall (open API v1 with OAuth2 "2.a", platforms.md §3).
 *
 * Tencent Weibo (t.qq.com) stopped service on 2020-09-28. This adapter follows its documented
 * protocol, for archives of that protocol, compatible gateways that still speak it, and the
 * sandbox; there is no live Tencent service for it to reach.
 *
 * - publish: `POST t/add`;
 * - relay: `POST t/re_add` with `reid`, the id of the lead's tweet, and the member's comment;
 * - retract: `POST t/del` (`ret=4 errcode=6` means already gone);
 * - findExisting: `GET statuses/broadcast_timeline`, matched on the text without its URLs and,
 *   for a relay, on the id of the tweet relayed.
 *
 * Every call carries the OAuth parameters `oauth_consumer_key`, `access_token`, `openid`,
 * `clientip`, `oauth_version=2.a`, `scope=all`, and `format=json`. The adapter sends each request
 * once and classifies the answer; the core owns every retry.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { ADAPTER_SPECIFICATION_VERSION, Redactor, ReleaseHallError } from '#core';
import { failMalformed, formatPath, httpCall, invalidInput, parseJsonBody } from '#adapter-kit';
import type {
  Account,
  Adapter,
  AdapterLimits,
  DeliveryContext,
  DeliveryDescriptor,
  FindExistingResult,
  PostRef,
  PublishResult,
  RateLimits,
  Rendition,
  RetractResult,
  TextRendition,
} from '#core';
import type { FetchLike, HttpReply } from '#adapter-kit';
import { clientIpProblem } from './client-ip.js';
import { TENCENT_MAX_BYTES, countTencentText, withoutTencentLinks } from './count-tencent-text.js';
import {
  DEFAULT_RATE_LIMIT_RETRY_AFTER_MS,
  TENCENT_PLATFORM,
  isAlreadyGone,
  mapTencentError,
  tencentCode,
} from './map-tencent-error.js';

export { TENCENT_MAX_BYTES, TENCENT_URL_BYTES, countTencentText } from './count-tencent-text.js';
export { mapTencentError } from './map-tencent-error.js';
export type { MapTencentErrorOptions, TencentErrorReply } from './map-tencent-error.js';
export { clientIpProblem } from './client-ip.js';

/** Default API base, as documented. */
export const TENCENT_DEFAULT_BASE_URL = 'https://open.t.qq.com/api/';

/**
 * Default rate limits. Tencent's posting limits are [unconfirmed]: no source states them, only
 * the signals (`ret=2`, `ret=4 errcode=10`). 30 posts per account per hour is the lowest
 * documented tier of Sina Weibo, a comparable service of the same era; a campaign makes one to
 * three posts per account, so the limit never binds a normal run but stops a runaway loop. Four
 * requests in flight keep a small compatible gateway from being flooded. A refusal is handled
 * either way: the core waits and tries again.
 */
export const TENCENT_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: 4,
  postsPerWindow: 30,
  windowMs: 3_600_000,
  requestTimeoutMs: 15_000,
};

/** Largest `reqnum` the adapter asks for. [unconfirmed] */
const MAX_TIMELINE_COUNT = 70;

/** Overrides of the declared rate limits. */
export interface TencentLimitsOverride {
  readonly platformConcurrency?: number | undefined;
  readonly postsPerWindow?: number | undefined;
  readonly windowMs?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

/** Options of {@link createTencentAdapter}. Checked when the adapter is made. */
export interface TencentAdapterOptions {
  /**
   * Base URL of the API, ending with `/api/`: a compatible gateway, a proxy, or a sandbox
   * (`startTencentSandbox().url`). The documented host stopped service on 2020-09-28.
   * @default 'https://open.t.qq.com/api/'
   */
  readonly baseURL?: string | undefined;
  /**
   * The `fetch` used for every call; inject one for proxies or tests.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike | undefined;
  /**
   * The app key, sent as `oauth_consumer_key` on every call. It is the key of the app the
   * accounts authorised; without it nothing is sent (writes fail with `INVALID_INPUT`, look-ups
   * answer `unknown`). A number (an unquoted key in a hall file) is taken as its digits.
   * @default undefined
   */
  readonly appKey?: string | number | undefined;
  /**
   * `clientip`: the public IPv4 address of the person who publishes. Tencent requires it on every
   * call and refuses LAN addresses, `127.x` and `255.x`. The library cannot know it, and sending a
   * made-up address would misstate who acted, so there is no default: set the press office's
   * public IP (or, from a CMS, the editor's). A post, relay or retract without it fails with
   * `INVALID_INPUT` before anything is sent; a look-up answers `unknown`.
   * @default undefined
   */
  readonly clientIp?: string | undefined;
  /**
   * Where writes carry the OAuth parameters: in the form `body` (the token stays out of URLs and
   * proxy logs) or in the `query` string, as one SDK did. Reads are `GET`s and always use the
   * query. Which placement Tencent preferred is [unconfirmed]; it accepted both.
   * @default 'body'
   */
  readonly oauthParamsIn?: 'body' | 'query' | undefined;
  /**
   * Wait reported with a rate-limit reply (`ret=2`, `ret=4 errcode=10`); Tencent sends no
   * `Retry-After` [unconfirmed]. The core waits this long and is told again if it is too soon.
   * @default 60_000
   */
  readonly rateLimitRetryAfterMs?: number | undefined;
  /** Overrides of the declared rate limits (see {@link TENCENT_DEFAULT_RATE_LIMITS}). */
  readonly limits?: TencentLimitsOverride | undefined;
  /**
   * Tweets read per timeline page (`reqnum`) by `findExisting`; at most 70 [unconfirmed].
   * @default 50
   */
  readonly timelineCount?: number | undefined;
  /**
   * Timeline pages read at most by `findExisting` (it stops at the first tweet older than the
   * first attempt).
   * @default 3
   */
  readonly timelinePages?: number | undefined;
  /**
   * Clock skew allowed between this machine and the platform when `findExisting` keeps only
   * tweets made at or after the first attempt. Tencent times are whole seconds.
   * @default 120_000
   */
  readonly clockSkewMs?: number | undefined;
}

/** The Tencent Weibo adapter. */
export interface TencentAdapter extends Adapter {
  readonly platform: 'tencent';
}

const optionsSchema = z.strictObject({
  baseURL: z
    .url({
      protocol: /^https?$/,
      error:
        'expected an absolute http(s) URL ending with /api/, such as "https://open.t.qq.com/api/"',
    })
    .optional(),
  fetch: z
    .custom<FetchLike>((value) => typeof value === 'function', {
      error: 'expected a fetch function',
    })
    .optional(),
  // A hall file may give a numeric app key unquoted; YAML reads it as a number.
  appKey: z
    .union([z.string(), z.number().int().nonnegative()], {
      error: 'expected the app key (oauth_consumer_key) as text, e.g. "801000000"',
    })
    .transform(String)
    .pipe(
      z.string().regex(/^[A-Za-z0-9]{1,64}$/, {
        error: (issue) =>
          `expected the app key (oauth_consumer_key) as letters and digits, got ${JSON.stringify(issue.input)}`,
      }),
    )
    .optional(),
  clientIp: z
    .string({ error: 'expected the public IPv4 address of the publisher as text' })
    .superRefine((value, context) => {
      const problem = clientIpProblem(value);
      if (problem !== undefined) {
        context.addIssue({
          code: 'custom',
          message: `expected the public IPv4 address of the publisher (Tencent refuses LAN, 127.x and 255.x), got ${JSON.stringify(value)}: ${problem}`,
        });
      }
    })
    .optional(),
  oauthParamsIn: z.enum(['body', 'query'], { error: 'expected "body" or "query"' }).optional(),
  rateLimitRetryAfterMs: z.number().int().min(0).optional(),
  limits: z
    .strictObject({
      platformConcurrency: z.number().int().min(1).optional(),
      postsPerWindow: z.number().int().min(1).optional(),
      windowMs: z.number().int().min(1).optional(),
      requestTimeoutMs: z.number().int().min(100).optional(),
    })
    .optional(),
  timelineCount: z.number().int().min(1).max(MAX_TIMELINE_COUNT).optional(),
  timelinePages: z.number().int().min(1).max(20).optional(),
  clockSkewMs: z.number().int().min(0).optional(),
});

interface ResolvedOptions {
  readonly baseURL: string;
  readonly fetch: FetchLike;
  readonly appKey: string | undefined;
  readonly clientIp: string | undefined;
  readonly oauthParamsIn: 'body' | 'query';
  readonly rateLimitRetryAfterMs: number;
  readonly rate: RateLimits;
  readonly timelineCount: number;
  readonly timelinePages: number;
  readonly clockSkewMs: number;
}

/** Checks the options and fills in the defaults, in this one place. */
function resolveOptions(options: TencentAdapterOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw invalidInput(
      'Tencent Weibo adapter options',
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    );
  }
  const value = parsed.data;
  const base = value.baseURL ?? TENCENT_DEFAULT_BASE_URL;
  const defaults = TENCENT_DEFAULT_RATE_LIMITS;
  return {
    baseURL: base.endsWith('/') ? base : `${base}/`,
    fetch: value.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    appKey: value.appKey,
    clientIp: value.clientIp,
    oauthParamsIn: value.oauthParamsIn ?? 'body',
    rateLimitRetryAfterMs: value.rateLimitRetryAfterMs ?? DEFAULT_RATE_LIMIT_RETRY_AFTER_MS,
    rate: {
      platformConcurrency: value.limits?.platformConcurrency ?? defaults.platformConcurrency,
      postsPerWindow: value.limits?.postsPerWindow ?? defaults.postsPerWindow,
      windowMs: value.limits?.windowMs ?? defaults.windowMs,
      requestTimeoutMs: value.limits?.requestTimeoutMs ?? defaults.requestTimeoutMs,
    },
    timelineCount: value.timelineCount ?? 50,
    timelinePages: value.timelinePages ?? 3,
    clockSkewMs: value.clockSkewMs ?? 120_000,
  };
}

const OPENID_PATTERN = /^[0-9A-Za-z]{1,64}$/;

/**
 * Platform fields of a Tencent Weibo account in the hall file: `openid`, the id Tencent returned
 * with the account's access token (letters and digits, usually 32 hex characters). Other fields
 * pass through.
 *
 * @example
 * // tencent: { handle: beijingfabu, openid: "B624064BA065E01CB73F835017FE96FA", credentials: tencent-beijing-fabu }
 */
export const tencentAccountSchema = z.looseObject({
  openid: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'expected the openid of the account, as returned with its access token (letters and digits, e.g. "B624064BA065E01CB73F835017FE96FA")'
          : `expected the openid as quoted text (letters and digits), got ${JSON.stringify(issue.input)}`,
    })
    .regex(OPENID_PATTERN, {
      error: (issue) =>
        `expected the openid as letters and digits (usually 32 hex characters), got ${JSON.stringify(issue.input)}`,
    }),
});

// ---------------------------------------------------------------------------------------------
// Reading replies

type Endpoint = 't/add' | 't/re_add' | 't/del' | 'statuses/broadcast_timeline';

interface CallInfo {
  readonly platform: string;
  readonly endpoint: Endpoint;
  readonly write: boolean;
  readonly accountId: string;
}

/** A reply read as JSON: a success body, or "already gone" on `t/del`. */
type ReadReply =
  { readonly kind: 'ok'; readonly body: Record<string, unknown> } | { readonly kind: 'gone' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An id as text: digits, or a safe integer (big ids are quoted before parsing, see below). */
function digits(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined;
}

/**
 * Quotes bare integer `id` values of 16 digits or more in raw JSON text, so they keep every digit
 * when parsed. Tencent sends ids as strings; a gateway that turned them into numbers would
 * otherwise lose digits above 2^53. Text inside JSON strings is not touched: there a quote is
 * written `\"`, which the pattern cannot match.
 */
function quoteBigIds(text: string): string {
  return text.replace(/("id"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"');
}

function readReply(
  reply: HttpReply,
  call: CallInfo,
  options: ResolvedOptions,
  secrets: readonly string[],
): ReadReply {
  const body = parseJsonBody({ ...reply, text: quoteBigIds(reply.text) }, call);
  const ret = isRecord(body) ? body.ret : undefined;
  const errcode = isRecord(body) ? body.errcode : undefined;
  const retCode = tencentCode(ret);
  if (retCode === 0 && reply.status < 300 && isRecord(body)) return { kind: 'ok', body };
  if (retCode === undefined && reply.status < 300) {
    failMalformed(call, `HTTP ${reply.status} with JSON that has no "ret"`);
  }
  if (reply.status < 500 && isAlreadyGone(ret, errcode, call.endpoint)) return { kind: 'gone' };
  const msg = isRecord(body) && typeof body.msg === 'string' ? body.msg : undefined;
  throw mapTencentError(
    {
      ret: typeof ret === 'number' || typeof ret === 'string' ? ret : undefined,
      errcode: typeof errcode === 'number' || typeof errcode === 'string' ? errcode : undefined,
      msg,
      status: reply.status,
      endpoint: call.endpoint,
      write: call.write,
      accountId: call.accountId,
      retryAfter: reply.headers.get('retry-after'),
    },
    { rateLimitRetryAfterMs: options.rateLimitRetryAfterMs, secrets },
  );
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Undoes the HTML of Tencent's `text` field: tags removed, entities decoded. [unconfirmed] */
function plainText(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity: string, name: string) => {
      if (name.startsWith('#')) {
        const hex = name[1] === 'x' || name[1] === 'X';
        const point = hex ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return point <= 0x10ffff ? String.fromCodePoint(point) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    });
}

/**
 * What two texts share once Tencent has handled one of them: URLs removed (Tencent shortens them
 * to url.cn links), compatibility forms folded (NFKC), whitespace dropped.
 */
export function tencentTextFingerprint(text: string): string {
  return withoutTencentLinks(text.normalize('NFKC')).replace(/\s+/gu, '');
}

/** The fingerprints of a timeline item: from `origtext` (as sent) and from `text` (as shown). */
function itemFingerprints(item: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof item.origtext === 'string') out.push(tencentTextFingerprint(item.origtext));
  if (typeof item.text === 'string') out.push(tencentTextFingerprint(plainText(item.text)));
  return out;
}

/** Reads a timestamp in seconds (number or digits) as epoch ms. */
function timestampMs(value: unknown): number | undefined {
  const seconds =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * A tweet that is no longer there: `status` 1 (removed by the platform) or 3 (by its author).
 * A tweet under review (2) was posted and counts. [unconfirmed: the status values]
 */
function isRemoved(item: Record<string, unknown>): boolean {
  const status = tencentCode(item.status);
  return status === 1 || status === 3;
}

function matchesDelivery(item: Record<string, unknown>, delivery: DeliveryDescriptor): boolean {
  if (delivery.rendition.format !== 'text' || isRemoved(item)) return false;
  const wanted = tencentTextFingerprint(delivery.rendition.text);
  const type = tencentCode(item.type);
  const source = isRecord(item.source) ? item.source : undefined;
  if (delivery.action === 'post') {
    if (source !== undefined || (type !== undefined && type !== 1)) return false;
    return itemFingerprints(item).includes(wanted);
  }
  if (source === undefined || delivery.source === undefined) return false;
  if (type !== undefined && type !== 2) return false;
  if (digits(source.id) !== delivery.source.id) return false;
  if (wanted === '') return true;
  // A relay of a relay may show the chain after `||@name:`, as the clients did. [unconfirmed]
  return itemFingerprints(item).some((got) => got === wanted || got.startsWith(`${wanted}||@`));
}

// ---------------------------------------------------------------------------------------------
// The adapter

/**
 * Makes the Tencent Weibo adapter.
 *
 * @example
 * const tencent = createTencentAdapter({ appKey: '801000000', clientIp: '203.0.113.7' });
 * const sandboxed = createTencentAdapter({
 *   baseURL: sandbox.url,
 *   appKey: '801000000',
 *   clientIp: '203.0.113.7',
 * });
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong.
 */
export function createTencentAdapter(options: TencentAdapterOptions = {}): TencentAdapter {
  const resolved = resolveOptions(options);

  const limits: AdapterLimits = {
    text: {
      name: 'tencent-420',
      maxLength: TENCENT_MAX_BYTES,
      count: countTencentText,
      requiresSafeDomainLink: false,
      allowsTopics: true,
    },
    rate: resolved.rate,
    supportsRelay: true,
  };

  const tokenOf = (account: Account, context: DeliveryContext): string => {
    const token = context.credentials.access_token;
    if (token === undefined || token === '') {
      throw new ReleaseHallError(
        `[release-hall] [tencent] account "${account.id}" has no access_token in its credentials "${account.credentials}"`,
        { code: 'AUTH_INVALID', platform: TENCENT_PLATFORM, accountId: account.id },
      );
    }
    return token;
  };

  /** What is missing before a call can be made, as input issues (empty when nothing is). */
  const missingSettings = (account: Account): { path: string; message: string }[] => {
    const issues: { path: string; message: string }[] = [];
    if (resolved.appKey === undefined) {
      issues.push({
        path: 'platforms.tencent.settings.appKey',
        message:
          'Tencent requires the app key ("oauth_consumer_key") on every call: set the appKey option',
      });
    }
    if (resolved.clientIp === undefined) {
      issues.push({
        path: 'platforms.tencent.settings.clientIp',
        message:
          'Tencent requires the publisher\'s public IP ("clientip") on every call: set the clientIp option (e.g. the press office\'s public IPv4 address)',
      });
    }
    const openid = account.settings.openid;
    if (typeof openid !== 'string' || !OPENID_PATTERN.test(openid)) {
      issues.push({
        path: `members.${account.memberId}.accounts.tencent.openid`,
        message:
          'Tencent requires the openid of the account on every call: add it to the account in the hall file (tencent: { handle, openid, credentials })',
      });
    }
    return issues;
  };

  /** The OAuth parameters and `format=json`, in the documented order. */
  const oauthParameters = (account: Account, token: string): Record<string, string> => ({
    oauth_consumer_key: resolved.appKey ?? '',
    access_token: token,
    openid: String(account.settings.openid),
    clientip: resolved.clientIp ?? '',
    oauth_version: '2.a',
    scope: 'all',
    format: 'json',
  });

  const textOf = (rendition: Rendition, account: Account, endpoint: Endpoint): TextRendition => {
    if (rendition.format !== 'text') {
      throw invalidInput(`${endpoint} call for account "${account.id}"`, [
        {
          path: 'rendition.format',
          message: `expected "text" for Tencent Weibo, got "${rendition.format}"`,
        },
      ]);
    }
    return rendition;
  };

  const postUrl = (ref: { id: string }): string | undefined =>
    /^\d+$/.test(ref.id) ? `http://t.qq.com/p/t/${ref.id}` : undefined;

  const refFor = (id: string, account: Account): PostRef => {
    const url = postUrl({ id });
    return {
      platform: TENCENT_PLATFORM,
      accountId: account.id,
      id,
      ...(url === undefined ? {} : { url }),
    };
  };

  const secretsOf = (token: string): string[] =>
    resolved.appKey === undefined ? [token] : [token, resolved.appKey];

  /** Runs `work`, scrubbing the token and app key from anything it throws (a safety net). */
  const guarded = async <T>(token: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error) {
        const redactor = new Redactor();
        redactor.add(...secretsOf(token));
        redactor.scrubError(error);
      }
      throw error;
    }
  };

  const write = async (
    endpoint: Exclude<Endpoint, 'statuses/broadcast_timeline'>,
    fields: Readonly<Record<string, string>>,
    account: Account,
    context: DeliveryContext,
    token: string,
  ): Promise<{ reply: HttpReply; read: ReadReply; call: CallInfo }> => {
    const issues = missingSettings(account);
    if (issues.length > 0) {
      throw invalidInput(`${endpoint} call for account "${account.id}"`, issues);
    }
    const call: CallInfo = {
      platform: TENCENT_PLATFORM,
      endpoint,
      write: true,
      accountId: account.id,
    };
    const oauth = oauthParameters(account, token);
    const inQuery = resolved.oauthParamsIn === 'query';
    const body = new URLSearchParams(inQuery ? fields : { ...fields, ...oauth }).toString();
    const query = inQuery ? `?${new URLSearchParams(oauth).toString()}` : '';
    const reply = await httpCall({
      ...call,
      fetch: resolved.fetch,
      url: `${resolved.baseURL}${endpoint}${query}`,
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
        accept: 'application/json',
      },
      body,
      timeoutMs: context.requestTimeoutMs,
      signal: context.signal,
    });
    return { reply, read: readReply(reply, call, resolved, secretsOf(token)), call };
  };

  const posted = (
    outcome: { reply: HttpReply; read: ReadReply; call: CallInfo },
    account: Account,
  ): PublishResult => {
    const { reply, read, call } = outcome;
    if (read.kind === 'gone') failMalformed(call, 'a not-found reply to a post');
    const data = isRecord(read.body.data) ? read.body.data : undefined;
    const id = digits(data?.id);
    if (id === undefined) failMalformed(call, `HTTP ${reply.status} without data.id`);
    return { status: 'posted', ref: refFor(id, account) };
  };

  const adapter: TencentAdapter = {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform: TENCENT_PLATFORM,
    limits,
    credentialFields: ['access_token'],
    accountSchema: tencentAccountSchema,

    checkReady() {
      // The app-level settings every call needs; per-account problems are found at call time.
      return missingSettings({
        id: '',
        memberId: '',
        platform: 'tencent',
        handle: '',
        credentials: '',
        settings: { openid: 'A' },
      });
    },
    postUrl,

    async publish(rendition, account, context) {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        const { text } = textOf(rendition, account, 't/add');
        return posted(await write('t/add', { content: text }, account, context, token), account);
      });
    },

    async relay(source, rendition, account, context) {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        const { text } = textOf(rendition, account, 't/re_add');
        const fields = { content: text, reid: source.id };
        return posted(await write('t/re_add', fields, account, context, token), account);
      });
    },

    async retract(ref, account, context): Promise<RetractResult> {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        const { read } = await write('t/del', { id: ref.id }, account, context, token);
        return { status: read.kind === 'gone' ? 'already-gone' : 'removed' };
      });
    },

    async findExisting(delivery, account, context): Promise<FindExistingResult> {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        if (delivery.rendition.format !== 'text') return { status: 'not-found' };
        const issues = missingSettings(account);
        if (issues.length > 0) {
          return {
            status: 'unknown',
            reason: `[release-hall] [tencent] statuses/broadcast_timeline cannot be read for account "${account.id}": ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
          };
        }
        const call: CallInfo = {
          platform: TENCENT_PLATFORM,
          endpoint: 'statuses/broadcast_timeline',
          write: false,
          accountId: account.id,
        };
        const cutoff = delivery.firstAttemptAt.getTime() - resolved.clockSkewMs;
        let page = { pageflag: '0', pagetime: '0', lastid: '0' };
        let found: Record<string, unknown> | undefined;
        for (let index = 0; index < resolved.timelinePages; index++) {
          // [unconfirmed] type=0 and contenttype=0 ask for every kind of tweet; the adapter
          // filters by itself.
          const query = new URLSearchParams({
            ...oauthParameters(account, token),
            ...page,
            reqnum: String(resolved.timelineCount),
            type: '0',
            contenttype: '0',
          });
          let data: unknown;
          try {
            const reply = await httpCall({
              ...call,
              fetch: resolved.fetch,
              url: `${resolved.baseURL}statuses/broadcast_timeline?${query.toString()}`,
              method: 'GET',
              headers: { accept: 'application/json' },
              timeoutMs: context.requestTimeoutMs,
              signal: context.signal,
            });
            const read = readReply(reply, call, resolved, secretsOf(token));
            data = read.kind === 'ok' ? read.body.data : undefined;
          } catch (error) {
            if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
            const reason = error instanceof Error ? error.message : String(error);
            return { status: 'unknown', reason };
          }
          // [unconfirmed] An empty timeline may come as `data: null`.
          const list: unknown = data === null ? [] : isRecord(data) ? data.info : undefined;
          if (!Array.isArray(list)) {
            return {
              status: 'unknown',
              reason:
                '[release-hall] [tencent] statuses/broadcast_timeline replied without a list of tweets (data.info)',
            };
          }
          const items: readonly unknown[] = list;
          let reachedCutoff = false;
          for (const item of items) {
            if (!isRecord(item)) continue;
            const created = timestampMs(item.timestamp);
            if (created === undefined) continue;
            if (created < cutoff) {
              reachedCutoff = true;
              continue;
            }
            // Newest first: the last match is the oldest, the one the first attempt made.
            if (digits(item.id) !== undefined && matchesDelivery(item, delivery)) found = item;
          }
          const last = items.at(-1);
          const hasNext = isRecord(data) ? tencentCode(data.hasnext) : undefined;
          // [unconfirmed] `hasnext` bit 1 set: nothing older to read.
          const noOlder = hasNext !== undefined && (hasNext & 1) === 1;
          if (reachedCutoff || noOlder || items.length < resolved.timelineCount) break;
          const lastId = isRecord(last) ? digits(last.id) : undefined;
          const lastTime = isRecord(last) ? timestampMs(last.timestamp) : undefined;
          if (lastId === undefined || lastTime === undefined) break;
          page = { pageflag: '1', pagetime: String(lastTime / 1000), lastid: lastId };
        }
        const id = found === undefined ? undefined : digits(found.id);
        return id === undefined
          ? { status: 'not-found' }
          : { status: 'found', ref: refFor(id, account) };
      });
    },
  };
  return adapter;
}
