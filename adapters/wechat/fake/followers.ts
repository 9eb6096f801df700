/**
 * Followers in the WeChat fake (platforms-listening.md §3.3): `GET user/get?next_openid=`, pages
 * of up to 10 000 openids after `next_openid`, with the account's `total`.
 */
import { wechatOk, type WechatCall, type WechatOutcome } from './state.js';

/** Openids per `user/get` page. */
export const USER_GET_PAGE_SIZE = 10_000;

/** Made-up openids for `count` followers of an appid. */
export function madeUpFollowers(appid: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `o-${appid.slice(2, 8)}-f-${index + 1}`);
}

/** `user/get`: the total and one page of openids. */
export function getFollowers(call: WechatCall): WechatOutcome {
  const { account, query } = call;
  const after = query.get('next_openid') ?? '';
  const start = after === '' ? 0 : account.followers.indexOf(after) + 1;
  // [unconfirmed] an unknown next_openid; the fake starts from the first follower.
  const page = account.followers.slice(start, start + USER_GET_PAGE_SIZE);
  return wechatOk({
    total: account.followers.length,
    count: page.length,
    // [unconfirmed] whether an empty page carries `data`; the fake leaves it out, as user/tag/get.
    ...(page.length === 0 ? {} : { data: { openid: page } }),
    next_openid: page.length === 0 ? '' : page[page.length - 1],
  });
}
