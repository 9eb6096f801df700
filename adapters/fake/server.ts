/**
 * The loopback HTTP server behind every platform sandbox: it adapts each incoming request to a
 * protocol description ({@link FakeProtocol}) and carries out its answer, with the latency and the
 * faults the answer asks for. No test-runner or msw dependency.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeBodies, FakeBodyKind, FakeProtocol } from './protocol.js';

/** Where a sandbox listens. */
export interface FakeServerListenOptions {
  /** Port to listen on; `0` picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
}

/** Options of {@link startFakeServer}. */
export interface FakeServerOptions<Kind extends FakeBodyKind> extends FakeProtocol<Kind> {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** Path the platform's API lives under, e.g. `/2/`; the server's `url` ends with it. */
  readonly basePath: string;
}

/** A running fake server. */
export interface FakeServer {
  /** Base URL to give the adapter as `baseURL`. */
  readonly url: string;
  readonly port: number;
  /**
   * Connections open now. A client killed mid-request leaves its connection open until the
   * server has read and answered what it had sent; zero means every such request was carried out.
   */
  openConnections(): number;
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

const decodeBody: { readonly [Kind in FakeBodyKind]: (bytes: Buffer) => FakeBodies[Kind] } = {
  text: (bytes) => bytes.toString('utf8'),
  bytes: (bytes) => bytes,
};

async function readBody<Kind extends FakeBodyKind>(
  request: IncomingMessage,
  kind: Kind,
): Promise<FakeBodies[Kind]> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return decodeBody[kind](Buffer.concat(chunks));
}

/**
 * Starts a loopback server that serves `handle`. An answer's delay ends early, with nothing sent,
 * when the client goes away or the server closes; a dropped answer destroys the socket after the
 * delay (the write applied, the reply lost).
 */
export async function startFakeServer<Kind extends FakeBodyKind>(
  options: FakeServerOptions<Kind>,
): Promise<FakeServer> {
  const { port = 0, host = '127.0.0.1', basePath, body: bodyKind, handle } = options;
  const pending = new Set<NodeJS.Timeout>();

  const respond = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request, bodyKind);
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const answer = handle({
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
    // Connections stay open for the next request, as on the real platforms.
    response.writeHead(answer.status, answer.headers);
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

  let open = 0;
  server.on('connection', (socket) => {
    open += 1;
    socket.once('close', () => {
      open -= 1;
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A hall's every account may connect at once: a backlog for a thousand connections (the
    // kernel's own cap, net.core.somaxconn, still applies).
    server.listen({ port, host, backlog: 2048 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostInUrl}:${address.port}${basePath}`,
    port: address.port,
    openConnections: () => open,
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
