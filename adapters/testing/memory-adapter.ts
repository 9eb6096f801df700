/**
 * An in-process adapter with scripted faults: for testing code built on release-hall without any
 * HTTP, and for measuring the core alone. It keeps its posts in memory and can be told to fail the
 * next calls in the ways real platforms fail.
 */
import {
  ADAPTER_SPECIFICATION_VERSION,
  type Account,
  type Adapter,
  type AdapterLimits,
  type DeliveryContext,
  type DeliveryDescriptor,
  type FindExistingResult,
  type PostRef,
  type PublishResult,
  type Rendition,
  ReleaseHallError,
  type RetractResult,
} from '#core';

/** A fault the memory adapter applies to the next matching write. */
export type MemoryFault =
  /** Not applied; the call fails as a transient error. */
  | 'transient'
  /** Applied, then the call fails as if the answer was lost. */
  | 'ambiguous-after-apply'
  /** Not applied, but the call fails as if the answer was lost. */
  | 'ambiguous-before-apply'
  /** Rate limited; not applied. */
  | 'rate-limited'
  /** The token expired; not applied. */
  | 'auth-expired'
  /** Refused for its content. */
  | 'content-rejected'
  /** Applied; the platform says it will show the post later without an id. */
  | 'accepted'
  /** The look-up (findExisting) cannot read the platform. */
  | 'lookup-unknown';

/** A post held by the memory adapter. */
export interface MemoryPost {
  readonly id: string;
  readonly accountId: string;
  readonly text: string;
  readonly kind: 'post' | 'relay';
  readonly sourceId?: string;
  readonly createdAt: Date;
  deleted: boolean;
}

/** Options of {@link createMemoryAdapter}. */
export interface MemoryAdapterOptions {
  /** Platform name. @default 'memory' */
  readonly platform?: string;
  /** Simulated latency per call in milliseconds. @default 0 */
  readonly latencyMs?: number;
  /** Limits to declare. */
  readonly limits?: Partial<AdapterLimits>;
  /** Credential fields required. @default ['access_token'] */
  readonly credentialFields?: readonly string[];
  /** The only token the fake accepts; any when absent. */
  readonly validToken?: string;
  /** Wait the coordinator is told to take after a rate limit. @default 10 */
  readonly retryAfterMs?: number;
}

/** The memory adapter with its inspection and fault controls. */
export interface MemoryAdapter extends Adapter {
  /** Every post made, deleted ones included. */
  readonly posts: MemoryPost[];
  /** Live posts of an account. */
  postsOf(accountId: string): MemoryPost[];
  /** Queues faults for the next writes (optionally only for one account). */
  inject(fault: MemoryFault, options?: { accountId?: string; times?: number }): void;
  /** Number of write calls received, per account. */
  readonly calls: Map<string, number>;
  /** The most calls that were in progress at once. */
  readonly maxInFlight: number;
}

let sequence = 0n;

