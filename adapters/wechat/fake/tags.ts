/**
 * Follower tags in the WeChat fake (platforms-listening.md §3.5): `GET tags/get`, and the tags
 * tests seed. A tag is a name, an id and the openids that carry it.
 */
import type { WechatTagInfo } from './inspection.js';
import type { WechatTagInit } from './settings.js';
import {
  characters,
  wechatOk,
  type TagState,
  type WechatCall,
  type WechatContent,
  type WechatOutcome,
} from './state.js';

/** At most this many tags per account (`45056`). */
export const WECHAT_MAX_TAGS = 100;
/** Tag names have at most 30 (bytes or characters: [unconfirmed]; the fake counts characters). */
export const WECHAT_TAG_NAME_MAX = 30;

/** `tags/get`: every tag of the account with how many followers carry it. */
export function getTags(call: WechatCall): WechatOutcome {
  const tags = call.content.tagsOf(call.account.appid);
  return wechatOk({
    tags: tags.map((tag) => ({ id: tag.id, name: tag.name, count: tag.followers.length })),
  });
}

/** The tag of an appid with this id, if there is one. */
export function tagById(content: WechatContent, appid: string, id: number): TagState | undefined {
  return content.tagsOf(appid).find((tag) => tag.id === id);
}

/** A tag as the inspection API shows it. */
export function tagInfo(appid: string, tag: TagState): WechatTagInfo {
  return {
    appid,
    id: tag.id,
    name: tag.name,
    count: tag.followers.length,
    followers: [...tag.followers],
  };
}

/**
 * Adds a tag to an account, as `tags/create` and `tags/members/batchtagging` would leave it.
 * Throws for what WeChat refuses: a 101st tag (45056), a name over 30 (45158), a name or id
 * already used (45157).
 */
export function seedTag(content: WechatContent, appid: string, init: WechatTagInit): TagState {
  const tags = content.tagsOf(appid);
  if (tags.length >= WECHAT_MAX_TAGS) {
    throw new Error(`45056: account ${appid} already has ${WECHAT_MAX_TAGS} tags`);
  }
  if (init.name.trim() === '' || characters(init.name) > WECHAT_TAG_NAME_MAX) {
    throw new Error(`45158: a tag name has 1 to ${WECHAT_TAG_NAME_MAX} characters`);
  }
  if (tags.some((tag) => tag.name === init.name)) {
    throw new Error(`45157: account ${appid} already has a tag named "${init.name}"`);
  }
  const id = init.id ?? Math.max(99, ...tags.map((tag) => tag.id)) + 1;
  if (!Number.isInteger(id) || id < 0 || tags.some((tag) => tag.id === id)) {
    throw new Error(`45157: tag id ${id} is taken or not a whole number`);
  }
  const given = init.followers ?? 0;
  const followers =
    typeof given === 'number'
      ? Array.from({ length: given }, (_, index) => `o-${appid.slice(2, 8)}-${id}-${index + 1}`)
      : [...given];
  const tag: TagState = { id, name: init.name, followers };
  tags.push(tag);
  return tag;
}
