/**
 * The readiness reads of the Weibo fake (platforms-listening.md §1.5): `oauth2/get_token_info`,
 * `account/get_uid` and `users/show`. None of them changes anything.
 */
import { RawJsonNumber } from '../../fake/raw-json.js';
import { statusJson } from './status-json.js';
import { formatWeiboDate } from './status-json.js';
import {
  isVisible,
  weiboOk,
  type AccountState,
  type WeiboCall,
  type WeiboContent,
  type WeiboOutcome,
} from './state.js';

/**
 * The app key the fake reports in `get_token_info`. The fake has no apps; a real answer names
 * the app the token was issued to, which an operator compares with their own.
 */
export const FAKE_WEIBO_APP_KEY = 1352222456;

/**
 * `oauth2/get_token_info`: whom the token belongs to and the seconds it has left. `expire_in`
 * counts down with the fake clock; once it reaches 0 every call with the token (this one
 * included) is refused with `21327` before it gets here.
 */
export function tokenInfo(call: WeiboCall): WeiboOutcome {
  const { token, content, refuse } = call;
  if (token === undefined) return refuse(21301, 'auth failed');
  const left =
    token.expiresAt === undefined
      ? 0
      : Math.max(0, Math.ceil((token.expiresAt - content.now()) / 1000));
  return weiboOk({
    uid: new RawJsonNumber(token.uid),
    appkey: FAKE_WEIBO_APP_KEY,
    scope: null,
    create_at: Math.floor(token.createdAt / 1000),
    expire_in: left,
  });
}

/** `account/get_uid`: the uid the token belongs to. */
export function accountUid(call: WeiboCall): WeiboOutcome {
  return weiboOk({ uid: new RawJsonNumber(call.account.uid) });
}

/** The account's newest visible status and when it was made, if it has one. */
function newestStatus(
  content: WeiboContent,
  account: AccountState,
): Record<string, unknown> | undefined {
  const own = content.posts
    .all()
    .filter((status) => status.uid === account.uid && isVisible(content, status));
  const newest = own.at(-1);
  const earlier = account.earlierPostAt;
  if (newest !== undefined && (earlier === undefined || newest.createdAt >= earlier)) {
    return statusJson(content, newest, true);
  }
  if (earlier === undefined) return undefined;
  // A post older than the fake: only its time is known, so it is shown with a placeholder id
  // below every id the fake hands out.
  return {
    created_at: formatWeiboDate(earlier),
    id: new RawJsonNumber('1000000000000000'),
    idstr: '1000000000000000',
    mid: '1000000000000000',
    text: '（较早的微博）',
  };
}

/**
 * `users/show`: one account by `uid` or `screen_name`. For the account the token belongs to it
 * shows everything; for another it hides `verified_reason`, the counts and the latest status, as
 * Weibo does for users who did not authorise the app.
 */
export function showUser(call: WeiboCall): WeiboOutcome {
  const { content, account: caller, params, refuse } = call;
  const uid = params.get('uid');
  const screenName = params.get('screen_name');
  if (uid === null && screenName === null) {
    return refuse(10016, 'miss required parameter (uid or screen_name)');
  }
  if (uid !== null && !/^\d+$/.test(uid)) return refuse(10017, "parameter (uid)'s value invalid");
  const target =
    uid !== null
      ? content.accounts.get(uid)
      : [...content.accounts.values()].find((item) => item.screenName === screenName);
  // [unconfirmed] 20003 "user does not exist" is from the older v2 table.
  if (target === undefined) return refuse(20003, 'user does not exist');
  const user: Record<string, unknown> = {
    id: new RawJsonNumber(target.uid),
    idstr: target.uid,
    screen_name: target.screenName,
    name: target.screenName,
    verified: target.verified,
    verified_type: target.verifiedType,
    created_at: formatWeiboDate(0),
  };
  if (target.uid !== caller.uid) return weiboOk(user);
  const status = newestStatus(content, target);
  const own = content.posts
    .all()
    .filter((item) => item.uid === target.uid && isVisible(content, item)).length;
  return weiboOk({
    ...user,
    verified_reason: target.verified ? '政府机构官方微博' : '',
    followers_count: target.followers,
    friends_count: 0,
    statuses_count: own + (target.earlierPostAt === undefined ? 0 : 1),
    ...(status === undefined ? {} : { status }),
  });
}
