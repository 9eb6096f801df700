/**
 * The Weibo sandbox in a process of its own, for the `overhead` scenario: the platform does not
 * share a CPU with the client being measured, as a real platform would not. Registers the
 * synthetic hall's accounts (by size: uids and tokens are derived from the index), answers at
 * zero latency, no per-account limit, and takes commands over IPC:
 *
 * - `{ type: 'reset' }`: forget posts and requests (accounts stay); answers `{ type: 'reset' }`;
 * - `{ type: 'counts' }`: answers `{ type: 'counts', posts, requests, refused }`;
 * - `{ type: 'close' }`: stops the server and exits.
 *
 * It first sends `{ type: 'ready', url }`.
 */
import { startWeiboSandbox } from 'release-hall/sandbox';
import { isMain } from './measure.js';
import { BENCH_DOMAIN, tokenOf, uidOf } from './synthetic-hall.js';

/** A message from the sandbox process. */
export type SandboxMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'reset' }
  | {
      readonly type: 'counts';
      readonly posts: number;
      readonly requests: number;
      /** Requests answered with an error. */
      readonly refused: number;
    };

/** A command to the sandbox process. */
export type SandboxCommand = { readonly type: 'reset' | 'counts' | 'close' };

const send = (message: SandboxMessage): void => {
  process.send?.(message);
};

if (isMain(import.meta.url) && process.send !== undefined) {
  const accounts = Number(process.argv[2] ?? '0');
  const sandbox = await startWeiboSandbox({ safeDomain: BENCH_DOMAIN });
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
