/** Serving the app on Node's HTTP server. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type ServiceApp, type ServiceOptions, createServiceApp } from './app.js';

/** Options of {@link startService}. */
export interface StartServiceOptions extends ServiceOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
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
  const app = createServiceApp(options);
  const host = options.host ?? '127.0.0.1';
  const { server, address } = await new Promise<{
    server: ReturnType<typeof serve>;
    address: AddressInfo;
  }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (info) => {
      resolve({ server, address: info });
    });
    server.once('error', reject);
  });
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    app,
    close() {
      closing ??= (async () => {
        await app.drain();
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
