/**
 * What the two microblogs (Weibo, Tencent Weibo) add to the {@link FakePlatform} shell: bearer
 * tokens that may expire, posts kept in a {@link PostStore} with ids that keep growing, a post rate
 * limit per account, short links, form bodies, and the inspection API over posts. Internal to the
 * fakes: not re-exported.
 */
import {
  FakePlatform,
  resolveFakeSettings,
  type FakeFault,
  type FakePlatformOptions,
  type FakeSettings,
  type FakeShape,
} from './fake-platform.js';
import {
  FaultQueue,
  PostStore,
  parseContentType,
  parseMultipart,
  type MultipartPart,
  type StoredPost,
} from './platform.js';
import type { FakeRequest } from './protocol.js';

/** A request as both fakes hand it to a microblog's protocol, the body as text (`''` if none). */
export interface MicroblogRequest extends FakeRequest<string> {
  /** Content type; defaults to `headers['content-type']`. */
  readonly contentType?: string | undefined;
}

/** What both microblogs read from every request. */
export interface MicroblogExchange<Endpoint extends string> {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: FormBody;
  /** Query and body parameters together (the body wins). */
  readonly params: URLSearchParams;
  readonly endpoint: Endpoint | undefined;
}

/** The fault kinds both microblogs inject; Weibo adds `delayed-20032`. */
export type MicroblogFaultKind =
  | '5xx-before-apply'
  | 'error-before-apply'
  | 'token-expired'
  | 'html-200'
  | 'drop-after-apply'
  | 'timeout-after-apply'
  | 'truncated-after-apply';

/** A token of a microblog account. */
export interface BearerToken {
  readonly expiresAt: number | undefined;
  /** Made to expire by `expireToken`. */
  expired: boolean;
}

/** A post of a microblog. */
export interface MicroblogPost extends StoredPost {
  readonly id: bigint;
  readonly createdAt: number;
}

/** What a post says and where it comes from, alike in a microblog's state and its inspection API. */
export interface MicroblogPostOrigin<Kind extends string, Endpoint extends string> {
  /** Text as reads show it (links shortened when `shortenLinks` is on). */
  readonly text: string;
  /** Text exactly as sent. */
  readonly sentText: string;
  readonly kind: Kind;
  /** For a repost or relay: the id of the post passed on. */
  readonly sourceId: string | undefined;
  readonly endpoint: Endpoint;
}

/** A post as a microblog keeps it. */
export interface MicroblogPostState<Kind extends string, Endpoint extends string>
  extends MicroblogPost, MicroblogPostOrigin<Kind, Endpoint> {
  deleted: boolean;
}

/**
 * The fields the inspection API shows of every post: its id (`idstr`), what it says and where
 * it comes from, whether it is deleted, and when it was made.
 */
export function postSnapshot<Kind extends string, Endpoint extends string>(
  post: MicroblogPostState<Kind, Endpoint>,
) {
  return {
    id: post.idstr,
    text: post.text,
    sentText: post.sentText,
    kind: post.kind,
    sourceId: post.sourceId,
    endpoint: post.endpoint,
    deleted: post.deleted,
    createdAt: new Date(post.createdAt),
  };
}

/**
 * The fields every new post of a microblog has: the next id, the text as sent and as shown
 * (`shorten` applied when the platform shortens links), the origin, and the time it was made.
 */
export function newPostFields<Kind extends string, Endpoint extends string>(
  content: {
    readonly settings: () => { readonly shortenLinks: boolean };
    readonly now: () => number;
    readonly nextPostId: () => bigint;
  },
  origin: Omit<MicroblogPostOrigin<Kind, Endpoint>, 'text'>,
  shorten: (text: string) => string,
): MicroblogPostState<Kind, Endpoint> {
  const id = content.nextPostId();
  const { sentText } = origin;
  return {
    id,
    idstr: id.toString(),
    text: content.settings().shortenLinks ? shorten(sentText) : sentText,
    sentText,
    kind: origin.kind,
    sourceId: origin.sourceId,
    endpoint: origin.endpoint,
    createdAt: content.now(),
    deleted: false,
  };
}

/** Counters of a microblog. */
export interface MicroblogCounts {
  readonly requests: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** Posts ever created (deleted included). */
  readonly posts: number;
  readonly livePosts: number;
  readonly faultsApplied: number;
}

/** Posts one account may make per window before the platform refuses. */
export interface PostWindow {
  readonly posts: number;
  readonly windowMs: number;
}

