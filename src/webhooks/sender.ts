/**
 * The webhook sender: reads the events the journal's outbox owes, POSTs each, signed, to its
 * endpoint and marks it delivered on a 2xx answer; any other outcome (another status, a network
 * error, the timeout) is counted and the event is tried again later, with the same `webhook-id`
 * and body, after a backoff with jitter. Everything it needs is in the journal, so a restarted
 * service sends what was owed when it stopped.
 */
import type { Journal } from '../journal/journal.js';
import type { JournalOutbox, OutboxRow } from '../journal/outbox.js';
import { type WebhookRetrySettings, webhookBackoff } from './backoff.js';
import { signWebhook } from './signing.js';

/** One endpoint with its secret resolved. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  /** `whsec_…`: never logged, never sent. */
  readonly secret: string;
  /** @default 10000 */
  readonly timeoutMs?: number | undefined;
  readonly retry?: WebhookRetrySettings | undefined;
}

/** Options of {@link startWebhookSender}. */
export interface WebhookSenderOptions {
  readonly journal: Journal & JournalOutbox;
  readonly endpoints: readonly WebhookEndpoint[];
  /**
   * How often the outbox is read for events that are due, in milliseconds.
   * @default 1000
   */
  readonly pollMs?: number;
  /** Events sent at most at once. @default 20 */
  readonly batch?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Receives a line about a failed attempt (no secret). @default nothing */
  readonly log?: (message: string) => void;
}

/** A running sender. */
export interface WebhookSender {
  /** Reads the outbox now rather than at the next poll. */
  wake(): void;
  /** Stops after the requests in flight; what is still owed stays in the journal. */
  close(): Promise<void>;
}

/** The body sent for a row: the same text on every attempt. */
export function webhookBody(row: OutboxRow): string {
  return `{"type":${JSON.stringify(row.type)},"timestamp":${JSON.stringify(row.createdAt)},"data":${row.payload}}`;
}

/** What a failed attempt met, in words that hold no secret. */
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (typeof cause?.code === 'string') return `network error ${cause.code}`;
    return `network error (${error.name})`;
  }
  return 'network error';
}

/** Starts sending what the outbox owes; the first read is at once. */
export function startWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const endpoints = new Map(options.endpoints.map((endpoint) => [endpoint.id, endpoint]));
  const pollMs = options.pollMs ?? 1_000;
  const batch = options.batch ?? 20;
  const send = options.fetch ?? globalThis.fetch;
  const log = options.log ?? (() => undefined);
  const { journal } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const attempt = async (row: OutboxRow): Promise<void> => {
    const endpoint = endpoints.get(row.webhookId);
    const failed = async (error: string, endpointRetry?: WebhookRetrySettings): Promise<void> => {
      const now = Date.now();
      const wait = webhookBackoff(row.attempts + 1, endpointRetry);
      log(`webhook ${row.webhookId}: event ${row.id} (${row.type}) not delivered: ${error}`);
      await journal.recordOutboxAttempt(row.id, {
        at: new Date(now).toISOString(),
        nextAttemptAt: new Date(now + wait).toISOString(),
        error,
      });
    };
    if (endpoint === undefined) {
      await failed('no such webhook in the hall file', { firstDelayMs: 3_600_000 });
      return;
    }
    const body = webhookBody(row);
    const timestamp = Math.floor(Date.now() / 1000);
    let outcome: string | undefined;
    try {
      const response = await send(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'release-hall-webhooks',
          'webhook-id': row.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook({
            secret: endpoint.secret,
            id: row.id,
            timestamp,
            body,
          }),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(endpoint.timeoutMs ?? 10_000),
      });
      // The answer's body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status > 299) outcome = `HTTP ${response.status}`;
    } catch (error) {
      outcome = describeFailure(error);
    }
    if (outcome === undefined) await journal.markOutboxDelivered(row.id, new Date().toISOString());
    else await failed(outcome, endpoint.retry);
  };

  const pass = async (): Promise<void> => {
    do {
      again = false;
      const rows = await journal.dueOutbox(new Date().toISOString(), batch);
      await Promise.all(
        rows.map((row) =>
          attempt(row).catch((error: unknown) => {
            log(
              `webhook ${row.webhookId}: event ${row.id}: the journal failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          }),
        ),
      );
      if (rows.length === batch) again = true;
    } while (again && !stopped);
  };

  const schedule = (delay: number): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
  };

  function tick(): void {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = pass()
      .catch((error: unknown) => {
        log(
          `webhooks: the outbox could not be read: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        running = undefined;
        schedule(pollMs);
      });
  }

  schedule(0);
  return {
    wake: () => {
      schedule(0);
    },
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
