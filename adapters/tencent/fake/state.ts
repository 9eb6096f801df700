/**
 * What the Tencent Weibo fake holds and shows: accounts, tokens and tweets as it keeps them, the
 * same as the inspection API shows them, its replies and errors, and what an endpoint handler
 * works on.
 */
import { FakeReply, type FakeOutcome } from '../../fake/fake-platform.js';
import type {
  MicroblogContent,
  MicroblogCounts,
  MicroblogPostOrigin,
  MicroblogPostState,
} from '../../fake/microblog-platform.js';
import type { MultipartPart } from '../../fake/platform.js';
import type { TencentFaultKind } from './faults.js';
import type { InboxStore } from './inbox-store.js';
import type { TencentEndpointName, TencentSettings } from './settings.js';

/** A tweet as the inspection API shows it. */
export interface TencentTweet extends MicroblogPostOrigin<
  'original' | 'relay',
  TencentEndpointName
> {
  /** The tweet id, as a string. */
  readonly id: string;
  readonly openid: string;
  /** For a relay: the id of the tweet relayed (`reid`). */
  readonly sourceId: string | undefined;
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

/** Counters of the platform (`posts`: tweets ever created, deleted included). */
export type TencentCounts = MicroblogCounts;

export interface AccountState {
  readonly openid: string;
  readonly name: string;
  readonly nick: string;
}

export interface TokenState {
  readonly openid: string;
  readonly appKey: string;
  readonly expiresAt: number | undefined;
  expired: boolean;
}

export interface TweetState extends MicroblogPostState<'original' | 'relay', TencentEndpointName> {
  readonly openid: string;
  readonly hasPicture: boolean;
  underReview: boolean;
}

/** The codes of a Tencent body: `ret` and `errcode`. */
export interface TencentCode {
  readonly ret: number;
  readonly errcode: number;
}

export type TencentReply = FakeReply<TencentCode>;
export type TencentOutcome = FakeOutcome<TencentCode>;

export const JSON_TYPE = 'application/json; charset=utf-8';

/** A Tencent error body (HTTP 200 unless `status`). */
export function tencentError(
  ret: number,
  errcode: number,
  msg: string,
  status = 200,
): TencentReply {
  return new FakeReply(status, JSON.stringify({ data: null, errcode, msg, ret }), JSON_TYPE, {
    ret,
    errcode,
  });
}

/** A success carrying `data`. */
export function tencentOk(data: unknown): TencentOutcome {
  return {
    applied: true,
    reply: new FakeReply(200, JSON.stringify({ data, errcode: 0, msg: 'ok', ret: 0 }), JSON_TYPE, {
      ret: 0,
      errcode: 0,
    }),
  };
}

/** A refusal: nothing is applied. */
export function tencentRefusal(ret: number, errcode: number, msg: string): TencentOutcome {
  return { applied: false, reply: tencentError(ret, errcode, msg) };
}

/** The tweets and accounts the endpoint handlers read and change. */
export interface TencentContent extends MicroblogContent<
  TencentSettings,
  AccountState,
  TweetState
> {
  /** The `http://url.cn/XXXX` short link of a URL, the same one for the same URL. */
  readonly shortLink: (url: string) => string;
  /** What `user/info` says of an account besides its names (`setVerified`, `setLastPostAt`). */
  readonly profile: (openid: string) => TencentProfile;
  /**
   * The conversation: what citizens wrote (`addComment`, `addReply`, `addMention`) and the
   * accounts' replies and comments (`t/reply`, `t/comment`).
   */
  readonly inbox: InboxStore;
}

/** What `user/info` says of an account besides its names. */
export interface TencentProfile {
  /** `isvip`: verified. */
  verified: boolean;
  /** Platform time (ms) of the newest tweet made before the fake's own, if any. */
  earlierPostAt: number | undefined;
  /** `fansnum`: followers (`setFollowers`). */
  followers: number;
}

/** One admitted call to an endpoint. */
export interface TencentCall {
  readonly content: TencentContent;
  readonly endpoint: TencentEndpointName;
  readonly account: AccountState;
  readonly params: URLSearchParams;
  readonly picture: MultipartPart | undefined;
}

/** Seconds of a platform time, as Tencent writes times. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
