/** What the WeChat fake shows to tests: drafts, articles, jobs, mass sends, uploads, requests. */
import type { WechatFaultKind } from './faults.js';
import type { WechatEndpointName } from './settings.js';

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
  /** For a send to a tag (`is_to_all: false`): the tag's id. */
  readonly tagId: number | undefined;
  /** For a send to a tag: the openids that carried the tag when it was sent (its recipients). */
  readonly recipients: readonly string[] | undefined;
  readonly createdAt: Date;
  readonly status: 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL' | 'DELETE';
  /** Waiting for the admin (mass-send protection). */
  readonly awaitingConfirmation: boolean;
  readonly confirmDeadline: Date | undefined;
}

/** A follower tag of an account (platforms-listening.md §3.5). */
export interface WechatTagInfo {
  readonly appid: string;
  readonly id: number;
  readonly name: string;
  /** Followers that carry the tag, as `tags/get` counts them. */
  readonly count: number;
  readonly followers: readonly string[];
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

/** A customer-service message the platform took (platforms-listening.md §3.1). */
export interface WechatCustomMessageInfo {
  readonly appid: string;
  readonly openid: string;
  readonly msgtype: string;
  /** The text of a `text` message. */
  readonly text: string | undefined;
  readonly at: Date;
}

/** One day of an article's statistics to seed: that day's own figures, not cumulative. */
export interface WechatArticleDayInit {
  /** The day, `YYYY-MM-DD` in UTC+8. */
  readonly date: string;
  /** Reads in WeChat (`int_page_read_count`). */
  readonly reads: number;
  /** @default reads */
  readonly readUsers?: number;
  /** Reads of the original link (`ori_page_read_count`). @default 0 */
  readonly originalReads?: number;
  /** Shares (`share_count`). */
  readonly shares: number;
  /** @default shares */
  readonly shareUsers?: number;
  /** Added to favourites (`add_to_fav_count`). @default 0 */
  readonly favs?: number;
}

/** The statistics of one mass-sent article to seed (platforms-listening.md §3.3). */
export interface WechatArticleStatsInit {
  readonly appid: string;
  /** `"<msg_data_id>_<index>"`, index 1-based. */
  readonly msgid: string;
  readonly title: string;
  /**
   * The day it was sent, `YYYY-MM-DD` in UTC+8. @default the day of the mass send with that
   * `msg_data_id`
   */
  readonly refDate?: string;
  /** Followers it was delivered to (`target_user`). @default 0 */
  readonly targetUser?: number;
  readonly days: readonly WechatArticleDayInit[];
}
