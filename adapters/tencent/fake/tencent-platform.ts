/**
 * The fake Tencent Weibo: accounts, tokens, tweets, limits and faults on the shared microblog
 * shell, with Tencent's routing, body encodings, `format=json`, OAuth parameters, `clientip` and
 * post rate limit. The endpoints themselves live in `post-tweets.ts` and `read-timeline.ts`.
 */
import type { FakeAnswer } from '../../fake/protocol.js';
import { FakeReply } from '../../fake/fake-platform.js';
import {
  MicroblogPlatform,
  postSnapshot,
  base62,
  readMicroblogRequest,
  type MicroblogExchange,
  type MicroblogRequest,
} from '../../fake/microblog-platform.js';
import { clientIpProblem } from '../client-ip.js';
import type { TencentFault, TencentFaultKind } from './faults.js';
import { addTweet, deleteTweet, relayTweet } from './post-tweets.js';
import { broadcastTimeline, userInfo } from './read-timeline.js';
import {
  InboxStore,
  citizenOpenid,
  conversationSnapshot,
  mentionsName,
  timeOf,
  type ConversationKind,
  type TencentCommentInit,
  type TencentConversationTweet,
  type TencentMentionInit,
} from './inbox-store.js';
import { mentionsTimeline, reList } from './read-inbox.js';
import { reCount } from './read-counts.js';
import { answerTweet } from './reply-tweets.js';
import { findTweet } from './tweet-json.js';
import {
  ENDPOINTS,
  TENCENT_OAUTH_PARAMETERS,
  resolveTencentSettings,
  tencentSettingsFrom,
  type TencentAccountInfo,
  type TencentAccountInit,
  type TencentEndpointName,
  type TencentPlatformOptions,
  type TencentSettings,
} from './settings.js';
import {
  JSON_TYPE,
  tencentError as error,
  type AccountState,
  type TencentCall,
  type TencentCode,
  type TencentContent,
  type TencentOAuthPlacement,
  type TencentOutcome,
  type TencentProfile,
  type TencentReply,
  type TencentRequestRecord,
  type TencentTweet,
  type TokenState,
  type TweetState,
} from './state.js';

/**
 * A request as both fakes hand it to the Tencent Weibo protocol; `path` starts at `/api/`, e.g.
 * `/api/t/add`.
 */
export type TencentProtocolRequest = MicroblogRequest;

/** What a fake must do with a request. */
export type TencentProtocolResponse = FakeAnswer;

/** A request as the Tencent Weibo fake has read it. */
interface TencentExchange extends MicroblogExchange<TencentEndpointName> {
  readonly oauthFrom: TencentOAuthPlacement;
  readonly tokenState: TokenState | undefined;
}

interface TencentShape {
  readonly settings: TencentSettings;
  readonly options: TencentPlatformOptions;
  readonly code: TencentCode;
  readonly account: AccountState;
  readonly accountInfo: TencentAccountInfo;
  readonly exchange: TencentExchange;
  readonly request: TencentProtocolRequest;
  readonly record: TencentRequestRecord;
  readonly token: TokenState;
  readonly post: TweetState;
  readonly snapshot: TencentTweet;
}

const HANDLERS: Readonly<Record<TencentEndpointName, (call: TencentCall) => TencentOutcome>> = {
  't/add': addTweet,
  't/add_pic': addTweet,
  't/re_add': relayTweet,
  't/del': deleteTweet,
  'statuses/broadcast_timeline': broadcastTimeline,
  'user/info': userInfo,
  't/reply': answerTweet,
  't/comment': answerTweet,
  'statuses/mentions_timeline': mentionsTimeline,
  't/re_list': reList,
  't/re_count': reCount,
};

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
export class TencentPlatform extends MicroblogPlatform<
  TencentEndpointName,
  TencentFault,
  TencentShape
