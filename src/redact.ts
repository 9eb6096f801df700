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

/** Removes credential parameters from a URL (or a bare query string) and returns it as text. */
export function redactUrl(url: string | URL): string {
  const text = typeof url === 'string' ? url : url.toString();
  return text.replace(
    new RegExp(`([?&](?:${SECRET_PARAMETERS.join('|')})=)[^&#\\s]*`, 'gi'),
    `$1${REPLACEMENT}`,
  );
}

/** Replaces an `Authorization` header value. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = /^(authorization|cookie|x-api-key)$/i.test(name) ? REPLACEMENT : value;
  }
  return out;
}

/**
 * Holds the secret values seen in one run and scrubs them from anything on its way out.
 * Values shorter than 4 characters are not tracked (they would match ordinary text).
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Remembers secret values to scrub. */
  add(...values: readonly (string | undefined)[]): void {
    for (const value of values) {
      if (value !== undefined && value.length >= 4) this.#secrets.add(value);
    }
  }

  /** Number of secrets held. */
  get size(): number {
    return this.#secrets.size;
  }

  /** Scrubs a string: known secret values and credential URL parameters. */
  string(text: string): string {
    let out = redactUrl(text);
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REPLACEMENT);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REPLACEMENT);
    }
    return out;
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
