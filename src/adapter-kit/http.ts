/**
 * The shared HTTP helper of the adapters: timeouts, abort, redacted URLs, and the one rule that
 * matters for "never twice": a write whose fate is unknown is `AMBIGUOUS`, never `TRANSIENT`.
 */
import { ReleaseHallError, platformMessage } from '../errors.js';
import { redactUrl } from '../redact.js';
import { traceRequest } from '../telemetry/spans.js';
import { activeTracer } from '../telemetry/tracer.js';

/**
 * Counts one access-token fetch (a request to the platform's token endpoint, not a cached read),
 * `fetched` or `failed`, for the service's `release_hall_token_fetches_total`. An adapter whose
 * platform issues access tokens calls it once per fetch.
 */
export { countTokenFetch } from '../telemetry/readings.js';
/** How a token fetch ended ({@link countTokenFetch}). */
export type { TokenFetchOutcome } from '../telemetry/readings.js';

/** The `fetch` an adapter uses; injectable for tests, proxies and gateways. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** One HTTP call. */
export interface HttpCall {
  readonly fetch: FetchLike;
  readonly platform: string;
  /** Endpoint name for messages, e.g. `statuses/share`. */
  readonly endpoint: string;
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly headers?: Record<string, string>;
  readonly body?: string | FormData | URLSearchParams;
  /** True when the call changes state on the platform (a post, a repost, a delete). */
  readonly write: boolean;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly accountId?: string | undefined;
}

/** What messages and errors say about a call: the platform, the endpoint, whether it writes, the account. */
export type CallInfo = Pick<HttpCall, 'platform' | 'endpoint' | 'write' | 'accountId'>;

/** A reply that arrived: status and body text. */
export interface HttpReply {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

/** A call and how it was answered: the reply and what the adapter read from it. */
export interface AnsweredCall<Read, Call extends CallInfo = CallInfo> {
  readonly reply: HttpReply;
  readonly read: Read;
  readonly call: Call;
}

/** The timeout and abort signal of a call made for a delivery, from its context. */
export function timeoutAndSignal(context: {
  readonly requestTimeoutMs: number;
  readonly signal: AbortSignal;
}): { readonly timeoutMs: number; readonly signal: AbortSignal } {
  return { timeoutMs: context.requestTimeoutMs, signal: context.signal };
}

/** A form `POST` ({@link postForm}). */
export interface FormPost extends CallInfo {
  readonly fetch: FetchLike;
  readonly url: string;
  /** The form fields, sent as `application/x-www-form-urlencoded` UTF-8. */
  readonly form: Readonly<Record<string, string>>;
  /** Where the timeout and the abort signal come from: the delivery context. */
  readonly context: { readonly requestTimeoutMs: number; readonly signal: AbortSignal };
}

/**
 * Sends a form `POST` that expects JSON back, with the delivery's timeout and signal; see
 * {@link httpCall} for what it throws. Secrets in the form stay out of the URL, so no proxy log
 * or error holds them.
 */
export function postForm(post: FormPost): Promise<HttpReply> {
  const { fetch, url, form, context, ...call } = post;
  return httpCall({
    ...call,
    fetch,
    url,
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      accept: 'application/json',
    },
    body: new URLSearchParams(form).toString(),
    ...timeoutAndSignal(context),
  });
}

/** Network errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The calls in flight under each caller's signal. One listener per signal aborts them all, so a
 * signal shared by many calls (a run's) carries one listener, not one per call.
 */
const callsUnder = new WeakMap<AbortSignal, Set<AbortController>>();

function follow(outer: AbortSignal, controller: AbortController): void {
  let calls = callsUnder.get(outer);
  if (calls === undefined) {
    const created = new Set<AbortController>();
    calls = created;
    callsUnder.set(outer, created);
    outer.addEventListener(
      'abort',
      () => {
        for (const call of created) call.abort(outer.reason);
        created.clear();
      },
      { once: true },
    );
  }
  calls.add(controller);
}

/**
 * A call's deadline and its caller's abort signal as one signal: one controller and one timer per
 * call (not `AbortSignal.timeout` plus `AbortSignal.any`, which make two more signals per call and
 * leave their listeners to the garbage collector).
 */
class CallSignal {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #outer: AbortSignal | undefined;
  #timedOut = false;

