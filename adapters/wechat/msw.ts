/**
 * msw handlers for the WeChat Official Accounts API, built on the same protocol description as the
 * sandbox ({@link handleWechatRequest}), for unit tests that intercept `fetch` in process.
 */
import { HttpResponse, http } from 'msw';
import type { HttpHandler } from 'msw';
import { handleWechatRequest, wechatProtocolPath } from './protocol.js';
import type { WechatPlatform } from './protocol.js';

/** Options of {@link wechatHandlers}. */
export interface WechatHandlersOptions {
  /**
   * Base URL the handlers answer for, ending with `cgi-bin/`.
   * @default 'https://api.weixin.qq.com/cgi-bin/'
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
 * `HttpResponse.error()` (a network error for the client); delays end early when the client aborts.
 *
 * @example
 * const platform = new WechatPlatform();
 * platform.addAccount({ appid: 'wx0123456789abcdef', secret: 's-1' });
 * const server = setupServer(...wechatHandlers(platform));
 */
export function wechatHandlers(
  platform: WechatPlatform,
  options: WechatHandlersOptions = {},
): HttpHandler[] {
  const baseURL = options.baseURL ?? 'https://api.weixin.qq.com/cgi-bin/';
  const pattern = `${baseURL.endsWith('/') ? baseURL : `${baseURL}/`}*`;
  return [
    http.all(pattern, async ({ request }) => {
      const url = new URL(request.url);
      const path = wechatProtocolPath(url, baseURL);
      if (path === undefined) return undefined;
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      const body =
        request.method === 'GET' || request.method === 'HEAD'
          ? new Uint8Array()
          : new Uint8Array(await request.arrayBuffer());
      const answer = handleWechatRequest(platform, {
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
