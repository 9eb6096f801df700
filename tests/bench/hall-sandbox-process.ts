/**
 * A hall's sandboxes (every platform it has accounts on) in a process of their own, for the
 * `crisis` scenario: the platforms' work does not share the publisher's thread, as a real
 * platform's would not. Tokens are `bench-<credentials reference>`, so the parent can resolve
 * credentials without asking. Commands over IPC:
 *
 * - `{ type: 'reset' }`: forget posts and requests on every platform; answers `{ type: 'reset' }`;
 * - `{ type: 'requests' }`: answers `{ type: 'requests', perPlatform }` (requests received);
 * - `{ type: 'close' }`: stops the servers and exits.
 *
 * It first sends `{ type: 'ready', baseURLs, settings }`. Its one argument is a JSON
 * {@link HallSandboxSettings}.
 */
import { fileURLToPath } from 'node:url';
import { readDataFile } from 'release-hall';
import { startHallSandbox } from 'release-hall/sandbox';
import { isMain } from './measure.js';

/** The Beijing hall file (resolved by the parent: a bundle does not sit where its source does). */
export const beijingHallPath = fileURLToPath(
  new URL('../../examples/beijing-hall/hall.yaml', import.meta.url),
);

/** The sandbox token of a credentials reference. */
export function benchToken(ref: string): string {
  return `bench-${ref}`;
}

/** What the parent asks for. */
export interface HallSandboxSettings {
  /** The hall file to serve. */
  readonly hallPath: string;
  readonly latency: { readonly fixedMs: number; readonly jitterMs: number; readonly seed: number };
  /** Per-account post limit of the Weibo and Tencent sandboxes, per hour. */
  readonly postsPerHour: number;
  /** How long a WeChat publish job runs after `freepublish/submit`, in ms. @default 0 */
  readonly wechatPublishDelayMs?: number;
}

/** A message from the sandbox process. */
export type HallSandboxMessage =
  | {
      readonly type: 'ready';
      readonly baseURLs: Readonly<Record<string, string>>;
      readonly settings: Readonly<Record<string, Readonly<Record<string, string>>>>;
    }
  | { readonly type: 'reset' }
  | { readonly type: 'requests'; readonly perPlatform: Readonly<Record<string, number>> };

/** A command to the sandbox process. */
export type HallSandboxCommand = { readonly type: 'reset' | 'requests' | 'close' };

const send = (message: HallSandboxMessage): void => {
  process.send?.(message);
};

if (isMain(import.meta.url) && process.send !== undefined) {
  const settings = JSON.parse(process.argv[2] ?? '{}') as HallSandboxSettings;
  const hourly = { posts: settings.postsPerHour, windowMs: 3_600_000 };
  const sandbox = await startHallSandbox(await readDataFile(settings.hallPath, 'hall'), {
    weibo: { latency: settings.latency, rateLimit: hourly },
    tencent: { latency: settings.latency, rateLimit: hourly },
    wechat: { latency: settings.latency, publishDelayMs: settings.wechatPublishDelayMs ?? 0 },
    tokenFor: benchToken,
  });
  process.on('message', (command: HallSandboxCommand) => {
    switch (command.type) {
      case 'reset':
        sandbox.weibo.platform.reset();
        sandbox.tencent?.platform.reset();
        sandbox.wechat?.platform.reset();
        send({ type: 'reset' });
        break;
      case 'requests':
        send({
          type: 'requests',
          perPlatform: {
            weibo: sandbox.weibo.platform.requests().length,
            ...(sandbox.tencent ? { tencent: sandbox.tencent.platform.requests().length } : {}),
            ...(sandbox.wechat ? { wechat: sandbox.wechat.platform.requests().length } : {}),
          },
        });
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
  send({ type: 'ready', baseURLs: sandbox.baseURLs, settings: sandbox.settings });
}
