/**
 * What the WeChat fake holds: accounts, tokens, media, drafts, publish jobs, articles and mass
 * sends as it keeps them ({@link WechatContent}), its replies and errors, and the small readers the
 * endpoint handlers share.
 */
import { createHash } from 'node:crypto';
import { FakeReply, type FakeOutcome } from '../../fake/fake-platform.js';
import { RawJsonNumber, rawJsonSuccess } from '../../fake/raw-json.js';
import type { WechatArticleFields } from './inspection.js';
import type { WechatSettings } from './settings.js';

export interface AccountState {
  readonly appid: string;
  readonly secret: string;
  readonly name: string;
  readonly kind: 'subscription' | 'service';
  readonly verified: boolean;
  readonly massSendProtection: boolean;
  readonly pushQuota: number;
  /** The caller's IP is off the whitelist: token endpoints and API calls answer `40164`. */
  ipRefused: boolean;
  /** Openids of the account's followers, oldest first (`user/get`). */
  followers: string[];
}

export interface TokenState {
  readonly token: string;
  readonly appid: string;
  readonly mode: 'stable' | 'classic';
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** A replaced classic token works until then (the 5-minute overlap). */
  supersededUntil: number | undefined;
  revoked: boolean;
}

export interface MediaState {
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

export interface DraftState {
  readonly mediaId: string;
  readonly appid: string;
  readonly articles: WechatArticleFields[];
  readonly createdAt: number;
  removed: boolean;
}

export interface JobState {
  readonly publishId: string;
  readonly appid: string;
  readonly mediaId: string;
  readonly submittedAt: number;
  status: number;
  articleId: string | undefined;
  polls: number;
  failIdx: number[];
}

export interface ArticleState {
  readonly articleId: string;
  readonly appid: string;
  readonly publishId: string;
  readonly url: string;
  readonly articles: WechatArticleFields[];
  readonly publishedAt: number;
  deleted: boolean;
  removedBy: 'api' | 'user' | 'system' | undefined;
}

export interface MassState {
  readonly msgId: string;
  readonly msgDataId: string | undefined;
  readonly appid: string;
  readonly clientMsgId: string;
  readonly clientMsgIdDerived: boolean;
  readonly msgtype: string;
  readonly mediaId: string | undefined;
  readonly text: string | undefined;
  readonly toAll: boolean;
  /** For a send to a tag: the tag's id. */
  readonly tagId: number | undefined;
  /** For a send to a tag: the openids that carried the tag when it was sent. */
  readonly recipients: readonly string[] | undefined;
  readonly createdAt: number;
  readonly protectedSend: boolean;
  decision: 'approved' | 'refused' | undefined;
  deleted: boolean;
}

/** A follower tag of an account. */
export interface TagState {
  readonly id: number;
  readonly name: string;
  readonly followers: string[];
}

/** What a follower last did that opened a customer-service window (platforms-listening.md §3.1). */
export interface InboundState {
  /** A message (5 replies within 48 h) or a click, follow or scan (3 within 1 minute). */
  readonly kind: 'message' | 'event';
  readonly at: number;
  /** Customer-service messages sent since. */
  sent: number;
}

/** One customer-service message the platform took. */
export interface CustomSendState {
  readonly appid: string;
  readonly openid: string;
  readonly msgtype: string;
  readonly text: string | undefined;
  readonly at: number;
}

/** Customer-service windows per follower, refusals, and the messages taken. */
export class CustomState {
  /** The last inbound interaction per `appid` + openid. */
  readonly inbound = new Map<string, InboundState>();
  /** `appid` + openid of followers who turned messages off (`48002`). */
  readonly refused = new Set<string>();
  readonly sent: CustomSendState[] = [];