> {
  protected readonly jsonType = JSON_TYPE;
  readonly #content: TencentContent;
  readonly #shortLinks = new Map<string, string>();
  readonly #inbox = new InboxStore();
  // From 62^3 = 238 328 on, every code has 4 characters: `url.cn/` plus 4 makes the 11 bytes
  // counted per URL [derived].
  #nextShortLink = 250_000;

  constructor(options: TencentPlatformOptions = {}) {
    const settings = resolveTencentSettings(options);
    super(
      settings,
      (fault: TencentFault) => fault.openid,
      (tweet) => tweet.openid,
    );
    this.#content = {
      ...this.microblogContent(),
      shortLink: (url) => this.#shortLink(url),
      profile: (openid) => this.#profile(openid),
      inbox: this.#inbox,
    };
  }

  /**
   * Seeds a citizen's comment ("点评", type 7) on a tweet the fake holds. It shows in the
   * `statuses/mentions_timeline` of the tweet's author (type bit 0x40), in `t/re_list` of the
   * tweet (`flag` 1 or 2), in its `mcount`, and as a mention of every account it @. Its id comes
   * after every id given before; its time is `at` (default now), whatever the order of ids.
   *
   * @throws Error when the tweet is unknown.
   */
  addComment(init: TencentCommentInit): TencentConversationTweet {
    return this.#addAnswer('comment', init);
  }

  /**
   * Seeds a citizen's reply ("回复", type 4) to a tweet the fake holds. It shows in the
   * `statuses/mentions_timeline` of the tweet's author (type bit 0x8).
   *
   * @throws Error when the tweet is unknown.
   */
  addReply(init: TencentCommentInit): TencentConversationTweet {
    return this.#addAnswer('reply', init);
  }

  /**
   * Seeds a citizen's original tweet that @ one or more accounts by name; it shows in the
   * `statuses/mentions_timeline` of each (type bits 0x20 | 0x1).
   *
   * @throws Error when the text @ no registered account.
   */
  addMention(init: TencentMentionInit): TencentConversationTweet {
    const named = [...this.accountStates.values()].some((account) =>
      mentionsName(init.text, account.name),
    );
    if (!named) throw new Error(`"${init.text}" mentions no registered account`);
    return this.#addCitizenTweet('mention', undefined, init);
  }

  #addAnswer(kind: ConversationKind, init: TencentCommentInit): TencentConversationTweet {
    if (findTweet(this.#content, init.postId) === undefined) {
      throw new Error(`no tweet ${init.postId}`);
    }
    return this.#addCitizenTweet(kind, init.postId, init);
  }

  #addCitizenTweet(
    kind: ConversationKind,
    sourceId: string | undefined,
    init: TencentMentionInit,
  ): TencentConversationTweet {
    const id = this.nextPostId();
    const tweet = {
      id,
      idstr: id.toString(),
      kind,
      sourceId,
      name: init.author,
      nick: init.nick ?? init.author,
      openid: citizenOpenid(init.author),
      text: init.text,
      sentText: init.text,
      createdAt: timeOf(init.at, this.now()),
      byAccount: false,
      endpoint: undefined,
    };
    this.#inbox.add(tweet);
    return conversationSnapshot(tweet);
  }

  /**
   * The conversation as the platform holds it, in the order it was written: citizens' comments,
   * replies and mentions, and the accounts' answers (`t/reply`, `t/comment`).
   */
  conversation(): TencentConversationTweet[] {
    return this.#inbox.tweets.map(conversationSnapshot);
  }

  /** The answers (`t/reply` and `t/comment`) accounts wrote to tweet `id`, oldest first. */
  answersTo(id: string): TencentConversationTweet[] {
    return this.conversation().filter((tweet) => tweet.byAccount && tweet.postId === id);
  }

  /** Sets the followers `user/info` shows (`fansnum`); 0 until set. */
  setFollowers(openid: string, followers: number): void {
    if (!Number.isInteger(followers) || followers < 0) {
      throw new RangeError(`followers must be a whole number of at least 0, got ${followers}`);
    }
    this.#profile(openid).followers = followers;
  }

  /** Also forgets the conversation. */
  override reset(): void {
    this.#inbox.clear();
    super.reset();
  }

  /** Registers an account and its token. */
  addAccount(account: TencentAccountInit): TencentAccountInfo {
    if (!/^[0-9A-Za-z]{1,64}$/.test(account.openid)) {
      throw new TypeError(`openid must be letters and digits, got "${account.openid}"`);
    }
    const state: AccountState = {
      openid: account.openid,
      name: account.name,
      nick: account.nick ?? account.name,
    };
    this.register(account.openid, state);
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
    if (!this.accountStates.has(openid)) throw new Error(`no account ${openid}`);
    const appKey =
      options.appKey ?? [...this.tokens.values()].find((token) => token.openid === openid)?.appKey;
    if (appKey === undefined) throw new Error('appKey is required for the first token');
    this.tokens.set(accessToken, {
      openid,
      appKey,
      expiresAt: options.expiresAt,
      expired: false,
    });
  }

  /** Sets whether `user/info` shows the account as verified (`isvip`). */
  setVerified(openid: string, verified: boolean): void {
    this.#profile(openid).verified = verified;
  }

  /**
   * Sets when the account last tweeted before the fake's own tweets (a time only: no tweet is
   * stored, so timelines and counts are unchanged). `user/info.tweetinfo` shows the newer of this
   * and the newest own tweet. A time `days` back on the fake clock makes the account dormant.
   */
  setLastPostAt(openid: string, at: Date | number | undefined): void {
    this.#profile(openid).earlierPostAt =
      at === undefined ? undefined : at instanceof Date ? at.getTime() : at;
  }

  readonly #profiles = new Map<string, TencentProfile>();

  #profile(openid: string): TencentProfile {
    if (!this.accountStates.has(openid)) throw new Error(`no account ${openid}`);
    let profile = this.#profiles.get(openid);
    if (profile === undefined) {
      profile = { verified: true, earlierPostAt: undefined, followers: 0 };
      this.#profiles.set(openid, profile);
    }
    return profile;
  }

  /** Puts a tweet under review (relaying it gets `ret=4 errcode=12`) or releases it. */
  setUnderReview(id: string, underReview = true): void {
    const tweet = this.posts.get(id);
    if (tweet === undefined) throw new Error(`no tweet ${id}`);
    tweet.underReview = underReview;
  }

  // -- the steps of the dispatch ---------------------------------------------------------------

  protected settingsFrom(options: TencentPlatformOptions): Partial<TencentSettings> {
    return tencentSettingsFrom(options);
  }

  protected describeAccount(account: AccountState): TencentAccountInfo {
    return { ...account };
  }

  protected snapshot(tweet: TweetState): TencentTweet {
    return {
      ...postSnapshot(tweet),
      openid: tweet.openid,
      underReview: tweet.underReview,
      hasPicture: tweet.hasPicture,
    };
  }

  protected keyOf(account: AccountState): string {
    return account.openid;
  }

  protected openExchange(request: TencentProtocolRequest): TencentExchange {
    const read = readMicroblogRequest(request, endpointOf);
    const tokenValue = read.params.get('access_token') ?? '';
    return {
      ...read,
      oauthFrom: placementOf(request.query, read.body.params),
      tokenState: tokenValue === '' ? undefined : this.tokens.get(tokenValue),
    };
  }

  protected route(exchange: TencentExchange): TencentEndpointName | TencentReply {
    const { endpoint, method } = exchange;
    // Routing. [unconfirmed] How Tencent answered an unknown API or a wrong method: the fake
    // answers in its error envelope with ret=1 (parameter error).
    if (endpoint === undefined) return error(1, 0, `no API at ${exchange.path}`, 404);
    const rule = ENDPOINTS[endpoint];
    if (method !== rule.method && !(method === 'POST' && rule.alsoPost === true)) {
      return error(1, 0, `HTTP method ${method} is not supported: use ${rule.method}`);
    }
    return endpoint;
  }

  protected callerOf(exchange: TencentExchange): string | undefined {
    return exchange.tokenState?.openid ?? exchange.params.get('openid') ?? undefined;
  }

  protected faultBeforeApply(fault: TencentFault): TencentReply | undefined {
    switch (fault.kind) {
      case 'error-before-apply':
        return error(
          fault.ret ?? 4,
          fault.errcode ?? 0,
          fault.msg ?? 'injected error',
          fault.status,
        );
      case 'token-expired':
        return error(3, 4, 'access_token expired');
      default:
        return undefined;
    }
  }

  protected admit(
    exchange: TencentExchange,
    endpoint: TencentEndpointName,
  ): AccountState | TencentReply {
    const rule = ENDPOINTS[endpoint];
    // Body encoding: form-urlencoded, multipart for t/add_pic.
    if (exchange.method === 'POST' && exchange.body.encoding !== rule.encoding) {
      const wanted =
        rule.encoding === 'multipart' ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
      return error(1, 0, `parameter error: the body must be ${wanted}`);
    }
    // Reply format. [derived] Tencent also spoke XML; the fake speaks JSON only and refuses a call
    // without `format=json` rather than guess.
    const format = exchange.params.get('format');
    if (format !== 'json') {
      return error(
        1,
        0,
        format === null ? 'missing parameter format' : `format ${format} is not served here`,
      );
    }
    const account = this.#checkOAuth(exchange);
    if (account instanceof FakeReply) return account;
    // Post rate limit per account: its tweets and its answers (replies, comments) together.
    if (rule.creates && this.#overTweetLimit(account.openid)) {
      return this.settings.rateLimit?.reply === 'ret-2'
        ? error(2, 0, 'access rate limit')
        : error(4, 10, 'publishing too fast');
    }
    return account;
  }

  protected apply(
    exchange: TencentExchange,
    endpoint: TencentEndpointName,
    account: AccountState,
  ): TencentOutcome {
    return HANDLERS[endpoint]({
      content: this.#content,
      endpoint,
      account,
      params: exchange.params,
      picture: exchange.body.picture,
    });
  }

  protected recordOf(
    exchange: TencentExchange,
    reply: TencentReply,
    fault: TencentFaultKind | undefined,
  ): TencentRequestRecord {
    return {
      ...this.requestBasics(exchange, reply, ['access_token', 'oauth_consumer_key']),
      openid: exchange.tokenState?.openid,
      oauthFrom: exchange.oauthFrom,
      ret: reply.code?.ret,
      errcode: reply.code?.errcode,
      fault,
    };
  }

  /**
   * The OAuth parameters, in the query or the body [unconfirmed which one Tencent preferred],
   * and `clientip`: the account they name, or the refusal.
   *
   * [unconfirmed] The codes of these refusals: ret=3 with errcode 7 ("parameter error"),
   * 5 (wrong oauth version), 3 (no such token), 4 (expired), 1 (invalid token).
   */
  #checkOAuth(exchange: TencentExchange): AccountState | TencentReply {
    const { params, tokenState } = exchange;
    for (const name of TENCENT_OAUTH_PARAMETERS) {
      const value = params.get(name);
      if (value === null || value === '') return error(3, 7, `missing oauth parameter ${name}`);
    }
    if (params.get('oauth_version') !== '2.a') {
      return error(3, 5, 'wrong oauth_version: expected 2.a');
    }
    if (params.get('scope') !== 'all') return error(3, 7, 'wrong scope: expected all');
    if (tokenState === undefined) return error(3, 3, 'access_token does not exist');
    if (this.tokenExpired(tokenState)) return error(3, 4, 'access_token expired');
    if (params.get('oauth_consumer_key') !== tokenState.appKey) {
      return error(3, 1, 'access_token was not issued to this oauth_consumer_key');
    }
    if (params.get('openid') !== tokenState.openid) {
      return error(3, 1, 'access_token does not belong to this openid');
    }
    // [unconfirmed] The code for a refused clientip: ret=1 (parameter error).
    const ipProblem = clientIpProblem(params.get('clientip') ?? '');
    if (ipProblem !== undefined) return error(1, 0, `clientip invalid: ${ipProblem}`);
    const account = this.accountStates.get(tokenState.openid);
    return account ?? error(3, 1, 'access_token invalid');
  }

  /**
   * Whether the account has used up its tweets of the current window, counting its posts and
   * relays and its answers (`t/reply`, `t/comment`): on Tencent an answer is a tweet too [derived].
   */
  #overTweetLimit(openid: string): boolean {
    const limit = this.settings.rateLimit;
    if (limit === undefined) return false;
    const since = this.now() - limit.windowMs;
    const posts = this.posts.of(openid).filter((tweet) => tweet.createdAt > since).length;
    const answers = this.#inbox.tweets.filter(
      (tweet) => tweet.byAccount && tweet.openid === openid && tweet.createdAt > since,
    ).length;
    return posts + answers >= limit.posts;
  }

  /** The `http://url.cn/XXXX` short link of a URL, the same one for the same URL. */
  #shortLink(url: string): string {
    let short = this.#shortLinks.get(url);
    if (short === undefined) {
      short = `http://url.cn/${base62(this.#nextShortLink++)}`;
      this.#shortLinks.set(url, short);
    }
    return short;
  }
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
