/**
 * A sandbox for a whole hall: starts the fake platform servers on loopback, registers every
 * account of the hall on them with a fresh sandbox token, and hands back the base URLs and a
 * credentials source. Used by `release-hall publish --sandbox`, the demo and the end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { type Credentials, type CredentialsSource, hallSchema } from '#core';
import type { WeiboPlatformOptions } from './weibo/protocol.js';
import { type WeiboSandbox, startWeiboSandbox } from './weibo/sandbox.js';

/** Options of {@link startHallSandbox}. */
export interface HallSandboxOptions {
  /** Settings of the Weibo sandbox (latency, rate limits, ...). */
  readonly weibo?: WeiboPlatformOptions;
  /** The sandbox token of each credentials reference. @default a random token per reference */
  readonly tokenFor?: (ref: string) => string;
}

/** A running sandbox for one hall. */
export interface HallSandbox {
  /** Base URL per platform, to give each adapter as `baseURL`. */
  readonly baseURLs: Readonly<Record<string, string>>;
  /** Resolves each account's credentials reference to its sandbox token. */
  readonly credentials: CredentialsSource;
  /** The Weibo sandbox (posts, faults, settings). */
  readonly weibo: WeiboSandbox;
  /** Stops every server. */
  close(): Promise<void>;
}

/**
 * Starts sandboxes for every platform the hall uses and registers its accounts.
 *
 * @param hallData - the parsed hall file (it is checked here)
 */
export async function startHallSandbox(
  hallData: unknown,
  options: HallSandboxOptions = {},
): Promise<HallSandbox> {
  const parsed = hallSchema.safeParse(hallData);
  if (!parsed.success) {
    throw new Error(
      `[release-hall] the hall file is not valid; run "release-hall validate" on it first`,
    );
  }
  const hall = parsed.data;
  const weibo = await startWeiboSandbox({
    ...(hall.site ? { safeDomain: hall.site.domain } : {}),
    ...options.weibo,
  });
  const tokens = new Map<string, Credentials>();
  for (const member of hall.members) {
    const account = member.accounts.weibo;
    if (account === undefined) continue;
    const uid = typeof account.uid === 'string' ? account.uid : String(account.uid);
    const token =
      options.tokenFor?.(account.credentials) ?? `sandbox-${randomBytes(12).toString('hex')}`;
    weibo.platform.addAccount({ uid, screenName: account.handle, accessToken: token });
    tokens.set(account.credentials, { access_token: token });
  }
  return {
    baseURLs: { weibo: weibo.url },
    credentials: ({ ref }) => tokens.get(ref),
    weibo,
    close: () => weibo.close(),
  };
}
