/**
 * The WeChat Official Accounts adapter of release-hall (platforms.md §1).
 *
 * - publish: cover (`material/add_material?type=thumb`) and in-article images (`media/uploadimg`),
 *   cached per account by content hash; `draft/add`; `freepublish/submit`; then `freepublish/get`
 *   polled with backoff to a terminal status. Publishing does not push to followers and, as
 *   reported but [unconfirmed], uses no mass-send quota.
 * - push (an extra method): `message/mass/sendall` to all followers with a deterministic
 *   `clientmsgid`, confirmed with `message/mass/get`.
 * - relay: WeChat has no repost of another account's article; `relay` throws `INVALID_INPUT`.
 * - retract: `freepublish/delete`, or `message/mass/delete` for a push (`mass:<msg_id>` refs).
 * - findExisting: the publish_id when it is known, else `freepublish/batchget` matched by title.
 *
 * Access tokens come from one {@link WechatTokenHolder} per appid (stable_token by default), shared
 * by every delivery of the account. The adapter sends each request once and classifies the answer;
 * the only call it repeats itself is one refused for its token (fetched again, compare-and-expire).
 * The core owns every other retry.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ADAPTER_SPECIFICATION_VERSION, PUSH_ID_NOTE, ReleaseHallError } from '#core';
import {
  failMalformed,
  formatPath,
  invalidInput,
  platformMessage,
  readIdField,
} from '#adapter-kit';
import type {
  Account,
  Adapter,
  AdapterLimits,
  ArticleRendition,
  PushResult,
  PushQuota,
  DeliveryContext,
  FindExistingResult,
  InputIssue,
  PostRef,
  PublishResult,
  RateLimits,
  Rendition,
  RetractResult,
} from '#core';
import type { FetchLike } from '#adapter-kit';
import { autoReplyMenuSchema } from './callback/menu.js';
import { RawJsonNumber, WechatClient, appidOf } from './client.js';
import type { WechatReply } from './client.js';
import {
  WECHAT_ALREADY_SENT_CODE,
  WECHAT_MASS_REPEAT_WAIT_MS,
  WECHAT_PLATFORM,
} from './map-wechat-error.js';
import { MemoryMediaCache, WechatMediaLibrary, rewriteImageSources } from './media-cache.js';
import type { ImageLoader, MediaCache, MediaUploader } from './media-cache.js';
import { pushQuotaRule, pushesLeft } from './quota-ledger.js';
import { MemoryTokenStore, WechatTokenHolder } from './token-holder.js';
import type { TokenStore, WechatTokenMode } from './token-holder.js';

export {
  WECHAT_ALREADY_SENT_CODE,
  WECHAT_MASS_REPEAT_WAIT_MS,
  WECHAT_PLATFORM,
  WECHAT_REPEAT_TOO_FAST_CODE,
  WECHAT_TOKEN_ERROR_CODES,
  isTokenErrorCode,
  mapWechatError,
  splitRequestId,
  wechatErrorCode,
} from './map-wechat-error.js';
export type { MapWechatErrorOptions, WechatErrorReply } from './map-wechat-error.js';
export {
  DEFAULT_REFRESH_MARGIN_MS,
  MemoryTokenStore,
  WechatTokenHolder,
  tokenStoreKey,
} from './token-holder.js';
export type {
  StoredToken,
  TokenRequest,
  TokenStore,
  WechatTokenHolderOptions,
  WechatTokenMode,
} from './token-holder.js';
export {
  MemoryMediaCache,
  WechatMediaLibrary,
  mediaCacheKey,
  readLocalImage,
  sha256Hex,
} from './media-cache.js';
export type { CachedMedia, ImageLoader, MediaCache, WechatMediaKind } from './media-cache.js';
export {
  DEFAULT_PUSH_QUOTAS,
  WECHAT_QUOTA_TIME_ZONE,
  mayPush,
  pushQuotaRule,
  pushesLeft,
  quotaPeriodBounds,
  quotaPeriodKey,
} from './quota-ledger.js';
export type {
  PushQuotaRule,
  PushQuotaStatus,
  PushRecord,
  WechatAccountKind,
} from './quota-ledger.js';
export { wechatJson } from './client.js';

/** Default API base. */
export const WECHAT_DEFAULT_BASE_URL = 'https://api.weixin.qq.com/cgi-bin/';

/**
 * Default rate limits. WeChat documents 60 requests a minute on the mass endpoints (§1.6); no
 * per-account rate is documented for publishing, so the same window is used for every write.
 * [derived]
 */
export const WECHAT_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: 8,
  postsPerWindow: 60,
  windowMs: 60_000,
  requestTimeoutMs: 15_000,
};

/**
 * Longest text of a `text` mass send, in characters. No limit is documented in platforms.md
 * [unconfirmed]: 600 is the text box of the MP console's mass send as commonly reported, and 600
 * CJK characters (1 800 UTF-8 bytes) also stay under the ~2 048-byte reply-text bound of §4.
 */
export const WECHAT_TEXT_MAX_LENGTH = 600;

/** Field limits of a WeChat article (§1.4). */
export const WECHAT_ARTICLE_PROFILE = {
  titleMax: 32,
  authorMax: 16,
  digestMax: 128,
  contentMaxChars: 20_000,
} as const;

/** How long a protected to-all mass send waits for the admin (§1.6). */
export const WECHAT_ADMIN_CONFIRMATION_MS = 30 * 60_000;

/** Default waits between `freepublish/get` polls: about 5 minutes in all. */
export const WECHAT_DEFAULT_POLL_INTERVALS_MS: readonly number[] = [
  1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 20_000, 30_000, 30_000, 30_000, 60_000, 60_000,
];

/** The journal note that holds a delivery's `publish_id`. */
export const PUBLISH_ID_NOTE = 'wechat.publish_id';

/** The journal note that holds the draft `media_id` a delivery is about to submit. */
export const DRAFT_MEDIA_ID_NOTE = 'wechat.draft_media_id';

/** What the report should say when a push is retracted (§1.6). */
export const WECHAT_MASS_DELETE_WARNING =
  'deleting a mass send disables the article page of every send of that material, not only this one; followers keep the message card';

