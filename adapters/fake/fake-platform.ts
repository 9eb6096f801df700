/**
 * The shell every fake platform (Weibo, Tencent Weibo, WeChat) is built on: its settings with a
 * movable clock and seeded latency, the registered accounts, the queue of faults to inject, the log
 * of requests, and the one dispatch every request goes through:
 *
 * 1. the platform reads the request ({@link FakePlatform.openExchange}) and routes it
 *    ({@link FakePlatform.route});
 * 2. a fault that acts before the apply may answer instead (`5xx-before-apply`, `html-200` here;
 *    the platform's own kinds in {@link FakePlatform.faultBeforeApply});
 * 3. the platform checks the call (body, token, rate limit) and names the account
 *    ({@link FakePlatform.admit});
 * 4. the platform applies it ({@link FakePlatform.apply});
 * 5. a fault that acts after the apply may change the answer (`drop-after-apply`,
 *    `timeout-after-apply`, `truncated-after-apply` here; others in
 *    {@link FakePlatform.faultAfterApply});
 * 6. the request is logged ({@link FakePlatform.recordOf}) and answered.
 *
 * Internal to the fakes: not re-exported.
 */
import {
  FaultQueue,
  PlatformClock,
  RequestLog,
  SeededLatency,
  resolveLatency,
  type LatencySettings,
  type LoggedRequest,
  type QueueableFault,
} from './platform.js';
import type { FakeAnswer, FakeRequest } from './protocol.js';

/** Content type of the HTML pages that stand in front of a platform. */
export const HTML_TYPE = 'text/html; charset=utf-8';

