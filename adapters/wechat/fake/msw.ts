/**
 * msw handlers for the WeChat Official Accounts API, built on the same protocol description as the
 * sandbox ({@link handleWechatRequest}), for unit tests that intercept `fetch` in process.
 */
import type { HttpHandler } from 'msw';
import { fakeHandlers } from '../../fake/msw.js';
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
  // Bytes, not text: media uploads are multipart with binary parts.
  return fakeHandlers({
    baseURL,
    protocolPath: wechatProtocolPath,
    body: 'bytes',
    handle: (request) => handleWechatRequest(platform, request),
  });
}
