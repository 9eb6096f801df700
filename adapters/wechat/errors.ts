/**
 * The errors the adapter raises itself (a reply it understood but cannot accept, an unexpected
 * throw). WeChat's own error replies are classified by `map-wechat-error.ts`.
 */
import { ReleaseHallError } from '#core';
import type { Account } from '#core';
import { platformMessage } from '#adapter-kit';
import { WECHAT_PLATFORM } from './map-wechat-error.js';

/** Optional facts of {@link wechatFailure}. */
export interface WechatFailureExtra {
  readonly platformCode?: string;
  readonly retryAfterMs?: number;
  readonly retryable?: boolean;
}

/** A {@link ReleaseHallError} of the adapter for one account and endpoint, in the usual wording. */
export function wechatFailure(
  account: Account,
  endpoint: string,
  code: ReleaseHallError['code'],
  explanation: string,
  extra: WechatFailureExtra = {},
): ReleaseHallError {
  return new ReleaseHallError(
    platformMessage(WECHAT_PLATFORM, endpoint, extra.platformCode, undefined, explanation),
    {
      code,
      platform: WECHAT_PLATFORM,
      accountId: account.id,
      endpoint,
      ...extra,
    },
  );
}

/**
 * Runs one adapter method so that whatever it throws is a {@link ReleaseHallError}: a bug or an
 * unexpected throw (e.g. a custom image loader) becomes `TRANSIENT`, never with a secret.
 */
export async function guarded<T>(account: Account, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) throw error;
    throw new ReleaseHallError(
      `[release-hall] [wechat] unexpected error for account "${account.id}": ${error instanceof Error ? error.message : String(error)}`,
      { code: 'TRANSIENT', platform: WECHAT_PLATFORM, accountId: account.id, cause: error },
    );
  }
}

/** True for the error of an aborted run, which every tolerant read lets through. */
export function isAborted(error: unknown): boolean {
  return ReleaseHallError.isInstance(error) && error.code === 'ABORTED';
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
