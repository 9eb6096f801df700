/**
 * What the Weibo fake holds and shows: accounts, tokens and statuses as it keeps them, the same as
 * the inspection API shows them, its replies and errors, and what an endpoint handler works on.
 */
import { FakeReply, type FakeOutcome } from '../../fake/fake-platform.js';
import type {
  MicroblogContent,
  MicroblogCounts,
  MicroblogPostOrigin,
  MicroblogPostState,
} from '../../fake/microblog-platform.js';
import type { MultipartPart } from '../../fake/platform.js';
import { rawJsonSuccess } from '../../fake/raw-json.js';
import type { WeiboFaultKind } from './faults.js';
import type { InboxStore } from './inbox-store.js';
import type { WeiboEndpointName, WeiboSettings } from './settings.js';

/** A status as the inspection API shows it. */
export interface WeiboPost extends MicroblogPostOrigin<'original' | 'repost', WeiboEndpointName> {
  /** `idstr`. */
  readonly id: string;
  readonly uid: string;
  /** For a repost: `idstr` of the status reposted (the root of a repost chain). */
  readonly sourceId: string | undefined;
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

/** Counters of the platform (`posts`: statuses ever created, deleted included). */
export type WeiboCounts = MicroblogCounts;

export interface AccountState {
  readonly uid: string;
  readonly screenName: string;
  readonly safeDomain: string | undefined;
  readonly longTextAllowed: boolean;
  verified: boolean;
  verifiedType: number;
  /** Platform time (ms) of the newest post made before the fake's own (`setLastPostAt`). */
  earlierPostAt: number | undefined;
  /** What `users/show` reports as `followers_count` to the account itself (`setFollowers`). */
  followers: number;
}

export interface TokenState {
  readonly uid: string;
  readonly expiresAt: number | undefined;
  /** Platform time (ms) the token was registered: `get_token_info.create_at`. */
  readonly createdAt: number;
  expired: boolean;
}

export interface StatusState extends MicroblogPostState<'original' | 'repost', WeiboEndpointName> {
  readonly uid: string;
  readonly visibleAt: number;
  readonly isLongText: boolean;
}

/** A Weibo reply; its code is `error_code` of an error body. */
export type WeiboReply = FakeReply<number>;
export type WeiboOutcome = FakeOutcome<number>;

export const JSON_TYPE = 'application/json;charset=UTF-8';

/** Codes answered with HTTP 403 (authentication and permission); the rest get 400. */
function statusForCode(code: number): number {
  if (code >= 21300 && code < 21400) return 403;
  if (code === 10014 || code === 20015) return 403;
  return 400;
}

/** Builds the error replies of one request. */
export type WeiboErrorBuilder = (code: number, text: string, status?: number) => WeiboReply;

/** The error replies of a request to `path`. */
export function weiboErrors(path: string): WeiboErrorBuilder {
  return (code, text, status = statusForCode(code)) =>
    new FakeReply(
      status,
      JSON.stringify({ request: path, error_code: code, error: text }),
      JSON_TYPE,
      code,
    );
}

/** A success: the JSON body, ids beyond 2^53 as bare numbers. */
export function weiboOk(body: unknown): WeiboOutcome {
  return rawJsonSuccess(body, JSON_TYPE);
}

/** The statuses and accounts the endpoint handlers read and change. */
export interface WeiboContent extends MicroblogContent<WeiboSettings, AccountState, StatusState> {
  /** The number behind the next `http://t.cn/…` short link. */
  readonly nextShortLink: () => number;
  /** Comments and mentions left by citizens. */
  readonly inbox: InboxStore;
  /** Attitudes (likes) of statuses, by `idstr`, as tests set them. */
  readonly attitudes: ReadonlyMap<string, number>;
}

/** One admitted call to an endpoint. */
export interface WeiboCall {
  readonly content: WeiboContent;
  readonly endpoint: WeiboEndpointName;
  readonly account: AccountState;
  /** The token the call came with (admitted, so known and not expired). */
  readonly token: TokenState | undefined;
  readonly params: URLSearchParams;
  readonly picture: MultipartPart | undefined;
  /** Refuses the call: nothing is applied. */
  readonly refuse: (code: number, text: string, status?: number) => WeiboOutcome;
  /** How long a status made now stays out of reads (`delayed-20032`). */
  readonly visibleAfter: () => number;
}

/** Whether reads show a status now. */
export function isVisible(content: WeiboContent, status: StatusState): boolean {
  return !status.deleted && content.now() >= status.visibleAt;
}

/** Reads an integer parameter: `fallback` when absent, `undefined` when not digits. */
export function readInteger(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