/** The settings both microblogs have, with the defaults filled in. */
export interface MicroblogSettings<RateLimit> extends FakeSettings {
  /** Per-account post limit; none when `undefined`. */
  readonly rateLimit: RateLimit | undefined;
  /** Id of the first post; fixed at construction. */
  readonly firstPostId: bigint;
  /** Show links in reads as the platform's short links. */
  readonly shortenLinks: boolean;
  /** Refuse a post that repeats the account's live text (the platform's duplicate check). */
  readonly refuseRepeats: boolean;
}

/** Fills in the defaults of {@link MicroblogSettings}: `firstPostId` and the default of `shortenLinks`. */
export function resolveMicroblogSettings<RateLimit>(
  options: FakePlatformOptions & {
    readonly rateLimit?: RateLimit | undefined;
    readonly shortenLinks?: boolean;
    readonly refuseRepeats?: boolean;
  },
  defaults: { readonly firstPostId: bigint; readonly shortenLinks: boolean },
): MicroblogSettings<RateLimit> {
  return {
    ...resolveFakeSettings(options),
    rateLimit: options.rateLimit,
    firstPostId: defaults.firstPostId,
    shortenLinks: options.shortenLinks ?? defaults.shortenLinks,
    refuseRepeats: options.refuseRepeats ?? true,
  };
}

/** The types a microblog fills in besides those of {@link FakeShape}. */
export interface MicroblogShape extends FakeShape {
  readonly settings: MicroblogSettings<unknown>;
  readonly token: BearerToken;
  readonly post: MicroblogPost;
  /** A post as the inspection API shows it. */
  readonly snapshot: { readonly deleted: boolean };
}

/** The posts and accounts the endpoint handlers of a microblog read and change. */
export interface MicroblogContent<Settings, Account, Post extends MicroblogPost> {
  readonly settings: () => Settings;
  readonly accounts: ReadonlyMap<string, Account>;
  readonly posts: PostStore<Post>;
  readonly now: () => number;
  /** The id of the next post. */
  readonly nextPostId: () => bigint;
}

/** The fault kinds of a microblog that act before the request is applied. */
const BEFORE_APPLY: ReadonlySet<string> = new Set([
  '5xx-before-apply',
  'error-before-apply',
  'token-expired',
  'html-200',
]);

/** The common body of the Weibo and Tencent Weibo fakes. */
export abstract class MicroblogPlatform<
  Endpoint extends string,
  Fault extends FakeFault<Endpoint>,
  Shape extends MicroblogShape,
> extends FakePlatform<Endpoint, Fault, Shape> {
  protected readonly tokens = new Map<string, Shape['token']>();
  protected readonly posts: PostStore<Shape['post']>;
  #nextId: bigint;

  protected constructor(
    settings: Shape['settings'],
    faultAccount: (fault: Fault) => string | undefined,
    postAccount: (post: Shape['post']) => string,
  ) {
    super(
      settings,
      new FaultQueue<Fault, Endpoint>({
        beforeApply: BEFORE_APPLY,
        accountOf: faultAccount,
      }),
    );
    this.posts = new PostStore<Shape['post']>(postAccount);
    this.#nextId = settings.firstPostId;
  }

  /** What the endpoint handlers work on; a platform adds its own helpers. */
  protected microblogContent(): MicroblogContent<
    Shape['settings'],
    Shape['account'],
    Shape['post']
  > {
    return {
      settings: () => this.settings,
      accounts: this.accountStates,
      posts: this.posts,
      now: () => this.now(),
      nextPostId: () => this.nextPostId(),
    };
  }

  /** A post as the inspection API shows it. */
  protected abstract snapshot(post: Shape['post']): Shape['snapshot'];

  /** Makes a token expire now: every call with it is refused as expired. */
  expireToken(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token === undefined) throw new Error('unknown token');
    token.expired = true;
  }

  /** Posts of one account, oldest first, deleted ones included. */
  postsOf(account: string): Shape['snapshot'][] {
    return this.posts.of(account).map((post) => this.snapshot(post));
  }

  /** Posts of one account that are not deleted, oldest first. */
  livePostsOf(account: string): Shape['snapshot'][] {
    return this.postsOf(account).filter((post) => !post.deleted);
  }

  /** Every post, oldest first. */
  allPosts(): Shape['snapshot'][] {
    return this.posts.all().map((post) => this.snapshot(post));
  }

  /** One post by its id. */
  post(id: string): Shape['snapshot'] | undefined {
    const post = this.posts.get(id);
    return post === undefined ? undefined : this.snapshot(post);
  }

  /** Counters. */
  counts(): MicroblogCounts {
    return {
      requests: this.log.size,
      byEndpoint: this.log.byEndpoint(),
      posts: this.posts.size,
      livePosts: this.posts.liveCount(),
      faultsApplied: this.faults.applied,
    };
  }

  /**
   * Forgets posts, faults, the request log, rate windows, expired-token marks and the clock
   * offset. Accounts, tokens and settings stay; ids keep growing so old ids never come back.
   */
  override reset(): void {
    this.posts.clear();
    super.reset();
    for (const token of this.tokens.values()) token.expired = false;
  }

  /**
   * What both microblogs log of every request: when, the method, path, endpoint and content
   * type, the parameters without the `secret` ones, and the status of the reply.
   */
  protected requestBasics(
    exchange: MicroblogExchange<Endpoint>,
    reply: { readonly status: number },
    secret: readonly string[],
  ) {
    return {
      at: new Date(this.now()),
      method: exchange.method,
      path: exchange.path,
      endpoint: exchange.endpoint,
      contentType: exchange.contentType,
      params: loggedParams(exchange.params, secret),
      status: reply.status,
    };
  }

  /** The id of the next post. */
  protected nextPostId(): bigint {
    const id = this.#nextId;
    this.#nextId += 1n;
    return id;
  }

  /** Whether a token has expired, by `expireToken` or by its time. */
  protected tokenExpired(token: BearerToken): boolean {
    return token.expired || (token.expiresAt !== undefined && this.now() >= token.expiresAt);
  }

  /** Whether an account has used up its posts of the current window. */
  protected overPostLimit(account: string, limit: PostWindow | undefined): boolean {
    if (limit === undefined) return false;
    const since = this.now() - limit.windowMs;
    const recent = this.posts.of(account).filter((post) => post.createdAt > since).length;
    return recent >= limit.posts;
  }
}

