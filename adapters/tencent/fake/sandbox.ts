/**
 * The Tencent Weibo sandbox: a loopback HTTP server that speaks the documented Tencent Weibo API
 * through the shared protocol description ({@link handleTencentRequest}), with latency and fault
 * injection. Tencent Weibo itself stopped service on 2020-09-28.
 */
import { startFakeServer } from '../../fake/server.js';
import type { FakeServer, FakeServerListenOptions } from '../../fake/server.js';
import { TencentPlatform, handleTencentRequest } from './protocol.js';
import type { TencentPlatformOptions } from './protocol.js';

/** Options of {@link startTencentSandbox}. */
export interface TencentSandboxOptions extends TencentPlatformOptions, FakeServerListenOptions {
  /** Serve this platform state instead of a new one (e.g. one shared with msw handlers). */
  readonly platform?: TencentPlatform;
}

/** A running sandbox. */
export interface TencentSandbox extends FakeServer {
  /** Base URL to give the adapter as `baseURL`, e.g. `http://127.0.0.1:54321/api/`. */
  readonly url: string;
  /** The platform state: accounts, tweets, faults, settings. */
  readonly platform: TencentPlatform;
}

/**
 * Starts a Tencent Weibo sandbox on loopback.
 *
 * @example
 * const sandbox = await startTencentSandbox();
 * sandbox.platform.addAccount({
 *   openid: 'B624064BA065E01CB73F835017FE96FA',
 *   name: 'beijingfabu',
 *   accessToken: 't-1',
 *   appKey: '801000000',
 * });
 * const tencent = createTencentAdapter({
 *   baseURL: sandbox.url,
 *   appKey: '801000000',
 *   clientIp: '203.0.113.7',
 * });
 * // ...
 * await sandbox.close();
 */
export async function startTencentSandbox(
  options: TencentSandboxOptions = {},
): Promise<TencentSandbox> {
  const { port, host, platform: given, ...platformOptions } = options;
  const platform = given ?? new TencentPlatform(platformOptions);
  const server = await startFakeServer({
    port,
    host,
    basePath: '/api/',
    body: 'text',
    handle: (request) => handleTencentRequest(platform, request),
  });
  return { ...server, platform };
}
