/**
 * Redaction: secrets never leave the process.
 *
 * Two layers. First, nothing the library builds (errors, events, logs, reports) is written from a
 * secret: URLs lose their credential parameters, bodies are never copied into messages. Second, a
 * {@link Redactor} knows every secret value resolved during a run and scrubs any string that
 * still carries one, as a safety net.
 */

/** Query and form parameters that carry credentials on the supported platforms. */
export const SECRET_PARAMETERS = [
  'access_token',
  'refresh_token',
  'secret',
  'appsecret',
  'client_secret',
  'openkey',
  'oauth_consumer_key',
] as const;

const REPLACEMENT = '[redacted]';

const SECRET_PARAMETER_PATTERN = new RegExp(
  `([?&](?:${SECRET_PARAMETERS.join('|')})=)[^&#\\s]*`,
  'gi',
);

/** Removes credential parameters from a URL (or a bare query string) and returns it as text. */
export function redactUrl(url: string | URL): string {
  const text = typeof url === 'string' ? url : url.toString();
  // No "=", no parameter: most strings a run scrubs (ids, times, post texts) skip the pattern.
  if (!text.includes('=')) return text;
  return text.replace(SECRET_PARAMETER_PATTERN, `$1${REPLACEMENT}`);
}

/** Replaces an `Authorization` header value. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = /^(authorization|cookie|x-api-key)$/i.test(name) ? REPLACEMENT : value;
  }
  return out;
}

/** Up to this many patterns a string is searched for each with `indexOf`; beyond, through a hash index. */
const DIRECT_SEARCH_LIMIT = 32;
/** Multiplier of the rolling hash. */
const HASH_BASE = 0x01000193;

/** Hash of `text.slice(start, start + length)`, the same as the rolling hash computes. */
function windowHash(text: string, start: number, length: number): number {
  let hash = 0;
  for (let index = start; index < start + length; index++) {
    hash = (Math.imul(hash, HASH_BASE) + text.charCodeAt(index)) | 0;
  }
  return hash;
}

/**
 * The secret values to find, each with its URL-encoded form. A handful are searched one by one;
 * a run over a large hall holds one token per account, so past {@link DIRECT_SEARCH_LIMIT} the
 * patterns are indexed by a rolling hash per length (Rabin–Karp), with a bit set in front of the
 * index: a string is read once per distinct secret length, whatever the number of secrets.
 */
class SecretPatterns {
  readonly #patterns: string[] = [];
  /** Distinct pattern lengths, longest first. */
  #lengths: number[] = [];
  #byHash: Map<number, string[]> | undefined;
  #bits: Uint32Array = new Uint32Array(0);
  #mask = 0;

  get size(): number {
    return this.#patterns.length;
  }

