/**
 * The fake Weibo: accounts, tokens, statuses, limits and faults on the shared microblog shell,
 * with Weibo's routing, authentication, post rate limit and call limit. The endpoints themselves
 * live in `post-statuses.ts`, `read-statuses.ts`, `read-account.ts` and `read-inbox.ts`.
 */
import type { FakeAnswer } from '../../fake/protocol.js';
import { FakeReply } from '../../fake/fake-platform.js';
import {
  MicroblogPlatform,
  readMicroblogRequest,
  type MicroblogExchange,
  type MicroblogRequest,
} from '../../fake/microblog-platform.js';
import type { WeiboFault, WeiboFaultKind } from './faults.js';
import {
  InboxStore,
  mentionsName,
  timeOf,
  type CommentState,
  type MentionState,
  type WeiboComment,
  type WeiboCommentInit,
  type WeiboMention,
  type WeiboMentionInit,
} from './inbox-store.js';
import { commentsMentions, commentsShow, commentsToMe, statusesMentions } from './read-inbox.js';
import { commentsByMe, replyComment } from './reply-comments.js';
import { destroyStatus, postStatus, repostStatus } from './post-statuses.js';
import { accountUid, showUser, tokenInfo } from './read-account.js';
import { showStatus, userTimeline } from './read-statuses.js';
import { statusesCount } from './read-counts.js';
import {
  ENDPOINTS,
  resolveWeiboSettings,
  weiboSettingsFrom,
  type WeiboAccountInfo,
  type WeiboAccountInit,
  type WeiboEndpointName,
  type WeiboPlatformOptions,
  type WeiboSettings,
} from './settings.js';
import { statusSnapshot } from './status-json.js';
import {
  JSON_TYPE,
  weiboErrors,
  type AccountState,
  type StatusState,
  type TokenState,
  type WeiboCall,
  type WeiboContent,
  type WeiboErrorBuilder,
  type WeiboOutcome,
  type WeiboPost,
  type WeiboReply,
  type WeiboRequestRecord,
} from './state.js';

/**
 * A request as both fakes hand it to the Weibo protocol; `path` starts at the version, e.g.
 * `/2/statuses/share.json`.
 */
export type WeiboProtocolRequest = MicroblogRequest;

/** What a fake must do with a request. */
export type WeiboProtocolResponse = FakeAnswer;

/** A request as the Weibo fake has read it. */
interface WeiboExchange extends MicroblogExchange<WeiboEndpointName> {
  readonly token: { value: string | undefined; from: WeiboRequestRecord['tokenFrom'] };
  readonly tokenState: TokenState | undefined;
  readonly error: WeiboErrorBuilder;
}

interface WeiboShape {
  readonly settings: WeiboSettings;
  readonly options: WeiboPlatformOptions;
  readonly code: number;
  readonly account: AccountState;
  readonly accountInfo: WeiboAccountInfo;
  readonly exchange: WeiboExchange;
  readonly request: WeiboProtocolRequest;
  readonly record: WeiboRequestRecord;
  readonly token: TokenState;
  readonly post: StatusState;
  readonly snapshot: WeiboPost;
}

const HANDLERS: Readonly<Record<WeiboEndpointName, (call: WeiboCall) => WeiboOutcome>> = {
  'statuses/share': postStatus,
  'statuses/update': postStatus,
  'statuses/repost': repostStatus,
  'statuses/destroy': destroyStatus,
  'statuses/show': showStatus,
  'statuses/count': statusesCount,
  'statuses/user_timeline': userTimeline,
  'oauth2/get_token_info': tokenInfo,
  'account/get_uid': accountUid,
  'users/show': showUser,
  'comments/show': commentsShow,
  'comments/to_me': commentsToMe,
  'comments/mentions': commentsMentions,
  'statuses/mentions': statusesMentions,
  'comments/reply': replyComment,
  'comments/by_me': commentsByMe,
};