  constructor(timeoutMs: number, outer: AbortSignal | undefined) {
    this.#outer = outer;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    this.#timer.unref();
    if (outer !== undefined) {
      if (outer.aborted) this.#controller.abort(outer.reason);
      else follow(outer, this.#controller);
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the deadline passed (rather than the caller aborting). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** The call is over: the timer goes, and the caller's signal forgets it. */
  done(): void {
    clearTimeout(this.#timer);
    if (this.#outer !== undefined) callsUnder.get(this.#outer)?.delete(this.#controller);
  }
}

/**
 * Sends one request. Throws `ABORTED`, `TRANSIENT` (certainly not applied) or `AMBIGUOUS` (may
 * have been applied). The request is a `release-hall.request` span when an OpenTelemetry SDK is
 * registered (its path only: the query string, which may carry a token, stays out).
 */
export function httpCall(call: HttpCall): Promise<HttpReply> {
  // Without a tracer, the request is sent as it is: not even a closure is made for telemetry.
  return activeTracer() === undefined ? sendCall(call) : traceRequest(call, () => sendCall(call));
}

async function sendCall(call: HttpCall): Promise<HttpReply> {
  const deadline = new CallSignal(call.timeoutMs, call.signal);
  try {
    let response: Response;
    try {
      response = await call.fetch(call.url, {
        method: call.method,
        ...(call.headers ? { headers: call.headers } : {}),
        ...(call.body !== undefined ? { body: call.body } : {}),
        // The platforms' APIs answer where they are asked; a redirect is an error, never followed
        // (a write redirected could be sent again elsewhere). It also spares fetch a copy of the
        // request and its body made only to follow redirects.
        redirect: 'error',
        signal: deadline.signal,
      });
    } catch (error) {
      throw classifyNetworkError(error, call, deadline.timedOut);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw classifyNetworkError(error, call, deadline.timedOut);
    }
    return { status: response.status, text, headers: response.headers };
  } finally {
    deadline.done();
  }
}

function classifyNetworkError(error: unknown, call: HttpCall, timedOut: boolean): ReleaseHallError {
  const where = redactUrl(call.url).replace(/\?.*$/, '');
  const base = { platform: call.platform, accountId: call.accountId, endpoint: call.endpoint };
  if (call.signal?.aborted && !timedOut) {
    return new ReleaseHallError(
      `[release-hall] [${call.platform}] ${call.endpoint} stopped: the run was aborted${call.write ? ' (the request may have reached the platform)' : ''}`,
      { ...base, code: 'ABORTED', retryable: false },
    );
  }
  const code = networkCode(error);
  const certainlyNotSent = code !== undefined && NOT_SENT_CODES.has(code);
  const what = timedOut
    ? `no answer within ${call.timeoutMs} ms`
    : `network error${code ? ` ${code}` : ''}`;
  if (!call.write || certainlyNotSent) {
    return new ReleaseHallError(
      platformMessage(
        call.platform,
        call.endpoint,
        undefined,
        undefined,
        `${what} from ${where}; will retry`,
      ),
      { ...base, code: 'TRANSIENT' },
    );
  }
  return new ReleaseHallError(
    platformMessage(
      call.platform,
      call.endpoint,
      undefined,
      undefined,
      `${what} from ${where}; the post may have landed, so the account is checked before any re-send`,
    ),
    { ...base, code: 'AMBIGUOUS' },
  );
}

/**
 * Parses a JSON body. A body that is not JSON (an HTML error page with status 200, a truncated reply)
 * is `AMBIGUOUS` for a write and `TRANSIENT` for a read. Large integers are kept as they arrive in the
 * text, so callers read ids from their string fields (`idstr`, `mid`) or with {@link readIdField}.
 */
export function parseJsonBody(reply: HttpReply, call: CallInfo): unknown {
  try {
    return JSON.parse(reply.text) as unknown;
  } catch {
    const kind = /^\s*</.test(reply.text)
      ? 'an HTML page'
      : reply.text.length === 0
        ? 'an empty body'
        : 'a body that is not JSON';
    return failMalformed(call, `HTTP ${reply.status} with ${kind}`);
  }
}

/** Throws the error for a reply that cannot be understood. */
export function failMalformed(call: CallInfo, what: string): never {
  throw new ReleaseHallError(
    platformMessage(
      call.platform,
      call.endpoint,
      undefined,
      undefined,
      call.write
        ? `unreadable reply (${what}); the post may have landed, so the account is checked before any re-send`
        : `unreadable reply (${what}); will retry`,
    ),
    {
      code: call.write ? 'AMBIGUOUS' : 'TRANSIENT',
      platform: call.platform,
      accountId: call.accountId,
      endpoint: call.endpoint,
    },
  );
}

/**
 * Reads an integer id field from raw JSON text without passing it through a JS number, so ids above
 * 2^53 keep every digit. Returns the first match of `"field": 123` or `"field": "123"`.
 */
export function readIdField(text: string, field: string): string | undefined {
  const pattern = new RegExp(
    `"${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*"?(-?\\d+)"?`,
  );
  return pattern.exec(text)?.[1];
}
