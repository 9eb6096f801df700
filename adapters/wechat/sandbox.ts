/**
 * The WeChat sandbox: a loopback HTTP server that speaks the Official Accounts API through the
 * shared protocol description ({@link handleWechatRequest}), with latency and fault injection.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WechatPlatform, handleWechatRequest } from './protocol.js';
import type { WechatPlatformOptions } from './protocol.js';

/** Options of {@link startWechatSandbox}. */
export interface WechatSandboxOptions extends WechatPlatformOptions {
  /** Port to listen on; `0` picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Serve this platform state instead of a new one (e.g. one shared with msw handlers). */
  readonly platform?: WechatPlatform;
}

/** A running sandbox. */
export interface WechatSandbox {
  /** Base URL to give the adapter as `baseURL`, e.g. `http://127.0.0.1:54321/cgi-bin/`. */
  readonly url: string;
  readonly port: number;
  /** The platform state: accounts, tokens, drafts, articles, mass sends, faults, clock. */
  readonly platform: WechatPlatform;
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

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/**
 * Starts a WeChat sandbox on loopback.
 *
 * @example
 * const sandbox = await startWechatSandbox();
 * sandbox.platform.addAccount({ appid: 'wx0123456789abcdef', secret: 's-1', kind: 'subscription' });
 * const wechat = createWechatAdapter({ baseURL: sandbox.url });
 * // ...
 * await sandbox.close();
 */
export async function startWechatSandbox(
  options: WechatSandboxOptions = {},
): Promise<WechatSandbox> {
  const { port = 0, host = '127.0.0.1', platform: given, ...platformOptions } = options;
  const platform = given ?? new WechatPlatform(platformOptions);
  const pending = new Set<NodeJS.Timeout>();

  const respond = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const answer = handleWechatRequest(platform, {
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
    url: `http://${hostInUrl}:${address.port}/cgi-bin/`,
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
