/**
 * The callback handler on node:http: a `(req, res)` listener, and a server made with it.
 *
 * ```ts
 * const server = createCallbackServer({ token, encodingAESKey, appId, menu });
 * server.listen(8080);
 * ```
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createCallbackHandler } from './handler.js';
import type { CallbackHandler, CallbackHandlerOptions, CallbackResponse } from './handler.js';

/** Options of the node:http helpers: the handler's options plus a body limit. */
export interface CallbackServerOptions extends CallbackHandlerOptions {
  /**
   * Largest request body accepted; bigger bodies get 413. Callback messages are a few KiB.
   * @default 1048576
   */
  readonly maxBodyBytes?: number | undefined;
}

/** A node:http request listener. */
export type CallbackListener = (request: IncomingMessage, response: ServerResponse) => void;

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: CallbackResponse): void {
  if (response.headersSent) return;
  const body = Buffer.from(reply.body, 'utf8');
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  response.end(body);
}

/**
 * A node:http listener around a callback handler: give it the handler's options, or a handler
 * already made with {@link createCallbackHandler} (then `maxBodyBytes` is the second argument).
 */
export function createCallbackListener(
  handlerOrOptions: CallbackHandler | CallbackServerOptions,
  maxBodyBytes?: number,
): CallbackListener {
  const handler =
    typeof handlerOrOptions === 'function'
      ? handlerOrOptions
      : createCallbackHandler(handlerOrOptions);
  const limit =
    maxBodyBytes ??
    (typeof handlerOrOptions === 'function' ? undefined : handlerOrOptions.maxBodyBytes) ??
    1_048_576;
  return (request, response) => {
    const method = (request.method ?? 'GET').toUpperCase();
    const bodyPromise =
      method === 'POST' ? readBody(request, limit) : Promise.resolve(Buffer.alloc(0));
    bodyPromise
      .then((body) => handler({ method, url: request.url ?? '/', body }))
      .then(
        (reply) => send(response, reply),
        (error: unknown) => {
          if (error instanceof BodyTooLarge) {
            send(response, { status: 413, headers: { connection: 'close' }, body: '' });
            return;
          }
          // The handler itself does not throw; this is a broken connection or a bug.
          send(response, { status: 500, headers: {}, body: '' });
        },
      );
  };
}

/** A node:http server answering the callback on every path. Call `listen` on it. */
export function createCallbackServer(options: CallbackServerOptions): Server {
  return createServer(createCallbackListener(options));
}
