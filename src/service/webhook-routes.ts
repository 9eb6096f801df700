/**
 * `GET /v1/webhooks` (viewer): the webhook endpoints of the hall (never their secrets) and the
 * state of the events the outbox holds: owed (with attempts, the next attempt and the last
 * failure) or delivered.
 */
import type { Context, Hono } from 'hono';
import type { Journal } from '../journal/journal.js';
import { type JournalOutbox, hasOutbox } from '../journal/outbox.js';
import type { WebhookSettings } from '../model/hall.js';
import { type ApiRole, ROLE_PERMISSIONS } from './keys.js';
import { ProblemError, problem } from './problem.js';

/** What the webhook routes read. */
export interface WebhookRouteParts {
  /** The journal, when it keeps an outbox. */
  readonly journal: Journal | undefined;
  /** The hall's webhooks. */
  readonly webhooks: readonly WebhookSettings[];
}

/** The latest time there is: every owed event is due by then. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/** Registers `GET /v1/webhooks` on the service's app (behind its API key check). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
export function registerWebhookRoutes(app: Hono<any>, parts: WebhookRouteParts): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
  app.get('/v1/webhooks', async (context: Context<any>) => {
    const caller = context.get('caller') as { id: string; role: ApiRole };
    if (!ROLE_PERMISSIONS[caller.role].has('read')) {
      throw new ProblemError(
        problem(403, 'forbidden', `API key "${caller.id}" (${caller.role}) may not read`),
      );
    }
    const limitText = context.req.query('limit') ?? '100';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ProblemError(
        problem(400, 'invalid-query', 'limit: expected a whole number from 1 to 1000', [
          { path: 'limit', message: `expected 1 to 1000, got ${JSON.stringify(limitText)}` },
        ]),
      );
    }
    const journal: (Journal & JournalOutbox) | undefined =
      parts.journal !== undefined && hasOutbox(parts.journal) ? parts.journal : undefined;
    const rows = journal === undefined ? [] : await journal.listOutbox(limit);
    const owed = journal === undefined ? [] : await journal.dueOutbox(END_OF_TIME, 100_000);
    return context.json({
      webhooks: parts.webhooks.map((webhook) => ({
        id: webhook.id,
        url: webhook.url,
        events: webhook.events,
        pending: owed.filter((row) => row.webhookId === webhook.id).length,
      })),
      pending: owed.length,
      events: rows.map((row) => ({
        id: row.id,
        webhookId: row.webhookId,
        type: row.type,
        status: row.deliveredAt === undefined ? 'pending' : 'delivered',
        createdAt: row.createdAt,
        attempts: row.attempts,
        ...(row.deliveredAt === undefined
          ? { nextAttemptAt: row.nextAttemptAt }
          : { deliveredAt: row.deliveredAt }),
        ...(row.lastError === undefined ? {} : { lastError: row.lastError }),
        data: JSON.parse(row.payload) as unknown,
      })),
    });
  });
}
