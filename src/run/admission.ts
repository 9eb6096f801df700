/**
 * Admission: how many deliveries of one campaign on one platform are under way at once. A
 * delivery holds a ticket from the moment it may start until it ends, except while it only waits
 * (backoff, a rate-limit window, a look-up delay): then it hands the ticket on and takes it back,
 * ahead of deliveries not yet started, when the wait is over.
 *
 * Without it a campaign starts every delivery at once: for a hall of 100,000 accounts, 100,000
 * deliveries would hold their state (and be journaled as `sending`) while they queue for a few
 * platform slots. With it, the state held is that of a few hundred deliveries, and `sending` is
 * written shortly before each call leaves.
 */

/** Tickets of one platform within one campaign. */
export class Admission {
  #free: number;
  /** Deliveries waiting to start, oldest first. */
  #waiting: (() => void)[] = [];
  #head = 0;
  /** Deliveries taking their ticket back after a wait: served before any in `#waiting`. */
  readonly #returning: (() => void)[] = [];

  constructor(readonly limit: number) {
    this.#free = limit;
  }

  /** Resolves once a ticket is held; `returning` goes ahead of deliveries not yet started. */
  acquire(returning = false): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      if (returning) this.#returning.push(resolve);
      else this.#waiting.push(resolve);
    });
  }

  /** Gives a ticket back: to a returning delivery first, then to the oldest waiting one. */
  release(): void {
    const next = this.#returning.shift() ?? this.#nextWaiting();
    if (next === undefined) this.#free += 1;
    else next();
  }

  #nextWaiting(): (() => void) | undefined {
    if (this.#head >= this.#waiting.length) return undefined;
    const next = this.#waiting[this.#head];
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return next;
  }
}

/** One delivery's hold on an {@link Admission} ticket. */
export class Ticket {
  readonly #admission: Admission;
  #held = false;

  constructor(admission: Admission) {
    this.#admission = admission;
  }

  /** Takes the ticket (no-op when held). */
  async take(returning = false): Promise<void> {
    if (this.#held) return;
    await this.#admission.acquire(returning);
    this.#held = true;
  }

  /** Gives the ticket back (no-op when not held). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#admission.release();
  }

  /**
   * Runs a wait without the ticket and takes it back afterwards. When the wait rejects (an abort),
   * the ticket stays released: the delivery only finishes from there.
   */
  async idle<T>(wait: () => Promise<T>): Promise<T> {
    const held = this.#held;
    this.release();
    const value = await wait();
    if (held) await this.take(true);
    return value;
  }
}
