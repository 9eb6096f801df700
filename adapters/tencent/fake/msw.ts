/**
 * msw handlers for Tencent Weibo, built on the same protocol description as the sandbox
 * ({@link handleTencentRequest}), for unit tests that intercept `fetch` in process.
 */
import type { HttpHandler } from 'msw';
import { fakeHandlers } from '../../fake/msw.js';
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
  return fakeHandlers({
    baseURL,
    protocolPath: tencentProtocolPath,
    body: 'text',
    handle: (request) => handleTencentRequest(platform, request),
  });
}