/** Overrides of the declared rate limits. */
export interface WechatLimitsOverride {
  readonly platformConcurrency?: number | undefined;
  readonly postsPerWindow?: number | undefined;
  readonly windowMs?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

/** Options of {@link createWechatAdapter}. Checked when the adapter is made. */
export interface WechatAdapterOptions {
  /**
   * Base URL of the API, ending with `cgi-bin/`: the real platform, a government network gateway,
   * a proxy, or a sandbox (`startWechatSandbox().url`).
   * @default 'https://api.weixin.qq.com/cgi-bin/'
   */
  readonly baseURL?: string | undefined;
  /** The `fetch` used for every call. @default globalThis.fetch */
  readonly fetch?: FetchLike | undefined;
  /**
   * `stable` (`stable_token`, recommended: returns the current token without invalidating it) or
   * `classic` (`token`: each fetch replaces the previous token after 5 minutes; only safe when
   * this holder is the one place that fetches tokens for the appid).
   * @default 'stable'
   */
  readonly tokenMode?: WechatTokenMode | undefined;
  /** Where tokens are kept; share one between processes to share tokens. @default in memory */
  readonly tokenStore?: TokenStore | undefined;
  /** Refresh this long before expiry. @default 300 000 (stable), 1 500 000 (classic) */
  readonly tokenRefreshMarginMs?: number | undefined;
  /** Where uploaded media ids are kept per account and content hash. @default in memory */
  readonly mediaCache?: MediaCache | undefined;
  /**
   * Reads an image source (the rendition's `cover`, an `<img src>` of its HTML).
   * @default local file paths and `file:` URLs only (`readLocalImage`)
   */
  readonly loadImage?: ImageLoader | undefined;
  /**
   * Cover used when the rendition has none (a `news` article needs one). Without it, an article
   * without a cover fails with `INVALID_INPUT` naming `images[0]` before anything is sent; no
   * cover is ever generated.
   * @default undefined
   */
  readonly defaultCover?: string | undefined;
  /** Polling of `freepublish/get` after a submit. */
  readonly publishPoll?: { readonly intervalsMs?: readonly number[] | undefined } | undefined;
  /**
   * Called the moment a `publish_id` is known, before polling, so the journal holds it even if the
   * process dies. A failure is logged, not thrown (the publish is already on its way).
   */
  readonly journalPublishId?:
    | ((accountId: string, idempotencyKey: string, publishId: string) => void | Promise<void>)
    | undefined;
  /** Gives back a journaled `publish_id` (after a restart), so publish and findExisting resume it. */
  readonly recallPublishId?:
    | ((
        accountId: string,
        idempotencyKey: string,
      ) => string | undefined | Promise<string | undefined>)
    | undefined;
  /** Overrides of the declared rate limits (see {@link WECHAT_DEFAULT_RATE_LIMITS}). */
  readonly limits?: WechatLimitsOverride | undefined;
  /** Clock skew allowed when `findExisting` keeps articles updated at or after the first attempt. @default 120_000 */
  readonly clockSkewMs?: number | undefined;
  /** `freepublish/batchget` pages (20 articles each) read at most by `findExisting`. @default 3 */
  readonly batchgetPages?: number | undefined;
  /** Open comments on published articles (`need_open_comment`). @default false */
  readonly needOpenComment?: boolean | undefined;
  /** Only followers may comment (`only_fans_can_comment`). @default false */
  readonly onlyFansCanComment?: boolean | undefined;
  /** `send_ignore_reprint` of mass sends: go on when the article is judged a reprint. @default false */
  readonly sendIgnoreReprint?: boolean | undefined;
  /** Clock (token expiry, rate windows, deadlines). @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** What to push: a draft's media id, a text, or an article to put in a new draft first. */
export type WechatPushRequest = {
  /** The deterministic id of this push (see {@link wechatClientMsgId}); ≤ 64 bytes. */
  readonly clientMsgId: string;
} & (
  | { readonly mediaId: string; readonly text?: undefined; readonly article?: undefined }
  | { readonly text: string; readonly mediaId?: undefined; readonly article?: undefined }
  | { readonly article: ArticleRendition; readonly mediaId?: undefined; readonly text?: undefined }
);

/** Where a push stands. */
export type WechatPushStatus =
  /** Submitted; `mass/get` could not be read yet. */
  | 'submitted'
  /** Being delivered to followers. */
  | 'sending'
  /** Waiting for the admin (API mass-send protection); fails at `deadline` without a decision. */
  | 'awaiting-confirmation'
  | 'sent'
  | 'failed'
  | 'deleted';

/** The answer of {@link WechatAdapter.push} and {@link WechatAdapter.pushStatus}. */
export interface WechatPushResult {
  readonly status: WechatPushStatus;
  /** WeChat's id of the send, as text. */
  readonly msgId: string;
  readonly msgDataId?: string;
  readonly clientMsgId?: string;
  /** `45065`: an earlier attempt with this clientmsgid had already sent it. */
  readonly alreadySent: boolean;
  /** `msg_status` as WeChat said it (`SEND_SUCCESS`, `SENDING`, `SEND_FAIL`, `DELETE`, …). */
  readonly platformStatus?: string;
  /** For `awaiting-confirmation`: when the send fails without the admin's decision. */
  readonly deadline?: Date;
  /** True when the deadline is counted from now because the submit time is not known (45065). */
  readonly deadlineEstimated?: boolean;
  /** Reference for reports and `retract` (`id` is `mass:<msg_id>`). */
  readonly ref: PostRef;
}

/** The WeChat adapter, with the push (mass send) methods. */
export interface WechatAdapter extends Adapter {
  readonly platform: 'wechat';
  readonly tokenMode: WechatTokenMode;
  /**
   * Mass-sends to all followers of the account (`message/mass/sendall`). Safe to repeat with the
   * same `clientMsgId`: `45065` means it was already sent (its `msg_id` is confirmed with
   * `mass/get`); `45066` throws `RATE_LIMITED` with `retryAfterMs` ≥ 60 000 (repeat with the same
   * id); `45028`/`45009` throw `QUOTA_EXHAUSTED`. A send taken by WeChat resolves with its status,
   * also when that status is a failure.
   */
  pushMessage(
    account: Account,
    context: DeliveryContext,
    request: WechatPushRequest,
  ): Promise<WechatPushResult>;
  /** The status of a push by `msg_id` (`message/mass/get`). */
  pushStatus(
    account: Account,
    context: DeliveryContext,
    msgId: string,
    options?: { readonly submittedAt?: Date | undefined },
  ): Promise<WechatPushResult>;
  /** A deterministic `clientmsgid` (≤ 64 bytes) for (campaign, account, action). */
  clientMsgId(campaignId: string, accountId: string, action: string): string;
  /** The token holder of an appid (one per appid, shared by every delivery). */
  tokenHolder(appid: string): WechatTokenHolder;
}

/**
 * A deterministic `clientmsgid` for (campaign, account, action): `rh1-` and the base64url SHA-256
 * of the three, 47 ASCII bytes (WeChat allows 64). The same campaign, account and action always
 * give the same id, so a resumed campaign repeats the same mass send and WeChat answers `45065`
 * instead of pushing twice.
 */
export function wechatClientMsgId(campaignId: string, accountId: string, action: string): string {
  const digest = createHash('sha256')
    .update(`${campaignId}\u0000${accountId}\u0000${action}`)
    .digest('base64url');
  return `rh1-${digest}`;
}

const appidSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'expected the appid of the Official Account, e.g. "wx0123456789abcdef"'
        : `expected the appid as text, got ${JSON.stringify(issue.input)}`,
  })
  .regex(/^wx[0-9A-Za-z]{16}$/, {
    error: (issue) => `expected "wx" and 16 letters or digits, got ${JSON.stringify(issue.input)}`,
  });

