/**
 * One description of the WeChat Official Accounts API (platforms.md §1.1–1.9) that drives both
 * fakes: the loopback sandbox server (`sandbox.ts`) and the msw handlers (`msw.ts`). Both feed
 * requests to {@link handleWechatRequest} and only carry out what it answers (status, body, delay,
 * drop), so the two cannot drift apart.
 *
 * The state lives in a {@link WechatPlatform}: accounts (appid, AppSecret, kind), tokens of both
 * endpoints, permanent media and article images, drafts, publish jobs and articles, mass sends with
 * their `clientmsgid` records and quotas, faults to inject, a movable clock, and a log of requests
 * for tests to inspect (never holding a token or a secret).
 *
 * Points marked [unconfirmed] are hypotheses (platforms.md §6) the fake has to decide one way; the
 * adapter is written to tolerate the other way. Periods of the mass-send quota are computed here
 * with a fixed +08:00 offset (China has no daylight saving time), independently of the adapter's
 * quota ledger, so a test over both checks one against the other.
 */
import { createHash } from 'node:crypto';
import {
  FaultQueue,
  PlatformClock,
  RequestLog,
  SeededLatency,
  resolveLatency,
  parseContentType,
  pathBelowBase,
} from '../../fake/platform.js';

/** The endpoints the fake serves, named as below `cgi-bin/` (and as in errors). */
export type WechatEndpointName =
  | 'token'
  | 'stable_token'
  | 'material/add_material'
  | 'media/upload'
  | 'media/uploadimg'
  | 'draft/add'
  | 'draft/get'
  | 'draft/delete'
  | 'draft/count'
  | 'freepublish/submit'
  | 'freepublish/get'
  | 'freepublish/batchget'
  | 'freepublish/delete'
  | 'freepublish/getarticle'
  | 'message/mass/sendall'
  | 'message/mass/get'
  | 'message/mass/delete';

interface EndpointRule {
  readonly method: 'GET' | 'POST';
  readonly body: 'json' | 'multipart' | 'none';
  /** Needs `?access_token=`. */
  readonly auth: boolean;
  /** Only verified accounts may call it (freepublish, mass send). */
  readonly verifiedOnly: boolean;
}

const ENDPOINTS: Readonly<Record<WechatEndpointName, EndpointRule>> = {
  token: { method: 'GET', body: 'none', auth: false, verifiedOnly: false },
  stable_token: { method: 'POST', body: 'json', auth: false, verifiedOnly: false },
  'material/add_material': { method: 'POST', body: 'multipart', auth: true, verifiedOnly: false },
  'media/upload': { method: 'POST', body: 'multipart', auth: true, verifiedOnly: false },
  'media/uploadimg': { method: 'POST', body: 'multipart', auth: true, verifiedOnly: false },
  'draft/add': { method: 'POST', body: 'json', auth: true, verifiedOnly: false },
  'draft/get': { method: 'POST', body: 'json', auth: true, verifiedOnly: false },
  'draft/delete': { method: 'POST', body: 'json', auth: true, verifiedOnly: false },
  'draft/count': { method: 'GET', body: 'none', auth: true, verifiedOnly: false },
  'freepublish/submit': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'freepublish/get': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'freepublish/batchget': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'freepublish/delete': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'freepublish/getarticle': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'message/mass/sendall': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'message/mass/get': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'message/mass/delete': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
};

/** Endpoints that publish: a fault meant for "the post" targets these. */
export const WECHAT_PUBLISHING_ENDPOINTS: readonly WechatEndpointName[] = ['freepublish/submit'];

/** Endpoints that write something (uploads, drafts, publishing, mass sends, deletes). */
export const WECHAT_WRITE_ENDPOINTS: readonly WechatEndpointName[] = [
  'material/add_material',
  'media/upload',
  'media/uploadimg',
  'draft/add',
  'draft/delete',
  'freepublish/submit',
  'freepublish/delete',
  'message/mass/sendall',
  'message/mass/delete',
];

/** Default first `publish_id`: above 2^53, so any trip through a JS number loses digits. */
export const DEFAULT_FIRST_PUBLISH_ID = 9_300_000_000_000_000_001n;
/** Default first `msg_id`: above 2^53 as well. */
export const DEFAULT_FIRST_MSG_ID = 9_400_000_000_000_000_001n;

/** Article field limits (§1.4), counted in characters (code points). */
export const WECHAT_ARTICLE_LIMITS = {
  titleMax: 32,
  authorMax: 16,
  digestMax: 128,
  /** `content` must be shorter than this many characters ... */
  contentMaxChars: 20_000,
  /** ... and shorter than 1 MB. */
  contentMaxBytes: 1024 * 1024,
  contentSourceUrlMaxBytes: 1024,
} as const;

/** `clientmsgid` limit in bytes (§1.6). */
export const WECHAT_CLIENT_MSG_ID_MAX_BYTES = 64;

// ---------------------------------------------------------------------------------------------
// Requests and responses

/** A request as both fakes hand it to {@link handleWechatRequest}. */
export interface WechatProtocolRequest {
  /** HTTP method, any case. */
  readonly method: string;
  /** Path from `/cgi-bin/`, e.g. `/cgi-bin/draft/add`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as bytes (multipart uploads) or text; empty when there is none. */
  readonly body: Uint8Array | string;
}

/** What a fake must do with a request. */
export interface WechatProtocolResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Wait this long before answering; a fake stops waiting when the client goes away first. */
  readonly delayMs: number;
  /** Close the connection instead of answering, after the delay. */
  readonly drop: boolean;
}

// ---------------------------------------------------------------------------------------------
// Configuration

/** Simulated latency: `fixedMs + jitterMs * random()`, with a seeded generator. */
export interface WechatLatency {
  /** @default 0 */
  readonly fixedMs?: number;
  /** @default 0 */
  readonly jitterMs?: number;
  /** Seed of the jitter generator, so runs repeat. @default 1 */
  readonly seed?: number;
}

/** Settings of a {@link WechatPlatform}; all can be changed later with `configure`. */
export interface WechatPlatformOptions {
  /** Clock of the platform (tokens, jobs, quotas, windows). @default Date.now */
  readonly now?: () => number;
  readonly latency?: WechatLatency;
  /** Life of a new access token. @default 7_200_000 */
  readonly tokenLifetimeMs?: number;
  /**
   * Overlap of old and new tokens: a replaced classic token keeps working this long, and the
   * stable endpoint renews its token this long before expiry (§1.2). @default 300_000
   */
  readonly tokenOverlapMs?: number;
  /** A publish job stays at status 1 (publishing) this long on the platform clock. @default 0 */
  readonly publishDelayMs?: number;
  /** `freepublish/get` answers status 1 this many times per job before the outcome. @default 0 */
  readonly publishPollsBeforeDone?: number;
  /**
   * When a published draft leaves the draft box: at `submit` or at `success`. [unconfirmed,
   * platforms.md §6] @default 'submit'
   */
  readonly draftRemovedOn?: 'submit' | 'success';
  /** A mass send without admin confirmation stays `SENDING` this long. @default 0 */
  readonly massSendDelayMs?: number;
  /** How long a protected to-all send waits for the admin before it fails. @default 1_800_000 */
  readonly adminConfirmationWindowMs?: number;
  /** How long a reply is held back by `timeout-after-apply`. @default 30_000 */
  readonly hangMs?: number;
  /** @default DEFAULT_FIRST_PUBLISH_ID */
  readonly firstPublishId?: bigint;
  /** @default DEFAULT_FIRST_MSG_ID */
  readonly firstMsgId?: bigint;
  /**
   * Write `publish_id` and `msg_id` as JSON strings instead of numbers. The docs type them as
   * strings; real replies show numbers (§1.5) — the adapter must read both. @default false
   */
  readonly idsAsStrings?: boolean;
}

/** A sandbox account. */
export interface WechatAccountInit {
  /** `wx` + 16 characters. */
  readonly appid: string;
  /** The AppSecret. */
  readonly secret: string;
  /** Name shown to followers. */
  readonly name?: string;
  /** @default 'subscription' */
  readonly kind?: 'subscription' | 'service';
  /** Verified accounts may publish and mass-send (§1.5); others get `48001`. @default true */
  readonly verified?: boolean;
  /** API mass-send protection: a to-all send waits for the admin (§1.6). @default false */
  readonly massSendProtection?: boolean;
  /**
   * To-all pushes per period: per Asia/Shanghai day for a subscription account (default 1), per
   * calendar month for a service account (default 4).
   */
  readonly pushQuota?: number;
  /** The caller's IP is not on the whitelist: token endpoints answer `40164`. @default false */
  readonly ipRefused?: boolean;
}

