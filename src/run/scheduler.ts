/**
 * Scheduling shared by every campaign of one publisher: a lane per account (one delivery at a time),
 * a post window per account (at most `postsPerWindow` posts in any `windowMs`), and a cap per
 * platform (at most `platformConcurrency` requests in flight).
 *
 * The state lives with the limits table it enforces ({@link schedulerFor}): a publisher makes one
 * table and hands it to every campaign it runs, so two campaigns on the same account share the
 * account's window, and concurrent campaigns share each platform's cap, as the platforms count.
 *
 * Lanes and windows are made when an account is first used and dropped once idle, so a hall of
 * 100,000 accounts costs memory only for the accounts that are busy or posted within a window.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimits } from '../adapter.js';

/** A FIFO of waiters that dequeues in O(1). */
class WaitQueue {
  #items: (() => void)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(wake: () => void): void {
    this.#items.push(wake);
  }

  shift(): (() => void) | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const wake = this.#items[this.#head];
    this.#items[this.#head] = noop;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return wake;
  }
}

function noop(): void {}

/** Slots of a platform's cap. */
class PlatformSlots {
  #free: number;
  readonly #waiting = new WaitQueue();
  #inFlight = 0;
  #maxInFlight = 0;

  constructor(readonly concurrency: number) {
    this.#free = concurrency;
  }

  /** The most requests that were in flight at once. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inFlight += 1;
    if (this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight;
    try {
      return await call();
    } finally {
      this.#inFlight -= 1;
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.#waiting.shift();
      if (next === undefined) this.#free += 1;
      else next();
    }
  }
}

/** An account's lane: one task at a time, in arrival order. */
interface Lane {
  readonly waiting: WaitQueue;
}

/** An account's posts that still count against its window. */
interface PostWindow {
  /** Posts sent and not yet answered: each counts until its answer plus the window. */
  inFlight: number;
  /** When each answered post stops counting (its answer time plus `windowMs`), oldest first. */
  endsAt: number[];
  /** Woken when a post is answered (made when first needed: most accounts never wait). */
  waiting: WaitQueue | undefined;
}

/** A post slot taken from an account's window; settle it once the call has answered. */
export interface PostSlot {
  /**
   * Records how the call ended: `landed` (or may have) keeps the post in the window until the
   * answer time plus `windowMs`; a post that certainly did not land frees its place at once.
   */
  settle(landed: boolean): void;
}

/**
 * Post windows kept outside this process (in Redis, by `createRedisRateWindows`), so that every
 * worker posting for an account counts against the same window.
 */
export interface SharedPostWindows {
  /** Waits until `key`'s window has room, and takes a place in it. Rejects when `signal` aborts. */
  take(
    key: string,
    limits: { readonly limit: number; readonly windowMs: number; readonly holdMs?: number },
    signal?: AbortSignal,
  ): Promise<{ settle(landed: boolean): Promise<void> }>;
}

/** Every how many post slots the windows of idle accounts are swept. */
const SWEEP_EVERY = 1024;

/** The shared scheduler of one publisher (one limits table). */
export class Scheduler {
  readonly #limits: ReadonlyMap<string, RateLimits>;
  readonly #lanes = new Map<string, Lane>();
  readonly #windows = new Map<string, PostWindow>();
  readonly #platforms = new Map<string, PlatformSlots>();
  #sinceSweep = 0;
  #shared: SharedPostWindows | undefined;

  constructor(limits: ReadonlyMap<string, RateLimits>) {
    this.#limits = limits;
  }