/**
 * Platform fields of a WeChat account in the hall file. The appid is the account's identity on
 * WeChat and is not secret, so it lives here; the AppSecret goes in the credentials (`secret`).
 * `kind` (subscription | service) is a base account field of the hall.
 *
 * - `appid`: `wx` + 16 letters or digits;
 * - `massSendProtection`: the account has API mass-send protection on, so a push to all waits for
 *   the admin (30 minutes); WeChat has no API to read this setting [unconfirmed], so declare it;
 * - `pushQuota`: overrides the push quota (per day for subscription, per month for service).
 *
 * - `autoReply`: the keyword / number auto-reply menu of the inbound callback, checked by the
 *   callback module's schema (`adapters/wechat/callback/menu.ts`).
 *
 * Other fields pass through unchecked.
 */
export const wechatAccountSchema = z.looseObject({
  appid: appidSchema,
  massSendProtection: z.boolean({ error: 'expected true or false' }).optional(),
  autoReply: autoReplyMenuSchema.optional(),
  pushQuota: z
    .number({ error: 'expected a whole number of pushes' })
    .int({ error: 'expected a whole number of pushes' })
    .min(0, { error: 'expected 0 or more pushes' })
    .optional(),
});

const optionsSchema = z.strictObject({
  baseURL: z
    .url({
      protocol: /^https?$/,
      error: 'expected an absolute http(s) URL such as "https://api.weixin.qq.com/cgi-bin/"',
    })
    .optional(),
  fetch: z
    .custom<FetchLike>((value) => typeof value === 'function', {
      error: 'expected a fetch function',
    })
    .optional(),
  tokenMode: z.enum(['stable', 'classic'], { error: 'expected "stable" or "classic"' }).optional(),
  tokenStore: z
    .custom<TokenStore>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['get', 'set', 'compareAndDelete'].every(
          (name) => typeof (value as Record<string, unknown>)[name] === 'function',
        ),
      { error: 'expected a TokenStore with get, set and compareAndDelete' },
    )
    .optional(),
  tokenRefreshMarginMs: z.number().int().min(0).optional(),
  mediaCache: z
    .custom<MediaCache>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['get', 'set', 'delete'].every(
          (name) => typeof (value as Record<string, unknown>)[name] === 'function',
        ),
      { error: 'expected a MediaCache with get, set and delete' },
    )
    .optional(),
  loadImage: z
    .custom<ImageLoader>((value) => typeof value === 'function', { error: 'expected a function' })
    .optional(),
  defaultCover: z.string().min(1).optional(),
  publishPoll: z
    .strictObject({
      intervalsMs: z
        .array(z.number().int().min(0))
        .min(1, 'expected at least one interval')
        .optional(),
    })
    .optional(),
  journalPublishId: z
    .custom<NonNullable<WechatAdapterOptions['journalPublishId']>>(
      (value) => typeof value === 'function',
      { error: 'expected a function' },
    )
    .optional(),
  recallPublishId: z
    .custom<NonNullable<WechatAdapterOptions['recallPublishId']>>(
      (value) => typeof value === 'function',
      { error: 'expected a function' },
    )
    .optional(),
  limits: z
    .strictObject({
      platformConcurrency: z.number().int().min(1).optional(),
      postsPerWindow: z.number().int().min(1).optional(),
      windowMs: z.number().int().min(1).optional(),
      requestTimeoutMs: z.number().int().min(100).optional(),
    })
    .optional(),
  clockSkewMs: z.number().int().min(0).optional(),
  batchgetPages: z.number().int().min(1).max(50).optional(),
  needOpenComment: z.boolean().optional(),
  onlyFansCanComment: z.boolean().optional(),
  sendIgnoreReprint: z.boolean().optional(),
  now: z
    .custom<() => number>((value) => typeof value === 'function', { error: 'expected a function' })
    .optional(),
});

interface ResolvedOptions {
  readonly baseURL: string;
  readonly fetch: FetchLike;
  readonly tokenMode: WechatTokenMode;
  readonly tokenStore: TokenStore;
  readonly tokenRefreshMarginMs: number | undefined;
  readonly mediaCache: MediaCache;
  readonly loadImage: ImageLoader | undefined;
  readonly defaultCover: string | undefined;
  readonly pollIntervalsMs: readonly number[];
  readonly journalPublishId: WechatAdapterOptions['journalPublishId'];
  readonly recallPublishId: WechatAdapterOptions['recallPublishId'];
  readonly rate: RateLimits;
  readonly clockSkewMs: number;
  readonly batchgetPages: number;
  readonly needOpenComment: boolean;
  readonly onlyFansCanComment: boolean;
  readonly sendIgnoreReprint: boolean;
  readonly now: () => number;
}

/** Checks the options and fills in the defaults, in this one place. */
function resolveOptions(options: WechatAdapterOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw invalidInput(
      'WeChat adapter options',
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    );
  }
  const value = parsed.data;
  const base = value.baseURL ?? WECHAT_DEFAULT_BASE_URL;
  return {
    baseURL: base.endsWith('/') ? base : `${base}/`,
    fetch: value.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    tokenMode: value.tokenMode ?? 'stable',
    tokenStore: value.tokenStore ?? new MemoryTokenStore(),
    tokenRefreshMarginMs: value.tokenRefreshMarginMs,
    mediaCache: value.mediaCache ?? new MemoryMediaCache(),
    loadImage: value.loadImage,
    defaultCover: value.defaultCover,
    pollIntervalsMs: value.publishPoll?.intervalsMs ?? WECHAT_DEFAULT_POLL_INTERVALS_MS,
    journalPublishId: value.journalPublishId,
    recallPublishId: value.recallPublishId,
    rate: {
      platformConcurrency:
        value.limits?.platformConcurrency ?? WECHAT_DEFAULT_RATE_LIMITS.platformConcurrency,
      postsPerWindow: value.limits?.postsPerWindow ?? WECHAT_DEFAULT_RATE_LIMITS.postsPerWindow,
      windowMs: value.limits?.windowMs ?? WECHAT_DEFAULT_RATE_LIMITS.windowMs,
      requestTimeoutMs:
        value.limits?.requestTimeoutMs ?? WECHAT_DEFAULT_RATE_LIMITS.requestTimeoutMs,
    },
    clockSkewMs: value.clockSkewMs ?? 120_000,
    batchgetPages: value.batchgetPages ?? 3,
    needOpenComment: value.needOpenComment ?? false,
    onlyFansCanComment: value.onlyFansCanComment ?? false,
    sendIgnoreReprint: value.sendIgnoreReprint ?? false,
    now: value.now ?? Date.now,
  };
}

// ---------------------------------------------------------------------------------------------
// Small readers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function characters(text: string): number {
  return Array.from(text).length;
}

/** An integer field that may come as a number or a numeric string. */
function readInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** An id read from the raw text (number or string in the JSON), every digit kept. */
function readId(reply: WechatReply, field: string): string | undefined {
  const value = reply.body[field];
  if (typeof value === 'string' && value !== '') return value;
  return readIdField(reply.text, field);
}

/** Comparable form of a title: compatibility forms folded, spaces dropped. */
function titleKey(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, '');
}

const MEMORY_LIMIT = 10_000;

/** What the adapter remembers of one publish delivery inside this process. */
interface PublishMemory {
  draftMediaId?: string;
  publishId?: string;
  /** True when `freepublish/submit` was sent but its answer was lost. */
  submitUnanswered?: boolean;
}

