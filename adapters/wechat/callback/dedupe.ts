/**
 * Remembering WeChat's retries. WeChat waits 5 s for a passive reply, then retries; three tries
 * in total (platforms.md §1.10). A retry must not run the work again, and gets the same answer.
 *
 * The store is an interface so that several processes behind one callback URL can later share
 * one (Redis, a database); {@link createMemoryDedupeStore} is the bounded in-process default.
 */

/** What is known about a message already seen. */
export type DedupeRecord =
  /** Being handled (in this process or another one). */
  | { readonly state: 'pending' }
  /**
   * Answered. `reply` is the passive reply text; `null` when `success` was answered (no reply,
   * or the reply went later by customer-service message).
   */
  | { readonly state: 'answered'; readonly reply: string | null };

/**
 * Where the handler records the messages it has seen. Methods may be synchronous or return
 * promises.
 */
export interface CallbackDedupeStore {
  /**
   * Atomically: when `key` is unknown (or expired), records it as pending for `ttlMs` and returns
   * `undefined`; otherwise returns its record. Exactly one caller may see `undefined` per key.
   */
  claim(key: string, ttlMs: number): DedupeRecord | undefined | Promise<DedupeRecord | undefined>;
  /** Records the passive answer given for `key`, kept for `ttlMs`. */
  settle(key: string, reply: string | null, ttlMs: number): void | Promise<void>;
}

/** Options of {@link createMemoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /**
   * Most keys kept; the oldest are forgotten first.
   * @default 10000
   */
  readonly maxEntries?: number | undefined;
  /**
   * Clock in milliseconds.
   * @default Date.now
   */
  readonly now?: (() => number) | undefined;
}

/** The in-memory store, with its size for tests and metrics. */
export interface MemoryDedupeStore extends CallbackDedupeStore {
  claim(key: string, ttlMs: number): DedupeRecord | undefined;
  settle(key: string, reply: string | null, ttlMs: number): void;
  /** Keys currently held (expired ones may still count until the next call). */
  readonly size: number;
}

interface Entry {
  record: DedupeRecord;
  expiresAt: number;
}

/** A bounded in-memory {@link CallbackDedupeStore} for one process. */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): MemoryDedupeStore {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`[release-hall] maxEntries must be a positive integer, got ${maxEntries}`);
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function prune(at: number): void {
    // Entries are kept in insertion order, which is also (nearly) expiry order.
    for (const [key, entry] of entries) {
      if (entry.expiresAt > at) break;
      entries.delete(key);
    }
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
  }

  return {
    get size() {
      return entries.size;
    },
    claim(key, ttlMs) {
      const at = now();
      const existing = entries.get(key);
      if (existing !== undefined && existing.expiresAt > at) return existing.record;
      entries.delete(key);
      entries.set(key, { record: { state: 'pending' }, expiresAt: at + ttlMs });
      prune(at);
      return undefined;
    },
    settle(key, reply, ttlMs) {
      const at = now();
      entries.delete(key);
      entries.set(key, { record: { state: 'answered', reply }, expiresAt: at + ttlMs });
      prune(at);
    },
  };
}
