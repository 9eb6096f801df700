/**
 * msw handlers for Weibo v2, built on the same protocol description as the sandbox
 * ({@link handleWeiboRequest}), for unit tests that intercept `fetch` in process.
 */
import type { HttpHandler } from 'msw';
import { fakeHandlers } from '../../fake/msw.js';
import { protocolPathUnder } from '../../fake/platform.js';
import { handleWeiboRequest, protocolPath } from './protocol.js';
import type { WeiboPlatform, WeiboProtocolRequest, WeiboProtocolResponse } from './protocol.js';

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

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
  const handle = (request: WeiboProtocolRequest): WeiboProtocolResponse =>
    handleWeiboRequest(platform, request);
  return [
    ...fakeHandlers({ baseURL, protocolPath: protocolPath, body: 'text', handle }),
    // `oauth2/get_token_info` lives beside the versioned API: `<base>/../oauth2/`.
    ...fakeHandlers({
      baseURL: new URL('../oauth2/', withSlash(baseURL)).toString(),
      protocolPath: protocolPathUnder('/oauth2/'),
      body: 'text',
      handle,
    }),
  ];
}
