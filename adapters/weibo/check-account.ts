/**
 * The readiness check of a Weibo account (platforms-listening.md §1.5), reads only:
 *
 * 1. `POST oauth2/get_token_info` (beside the versioned API: `https://api.weibo.com/oauth2/`):
 *    the token works, the seconds it has left (`expire_in`; one wiki revision says `expires_in`,
 *    both are read) and the uid it belongs to, compared with the hall file's `uid`. The `appkey`
 *    it names is not compared: the adapter is not told the app key.
 * 2. `GET users/show.json?uid=` with the token: `verified` / `verified_type` (1 = government),
 *    the screen name, and `status.created_at`, the latest post (shown for an account that
 *    authorised the app, as a hall's own accounts did).
 *
 * `get_token_info` is a POST but changes nothing; both calls cost only the hourly read budget.
 */
import {
  httpCall,
  isRecord,
  postForm,
  readIdField,
  timeoutAndSignal,
  withCredential,
  expiryFinding,
  lastPostFinding,
  notChecked,
  refusedTokenFinding,
} from '#adapter-kit';
import type { Account, AccountReadiness, CheckContext, ReadinessFinding } from '#core';
import { parseWeiboDate } from './find-existing.js';
import { WEIBO_PLATFORM } from './map-weibo-error.js';
import type { WeiboSettings } from './options.js';
import { readWeiboReply, weiboCall } from './read-reply.js';

const REAUTHORISE =
  'authorise the app again from the account (OAuth2 code flow) and put the new access_token in the credentials store';

/** `verified_type` values of the official "Responses" page. */
const VERIFIED_TYPES: Readonly<Record<number, string>> = {
  [-1]: 'ordinary',
  0: 'celebrity',
  1: 'government',
  2: 'enterprise',
  3: 'media',
  4: 'campus',
  5: 'website',
  6: 'app',
  7: 'organisation',
};

/** The URL of `oauth2/get_token_info` for an API base ending in `/2/`. */
export function tokenInfoUrl(baseURL: string): string {
  return new URL('../oauth2/get_token_info', baseURL).toString();
}

function seconds(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function verifiedFinding(user: Record<string, unknown>): ReadinessFinding {
  const type = seconds(user.verified_type);
  const name = type === undefined ? 'unknown' : (VERIFIED_TYPES[type] ?? `type ${type}`);
  if (user.verified !== true) {
    return {
      aspect: 'verified',
      status: 'warning',
      summary: 'not verified',
      message: 'Weibo does not show the account as verified: followers cannot tell it is official',
      fix: 'apply for government verification (政务认证) for the account on weibo.com',
    };
  }
  if (type !== 1) {
    return {
      aspect: 'verified',
      status: 'warning',
      summary: `${name} (${type ?? '?'})`,
      message: `the account is verified as ${name} (verified_type ${type ?? 'missing'}), not as government (1)`,
      fix: 'ask Weibo to move the verification to government (政务认证)',
    };
  }
  return {
    aspect: 'verified',
    status: 'ok',
    summary: 'government (1)',
    message: 'verified as a government account',
  };
}

/** Checks one Weibo account with reads only. */
export function checkWeiboAccount(
  settings: WeiboSettings,
  account: Account,
  context: CheckContext,
): Promise<AccountReadiness> {
  return withCredential(
    account,
    context,
    { platform: WEIBO_PLATFORM, field: 'access_token' },
    (token) => check(settings, account, context, token),
  );
}

async function check(
  settings: WeiboSettings,
  account: Account,
  context: CheckContext,
  token: string,
): Promise<AccountReadiness> {
  const infoCall = weiboCall('oauth2/get_token_info', false, account);
  let info: { readonly uid: string | undefined; readonly expireIn: number | undefined };
  try {
    // The token goes in the form body, never the URL.
    const reply = await postForm({
      ...infoCall,
      fetch: settings.fetch,
      url: tokenInfoUrl(settings.baseURL),
      form: { access_token: token },
      context,
    });
    const read = readWeiboReply(reply, infoCall, settings, token);
    const body = read.kind === 'ok' ? read.body : {};
    info = {
      uid: readIdField(reply.text, 'uid'),
      expireIn: seconds(body.expire_in) ?? seconds(body.expires_in),
    };
  } catch (error) {
    const refused = refusedTokenFinding(error, REAUTHORISE);
    if (refused === undefined) throw error;
    const because = 'Weibo refused the token';
    return {
      findings: [
        refused,
        notChecked('identity', because),
        notChecked('verified', because),
        notChecked('last-post', because),
      ],
    };
  }

  const findings: ReadinessFinding[] = [
    info.expireIn === undefined
      ? {
          aspect: 'token',
          status: 'warning',
          summary: 'valid, expiry unknown',
          message: 'the token works, but get_token_info did not say when it expires',
          fix: 'note when the account was last authorised and authorise it again before the app level’s token life runs out',
        }
      : expiryFinding(info.expireIn, REAUTHORISE),
  ];
  const expected = typeof account.settings.uid === 'string' ? account.settings.uid : undefined;
  if (info.uid === undefined || info.uid !== expected) {
    const because = 'the token is not the account’s';
    findings.push(
      {
        aspect: 'identity',
        status: 'problem',
        summary: info.uid === undefined ? 'unknown' : `uid ${info.uid}`,
        message:
          info.uid === undefined
            ? 'get_token_info did not say which uid the token belongs to'
            : `the token belongs to uid ${info.uid}, but the hall file names uid ${expected ?? '(none)'}: a post would appear on another account`,
        fix: `put the token of uid ${expected ?? '?'} in the credentials store under "${account.credentials}", or correct the uid in the hall file`,
      },
      notChecked('verified', because),
      notChecked('last-post', because),
    );
    return {
      findings,
      ...(info.expireIn === undefined ? {} : { tokenExpiresInSeconds: info.expireIn }),
    };
  }
  findings.push({
    aspect: 'identity',
    status: 'ok',
    summary: `uid ${info.uid}`,
    message: `the token belongs to uid ${info.uid}, as the hall file says`,
  });

  const showCall = weiboCall('users/show', false, account);
  const reply = await httpCall({
    ...showCall,
    fetch: settings.fetch,
    url: `${settings.baseURL}users/show.json?${new URLSearchParams({ uid: info.uid }).toString()}`,
    method: 'GET',
    headers: { accept: 'application/json', authorization: `OAuth2 ${token}` },
    ...timeoutAndSignal(context),
  });
  const read = readWeiboReply(reply, showCall, settings, token);
  const user = read.kind === 'ok' ? read.body : {};
  findings.push(verifiedFinding(user));
  const status = isRecord(user.status) ? user.status : undefined;
  const postedAt =
    typeof status?.created_at === 'string' ? parseWeiboDate(status.created_at) : undefined;
  const lastPostAt = postedAt === undefined ? undefined : new Date(postedAt);
  const count = seconds(user.statuses_count);
  findings.push(
    lastPostFinding(lastPostAt, context, {
      message:
        count === 0 ? 'the account has never posted' : 'users/show did not show the latest post',
      fix: 'post on the account, or look at it on weibo.com to see whether it is still run',
    }),
  );
  return {
    findings,
    ...(info.expireIn === undefined ? {} : { tokenExpiresInSeconds: info.expireIn }),
    ...(typeof user.screen_name === 'string' ? { screenName: user.screen_name } : {}),
    ...(lastPostAt === undefined ? {} : { lastPostAt }),
  };
}