type PollOutcome =
  | { readonly kind: 'posted'; readonly ref: PostRef; readonly removed?: 'user' | 'system' }
  | { readonly kind: 'running'; readonly reason: string }
  | { readonly kind: 'failed'; readonly status: number; readonly failIdx: string };

// ---------------------------------------------------------------------------------------------
// The adapter

/**
 * Makes the WeChat Official Accounts adapter.
 *
 * @example
 * const wechat = createWechatAdapter({ defaultCover: './assets/cover.jpg' });
 * const sandboxed = createWechatAdapter({ baseURL: sandbox.url, publishPoll: { intervalsMs: [10, 10, 10] } });
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong.
 */
export function createWechatAdapter(options: WechatAdapterOptions = {}): WechatAdapter {
  const resolved = resolveOptions(options);
  const holders = new Map<string, WechatTokenHolder>();
  const tokenHolder = (appid: string): WechatTokenHolder => {
    let holder = holders.get(appid);
    if (holder === undefined) {
      holder = new WechatTokenHolder({
        appid,
        mode: resolved.tokenMode,
        baseURL: resolved.baseURL,
        fetch: resolved.fetch,
        store: resolved.tokenStore,
        now: resolved.now,
        ...(resolved.tokenRefreshMarginMs === undefined
          ? {}
          : { refreshMarginMs: resolved.tokenRefreshMarginMs }),
      });
      holders.set(appid, holder);
    }
    return holder;
  };
  const client = new WechatClient({
    baseURL: resolved.baseURL,
    fetch: resolved.fetch,
    tokens: tokenHolder,
    now: resolved.now,
  });
  const media = new WechatMediaLibrary({
    cache: resolved.mediaCache,
    loadImage: resolved.loadImage,
    now: resolved.now,
  });
  const memory = new Map<string, PublishMemory>();
  const pushDrafts = new Map<string, string>();

  const remember = (key: string, update: PublishMemory): PublishMemory => {
    const merged = { ...memory.get(key), ...update };
    memory.delete(key);
    memory.set(key, merged);
    if (memory.size > MEMORY_LIMIT) {
      const oldest = memory.keys().next().value;
      if (oldest !== undefined) memory.delete(oldest);
    }
    return merged;
  };
  const memoryKey = (account: Account, idempotencyKey: string): string =>
    `${account.id}\u0000${idempotencyKey}`;

  const limits: AdapterLimits = {
    format: 'article',
    article: WECHAT_ARTICLE_PROFILE,
    text: {
      name: `wechat-text-${WECHAT_TEXT_MAX_LENGTH}`,
      maxLength: WECHAT_TEXT_MAX_LENGTH,
      count: characters,
      requiresSafeDomainLink: false,
      allowsTopics: false,
    },
    rate: resolved.rate,
    supportsRelay: false,
  };

  const fail = (
    account: Account,
    endpoint: string,
    code: ReleaseHallError['code'],
    explanation: string,
    extra: { platformCode?: string; retryAfterMs?: number; retryable?: boolean } = {},
  ): ReleaseHallError =>
    new ReleaseHallError(
      platformMessage(WECHAT_PLATFORM, endpoint, extra.platformCode, undefined, explanation),
      {
        code,
        platform: WECHAT_PLATFORM,
        accountId: account.id,
        endpoint,
        ...extra,
      },
    );

  // -- articles --------------------------------------------------------------------------------

  const articleOf = (rendition: Rendition, account: Account, what: string): ArticleRendition => {
    if (rendition.format !== 'article') {
      throw invalidInput(`${what} for account "${account.id}"`, [
        {
          path: 'rendition.format',
          message: `expected "article" for WeChat, got "${rendition.format}"`,
        },
      ]);
    }
    return rendition;
  };

  /** Field checks of §1.4 made before anything is sent. */
  const checkArticle = (article: ArticleRendition, account: Account, content: string): void => {
    const issues: InputIssue[] = [];
    const limit = (path: string, value: string | undefined, max: number, name: string): void => {
      if (value !== undefined && characters(value) > max) {
        issues.push({
          path,
          message: `a WeChat ${name} has at most ${max} characters, this one has ${characters(value)}`,
        });
      }
    };
    if (article.title.trim() === '')
      issues.push({ path: 'rendition.title', message: 'expected a title' });
    limit('rendition.title', article.title, WECHAT_ARTICLE_PROFILE.titleMax, 'title');
    limit('rendition.author', article.author, WECHAT_ARTICLE_PROFILE.authorMax, 'author');
    limit('rendition.digest', article.digest, WECHAT_ARTICLE_PROFILE.digestMax, 'digest');
    if (content.trim() === '')
      issues.push({ path: 'rendition.html', message: 'expected the article HTML' });
    // [unconfirmed] the server's limit: 20 000 characters (tags included) and 1 MB are the working
    // limit of platforms.md §1.4; the 2025 page also says "2kb", which no article could meet.
    if (characters(content) >= WECHAT_ARTICLE_PROFILE.contentMaxChars) {
      issues.push({
        path: 'rendition.html',
        message: `WeChat article HTML must be under ${WECHAT_ARTICLE_PROFILE.contentMaxChars} characters (tags and image URLs included), this one has ${characters(content)}`,
      });
    } else if (Buffer.byteLength(content, 'utf8') >= 1024 * 1024) {
      issues.push({ path: 'rendition.html', message: 'WeChat article HTML must be under 1 MB' });
    }
    if (article.sourceUrl !== '') {
      if (!/^https?:\/\/\S+$/i.test(article.sourceUrl)) {
        issues.push({ path: 'rendition.sourceUrl', message: 'expected an absolute http(s) URL' });
      } else if (Buffer.byteLength(article.sourceUrl, 'utf8') > 1024) {
        issues.push({
          path: 'rendition.sourceUrl',
          message: 'WeChat keeps "read original" links to 1 KB',
        });
      }
    }
    if (issues.length > 0) throw invalidInput(`WeChat article for account "${account.id}"`, issues);
  };

  const uploader =
    (account: Account, context: DeliveryContext): MediaUploader =>
    async (upload) => {
      const endpoint = upload.kind === 'thumb' ? 'material/add_material' : 'media/uploadimg';
      const reply = await client.call(account, context, {
        endpoint,
        method: 'POST',
        ...(upload.kind === 'thumb' ? { query: { type: 'thumb' } } : {}),
        form: () => {
          const form = new FormData();
          form.append(
            'media',
            new Blob([upload.bytes], { type: upload.contentType }),
            upload.filename,
          );
          return form;
        },
        // A repeated upload only stores the picture twice; nothing shows on the account, so an
        // upload whose answer is lost is safe to send again. [derived]
        write: false,
      });
      const mediaId = readId(reply, 'media_id');
      const url = typeof reply.body.url === 'string' ? reply.body.url : undefined;
      if (upload.kind === 'thumb' && mediaId === undefined) {
        failMalformed(
          { platform: WECHAT_PLATFORM, endpoint, write: false, accountId: account.id },
          'no media_id',
        );
      }
      if (upload.kind === 'uploadimg' && url === undefined) {
        failMalformed(
          { platform: WECHAT_PLATFORM, endpoint, write: false, accountId: account.id },
          'no url',
        );
      }
      return {
        ...(mediaId === undefined ? {} : { mediaId }),
        ...(url === undefined ? {} : { url }),
      };
    };

  /** Uploads the pictures and adds the draft; resolves with the draft's media id. */
  const createDraft = async (
    article: ArticleRendition,
    account: Account,
    context: DeliveryContext,
  ): Promise<string> => {
    const appid = appidOf(account);
    const upload = uploader(account, context);
    const coverSource = article.cover ?? resolved.defaultCover;
    if (coverSource === undefined) {
      throw invalidInput(`WeChat article for account "${account.id}"`, [
        {
          path: 'images[0]',
          message:
            'a WeChat article needs a cover: give the statement an image (its first image is the cover, a JPEG of at most 64 KB) or set the adapter option defaultCover',
        },
      ]);
    }
    // Fields first, so nothing is uploaded for an article WeChat would refuse; the content again
    // once its image sources are WeChat URLs (they are longer than file paths).
    checkArticle(article, account, article.html);
    const content = await rewriteImageSources(article.html, (source, index) =>
      media.image(appid, source, upload, `rendition.html <img> #${index + 1}`),
    );
    checkArticle(article, account, content);
    const body = (thumbMediaId: string): unknown => ({
      articles: [
        {
          article_type: 'news',
          title: article.title,
          ...(article.author === undefined || article.author === ''
            ? {}
            : { author: article.author }),
          ...(article.digest === '' ? {} : { digest: article.digest }),
          content,
          content_source_url: article.sourceUrl,
          thumb_media_id: thumbMediaId,
          need_open_comment: resolved.needOpenComment ? 1 : 0,
          only_fans_can_comment: resolved.onlyFansCanComment ? 1 : 0,
        },
      ],
    });
    for (let attempt = 0; ; attempt++) {
      const cover = await media.cover(
        appid,
        coverSource,
        upload,
        article.cover === undefined ? 'defaultCover' : 'images[0]',
      );
      const reply = await client.call(account, context, {
        endpoint: 'draft/add',
        method: 'POST',
        json: body(cover.mediaId),
        // A stray draft is private to the account and harmless, so a lost answer is retried as
        // TRANSIENT rather than reconciled. [derived]
        write: false,
        handle: attempt === 0 ? [40007] : [],
      });
      if (reply.errcode === 40007) {
        // The cached cover id is no longer valid (the material was deleted): upload it again once.
        await media.forget(cover.key);
        continue;
      }
      const mediaId = readId(reply, 'media_id');
      if (mediaId === undefined) {
        failMalformed(
          { platform: WECHAT_PLATFORM, endpoint: 'draft/add', write: false, accountId: account.id },
          `HTTP ${reply.http.status} without a media_id`,
        );
      }
      return mediaId;
    }
  };

  const journal = async (
    account: Account,
    context: DeliveryContext,
    publishId: string,
  ): Promise<void> => {
    if (resolved.journalPublishId === undefined && context.journalNote === undefined) return;
    try {
      // The core's journal first (durable before the next call), then the caller's hook.
      await context.journalNote?.(PUBLISH_ID_NOTE, publishId);
      await resolved.journalPublishId?.(account.id, context.idempotencyKey, publishId);
    } catch (error) {
      context.logger.error('wechat publish_id could not be journaled; the publish goes on', {
        accountId: account.id,
        publishId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const recall = async (
    account: Account,
    context: DeliveryContext,
  ): Promise<string | undefined> => {
    const known =
      memory.get(memoryKey(account, context.idempotencyKey))?.publishId ??
      context.notes?.[PUBLISH_ID_NOTE];
    if (known !== undefined || resolved.recallPublishId === undefined) return known;
    return (await resolved.recallPublishId(account.id, context.idempotencyKey)) ?? undefined;
  };

  /** One `freepublish/get`, read into an outcome. */
  const publishStatus = async (
    account: Account,
    context: DeliveryContext,
    publishId: string,
  ): Promise<PollOutcome> => {
    const reply = await client.call(account, context, {
      endpoint: 'freepublish/get',
      method: 'POST',
      json: { publish_id: publishId },
      write: false,
    });
    const status = readInteger(reply.body.publish_status);
    const articleId =
      typeof reply.body.article_id === 'string'
        ? reply.body.article_id
        : readIdField(reply.text, 'article_id');
    const detail = isRecord(reply.body.article_detail) ? reply.body.article_detail : undefined;
    const items = Array.isArray(detail?.item) ? detail.item : [];
    const first: unknown = items[0];
    const url =
      isRecord(first) && typeof first.article_url === 'string' ? first.article_url : undefined;
    const refFor = (id: string): PostRef => ({
      platform: WECHAT_PLATFORM,
      accountId: account.id,
      id,
      ...(url === undefined ? {} : { url }),
    });
    switch (status) {
      case 0:
      case 5:
      case 6:
        if (articleId === undefined) {
          // [unconfirmed] whether 5/6 still carry the article_id; without it the id is unknown.
          return {
            kind: 'running',
            reason: `publish job ${publishId} reports status ${status} without an article_id`,
          };
        }
        return status === 0
          ? { kind: 'posted', ref: refFor(articleId) }
          : { kind: 'posted', ref: refFor(articleId), removed: status === 5 ? 'user' : 'system' };
      case 2:
      case 3:
      case 4: {
        const failIdx = Array.isArray(reply.body.fail_idx) ? reply.body.fail_idx.join(', ') : '';
        return { kind: 'failed', status, failIdx };
      }
      default:
        // 1 (publishing), or a status this adapter does not know: keep polling. [derived]
        return {
          kind: 'running',
          reason: `publish job ${publishId} is still publishing (status ${status ?? 'missing'})`,
        };
    }
  };

  const failedPublish = (
    account: Account,
    publishId: string,
    outcome: Extract<PollOutcome, { kind: 'failed' }>,
  ): ReleaseHallError => {
    const which = outcome.failIdx === '' ? '' : ` (article ${outcome.failIdx})`;
    if (outcome.status === 3) {
      return fail(
        account,
        'freepublish/get',
        'TRANSIENT',
        `publish job ${publishId} failed (status 3, an ordinary failure); nothing was published, so a new submit is allowed`,
        { platformCode: 'publish_status 3' },
      );
    }
    const why =
      outcome.status === 2
        ? 'the original-content (原创) declaration check failed'
        : 'WeChat review rejected the article';
    return fail(
      account,
      'freepublish/get',
      'CONTENT_REJECTED',
      `publish job ${publishId} ended with status ${outcome.status}: ${why}${which}; it needs a person to check the article in the MP console, it is not retried`,
      { platformCode: `publish_status ${outcome.status}` },
    );
  };

  const posted = (
    account: Account,
    context: DeliveryContext,
    outcome: Extract<PollOutcome, { kind: 'posted' }>,
  ): PublishResult => {
    if (outcome.removed !== undefined) {
      context.logger.warn(
        `[release-hall] [wechat] the article of account "${account.id}" was published and then ${outcome.removed === 'user' ? 'deleted by a user of the account' : 'removed (banned) by WeChat'}`,
        { accountId: account.id, articleId: outcome.ref.id },
      );
    }
    return { status: 'posted', ref: outcome.ref };
  };

  /**
   * Polls `freepublish/get` with backoff to a terminal status. Read failures are tolerated while
   * the schedule lasts; the publish is already submitted, so running out of schedule (or of
   * readable answers) is `accepted`, never a failure that would make the core send it again.
   */
  const pollPublish = async (
    account: Account,
    context: DeliveryContext,
    publishId: string,
  ): Promise<PublishResult | Extract<PollOutcome, { kind: 'failed' }>> => {
    let lastReason = `publish job ${publishId} is still publishing`;
    for (let index = 0; ; index++) {
      try {
        const outcome = await publishStatus(account, context, publishId);
        if (outcome.kind === 'posted') return posted(account, context, outcome);
        if (outcome.kind === 'failed') return outcome;
        lastReason = outcome.reason;
      } catch (error) {
        if (!ReleaseHallError.isInstance(error) || error.code === 'ABORTED') throw error;
        if (!error.retryable) throw error;
        lastReason = `publish job ${publishId}: ${error.message.replace(/^\[release-hall\] /, '')}`;
      }
      const wait = resolved.pollIntervalsMs[index];
      if (wait === undefined) {
        return {
          status: 'accepted',
          reason: `${lastReason}; submitted to WeChat as publish_id ${publishId}, looked up later`,
        };
      }
      context.logger.debug('wechat publish job still running', {
        accountId: account.id,
        publishId,
        waitMs: wait,
      });
      try {
        await sleep(wait, undefined, { signal: context.signal });
      } catch {
        throw fail(
          account,
          'freepublish/get',
          'ABORTED',
          `stopped while waiting for publish job ${publishId}: the run was aborted (the article was submitted and may still appear)`,
          { retryable: false },
        );
      }
    }
  };

  const guarded = async <T>(account: Account, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (ReleaseHallError.isInstance(error)) throw error;
      // A bug or an unexpected throw (e.g. a custom loader): classified, never with a secret.
      throw new ReleaseHallError(
        `[release-hall] [wechat] unexpected error for account "${account.id}": ${error instanceof Error ? error.message : String(error)}`,
        { code: 'TRANSIENT', platform: WECHAT_PLATFORM, accountId: account.id, cause: error },
      );
    }
  };

  // -- findExisting ----------------------------------------------------------------------------

  const findByTitle = async (
    title: string,
    cutoff: number,
    account: Account,
    context: DeliveryContext,
  ): Promise<FindExistingResult> => {
    const wanted = titleKey(title);
    let found: { id: string; url?: string; time: number } | undefined;
    for (let page = 0; page < resolved.batchgetPages; page++) {
      let reply: WechatReply;
      try {
        reply = await client.call(account, context, {
          endpoint: 'freepublish/batchget',
          method: 'POST',
          json: { offset: page * 20, count: 20, no_content: 1 },
          write: false,
        });
      } catch (error) {
        if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
        return {
          status: 'unknown',
          reason: error instanceof Error ? error.message : String(error),
        };
      }
      const items = reply.body.item;
      if (!Array.isArray(items)) {
        return {
          status: 'unknown',
          reason: '[release-hall] [wechat] freepublish/batchget replied without a list of items',
        };
      }
      let older = 0;
      for (const item of items) {
        if (!isRecord(item) || typeof item.article_id !== 'string') continue;
        const content = isRecord(item.content) ? item.content : undefined;
        const time =
          (readInteger(item.update_time) ?? readInteger(content?.update_time) ?? 0) * 1000;
        if (time < cutoff) {
          older += 1;
          continue;
        }
        const news = Array.isArray(content?.news_item) ? content.news_item : [];
        const first: unknown = news[0];
        if (!isRecord(first) || typeof first.title !== 'string') continue;
        // [unconfirmed] whether batchget lists deleted articles; a match counts either way, so a
        // post someone deleted by hand is never published again by a retry.
        if (titleKey(first.title) !== wanted) continue;
        // The oldest match after the cut-off is the one the first attempt made.
        if (found === undefined || time < found.time) {
          found = {
            id: item.article_id,
            time,
            ...(typeof first.url === 'string' && first.url !== '' ? { url: first.url } : {}),
          };
        }
      }
      // [unconfirmed] the order of batchget; stop only when a whole page is older than the cut-off.
      if (items.length < 20 || older === items.length) break;
    }
    if (found === undefined) return { status: 'not-found' };
    return {
      status: 'found',
      ref: {
        platform: WECHAT_PLATFORM,
        accountId: account.id,
        id: found.id,
        ...(found.url === undefined ? {} : { url: found.url }),
      },
    };
  };

  // -- push ------------------------------------------------------------------------------------

  const pushRef = (account: Account, msgId: string): PostRef => ({
    platform: WECHAT_PLATFORM,
    accountId: account.id,
    id: `mass:${msgId}`,
  });

  const pushResult = (
    account: Account,
    msgId: string,
    platformStatus: string | undefined,
    facts: {
      alreadySent: boolean;
      submittedAt: number | undefined;
      msgDataId?: string | undefined;
      clientMsgId?: string | undefined;
    },
  ): WechatPushResult => {
    const protectedSend = account.settings.massSendProtection === true;
    let status: WechatPushStatus;
    switch (platformStatus) {
      case 'SEND_SUCCESS':
        status = 'sent';
        break;
      case 'SEND_FAIL':
        status = 'failed';
        break;
      case 'DELETE':
        status = 'deleted';
        break;
      case 'SENDING':
        // WeChat does not tell "waiting for the admin" from "being delivered"; the hall file says
        // whether the account has mass-send protection on. [derived]
        status = protectedSend ? 'awaiting-confirmation' : 'sending';
        break;
      default:
        status = 'submitted';
    }
    const deadline =
      status === 'awaiting-confirmation'
        ? new Date((facts.submittedAt ?? resolved.now()) + WECHAT_ADMIN_CONFIRMATION_MS)
        : undefined;
    return {
      status,
      msgId,
      alreadySent: facts.alreadySent,
      ref: pushRef(account, msgId),
      ...(facts.msgDataId === undefined ? {} : { msgDataId: facts.msgDataId }),
      ...(facts.clientMsgId === undefined ? {} : { clientMsgId: facts.clientMsgId }),
      ...(platformStatus === undefined ? {} : { platformStatus }),
      ...(deadline === undefined
        ? {}
        : { deadline, ...(facts.submittedAt === undefined ? { deadlineEstimated: true } : {}) }),
    };
  };

  const massStatus = async (
    account: Account,
    context: DeliveryContext,
    msgId: string,
  ): Promise<string | undefined> => {
    const reply = await client.call(account, context, {
      endpoint: 'message/mass/get',
      method: 'POST',
      json: { msg_id: msgId },
      write: false,
    });
    return typeof reply.body.msg_status === 'string' ? reply.body.msg_status : undefined;
  };

  const adapter: WechatAdapter = {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform: WECHAT_PLATFORM,
    tokenMode: resolved.tokenMode,
    limits,
    credentialFields: ['secret'],
    accountSchema: wechatAccountSchema,
    // The article URL comes with the publish result; it cannot be built from the article_id.
    postUrl: () => undefined,
    tokenHolder,

    clientMsgId: wechatClientMsgId,

    /**
     * The core's push: a mass send to all followers of the article (or text) rendition, with a
     * `clientmsgid` derived from the delivery's idempotency key, so a repeat after an unclear
     * failure or a crash answers `45065` ("already sent") instead of pushing twice.
     */
    async push(rendition, account, context): Promise<PushResult> {
      // A push whose msg_id an earlier run journaled is asked about, never sent again.
      const noted = context.notes?.[PUSH_ID_NOTE];
      const clientMsgId = `rh1-${context.idempotencyKey}`.slice(0, 64);
      const result =
        noted !== undefined
          ? await adapter.pushStatus(account, context, noted)
          : await adapter.pushMessage(
              account,
              context,
              rendition.format === 'article'
                ? { clientMsgId, article: rendition }
                : { clientMsgId, text: rendition.text },
            );
      if (noted === undefined) await context.journalNote?.(PUSH_ID_NOTE, result.msgId);
      return {
        status: result.status,
        ref: result.ref,
        alreadySent: result.alreadySent,
        ...(result.deadline === undefined ? {} : { deadline: result.deadline }),
        ...(result.platformStatus === undefined ? {} : { detail: result.platformStatus }),
      };
    },

    pushQuota(account, at, pushes): PushQuota {
      const rule = pushQuotaRule(
        account.kind,
        typeof account.settings.pushQuota === 'number'
          ? { pushes: account.settings.pushQuota }
          : {},
      );
      const status = pushesLeft({ kind: account.kind, at, pushes, override: rule });
      return {
        period: status.rule.period,
        limit: status.rule.pushes,
        used: status.used,
        left: status.left,
        periodKey: status.periodKey,
        resetsAt: status.resetsAt,
      };
    },

    async publish(rendition, account, context) {
      return guarded(account, async () => {
        const article = articleOf(rendition, account, 'publish');
        const key = memoryKey(account, context.idempotencyKey);

        // A publish_id known from an earlier attempt (this process or the journal): resume it.
        const known = await recall(account, context);
        if (known !== undefined) {
          remember(key, { publishId: known });
          const resumed = await pollPublish(account, context, known);
          if (!('kind' in resumed)) return resumed;
          if (resumed.status !== 3) throw failedPublish(account, known, resumed);
          // Status 3: that job published nothing; start again with a new draft.
          memory.delete(key);
        }

        // A draft an earlier run (this process, or a crashed one through the journal) made is
        // submitted again rather than a second draft: if that run's submit took it, WeChat answers
        // 40007 and the account is checked instead of publishing twice.
        const remembered = memory.get(key)?.draftMediaId ?? context.notes?.[DRAFT_MEDIA_ID_NOTE];
        const draftMediaId = remembered ?? (await createDraft(article, account, context));
        remember(key, { draftMediaId, submitUnanswered: true });
        if (remembered === undefined)
          await context.journalNote?.(DRAFT_MEDIA_ID_NOTE, draftMediaId);

        const reply = await client.call(account, context, {
          endpoint: 'freepublish/submit',
          method: 'POST',
          json: { media_id: draftMediaId },
          write: true,
          handle: remembered === undefined ? [] : [40007],
        });
        if (reply.errcode === 40007) {
          // The remembered draft has left the draft box: an earlier submit whose answer was lost
          // probably took it (§5, an inference from the docs). Never publish it twice: look it up.
          throw fail(
            account,
            'freepublish/submit',
            'AMBIGUOUS',
            'the draft of an earlier attempt has left the draft box, so an earlier submit may have published it; the account is checked before any re-send',
            { platformCode: '40007' },
          );
        }
        const publishId = readId(reply, 'publish_id');
        if (publishId === undefined) {
          failMalformed(
            {
              platform: WECHAT_PLATFORM,
              endpoint: 'freepublish/submit',
              write: true,
              accountId: account.id,
            },
            `HTTP ${reply.http.status} without a publish_id`,
          );
        }
        remember(key, { publishId, submitUnanswered: false });
        await journal(account, context, publishId);
        const outcome = await pollPublish(account, context, publishId);
        if ('kind' in outcome) throw failedPublish(account, publishId, outcome);
        return outcome;
      });
    },

    relay(_source, _rendition, account) {
      return Promise.reject(
        invalidInput(`relay for account "${account.id}"`, [
          {
            path: 'action',
            message:
              "WeChat has no relay (an account cannot repost another account's article): publish the article on each account instead",
          },
        ]),
      );
    },

    async retract(ref, account, context): Promise<RetractResult> {
      return guarded(account, async () => {
        if (ref.id.startsWith('mass:')) {
          const msgId = ref.id.slice('mass:'.length);
          if (!/^\d+$/.test(msgId)) {
            throw invalidInput(`retract for account "${account.id}"`, [
              {
                path: 'ref.id',
                message: `expected "mass:" and the digits of a msg_id, got "${ref.id}"`,
              },
            ]);
          }
          context.logger.warn(
            `[release-hall] [wechat] retracting a push of account "${account.id}": ${WECHAT_MASS_DELETE_WARNING}`,
            {
              accountId: account.id,
              msgId,
            },
          );
          const reply = await client.call(account, context, {
            endpoint: 'message/mass/delete',
            method: 'POST',
            json: { msg_id: new RawJsonNumber(msgId), article_idx: 0 },
            write: true,
            handle: [40059],
          });
          if (reply.errcode === 40059) {
            const status = await massStatus(account, context, msgId).catch(() => undefined);
            if (status === 'DELETE') {
              return { status: 'already-gone', warning: WECHAT_MASS_DELETE_WARNING };
            }
            throw fail(
              account,
              'message/mass/delete',
              'INVALID_INPUT',
              `WeChat cannot delete mass send ${msgId}${status === undefined ? '' : ` (its status is ${status})`}: only a sent article can be deleted`,
              { platformCode: '40059' },
            );
          }
          return { status: 'removed', warning: WECHAT_MASS_DELETE_WARNING };
        }
        const reply = await client.call(account, context, {
          endpoint: 'freepublish/delete',
          method: 'POST',
          json: { article_id: ref.id, index: 0 },
          write: true,
          handle: [53600],
        });
        // 53600 for an article this library published means it is gone already. [derived]
        return { status: reply.errcode === 53600 ? 'already-gone' : 'removed' };
      });
    },

    async findExisting(delivery, account, context): Promise<FindExistingResult> {
      return guarded(account, async () => {
        if (delivery.action !== 'post' || delivery.rendition.format !== 'article') {
          return { status: 'not-found' };
        }
        const key = memoryKey(account, delivery.idempotencyKey);
        let publishId: string | undefined;
        try {
          publishId = await recall(account, {
            ...context,
            idempotencyKey: delivery.idempotencyKey,
          });
        } catch (error) {
          return {
            status: 'unknown',
            reason: `the journaled publish_id could not be read: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
        if (publishId !== undefined) {
          let outcome: PublishResult | Extract<PollOutcome, { kind: 'failed' }>;
          try {
            outcome = await pollPublish(account, context, publishId);
          } catch (error) {
            if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
            return {
              status: 'unknown',
              reason: error instanceof Error ? error.message : String(error),
            };
          }
          if (!('kind' in outcome)) {
            return outcome.status === 'posted'
              ? { status: 'found', ref: outcome.ref }
              : { status: 'unknown', reason: outcome.reason };
          }
          if (outcome.status !== 3) {
            return {
              status: 'unknown',
              reason: failedPublish(account, publishId, outcome).message,
            };
          }
          // Status 3 published nothing; make sure by reading the account below.
        }
        const cutoff = delivery.firstAttemptAt.getTime() - resolved.clockSkewMs;
        const found = await findByTitle(delivery.rendition.title, cutoff, account, context);
        if (found.status !== 'not-found') return found;
        const inMemory = memory.get(key);
        const journaledDraft = context.notes?.[DRAFT_MEDIA_ID_NOTE];
        const state =
          inMemory ??
          (journaledDraft === undefined
            ? undefined
            : { draftMediaId: journaledDraft, submitUnanswered: true });
        if (state?.submitUnanswered === true && state.draftMediaId !== undefined) {
          // The submit's answer was lost and no article shows yet. A draft that left the draft box
          // was probably taken by that submit (§5); the job may still be running.
          try {
            const draft = await client.call(account, context, {
              endpoint: 'draft/get',
              method: 'POST',
              json: { media_id: state.draftMediaId },
              write: false,
              handle: [40007],
            });
            if (draft.errcode === 40007) {
              return {
                status: 'unknown',
                reason: `[release-hall] [wechat] the draft of account "${account.id}" left the draft box after a submit whose answer was lost, but no article shows yet; it may still be publishing: check the account before sending again`,
              };
            }
          } catch (error) {
            if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
            return {
              status: 'unknown',
              reason: error instanceof Error ? error.message : String(error),
            };
          }
          // [unconfirmed] whether a submitted draft leaves the box at once: a draft still there is
          // read as "the submit did not land".
        }
        return { status: 'not-found' };
      });
    },

    async pushMessage(account, context, request): Promise<WechatPushResult> {
      return guarded(account, async () => {
        const { clientMsgId } = request;
        const issues: InputIssue[] = [];
        if (clientMsgId === '' || Buffer.byteLength(clientMsgId, 'utf8') > 64) {
          issues.push({
            path: 'clientMsgId',
            message: `expected 1 to 64 bytes, got ${Buffer.byteLength(clientMsgId, 'utf8')}`,
          });
        }
        if (request.text !== undefined) {
          if (request.text.trim() === '')
            issues.push({ path: 'text', message: 'expected the text to push' });
          if (characters(request.text) > WECHAT_TEXT_MAX_LENGTH) {
            issues.push({
              path: 'text',
              message: `a WeChat text push has at most ${WECHAT_TEXT_MAX_LENGTH} characters, this one has ${characters(request.text)}`,
            });
          }
        }
        if (issues.length > 0) throw invalidInput(`push for account "${account.id}"`, issues);
        appidOf(account);

        let message: Record<string, unknown>;
        if (request.text !== undefined) {
          message = { text: { content: request.text }, msgtype: 'text' };
        } else {
          let mediaId = request.mediaId;
          if (mediaId === undefined) {
            const draftKey = `${account.id}\u0000${clientMsgId}`;
            mediaId = pushDrafts.get(draftKey);
            if (mediaId === undefined) {
              if (request.article === undefined) {
                throw invalidInput(`push for account "${account.id}"`, [
                  { path: 'request', message: 'expected one of mediaId, text or article' },
                ]);
              }
              mediaId = await createDraft(
                articleOf(request.article, account, 'push'),
                account,
                context,
              );
              pushDrafts.set(draftKey, mediaId);
            }
          }
          message = {
            mpnews: { media_id: mediaId },
            msgtype: 'mpnews',
            send_ignore_reprint: resolved.sendIgnoreReprint ? 1 : 0,
          };
        }
        const submittedAt = resolved.now();
        let reply: WechatReply;
        try {
          reply = await client.call(account, context, {
            endpoint: 'message/mass/sendall',
            method: 'POST',
            json: { filter: { is_to_all: true }, ...message, clientmsgid: clientMsgId },
            write: true,
            handle: [WECHAT_ALREADY_SENT_CODE],
          });
        } catch (error) {
          if (ReleaseHallError.isInstance(error) && error.code === 'AMBIGUOUS') {
            // The playbook of §5: repeat the identical request after at least a minute; the same
            // clientmsgid turns a landed send into 45065 instead of a second push.
            throw new ReleaseHallError(
              `${error.message}; repeat the same push (same clientmsgid) after ${WECHAT_MASS_REPEAT_WAIT_MS / 1000} s: WeChat answers 45065 if it was sent`,
              {
                code: 'AMBIGUOUS',
                platform: WECHAT_PLATFORM,
                accountId: account.id,
                endpoint: 'message/mass/sendall',
                retryAfterMs: WECHAT_MASS_REPEAT_WAIT_MS,
                cause: error,
              },
            );
          }
          throw error;
        }
        const msgId = readId(reply, 'msg_id');
        const alreadySent = reply.errcode === WECHAT_ALREADY_SENT_CODE;
        if (msgId === undefined) {
          if (alreadySent) {
            throw fail(
              account,
              'message/mass/sendall',
              'DUPLICATE_CONTENT',
              "WeChat says a mass send with this clientmsgid exists (it was already sent) but gave no msg_id to confirm it; check the account's sent messages",
              { platformCode: '45065' },
            );
          }
          failMalformed(
            {
              platform: WECHAT_PLATFORM,
              endpoint: 'message/mass/sendall',
              write: true,
              accountId: account.id,
            },
            `HTTP ${reply.http.status} without a msg_id`,
          );
        }
        const msgDataId = alreadySent ? undefined : readId(reply, 'msg_data_id');
        let platformStatus: string | undefined;
        try {
          platformStatus = await massStatus(account, context, msgId);
        } catch (error) {
          if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
          // It was taken; its status is read later with pushStatus.
          platformStatus = undefined;
        }
        return pushResult(account, msgId, platformStatus, {
          alreadySent,
          submittedAt: alreadySent ? undefined : submittedAt,
          msgDataId,
          clientMsgId,
        });
      });
    },

    async pushStatus(account, context, msgId, options = {}): Promise<WechatPushResult> {
      return guarded(account, async () => {
        const id = msgId.startsWith('mass:') ? msgId.slice('mass:'.length) : msgId;
        if (!/^\d+$/.test(id)) {
          throw invalidInput(`push status for account "${account.id}"`, [
            { path: 'msgId', message: `expected the digits of a msg_id, got "${msgId}"` },
          ]);
        }
        const platformStatus = await massStatus(account, context, id);
        return pushResult(account, id, platformStatus, {
          alreadySent: false,
          submittedAt: options.submittedAt?.getTime(),
        });
      });
    },
  };
  return adapter;
}