/** A number in base 62 (`0-9a-zA-Z`), the code of a short link. */
export function base62(value: number): string {
  let rest = value;
  let code = '';
  while (rest > 0) {
    code = `${BASE62[rest % 62] ?? '0'}${code}`;
    rest = Math.floor(rest / 62);
  }
  return code;
}

const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A microblog write body: form-encoded, or multipart with a picture in the field `pic`. */
export interface FormBody {
  readonly params: URLSearchParams;
  readonly picture: MultipartPart | undefined;
  /** `none` for a request without a body (or a GET); `unreadable` for any other encoding. */
  readonly encoding: 'form' | 'multipart' | 'none' | 'unreadable';
}

/** Reads the body of a microblog write. */
export function parseFormBody(
  method: string,
  body: string,
  contentType: string | undefined,
): FormBody {
  const none: FormBody = { params: new URLSearchParams(), picture: undefined, encoding: 'none' };
  if (method !== 'POST') return none;
  const { type, boundary } = parseContentType(contentType);
  if (type === 'application/x-www-form-urlencoded') {
    return { params: new URLSearchParams(body), picture: undefined, encoding: 'form' };
  }
  if (type === 'multipart/form-data' && boundary !== undefined) {
    const params = new URLSearchParams();
    let picture: MultipartPart | undefined;
    for (const part of parseMultipart(body, boundary)) {
      if (part.name === 'pic' && part.filename !== undefined) picture = part;
      else params.append(part.name, part.value);
    }
    return { params, picture, encoding: 'multipart' };
  }
  return body.length === 0 ? none : { ...none, encoding: 'unreadable' };
}

/** Reads what both microblogs read from a request: method, body, parameters and endpoint. */
export function readMicroblogRequest<Endpoint extends string>(
  request: MicroblogRequest,
  endpointOf: (path: string) => Endpoint | undefined,
): MicroblogExchange<Endpoint> {
  const method = request.method.toUpperCase();
  const contentType = request.contentType ?? request.headers['content-type'];
  const body = parseFormBody(method, request.body, contentType);
  const params = new URLSearchParams(request.query);
  for (const [name, value] of body.params) params.set(name, value);
  return {
    method,
    path: request.path,
    contentType,
    body,
    params,
    endpoint: endpointOf(request.path),
  };
}

/** The parameters of a request as the log shows them, without the secret ones. */
export function loggedParams(
  params: URLSearchParams,
  secret: readonly string[],
): Record<string, string> {
  const logged: Record<string, string> = {};
  for (const [name, value] of params) if (!secret.includes(name)) logged[name] = value;
  return logged;
}