/** One reply of a fake platform; `code` is the platform's own code(s) when the body carries one. */
export class FakeReply<Code> {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: string,
    readonly code: Code | undefined,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

/** The page of a `5xx-before-apply` fault: a gateway that cannot reach the platform. */
export function unavailablePage<Code>(status = 503): FakeReply<Code> {
  return new FakeReply<Code>(
    status,
    '<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>',
    HTML_TYPE,
    undefined,
  );
}

/** The page of an `html-200` fault: a captive portal or a WAF answering with status 200. */
export function busyPage<Code>(): FakeReply<Code> {
  return new FakeReply<Code>(
    200,
    '<!DOCTYPE html><html><head><title>系统繁忙</title></head><body><p>系统繁忙，请稍后再试。</p></body></html>',
    HTML_TYPE,
    undefined,
  );
}

/** What every platform's fault has besides its kind. */
export interface FakeFault<Endpoint extends string> extends QueueableFault<Endpoint> {
  /** HTTP status of `5xx-before-apply` (and of some platforms' `error-before-apply`). */
  readonly status?: number;
  /** `html-200` only: apply the request before replacing the reply. @default false */
  readonly applyFirst?: boolean;
  /** `timeout-after-apply` only: how long the reply is held back. @default settings `hangMs` */
  readonly hangMs?: number;
}

/** The settings every platform takes; each can be changed later with `configure`. */
export interface FakePlatformOptions {
  /** Clock of the platform (creation times, rate windows, token expiry, delays). @default Date.now */
  readonly now?: () => number;
  readonly latency?: LatencySettings;
  /** How long a `timeout-after-apply` reply is held back. @default 30_000 */
  readonly hangMs?: number;
}

/** The settings every platform has. */
export interface FakeSettings {
  readonly now: () => number;
  readonly latency: Required<LatencySettings>;
  /** How long a `timeout-after-apply` reply is held back. */
  readonly hangMs: number;
}

/** The common settings with their defaults filled in. */
export function resolveFakeSettings(options: FakePlatformOptions): FakeSettings {
  return {
    now: options.now ?? Date.now,
    hangMs: options.hangMs ?? 30_000,
    latency: resolveLatency(options.latency),
  };
}

/** The common settings `configure(options)` changes (latency aside); omitted ones stay. */
export function fakeSettingsFrom(options: FakePlatformOptions): Partial<FakeSettings> {
  return {
    ...(options.now ? { now: options.now } : {}),
    ...(options.hangMs !== undefined ? { hangMs: options.hangMs } : {}),
  };
}

/**
 * The platform's own settings `configure(options)` changes: each of `kept` that is given (left
 * out or `undefined`, it stays), and each of `clearable` that is present (`undefined` clears it).
 */
export function changedSettings<Options extends object, Key extends keyof Options>(
  options: Options,
  kept: readonly Key[],
  clearable: readonly Key[] = [],
): Partial<Pick<Options, Key>> {
  const changed: Partial<Pick<Options, Key>> = {};
  for (const key of clearable) if (key in options) changed[key] = options[key];
  for (const key of kept) if (options[key] !== undefined) changed[key] = options[key];
  return changed;
}

/** What the apply of a request gives: whether it changed anything, and the reply. */
export interface FakeOutcome<Code> {
  readonly applied: boolean;
  readonly reply: FakeReply<Code>;
}

/** The types a platform fills in. */
export interface FakeShape {
  /** Settings with defaults filled in. */
  readonly settings: FakeSettings;
  /** Settings as `configure` takes them. */
  readonly options: FakePlatformOptions;
  /** The platform's own code(s) of a reply. */
  readonly code: unknown;
  /** An account as the platform holds it. */
  readonly account: object;
  /** An account as the inspection API shows it. */
  readonly accountInfo: object;
  /** A request as the platform has read it. */
  readonly exchange: object;
  /** The request as the fakes hand it over. */
  readonly request: FakeRequest<unknown>;
  /** One entry of the request log. */
  readonly record: LoggedRequest;
}

/** The state of one request on its way through the dispatch. */
interface Turn<Fault> {
  fault: Fault | undefined;
  delayMs: number;
  drop: boolean;
}

/**
 * The common body of a fake platform. A platform extends it with its accounts, content and
 * protocol rules, and fills in the steps of the dispatch.
 */
export abstract class FakePlatform<
  Endpoint extends string,
  Fault extends FakeFault<Endpoint>,
  Shape extends FakeShape,
> {
  protected settings: Shape['settings'];
  readonly #latency: SeededLatency;
  protected readonly clock = new PlatformClock(() => this.settings.now());
  /** Registered accounts by their key (`uid`, `openid`, `appid`). */
  protected readonly accountStates = new Map<string, Shape['account']>();
  protected readonly faults: FaultQueue<Fault, Endpoint>;
  protected readonly log = new RequestLog<Shape['record']>();

  protected constructor(settings: Shape['settings'], faults: FaultQueue<Fault, Endpoint>) {
    this.settings = settings;
    this.#latency = new SeededLatency(settings.latency);
    this.faults = faults;
  }

  /** Changes settings; omitted ones stay. */
  configure(options: Shape['options']): void {
    const latency = this.#latency.configure(this.settings.latency, options.latency);
    this.settings = { ...this.settings, ...this.settingsFrom(options), latency };
  }

  /** Current platform time in ms (the clock plus any {@link advanceClock}). */
  now(): number {
    return this.clock.now();
  }

  /** Moves the platform clock forward: past a rate window, a token's expiry, a delay. */
  advanceClock(ms: number): void {
    this.clock.advance(ms);
  }

  /** Registered accounts, without tokens or secrets. */
  accounts(): Shape['accountInfo'][] {
    return [...this.accountStates.values()].map((account) => this.describeAccount(account));
  }

  /** Queues a fault for the next matching request(s). */
  injectFault(fault: Fault): void {
    this.faults.inject(fault);
  }

  /** Faults still queued. */
  pendingFaults(): Fault[] {
    return this.faults.pending();
  }

  /** Drops every queued fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Every request received, oldest first. */
  requests(): readonly Shape['record'][] {
    return this.log.entries();
  }

  /**
   * Forgets faults, the request log and the clock offset; a platform forgets its content too.
   * Accounts and settings stay.
   */
  reset(): void {
    this.faults.reset();
    this.log.clear();
    this.clock.reset();
  }

  /** Answers one request; both fakes (sandbox server and msw handlers) call this. */
  handle(request: Shape['request']): FakeAnswer {
    const exchange = this.openExchange(request);
    const turn: Turn<Fault> = {
      fault: undefined,
      delayMs: this.#latency.sample(this.settings.latency),
      drop: false,
    };
    const reply = this.#dispatch(exchange, turn);
    this.log.push(this.recordOf(exchange, reply, turn.fault?.kind));
    return {
      status: reply.status,
      body: reply.body,
      headers: { 'content-type': reply.contentType, ...reply.headers },
      delayMs: turn.delayMs,
      drop: turn.drop,
    };
  }

  /** Registers an account under its key; a second account with the same key is refused. */
  protected register(key: string, account: Shape['account']): void {
    if (this.accountStates.has(key)) throw new Error(`account ${key} already exists`);
    this.accountStates.set(key, account);
  }

  // -- the steps a platform fills in -----------------------------------------------------------

  /** The settings `options` changes (latency is handled here). */
  protected abstract settingsFrom(options: Shape['options']): Partial<Shape['settings']>;

  /** An account as the inspection API shows it. */
  protected abstract describeAccount(account: Shape['account']): Shape['accountInfo'];

  /** Reads a request: its endpoint, body, parameters and caller. */
  protected abstract openExchange(request: Shape['request']): Shape['exchange'];

  /** The endpoint a request names, or the refusal of an unknown path or a wrong method. */
  protected abstract route(exchange: Shape['exchange']): Endpoint | FakeReply<Shape['code']>;

  /** The account a fault before the apply is matched against, as far as the request names it. */
  protected abstract callerOf(exchange: Shape['exchange']): string | undefined;

  /** The reply of a platform-specific fault before the apply; `undefined` lets the request on. */
  protected abstract faultBeforeApply(
    fault: Fault,
    exchange: Shape['exchange'],
  ): FakeReply<Shape['code']> | undefined;

  /**
   * Checks a request before it is applied (body, token, account, rate limit): the account it acts
   * for, or the reply that ends it. `earlyFault` is the fault taken before the apply, if any.
   */
  protected abstract admit(
    exchange: Shape['exchange'],
    endpoint: Endpoint,
    earlyFault: Fault['kind'] | undefined,
  ): Shape['account'] | FakeReply<Shape['code']>;

  /** Applies an admitted request. */
  protected abstract apply(
    exchange: Shape['exchange'],
    endpoint: Endpoint,
    account: Shape['account'],
  ): FakeOutcome<Shape['code']>;

  /** The key of an account, as faults name it. */
  protected abstract keyOf(account: Shape['account']): string;

  /** Content type of the JSON replies (a truncated reply keeps it). */
  protected abstract readonly jsonType: string;

  /** The reply of a platform-specific fault after the apply; `undefined` keeps the reply. */
  protected faultAfterApply(
    _fault: Fault,
    _reply: FakeReply<Shape['code']>,
    _exchange: Shape['exchange'],
  ): FakeReply<Shape['code']> | undefined {
    return undefined;
  }

  /** The log entry of a request. */
  protected abstract recordOf(
    exchange: Shape['exchange'],
    reply: FakeReply<Shape['code']>,
    fault: Fault['kind'] | undefined,
  ): Shape['record'];

  // -- the dispatch ----------------------------------------------------------------------------

  #dispatch(exchange: Shape['exchange'], turn: Turn<Fault>): FakeReply<Shape['code']> {
    const routed = this.route(exchange);
    if (routed instanceof FakeReply) return routed;
    const endpoint = routed;

    const early = this.faults.take(endpoint, this.callerOf(exchange), true);
    if (early !== undefined) {
      turn.fault = early;
      const reply = this.#replyBeforeApply(early, exchange);
      if (reply !== undefined) return reply;
    }

    const account = this.admit(exchange, endpoint, early?.kind);
    if (account instanceof FakeReply) return account;
    const outcome = this.apply(exchange, endpoint, account);
    if (!outcome.applied) return outcome.reply;

    // `html-200` with `applyFirst`: applied, and the reply replaced by the page.
    if (early?.kind === 'html-200') return busyPage();

    const late = this.faults.take(endpoint, this.keyOf(account), false);
    if (late === undefined) return outcome.reply;
    turn.fault = late;
    return this.#replyAfterApply(late, outcome.reply, exchange, turn);
  }

