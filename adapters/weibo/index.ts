/**
 * The Weibo adapter of release-hall (open API v2, platforms.md §2).
 *
 * - publish: `POST statuses/share.json` (default) or `statuses/update.json`;
 * - relay: `POST statuses/repost.json` of the lead's status with the member's comment;
 * - retract: `POST statuses/destroy.json`;
 * - findExisting: `GET statuses/user_timeline.json`, matched on the text without its links.
 *
 * The adapter sends each request once and classifies the answer; the core owns every retry.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { ADAPTER_SPECIFICATION_VERSION, Redactor, ReleaseHallError } from '#core';
import {
  failMalformed,
  formatPath,
  httpCall,
  invalidInput,
  parseJsonBody,
  readIdField,
} from '#adapter-kit';
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
import { WEIBO_MAX_LENGTH, countWeiboText, withoutWeiboLinks } from './count-weibo-text.js';
import {
  DEFAULT_RATE_LIMIT_RETRY_AFTER_MS,
  WEIBO_PLATFORM,
  isAcceptedCode,
  isAlreadyGone,
  mapWeiboError,
} from './map-weibo-error.js';

export { countWeiboText, WEIBO_MAX_LENGTH } from './count-weibo-text.js';
export { mapWeiboError } from './map-weibo-error.js';
export type { MapWeiboErrorOptions, WeiboErrorReply } from './map-weibo-error.js';

/** Default API base. */
export const WEIBO_DEFAULT_BASE_URL = 'https://api.weibo.com/2/';

/** Default rate limits: 30 posts per user per hour is the lowest documented tier (§2.5). */
export const WEIBO_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: 8,
  postsPerWindow: 30,
  windowMs: 3_600_000,
  requestTimeoutMs: 15_000,
};

