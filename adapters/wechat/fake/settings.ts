/**
 * The endpoints the WeChat fake serves, their limits, and the settings and accounts it takes
 * (platforms.md §1.1–1.9).
 */
import type { FakePlatformOptions } from '../../fake/fake-platform.js';
import { resolveLatency, type LatencySettings } from '../../fake/platform.js';

/**
 * The endpoints the fake serves, named as below `cgi-bin/` (and as in errors); the statistics
 * endpoints as `datacube/<name>`, served below `/datacube/` (never below `/cgi-bin/`).
 */
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
  | 'message/mass/delete'
  | 'tags/get'
  | 'get_api_domain_ip'
  | 'message/custom/send'
  | 'user/get'
  | 'datacube/getarticletotal'
  | 'datacube/getarticlesummary';

export interface EndpointRule {
  readonly method: 'GET' | 'POST';
  readonly body: 'json' | 'multipart' | 'none';
  /** Needs `?access_token=`. */
  readonly auth: boolean;
  /** Only verified accounts may call it (freepublish, mass send). */
  readonly verifiedOnly: boolean;
}

export const ENDPOINTS: Readonly<Record<WechatEndpointName, EndpointRule>> = {
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
  // Which account types may call the tag APIs is [unconfirmed] (platforms-listening.md §5): any.
  'tags/get': { method: 'GET', body: 'none', auth: true, verifiedOnly: false },
  get_api_domain_ip: { method: 'GET', body: 'none', auth: true, verifiedOnly: false },
  'message/custom/send': { method: 'POST', body: 'json', auth: true, verifiedOnly: false },
  'user/get': { method: 'GET', body: 'none', auth: true, verifiedOnly: false },
  // The statistics are open to verified accounts only (platforms-listening.md §3.3): else 48001.
  'datacube/getarticletotal': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
  'datacube/getarticlesummary': { method: 'POST', body: 'json', auth: true, verifiedOnly: true },
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
  'message/custom/send',
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

/** Simulated latency: `fixedMs + jitterMs * random()`, with a seeded generator. */
export type WechatLatency = LatencySettings;

/** Settings of a {@link WechatPlatform}; all can be changed later with `configure`. */
export interface WechatPlatformOptions extends FakePlatformOptions {
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

/** {@link WechatPlatformOptions} with the defaults filled in. */
export type WechatSettings = Required<Omit<WechatPlatformOptions, 'latency'>> & {
  readonly latency: Required<WechatLatency>;
};

/** Fills in the defaults. */
export function resolveWechatSettings(options: WechatPlatformOptions): WechatSettings {
  return {
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
}

/** The settings `configure(options)` changes: every one it names; omitted ones stay. */
export function wechatSettingsFrom(options: WechatPlatformOptions): Partial<WechatSettings> {
  return Object.fromEntries(
    Object.entries(options).filter(([key, value]) => value !== undefined && key !== 'latency'),
  );
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
  /**
   * The caller's IP is not on the account's whitelist: the token endpoints and every API call
   * answer `40164` (change it later with `setIpRefused`). @default false
   */
  readonly ipRefused?: boolean;
  /**
   * The account's followers: their openids, or how many (openids are made up then). A follower
   * who writes to the account (`receiveMessage`) is added. @default 0
   */
  readonly followers?: number | readonly string[];
}

/**
 * A follower tag to seed (platforms-listening.md §3.5). Ids 0, 1 and 2 are system tags; every
 * account has 2 (星标组) from the start.
 */
export interface WechatTagInit {
  /** The tag's name; at most 30 characters (bytes or characters is [unconfirmed]). */
  readonly name: string;
  /** @default the next free id from 100 */
  readonly id?: number;
  /**
   * The followers that carry the tag: their openids, or how many (openids are made up then).
   * @default 0
   */
  readonly followers?: number | readonly string[];
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
