/**
 * msw handlers for Weibo v2, built on the same protocol description as the sandbox
 * ({@link handleWeiboRequest}), for unit tests that intercept `fetch` in process.
 */
import type { HttpHandler } from 'msw';
import { fakeHandlers } from '../../fake/msw.js';
import { handleWeiboRequest, protocolPath } from './protocol.js';
import type { WeiboPlatform } from './protocol.js';

/** Options of {@link weiboHandlers}. */
export interface WeiboHandlersOptions {
  /**
   * Base URL the handlers answer for, ending with the API version.
   * @default 'https://api.weibo.com/2/'
   */
  readonly baseURL?: string;
}

/**
 * msw handlers that serve `platform` under `baseURL`. A dropped connection becomes
 * `HttpResponse.error()` (a network error for the client); delays end early when the client
 * aborts.
 *
 * @example
 * const platform = new WeiboPlatform({ safeDomain: 'www.beijing.gov.cn' });
 * const server = setupServer(...weiboHandlers(platform));
 */
export function weiboHandlers(
  platform: WeiboPlatform,
  options: WeiboHandlersOptions = {},
): HttpHandler[] {
  const baseURL = options.baseURL ?? 'https://api.weibo.com/2/';
  return fakeHandlers({
    baseURL,
    protocolPath: protocolPath,
    body: 'text',
    handle: (request) => handleWeiboRequest(platform, request),
  });
}