/** A registered account, as the inspection API shows it (without its secret). */
export interface WechatAccountInfo {
  readonly appid: string;
  readonly name: string;
  readonly kind: 'subscription' | 'service';
  readonly verified: boolean;
  readonly massSendProtection: boolean;
  readonly pushQuota: number;
}

// ---------------------------------------------------------------------------------------------
// Faults

/**
 * Faults the next matching requests suffer (token endpoints only when named in `endpoint`):
 *
 * - `busy`: `{"errcode":-1,"errmsg":"system error"}`; nothing is applied.
 * - `token-expired`: `42001 access_token expired`, although the token is good; nothing is applied.
 * - `error-before-apply`: any WeChat code (`errcode`, `errmsg`); nothing is applied.
 * - `5xx-before-apply`: HTTP 503 (or `status`) with an HTML page; nothing is applied.
 * - `html-200`: an HTML page with status 200 (a captive portal, a WAF). Nothing is applied unless
 *   `applyFirst` is set.
 * - `drop-after-apply`: applied, then the connection is closed without a reply.
 * - `timeout-after-apply`: applied, then the reply is held back for `hangMs`.
 *
 * Faults that act after the apply are used up only by a request that is applied.
 */
export type WechatFaultKind =
  | 'busy'
  | 'token-expired'
  | 'error-before-apply'
  | '5xx-before-apply'
  | 'html-200'
  | 'drop-after-apply'
  | 'timeout-after-apply';

/** One fault to inject. */
export interface WechatFault {
  readonly kind: WechatFaultKind;
  /** Endpoints it applies to; every API endpoint (not the token endpoints) when omitted. */
  readonly endpoint?: WechatEndpointName | readonly WechatEndpointName[];
  /** Only requests of this account. */
  readonly appid?: string;
  /** How many requests it hits. @default 1 */
  readonly times?: number;
  /** `error-before-apply`: the code. @default -1 */
  readonly errcode?: number;
  /** `error-before-apply`: the words. */
  readonly errmsg?: string;
  /** `5xx-before-apply`: HTTP status. @default 503 */
  readonly status?: number;
  /** `html-200` only: apply the request before replacing the reply. @default false */
  readonly applyFirst?: boolean;
  /** `timeout-after-apply` only. @default platform `hangMs` */
  readonly hangMs?: number;
}

const BEFORE_APPLY: ReadonlySet<WechatFaultKind> = new Set<WechatFaultKind>([
  'busy',
  'token-expired',
  'error-before-apply',
  '5xx-before-apply',
  'html-200',
]);

// ---------------------------------------------------------------------------------------------
// Inspection

/** The fields of one article as WeChat stores them. */
export interface WechatArticleFields {
  readonly articleType: 'news' | 'newspic';
  readonly title: string;
  readonly author: string;
  readonly digest: string;
  readonly content: string;
  readonly contentSourceUrl: string;
  readonly thumbMediaId: string;
  readonly needOpenComment: number;
  readonly onlyFansCanComment: number;
}

/** A draft. */
export interface WechatDraftInfo {
  readonly mediaId: string;
  readonly appid: string;
  readonly articles: readonly WechatArticleFields[];
  readonly createdAt: Date;
  /** Left the draft box: published, mass-sent or deleted. */
  readonly removed: boolean;
}

/** A published article. */
export interface WechatArticleInfo {
  readonly articleId: string;
  readonly appid: string;
  readonly publishId: string;
  readonly url: string;
  readonly articles: readonly WechatArticleFields[];
  readonly publishedAt: Date;
  readonly deleted: boolean;
  /** Who removed it: the API (`freepublish/delete`), the user in the console (5) or the system (6). */
  readonly removedBy: 'api' | 'user' | 'system' | undefined;
}

/** A publish job. */
export interface WechatPublishJobInfo {
  readonly publishId: string;
  readonly appid: string;
  readonly mediaId: string;
  readonly submittedAt: Date;
  /** `publish_status` now: 1 publishing, 0 success, 2–4 failed, 5–6 removed after publishing. */
  readonly status: number;
  readonly articleId: string | undefined;
  readonly polls: number;
}

/** A mass send. */
export interface WechatMassSendInfo {
  readonly msgId: string;
  readonly msgDataId: string | undefined;
  readonly appid: string;
  readonly clientMsgId: string;
  /** True when the request carried no `clientmsgid` and the fake made one from scope + content. */
  readonly clientMsgIdDerived: boolean;
  readonly msgtype: string;
  readonly mediaId: string | undefined;
  readonly text: string | undefined;
  readonly toAll: boolean;
  readonly createdAt: Date;
  readonly status: 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL' | 'DELETE';
  /** Waiting for the admin (mass-send protection). */
  readonly awaitingConfirmation: boolean;
  readonly confirmDeadline: Date | undefined;
}

/** An uploaded file. */
export interface WechatMediaInfo {
  readonly appid: string;
  /** `thumb`/`image` (permanent), `temporary`, or `uploadimg`. */
  readonly type: string;
  readonly mediaId: string | undefined;
  readonly url: string | undefined;
  readonly bytes: number;
  readonly sha256: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
}

/** One request the platform received. Holds neither the token nor the secret. */
export interface WechatRequestRecord {
  readonly at: Date;
  readonly method: string;
  readonly path: string;
  readonly endpoint: WechatEndpointName | undefined;
  /** Account of the token (or of the token request). */
  readonly appid: string | undefined;
  /** Query parameters without `access_token` and `secret`. */
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  /** The JSON body (token request: without `secret`), when there was one. */
  readonly json: unknown;
  /** Names of the multipart fields, when the body was multipart. */
  readonly multipartFields: readonly string[] | undefined;
  readonly status: number;
  readonly errcode: number | undefined;
  readonly fault: WechatFaultKind | undefined;
}

/** Token fetches of one appid. */
export interface WechatTokenFetches {
  readonly stable: number;
  readonly classic: number;
  /** New tokens minted (a stable call that returned the current token mints none). */
  readonly issued: number;
}

/** Counters of the platform. */
export interface WechatCounts {
  readonly requests: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  readonly drafts: number;
  readonly liveArticles: number;
  readonly massSends: number;
  readonly faultsApplied: number;
}

// ---------------------------------------------------------------------------------------------
// Internal state

interface AccountState {
  readonly appid: string;
  readonly secret: string;
  readonly name: string;
  readonly kind: 'subscription' | 'service';
  readonly verified: boolean;
  readonly massSendProtection: boolean;
  readonly pushQuota: number;
  readonly ipRefused: boolean;
}

interface TokenState {
  readonly token: string;
  readonly appid: string;
  readonly mode: 'stable' | 'classic';
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** A replaced classic token works until then (the 5-minute overlap). */
  supersededUntil: number | undefined;
  revoked: boolean;
}

interface MediaState {
  readonly appid: string;
  readonly type: string;
  readonly mediaId: string | undefined;
  readonly url: string | undefined;
  readonly bytes: number;
  readonly sha256: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly permanent: boolean;
}

interface DraftState {
  readonly mediaId: string;
  readonly appid: string;
  readonly articles: WechatArticleFields[];
  readonly createdAt: number;
  removed: boolean;
}

interface JobState {
  readonly publishId: string;
  readonly appid: string;
  readonly mediaId: string;
  readonly submittedAt: number;
  status: number;
  articleId: string | undefined;
  polls: number;
  failIdx: number[];
}

interface ArticleState {
  readonly articleId: string;
  readonly appid: string;
  readonly publishId: string;
  readonly url: string;
  readonly articles: WechatArticleFields[];
  readonly publishedAt: number;
  deleted: boolean;
  removedBy: 'api' | 'user' | 'system' | undefined;
}

interface MassState {
  readonly msgId: string;
  readonly msgDataId: string | undefined;
  readonly appid: string;
  readonly clientMsgId: string;
  readonly clientMsgIdDerived: boolean;
  readonly msgtype: string;
  readonly mediaId: string | undefined;
  readonly text: string | undefined;
  readonly toAll: boolean;
  readonly createdAt: number;
  readonly protectedSend: boolean;
  decision: 'approved' | 'refused' | undefined;
  deleted: boolean;
}

