/**
 * The machinery every fake platform (Weibo, Tencent Weibo, WeChat) needs around its protocol rules:
 * a queue of faults to inject ({@link FaultQueue}), the posts and the log of requests tests inspect
 * ({@link PostStore}, {@link RequestLog}), body parsing, a clock tests can move ({@link PlatformClock}) and seeded
 * latency with jitter ({@link SeededLatency}). What differs between platforms (fault kinds, the
 * account key a fault names, which endpoints a fault without `endpoint` hits) comes in as
 * parameters. Internal to the fakes: not re-exported.
 */

// ---------------------------------------------------------------------------------------------
// Faults

/** What a queued fault must have for {@link FaultQueue} to match it. */
export interface QueueableFault<Endpoint extends string> {
  readonly kind: string;
  /** Endpoints it applies to; see {@link FaultQueueRules.matchesAnyEndpoint} when omitted. */
  readonly endpoint?: Endpoint | readonly Endpoint[];
  /** How many requests it hits. @default 1 */
  readonly times?: number;
}

/** The per-platform rules of a {@link FaultQueue}. */
export interface FaultQueueRules<Fault extends QueueableFault<Endpoint>, Endpoint extends string> {
  /** Kinds that act before the request is applied; the others act after. */
  readonly beforeApply: ReadonlySet<Fault['kind']>;
  /** The account a fault is limited to (`uid`, `openid`, `appid`), if any. */
  readonly accountOf: (fault: Fault) => string | undefined;
  /** Whether a fault without `endpoint` hits this endpoint. @default every endpoint */
  readonly matchesAnyEndpoint?: (endpoint: Endpoint) => boolean;
}

interface QueuedFault<Fault> {
  readonly fault: Fault;
  remaining: number;
}

/**
 * Faults waiting for the next matching requests. A fault matches a request by endpoint, account
 * and phase (before or after the apply); each match uses up one of its `times`.
 */
export class FaultQueue<Fault extends QueueableFault<Endpoint>, Endpoint extends string> {
  readonly #rules: FaultQueueRules<Fault, Endpoint>;
  #queued: QueuedFault<Fault>[] = [];
  #applied = 0;

  constructor(rules: FaultQueueRules<Fault, Endpoint>) {
    this.#rules = rules;
  }

  /** Queues a fault for the next matching request(s). */
  inject(fault: Fault): void {
    this.#queued.push({ fault, remaining: fault.times ?? 1 });
  }

  /** Faults still queued. */
  pending(): Fault[] {
    return this.#queued.map((queued) => queued.fault);
  }

  /** Drops every queued fault (the count of applied faults stays). */
  clear(): void {
    this.#queued = [];
  }

  /** Drops every queued fault and zeroes the count of applied faults. */
  reset(): void {
    this.#queued = [];
    this.#applied = 0;
  }

  /** How many faults {@link take} has handed out since the last {@link reset}. */
  get applied(): number {
    return this.#applied;
  }

  /** The first fault that would match, without using it up. */
  peek(endpoint: Endpoint, account: string | undefined, beforeApply: boolean): Fault | undefined {
    return this.#queued.find((queued) => this.#matches(queued, endpoint, account, beforeApply))
      ?.fault;
  }

  /** The first fault that matches, using up one of its `times` and counting it as applied. */
  take(endpoint: Endpoint, account: string | undefined, beforeApply: boolean): Fault | undefined {
    const index = this.#queued.findIndex((queued) =>
      this.#matches(queued, endpoint, account, beforeApply),
    );
    const queued = this.#queued[index];
    if (queued === undefined) return undefined;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.#queued.splice(index, 1);
    this.#applied += 1;
    return queued.fault;
  }

  #matches(
    queued: QueuedFault<Fault>,
    endpoint: Endpoint,
    account: string | undefined,
    beforeApply: boolean,
  ): boolean {
    const { fault } = queued;
    if (queued.remaining <= 0 || this.#rules.beforeApply.has(fault.kind) !== beforeApply) {
      return false;
    }
    const only = this.#rules.accountOf(fault);
    if (only !== undefined && only !== account) return false;
    if (fault.endpoint === undefined) return this.#rules.matchesAnyEndpoint?.(endpoint) ?? true;
    return typeof fault.endpoint === 'string'
      ? fault.endpoint === endpoint
      : fault.endpoint.includes(endpoint);
  }
}

// ---------------------------------------------------------------------------------------------
// Posts

/** What a stored post must have for {@link PostStore}. */
export interface StoredPost {
  /** The id as a string (the key of the store). */
  readonly idstr: string;
  readonly deleted: boolean;
}

/** The posts of a platform by id and in the order they were made; deleted ones stay. */
export class PostStore<Post extends StoredPost> {
  readonly #accountOf: (post: Post) => string;
  readonly #byId = new Map<string, Post>();
  #order: Post[] = [];

  /** `accountOf` names the account a post belongs to (`uid`, `openid`). */
  constructor(accountOf: (post: Post) => string) {
    this.#accountOf = accountOf;
  }

  /** Stores a new post, after every other. */
  add(post: Post): void {
    this.#byId.set(post.idstr, post);
    this.#order.push(post);
  }

  /** One post by id. */
  get(id: string): Post | undefined {
    return this.#byId.get(id);
  }

  /** Every post, oldest first (the store's own list: do not change it). */
  all(): readonly Post[] {
    return this.#order;
  }

  /** The posts of one account, oldest first, deleted ones included. */
  of(account: string): Post[] {
    return this.#order.filter((post) => this.#accountOf(post) === account);
  }

  /** Posts ever made, deleted ones included. */
  get size(): number {
    return this.#order.length;
  }

  /** Posts not deleted. */
  liveCount(): number {
    return this.#order.filter((post) => !post.deleted).length;
  }