/**
 * The state of a fake Weibo: accounts, tokens, statuses, limits and faults. Drives the sandbox
 * server and the msw handlers through {@link handleWeiboRequest}.
 *
 * @example
 * const platform = new WeiboPlatform({ safeDomain: 'www.beijing.gov.cn' });
 * platform.addAccount({ uid: '2418724427', screenName: '北京发布', accessToken: 'token-1' });
 * platform.injectFault({ kind: 'drop-after-apply', endpoint: 'statuses/share' });
 */
export class WeiboPlatform extends MicroblogPlatform<WeiboEndpointName, WeiboFault, WeiboShape> {
  protected readonly jsonType = JSON_TYPE;
  readonly #content: WeiboContent;
  #nextShortLink = 100_000_000;
  readonly #inbox = new InboxStore();
  /** Attitudes set by `setAttitudes`, by status `idstr`. */
  readonly #attitudes = new Map<string, number>();
  /** Times (ms) of the calls counted by `requestLimit`, by account uid (or `ip`). */
  readonly #calls = new Map<string, number[]>();

  constructor(options: WeiboPlatformOptions = {}) {
    const settings = resolveWeiboSettings(options);
    super(
      settings,
      (fault: WeiboFault) => fault.uid,
      (status) => status.uid,
    );
    this.#content = {
      ...this.microblogContent(),
      nextShortLink: () => this.#nextShortLink++,
      inbox: this.#inbox,
      attitudes: this.#attitudes,
    };
  }

  /**
   * Seeds a comment by a citizen on a status the fake holds (one of an account's). It shows in
   * `comments/show` of the status, in `comments/to_me` of the status's owner (and of the author
   * of the comment it replies to), and in `comments/mentions` of every account it @. Its id comes
   * after every id given before.
   *
   * @throws Error when the status or the comment replied to is unknown.
   */
  addComment(init: WeiboCommentInit): WeiboComment {
    const status = this.posts.get(init.statusId);
    if (status === undefined) throw new Error(`no status ${init.statusId}`);
    if (init.replyToCommentId !== undefined) {
      const replied = this.#inbox.comment(init.replyToCommentId);
      if (replied?.statusId !== init.statusId) {
        throw new Error(`no comment ${init.replyToCommentId} on status ${init.statusId}`);
      }
    }
    const id = this.nextPostId();
    const comment: CommentState = {
      id,
      idstr: id.toString(),
      statusId: init.statusId,
      authorId: this.#inbox.authorUid(init.authorName, init.authorId),
      authorName: init.authorName,
      text: init.text,
      createdAt: timeOf(init.at, this.now()),
      replyToId: init.replyToCommentId,
    };
    this.#inbox.addComment(comment);
    return commentSnapshot(comment);
  }

  /**
   * Seeds a status by a citizen that @ one or more accounts by screen name; it shows in
   * `statuses/mentions` of each. Its id comes after every id given before.
   *
   * @throws Error when the text @ no registered account.
   */
  addMention(init: WeiboMentionInit): WeiboMention {
    const mentioned = this.#mentionedUids(init.text);
    if (mentioned.length === 0) throw new Error(`"${init.text}" mentions no registered account`);
    const id = this.nextPostId();
    const mention: MentionState = {
      id,
      idstr: id.toString(),
      authorId: this.#inbox.authorUid(init.authorName, init.authorId),
      authorName: init.authorName,
      text: init.text,
      createdAt: timeOf(init.at, this.now()),
    };
    this.#inbox.mentions.push(mention);
    return { ...mentionSnapshot(mention), mentions: mentioned };
  }

  /**
   * Sets the attitudes (likes) `statuses/count` reports for a status the fake holds; 0 until set.
   *
   * @throws Error when the status is unknown or `count` is not a whole number of at least 0.
   */
  setAttitudes(statusId: string, count: number): void {
    if (this.posts.get(statusId) === undefined) throw new Error(`no status ${statusId}`);
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`bad attitudes ${count}`);
    this.#attitudes.set(statusId, count);
  }

  /** Every seeded comment, oldest first. */
  comments(): WeiboComment[] {
    return this.#inbox.comments.map(commentSnapshot);
  }

  /** Every seeded mentioning status, oldest first. */
  mentions(): WeiboMention[] {
    return this.#inbox.mentions.map((mention) => ({
      ...mentionSnapshot(mention),
      mentions: this.#mentionedUids(mention.text),
    }));
  }

  #mentionedUids(text: string): string[] {
    return [...this.accountStates.values()]
      .filter((account) => mentionsName(text, account.screenName))
      .map((account) => account.uid);
  }

  /** Also forgets comments, mentions and the calls counted by `requestLimit`. */
  override reset(): void {
    this.#inbox.clear();
    this.#attitudes.clear();
    this.#calls.clear();
    super.reset();
  }

  /** Registers an account and its token. */
  addAccount(account: WeiboAccountInit): WeiboAccountInfo {
    if (!/^\d+$/.test(account.uid)) throw new TypeError(`uid must be digits, got "${account.uid}"`);
    const state: AccountState = {
      uid: account.uid,
      screenName: account.screenName,
      safeDomain: account.safeDomain,
      longTextAllowed: account.longTextAllowed ?? true,
      verified: account.verified ?? true,
      verifiedType: account.verifiedType ?? 1,
      earlierPostAt: undefined,
      followers: 0,
    };
    this.register(account.uid, state);
    this.addToken(account.uid, account.accessToken, account.tokenExpiresAt);
    return this.describeAccount(state);
  }

  /**
   * Adds another token for an account (a token of account B given to account A's credentials is
   * how a test ties a token to another identity). Without `expiresAt` it lives `tokenLifetimeMs`.
   */
  addToken(uid: string, accessToken: string, expiresAt?: number): void {
    if (!this.accountStates.has(uid)) throw new Error(`no account ${uid}`);
    const createdAt = this.now();
    this.tokens.set(accessToken, {
      uid,
      expiresAt: expiresAt ?? createdAt + this.settings.tokenLifetimeMs,
      createdAt,
      expired: false,
    });
  }

  /**
   * Sets when the account last posted before the fake's own posts (a time only: no status is
   * stored, so timelines and post counts are unchanged). `users/show` reports the newer of this
   * and the account's newest visible status. A time `days` back on the fake clock makes the
   * account dormant; `undefined` forgets it.
   */
  setLastPostAt(uid: string, at: Date | number | undefined): void {
    const account = this.#account(uid);
    account.earlierPostAt = at === undefined ? undefined : at instanceof Date ? at.getTime() : at;
  }

  /** Sets the account's followers (`users/show` `followers_count`, shown to the account itself). */
  setFollowers(uid: string, followers: number): void {
    if (!Number.isInteger(followers) || followers < 0)
      throw new RangeError(`bad followers ${followers}`);
    this.#account(uid).followers = followers;
  }

  /** Sets what `users/show` says of the account's verification (`verified_type` 1 = government). */
  setVerified(uid: string, verified: boolean, verifiedType = verified ? 1 : -1): void {
    const account = this.#account(uid);
    account.verified = verified;
    account.verifiedType = verifiedType;
  }

  #account(uid: string): AccountState {
    const account = this.accountStates.get(uid);
    if (account === undefined) throw new Error(`no account ${uid}`);
    return account;
  }

  // -- the steps of the dispatch ---------------------------------------------------------------

  protected settingsFrom(options: WeiboPlatformOptions): Partial<WeiboSettings> {
    return weiboSettingsFrom(options);
  }

  protected describeAccount(account: AccountState): WeiboAccountInfo {
    const { earlierPostAt, ...rest } = account;
    return {
      ...rest,
      earlierPostAt: earlierPostAt === undefined ? undefined : new Date(earlierPostAt),
    };
  }

  protected snapshot(status: StatusState): WeiboPost {
    return statusSnapshot(status);
  }

  protected keyOf(account: AccountState): string {
    return account.uid;
  }

  protected openExchange(request: WeiboProtocolRequest): WeiboExchange {
    const read = readMicroblogRequest(request, endpointOf);
    const token = readToken(request, read.body.params);
    return {
      ...read,
      token,
      tokenState: token.value === undefined ? undefined : this.tokens.get(token.value),
      error: weiboErrors(request.path),
    };
  }

  protected route(exchange: WeiboExchange): WeiboEndpointName | WeiboReply {
    const { endpoint, method, error } = exchange;
    // Routing: unknown API and wrong method. [unconfirmed: codes 10020/10021 are from the older
    // v2 table and are not in platforms.md]
    if (endpoint === undefined) return error(10020, `no API at ${exchange.path}`, 404);
    if (method !== ENDPOINTS[endpoint].method) {
      return error(10021, `HTTP method ${method} is not supported for this request`, 405);
    }
    return endpoint;
  }

  protected callerOf(exchange: WeiboExchange): string | undefined {
    return exchange.tokenState?.uid;
  }

  protected faultBeforeApply(fault: WeiboFault, exchange: WeiboExchange): WeiboReply | undefined {
    const { error } = exchange;
    switch (fault.kind) {
      case 'error-before-apply':
        return error(
          fault.errorCode ?? 10001,
          fault.errorText ?? 'injected error',
          fault.status ?? 400,
        );
      case 'token-expired':
        return error(21327, 'expired_token');
      default:
        return undefined;
    }
  }

  protected admit(exchange: WeiboExchange, endpoint: WeiboEndpointName): AccountState | WeiboReply {
    const { error, token, tokenState } = exchange;
    // Body encoding: writes are form-encoded (multipart when a picture is attached).
    if (exchange.method === 'POST' && exchange.body.encoding === 'unreadable') {
      return error(
        10016,
        'miss required parameter: the body must be application/x-www-form-urlencoded or multipart/form-data',
      );
    }
    // Authentication. [unconfirmed: 21332 for an unknown token, see platforms.md §6]
    if (token.value === undefined) return error(21301, 'auth failed: no access_token');
    if (tokenState === undefined) return error(21332, 'invalid_access_token');
    if (this.tokenExpired(tokenState)) return error(21327, 'expired_token');
    const account = this.accountStates.get(tokenState.uid);
    if (account === undefined) return error(21301, 'auth failed');
    const overCalls = this.#requestLimitReply(account.uid, error);
    if (overCalls !== undefined) return overCalls;
    if (ENDPOINTS[endpoint].creates) {
      const limited = this.#rateLimitReply(account.uid, error);
      if (limited !== undefined) return limited;
    }
    return account;
  }

  protected apply(
    exchange: WeiboExchange,
    endpoint: WeiboEndpointName,
    account: AccountState,
  ): WeiboOutcome {
    const visibleAfter = (): number => {
      const late = this.faults.peek(endpoint, account.uid, false);
      return late?.kind === 'delayed-20032'
        ? (late.visibleAfterMs ?? this.settings.acceptedVisibleAfterMs)
        : 0;
    };
    return HANDLERS[endpoint]({
      content: this.#content,
      endpoint,
      account,
      token: exchange.tokenState,
      params: exchange.params,
      picture: exchange.body.picture,
      refuse: (code, text, status) => ({
        applied: false,
        reply: exchange.error(code, text, status),
      }),
      visibleAfter,
    });
  }

  protected override faultAfterApply(
    fault: WeiboFault,
    _reply: WeiboReply,
    exchange: WeiboExchange,
  ): WeiboReply | undefined {
    // [unconfirmed] the HTTP status that comes with 20032; the adapter accepts any.
    if (fault.kind === 'delayed-20032') {
      return exchange.error(20032, 'posted; the server is slow, it shows up in 1-2 minutes', 400);
    }
    return undefined;
  }

  protected recordOf(
    exchange: WeiboExchange,
    reply: WeiboReply,
    fault: WeiboFaultKind | undefined,
  ): WeiboRequestRecord {
    return {
      ...this.requestBasics(exchange, reply, ['access_token']),
      uid: exchange.tokenState?.uid,
      tokenFrom: exchange.token.from,
      errorCode: reply.code,
      fault,
    };
  }

  /**
   * Counts the call against `requestLimit`, or refuses it when the window is full: `10023` per
   * account, `10022` per IP. A refused call is not counted.
   */
  #requestLimitReply(uid: string, error: WeiboErrorBuilder): WeiboReply | undefined {
    const limit = this.settings.requestLimit;
    if (limit === undefined) return undefined;
    const scope = limit.scope ?? 'account';
    const key = scope === 'ip' ? 'ip' : uid;
    const now = this.now();
    const recent = (this.#calls.get(key) ?? []).filter((at) => at > now - limit.windowMs);
    if (recent.length >= limit.calls) {
      this.#calls.set(key, recent);
      const reply =
        scope === 'ip'
          ? error(10022, 'IP requests out of rate limit')
          : error(10023, 'user requests out of rate limit');
      return limit.retryAfterSeconds === undefined
        ? reply
        : new FakeReply(reply.status, reply.body, reply.contentType, reply.code, {
            'retry-after': String(limit.retryAfterSeconds),
          });
    }
    recent.push(now);
    this.#calls.set(key, recent);
    return undefined;
  }

  /** The refusal of a post over the account's limit (20016 or 10023), if it is over. */
  #rateLimitReply(uid: string, error: WeiboErrorBuilder): WeiboReply | undefined {
    const limit = this.settings.rateLimit;
    if (!this.overPostLimit(uid, limit) || limit === undefined) return undefined;
    const code = limit.errorCode ?? 20016;
    const reply = error(
      code,
      code === 20016 ? 'posting too frequently' : 'user requests out of rate limit',
    );
    return limit.retryAfterSeconds === undefined
      ? reply
      : new FakeReply(reply.status, reply.body, reply.contentType, reply.code, {
          'retry-after': String(limit.retryAfterSeconds),
        });
  }
}

