/**
 * The Weibo sandbox of the `scale-out` scenario in a process of its own, so the platform's work
 * shares a thread with neither the publisher nor the workers. Registers the synthetic hall's
 * accounts (by size: uids and tokens are derived from the index) and answers every request after a
 * fixed latency, with no per-account limit of its own. Takes commands over IPC:
 *
 * - `{ type: 'reset' }`: forget posts and requests (accounts stay) and start counting CPU time
 *   again; answers `{ type: 'reset' }`;
 * - `{ type: 'tally' }`: answers a {@link ScaleOutTally} of the posts since the last reset;
 * - `{ type: 'close' }`: stops the server and exits.
 *
 * It first sends `{ type: 'ready', url }`. Arguments: the number of accounts, then the latency in
 * ms.
 */
import { startWeiboSandbox } from 'release-hall/sandbox';
import { isMain } from './measure.js';
import { BENCH_DOMAIN, tokenOf, uidOf } from './synthetic-hall.js';

/** What the platform holds after a campaign, counted per account. */
export interface ScaleOutTally {
  readonly type: 'tally';
  /** Posts taken (originals and reposts). */
  readonly posts: number;
  /** Accounts of the hall with exactly one post. */
  readonly accountsWithOnePost: number;
  /** Accounts of the hall with no post. */
  readonly accountsWithoutPost: number;
  /** Accounts of the hall with more than one post. */
  readonly accountsWithSeveralPosts: number;
  /** Reposts of anything but the lead's post. */
  readonly strayReposts: number;
  /** When the platform took the first and the last post (ms since the epoch). */
  readonly firstPostAt: number;
  readonly lastPostAt: number;
  /** Requests received, and those answered with an error. */
  readonly requests: number;
  readonly refused: number;
  /** CPU time (user + system) of the sandbox process since the last reset, in ms. */
  readonly cpuMs: number;
}

/** A message from the sandbox process. */
export type ScaleOutSandboxMessage =
  { readonly type: 'ready'; readonly url: string } | { readonly type: 'reset' } | ScaleOutTally;

/** A command to the sandbox process. */
export type ScaleOutSandboxCommand = { readonly type: 'reset' | 'tally' | 'close' };

const send = (message: ScaleOutSandboxMessage): void => {
  process.send?.(message);
};

if (isMain(import.meta.url) && process.send !== undefined) {
  const accounts = Number(process.argv[2] ?? '0');
  const latencyMs = Number(process.argv[3] ?? '0');
  const sandbox = await startWeiboSandbox({
    safeDomain: BENCH_DOMAIN,
    latency: { fixedMs: latencyMs, jitterMs: 0, seed: 1 },
  });
  for (let index = 0; index < accounts; index++) {
    sandbox.platform.addAccount({
      uid: uidOf(index),
      screenName: index === 0 ? '基准发布' : `基准单位${index}`,
      accessToken: tokenOf(index),
    });
  }
  let cpuBefore = process.cpuUsage();
  const tally = (): ScaleOutTally => {
    const used = process.cpuUsage(cpuBefore);
    const posts = sandbox.platform.allPosts();
    const perUid = new Map<string, number>();
    for (const post of posts) perUid.set(post.uid, (perUid.get(post.uid) ?? 0) + 1);
    let one = 0;
    let none = 0;
    let several = 0;
    for (let index = 0; index < accounts; index++) {
      const made = perUid.get(uidOf(index)) ?? 0;
      if (made === 0) none += 1;
      else if (made === 1) one += 1;
      else several += 1;
    }
    const leadIds = new Set(sandbox.platform.postsOf(uidOf(0)).map((post) => post.id));
    const strayReposts = posts.filter(
      (post) => post.kind === 'repost' && !leadIds.has(post.sourceId ?? ''),
    ).length;
    const times = posts.map((post) => post.createdAt.getTime());
    return {
      type: 'tally',
      posts: posts.length,
      accountsWithOnePost: one,
      accountsWithoutPost: none,
      accountsWithSeveralPosts: several,
      strayReposts,
      firstPostAt: times.length === 0 ? 0 : Math.min(...times),
      lastPostAt: times.length === 0 ? 0 : Math.max(...times),
      requests: sandbox.platform.counts().requests,
      refused: sandbox.platform.requests().filter((request) => request.status >= 300).length,
      cpuMs: (used.user + used.system) / 1000,
    };
  };
  process.on('message', (command: ScaleOutSandboxCommand) => {
    switch (command.type) {
      case 'reset':
        sandbox.platform.reset();
        cpuBefore = process.cpuUsage();
        send({ type: 'reset' });
        break;
      case 'tally':
        send(tally());
        break;
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
