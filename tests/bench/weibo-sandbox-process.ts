/**
 * The Weibo sandbox in a process of its own, for the `overhead` and `rate-limit` scenarios: the
 * platform does not share a CPU with the client being measured, as a real platform would not.
 * Registers the synthetic hall's accounts (by size: uids and tokens are derived from the index).
 * Answers at zero latency with no per-account limit, unless the second argument (JSON
 * {@link SandboxSettings}) asks for a latency or a limit. Takes commands over IPC:
 *
 * - `{ type: 'reset' }`: forget posts and requests (accounts stay); answers `{ type: 'reset' }`;
 * - `{ type: 'counts' }`: answers `{ type: 'counts', posts, requests, refused }`;
 * - `{ type: 'posts' }`: answers `{ type: 'posts', times, limitRefusals }`: when the sandbox took
 *   each post of the first account (ms since the epoch, ascending), and the posts it refused for
 *   the per-account limit;
 * - `{ type: 'close' }`: stops the server and exits.
 *
 * It first sends `{ type: 'ready', url }`.
 */
import { startWeiboSandbox } from 'release-hall/sandbox';
import { isMain } from './measure.js';
import { BENCH_DOMAIN, tokenOf, uidOf } from './synthetic-hall.js';

/** Latency and per-account limit of the sandbox (second argument, as JSON). */
export interface SandboxSettings {
  readonly latency?: { readonly fixedMs: number; readonly jitterMs: number; readonly seed: number };
  readonly rateLimit?: { readonly posts: number; readonly windowMs: number };
}

/** A message from the sandbox process. */
export type SandboxMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'reset' }
  | {
      readonly type: 'posts';
      readonly times: readonly number[];
      readonly limitRefusals: number;
    }
  | {
      readonly type: 'counts';
      readonly posts: number;
      readonly requests: number;
      /** Requests answered with an error. */
      readonly refused: number;
    };

/** A command to the sandbox process. */
export type SandboxCommand = { readonly type: 'reset' | 'counts' | 'posts' | 'close' };

const send = (message: SandboxMessage): void => {
  process.send?.(message);
};

if (isMain(import.meta.url) && process.send !== undefined) {
  const accounts = Number(process.argv[2] ?? '0');
  const settings = JSON.parse(process.argv[3] ?? '{}') as SandboxSettings;
  const sandbox = await startWeiboSandbox({
    safeDomain: BENCH_DOMAIN,
    ...(settings.latency === undefined ? {} : { latency: settings.latency }),
    ...(settings.rateLimit === undefined ? {} : { rateLimit: settings.rateLimit }),
  });
  for (let index = 0; index < accounts; index++) {
    sandbox.platform.addAccount({
      uid: uidOf(index),
      screenName: index === 0 ? '基准发布' : `基准单位${index}`,
      accessToken: tokenOf(index),
    });
  }
  process.on('message', (command: SandboxCommand) => {
    switch (command.type) {
      case 'reset':
        sandbox.platform.reset();
        send({ type: 'reset' });
        break;
      case 'counts': {
        const counts = sandbox.platform.counts();
        const refused = sandbox.platform.requests().filter((request) => request.status >= 300);
        send({
          type: 'counts',
          posts: counts.posts,
          requests: counts.requests,
          refused: refused.length,
        });
        break;
      }
      case 'posts': {
        const times = sandbox.platform
          .postsOf(uidOf(0))
          .map((post) => post.createdAt.getTime())
          .sort((a, b) => a - b);
        // Weibo's answers to a post over the per-account limit (platforms.md §2.6).
        const limitRefusals = sandbox.platform
          .requests()
          .filter((request) => request.errorCode === 20016 || request.errorCode === 10023).length;
        send({ type: 'posts', times, limitRefusals });
        break;
      }
      case 'close':
        void sandbox.close().finally(() => {
          process.exit(0);
        });
        break;
    }
  });
  process.on('disconnect', () => {
    process.exit(0);
  });
  send({ type: 'ready', url: sandbox.url });
}