function commentSnapshot(comment: CommentState): WeiboComment {
  return {
    id: comment.idstr,
    statusId: comment.statusId,
    authorId: comment.authorId,
    authorName: comment.authorName,
    text: comment.text,
    createdAt: new Date(comment.createdAt),
    replyToId: comment.replyToId,
  };
}

function mentionSnapshot(mention: MentionState): Omit<WeiboMention, 'mentions'> {
  return {
    id: mention.idstr,
    authorId: mention.authorId,
    authorName: mention.authorName,
    text: mention.text,
    createdAt: new Date(mention.createdAt),
  };
}

function endpointOf(path: string): WeiboEndpointName | undefined {
  // The OAuth endpoints sit beside the versioned API, without `.json`.
  if (path === '/oauth2/get_token_info') return 'oauth2/get_token_info';
  const match = /^\/2\/([a-z_]+\/[a-z_]+)\.json$/.exec(path);
  const name = match?.[1];
  return name !== undefined && name in ENDPOINTS ? (name as WeiboEndpointName) : undefined;
}

function readToken(request: WeiboProtocolRequest, body: URLSearchParams): WeiboExchange['token'] {
  const inQuery = request.query.get('access_token');
  if (inQuery !== null && inQuery !== '') return { value: inQuery, from: 'query' };
  const inBody = body.get('access_token');
  if (inBody !== null && inBody !== '') return { value: inBody, from: 'body' };
  const header = /^OAuth2\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (header !== undefined) return { value: header, from: 'header' };
  return { value: undefined, from: 'none' };
}
