/** Serving the app on Node's HTTP server. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type CredentialsResolver, createCredentialsResolver } from '../credentials.js';
import { ReleaseHallError } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import { hasOutbox } from '../journal/outbox.js';
import type { Publisher } from '../publisher/create-publisher.js';
import { resolveWebhooks } from '../webhooks/resolve.js';
import { type WebhookSender, startWebhookSender } from '../webhooks/sender.js';
import { type ServiceApp, type ServiceOptions, createServiceApp } from './app.js';
import { registerWebhookRoutes } from './webhook-routes.js';

/** Options of {@link startService}. */
export interface StartServiceOptions extends ServiceOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** How the hall's `webhooks` are sent (docs/webhooks.md). */
  readonly webhooks?: ServiceWebhookOptions;
}

/** Options of the webhook sender the service runs when the hall has `webhooks`. */
export interface ServiceWebhookOptions {
  /**
   * Where the webhook secrets are found. @default the environment, then the credentials file
   * named by `RELEASE_HALL_CREDENTIALS`
   */
  readonly credentials?: CredentialsResolver;
  /** How often the outbox is read for events that are due, in milliseconds. @default 1000 */
  readonly pollMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * Starts the webhook sender when the hall has webhooks: subscribes the journal's outbox to their
 * events (so state changes append them in the same transaction) and sends what is owed, including
 * what a previous run left owed.
 */
async function startWebhooks(
  reader: Publisher,
  options: StartServiceOptions,
): Promise<{ journal: Journal; sender: WebhookSender | undefined }> {
  const webhooks = reader.hall.hall.webhooks ?? [];
  const journal = reader.journal;
  if (webhooks.length === 0) return { journal, sender: undefined };
  if (!hasOutbox(journal)) {
    throw new ReleaseHallError(
      '[release-hall] the hall has webhooks but the journal keeps no outbox: use a journal of release-hall (memory, SQLite or Redis)',
      { code: 'INVALID_INPUT', issues: [{ path: 'webhooks', message: 'journal without outbox' }] },
    );
  }
  const endpoints = await resolveWebhooks(
    webhooks,
    options.webhooks?.credentials ?? createCredentialsResolver({ onWarning: () => undefined }),
  );
  journal.subscribeOutbox(
    webhooks.map((webhook) => ({ webhookId: webhook.id, events: webhook.events })),
  );
  const sender = startWebhookSender({
    journal,
    endpoints,
    ...(options.webhooks?.pollMs === undefined ? {} : { pollMs: options.webhooks.pollMs }),
    ...(options.webhooks?.fetch === undefined ? {} : { fetch: options.webhooks.fetch }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return { journal, sender };
}

/** A running service. */
export interface RunningService {
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly app: ServiceApp;
  /**
   * Stops listening, stops the background runs cleanly and waits for them. The journal stays
   * open: its owner closes it.
   */
  close(): Promise<void>;
}

/** Starts the service and resolves once it listens. */
export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const reader = options.publisher('service:webhooks');
  const crisis = options.wechat?.crisis;
  if (crisis !== undefined && (await reader.journal.getCampaign(crisis)) === undefined) {
    throw new ReleaseHallError(
      `[release-hall] crisis mode: no campaign "${crisis}" in the journal: name one that \`release-hall list\` shows`,
      { code: 'INVALID_INPUT', issues: [{ path: 'crisis', message: 'unknown campaign' }] },
    );
  }
  const { journal, sender } = await startWebhooks(reader, options);
  const log = options.log ?? (() => undefined);
  // `deadline:missed` is no state change of the journal: the service appends it to the outbox.
  const publisher =
    sender === undefined || !hasOutbox(journal)
      ? options.publisher
      : (actor: string): Publisher => {
          const made = options.publisher(actor);
          made.on('deadline:missed', (event) => {
            const at = new Date().toISOString();
            journal
              .addOutboxEvent(
                'deadline.missed',
                {
                  campaignId: event.campaignId,
                  from: event.from,
                  deadlineAt: event.deadlineAt,
                  deadlineMinutes: event.deadlineMinutes,
                  accounts: event.accounts,
                  at,
                },
                at,
              )
              .then(
                () => {
                  sender.wake();
                },
                (error: unknown) => {
                  log(
                    `webhooks: deadline.missed of campaign ${event.campaignId} not stored: ${error instanceof Error ? error.message : String(error)}`,
                  );
                },
              );
          });
          return made;
        };
  const app = createServiceApp({ ...options, publisher });
  registerWebhookRoutes(app, { journal, webhooks: reader.hall.hall.webhooks ?? [] });
  const host = options.host ?? '127.0.0.1';
  const { server, address } = await new Promise<{
    server: ReturnType<typeof serve>;
    address: AddressInfo;
  }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (info) => {
      resolve({ server, address: info });
    });
    server.once('error', (error: Error) => {
      void sender?.close();
      reject(error);
    });
  });
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    app,
    close() {
      closing ??= (async () => {
        await app.drain();
        // After the runs: the events they appended while stopping are sent on the next start.
        await sender?.close();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          if ('closeAllConnections' in server) server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
