/**
 * The msw bridge behind every platform's handlers: one `http.all` handler that adapts an
 * intercepted `fetch` to a protocol description ({@link FakeProtocol}) and carries out its answer.
 */
import { HttpResponse, http } from 'msw';
import type { HttpHandler } from 'msw';
import type { FakeBodies, FakeBodyKind, FakeProtocol } from './protocol.js';

/** Options of {@link fakeHandlers}. */
export interface FakeHandlersOptions<Kind extends FakeBodyKind> extends FakeProtocol<Kind> {
  /** Base URL the handlers answer for. */
  readonly baseURL: string;
  /** Maps an intercepted URL to the protocol path; `undefined` leaves the request to others. */
  readonly protocolPath: (url: URL, baseURL: string) => string | undefined;
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const hasNoBody = (request: Request): boolean =>
  request.method === 'GET' || request.method === 'HEAD';

const readBody: {
  readonly [Kind in FakeBodyKind]: (request: Request) => Promise<FakeBodies[Kind]>;
} = {
  text: async (request) => (hasNoBody(request) ? '' : await request.text()),
  bytes: async (request) =>
    hasNoBody(request) ? new Uint8Array() : new Uint8Array(await request.arrayBuffer()),
};

/**
 * msw handlers that serve `handle` under `baseURL`. A dropped connection becomes
 * `HttpResponse.error()` (a network error for the client); delays end early when the client
 * aborts.
 */
export function fakeHandlers<Kind extends FakeBodyKind>(
  options: FakeHandlersOptions<Kind>,
): HttpHandler[] {
  const { baseURL, protocolPath, body: bodyKind, handle } = options;
  const pattern = `${baseURL.endsWith('/') ? baseURL : `${baseURL}/`}*`;
  return [
    http.all(pattern, async ({ request }) => {
      const url = new URL(request.url);
      const path = protocolPath(url, baseURL);
      if (path === undefined) return undefined;
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      const body = await readBody[bodyKind](request);
      const answer = handle({
        method: request.method,
        path,
        query: url.searchParams,
        headers,
        body,
      });
      if (answer.delayMs > 0 && !(await waitOrAbort(answer.delayMs, request.signal))) {
        return HttpResponse.error();
      }
      if (answer.drop) return HttpResponse.error();
      return new HttpResponse(answer.body, { status: answer.status, headers: answer.headers });
    }),
  ];
}
