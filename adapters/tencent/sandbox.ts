/**
 * The Tencent Weibo sandbox: a loopback HTTP server that speaks the documented Tencent Weibo API
 * through the shared protocol description ({@link handleTencentRequest}), with latency and fault
 * injection. Tencent Weibo itself stopped service on 2020-09-28.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TencentPlatform, handleTencentRequest } from './protocol.js';
import type { TencentPlatformOptions } from './protocol.js';

/** Options of {@link startTencentSandbox}. */
export interface TencentSandboxOptions extends TencentPlatformOptions {
  /** Port to listen on; `0` picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Serve this platform state instead of a new one (e.g. one shared with msw handlers). */
  readonly platform?: TencentPlatform;
}

/** A running sandbox. */
export interface TencentSandbox {
  /** Base URL to give the adapter as `baseURL`, e.g. `http://127.0.0.1:54321/api/`. */
  readonly url: string;
  readonly port: number;
  /** The platform state: accounts, tweets, faults, settings. */
  readonly platform: TencentPlatform;
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
 * Starts a Tencent Weibo sandbox on loopback.
 *
 * @example
 * const sandbox = await startTencentSandbox();
 * sandbox.platform.addAccount({
 *   openid: 'B624064BA065E01CB73F835017FE96FA',
 *   name: 'beijingfabu',
 *   accessToken: 't-1',
 *   appKey: '801000000',
 * });
 * const tencent = createTencentAdapter({
 *   baseURL: sandbox.url,
 *   appKey: '801000000',
 *   clientIp: '203.0.113.7',
 * });
 * // ...
 * await sandbox.close();
 */
export async function startTencentSandbox(
  options: TencentSandboxOptions = {},
): Promise<TencentSandbox> {
  const { port = 0, host = '127.0.0.1', platform: given, ...platformOptions } = options;
  const platform = given ?? new TencentPlatform(platformOptions);
  const pending = new Set<NodeJS.Timeout>();

  const respond = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const answer = handleTencentRequest(platform, {
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
    url: `http://${hostInUrl}:${address.port}/api/`,
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
