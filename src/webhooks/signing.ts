/**
 * Signing and verifying webhook requests as the Standard Webhooks specification says: the
 * content signed is `<webhook-id>.<webhook-timestamp>.<body>`, with HMAC-SHA256 under the secret's
 * bytes (the base64 after `whsec_`); `webhook-signature` lists `v1,<base64 signature>` entries
 * separated by spaces, any one of which may match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookEvent } from './types.js';

/** Why a webhook request was refused by {@link verifyWebhook}. */
export type WebhookVerificationCode =
  | 'INVALID_SECRET'
  | 'MISSING_HEADER'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_OUT_OF_TOLERANCE'
  | 'INVALID_SIGNATURE'
  | 'INVALID_BODY';

const MARKER = Symbol.for('release-hall.WebhookVerificationError');

/** A webhook request that cannot be trusted; `code` says why. The message names no secret. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly [MARKER] = true;

  constructor(
    readonly code: WebhookVerificationCode,
    message: string,
  ) {
    super(`[release-hall] webhook refused: ${message}`);
  }

  /** True for an error of this class, from any copy of the package. */
  static isInstance(error: unknown): error is WebhookVerificationError {
    return typeof error === 'object' && error !== null && MARKER in error;
  }
}

/** The key bytes of a `whsec_…` secret (the prefix is optional). */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
  if (key === undefined || key.length < 16) {
    throw new WebhookVerificationError(
      'INVALID_SECRET',
      'the secret is not "whsec_" followed by at least 16 bytes in base64 (make one with: node -e "console.log(\'whsec_\' + crypto.randomBytes(32).toString(\'base64\'))")',
    );
  }
  return key;
}

/** The signature of one request: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signWebhook(input: {
  readonly secret: string;
  readonly id: string;
  /** Unix time in seconds. */
  readonly timestamp: number;
  readonly body: string;
}): string {
  const mac = createHmac('sha256', webhookSecretKey(input.secret))
    .update(`${input.id}.${input.timestamp}.${input.body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** Headers as Node (`IncomingHttpHeaders`), fetch (`Headers`) or a plain object gives them. */
export type WebhookHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const found = Object.keys(record).find((key) => key.toLowerCase() === name);
  const value = found === undefined ? undefined : record[found];
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** The endpoint's secret, `whsec_…`. */
  readonly secret: string;
  /** The request's headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  readonly headers: WebhookHeaders;
  /** The raw body, exactly as received (not parsed and serialised again). */
  readonly body: string | Uint8Array;
  /**
   * How far the timestamp may be from now, either way, in seconds.
   * @default 300
   */
  readonly toleranceSeconds?: number;
  /** Now, in milliseconds since the epoch. @default Date.now() */
  readonly now?: number;
}

/**
 * Verifies a webhook request and returns its event. Checks, in this order: the headers are
 * there, the timestamp is within the tolerance (a replay of an old request is refused), one of the
 * signatures matches (compared in constant time), and the body is an event.
 *
 * @throws WebhookVerificationError with a `code` saying why.
 * @example
 * const event = verifyWebhook({ secret, headers: request.headers, body: rawBody });
 */
export function verifyWebhook(options: VerifyWebhookOptions): WebhookEvent {
  const key = webhookSecretKey(options.secret);
  const id = header(options.headers, 'webhook-id');
  const timestampText = header(options.headers, 'webhook-timestamp');
  const signatures = header(options.headers, 'webhook-signature');
  if (id === undefined || timestampText === undefined || signatures === undefined) {
    throw new WebhookVerificationError(
      'MISSING_HEADER',
      'expected the headers webhook-id, webhook-timestamp and webhook-signature',
    );
  }
  if (!/^\d{1,15}$/.test(timestampText.trim())) {
    throw new WebhookVerificationError(
      'INVALID_TIMESTAMP',
      'webhook-timestamp is not unix seconds',
    );
  }
  const timestamp = Number(timestampText.trim());
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'TIMESTAMP_OUT_OF_TOLERANCE',
      `webhook-timestamp is ${now - timestamp} s from now, more than the ${tolerance} s allowed`,
    );
  }
  const body =
    typeof options.body === 'string' ? options.body : Buffer.from(options.body).toString('utf8');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const presented = Buffer.from(entry.slice(comma + 1), 'base64');
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) {
      matched = true;
    }
  }
  if (!matched) {
    throw new WebhookVerificationError('INVALID_SIGNATURE', 'no v1 signature matches');
  }
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError('INVALID_BODY', 'the body is not JSON');
  }
  if (event === null || typeof event !== 'object' || !('type' in event) || !('data' in event)) {
    throw new WebhookVerificationError('INVALID_BODY', 'the body is not a webhook event');
  }
  return { ...(event as Omit<WebhookEvent, 'id'>), id };
}
