/**
 * msw handlers for Tencent Weibo, built on the same protocol description as the sandbox
 * ({@link handleTencentRequest}), for unit tests that intercept `fetch` in process.
 */
import { HttpResponse, http } from 'msw';
import type { HttpHandler } from 'msw';
import { handleTencentRequest, tencentProtocolPath } from './protocol.js';
import type { TencentPlatform } from './protocol.js';

/** Options of {@link tencentHandlers}. */
export interface TencentHandlersOptions {
  /**
   * Base URL the handlers answer for, ending with `/api/`.
   * @default 'https://open.t.qq.com/api/'
   */
  readonly baseURL?: string;
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

/**
 * msw handlers that serve `platform` under `baseURL`. A dropped connection becomes
 * `HttpResponse.error()` (a network error for the client); delays end early when the client
 * aborts.
 *
 * @example
 * const platform = new TencentPlatform();
 * const server = setupServer(...tencentHandlers(platform));
 */
export function tencentHandlers(
  platform: TencentPlatform,
  options: TencentHandlersOptions = {},
): HttpHandler[] {
  const baseURL = options.baseURL ?? 'https://open.t.qq.com/api/';
  const pattern = `${baseURL.endsWith('/') ? baseURL : `${baseURL}/`}*`;
  return [
    http.all(pattern, async ({ request }) => {
      const url = new URL(request.url);
      const path = tencentProtocolPath(url, baseURL);
      if (path === undefined) return undefined;
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      const body =
        request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
      const answer = handleTencentRequest(platform, {
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
