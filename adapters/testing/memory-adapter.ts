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

const WRITE_FAULTS: readonly MemoryFault[] = [
  'transient',
  'ambiguous-after-apply',
  'ambiguous-before-apply',
  'rate-limited',
  'auth-expired',
  'content-rejected',
  'accepted',
];

/** The posts, call counts and queued faults of one memory adapter. */
class MemoryBook {
  readonly posts: MemoryPost[] = [];
  // Posts by account, so a write or a look-up reads one account's posts, not the whole platform's.
  readonly #byAccount = new Map<string, MemoryPost[]>();
  readonly calls = new Map<string, number>();
  readonly #faults: { fault: MemoryFault; accountId?: string | undefined }[] = [];
  #inFlight = 0;
  maxInFlight = 0;

  /** Posts of one account, deleted ones included. */
  of(accountId: string): readonly MemoryPost[] {
    return this.#byAccount.get(accountId) ?? [];
  }

  add(post: MemoryPost): void {
    this.posts.push(post);
    const own = this.#byAccount.get(post.accountId);
    if (own === undefined) this.#byAccount.set(post.accountId, [post]);
    else own.push(post);
  }

  queue(fault: MemoryFault, accountId: string | undefined): void {
    this.#faults.push({ fault, accountId });
  }

  /** The first queued fault of these kinds for the account, taken off the queue. */
  take(accountId: string, kinds: readonly MemoryFault[]): MemoryFault | undefined {
    const index = this.#faults.findIndex(
      (entry) =>
        kinds.includes(entry.fault) &&
        (entry.accountId === undefined || entry.accountId === accountId),
    );
    if (index < 0) return undefined;
    const [entry] = this.#faults.splice(index, 1);
    return entry?.fault;
  }

  /** Counts a write call of the account, now in progress. */
  beginCall(accountId: string): void {
    this.calls.set(accountId, (this.calls.get(accountId) ?? 0) + 1);
    this.#inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
  }

  /** A write call is no longer in progress. */
  endCall(): void {
    this.#inFlight -= 1;
  }
}

/** What the parts of a memory adapter share. */
interface MemoryRuntime {
  readonly platform: string;
  readonly options: MemoryAdapterOptions;
  readonly book: MemoryBook;
  readonly wait: (signal: AbortSignal) => Promise<void>;
}

function declaredLimits(options: MemoryAdapterOptions): AdapterLimits {
  return {
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
}

/** Waits the simulated latency; an abort ends the wait with `ABORTED`. */
async function waitLatency(
  latencyMs: number | undefined,
  signal: AbortSignal,
  platform: string,
): Promise<void> {
  if (!latencyMs) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, latencyMs);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new ReleaseHallError('[release-hall] aborted', { code: 'ABORTED', platform }));
      },
      { once: true },
    );
  });
}

function checkToken(runtime: MemoryRuntime, account: Account, context: DeliveryContext): void {
  const { options, platform } = runtime;
  if (options.validToken !== undefined && context.credentials.access_token !== options.validToken) {
    throw new ReleaseHallError(
      `[release-hall] [${platform}] post failed: the access token of account "${account.id}" has expired; re-authorise it`,
      {
        code: 'AUTH_EXPIRED',
        platform,
        accountId: account.id,
      },
    );
  }
}

/** The error of a fault that fails a write before it is applied, if it does. */
function errorBeforeApply(
  runtime: MemoryRuntime,
  fault: MemoryFault | undefined,
  account: Account,
): ReleaseHallError | undefined {
  const { platform } = runtime;
  const base = { platform, accountId: account.id };
  switch (fault) {
    case 'transient':
      return new ReleaseHallError(
        `[release-hall] [${platform}] post failed (503): service unavailable; will retry`,
        { ...base, code: 'TRANSIENT', platformCode: '503' },
      );
    case 'ambiguous-before-apply':
      return new ReleaseHallError(
        `[release-hall] [${platform}] post failed: no answer; the post may have landed`,
        { ...base, code: 'AMBIGUOUS' },
      );
    case 'rate-limited':
      return new ReleaseHallError(`[release-hall] [${platform}] post failed: rate limited`, {
        ...base,
        code: 'RATE_LIMITED',
        retryAfterMs: runtime.options.retryAfterMs ?? 10,
      });
    case 'auth-expired':
      return new ReleaseHallError(
        `[release-hall] [${platform}] post failed: the access token of account "${account.id}" has expired; re-authorise it`,
        { ...base, code: 'AUTH_EXPIRED' },
      );
    case 'content-rejected':
      return new ReleaseHallError(`[release-hall] [${platform}] post failed: content rejected`, {
        ...base,
        code: 'CONTENT_REJECTED',
      });
    default:
      return undefined;
  }
}

