/**
 * msw handlers for the WeChat Official Accounts API, built on the same protocol description as the
 * sandbox ({@link handleWechatRequest}), for unit tests that intercept `fetch` in process.
 */
import type { HttpHandler } from 'msw';
import { fakeHandlers } from '../../fake/msw.js';
import { protocolPathUnder } from '../../fake/platform.js';
import { handleWechatRequest, wechatProtocolPath } from './protocol.js';
import type { WechatPlatform } from './protocol.js';

/** Options of {@link wechatHandlers}. */
export interface WechatHandlersOptions {
  /**
   * Base URL the handlers answer for, ending with `cgi-bin/`.
   * @default 'https://api.weixin.qq.com/cgi-bin/'
   */
  readonly baseURL?: string;
  /**
   * Base URL of the statistics API the handlers answer for.
   * @default the folder `datacube/` beside the last folder of `baseURL`
   */
  readonly datacubeBaseURL?: string;
}

/**
 * msw handlers that serve `platform` under `baseURL`, and its statistics under `datacubeBaseURL`. A dropped connection becomes
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
  const datacubeBaseURL =
    options.datacubeBaseURL ??
    new URL('../datacube/', baseURL.endsWith('/') ? baseURL : `${baseURL}/`).toString();
  const handle = (request: Parameters<typeof handleWechatRequest>[1]) =>
    handleWechatRequest(platform, request);
  // Bytes, not text: media uploads are multipart with binary parts.
  return [
    ...fakeHandlers({ baseURL, protocolPath: wechatProtocolPath, body: 'bytes', handle }),
    ...fakeHandlers({
      baseURL: datacubeBaseURL,
      protocolPath: protocolPathUnder('/datacube/'),
      body: 'bytes',
      handle,
    }),
  ];
}
