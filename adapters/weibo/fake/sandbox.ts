/**
 * The Weibo sandbox: a loopback HTTP server that speaks Weibo v2 through the shared protocol
 * description ({@link handleWeiboRequest}), with latency and fault injection.
 */
import { startFakeServer } from '../../fake/server.js';
import type { FakeServer, FakeServerListenOptions } from '../../fake/server.js';
import { WeiboPlatform, handleWeiboRequest } from './protocol.js';
import type { WeiboPlatformOptions } from './protocol.js';

/** Options of {@link startWeiboSandbox}. */
export interface WeiboSandboxOptions extends WeiboPlatformOptions, FakeServerListenOptions {
  /** Serve this platform state instead of a new one (e.g. one shared with msw handlers). */
  readonly platform?: WeiboPlatform;
}

/** A running sandbox. */
export interface WeiboSandbox extends FakeServer {
  /** Base URL to give the adapter as `baseURL`, e.g. `http://127.0.0.1:54321/2/`. */
  readonly url: string;
  /** The platform state: accounts, posts, faults, settings. */
  readonly platform: WeiboPlatform;
}

/**
 * Starts a Weibo sandbox on loopback.
 *
 * @example
 * const sandbox = await startWeiboSandbox({ safeDomain: 'www.beijing.gov.cn' });
 * sandbox.platform.addAccount({ uid: '2418724427', screenName: '北京发布', accessToken: 't-1' });
 * const weibo = createWeiboAdapter({ baseURL: sandbox.url, rip: '203.0.113.7' });
 * // ...
 * await sandbox.close();
 */
export async function startWeiboSandbox(options: WeiboSandboxOptions = {}): Promise<WeiboSandbox> {
  const { port, host, platform: given, ...platformOptions } = options;
  const platform = given ?? new WeiboPlatform(platformOptions);
  const server = await startFakeServer({
    port,
    host,
    basePath: '/2/',
    body: 'text',
    handle: (request) => handleWeiboRequest(platform, request),
  });
  return { ...server, platform };
}