  /** Adds a pattern; the caller adds each one once. */
  add(pattern: string): void {
    this.#patterns.push(pattern);
    if (!this.#lengths.includes(pattern.length)) {
      this.#lengths = [...this.#lengths, pattern.length].sort((a, b) => b - a);
    }
    if (this.#byHash !== undefined) this.#index(pattern);
    else if (this.#patterns.length > DIRECT_SEARCH_LIMIT) {
      this.#byHash = new Map();
      for (const each of this.#patterns) this.#index(each);
    }
  }

  #index(pattern: string): void {
    const byHash = this.#byHash!;
    const hash = windowHash(pattern, 0, pattern.length);
    const same = byHash.get(hash);
    if (same === undefined) byHash.set(hash, [pattern]);
    else same.push(pattern);
    // About 16 bits per pattern keeps the bit set's false hits near 6 %.
    if (this.#patterns.length * 16 > this.#bits.length * 32) {
      const words = Math.max(1024, 2 ** Math.ceil(Math.log2((this.#patterns.length * 16) / 32)));
      this.#bits = new Uint32Array(words);
      this.#mask = words * 32 - 1;
      for (const key of byHash.keys()) this.#mark(key);
    } else {
      this.#mark(hash);
    }
  }

  #mark(hash: number): void {
    const bit = hash & this.#mask;
    this.#bits[bit >>> 5]! |= 1 << (bit & 31);
  }

  /** Every place a pattern starts in `text`, as [start, length] pairs (unordered). */
  find(text: string): [number, number][] {
    const found: [number, number][] = [];
    if (this.#byHash === undefined) {
      for (const pattern of this.#patterns) {
        for (let at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + 1)) {
          found.push([at, pattern.length]);
        }
      }
      return found;
    }
    const byHash = this.#byHash;
    const bits = this.#bits;
    const mask = this.#mask;
    for (const length of this.#lengths) {
      if (length > text.length) continue;
      // HASH_BASE ** (length - 1), modulo 2^32, to take the leaving character out.
      let leading = 1;
      for (let step = 1; step < length; step++) leading = Math.imul(leading, HASH_BASE);
      let hash = windowHash(text, 0, length);
      for (let start = 0; ; start++) {
        const bit = hash & mask;
        if ((bits[bit >>> 5]! & (1 << (bit & 31))) !== 0) {
          for (const pattern of byHash.get(hash) ?? []) {
            if (pattern.length === length && text.startsWith(pattern, start)) {
              found.push([start, length]);
              break;
            }
          }
        }
        const next = start + length;
        if (next >= text.length) break;
        hash =
          (Math.imul(hash - Math.imul(text.charCodeAt(start), leading), HASH_BASE) +
            text.charCodeAt(next)) |
          0;
      }
    }
    return found;
  }
}

/**
 * Holds the secret values seen in one run and scrubs them from anything on its way out.
 * Values shorter than 4 characters are not tracked (they would match ordinary text).
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #patterns = new SecretPatterns();

  /** Remembers secret values to scrub. */
  add(...values: readonly (string | undefined)[]): void {
    for (const value of values) {
      if (value === undefined || value.length < 4 || this.#secrets.has(value)) continue;
      this.#secrets.add(value);
      this.#patterns.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value && !this.#secrets.has(encoded)) this.#patterns.add(encoded);
    }
  }

  /** Number of secrets held. */
  get size(): number {
    return this.#secrets.size;
  }

  /**
   * Scrubs a string: credential URL parameters, and every occurrence of a known secret value or
   * its URL-encoded form (where two overlap, the leftmost, then the longest, is replaced).
   */
  string(text: string): string {
    const out = redactUrl(text);
    if (this.#patterns.size === 0 || out.length < 4) return out;
    const found = this.#patterns.find(out);
    if (found.length === 0) return out;
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let result = '';
    let done = 0;
    for (const [start, length] of found) {
      if (start < done) {
        // Overlaps what was just replaced: extend the replaced part if it reaches further.
        done = Math.max(done, start + length);
        continue;
      }
      result += `${out.slice(done, start)}${REPLACEMENT}`;
      done = start + length;
    }
    return result + out.slice(done);
  }

  /** Scrubs every string inside a JSON-like value, returning a copy. Errors become plain objects. */
  deep<T>(value: T): T {
    return this.#deep(value, new WeakMap()) as T;
  }

  #deep(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.string(value);
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof Date || value instanceof URL) {
      return value instanceof URL ? this.string(value.toString()) : value;
    }
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.#deep(item, seen));
      return copy;
    }
    if (value instanceof Error) {
      this.scrubError(value);
      return value;
    }
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = this.#deep(item, seen);
    return copy;
  }

  /** Scrubs an error in place: message, stack and the chain of causes. */
  scrubError(error: Error, depth = 0): void {
    if (depth > 5) return;
    try {
      error.message = this.string(error.message);
      if (error.stack) error.stack = this.string(error.stack);
    } catch {
      // frozen error objects are left as they are
    }
    if (error.cause instanceof Error) this.scrubError(error.cause, depth + 1);
  }
}
