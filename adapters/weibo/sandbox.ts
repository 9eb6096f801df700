/**
 * The Weibo sandbox: a loopback HTTP server that speaks Weibo v2 through the shared protocol
 * description ({@link handleWeiboRequest}), with latency and fault injection.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WeiboPlatform, handleWeiboRequest } from './protocol.js';
import type { WeiboPlatformOptions } from './protocol.js';

/** Options of {@link startWeiboSandbox}. */
export interface WeiboSandboxOptions extends WeiboPlatformOptions {
  /** Port to listen on; `0` picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Serve this platform state instead of a new one (e.g. one shared with msw handlers). */
  readonly platform?: WeiboPlatform;
}

/** A running sandbox. */
export interface WeiboSandbox {
  /** Base URL to give the adapter as `baseURL`, e.g. `http://127.0.0.1:54321/2/`. */
  readonly url: string;
  readonly port: number;
  /** The platform state: accounts, posts, faults, settings. */
  readonly platform: WeiboPlatform;
  /** Stops the server, cutting open connections and pending replies. */
  close(): Promise<void>;
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a Weibo sandbox on loopback.
 *
 * @example
 * const sandbox = await startWeiboSandbox({ safeDomain: 'www.beijing.gov.cn' });
 * sandbox.platform.addAccount({ uid: '2418724427', screenName: '北京发布', accessToken: 't-1' });
 * const weibo = createWeiboAdapter({ baseURL: sandbox.url, rip: '203.0.113.7' });
 * // ...
 * await sandbox.close();
 */
export async function startWeiboSandbox(options: WeiboSandboxOptions = {}): Promise<WeiboSandbox> {
  const { port = 0, host = '127.0.0.1', platform: given, ...platformOptions } = options;
  const platform = given ?? new WeiboPlatform(platformOptions);
  const pending = new Set<NodeJS.Timeout>();

  const respond = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const answer = handleWeiboRequest(platform, {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: lowerCaseHeaders(request),
      body,
    });
    if (answer.delayMs > 0) {
      const stillThere = await new Promise<boolean>((resolve) => {
        const onGone = (): void => {
          clearTimeout(timer);
          pending.delete(timer);
          resolve(false);
        };
        const timer = setTimeout(() => {
          pending.delete(timer);
          response.off('close', onGone);
          resolve(true);
        }, answer.delayMs);
        pending.add(timer);
        // The client gave up (its timeout) or the server is closing: nothing left to answer.
        response.once('close', onGone);
      });
      if (!stillThere) return;
    }
    if (answer.drop) {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status, { ...answer.headers, connection: 'close' });
    response.end(answer.body);
  };

  const server = createServer((request, response) => {
    respond(request, response).catch(() => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('sandbox error');
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostInUrl}:${address.port}/2/`,
    port: address.port,
    platform,
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
