/**
 * Pushing to a follower tag (platforms-listening.md §3.5): the hall file's `push.tag` of an
 * account, a name or an id, resolved with `GET tags/get` before anything is sent.
 *
 * - A name is looked up among the account's tags; an unknown name is `INVALID_INPUT` on the path
 *   `push.tag`, listing the tags the account has.
 * - An id is sent as given; at pre-flight it is looked up too, so an unknown id is refused before
 *   the push rather than answered `45159` by the send.
 * - A tag no follower carries is refused at pre-flight: the push would reach nobody and still use
 *   the day's (or month's) push. What WeChat answers to such a send is [unconfirmed].
 */
import type { Account, InputIssue } from '#core';
import { invalidInput } from '#adapter-kit';
import type { WechatCallContext } from './client.js';
import { characters, readInteger } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';

/** One follower tag as `tags/get` tells it. */
export interface WechatTag {
  /** The tag's id, as digits. */
  readonly id: string;
  readonly name: string;
  /** Followers that carry the tag (`count`), when WeChat said. */
  readonly followers?: number;
}

/** Whom a push of an account reaches: every follower, or the followers of one tag. */
export interface WechatPushAudience {
  /** The tag pushed to; absent for a push to every follower. */
  readonly tag?: WechatTag;
}

/** The `push.tag` of an account in the hall file: a name (text) or an id (a number), if any. */
export function configuredPushTag(account: Account): string | number | undefined {
  const push = account.settings.push;
  if (typeof push !== 'object' || push === null) return undefined;
  const tag = (push as { readonly tag?: unknown }).tag;
  return typeof tag === 'string' || typeof tag === 'number' ? tag : undefined;
}

/** The account's follower tags (`GET tags/get`); entries without an id or a name are left out. */
export async function readTags(
  runtime: WechatRuntime,
  account: Account,
  context: WechatCallContext,
): Promise<WechatTag[]> {
  const reply = await runtime.client.call(account, context, {
    endpoint: 'tags/get',
    method: 'GET',
    write: false,
  });
  const tags = Array.isArray(reply.body.tags) ? (reply.body.tags as unknown[]) : [];
  const read: WechatTag[] = [];
  for (const entry of tags) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, name, count } = entry as Record<string, unknown>;
    const tagId = readInteger(id);
    if (tagId === undefined || typeof name !== 'string') continue;
    const followers = readInteger(count);
    read.push({
      id: String(tagId),
      name,
      ...(followers === undefined ? {} : { followers }),
    });
  }
  return read;
}

/** How a tag is named in messages: `区县干部 (id 101)`. */
export function tagLabel(tag: WechatTag): string {
  return `${tag.name} (id ${tag.id})`;
}

/** The account's tags listed for a message, at most 10. */
function tagList(tags: readonly WechatTag[]): string {
  if (tags.length === 0) return 'the account has no tags';
  const shown = tags.slice(0, 10).map(tagLabel).join(', ');
  return `the account's tags: ${shown}${tags.length > 10 ? `, and ${tags.length - 10} more` : ''}`;
}

/** The refusal of a `push.tag`, on the path `push.tag`. */
function refuseTag(account: Account, message: string): never {
  const issue: InputIssue = { path: 'push.tag', message };
  throw invalidInput(`push tag of account "${account.id}"`, [issue]);
}

/** Finds the configured tag among the account's tags, or refuses it. */
export function findTag(
  account: Account,
  configured: string | number,
  tags: readonly WechatTag[],
): WechatTag {
  const found =
    typeof configured === 'number'
      ? tags.find((tag) => tag.id === String(configured))
      : tags.find((tag) => tag.name === configured.trim());
  if (found === undefined) {
    const what =
      typeof configured === 'number'
        ? `no tag has the id ${configured}`
        : `no tag is named "${configured}"${characters(configured) > 30 ? ' (a tag name has at most 30 characters)' : ''}`;
    return refuseTag(
      account,
      `${what} on this WeChat account (${tagList(tags)}): use one of these names or ids, or create the tag in the MP console (用户管理 → 标签) and tag the followers first`,
    );
  }
  return found;
}

/**
 * Whom the account's push reaches, checked against WeChat (`tags/get`): every follower when the
 * hall file names no `push.tag`, else the tag with its follower count.
 * @throws ReleaseHallError `INVALID_INPUT` (path `push.tag`) for a tag the account does not have
 * or one no follower carries.
 */
export async function pushAudience(
  runtime: WechatRuntime,
  account: Account,
  context: WechatCallContext,
): Promise<WechatPushAudience> {
  const configured = configuredPushTag(account);
  if (configured === undefined) return {};
  const tag = findTag(account, configured, await readTags(runtime, account, context));
  if (tag.followers === 0) {
    refuseTag(
      account,
      `no follower carries the tag ${tagLabel(tag)}: the push would reach nobody and still use the account's push; tag the followers first, or remove push.tag to push to every follower`,
    );
  }
  return { tag };
}

/**
 * The tag id the account's push goes to, `undefined` for every follower. An id from the hall file
 * is used as it is; a name is looked up with `tags/get`.
 * @throws ReleaseHallError `INVALID_INPUT` (path `push.tag`) for a name the account does not have.
 */
export async function pushTagId(
  runtime: WechatRuntime,
  account: Account,
  context: WechatCallContext,
): Promise<string | undefined> {
  const configured = configuredPushTag(account);
  if (configured === undefined) return undefined;
  if (typeof configured === 'number') return String(configured);
  return findTag(account, configured, await readTags(runtime, account, context)).id;
}