interface ClientMsgRecord {
  readonly msgId: string;
  readonly firstAt: number;
  lastAttemptAt: number;
}

class Reply {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: string,
    readonly errcode: number | undefined,
  ) {}
}

const JSON_TYPE = 'application/json; encoding=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** A JSON number written into the text as it is, digits and all. */
class RawJsonNumber {
  constructor(readonly digits: string) {}
}

const RAW_MARK = '\u0000raw-number:';

function stringifyWithRawNumbers(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) =>
    item instanceof RawJsonNumber ? `${RAW_MARK}${item.digits}` : item,
  );
  return text.replace(/"\\u0000raw-number:(-?\d+)"/g, '$1');
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function characters(text: string): number {
  return Array.from(text).length;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * True when raw JSON text holds a `\uXXXX` escape (an odd run of backslashes before `u`):
 * WeChat answers `40033` (§1.1). An escaped backslash followed by `u` is not an escape.
 */
export function hasUnicodeEscape(text: string): boolean {
  for (const match of text.matchAll(/(\\+)u[0-9a-fA-F]{4}/g)) {
    if ((match[1] ?? '').length % 2 === 1) return true;
  }
  return false;
}

/** Reads an integer id field from raw JSON text (number or string) without a JS number. */
function rawId(text: string, field: string): string | undefined {
  return new RegExp(`"${field}"\\s*:\\s*"?(\\d+)"?`).exec(text)?.[1];
}

/** Day or month of a time in China (UTC+8, no daylight saving time). */
function chinaPeriod(ms: number, period: 'day' | 'month'): string {
  const iso = new Date(ms + SHANGHAI_OFFSET_MS).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

interface MultipartPart {
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly value: Buffer;
}

/** Reads a `multipart/form-data` body (bytes kept as they are, for sizes and hashes). */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) return undefined;
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString('latin1') === '--') return parts;
    if (body.subarray(position, position + 2).toString('latin1') === '\r\n') position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) return undefined;
    const head = body.subarray(position, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) return undefined;
    const value = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
    if (name !== undefined) parts.push({ name, filename, contentType, value });
    position = next + 2;
  }
}

function sniff(bytes: Uint8Array): 'jpeg' | 'png' | 'gif' | 'bmp' | 'unknown' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'gif';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return 'unknown';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function endpointOf(path: string): WechatEndpointName | undefined {
  const match = /^\/cgi-bin\/([a-z_]+(?:\/[a-z_]+)*)$/.exec(path);
  const name = match?.[1];
  return name !== undefined && name in ENDPOINTS ? (name as WechatEndpointName) : undefined;
}

const IMG_SRC = /<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;

// ---------------------------------------------------------------------------------------------
// The platform

type ResolvedPlatformOptions = Required<Omit<WechatPlatformOptions, 'latency'>> & {
  latency: Required<WechatLatency>;
};

/**
 * The state of a fake WeChat and the rules it enforces. Shared by the sandbox and the msw handlers;
 * tests drive it (accounts, faults, clock, admin decisions) and inspect it.
 */