  static key(appid: string, openid: string): string {
    return `${appid}\u0000${openid}`;
  }
}

/** One day of an article's statistics, as seeded (that day's own figures, not cumulative). */
export interface ArticleDayState {
  readonly date: string;
  readonly reads: number;
  readonly readUsers: number;
  readonly originalReads: number;
  readonly originalReadUsers: number;
  readonly shares: number;
  readonly shareUsers: number;
  readonly favs: number;
  readonly favUsers: number;
}

/** The statistics of one article of a mass send (`msgid` = `<msg_data_id>_<index>`). */
export interface ArticleStatsState {
  readonly appid: string;
  readonly msgid: string;
  readonly title: string;
  /** The day it was sent (UTC+8). */
  readonly refDate: string;
  /** Followers it was delivered to (`target_user`). */
  readonly targetUser: number;
  readonly days: ArticleDayState[];
}

export interface ClientMsgRecord {
  readonly msgId: string;
  readonly firstAt: number;
  lastAttemptAt: number;
}

/** A WeChat reply; its code is `errcode` of an error body. */
export type WechatReply = FakeReply<number>;
export type WechatOutcome = FakeOutcome<number>;

export const JSON_TYPE = 'application/json; encoding=utf-8';
export const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Length in characters (code points). */
export function characters(text: string): number {
  return Array.from(text).length;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Reads an integer id field from raw JSON text (number or string) without a JS number. */
export function rawId(text: string, field: string): string | undefined {
  return new RegExp(`"${field}"\\s*:\\s*"?(\\d+)"?`).exec(text)?.[1];
}

/** Day or month of a time in China (UTC+8, no daylight saving time). */
export function chinaPeriod(ms: number, period: 'day' | 'month'): string {
  const iso = new Date(ms + SHANGHAI_OFFSET_MS).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A success: the JSON body, ids beyond 2^53 as bare numbers. */
export function wechatOk(body: unknown): WechatOutcome {
  return rawJsonSuccess(body, JSON_TYPE);
}

/**
 * The content of a fake WeChat and the ids it hands out. Tokens, accounts and ids stay over a
 * {@link clear}; ids keep growing so old ids never come back.
 */
export class WechatContent {
  media: MediaState[] = [];
  drafts = new Map<string, DraftState>();
  jobs = new Map<string, JobState>();
  articles = new Map<string, ArticleState>();
  mass = new Map<string, MassState>();
  clientMsgIds = new Map<string, ClientMsgRecord>();
  /** Follower tags per appid; like accounts, they stay over a {@link clear}. */
  readonly tags = new Map<string, TagState[]>();
  /** Queued outcomes of the next publish jobs, per appid. */
  outcomes = new Map<string, number[]>();
  /** Customer-service windows and messages (`customer-service.ts`). */
  custom = new CustomState();
  /** Seeded article statistics (`datacube.ts`). */
  stats: ArticleStatsState[] = [];
  #sequence = 0;
  #nextPublishId: bigint;
  #nextMsgId: bigint;
  #nextMsgDataId = 2_247_483_001n;

  constructor(
    readonly settings: () => WechatSettings,
    readonly accounts: ReadonlyMap<string, AccountState>,
    readonly now: () => number,
  ) {
    this.#nextPublishId = settings().firstPublishId;
    this.#nextMsgId = settings().firstMsgId;
  }

  /** Forgets media, drafts, jobs, articles, mass sends, clientmsgid records and outcomes. */
  clear(): void {
    this.media = [];
    this.drafts = new Map();
    this.jobs = new Map();
    this.articles = new Map();
    this.mass = new Map();
    this.clientMsgIds = new Map();
    this.outcomes = new Map();
    this.custom = new CustomState();
    this.stats = [];
  }

  /** The next number of the sequence behind tokens, rids and ids. */
  nextSequence(): number {
    this.#sequence += 1;
    return this.#sequence;
  }

  /** An error body, with the `rid` WeChat appends to `errmsg`. */
  error(errcode: number, errmsg: string): WechatReply {
    return new FakeReply(
      200,
      JSON.stringify({ errcode, errmsg: `${errmsg} rid: ${this.rid()}` }),
      JSON_TYPE,
      errcode,
    );
  }

  /** A refusal: nothing is applied. */
  refuse(errcode: number, errmsg: string): WechatOutcome {
    return { applied: false, reply: this.error(errcode, errmsg) };
  }

  rid(): string {
    const digest = sha256(`rid:${this.nextSequence()}`);
    return `${digest.slice(0, 8)}-${digest.slice(8, 16)}-${digest.slice(16, 24)}`;
  }

  /** An opaque id (`media_id`, `article_id`) after `prefix`. */
  id(prefix: string): string {
    const digest = sha256(`${prefix}:${this.nextSequence()}`);
    return `${prefix}${Buffer.from(digest, 'hex').toString('base64url').slice(0, 40)}`;
  }

  /** A `publish_id` or `msg_id` as the settings write it: a bare number or a string. */
  idJson(id: string): string | RawJsonNumber {
    return this.settings().idsAsStrings ? id : new RawJsonNumber(id);
  }

  nextPublishId(): string {
    return (this.#nextPublishId++).toString();
  }

  nextMsgId(): string {
    return (this.#nextMsgId++).toString();
  }

  nextMsgDataId(): string {
    return (this.#nextMsgDataId++).toString();
  }

  /** The follower tags of an appid, the system tag 2 (星标组) first. */
  tagsOf(appid: string): TagState[] {
    let tags = this.tags.get(appid);
    if (tags === undefined) {
      tags = [{ id: 2, name: '星标组', followers: [] }];
      this.tags.set(appid, tags);
    }
    return tags;
  }

  /**
   * Pushes of an appid counted against its quota in the period of `at`: to all or to a tag. A
   * subscription account's one push a day is "to all or to one tag" (platforms.md §1.6); for a
   * service account a tag push counts as one of the four a month of every follower it reaches,
   * and the fake counts it for the account [derived].
   */
  pushesUsed(appid: string, at: number): number {
    const account = this.accounts.get(appid);
    if (account === undefined) return 0;
    const period = account.kind === 'subscription' ? 'day' : 'month';
    const key = chinaPeriod(at, period);
    return [...this.mass.values()].filter(
      (send) => send.appid === appid && chinaPeriod(send.createdAt, period) === key,
    ).length;
  }
}

/** One admitted call to an endpoint. */
export interface WechatCall {
  readonly content: WechatContent;
  readonly account: AccountState;
  readonly query: URLSearchParams;
  /** The JSON body, `{}` when there is none. */
  readonly body: Record<string, unknown>;
  /** The JSON body as sent (ids beyond 2^53 are read from it). */
  readonly bodyText: string;
  readonly parts: readonly MultipartPart[] | undefined;
}

/** One part of a `multipart/form-data` body, its bytes as sent. */
export interface MultipartPart {
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly value: Buffer;
}