  /** Forgets every post. */
  clear(): void {
    this.#byId.clear();
    this.#order = [];
  }
}

// ---------------------------------------------------------------------------------------------
// Request log

/** What a logged request must have for {@link RequestLog.byEndpoint}. */
export interface LoggedRequest {
  /** The endpoint, when the path named one. */
  readonly endpoint: string | undefined;
  readonly path: string;
}

/** Every request a platform received, oldest first, for tests to inspect. */
export class RequestLog<Entry extends LoggedRequest> {
  #entries: Entry[] = [];

  /** Records one request. */
  push(entry: Entry): void {
    this.#entries.push(entry);
  }

  /** A copy of the log, oldest first. */
  entries(): readonly Entry[] {
    return [...this.#entries];
  }

  /** How many requests were received. */
  get size(): number {
    return this.#entries.length;
  }

  /** Requests per endpoint (per path when the path named no endpoint). */
  byEndpoint(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.#entries) {
      const key = entry.endpoint ?? entry.path;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /** Forgets every request. */
  clear(): void {
    this.#entries = [];
  }
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** Reads a `Content-Type` value: the lower-cased type and its `boundary`, if any. */
export function parseContentType(value: string | undefined): { type: string; boundary?: string } {
  if (value === undefined) return { type: '' };
  const [type = '', ...parameters] = value.split(';');
  const boundary = parameters
    .map((parameter) => parameter.trim())
    .find((parameter) => parameter.toLowerCase().startsWith('boundary='))
    ?.slice('boundary='.length)
    .replace(/^"|"$/g, '');
  return { type: type.trim().toLowerCase(), ...(boundary ? { boundary } : {}) };
}

/** One part of a `multipart/form-data` body held as text. */
export interface MultipartPart {
  readonly name: string;
  readonly filename: string | undefined;
  readonly contentType: string | undefined;
  readonly value: string;
}

/** Reads a `multipart/form-data` body held as text (enough to see fields and a picture's size). */
export function parseMultipart(body: string, boundary: string): MultipartPart[] {
  const parts: MultipartPart[] = [];
  for (const chunk of body.split(`--${boundary}`)) {
    if (chunk.startsWith('--') || chunk.trim() === '') continue;
    const separator = chunk.indexOf('\r\n\r\n');
    if (separator < 0) continue;
    const head = chunk.slice(0, separator);
    const value = chunk.slice(separator + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    parts.push({
      name,
      filename: /filename="([^"]*)"/i.exec(head)?.[1],
      contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim().toLowerCase(),
      value,
    });
  }
  return parts;
}

/**
 * The part of a URL's path below the base URL a fake serves (`statuses/share.json` below
 * `http://127.0.0.1:PORT/2/`); `undefined` when the URL is outside the base.
 */
export function pathBelowBase(url: URL, baseURL: string): string | undefined {
  const base = new URL(baseURL.endsWith('/') ? baseURL : `${baseURL}/`);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return undefined;
  return url.pathname.slice(base.pathname.length);
}

/**
 * The protocol path of a URL received by a fake: the part below the base URL the fake serves,
 * after `prefix` (`/2/`, `/api/`, `/cgi-bin/`); `undefined` when the URL is outside the base.
 */
export function protocolPathUnder(
  prefix: string,
): (url: URL, baseURL: string) => string | undefined {
  return (url, baseURL) => {
    const below = pathBelowBase(url, baseURL);
    return below === undefined ? undefined : `${prefix}${below}`;
  };
}

// ---------------------------------------------------------------------------------------------
// Clock

/** The platform's time: a source clock plus an offset tests move with {@link advance}. */
export class PlatformClock {
  readonly #source: () => number;
  #offsetMs = 0;

  /** `source` is read on every call, so a platform may swap its clock later. */
  constructor(source: () => number) {
    this.#source = source;
  }

  /** Current platform time in ms. */
  now(): number {
    return this.#source() + this.#offsetMs;
  }

  /** Moves the clock forward. */
  advance(ms: number): void {
    this.#offsetMs += ms;
  }

  /** Forgets every {@link advance}. */
  reset(): void {
    this.#offsetMs = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Latency

/** Simulated latency: `fixedMs + jitterMs * random()`, with a seeded generator. */
export interface LatencySettings {
  /** @default 0 */
  readonly fixedMs?: number;
  /** @default 0 */
  readonly jitterMs?: number;
  /** Seed of the jitter generator, so runs repeat. @default 1 */
  readonly seed?: number;
}

/** mulberry32: a small seeded generator, enough for repeatable jitter. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Latency settings with the defaults filled in. */
export function resolveLatency(latency: LatencySettings | undefined): Required<LatencySettings> {
  return {
    fixedMs: latency?.fixedMs ?? 0,
    jitterMs: latency?.jitterMs ?? 0,
    seed: latency?.seed ?? 1,
  };
}

/** The jitter generator of a platform; the settings themselves stay in the platform's options. */
export class SeededLatency {
  #random: () => number;

  constructor(settings: Required<LatencySettings>) {
    this.#random = seededRandom(settings.seed);
  }

  /**
   * The settings after `update` (omitted fields stay); restarts the generator when `update` names
   * a seed.
   */
  configure(
    current: Required<LatencySettings>,
    update: LatencySettings | undefined,
  ): Required<LatencySettings> {
    const latency = update ? { ...current, ...update } : current;
    if (update?.seed !== undefined) this.#random = seededRandom(latency.seed);
    return latency;
  }

  /** The delay of one reply in ms. */
  sample(settings: Required<LatencySettings>): number {
    const { fixedMs, jitterMs } = settings;
    return jitterMs > 0 ? fixedMs + Math.round(this.#random() * jitterMs) : fixedMs;
  }
}
