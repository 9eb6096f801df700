/**
 * The readiness check of a WeChat Official Account (platforms-listening.md §3.4), reads only,
 * through the adapter's own token holder, client and error mapping:
 *
 * 1. Token: the account's token holder fetches a token (`stable_token` by default) or reuses the
 *    one it holds. A refused AppSecret or appid (`40001`, `40013`, `40125`, `40243`, …) or an IP
 *    off the whitelist (`40164`) is a problem. The token is issued for the appid that asked with its
 *    own AppSecret, so it cannot belong to another account; that is as far as identity goes.
 * 2. Reachability and IP whitelist: `GET get_api_domain_ip` (`{"ip_list":[…]}`); `40164` means
 *    this host's egress IP is not on the account's whitelist.
 * 3. Last post: `POST freepublish/batchget {"offset":0,"count":1,"no_content":1}`,
 *    `item[0].update_time` (seconds). That the list is newest first is [unconfirmed]; an account
 *    that only mass-sends has no article there, and no API dates its mass sends [unconfirmed].
 *
 * Verification has no first-party API for a directly configured account. freepublish is opened
 * to verified accounts only, so a `48001` from `batchget` is reported as the account not being
 * able to publish, and an answer as publishing being open to it [derived]; the verification type
 * itself is never read.
 *
 * Nothing here posts, uploads or spends a quota; none of the three calls is a write.
 */
import { ReleaseHallError } from '#core';
import type { Account, AccountReadiness, CheckContext, ReadinessFinding } from '#core';
import {
  failMalformed,
  isRecord,
  lastPostFinding,
  notChecked,
  withSecretsScrubbed,
} from '#adapter-kit';
import { appidOf, secretOf } from './client.js';
import { guarded } from './errors.js';
import { WECHAT_PLATFORM } from './map-wechat-error.js';
import { readInteger } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';

/** `40164`: the caller's IP is not on the account's IP whitelist. */
const IP_NOT_WHITELISTED = '40164';

/** `48001`: the API is not authorised for the account (freepublish: verified accounts only). */
const API_UNAUTHORISED = 48001;

const WHITELIST_FIX =
  "add this server's egress IP to the account's IP whitelist in the MP console (mp.weixin.qq.com, basic configuration), then run the check again";

const SECRET_FIX =
  'check the appid in the hall file and the "secret" (AppSecret) in the credentials store; if the AppSecret was reset or frozen in the MP console, put the current one in the credentials store';

/** Error codes of a refusal that is about the account, not a passing failure of the check. */
const ACCOUNT_REFUSALS: ReadonlySet<string> = new Set([
  'AUTH_INVALID',
  'AUTH_EXPIRED',
  'PERMISSION_DENIED',
  'QUOTA_EXHAUSTED',
]);

/** The error of a refusal about the account, or `undefined` for anything else. */
function refusal(error: unknown): ReleaseHallError | undefined {
  return ReleaseHallError.isInstance(error) && ACCOUNT_REFUSALS.has(error.code) ? error : undefined;
}

/** What to do about a refusal, by its WeChat code. */
function fixFor(error: ReleaseHallError): string {
  switch (error.platformCode) {
    case IP_NOT_WHITELISTED:
      return WHITELIST_FIX;
    case '89503':
      return "an administrator of the account must approve this server's IP in the request WeChat sent them, then run the check again";
    case '89506':
    case '89507':
      return "an administrator refused this server's IP: ask them to allow it, and run the check again after the wait WeChat states";
    case '45009':
      return "the account's daily API quota is used up: wait for the next day, or reset it in the MP console with care (resets are limited per month)";
    default:
      return error.code === 'AUTH_INVALID'
        ? SECRET_FIX
        : 'look at the account in the MP console (mp.weixin.qq.com): WeChat refused it the call; see its message';
  }
}

function tokenRefused(error: ReleaseHallError, appid: string): readonly ReadinessFinding[] {
  const because = 'WeChat did not issue a token';
  const ipRefused = error.platformCode === IP_NOT_WHITELISTED;
  return [
    {
      aspect: 'token',
      status: 'problem',
      summary: ipRefused ? 'IP not whitelisted' : `refused (${error.platformCode ?? error.code})`,
      message: `WeChat did not issue a token for appid ${appid}: ${error.message}`,
      fix: fixFor(error),
    },
    ipRefused
      ? {
          aspect: 'reachability',
          status: 'problem',
          summary: 'IP not whitelisted',
          message: `WeChat answered 40164: this server's egress IP is not on the IP whitelist of appid ${appid}, so every call from here is refused`,
          fix: WHITELIST_FIX,
        }
      : notChecked('reachability', because),
    notChecked('identity', because),
    notChecked('verified', because),
    notChecked('last-post', because),
  ];
}

/** Checks one WeChat account with reads only. */
export function checkWechatAccount(
  runtime: WechatRuntime,
  account: Account,
  context: CheckContext,
): Promise<AccountReadiness> {
  return guarded(account, () => check(runtime, account, context));
}

