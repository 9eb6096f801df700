/** The read endpoints of the Weibo fake: `statuses/show` and `statuses/user_timeline`. */
import { statusJson } from './status-json.js';
import {
  isVisible,
  readInteger,
  weiboOk,
  type AccountState,
  type WeiboCall,
  type WeiboOutcome,
} from './state.js';

/** `statuses/show`: one visible status by id. */
export function showStatus(call: WeiboCall): WeiboOutcome {
  const { content, params, refuse } = call;
  const id = params.get('id');
  if (id === null) return refuse(10016, 'miss required parameter (id)');
  if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
  const status = content.posts.get(id);
  if (status === undefined || !isVisible(content, status)) {
    return refuse(20101, 'target status does not exist');
  }
  return weiboOk(statusJson(content, status, true));
}

/** `statuses/user_timeline`: a page of one account's visible statuses, newest first. */
export function userTimeline(call: WeiboCall): WeiboOutcome {
  const { content, account, params, refuse } = call;
  // [unconfirmed] Weibo narrowed user_timeline to the authorised user's own statuses for
  // many apps; the fake serves any registered account and defaults to the token's own.
  const uidParam = params.get('uid');
  const screenName = params.get('screen_name');
  let target: AccountState | undefined = account;
  if (uidParam !== null) target = content.accounts.get(uidParam);
  else if (screenName !== null) {
    target = [...content.accounts.values()].find((item) => item.screenName === screenName);
  }
  // [unconfirmed] 20003 "user does not exist" is from the older v2 table.
  if (target === undefined) return refuse(20003, 'user does not exist');
  const count = readInteger(params.get('count'), 20);
  const page = readInteger(params.get('page'), 1);
  if (count === undefined || count < 1 || page === undefined || page < 1) {
    return refuse(10017, "parameter (count/page)'s value invalid");
  }
  const sinceId = params.get('since_id');
  const maxId = params.get('max_id');
  if ((sinceId !== null && !/^\d+$/.test(sinceId)) || (maxId !== null && !/^\d+$/.test(maxId))) {
    return refuse(10017, "parameter (since_id/max_id)'s value invalid");
  }
  const owner = target.uid;
  const live = content.posts
    .all()
    .filter((status) => status.uid === owner && isVisible(content, status))
    .filter((status) => sinceId === null || status.id > BigInt(sinceId))
    .filter((status) => maxId === null || maxId === '0' || status.id <= BigInt(maxId))
    .reverse();
  const size = Math.min(count, 100);
  const slice = live.slice((page - 1) * size, page * size);
  return weiboOk({
    statuses: slice.map((status) => statusJson(content, status, true)),
    previous_cursor: 0,
    next_cursor: 0,
    total_number: live.length,
  });
}
