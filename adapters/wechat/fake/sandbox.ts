/**
 * The WeChat sandbox: a loopback HTTP server that speaks the Official Accounts API through the
 * shared protocol description ({@link handleWechatRequest}), with latency and fault injection.
 */
import { startFakeServer } from '../../fake/server.js';
import type { FakeServer, FakeServerListenOptions } from '../../fake/server.js';
import { WechatPlatform, handleWechatRequest } from './protocol.js';
import type { WechatPlatformOptions } from './protocol.js';

/** Options of {@link startWechatSandbox}. */
export interface WechatSandboxOptions extends WechatPlatformOptions, FakeServerListenOptions {
  /** Serve this platform state instead of a new one (e.g. one shared with msw handlers). */
  readonly platform?: WechatPlatform;
}

/** A running sandbox. */
export interface WechatSandbox extends FakeServer {
  /** Base URL to give the adapter as `baseURL`, e.g. `http://127.0.0.1:54321/cgi-bin/`. */
  readonly url: string;
  /** The platform state: accounts, tokens, drafts, articles, mass sends, faults, clock. */
  readonly platform: WechatPlatform;
}

/**
 * Starts a WeChat sandbox on loopback.
 *
 * @example
 * const sandbox = await startWechatSandbox();
 * sandbox.platform.addAccount({ appid: 'wx0123456789abcdef', secret: 's-1', kind: 'subscription' });
 * const wechat = createWechatAdapter({ baseURL: sandbox.url });
 * // ...
 * await sandbox.close();
 */
export async function startWechatSandbox(
  options: WechatSandboxOptions = {},
): Promise<WechatSandbox> {
  const { port, host, platform: given, ...platformOptions } = options;
  const platform = given ?? new WechatPlatform(platformOptions);
  // Bytes, not text: media uploads are multipart with binary parts.
  const server = await startFakeServer({
    port,
    host,
    basePath: '/cgi-bin/',
    body: 'bytes',
    handle: (request) => handleWechatRequest(platform, request),
  });
  return { ...server, platform };
}
