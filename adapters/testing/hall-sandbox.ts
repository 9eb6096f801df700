/**
 * A sandbox for a whole hall: starts the fake platform servers on loopback, registers every
 * account of the hall on them with a fresh sandbox token, and hands back the base URLs, the adapter
 * settings the fakes expect, and a credentials source. Used by `release-hall publish --sandbox`, the
 * demo and the end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { type Credentials, type CredentialsSource, hallSchema } from '#core';
import type { TencentPlatformOptions } from '../tencent/fake/protocol.js';
import { type TencentSandbox, startTencentSandbox } from '../tencent/fake/sandbox.js';
import type { WechatPlatformOptions } from '../wechat/fake/protocol.js';
import { type WechatSandbox, startWechatSandbox } from '../wechat/fake/sandbox.js';
import type { WeiboPlatformOptions } from '../weibo/fake/protocol.js';
import { type WeiboSandbox, startWeiboSandbox } from '../weibo/fake/sandbox.js';

/** The app key the Tencent sandbox accepts when the hall file names none. */
export const SANDBOX_TENCENT_APP_KEY = '801000000';
/** The client IP adapters send to the sandboxes when the hall file names none (a documentation address). */
export const SANDBOX_CLIENT_IP = '203.0.113.10';

/** Options of {@link startHallSandbox}. */
export interface HallSandboxOptions {
  /** Settings of the Weibo sandbox (latency, rate limits, ...). */
  readonly weibo?: WeiboPlatformOptions;
  /** Settings of the Tencent Weibo sandbox. */
  readonly tencent?: TencentPlatformOptions;
  /** Settings of the WeChat sandbox. */
  readonly wechat?: WechatPlatformOptions;
  /** The sandbox token of each credentials reference. @default a random token per reference */
  readonly tokenFor?: (ref: string) => string;
  /**
   * How long before the start every account last posted (a time only: no post is stored), so
   * `release-hall check --sandbox` finds active accounts; `false` leaves them without any post.
   * @default 86_400_000 (one day)
   */
  readonly lastPostAgeMs?: number | false;
}

/** A running sandbox for one hall. */
export interface HallSandbox {
  /** Base URL per platform, to give each adapter as `baseURL`. */
  readonly baseURLs: Readonly<Record<string, string>>;
  /** Adapter settings the sandboxes expect, per platform (app keys, client IPs), where the hall has none. */
  readonly settings: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Resolves each account's credentials reference to its sandbox token. */
  readonly credentials: CredentialsSource;
  /** The Weibo sandbox (posts, faults, settings). */
  readonly weibo: WeiboSandbox;
  /** The Tencent Weibo sandbox, when the hall has Tencent accounts. */
  readonly tencent: TencentSandbox | undefined;
  /** The WeChat sandbox, when the hall has WeChat accounts. */
  readonly wechat: WechatSandbox | undefined;
  /** Stops every server. */
  close(): Promise<void>;
}

function textSetting(
  settings: Record<string, unknown> | undefined,
  key: string,
): string | undefined {
  const value = settings?.[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * Starts sandboxes for the platforms the hall uses and registers its accounts.
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
  const tokens = new Map<string, Credentials>();
  const tokenFor = (ref: string): string =>
    options.tokenFor?.(ref) ?? `sandbox-${randomBytes(12).toString('hex')}`;

  const lastPostAge = options.lastPostAgeMs ?? 86_400_000;
  const weibo = await startWeiboSandbox({
    ...(hall.site ? { safeDomain: hall.site.domain } : {}),
    ...options.weibo,
  });
  for (const member of hall.members) {
    const account = member.accounts.weibo;
    if (account === undefined) continue;
    const uid = typeof account.uid === 'string' ? account.uid : String(account.uid);
    const token = tokenFor(account.credentials);
    weibo.platform.addAccount({ uid, screenName: account.handle, accessToken: token });
    if (lastPostAge !== false)
      weibo.platform.setLastPostAt(uid, weibo.platform.now() - lastPostAge);
    tokens.set(account.credentials, { access_token: token });
  }

  const settings: Record<string, Record<string, string>> = {};
  if (textSetting(hall.platforms.weibo?.settings, 'rip') === undefined) {
    settings.weibo = { rip: SANDBOX_CLIENT_IP };
  }
  let tencent: TencentSandbox | undefined;
  if (hall.members.some((member) => member.accounts.tencent !== undefined)) {
    const given = hall.platforms.tencent?.settings;
    const appKey = textSetting(given, 'appKey') ?? SANDBOX_TENCENT_APP_KEY;
    settings.tencent = {
      ...(textSetting(given, 'appKey') === undefined ? { appKey } : {}),
      ...(textSetting(given, 'clientIp') === undefined ? { clientIp: SANDBOX_CLIENT_IP } : {}),
    };
    tencent = await startTencentSandbox({ ...options.tencent });
    for (const member of hall.members) {
      const account = member.accounts.tencent;
      if (account === undefined) continue;
      const token = tokenFor(account.credentials);
      tencent.platform.addAccount({
        openid: String(account.openid),
        name: account.handle,
        accessToken: token,
        appKey,
      });
      if (lastPostAge !== false) {
        tencent.platform.setLastPostAt(
          String(account.openid),
          tencent.platform.now() - lastPostAge,
        );
      }
      tokens.set(account.credentials, { access_token: token });
    }
  }
  let wechat: WechatSandbox | undefined;
  if (hall.members.some((member) => member.accounts.wechat !== undefined)) {
    wechat = await startWechatSandbox({ ...options.wechat });
    for (const member of hall.members) {
      const account = member.accounts.wechat;
      if (account === undefined || typeof account.appid !== 'string') continue;
      const secret = tokenFor(account.credentials);
      wechat.platform.addAccount({
        appid: account.appid,
        secret,
        name: account.handle,
        ...(account.kind === undefined ? {} : { kind: account.kind }),
        ...(account.massSendProtection === true ? { massSendProtection: true } : {}),
        ...(typeof account.pushQuota === 'number' ? { pushQuota: account.pushQuota } : {}),
      });
      tokens.set(account.credentials, { secret });
    }
  }
  const runningTencent = tencent;
  const runningWechat = wechat;
  return {
    baseURLs: {
      weibo: weibo.url,
      ...(runningTencent ? { tencent: runningTencent.url } : {}),
      ...(runningWechat ? { wechat: runningWechat.url } : {}),
    },
    settings,
    credentials: ({ ref }) => tokens.get(ref),
    weibo,
    tencent: runningTencent,
    wechat: runningWechat,
    close: async () => {
      await weibo.close();
      await runningTencent?.close();
      await runningWechat?.close();
    },
  };
}