/** Overrides of the declared rate limits. */
export interface WeiboLimitsOverride {
  readonly platformConcurrency?: number | undefined;
  readonly postsPerWindow?: number | undefined;
  readonly windowMs?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

/** Options of {@link createWeiboAdapter}. Checked when the adapter is made. */
export interface WeiboAdapterOptions {
  /**
   * Base URL of the API, ending with the version: the real platform, a government network
   * gateway, a proxy, or a sandbox (`startWeiboSandbox().url`).
   * @default 'https://api.weibo.com/2/'
   */
  readonly baseURL?: string | undefined;
  /**
   * The `fetch` used for every call; inject one for proxies or tests.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike | undefined;
  /**
   * Which endpoint posts: `share` (`statuses/share`, the documented way for third-party apps:
   * needs a link on the app's safe domain, no `#topics#`) or `update` (`statuses/update`: topics
   * allowed, long text up to 2000 with `is_longtext=1`; whether ordinary apps may still call it is
   * [unconfirmed]).
   * @default 'share'
   */
  readonly mode?: 'share' | 'update' | undefined;
  /**
   * `rip`: the IP address of the end user who triggered the post. Weibo requires it on writes
   * (§2.1). The library cannot know it, and sending a made-up address would misstate who acted,
   * so there is no default: set the public IP of the press office (or, from a CMS, of the editor
   * who pressed "publish"). A post, relay or retract without it fails with `INVALID_INPUT` before
   * anything is sent; reads do not need it.
   * @default undefined
   */
  readonly rip?: string | undefined;
  /**
   * Wait reported with a rate-limit reply that has no `Retry-After` header. Weibo's windows are
   * hourly; the core waits this long and is told again if the window is still closed.
   * @default 60_000
   */
  readonly rateLimitRetryAfterMs?: number | undefined;
  /** Overrides of the declared rate limits (see {@link WEIBO_DEFAULT_RATE_LIMITS}). */
  readonly limits?: WeiboLimitsOverride | undefined;
  /**
   * Statuses read per timeline page by `findExisting`.
   * @default 50
   */
  readonly timelineCount?: number | undefined;
  /**
   * Timeline pages read at most by `findExisting` (it stops at the first status older than the
   * first attempt).
   * @default 3
   */
  readonly timelinePages?: number | undefined;
  /**
   * Clock skew allowed between this machine and Weibo when `findExisting` keeps only statuses
   * created at or after the first attempt.
   * @default 120_000
   */
  readonly clockSkewMs?: number | undefined;
}

/** The Weibo adapter, with the mode it posts in. */
export interface WeiboAdapter extends Adapter {
  readonly platform: 'weibo';
  readonly mode: 'share' | 'update';
}

const optionsSchema = z.strictObject({
  baseURL: z
    .url({
      protocol: /^https?$/,
      error: 'expected an absolute http(s) URL such as "https://api.weibo.com/2/"',
    })
    .optional(),
  fetch: z
    .custom<FetchLike>((value) => typeof value === 'function', {
      error: 'expected a fetch function',
    })
    .optional(),
  mode: z.enum(['share', 'update'], { error: 'expected "share" or "update"' }).optional(),
  rip: z
    .string()
    .refine((value) => isIP(value) !== 0, {
      error: (issue) => `expected an IPv4 or IPv6 address, got ${JSON.stringify(issue.input)}`,
    })
    .optional(),
  rateLimitRetryAfterMs: z.number().int().min(0).optional(),
  limits: z
    .strictObject({
      platformConcurrency: z.number().int().min(1).optional(),
      postsPerWindow: z.number().int().min(1).optional(),
      windowMs: z.number().int().min(1).optional(),
      requestTimeoutMs: z.number().int().min(100).optional(),
    })
    .optional(),
  timelineCount: z.number().int().min(1).max(100).optional(),
  timelinePages: z.number().int().min(1).max(20).optional(),
  clockSkewMs: z.number().int().min(0).optional(),
});

interface ResolvedOptions {
  readonly baseURL: string;
  readonly fetch: FetchLike;
  readonly mode: 'share' | 'update';
  readonly rip: string | undefined;
  readonly rateLimitRetryAfterMs: number;
  readonly rate: RateLimits;
  readonly timelineCount: number;
  readonly timelinePages: number;
  readonly clockSkewMs: number;
}

/** Checks the options and fills in the defaults, in this one place. */
function resolveOptions(options: WeiboAdapterOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw invalidInput(
      'Weibo adapter options',
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    );
  }
  const value = parsed.data;
  const base = value.baseURL ?? WEIBO_DEFAULT_BASE_URL;
  return {
    baseURL: base.endsWith('/') ? base : `${base}/`,
    fetch: value.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    mode: value.mode ?? 'share',
    rip: value.rip,
    rateLimitRetryAfterMs: value.rateLimitRetryAfterMs ?? DEFAULT_RATE_LIMIT_RETRY_AFTER_MS,
    rate: {
      platformConcurrency:
        value.limits?.platformConcurrency ?? WEIBO_DEFAULT_RATE_LIMITS.platformConcurrency,
      postsPerWindow: value.limits?.postsPerWindow ?? WEIBO_DEFAULT_RATE_LIMITS.postsPerWindow,
      windowMs: value.limits?.windowMs ?? WEIBO_DEFAULT_RATE_LIMITS.windowMs,
      requestTimeoutMs:
        value.limits?.requestTimeoutMs ?? WEIBO_DEFAULT_RATE_LIMITS.requestTimeoutMs,
    },
    timelineCount: value.timelineCount ?? 50,
    timelinePages: value.timelinePages ?? 3,
    clockSkewMs: value.clockSkewMs ?? 120_000,
  };
}

/**
 * Platform fields of a Weibo account in the hall file: `uid` (digits; a YAML number is accepted
 * and kept as text). Other fields pass through.
 */
export const weiboAccountSchema = z.looseObject({
  uid: z
    .union([z.string(), z.number().int().nonnegative()], {
      error: (issue) =>
        issue.input === undefined
          ? 'expected the numeric Weibo uid of the account as text, e.g. "2418724427"'
          : `expected digits, got ${JSON.stringify(issue.input)}`,
    })
    .transform(String)
    .pipe(
      z.string().regex(/^\d+$/, {
        error: (issue) => `expected digits, got ${JSON.stringify(issue.input)}`,
      }),
    ),
});

// ---------------------------------------------------------------------------------------------
// Reading replies

type Endpoint =
  | 'statuses/share'
  | 'statuses/update'
  | 'statuses/repost'
  | 'statuses/destroy'
  | 'statuses/user_timeline';

interface CallInfo {
  readonly platform: string;
  readonly endpoint: Endpoint;
  readonly write: boolean;
  readonly accountId: string;
}