function refOf(platform: string, accountId: string, post: MemoryPost): PostRef {
  return { platform, accountId, id: post.id, url: `memory://${accountId}/${post.id}` };
}

/** A post or a relay: latency, token, faults, duplicates, then the post. */
async function writePost(
  runtime: MemoryRuntime,
  kind: 'post' | 'relay',
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
  source?: PostRef,
): Promise<PublishResult> {
  const { book, platform } = runtime;
  book.beginCall(account.id);
  try {
    await runtime.wait(context.signal);
  } finally {
    book.endCall();
  }
  checkToken(runtime, account, context);
  const fault = book.take(account.id, WRITE_FAULTS);
  const early = errorBeforeApply(runtime, fault, account);
  if (early !== undefined) throw early;
  const base = { platform, accountId: account.id };
  const text = rendition.format === 'text' ? rendition.text : rendition.title;
  const duplicate = book.of(account.id).find((post) => !post.deleted && post.text === text);
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
  book.add(post);
  if (fault === 'ambiguous-after-apply') {
    throw new ReleaseHallError(
      `[release-hall] [${platform}] post failed: connection dropped; the post may have landed`,
      { ...base, code: 'AMBIGUOUS' },
    );
  }
  if (fault === 'accepted') return { status: 'accepted', reason: 'posted, shown later' };
  return { status: 'posted', ref: refOf(platform, account.id, post) };
}

/** Looks a delivery up among the account's live posts made since its first attempt. */
async function findPost(
  runtime: MemoryRuntime,
  delivery: DeliveryDescriptor,
  account: Account,
  context: DeliveryContext,
): Promise<FindExistingResult> {
  const { book, platform } = runtime;
  await runtime.wait(context.signal);
  if (book.take(account.id, ['lookup-unknown']))
    return { status: 'unknown', reason: 'the timeline could not be read' };
  const text =
    delivery.rendition.format === 'text' ? delivery.rendition.text : delivery.rendition.title;
  const post = book
    .of(account.id)
    .find(
      (candidate) =>
        !candidate.deleted &&
        candidate.text === text &&
        candidate.createdAt.getTime() >= delivery.firstAttemptAt.getTime() - 1000,
    );
  return post
    ? { status: 'found', ref: refOf(platform, account.id, post) }
    : { status: 'not-found' };
}

/** Creates an in-process adapter. Ids count up from above 2^53 so they must stay strings. */
export function createMemoryAdapter(options: MemoryAdapterOptions = {}): MemoryAdapter {
  const platform = options.platform ?? 'memory';
  const book = new MemoryBook();
  const runtime: MemoryRuntime = {
    platform,
    options,
    book,
    wait: (signal) => waitLatency(options.latencyMs, signal, platform),
  };
  const adapter: MemoryAdapter = {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform,
    limits: declaredLimits(options),
    credentialFields: options.credentialFields ?? ['access_token'],
    posts: book.posts,
    calls: book.calls,
    get maxInFlight() {
      return book.maxInFlight;
    },
    postsOf: (accountId) => book.of(accountId).filter((post) => !post.deleted),
    inject(fault, injectOptions = {}) {
      for (let index = 0; index < (injectOptions.times ?? 1); index++) {
        book.queue(fault, injectOptions.accountId);
      }
    },
    publish: (rendition, account, context) =>
      writePost(runtime, 'post', rendition, account, context),
    relay: (source, rendition, account, context) =>
      writePost(runtime, 'relay', rendition, account, context, source),
    async retract(
      ref: PostRef,
      account: Account,
      context: DeliveryContext,
    ): Promise<RetractResult> {
      await runtime.wait(context.signal);
      const post = book.of(account.id).find((candidate) => candidate.id === ref.id);
      if (!post || post.deleted) return { status: 'already-gone' };
      post.deleted = true;
      return { status: 'removed' };
    },
    findExisting: (delivery, account, context) => findPost(runtime, delivery, account, context),
  };
  return adapter;
}
