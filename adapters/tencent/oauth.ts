/**
 * What every Tencent call carries: the OAuth parameters (`oauth_consumer_key`, `access_token`,
 * `openid`, `clientip`, `oauth_version=2.a`, `scope=all`) and `format=json`; and what is missing
 * before they can be sent.
 */
import type { Account, InputIssue } from '#core';
import { OPENID_PATTERN } from './options.js';
import type { TencentSettings } from './options.js';

/** What is missing before a call can be made, as input issues (empty when nothing is). */
export function missingSettings(settings: TencentSettings, account: Account): InputIssue[] {
  const issues: InputIssue[] = [];
  if (settings.appKey === undefined) {
    issues.push({
      path: 'platforms.tencent.settings.appKey',
      message:
        'Tencent requires the app key ("oauth_consumer_key") on every call: set the appKey option',
    });
  }
  if (settings.clientIp === undefined) {
    issues.push({
      path: 'platforms.tencent.settings.clientIp',
      message:
        'Tencent requires the publisher\'s public IP ("clientip") on every call: set the clientIp option (e.g. the press office\'s public IPv4 address)',
    });
  }
  const openid = account.settings.openid;
  if (typeof openid !== 'string' || !OPENID_PATTERN.test(openid)) {
    issues.push({
      path: `members.${account.memberId}.accounts.tencent.openid`,
      message:
        'Tencent requires the openid of the account on every call: add it to the account in the hall file (tencent: { handle, openid, credentials })',
    });
  }
  return issues;
}

/** The OAuth parameters and `format=json`, in the documented order. */
export function oauthParameters(
  settings: TencentSettings,
  account: Account,
  token: string,
): Record<string, string> {
  return {
    oauth_consumer_key: settings.appKey ?? '',
    access_token: token,
    openid: String(account.settings.openid),
    clientip: settings.clientIp ?? '',
    oauth_version: '2.a',
    scope: 'all',
    format: 'json',
  };
}

/** The secrets of a call: the token and, when set, the app key. */
export function secretsOf(settings: TencentSettings, token: string): string[] {
  return settings.appKey === undefined ? [token] : [token, settings.appKey];
}
