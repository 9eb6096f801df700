/**
 * The readiness check of a Tencent Weibo account (platforms-listening.md §2.2), reads only:
 * `GET user/info` with the five OAuth parameters and `format=json`. One call tells whether the
 * token works, the openid it belongs to (the platform refuses a token of another openid with
 * `ret=3 errcode=1`, so a mismatch shows as a refused token), `isvip` (verified) and
 * `tweetinfo[0].timestamp`, the newest tweet. When `tweetinfo` is empty,
 * `GET statuses/broadcast_timeline` with `reqnum=1` is read for the newest tweet instead.
 *
 * Tencent has no token introspection call [unconfirmed]: the time a token has left is not known.
 * The service stopped on 2020-09-28: this runs against the sandbox and compatible gateways.
 */
import {
  httpCall,
  isRecord,
  lastPostFinding,
  notChecked,
  refusedTokenFinding,
  timeoutAndSignal,
  withCredential,
} from '#adapter-kit';
import type { Account, AccountReadiness, CheckContext, ReadinessFinding } from '#core';
import { TENCENT_PLATFORM, tencentCode } from './map-tencent-error.js';
import { missingSettings, oauthParameters, secretsOf } from './oauth.js';
import type { TencentSettings } from './options.js';
import { readTencentReply, tencentCall } from './read-reply.js';
import type { TencentEndpoint } from './read-reply.js';

const REAUTHORISE =
  'authorise the app again from the account (OAuth2) and put the new access_token in the credentials store; check that the hall file names the openid the token was issued for';

function timestampOf(item: unknown): Date | undefined {
  if (!isRecord(item)) return undefined;
  const value = typeof item.timestamp === 'string' ? Number(item.timestamp) : item.timestamp;
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? new Date(value * 1000)
    : undefined;
}

/** Checks one Tencent Weibo account with reads only. */
export function checkTencentAccount(
  settings: TencentSettings,
  account: Account,
  context: CheckContext,
): Promise<AccountReadiness> {
  return withCredential(
    account,
    context,
    { platform: TENCENT_PLATFORM, field: 'access_token', alsoScrub: [settings.appKey] },
    (token) => check(settings, account, context, token),
  );
}

async function read(
  settings: TencentSettings,
  account: Account,
  context: CheckContext,
  token: string,
  endpoint: TencentEndpoint,
  extra: Record<string, string>,
): Promise<Record<string, unknown>> {
  const call = tencentCall(endpoint, false, account);
  const query = new URLSearchParams({ ...oauthParameters(settings, account, token), ...extra });
  const reply = await httpCall({
    ...call,
    fetch: settings.fetch,
    url: `${settings.baseURL}${endpoint}?${query.toString()}`,
    method: 'GET',
    headers: { accept: 'application/json' },
    ...timeoutAndSignal(context),
  });
  const answer = readTencentReply(reply, call, settings, secretsOf(settings, token));
  return answer.kind === 'ok' ? answer.body : {};
}

async function check(
  settings: TencentSettings,
  account: Account,
  context: CheckContext,
  token: string,
): Promise<AccountReadiness> {
  const missing = missingSettings(settings, account);
  if (missing.length > 0) {
    return {
      findings: [
        {
          aspect: 'token',
          status: 'problem',
          summary: 'not set up',
          message: missing.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
          fix: 'set what is named in the hall file',
        },
      ],
    };
  }
  let info: Record<string, unknown>;
  try {
    const body = await read(settings, account, context, token, 'user/info', {});
    info = isRecord(body.data) ? body.data : {};
  } catch (error) {
    const refused = refusedTokenFinding(error, REAUTHORISE);
    if (refused === undefined) throw error;
    const because = 'Tencent refused the token';
    return {
      findings: [
        refused,
        notChecked('identity', because),
        notChecked('verified', because),
        notChecked('last-post', because),
      ],
    };
  }
  const expected = String(account.settings.openid);
  const openid = typeof info.openid === 'string' ? info.openid : undefined;
  const findings: ReadinessFinding[] = [
    {
      aspect: 'token',
      status: 'ok',
      summary: 'valid, expiry unknown',
      message: 'the token works; Tencent has no call that tells when it expires',
    },
  ];
  if (openid !== expected) {
    findings.push({
      aspect: 'identity',
      status: 'problem',
      summary: openid === undefined ? 'unknown' : `openid ${openid}`,
      message: `user/info answered for openid ${openid ?? '(none)'}, but the hall file names ${expected}`,
      fix: REAUTHORISE,
    });
  } else {
    findings.push({
      aspect: 'identity',
      status: 'ok',
      summary: `openid ${openid.slice(0, 8)}…`,
      message: `the token belongs to openid ${openid}, as the hall file says`,
    });
  }
  const vip = tencentCode(info.isvip);
  findings.push(
    vip === 1
      ? {
          aspect: 'verified',
          status: 'ok',
          summary: 'verified',
          message: 'user/info shows isvip=1',
        }
      : {
          aspect: 'verified',
          status: 'warning',
          summary: 'not verified',
          message: 'user/info does not show the account as verified (isvip)',
          fix: 'apply for verification of the account with Tencent Weibo',
        },
  );
  const tweets = Array.isArray(info.tweetinfo) ? (info.tweetinfo as unknown[]) : [];
  let lastPostAt = timestampOf(tweets[0]);
  if (lastPostAt === undefined) {
    const timeline = await read(settings, account, context, token, 'statuses/broadcast_timeline', {
      pageflag: '0',
      pagetime: '0',
      reqnum: '1',
      lastid: '0',
      type: '0',
      contenttype: '0',
    });
    const data = isRecord(timeline.data) ? timeline.data : undefined;
    const list = Array.isArray(data?.info) ? (data.info as unknown[]) : [];
    lastPostAt = timestampOf(list[0]);
  }
  findings.push(
    lastPostFinding(lastPostAt, context, {
      message: 'the account has no tweet on its timeline',
      fix: 'post on the account, or ask its unit whether it is still run',
    }),
  );
  return {
    findings,
    ...(typeof info.nick === 'string' ? { screenName: info.nick } : {}),
    ...(lastPostAt === undefined ? {} : { lastPostAt }),
  };
}