/** Creates an in-process adapter. Ids count up from above 2^53 so they must stay strings. */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): MemoryAdapter {
  const platform = options.platform ?? 'memory';
  const posts: MemoryPost[] = [];
  // Posts by account, so a write or a look-up reads one account's posts, not the whole platform's.
  const postsByAccount = new Map<string, MemoryPost[]>();
  const postsOf = (accountId: string): readonly MemoryPost[] => postsByAccount.get(accountId) ?? [];
  const calls = new Map<string, number>();
  const faults: { fault: MemoryFault; accountId?: string | undefined }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const limits: AdapterLimits = {
    text: {
      name: 'memory-500',
      maxLength: 500,
      count: (text) => [...text].length,
      requiresSafeDomainLink: false,
      allowsTopics: true,
    },
    rate: {
      platformConcurrency: 16,
      postsPerWindow: 1000,
      windowMs: 60_000,
      requestTimeoutMs: 5_000,
    },
    supportsRelay: true,
    ...options.limits,
  };

  const takeFault = (accountId: string, kinds: readonly MemoryFault[]): MemoryFault | undefined => {
    const index = faults.findIndex(
      (entry) =>
        kinds.includes(entry.fault) &&
        (entry.accountId === undefined || entry.accountId === accountId),
    );
    if (index < 0) return undefined;
    const [entry] = faults.splice(index, 1);
    return entry?.fault;
  };

  const wait = async (signal: AbortSignal): Promise<void> => {
    if (!options.latencyMs) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.latencyMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new ReleaseHallError('[release-hall] aborted', { code: 'ABORTED', platform }));
        },
        { once: true },
      );
    });
  };

  const checkToken = (account: Account, context: DeliveryContext): void => {
    if (
      options.validToken !== undefined &&
      context.credentials.access_token !== options.validToken
    ) {
      throw new ReleaseHallError(
        `[release-hall] [${platform}] post failed: the access token of account "${account.id}" has expired; re-authorise it`,
        {
          code: 'AUTH_EXPIRED',
          platform,
          accountId: account.id,
        },
      );
    }
  };

  const write = async (
    kind: 'post' | 'relay',
    rendition: Rendition,
    account: Account,
    context: DeliveryContext,
    source?: PostRef,
  ): Promise<PublishResult> => {
    calls.set(account.id, (calls.get(account.id) ?? 0) + 1);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await wait(context.signal);
    } finally {
      inFlight -= 1;
    }
    checkToken(account, context);
    const fault = takeFault(account.id, [
      'transient',
      'ambiguous-after-apply',
      'ambiguous-before-apply',
      'rate-limited',
      'auth-expired',
      'content-rejected',
      'accepted',
    ]);
    const base = { platform, accountId: account.id };
    switch (fault) {
      case 'transient':
        throw new ReleaseHallError(
          `[release-hall] [${platform}] post failed (503): service unavailable; will retry`,
          { ...base, code: 'TRANSIENT', platformCode: '503' },
        );
      case 'ambiguous-before-apply':
        throw new ReleaseHallError(
          `[release-hall] [${platform}] post failed: no answer; the post may have landed`,
          { ...base, code: 'AMBIGUOUS' },
        );
      case 'rate-limited':
        throw new ReleaseHallError(`[release-hall] [${platform}] post failed: rate limited`, {
          ...base,
          code: 'RATE_LIMITED',
          retryAfterMs: options.retryAfterMs ?? 10,
        });
      case 'auth-expired':
        throw new ReleaseHallError(
          `[release-hall] [${platform}] post failed: the access token of account "${account.id}" has expired; re-authorise it`,
          { ...base, code: 'AUTH_EXPIRED' },
        );
      case 'content-rejected':
        throw new ReleaseHallError(`[release-hall] [${platform}] post failed: content rejected`, {
          ...base,
          code: 'CONTENT_REJECTED',
        });
      default:
        break;
    }
    const text = rendition.format === 'text' ? rendition.text : rendition.title;
    const duplicate = postsOf(account.id).find((post) => !post.deleted && post.text === text);
    if (duplicate) {
      throw new ReleaseHallError(
        `[release-hall] [${platform}] post failed: identical content already posted`,
        { ...base, code: 'DUPLICATE_CONTENT' },
      );
    }
    sequence += 1n;
    const post: MemoryPost = {
      id: (9_007_199_254_740_993n + sequence).toString(),
      accountId: account.id,
      text,
      kind,
      ...(source ? { sourceId: source.id } : {}),
      createdAt: new Date(),
      deleted: false,
    };
    posts.push(post);
    const own = postsByAccount.get(account.id);
    if (own === undefined) postsByAccount.set(account.id, [post]);
    else own.push(post);
    if (fault === 'ambiguous-after-apply') {
      throw new ReleaseHallError(
        `[release-hall] [${platform}] post failed: connection dropped; the post may have landed`,
        { ...base, code: 'AMBIGUOUS' },
      );
    }
    if (fault === 'accepted') return { status: 'accepted', reason: 'posted, shown later' };
    return {
      status: 'posted',
      ref: {
        platform,
        accountId: account.id,
        id: post.id,
        url: `memory://${account.id}/${post.id}`,
      },
    };
  };

  const adapter: MemoryAdapter = {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform,
    limits,
    credentialFields: options.credentialFields ?? ['access_token'],
    posts,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    postsOf: (accountId) => postsOf(accountId).filter((post) => !post.deleted),
    inject(fault, injectOptions = {}) {
      for (let index = 0; index < (injectOptions.times ?? 1); index++) {
        faults.push({ fault, accountId: injectOptions.accountId });
      }
    },
    publish: (rendition, account, context) => write('post', rendition, account, context),
    relay: (source, rendition, account, context) =>
      write('relay', rendition, account, context, source),
    async retract(
      ref: PostRef,
      account: Account,
      context: DeliveryContext,
    ): Promise<RetractResult> {
      await wait(context.signal);
      const post = postsOf(account.id).find((candidate) => candidate.id === ref.id);
      if (!post || post.deleted) return { status: 'already-gone' };
      post.deleted = true;
      return { status: 'removed' };
    },
    async findExisting(
      delivery: DeliveryDescriptor,
      account: Account,
      context: DeliveryContext,
    ): Promise<FindExistingResult> {
      await wait(context.signal);
      if (takeFault(account.id, ['lookup-unknown']))
        return { status: 'unknown', reason: 'the timeline could not be read' };
      const text =
        delivery.rendition.format === 'text' ? delivery.rendition.text : delivery.rendition.title;
      const post = postsOf(account.id).find(
        (candidate) =>
          !candidate.deleted &&
          candidate.text === text &&
          candidate.createdAt.getTime() >= delivery.firstAttemptAt.getTime() - 1000,
      );
      return post
        ? {
            status: 'found',
            ref: {
              platform,
              accountId: account.id,
              id: post.id,
              url: `memory://${account.id}/${post.id}`,
            },
          }
        : { status: 'not-found' };
    },
  };
  return adapter;
}