export class WechatPlatform {
  #options: ResolvedPlatformOptions;
  readonly #jitter: SeededLatency;
  readonly #clock = new PlatformClock(() => this.#options.now());
  readonly #accounts = new Map<string, AccountState>();
  readonly #tokens = new Map<string, TokenState>();
  readonly #currentToken = new Map<string, string>();
  readonly #fetches = new Map<string, { stable: number; classic: number; issued: number }>();
  #media: MediaState[] = [];
  #drafts = new Map<string, DraftState>();
  #jobs = new Map<string, JobState>();
  #articles = new Map<string, ArticleState>();
  #mass = new Map<string, MassState>();
  #clientMsgIds = new Map<string, ClientMsgRecord>();
  #outcomes = new Map<string, number[]>();
  readonly #faults = new FaultQueue<WechatFault, WechatEndpointName>({
    beforeApply: BEFORE_APPLY,
    accountOf: (fault) => fault.appid,
    matchesAnyEndpoint: (endpoint) => ENDPOINTS[endpoint].auth,
  });
  readonly #log = new RequestLog<WechatRequestRecord>();
  #sequence = 0;
  #nextPublishId: bigint;
  #nextMsgId: bigint;
  #nextMsgDataId = 2_247_483_001n;

  constructor(options: WechatPlatformOptions = {}) {
    this.#options = {
      now: options.now ?? Date.now,
      tokenLifetimeMs: options.tokenLifetimeMs ?? 7_200_000,
      tokenOverlapMs: options.tokenOverlapMs ?? 300_000,
      publishDelayMs: options.publishDelayMs ?? 0,
      publishPollsBeforeDone: options.publishPollsBeforeDone ?? 0,
      draftRemovedOn: options.draftRemovedOn ?? 'submit',
      massSendDelayMs: options.massSendDelayMs ?? 0,
      adminConfirmationWindowMs: options.adminConfirmationWindowMs ?? 1_800_000,
      hangMs: options.hangMs ?? 30_000,
      firstPublishId: options.firstPublishId ?? DEFAULT_FIRST_PUBLISH_ID,
      firstMsgId: options.firstMsgId ?? DEFAULT_FIRST_MSG_ID,
      idsAsStrings: options.idsAsStrings ?? false,
      latency: resolveLatency(options.latency),
    };
    this.#jitter = new SeededLatency(this.#options.latency);
    this.#nextPublishId = this.#options.firstPublishId;
    this.#nextMsgId = this.#options.firstMsgId;
  }

  /** Changes settings; omitted ones stay. */
  configure(options: WechatPlatformOptions): void {
    const latency = this.#jitter.configure(this.#options.latency, options.latency);
    const defined = Object.fromEntries(
      Object.entries(options).filter(([key, value]) => value !== undefined && key !== 'latency'),
    ) as Partial<ResolvedPlatformOptions>;
    this.#options = { ...this.#options, ...defined, latency };
  }

  /** Current platform time in ms (the clock plus any {@link advanceClock}). */
  now(): number {
    return this.#clock.now();
  }

  /** Moves the platform clock forward: past token expiry, a publish delay, a quota day, a deadline. */
  advanceClock(ms: number): void {
    this.#clock.advance(ms);
  }

  // -- accounts --------------------------------------------------------------------------------

  /** Registers an account. */
  addAccount(account: WechatAccountInit): WechatAccountInfo {
    if (!/^wx[0-9A-Za-z]{16}$/.test(account.appid)) {
      throw new TypeError(`appid must be "wx" and 16 letters or digits, got "${account.appid}"`);
    }
    if (this.#accounts.has(account.appid)) {
      throw new Error(`account ${account.appid} already exists`);
    }
    const kind = account.kind ?? 'subscription';
    const state: AccountState = {
      appid: account.appid,
      secret: account.secret,
      name: account.name ?? account.appid,
      kind,
      verified: account.verified ?? true,
      massSendProtection: account.massSendProtection ?? false,
      pushQuota: account.pushQuota ?? (kind === 'subscription' ? 1 : 4),
      ipRefused: account.ipRefused ?? false,
    };
    this.#accounts.set(account.appid, state);
    return this.#accountInfo(state);
  }

  /** Registered accounts, without secrets. */
  accounts(): WechatAccountInfo[] {
    return [...this.#accounts.values()].map((account) => this.#accountInfo(account));
  }

  #accountInfo(state: AccountState): WechatAccountInfo {
    return {
      appid: state.appid,
      name: state.name,
      kind: state.kind,
      verified: state.verified,
      massSendProtection: state.massSendProtection,
      pushQuota: state.pushQuota,
    };
  }

  // -- tokens ----------------------------------------------------------------------------------

  /** Token fetches per mode of one appid (answered with a token), and tokens minted. */
  tokenFetches(appid: string): WechatTokenFetches {
    const counted = this.#fetches.get(appid);
    return {
      stable: counted?.stable ?? 0,
      classic: counted?.classic ?? 0,
      issued: counted?.issued ?? 0,
    };
  }

  /** Makes every token of an appid expire now: calls with them get `42001`. */
  expireTokens(appid: string): void {
    const now = this.now();
    for (const [key, token] of this.#tokens) {
      if (token.appid === appid) {
        this.#tokens.set(key, { ...token, expiresAt: Math.min(token.expiresAt, now) });
      }
    }
  }

  /** Whether a token works now (for tests: e.g. a classic token 5 minutes after it was replaced). */
  tokenWorks(accessToken: string): boolean {
    const state = this.#tokens.get(accessToken);
    return state !== undefined && this.#tokenProblem(state) === undefined;
  }

  // -- faults ----------------------------------------------------------------------------------

  /** Queues a fault for the next matching request(s). */
  injectFault(fault: WechatFault): void {
    this.#faults.inject(fault);
  }

  /** Faults still queued. */
  pendingFaults(): WechatFault[] {
    return this.#faults.pending();
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.#faults.clear();
  }

  // -- drivers ---------------------------------------------------------------------------------

  /**
   * The next publish jobs of an appid end with `status` (0 success, 2 original-declaration check
   * failed, 3 failed, 4 review rejected) instead of success.
   */
  setPublishOutcome(appid: string, status: 0 | 2 | 3 | 4, times = 1): void {
    const queue = this.#outcomes.get(appid) ?? [];
    for (let index = 0; index < times; index++) queue.push(status);
    this.#outcomes.set(appid, queue);
  }

  /**
   * Removes a published article outside the API: by the user in the console (job status 5) or by
   * the system (status 6).
   */
  removeArticle(articleId: string, by: 'user' | 'system'): void {
    const article = this.#articles.get(articleId);
    if (article === undefined) throw new Error(`no article ${articleId}`);
    article.deleted = true;
    article.removedBy = by;
    const job = this.#jobs.get(article.publishId);
    if (job !== undefined) job.status = by === 'user' ? 5 : 6;
  }

  /** The admin approves (or refuses) a protected mass send that waits for confirmation. */
  confirmMassSend(msgId: string, approve = true): void {
    const send = this.#mass.get(msgId);
    if (send === undefined) throw new Error(`no mass send ${msgId}`);
    if (!send.protectedSend) throw new Error(`mass send ${msgId} does not wait for confirmation`);
    if (this.#massStatus(send) !== 'SENDING') {
      throw new Error(`mass send ${msgId} is no longer waiting (${this.#massStatus(send)})`);
    }
    send.decision = approve ? 'approved' : 'refused';
  }

  // -- inspection ------------------------------------------------------------------------------

  /** Drafts of an appid, oldest first, removed ones included. */
  drafts(appid: string): WechatDraftInfo[] {
    return [...this.#drafts.values()]
      .filter((draft) => draft.appid === appid)
      .map((draft) => ({
        mediaId: draft.mediaId,
        appid: draft.appid,
        articles: draft.articles.map((article) => ({ ...article })),
        createdAt: new Date(draft.createdAt),
        removed: draft.removed,
      }));
  }

  /** Published articles of an appid, oldest first, deleted ones included. */
  articles(appid: string): WechatArticleInfo[] {
    this.#advanceAll();
    return [...this.#articles.values()]
      .filter((article) => article.appid === appid)
      .map((article) => this.#articleInfo(article));
  }

  /** Published articles of an appid that are not deleted. */
  liveArticles(appid: string): WechatArticleInfo[] {
    return this.articles(appid).filter((article) => !article.deleted);
  }

  /** Publish jobs of an appid, oldest first. */
  publishJobs(appid: string): WechatPublishJobInfo[] {
    this.#advanceAll();
    return [...this.#jobs.values()]
      .filter((job) => job.appid === appid)
      .map((job) => ({
        publishId: job.publishId,
        appid: job.appid,
        mediaId: job.mediaId,
        submittedAt: new Date(job.submittedAt),
        status: job.status,
        articleId: job.articleId,
        polls: job.polls,
      }));
  }

  /** Mass sends of an appid, oldest first. */
  massSends(appid: string): WechatMassSendInfo[] {
    return [...this.#mass.values()]
      .filter((send) => send.appid === appid)
      .map((send) => this.#massInfo(send));
  }

  /** One mass send by `msg_id`. */
  massSend(msgId: string): WechatMassSendInfo | undefined {
    const send = this.#mass.get(msgId);
    return send === undefined ? undefined : this.#massInfo(send);
  }

  /** Uploads of an appid (permanent media, temporary media, article images). */
  uploads(appid: string): WechatMediaInfo[] {
    return this.#media
      .filter((media) => media.appid === appid)
      .map(({ permanent: _permanent, ...media }) => ({ ...media }));
  }

  /** To-all pushes of an appid counted against its quota in the period of `at`. */
  pushesUsed(appid: string, at: number = this.now()): number {
    const account = this.#accounts.get(appid);
    if (account === undefined) return 0;
    const period = account.kind === 'subscription' ? 'day' : 'month';
    const key = chinaPeriod(at, period);
    return [...this.#mass.values()].filter(
      (send) => send.appid === appid && send.toAll && chinaPeriod(send.createdAt, period) === key,
    ).length;
  }

  /** Every request received, oldest first. */
  requests(): readonly WechatRequestRecord[] {
    return this.#log.entries();
  }

  /** Counters. */
  counts(): WechatCounts {
    this.#advanceAll();
    return {
      requests: this.#log.size,
      byEndpoint: this.#log.byEndpoint(),
      drafts: this.#drafts.size,
      liveArticles: [...this.#articles.values()].filter((article) => !article.deleted).length,
      massSends: this.#mass.size,
      faultsApplied: this.#faults.applied,
    };
  }

  /**
   * Forgets content (media, drafts, jobs, articles, mass sends and their clientmsgid records),
   * faults, queued outcomes, the request log, token fetch counters and the clock offset. Accounts,
   * tokens and settings stay; ids keep growing so old ids never come back.
   */
  reset(): void {
    this.#media = [];
    this.#drafts = new Map();
    this.#jobs = new Map();
    this.#articles = new Map();
    this.#mass = new Map();
    this.#clientMsgIds = new Map();
    this.#outcomes = new Map();
    this.#faults.reset();
    this.#log.clear();
    this.#fetches.clear();
    this.#clock.reset();
  }

  // -- the protocol ----------------------------------------------------------------------------

  /** Answers one request. See {@link handleWechatRequest}. */
  handle(request: WechatProtocolRequest): WechatProtocolResponse {
    const method = request.method.toUpperCase();
    const contentType = request.headers['content-type'];
    const endpoint = endpointOf(request.path);
    const bodyBytes =
      typeof request.body === 'string'
        ? Buffer.from(request.body, 'utf8')
        : Buffer.from(request.body);
    const bodyText = bodyBytes.toString('utf8');
    const rule = endpoint === undefined ? undefined : ENDPOINTS[endpoint];

    let appid: string | undefined;
    let json: unknown;
    let multipartFields: readonly string[] | undefined;
    let fault: WechatFaultKind | undefined;
    let delayMs = this.#jitter.sample(this.#options.latency);
    let drop = false;

    const finish = (reply: Reply): WechatProtocolResponse => {
      const query: Record<string, string> = {};
      for (const [name, value] of request.query) {
        if (name !== 'access_token' && name !== 'secret') query[name] = value;
      }
      this.#log.push({
        at: new Date(this.now()),
        method,
        path: request.path,
        endpoint,
        appid,
        query,
        contentType,
        json: isRecord(json) && 'secret' in json ? { ...json, secret: '[not logged]' } : json,
        multipartFields,
        status: reply.status,
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
    const error = (errcode: number, errmsg: string): Reply =>
      new Reply(
        200,
        JSON.stringify({ errcode, errmsg: `${errmsg} rid: ${this.#rid()}` }),
        JSON_TYPE,
        errcode,
      );

    // Routing. [unconfirmed] what WeChat answers for an unknown path; the fake says 40066.
    if (endpoint === undefined || rule === undefined) {
      return finish(error(40066, 'invalid url'));
    }
    if (method !== rule.method) {
      return finish(error(rule.method === 'POST' ? 43002 : 43001, `require ${rule.method} method`));
    }

    // Who is calling: the token's account, or the appid of a token request.
    const accessToken = request.query.get('access_token') ?? undefined;
    const tokenState = accessToken === undefined ? undefined : this.#tokens.get(accessToken);
    if (rule.auth) appid = tokenState?.appid;
    else if (endpoint === 'token') appid = request.query.get('appid') ?? undefined;

    // Bodies: JSON (raw characters, §1.1) or multipart with the field `media`.
    let parts: MultipartPart[] | undefined;
    let bodyProblem: Reply | undefined;
    if (rule.body === 'json') {
      if (bodyText.trim() === '') bodyProblem = error(44002, 'empty post data');
      else if (hasUnicodeEscape(bodyText)) {
        bodyProblem = error(
          40033,
          'invalid charset. please check your request, if include \\uxxxx will create fail!',
        );
      } else {
        try {
          json = JSON.parse(bodyText) as unknown;
        } catch {
          // [unconfirmed] 47001 "data format error" for a body that is not JSON.
          bodyProblem = error(47001, 'data format error');
        }
        if (json !== undefined && !isRecord(json)) bodyProblem = error(47001, 'data format error');
      }
      if (endpoint === 'stable_token' && isRecord(json) && typeof json.appid === 'string') {
        appid = json.appid;
      }
    } else if (rule.body === 'multipart') {
      const type = parseContentType(contentType);
      parts =
        type.type === 'multipart/form-data' && type.boundary !== undefined
          ? parseMultipart(bodyBytes, type.boundary)
          : undefined;
      multipartFields = parts?.map((part) => part.name);
      // [unconfirmed] 41005 "media data missing" for an upload without the field `media`.
      if (parts?.some((part) => part.name === 'media' && part.value.length > 0) !== true) {
        bodyProblem = error(41005, 'media data missing');
      }
    }

    // Faults that act before anything is applied.
    const early = this.#faults.take(endpoint, appid, true);
    if (early !== undefined) {
      fault = early.kind;
      switch (early.kind) {
        case 'busy':
          return finish(error(-1, 'system error'));
        case 'token-expired':
          return finish(error(42001, 'access_token expired'));
        case 'error-before-apply':
          return finish(error(early.errcode ?? -1, early.errmsg ?? 'injected error'));
        case '5xx-before-apply':
          return finish(
            new Reply(
              early.status ?? 503,
              '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
              HTML_TYPE,
              undefined,
            ),
          );
        case 'html-200':
          if (early.applyFirst !== true) return finish(htmlPage());
          break;
        default:
          break;
      }
    }

    // Token endpoints.
    if (endpoint === 'token' || endpoint === 'stable_token') {
      if (bodyProblem !== undefined) return finish(bodyProblem);
      const params =
        endpoint === 'token'
          ? Object.fromEntries(request.query)
          : (json as Record<string, unknown>);
      const reply = this.#issueToken(endpoint === 'token' ? 'classic' : 'stable', params, error);
      return finish(fault === 'html-200' ? htmlPage() : reply);
    }

    // Authentication (§1.9: 41001 missing, 40014 invalid, 40001 not latest, 42001 expired).
    if (accessToken === undefined || accessToken === '') {
      return finish(error(41001, 'access_token missing'));
    }
    if (tokenState === undefined) return finish(error(40014, 'invalid access_token'));
    const tokenProblem = this.#tokenProblem(tokenState);
    if (tokenProblem !== undefined) return finish(error(tokenProblem.code, tokenProblem.text));
    const account = this.#accounts.get(tokenState.appid);
    if (account === undefined) return finish(error(40014, 'invalid access_token'));
    if (bodyProblem !== undefined) return finish(bodyProblem);
    if (rule.verifiedOnly && !account.verified) return finish(error(48001, 'api unauthorized'));

    this.#advanceAll();
    const outcome = this.#apply(endpoint, account, request, json, parts, bodyText, error);
    if (!outcome.applied) return finish(outcome.reply);

    if (fault === 'html-200') return finish(htmlPage());

    const late = this.#faults.take(endpoint, account.appid, false);
    if (late === undefined) return finish(outcome.reply);
    fault = late.kind;
    if (late.kind === 'drop-after-apply') drop = true;
    if (late.kind === 'timeout-after-apply') delayMs += late.hangMs ?? this.#options.hangMs;
    return finish(outcome.reply);
  }

  // -- internals: tokens -----------------------------------------------------------------------

  #tokenProblem(state: TokenState): { code: number; text: string } | undefined {
    const now = this.now();
    if (state.revoked) return { code: 40001, text: 'access_token is invalid or not latest' };
    if (state.supersededUntil !== undefined && now >= state.supersededUntil) {
      return { code: 40001, text: 'access_token is invalid or not latest' };
    }
    if (now >= state.expiresAt) return { code: 42001, text: 'access_token expired' };
    return undefined;
  }

  #issueToken(
    mode: 'stable' | 'classic',
    params: Record<string, unknown>,
    error: (code: number, text: string) => Reply,
  ): Reply {
    if (params.grant_type !== 'client_credential') return error(40002, 'invalid grant_type');
    const appid = params.appid;
    if (typeof appid !== 'string' || appid === '') return error(41002, 'appid missing');
    const account = this.#accounts.get(appid);
    if (account === undefined) return error(40013, 'invalid appid');
    const secret = params.secret;
    if (typeof secret !== 'string' || secret === '') return error(41004, 'appsecret missing');
    if (secret !== account.secret) {
      return mode === 'classic'
        ? error(40001, 'invalid credential, access_token is invalid or not latest')
        : error(40125, 'invalid appsecret');
    }
    if (account.ipRefused) return error(40164, 'invalid ip, not in whitelist');
    const forceRefresh = params.force_refresh === true;
    const counted = this.#fetches.get(appid) ?? { stable: 0, classic: 0, issued: 0 };
    this.#fetches.set(appid, counted);
    const now = this.now();
    const key = `${mode}:${appid}`;
    const currentKey = this.#currentToken.get(key);
    const current = currentKey === undefined ? undefined : this.#tokens.get(currentKey);

    if (mode === 'stable') {
      counted.stable += 1;
      if (forceRefresh && current !== undefined) current.revoked = true;
      // Normal mode returns the current token while it has more than the overlap left; the
      // platform renews it 5 minutes before expiry and the old one lives out its life (§1.2).
      if (
        !forceRefresh &&
        current !== undefined &&
        this.#tokenProblem(current) === undefined &&
        current.expiresAt - now > this.#options.tokenOverlapMs
      ) {
        return tokenReply(current.token, Math.floor((current.expiresAt - now) / 1000));
      }
    } else {
      counted.classic += 1;
      // Each classic call replaces the token; the previous one works 5 more minutes (§1.2).
      if (current !== undefined && current.supersededUntil === undefined) {
        current.supersededUntil = Math.min(current.expiresAt, now + this.#options.tokenOverlapMs);
      }
    }
    counted.issued += 1;
    const token = this.#mint(mode, appid);
    const state: TokenState = {
      token,
      appid,
      mode,
      issuedAt: now,
      expiresAt: now + this.#options.tokenLifetimeMs,
      supersededUntil: undefined,
      revoked: false,
    };
    this.#tokens.set(token, state);
    this.#currentToken.set(key, token);
    return tokenReply(token, Math.floor(this.#options.tokenLifetimeMs / 1000));
  }

  #mint(mode: 'stable' | 'classic', appid: string): string {
    this.#sequence += 1;
    const digest = sha256(`${mode}:${appid}:${this.#sequence}:${this.now()}`);
    // Real tokens are opaque and long (reserve ≥ 512 characters, §1.2); these are 90-odd.
    return `${this.#sequence}_${digest}${digest.slice(0, 24).toUpperCase()}`;
  }

  // -- internals: faults -----------------------------------------------------------------------

  // -- internals: ids --------------------------------------------------------------------------

  #rid(): string {
    this.#sequence += 1;
    const digest = sha256(`rid:${this.#sequence}`);
    return `${digest.slice(0, 8)}-${digest.slice(8, 16)}-${digest.slice(16, 24)}`;
  }

  #id(prefix: string): string {
    this.#sequence += 1;
    const digest = sha256(`${prefix}:${this.#sequence}`);
    return `${prefix}${Buffer.from(digest, 'hex').toString('base64url').slice(0, 40)}`;
  }

  #idJson(id: string): string | RawJsonNumber {
    return this.#options.idsAsStrings ? id : new RawJsonNumber(id);
  }

  // -- internals: content ----------------------------------------------------------------------

  #advanceAll(): void {
    for (const job of this.#jobs.values()) this.#advanceJob(job, false);
  }

  #advanceJob(job: JobState, polled: boolean): void {
    if (job.status !== 1) return;
    if (polled) job.polls += 1;
    if (this.now() < job.submittedAt + this.#options.publishDelayMs) return;
    const before = this.#options.publishPollsBeforeDone;
    if (before > 0 && job.polls <= before) return;
    const draft = this.#drafts.get(job.mediaId);
    const queue = this.#outcomes.get(job.appid);
    const outcome = queue?.shift() ?? 0;
    if (outcome !== 0 || draft === undefined) {
      job.status = draft === undefined ? 3 : outcome;
      if (job.status === 2 || job.status === 4) job.failIdx = [1];
      // [unconfirmed] a failed job gives the draft back, so a resubmit may help (§1.5, status 3).
      if (draft !== undefined) draft.removed = false;
      return;
    }
    if (draft !== undefined) draft.removed = true;
    const articleId = this.#id('');
    const article: ArticleState = {
      articleId,
      appid: job.appid,
      publishId: job.publishId,
      url: `https://mp.weixin.qq.com/s/${articleId}`,
      articles: draft.articles.map((item) => ({ ...item })),
      publishedAt: Math.max(this.now(), job.submittedAt),
      deleted: false,
      removedBy: undefined,
    };
    this.#articles.set(articleId, article);
    job.status = 0;
    job.articleId = articleId;
  }

  #massStatus(send: MassState): 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL' | 'DELETE' {
    if (send.deleted) return 'DELETE';
    if (send.protectedSend) {
      if (send.decision === 'approved') return 'SEND_SUCCESS';
      if (send.decision === 'refused') return 'SEND_FAIL';
      return this.now() >= send.createdAt + this.#options.adminConfirmationWindowMs
        ? 'SEND_FAIL'
        : 'SENDING';
    }
    return this.now() >= send.createdAt + this.#options.massSendDelayMs
      ? 'SEND_SUCCESS'
      : 'SENDING';
  }

  #massInfo(send: MassState): WechatMassSendInfo {
    const status = this.#massStatus(send);
    return {
      msgId: send.msgId,
      msgDataId: send.msgDataId,
      appid: send.appid,
      clientMsgId: send.clientMsgId,
      clientMsgIdDerived: send.clientMsgIdDerived,
      msgtype: send.msgtype,
      mediaId: send.mediaId,
      text: send.text,
      toAll: send.toAll,
      createdAt: new Date(send.createdAt),
      status,
      awaitingConfirmation: send.protectedSend && status === 'SENDING',
      confirmDeadline: send.protectedSend
        ? new Date(send.createdAt + this.#options.adminConfirmationWindowMs)
        : undefined,
    };
  }

  #articleInfo(article: ArticleState): WechatArticleInfo {
    return {
      articleId: article.articleId,
      appid: article.appid,
      publishId: article.publishId,
      url: article.url,
      articles: article.articles.map((item) => ({ ...item })),
      publishedAt: new Date(article.publishedAt),
      deleted: article.deleted,
      removedBy: article.removedBy,
    };
  }

  #newsItem(
    item: WechatArticleFields,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const thumb = this.#media.find((media) => media.mediaId === item.thumbMediaId);
    return {
      article_type: item.articleType,
      title: item.title,
      author: item.author,
      digest: item.digest,
      content: item.content,
      content_source_url: item.contentSourceUrl,
      thumb_media_id: item.thumbMediaId,
      thumb_url: thumb?.url ?? `http://mmbiz.qpic.cn/mmbiz_jpg/${item.thumbMediaId}/0`,
      need_open_comment: item.needOpenComment,
      only_fans_can_comment: item.onlyFansCanComment,
      ...extra,
    };
  }

  #isPermanent(appid: string, mediaId: unknown, types: readonly string[]): boolean {
    return (
      typeof mediaId === 'string' &&
      this.#media.some(
        (media) =>
          media.appid === appid &&
          media.permanent &&
          media.mediaId === mediaId &&
          types.includes(media.type),
      )
    );
  }

  /** Checks one article of `draft/add` (§1.4); returns the refusal or the stored fields. */
  #checkArticle(
    account: AccountState,
    input: unknown,
    error: (code: number, text: string) => Reply,
  ): { reply: Reply } | { article: WechatArticleFields } {
    if (!isRecord(input)) return { reply: error(44003, 'empty news data') };
    const articleType = input.article_type ?? 'news';
    if (articleType !== 'news' && articleType !== 'newspic') {
      // [unconfirmed] the code for an unknown article_type.
      return { reply: error(40097, 'invalid args: article_type') };
    }
    const text = (name: string): string | undefined | null => {
      const value = input[name];
      if (value === undefined || value === null) return undefined;
      return typeof value === 'string' ? value : null;
    };
    const title = text('title');
    const author = text('author');
    const digest = text('digest');
    const content = text('content');
    const source = text('content_source_url');
    if ([title, author, digest, content, source].includes(null)) {
      return { reply: error(40097, 'invalid args: a text field is not a string') };
    }
    // [unconfirmed] WeChat's code for a missing title; 44003 ("empty news data") is the nearest.
    if (title === undefined || title === null || title.trim() === '') {
      return { reply: error(44003, 'empty news data: title') };
    }
    if (characters(title) > WECHAT_ARTICLE_LIMITS.titleMax) {
      return { reply: error(45003, 'title size out of limit') };
    }
    // [unconfirmed] 45110 for a long author is not in platforms.md.
    if (
      author !== undefined &&
      author !== null &&
      characters(author) > WECHAT_ARTICLE_LIMITS.authorMax
    ) {
      return { reply: error(45110, 'author size out of limit') };
    }
    if (
      digest !== undefined &&
      digest !== null &&
      characters(digest) > WECHAT_ARTICLE_LIMITS.digestMax
    ) {
      return { reply: error(45004, 'description size out of limit') };
    }
    if (content === undefined || content === null || content.trim() === '') {
      return { reply: error(44003, 'empty news data: content') };
    }
    // [unconfirmed] whether the server enforces 20 000 characters / 1 MB or the "2kb" wording of
    // the 2025 page; the fake enforces 20 000 characters (tags included) and 1 MB.
    if (
      characters(content) >= WECHAT_ARTICLE_LIMITS.contentMaxChars ||
      utf8Bytes(content) >= WECHAT_ARTICLE_LIMITS.contentMaxBytes
    ) {
      return { reply: error(45002, 'content size out of limit') };
    }
    // The real platform drops external images silently; the fake refuses them so a test notices.
    // [derived]
    for (const match of content.matchAll(IMG_SRC)) {
      const src = match[1] ?? match[2] ?? match[3] ?? '';
      const known = this.#media.some(
        (media) => media.type === 'uploadimg' && media.url === src.replace(/&amp;/g, '&'),
      );
      if (!known)
        return { reply: error(45166, `invalid content: image ${src} is not from uploadimg`) };
    }
    if (source !== undefined && source !== null && source !== '') {
      if (
        utf8Bytes(source) > WECHAT_ARTICLE_LIMITS.contentSourceUrlMaxBytes ||
        !/^https?:\/\/\S+$/i.test(source)
      ) {
        return { reply: error(41039, 'invalid content_source_url') };
      }
    }
    const flag = (name: string): number | undefined => {
      const value = input[name];
      if (value === undefined) return 0;
      return value === 0 || value === 1 ? value : undefined;
    };
    const needOpenComment = flag('need_open_comment');
    const onlyFansCanComment = flag('only_fans_can_comment');
    if (needOpenComment === undefined || onlyFansCanComment === undefined) {
      return { reply: error(40097, 'invalid args: comment flags must be 0 or 1') };
    }
    const thumb = input.thumb_media_id;
    if (articleType === 'news') {
      // The cover must be a permanent media id of this account (§1.3, §1.4).
      if (!this.#isPermanent(account.appid, thumb, ['thumb', 'image'])) {
        return { reply: error(40007, 'invalid media_id: thumb_media_id') };
      }
    } else {
      const list = isRecord(input.image_info) ? input.image_info.image_list : undefined;
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        list.length > 20 ||
        !list.every(
          (item) =>
            isRecord(item) && this.#isPermanent(account.appid, item.image_media_id, ['image']),
        )
      ) {
        return { reply: error(40007, 'invalid media_id: image_info.image_list') };
      }
    }
    return {
      article: {
        articleType,
        title,
        author: author ?? '',
        digest: digest ?? '',
        content,
        contentSourceUrl: source ?? '',
        thumbMediaId: typeof thumb === 'string' ? thumb : '',
        needOpenComment,
        onlyFansCanComment,
      },
    };
  }

  #apply(
    endpoint: WechatEndpointName,
    account: AccountState,
    request: WechatProtocolRequest,
    json: unknown,
    parts: MultipartPart[] | undefined,
    bodyText: string,
    error: (code: number, text: string) => Reply,
  ): { applied: boolean; reply: Reply } {
    const refuse = (code: number, text: string) => ({ applied: false, reply: error(code, text) });
    const ok = (body: unknown) => ({
      applied: true,
      reply: new Reply(200, stringifyWithRawNumbers(body), JSON_TYPE, undefined),
    });
    const body = isRecord(json) ? json : {};
    const now = this.now();
    const appid = account.appid;

    switch (endpoint) {
      case 'material/add_material':
      case 'media/upload':
      case 'media/uploadimg': {
        const media = parts?.find((part) => part.name === 'media');
        if (media === undefined) return refuse(41005, 'media data missing');
        const kind = sniff(media.value);
        let type: string;
        if (endpoint === 'media/uploadimg') {
          type = 'uploadimg';
          // [unconfirmed] 40005/40006 for a wrong type or size (not in platforms.md).
          if (kind !== 'jpeg' && kind !== 'png')
            return refuse(40005, 'invalid file type: jpg/png only');
          if (media.value.length >= 1024 * 1024) return refuse(40006, 'invalid media size: < 1MB');
        } else {
          type = request.query.get('type') ?? '';
          if (!['image', 'thumb', 'voice', 'video'].includes(type)) {
            // [unconfirmed] 40004 for an unknown media type.
            return refuse(40004, 'invalid media type');
          }
          if (type === 'thumb') {
            if (kind !== 'jpeg') return refuse(40005, 'invalid file type: thumb must be jpg');
            if (media.value.length > 64 * 1024)
              return refuse(40006, 'invalid media size: thumb ≤ 64KB');
          }
          if (type === 'image') {
            if (kind === 'unknown') return refuse(40005, 'invalid file type');
            if (media.value.length > 10 * 1024 * 1024) return refuse(40006, 'invalid media size');
          }
        }
        const digest = sha256(media.value);
        const permanent = endpoint === 'material/add_material';
        const mediaId =
          endpoint === 'media/uploadimg' ? undefined : this.#id(permanent ? 'P' : 'T');
        const url =
          endpoint === 'media/uploadimg' || type === 'image'
            ? `http://mmbiz.qpic.cn/mmbiz_${kind === 'png' ? 'png' : 'jpg'}/${this.#id('')}/0`
            : undefined;
        this.#media.push({
          appid,
          type: endpoint === 'media/upload' ? 'temporary' : type,
          mediaId,
          url,
          bytes: media.value.length,
          sha256: digest,
          filename: media.filename,
          contentType: media.contentType,
          permanent,
        });
        if (endpoint === 'media/uploadimg') return ok({ url, errcode: 0, errmsg: 'ok' });
        if (endpoint === 'media/upload') {
          return ok({ type, media_id: mediaId, created_at: Math.floor(now / 1000) });
        }
        return ok(url === undefined ? { media_id: mediaId } : { media_id: mediaId, url });
      }

      case 'draft/add': {
        const list = body.articles;
        if (!Array.isArray(list) || list.length === 0) return refuse(44003, 'empty news data');
        // [unconfirmed] the most articles per draft; the MP console allows 8.
        if (list.length > 8) return refuse(40097, 'invalid args: at most 8 articles');
        const articles: WechatArticleFields[] = [];
        for (const item of list) {
          const checked = this.#checkArticle(account, item, error);
          if ('reply' in checked) return { applied: false, reply: checked.reply };
          articles.push(checked.article);
        }
        const mediaId = this.#id('D');
        this.#drafts.set(mediaId, { mediaId, appid, articles, createdAt: now, removed: false });
        // Success has no errcode at all (§1.1).
        return ok({ media_id: mediaId });
      }

      case 'draft/get': {
        const draft = this.#drafts.get(String(body.media_id));
        if (draft === undefined || draft.appid !== appid || draft.removed) {
          return refuse(40007, 'invalid media_id');
        }
        return ok({
          news_item: draft.articles.map((item) => this.#newsItem(item, { url: '' })),
          create_time: Math.floor(draft.createdAt / 1000),
          update_time: Math.floor(draft.createdAt / 1000),
        });
      }

      case 'draft/delete': {
        const draft = this.#drafts.get(String(body.media_id));
        if (draft === undefined || draft.appid !== appid || draft.removed) {
          return refuse(40007, 'invalid media_id');
        }
        draft.removed = true;
        return ok({ errcode: 0, errmsg: 'ok' });
      }

      case 'draft/count': {
        const total = [...this.#drafts.values()].filter(
          (draft) => draft.appid === appid && !draft.removed,
        ).length;
        return ok({ total_count: total });
      }

      case 'freepublish/submit': {
        const draft = this.#drafts.get(String(body.media_id));
        if (draft === undefined || draft.appid !== appid || draft.removed) {
          return refuse(40007, 'invalid media_id');
        }
        const publishId = (this.#nextPublishId++).toString();
        const job: JobState = {
          publishId,
          appid,
          mediaId: draft.mediaId,
          submittedAt: now,
          status: 1,
          articleId: undefined,
          polls: 0,
          failIdx: [],
        };
        if (this.#options.draftRemovedOn === 'submit') draft.removed = true;
        this.#jobs.set(publishId, job);
        this.#advanceJob(job, false);
        return ok({
          errcode: 0,
          errmsg: 'ok',
          publish_id: this.#idJson(publishId),
          msg_data_id: new RawJsonNumber((this.#nextMsgDataId++).toString()),
        });
      }

      case 'freepublish/get': {
        const publishId = rawId(bodyText, 'publish_id');
        const job = publishId === undefined ? undefined : this.#jobs.get(publishId);
        // [unconfirmed] the code for an unknown publish_id; 53600 (invalid article_id) is nearest.
        if (job === undefined || job.appid !== appid) return refuse(53600, 'invalid publish_id');
        this.#advanceJob(job, true);
        const reply: Record<string, unknown> = {
          publish_id: this.#idJson(job.publishId),
          publish_status: job.status,
        };
        const article = job.articleId === undefined ? undefined : this.#articles.get(job.articleId);
        if (article !== undefined && (job.status === 0 || job.status === 5 || job.status === 6)) {
          reply.article_id = article.articleId;
          reply.article_detail = {
            count: article.articles.length,
            item: article.articles.map((_item, index) => ({
              idx: index + 1,
              article_url: article.url,
            })),
          };
        }
        reply.fail_idx = job.failIdx;
        return ok(reply);
      }

      case 'freepublish/batchget': {
        const offset = body.offset ?? 0;
        const count = body.count;
        if (
          typeof offset !== 'number' ||
          !Number.isInteger(offset) ||
          offset < 0 ||
          typeof count !== 'number' ||
          !Number.isInteger(count) ||
          count < 1 ||
          count > 20
        ) {
          return refuse(40097, 'invalid args: offset ≥ 0, count 1-20');
        }
        const noContent = body.no_content === 1;
        // [unconfirmed] newest first, deleted articles left out.
        const live = [...this.#articles.values()]
          .filter((article) => article.appid === appid && !article.deleted)
          .reverse();
        const page = live.slice(offset, offset + count);
        return ok({
          total_count: live.length,
          item_count: page.length,
          item: page.map((article) => ({
            article_id: article.articleId,
            content: {
              news_item: article.articles.map((item) =>
                this.#newsItem(noContent ? { ...item, content: '' } : item, {
                  url: article.url,
                  is_deleted: false,
                }),
              ),
              create_time: Math.floor(article.publishedAt / 1000),
              update_time: Math.floor(article.publishedAt / 1000),
            },
            update_time: Math.floor(article.publishedAt / 1000),
          })),
        });
      }

      case 'freepublish/getarticle': {
        const article = this.#articles.get(String(body.article_id));
        if (article === undefined || article.appid !== appid)
          return refuse(53600, 'invalid article_id');
        return ok({
          news_item: article.articles.map((item) =>
            this.#newsItem(item, { url: article.url, is_deleted: article.deleted }),
          ),
        });
      }

      case 'freepublish/delete': {
        const article = this.#articles.get(String(body.article_id));
        // [unconfirmed] deleting an already deleted article answers 53600 like an unknown id.
        if (article === undefined || article.appid !== appid || article.deleted) {
          return refuse(53600, 'invalid article_id');
        }
        const index = body.index ?? 0;
        if (
          typeof index !== 'number' ||
          !Number.isInteger(index) ||
          index < 0 ||
          index > article.articles.length
        ) {
          return refuse(40114, 'invalid index');
        }
        // Deleting one article of several is kept as "delete all" in the fake. [derived]
        article.deleted = true;
        article.removedBy = 'api';
        const job = this.#jobs.get(article.publishId);
        if (job !== undefined) job.status = 5;
        return ok({ errcode: 0, errmsg: 'ok' });
      }

      case 'message/mass/sendall':
        return this.#sendAll(account, body, bodyText, refuse, ok);

      case 'message/mass/get': {
        const msgId = rawId(bodyText, 'msg_id');
        const send = msgId === undefined ? undefined : this.#mass.get(msgId);
        // [unconfirmed] 40059 ("invalid msg id") from community reports.
        if (send === undefined || send.appid !== appid) return refuse(40059, 'invalid msg id');
        return ok({ msg_id: this.#idJson(send.msgId), msg_status: this.#massStatus(send) });
      }

      case 'message/mass/delete': {
        const msgId = rawId(bodyText, 'msg_id');
        const send = msgId === undefined ? undefined : this.#mass.get(msgId);
        if (send === undefined || send.appid !== appid) return refuse(40059, 'invalid msg id');
        const status = this.#massStatus(send);
        // [unconfirmed] deleting twice succeeds again; the code for a send that cannot be deleted.
        if (status === 'DELETE') return ok({ errcode: 0, errmsg: 'ok' });
        if (
          status !== 'SEND_SUCCESS' ||
          (send.msgtype !== 'mpnews' && send.msgtype !== 'mpvideo')
        ) {
          return refuse(40059, 'invalid msg id: only a sent mpnews or video can be deleted');
        }
        // Deleting one send of an article disables every send of it (§1.6).
        for (const other of this.#mass.values()) {
          if (other === send || (other.mediaId !== undefined && other.mediaId === send.mediaId)) {
            other.deleted = true;
          }
        }
        return ok({ errcode: 0, errmsg: 'ok' });
      }

      case 'token':
      case 'stable_token':
        return refuse(40066, 'invalid url');
    }
  }

  #sendAll(
    account: AccountState,
    body: Record<string, unknown>,
    bodyText: string,
    refuse: (code: number, text: string) => { applied: boolean; reply: Reply },
    ok: (body: unknown) => { applied: boolean; reply: Reply },
  ): { applied: boolean; reply: Reply } {
    const now = this.now();
    const appid = account.appid;
    const filter = body.filter;
    if (!isRecord(filter) || typeof filter.is_to_all !== 'boolean') {
      return refuse(40097, 'invalid args: filter.is_to_all');
    }
    const toAll = filter.is_to_all;
    if (!toAll && rawId(bodyText, 'tag_id') === undefined) return refuse(45159, 'invalid tag_id');
    const msgtype = body.msgtype;
    let mediaId: string | undefined;
    let text: string | undefined;
    if (msgtype === 'mpnews') {
      const mpnews = body.mpnews;
      mediaId =
        isRecord(mpnews) && typeof mpnews.media_id === 'string' ? mpnews.media_id : undefined;
    } else if (msgtype === 'text') {
      const content = isRecord(body.text) ? body.text.content : undefined;
      if (typeof content !== 'string' || content.trim() === '')
        return refuse(44004, 'empty content');
      text = content;
    } else {
      // Only mpnews and text are modelled [derived]; [unconfirmed] 40008 for another type.
      return refuse(40008, 'invalid message type');
    }

    // clientmsgid: ≤ 64 bytes; a record of the last 24 h refuses the request (§1.6). Without one
    // the platform uses a digest of scope + content.
    const given = body.clientmsgid;
    if (given !== undefined && typeof given !== 'string')
      return refuse(40097, 'invalid args: clientmsgid');
    if (given !== undefined && utf8Bytes(given) > 64)
      return refuse(45067, 'clientmsgid size out of limit');
    const derived = given === undefined || given === '';
    const clientMsgId = derived
      ? `auto-${sha256(JSON.stringify([filter, msgtype, mediaId ?? text]))}`
      : given;
    const recordKey = `${appid}\u0000${clientMsgId}`;
    const record = this.#clientMsgIds.get(recordKey);
    if (record !== undefined && now - record.firstAt < DAY_MS) {
      const tooFast = now - record.lastAttemptAt < 60_000;
      // [unconfirmed] every attempt restarts the one-minute wait.
      record.lastAttemptAt = now;
      if (tooFast) return refuse(45066, 'clientmsgid exist and retry too fast');
      return {
        applied: false,
        reply: new Reply(
          200,
          stringifyWithRawNumbers({
            errcode: 45065,
            errmsg: `clientmsgid exist rid: ${this.#rid()}`,
            msg_id: this.#idJson(record.msgId),
          }),
          JSON_TYPE,
          45065,
        ),
      };
    }

    if (msgtype === 'mpnews') {
      const draft = mediaId === undefined ? undefined : this.#drafts.get(mediaId);
      if (draft === undefined || draft.appid !== appid || draft.removed) {
        return refuse(40007, 'invalid media_id');
      }
    }

    // Quota: subscription one to-all push per China day, service four per month (§1.6).
    if (toAll && this.pushesUsed(appid, now) >= account.pushQuota) {
      return refuse(45028, 'has no masssend quota');
    }

    const msgId = (this.#nextMsgId++).toString();
    const msgDataId = msgtype === 'mpnews' ? (this.#nextMsgDataId++).toString() : undefined;
    if (mediaId !== undefined) {
      const draft = this.#drafts.get(mediaId);
      if (draft !== undefined) draft.removed = true; // a mass-sent draft leaves the draft box (§1.4)
    }
    this.#mass.set(msgId, {
      msgId,
      msgDataId,
      appid,
      clientMsgId,
      clientMsgIdDerived: derived,
      msgtype,
      mediaId,
      text,
      toAll,
      createdAt: now,
      protectedSend: toAll && account.massSendProtection,
      decision: undefined,
      deleted: false,
    });
    this.#clientMsgIds.set(recordKey, { msgId, firstAt: now, lastAttemptAt: now });
    return ok({
      errcode: 0,
      errmsg: 'send job submission success',
      msg_id: this.#idJson(msgId),
      ...(msgDataId === undefined ? {} : { msg_data_id: new RawJsonNumber(msgDataId) }),
    });
  }
}

function tokenReply(token: string, expiresIn: number): Reply {
  return new Reply(
    200,
    JSON.stringify({ access_token: token, expires_in: expiresIn }),
    JSON_TYPE,
    undefined,
  );
}

function htmlPage(): Reply {
  return new Reply(
    200,
    '<!DOCTYPE html><html><head><title>系统繁忙</title></head><body><p>系统繁忙，请稍后再试。</p></body></html>',
    HTML_TYPE,
    undefined,
  );
}

/**
 * Answers one request as WeChat would: routing, method, token, body encoding (raw JSON characters,
 * multipart `media`), account checks, field limits, state change, and the queued faults. The one
 * function both fakes call.
 */
export function handleWechatRequest(
  platform: WechatPlatform,
  request: WechatProtocolRequest,
): WechatProtocolResponse {
  return platform.handle(request);
}

/**
 * Maps a URL received by a fake to the protocol path (`/cgi-bin/draft/add`), given the base URL the
 * fake serves (`https://api.weixin.qq.com/cgi-bin/`, `http://127.0.0.1:PORT/cgi-bin/`, a gateway
 * prefix). Returns `undefined` when the URL is outside the base.
 */
export function wechatProtocolPath(url: URL, baseURL: string): string | undefined {
  const below = pathBelowBase(url, baseURL);
  return below === undefined ? undefined : `/cgi-bin/${below}`;
}