  #replyBeforeApply(
    fault: Fault,
    exchange: Shape['exchange'],
  ): FakeReply<Shape['code']> | undefined {
    switch (fault.kind) {
      case '5xx-before-apply':
        return unavailablePage(fault.status ?? 503);
      case 'html-200':
        return fault.applyFirst === true ? undefined : busyPage();
      default:
        return this.faultBeforeApply(fault, exchange);
    }
  }

  #replyAfterApply(
    fault: Fault,
    reply: FakeReply<Shape['code']>,
    exchange: Shape['exchange'],
    turn: Turn<Fault>,
  ): FakeReply<Shape['code']> {
    switch (fault.kind) {
      case 'drop-after-apply':
        turn.drop = true;
        return reply;
      case 'timeout-after-apply':
        turn.delayMs += fault.hangMs ?? this.settings.hangMs;
        return reply;
      case 'truncated-after-apply':
        return new FakeReply(
          reply.status,
          reply.body.slice(0, Math.floor(reply.body.length / 2)),
          this.jsonType,
          undefined,
        );
      default:
        return this.faultAfterApply(fault, reply, exchange) ?? reply;
    }
  }
}

/**
 * Answers one request as the platform would: the one function both transports (the sandbox
 * server and the msw handlers) call, so the two cannot drift apart.
 */
export function answerRequest<Request>(
  platform: { handle(request: Request): FakeAnswer },
  request: Request,
): FakeAnswer {
  return platform.handle(request);
}