  /** Accounts with a lane or a window held right now (for tests and benchmarks). */
  get trackedAccounts(): number {
    return new Set([...this.#lanes.keys(), ...this.#windows.keys()]).size;
  }

  /** The most requests that were in flight at once on a platform. */
  maxInFlight(platform: string): number {
    return this.#platforms.get(platform)?.maxInFlight ?? 0;
  }

  /**
   * Runs `task` once the account's earlier tasks are done; `idle` wraps the wait for them, so the
   * caller can let go of what it holds meanwhile.
   */
  async inLane<T>(
    accountId: string,
    idle: <W>(wait: () => Promise<W>) => Promise<W>,
    task: () => Promise<T>,
  ): Promise<T> {
    let lane = this.#lanes.get(accountId);
    if (lane === undefined) {
      lane = { waiting: new WaitQueue() };
      this.#lanes.set(accountId, lane);
    } else {
      const waitingLane = lane;
      await idle(() => new Promise<void>((resolve) => waitingLane.waiting.push(resolve)));
    }
    try {
      return await task();
    } finally {
      const next = lane.waiting.shift();
      if (next === undefined) this.#lanes.delete(accountId);
      else next();
    }
  }

  /**
   * Makes every post slot also take a place in a window shared with other processes (the key is
   * `<platform>:<account id>`), after this process's own window has room. A post that must wait
   * for the shared window waits: it is delayed, not failed.
   */
  shareWindows(windows: SharedPostWindows | undefined): void {
    this.#shared = windows;
  }

  /** Runs one request within the platform's cap. */
  onPlatform<T>(platform: string, call: () => Promise<T>): Promise<T> {
    let slots = this.#platforms.get(platform);
    if (slots === undefined) {
      slots = new PlatformSlots(this.#rate(platform).platformConcurrency);
      this.#platforms.set(platform, slots);
    }
    return slots.run(call);
  }

  /**
   * Waits until the account may post without going over `postsPerWindow` in any `windowMs`, and
   * takes a place in its window. A post counts from the moment it is sent until its answer plus
   * the window: it reached the platform at some time in between, so the platform, counting from
   * its own receipt, never sees more than the limit in one window. `idle` wraps each wait, so the
   * caller can let go of what it holds meanwhile. Rejects when `signal` aborts.
   */
  async takePostSlot(
    accountId: string,
    platform: string,
    signal: AbortSignal,
    idle: <T>(wait: () => Promise<T>) => Promise<T> = (wait) => wait(),
  ): Promise<PostSlot> {
    const { postsPerWindow, windowMs } = this.#rate(platform);
    this.#sinceSweep += 1;
    if (this.#sinceSweep >= SWEEP_EVERY) this.#sweep();
    let window: PostWindow;
    for (;;) {
      signal.throwIfAborted();
      window = this.#windowOf(accountId);
      const now = Date.now();
      expire(window, now);
      if (window.inFlight + window.endsAt.length < postsPerWindow) break;
      const oldest = window.endsAt[0];
      if (oldest === undefined) {
        // Every place is held by a post in flight: wait for one to answer.
        const waiting = (window.waiting ??= new WaitQueue());
        await idle(() => new Promise<void>((resolve) => waiting.push(resolve)));
      } else {
        // Timers may fire up to a millisecond early against Date.now(): look again after waking.
        await idle(() => sleep(Math.max(1, oldest - now), undefined, { signal }));
      }
    }
    window.inFlight += 1;
    const held = window;
    let settled = false;
    let shared: { settle(landed: boolean): Promise<void> } | undefined;
    const settleHere = (landed: boolean): void => {
      held.inFlight -= 1;
      if (landed) held.endsAt.push(Date.now() + windowMs);
      for (let wake = held.waiting?.shift(); wake !== undefined; wake = held.waiting?.shift()) {
        wake();
      }
      if (held.inFlight === 0 && held.endsAt.length === 0 && this.#windows.get(accountId) === held)
        this.#windows.delete(accountId);
    };
    const windows = this.#shared;
    if (windows !== undefined) {
      try {
        shared = await idle(() =>
          windows.take(
            `${platform}:${accountId}`,
            { limit: postsPerWindow, windowMs, holdMs: this.#rate(platform).requestTimeoutMs },
            signal,
          ),
        );
      } catch (error) {
        settleHere(false);
        throw error;
      }
    }
    return {
      settle: (landed) => {
        if (settled) return;
        settled = true;
        settleHere(landed);
        // The shared slot is settled in the background: a lost settle only keeps it counting
        // until its hold ends, which errs on the side of posting less.
        shared?.settle(landed).catch(() => undefined);
      },
    };
  }

  #windowOf(accountId: string): PostWindow {
    let window = this.#windows.get(accountId);
    if (window === undefined) {
      window = { inFlight: 0, endsAt: [], waiting: undefined };
      this.#windows.set(accountId, window);
    }
    return window;
  }

  #rate(platform: string): RateLimits {
    const limits = this.#limits.get(platform);
    if (limits === undefined) throw new Error(`internal: no limits for ${platform}`);
    return limits;
  }

  /** Drops the windows of accounts whose posts no longer count. */
  #sweep(): void {
    this.#sinceSweep = 0;
    const now = Date.now();
    for (const [accountId, window] of this.#windows) {
      expire(window, now);
      if (window.inFlight === 0 && window.endsAt.length === 0 && !window.waiting?.size) {
        this.#windows.delete(accountId);
      }
    }
  }
}

function expire(window: PostWindow, now: number): void {
  let expired = 0;
  while (expired < window.endsAt.length && window.endsAt[expired]! <= now) expired += 1;
  if (expired > 0) window.endsAt.splice(0, expired);
}

const schedulers = new WeakMap<ReadonlyMap<string, RateLimits>, Scheduler>();

/**
 * The scheduler of a limits table: one per table, made on first use. Coordinators handed the same
 * table (every campaign of one publisher) share lanes, windows and platform caps.
 */
export function schedulerFor(limits: ReadonlyMap<string, RateLimits>): Scheduler {
  let scheduler = schedulers.get(limits);
  if (scheduler === undefined) {
    scheduler = new Scheduler(limits);
    schedulers.set(limits, scheduler);
  }
  return scheduler;
}