async function check(
  runtime: WechatRuntime,
  account: Account,
  context: CheckContext,
): Promise<AccountReadiness> {
  const appid = appidOf(account);
  // A missing secret throws AUTH_INVALID: the check cannot be carried out without it.
  const secret = secretOf(account, context);
  const secrets: string[] = [secret];
  return withSecretsScrubbed(secrets, async () => {
    const holder = runtime.tokenHolder(appid);
    const fetchesBefore = holder.fetches;
    try {
      secrets.push(
        await holder.getToken({ secret, signal: context.signal, accountId: account.id }),
      );
    } catch (error) {
      const refused = refusal(error);
      if (refused === undefined) throw error;
      return { findings: tokenRefused(refused, appid) };
    }
    const fetched = holder.fetches > fetchesBefore;
    const endpoint = holder.mode === 'stable' ? 'stable_token' : 'token';
    const findings: ReadinessFinding[] = [
      {
        aspect: 'token',
        status: 'ok',
        summary: fetched ? `valid (${endpoint})` : `valid (held, ${endpoint})`,
        message: fetched
          ? `${endpoint} issued a token for appid ${appid} with its AppSecret; the adapter renews the token before it expires, so its life is no concern`
          : `the adapter already held a token of appid ${appid} (${endpoint}) and reused it: the AppSecret was not sent again in this check`,
      },
      {
        aspect: 'identity',
        status: 'ok',
        summary: `appid ${appid}`,
        message: `the token was issued for appid ${appid}, the one the hall file names, against its own AppSecret, so it cannot belong to another account. Identity can be checked only this far: no call of a directly configured account tells its name, so that appid ${appid} is "${account.handle}" is taken from the hall file`,
      },
    ];

    const reachability = await checkReachability(runtime, account, context);
    findings.push(reachability);
    if (reachability.status !== 'ok') {
      const because = 'the API cannot be reached from here';
      findings.push(notChecked('verified', because), notChecked('last-post', because));
      return { findings };
    }

    const lastPost = await readLastPost(runtime, account, context);
    findings.push(...lastPost.findings);
    return {
      findings,
      ...(lastPost.at === undefined ? {} : { lastPostAt: lastPost.at }),
    };
  });
}

/** `GET get_api_domain_ip`: the API answers this host, whose IP is on the whitelist. */
async function checkReachability(
  runtime: WechatRuntime,
  account: Account,
  context: CheckContext,
): Promise<ReadinessFinding> {
  const endpoint = 'get_api_domain_ip';
  let ips: unknown[];
  try {
    const reply = await runtime.client.call(account, context, {
      endpoint,
      method: 'GET',
      write: false,
    });
    const list = reply.body.ip_list;
    if (!Array.isArray(list)) {
      failMalformed(
        { platform: WECHAT_PLATFORM, endpoint, write: false, accountId: account.id },
        'a reply without ip_list',
      );
    }
    ips = list as unknown[];
  } catch (error) {
    const refused = refusal(error);
    if (refused === undefined) throw error;
    const ipRefused = refused.platformCode === IP_NOT_WHITELISTED;
    return {
      aspect: 'reachability',
      status: 'problem',
      summary: ipRefused
        ? 'IP not whitelisted'
        : `refused (${refused.platformCode ?? refused.code})`,
      message: ipRefused
        ? `WeChat answered 40164 to ${endpoint}: this server's egress IP is not on the account's IP whitelist, so every call from here is refused (the token was held from before)`
        : refused.message,
      fix: fixFor(refused),
    };
  }
  return {
    aspect: 'reachability',
    status: 'ok',
    summary: 'reachable, IP whitelisted',
    message: `${endpoint} answered with ${ips.length} address(es) of the API domain: the API is reachable from this server and its egress IP is on the account's whitelist`,
  };
}

/** `freepublish/batchget` for the newest article: the last post, and what it tells of verification. */
async function readLastPost(
  runtime: WechatRuntime,
  account: Account,
  context: CheckContext,
): Promise<{ readonly findings: readonly ReadinessFinding[]; readonly at?: Date }> {
  const endpoint = 'freepublish/batchget';
  const reply = await runtime.client.call(account, context, {
    endpoint,
    method: 'POST',
    // [unconfirmed] that the list is newest first: with count 1 an oldest-first list would give
    // the first article ever published, and a live account would look dormant.
    json: { offset: 0, count: 1, no_content: 1 },
    write: false,
    handle: [API_UNAUTHORISED],
  });
  if (reply.errcode === API_UNAUTHORISED) {
    return {
      findings: [
        {
          aspect: 'verified',
          status: 'problem',
          summary: 'freepublish refused (48001)',
          message: `${endpoint} answered 48001 (API not authorised): WeChat opens freepublish to verified accounts only, so this account cannot publish articles through the API; it is not verified, or the API is not granted to it [derived]`,
          fix: 'have the account verified (微信认证) in the MP console, or check the API permissions granted to it',
        },
        notChecked('last-post', `${endpoint} is refused (48001)`),
      ],
    };
  }
  const items = reply.body.item;
  if (!Array.isArray(items)) {
    failMalformed(
      { platform: WECHAT_PLATFORM, endpoint, write: false, accountId: account.id },
      'a reply without an item list',
    );
  }
  const verified: ReadinessFinding = {
    aspect: 'verified',
    status: 'ok',
    summary: 'not checkable',
    message: `WeChat has no call that tells the verification of a directly configured account; ${endpoint} answered, and WeChat opens freepublish to verified accounts only, so publishing through the API is open to it [derived]. The verification type is not read`,
  };
  const first: unknown = items[0];
  const content = isRecord(first) && isRecord(first.content) ? first.content : undefined;
  const seconds = isRecord(first)
    ? (readInteger(first.update_time) ?? readInteger(content?.update_time))
    : undefined;
  const at = seconds === undefined || seconds <= 0 ? undefined : new Date(seconds * 1000);
  const lastPost = lastPostFinding(
    at,
    context,
    {
      message:
        first === undefined
          ? `${endpoint} lists no published article: the account has never published through freepublish, or it only mass-sends, and no call dates past mass sends [unconfirmed]`
          : `${endpoint} listed an article without update_time`,
      fix: 'publish an article on the account, or look at it in the MP console to see whether it is still run',
    },
    { did: 'published an article', verb: 'publish' },
  );
  return { findings: [verified, lastPost], ...(at === undefined ? {} : { at }) };
}