/** A reply read as JSON: a status (or timeline), `20032`, or "already gone" on destroy. */
type ReadReply =
  | { readonly kind: 'ok'; readonly body: Record<string, unknown> }
  | { readonly kind: 'accepted'; readonly text: string }
  | { readonly kind: 'gone' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function digits(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d+$/.test(value) ? value : undefined;
}

/** A status id read as text: `idstr`, then `mid`; never through a JS number. */
function statusId(status: Record<string, unknown>): string | undefined {
  return digits(status.idstr) ?? digits(status.mid);
}

function readReply(
  reply: HttpReply,
  call: CallInfo,
  options: ResolvedOptions,
  token: string,
): ReadReply {
  const body = parseJsonBody(reply, call);
  const errorCode = isRecord(body) ? body.error_code : undefined;
  if (errorCode !== undefined || reply.status >= 300 || !isRecord(body)) {
    const errorText = isRecord(body) && typeof body.error === 'string' ? body.error : undefined;
    if (isAcceptedCode(errorCode)) {
      return { kind: 'accepted', text: errorText ?? 'posted; appears later' };
    }
    if (isAlreadyGone(errorCode, call.endpoint)) {
      return { kind: 'gone' };
    }
    if (errorCode === undefined && reply.status < 300) {
      failMalformed(call, `HTTP ${reply.status} with JSON that is not an object`);
    }
    throw mapWeiboError(
      {
        errorCode:
          typeof errorCode === 'number' || typeof errorCode === 'string' ? errorCode : undefined,
        errorText,
        status: reply.status,
        endpoint: call.endpoint,
        write: call.write,
        accountId: call.accountId,
        retryAfter: reply.headers.get('retry-after'),
      },
      { rateLimitRetryAfterMs: options.rateLimitRetryAfterMs, secrets: [token] },
    );
  }
  return { kind: 'ok', body };
}

const MONTH_INDEX: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Reads Weibo's `created_at` (`Wed Oct 24 23:49:17 +0800 2012`) as epoch ms. */
export function parseWeiboDate(text: string): number | undefined {
  const match =
    /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(
      text.trim(),
    );
  if (match === null) {
    const fallback = Date.parse(text);
    return Number.isNaN(fallback) ? undefined : fallback;
  }
  const [, month, day, hours, minutes, seconds, sign, offsetHours, offsetMinutes, year] = match;
  const monthIndex = MONTH_INDEX[month ?? ''];
  if (monthIndex === undefined) return undefined;
  const utc = Date.UTC(
    Number(year),
    monthIndex,
    Number(day),
    Number(hours),
    Number(minutes),
    Number(seconds),
  );
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  return sign === '-' ? utc + offset : utc - offset;
}

/**
 * What two texts share once Weibo has handled one of them: links removed (Weibo may rewrite
 * them into t.cn short links), compatibility forms folded (NFKC), whitespace dropped.
 */
export function weiboTextFingerprint(text: string): string {
  return withoutWeiboLinks(text.normalize('NFKC')).replace(/\s+/gu, '');
}

/** The cut-off marker the clients add to long text (`...全文：`); [unconfirmed] for the API. */
const LONG_TEXT_TAIL = /(?:\.\.\.|…)全文[:：]?$/u;

function sameText(status: Record<string, unknown>, wanted: string): boolean {
  if (typeof status.text !== 'string') return false;
  const got = weiboTextFingerprint(status.text);
  if (got === wanted) return true;
  if (status.isLongText === true) {
    const head = got.replace(LONG_TEXT_TAIL, '');
    return head.length >= 10 && wanted.startsWith(head);
  }
  return false;
}

function matchesDelivery(status: Record<string, unknown>, delivery: DeliveryDescriptor): boolean {
  if (delivery.rendition.format !== 'text' || status.deleted === '1') return false;
  const wanted = weiboTextFingerprint(delivery.rendition.text);
  const retweeted = isRecord(status.retweeted_status) ? status.retweeted_status : undefined;
  if (delivery.action === 'post') {
    return retweeted === undefined && sameText(status, wanted);
  }
  if (retweeted === undefined || delivery.source === undefined) return false;
  if (statusId(retweeted) !== delivery.source.id) return false;
  if (wanted === '' || typeof status.text !== 'string') return true;
  // A repost of a repost carries the chain after `//@name:`.
  const got = weiboTextFingerprint(status.text);
  return got === wanted || got.startsWith(`${wanted}//@`);
}

// ---------------------------------------------------------------------------------------------
// The adapter

/**
 * Makes the Weibo adapter.
 *
 * @example
 * const weibo = createWeiboAdapter({ rip: '203.0.113.7' });
 * const sandboxed = createWeiboAdapter({ baseURL: sandbox.url, rip: '203.0.113.7' });
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong.
 */
export function createWeiboAdapter(options: WeiboAdapterOptions = {}): WeiboAdapter {
  const resolved = resolveOptions(options);
  const { mode } = resolved;

  const limits: AdapterLimits = {
    text: {
      name: 'weibo-140',
      maxLength: WEIBO_MAX_LENGTH,
      count: countWeiboText,
      requiresSafeDomainLink: mode === 'share',
      allowsTopics: mode === 'update',
    },
    rate: resolved.rate,
    supportsRelay: true,
  };

  const tokenOf = (account: Account, context: DeliveryContext): string => {
    const token = context.credentials.access_token;
    if (token === undefined || token === '') {
      throw new ReleaseHallError(
        `[release-hall] [weibo] account "${account.id}" has no access_token in its credentials "${account.credentials}"`,
        { code: 'AUTH_INVALID', platform: WEIBO_PLATFORM, accountId: account.id },
      );
    }
    return token;
  };

  const requireRip = (account: Account, endpoint: Endpoint): string => {
    if (resolved.rip !== undefined) return resolved.rip;
    throw invalidInput(`${endpoint} call for account "${account.id}"`, [
      {
        path: 'platforms.weibo.settings.rip',
        message:
          'Weibo requires the end user\'s IP ("rip") on writes: set the rip option (e.g. the press office\'s public IP)',
      },
    ]);
  };

  const textOf = (rendition: Rendition, account: Account, endpoint: Endpoint): TextRendition => {
    if (rendition.format !== 'text') {
      throw invalidInput(`${endpoint} call for account "${account.id}"`, [
        {
          path: 'rendition.format',
          message: `expected "text" for Weibo, got "${rendition.format}"`,
        },
      ]);
    }
    return rendition;
  };

  const postUrl = (ref: { id: string }, account: Account): string | undefined => {
    // The numeric id works in the desktop permalink `https://weibo.com/<uid>/<id>`; the clients
    // themselves link with a base62 form of the mid. [unconfirmed that numeric ids keep working]
    const uid = account.settings.uid;
    return typeof uid === 'string' && /^\d+$/.test(uid)
      ? `https://weibo.com/${uid}/${ref.id}`
      : undefined;
  };

  const refFor = (id: string, account: Account): PostRef => {
    const url = postUrl({ id }, account);
    return {
      platform: WEIBO_PLATFORM,
      accountId: account.id,
      id,
      ...(url === undefined ? {} : { url }),
    };
  };

  /** Runs `work`, scrubbing the token from anything it throws (a safety net: nothing should hold it). */
  const guarded = async <T>(token: string | undefined, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (token !== undefined && error instanceof Error) {
        const redactor = new Redactor();
        redactor.add(token);
        redactor.scrubError(error);
      }
      throw error;
    }
  };

  const write = async (
    endpoint: Endpoint,
    fields: Readonly<Record<string, string>>,
    account: Account,
    context: DeliveryContext,
    token: string,
  ): Promise<{ reply: HttpReply; read: ReadReply; call: CallInfo }> => {
    const call: CallInfo = {
      platform: WEIBO_PLATFORM,
      endpoint,
      write: true,
      accountId: account.id,
    };
    // The token travels in the form body, never in the URL, so no proxy log or error holds it.
    const body = new URLSearchParams({ access_token: token, ...fields }).toString();
    const reply = await httpCall({
      ...call,
      fetch: resolved.fetch,
      url: `${resolved.baseURL}${endpoint}.json`,
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
        accept: 'application/json',
      },
      body,
      timeoutMs: context.requestTimeoutMs,
      signal: context.signal,
    });
    return { reply, read: readReply(reply, call, resolved, token), call };
  };

  const posted = (
    outcome: { reply: HttpReply; read: ReadReply; call: CallInfo },
    account: Account,
  ): PublishResult => {
    const { reply, read, call } = outcome;
    if (read.kind === 'accepted')
      return { status: 'accepted', reason: `Weibo 20032: ${read.text}` };
    if (read.kind === 'gone') failMalformed(call, 'a not-found reply to a post');
    // `readIdField` reads the first `"idstr"` of the raw text: the new status comes before any
    // `retweeted_status` in Weibo's replies. Used only when the parsed fields lack a string id.
    const id =
      statusId(read.body) ?? readIdField(reply.text, 'idstr') ?? readIdField(reply.text, 'id');
    if (id === undefined) failMalformed(call, `HTTP ${reply.status} without a status id`);
    return { status: 'posted', ref: refFor(id, account) };
  };

  const adapter: WeiboAdapter = {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform: WEIBO_PLATFORM,
    mode,
    limits,
    credentialFields: ['access_token'],
    accountSchema: weiboAccountSchema,
    postUrl,

    checkReady() {
      return resolved.rip === undefined
        ? [
            {
              path: 'platforms.weibo.settings.rip',
              message:
                'Weibo requires the end user\'s IP ("rip") on every post: set it to the press office\'s public IP',
            },
          ]
        : [];
    },

    async publish(rendition, account, context) {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        const endpoint: Endpoint = mode === 'share' ? 'statuses/share' : 'statuses/update';
        const { text } = textOf(rendition, account, endpoint);
        const rip = requireRip(account, endpoint);
        const fields: Record<string, string> = { status: text, rip };
        if (mode === 'update' && countWeiboText(text) > WEIBO_MAX_LENGTH) fields.is_longtext = '1';
        return posted(await write(endpoint, fields, account, context, token), account);
      });
    },

    async relay(source, rendition, account, context) {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        const endpoint: Endpoint = 'statuses/repost';
        const { text } = textOf(rendition, account, endpoint);
        const rip = requireRip(account, endpoint);
        const fields = { id: source.id, status: text, is_comment: '0', rip };
        return posted(await write(endpoint, fields, account, context, token), account);
      });
    },

    async retract(ref, account, context): Promise<RetractResult> {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        // [unconfirmed] whether v2 destroy needs `rip`; it is sent when configured, not required.
        const { rip } = resolved;
        const fields: Record<string, string> = {
          id: ref.id,
          ...(rip === undefined ? {} : { rip }),
        };
        const { read } = await write('statuses/destroy', fields, account, context, token);
        return { status: read.kind === 'gone' ? 'already-gone' : 'removed' };
      });
    },

    async findExisting(delivery, account, context): Promise<FindExistingResult> {
      const token = tokenOf(account, context);
      return guarded(token, async () => {
        if (delivery.rendition.format !== 'text') return { status: 'not-found' };
        const call: CallInfo = {
          platform: WEIBO_PLATFORM,
          endpoint: 'statuses/user_timeline',
          write: false,
          accountId: account.id,
        };
        const cutoff = delivery.firstAttemptAt.getTime() - resolved.clockSkewMs;
        const uid = account.settings.uid;
        let found: Record<string, unknown> | undefined;
        for (let page = 1; page <= resolved.timelinePages; page++) {
          // The token goes in the Authorization header, never the URL, so gateway and proxy
          // access logs do not keep it.
          const query = new URLSearchParams({
            ...(typeof uid === 'string' ? { uid } : {}),
            count: String(resolved.timelineCount),
            page: String(page),
          });
          let statuses: unknown;
          try {
            const reply = await httpCall({
              ...call,
              fetch: resolved.fetch,
              url: `${resolved.baseURL}statuses/user_timeline.json?${query.toString()}`,
              method: 'GET',
              headers: { accept: 'application/json', authorization: `OAuth2 ${token}` },
              timeoutMs: context.requestTimeoutMs,
              signal: context.signal,
            });
            const read = readReply(reply, call, resolved, token);
            statuses = read.kind === 'ok' ? read.body.statuses : undefined;
          } catch (error) {
            if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
            const reason = error instanceof Error ? error.message : String(error);
            return { status: 'unknown', reason };
          }
          if (!Array.isArray(statuses)) {
            return {
              status: 'unknown',
              reason:
                '[release-hall] [weibo] statuses/user_timeline replied without a list of statuses',
            };
          }
          let reachedCutoff = false;
          for (const status of statuses) {
            if (!isRecord(status)) continue;
            const created =
              typeof status.created_at === 'string' ? parseWeiboDate(status.created_at) : undefined;
            if (created === undefined) continue;
            if (created < cutoff) {
              reachedCutoff = true;
              continue;
            }
            // Newest first: the last match is the oldest, the one the first attempt made.
            if (statusId(status) !== undefined && matchesDelivery(status, delivery)) found = status;
          }
          if (reachedCutoff || statuses.length < resolved.timelineCount) break;
        }
        const id = found === undefined ? undefined : statusId(found);
        return id === undefined
          ? { status: 'not-found' }
          : { status: 'found', ref: refFor(id, account) };
      });
    },
  };
  return adapter;
}
