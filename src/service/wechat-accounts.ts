/**
 * The WeChat accounts whose callback the service answers: every WeChat account of the hall whose
 * credentials hold a callback token. The token and the optional `EncodingAESKey` are secrets of
 * the account, found where its AppSecret is (the environment or the credentials file); the appid
 * and the number menu come from the hall file.
 */
import type { AutoReplyMenu } from 'release-hall/adapters/wechat/callback';
import { type CredentialsResolver, credentialsEnvName } from '../credentials.js';
import { ReleaseHallError, invalidInput } from '../errors.js';
import type { Account } from '../model/hall.js';
import type { ResolvedHall } from '../model/load.js';

/** The credentials field holding the callback token of the MP console (服务器配置 → Token). */
export const CALLBACK_TOKEN_FIELD = 'callback_token';
/** The credentials field holding the 43-character `EncodingAESKey`; needed for safe mode. */
export const ENCODING_AES_KEY_FIELD = 'encoding_aes_key';

/** One account whose callback is answered on `/wechat/<member id>`. */
export interface WechatCallbackAccount {
  readonly account: Account;
  /** The callback token (a secret). */
  readonly token: string;
  /** The `EncodingAESKey` (a secret), when the account has one. */
  readonly encodingAESKey?: string | undefined;
  /** The account's appid, from the hall file. */
  readonly appId: string;
  /** The account's number menu, from the hall file (`accounts.wechat.autoReply`). */
  readonly menu?: AutoReplyMenu | undefined;
}

/** A WeChat account whose callback is not answered, and why. */
export interface UnmountedWechatAccount {
  readonly account: Account;
  /** One line naming the account and the credentials field to add (never a secret). */
  readonly message: string;
}

/** What {@link resolveWechatCallbacks} found. */
export interface WechatCallbackAccounts {
  /** The accounts answered, in hall order. */
  readonly accounts: readonly WechatCallbackAccount[];
  /** The WeChat accounts without a callback token. */
  readonly unmounted: readonly UnmountedWechatAccount[];
}

const AES_KEY = /^[A-Za-z0-9+/]{43}$/;

async function optionalField(
  credentials: CredentialsResolver,
  account: Account,
  field: string,
): Promise<string | undefined> {
  try {
    const found = await credentials.resolve(account, [field]);
    return found[field];
  } catch (error) {
    // Only "no such field" means not configured; a credentials store that fails is an error, not
    // a reason to answer every callback 404.
    if (ReleaseHallError.isInstance(error) && error.code === 'AUTH_INVALID') return undefined;
    throw error;
  }
}

/**
 * Finds the callback token (`callback_token`) and the optional `EncodingAESKey`
 * (`encoding_aes_key`) of every WeChat account of the hall. An account without a token is listed in
 * `unmounted` with the field to add.
 *
 * @throws ReleaseHallError `INVALID_INPUT` naming each account whose `encoding_aes_key` is not 43
 * letters, digits, "+" or "/" (the value is never shown).
 */
export async function resolveWechatCallbacks(
  hall: ResolvedHall,
  credentials: CredentialsResolver,
): Promise<WechatCallbackAccounts> {
  const accounts: WechatCallbackAccount[] = [];
  const unmounted: UnmountedWechatAccount[] = [];
  const issues: { path: string; message: string }[] = [];
  for (const account of hall.accounts) {
    if (account.platform !== 'wechat') continue;
    const token = await optionalField(credentials, account, CALLBACK_TOKEN_FIELD);
    if (token === undefined) {
      unmounted.push({
        account,
        message: `WeChat account ${account.id} has no callback: add "${CALLBACK_TOKEN_FIELD}" to credentials "${account.credentials}" (or set ${credentialsEnvName(account.credentials, CALLBACK_TOKEN_FIELD)})`,
      });
      continue;
    }
    const encodingAESKey = await optionalField(credentials, account, ENCODING_AES_KEY_FIELD);
    if (encodingAESKey !== undefined && !AES_KEY.test(encodingAESKey)) {
      issues.push({
        path: `${account.credentials}.${ENCODING_AES_KEY_FIELD}`,
        message: `the EncodingAESKey of ${account.id} is not 43 letters, digits, "+" or "/": copy it again from the MP console (服务器配置)`,
      });
      continue;
    }
    const appId = account.settings.appid;
    if (typeof appId !== 'string') {
      issues.push({
        path: `members.${account.memberId}.accounts.wechat.appid`,
        message: `expected the appid of ${account.id}`,
      });
      continue;
    }
    accounts.push({
      account,
      token,
      ...(encodingAESKey === undefined ? {} : { encodingAESKey }),
      appId,
      ...(account.settings.autoReply === undefined
        ? {}
        : { menu: account.settings.autoReply as AutoReplyMenu }),
    });
  }
  if (issues.length > 0) throw invalidInput('WeChat callbacks', issues);
  return { accounts, unmounted };
}
