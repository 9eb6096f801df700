/**
 * The inbox endpoints of the Weibo fake (platforms-listening.md §1.2): `comments/show`,
 * `comments/to_me`, `comments/mentions` and `statuses/mentions`, all `GET`, all paged with the
 * cursor rule of §1.1: `since_id` exclusive, `max_id` inclusive (`0` = unset), newest first,
 * `count` per page, `page` from 1.
 */
import { RawJsonNumber } from '../../fake/raw-json.js';
import type { CommentState, MentionState } from './inbox-store.js';
import { mentionsName } from './inbox-store.js';
import { formatWeiboDate, statusJson } from './status-json.js';
import { isVisible, readInteger, weiboOk, type WeiboCall, type WeiboOutcome } from './state.js';

/**
 * Largest `count` of the `comments/*` lists. The v2 pages do not state one; v1 said 200
 * [unconfirmed]. Larger values are cut to it, as the fake's `user_timeline` cuts at 100 (§4.1
 * leaves clamp or refuse open) [unconfirmed].
 */
export const COMMENTS_MAX_COUNT = 200;

/** Largest `count` of `statuses/mentions` (§1.2: 20 by default, at most 200). */
export const MENTIONS_MAX_COUNT = 200;

const SOURCE = '<a href="https://weibo.com" rel="nofollow">微博 weibo.com</a>';

/** How one list endpoint pages and what it filters. */
export interface ListRule {
  /** Name of the list in the envelope. */
  readonly field: 'comments' | 'statuses';
  readonly defaultCount: number;
  readonly maxCount: number;
  /** The filters the endpoint takes, with their allowed values. */
  readonly filters: Readonly<Record<string, readonly string[]>>;
}

const COMMENT_FILTERS = { filter_by_author: ['0', '1', '2'], filter_by_source: ['0', '1', '2'] };

const RULES = {
  'comments/show': {
    field: 'comments',
    defaultCount: 50,
    maxCount: COMMENTS_MAX_COUNT,
    filters: { filter_by_author: ['0', '1', '2'] },
  },
  'comments/to_me': {
    field: 'comments',
    defaultCount: 50,
    maxCount: COMMENTS_MAX_COUNT,
    filters: COMMENT_FILTERS,
  },
  'comments/mentions': {
    field: 'comments',
    defaultCount: 50,
    maxCount: COMMENTS_MAX_COUNT,
    filters: COMMENT_FILTERS,
  },
  'statuses/mentions': {
    field: 'statuses',
    defaultCount: 20,
    maxCount: MENTIONS_MAX_COUNT,
    filters: { ...COMMENT_FILTERS, filter_by_type: ['0', '1'] },
  },
} as const satisfies Readonly<Record<string, ListRule>>;

type ListName = keyof typeof RULES;

/** One page of a list, or the refusal of its parameters. */
export function listPage<Item extends { readonly id: bigint; readonly idstr: string }>(
  call: WeiboCall,
  name: ListName | ListRule,
  newestFirst: readonly Item[],
  toJson: (item: Item) => Record<string, unknown>,
): WeiboOutcome {
  const { params, refuse } = call;
  const rule: ListRule = typeof name === 'string' ? RULES[name] : name;
  const count = readInteger(params.get('count'), rule.defaultCount);
  const page = readInteger(params.get('page'), 1);
  if (count === undefined || count < 1 || page === undefined || page < 1) {
    return refuse(10017, "parameter (count/page)'s value invalid");
  }
  const sinceId = params.get('since_id');
  const maxId = params.get('max_id');
  if ((sinceId !== null && !/^\d+$/.test(sinceId)) || (maxId !== null && !/^\d+$/.test(maxId))) {
    return refuse(10017, "parameter (since_id/max_id)'s value invalid");
  }
  for (const [filter, allowed] of Object.entries(rule.filters)) {
    const value = params.get(filter);
    if (value !== null && !allowed.includes(value)) {
      return refuse(10017, `parameter (${filter})'s value invalid`);
    }
  }
  // The fake keeps no follow graph: "only people I follow" (filter_by_author=1) finds nobody,
  // and every comment comes from weibo.com, none from weiqun (filter_by_source=2). [derived]
  const nobody = params.get('filter_by_author') === '1' || params.get('filter_by_source') === '2';
  const since = sinceId === null ? 0n : BigInt(sinceId);
  const max = maxId === null || maxId === '0' ? undefined : BigInt(maxId);
  const matching = nobody
    ? []
    : newestFirst.filter((item) => item.id > since && (max === undefined || item.id <= max));
  const size = Math.min(count, rule.maxCount);
  const slice = matching.slice((page - 1) * size, page * size);
  const next = matching[page * size];
  return weiboOk({
    [rule.field]: slice.map(toJson),
    hasvisible: false,
    // [unconfirmed] what the cursors hold; here `next_cursor` is the id of the first item of the
    // next page (usable as `max_id`), 0 at the end. The adapter does not rely on them.
    previous_cursor: 0,
    next_cursor: next === undefined ? 0 : new RawJsonNumber(next.idstr),
    total_number: matching.length,
  });
}

function userJson(uid: string, name: string): Record<string, unknown> {
  return { id: new RawJsonNumber(uid), idstr: uid, screen_name: name, name };
}

/** The comments the reads show now: on a visible status, and already written. */
export function liveComments(call: WeiboCall): CommentState[] {
  const { content } = call;
  return content.inbox.comments.filter((comment) => {
    const status = content.posts.get(comment.statusId);
    return status !== undefined && isVisible(content, status) && comment.createdAt <= content.now();
  });
}

/** The items in the order lists show them. */
export function newestFirst<Item>(items: readonly Item[]): Item[] {
  return [...items].reverse();
}

/** A comment as the lists show it, with its status and the comment it replies to. */
export function commentJson(call: WeiboCall, comment: CommentState): Record<string, unknown> {
  const { content } = call;
  const json: Record<string, unknown> = {
    created_at: formatWeiboDate(comment.createdAt),
    id: new RawJsonNumber(comment.idstr),
    idstr: comment.idstr,
    mid: comment.idstr,
    text: comment.text,
    source: SOURCE,
    user: userJson(comment.authorId, comment.authorName),
  };
  const status = content.posts.get(comment.statusId);
  if (status !== undefined) json.status = statusJson(content, status, true);
  const replied =
    comment.replyToId === undefined ? undefined : content.inbox.comment(comment.replyToId);
  if (replied !== undefined) {
    json.reply_comment = {
      created_at: formatWeiboDate(replied.createdAt),
      id: new RawJsonNumber(replied.idstr),
      idstr: replied.idstr,
      mid: replied.idstr,
      text: replied.text,
      user: userJson(replied.authorId, replied.authorName),
    };
  }
  return json;
}

function mentionJson(mention: MentionState): Record<string, unknown> {
  return {
    created_at: formatWeiboDate(mention.createdAt),
    id: new RawJsonNumber(mention.idstr),
    idstr: mention.idstr,
    mid: mention.idstr,
    text: mention.text,
    source: SOURCE,
    favorited: false,
    truncated: false,
    geo: null,
    user: userJson(mention.authorId, mention.authorName),
    reposts_count: 0,
    comments_count: 0,
    attitudes_count: 0,
  };
}

/** `comments/show`: the comments on one visible status, newest first. */
export function commentsShow(call: WeiboCall): WeiboOutcome {
  const { content, params, refuse } = call;
  const id = params.get('id');
  if (id === null) return refuse(10016, 'miss required parameter (id)');
  if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
  const status = content.posts.get(id);
  if (status === undefined || !isVisible(content, status)) {
    return refuse(20101, 'target status does not exist');
  }
  const comments = liveComments(call).filter((comment) => comment.statusId === id);
  return listPage(call, 'comments/show', newestFirst(comments), (comment) =>
    commentJson(call, comment),
  );
}

/**
 * `comments/to_me`: comments on the account's statuses and replies to its comments, newest first,
 * without the account's own comments [derived].
 */
export function commentsToMe(call: WeiboCall): WeiboOutcome {
  const { content, account } = call;
  const comments = liveComments(call).filter((comment) => {
    if (comment.authorId === account.uid) return false;
    if (content.posts.get(comment.statusId)?.uid === account.uid) return true;
    const replied =
      comment.replyToId === undefined ? undefined : content.inbox.comment(comment.replyToId);
    return replied?.authorId === account.uid;
  });
  return listPage(call, 'comments/to_me', newestFirst(comments), (comment) =>
    commentJson(call, comment),
  );
}

/** `comments/mentions`: comments that @ the account, newest first. */
export function commentsMentions(call: WeiboCall): WeiboOutcome {
  const { account } = call;
  const comments = liveComments(call).filter(
    (comment) => comment.authorId !== account.uid && mentionsName(comment.text, account.screenName),
  );
  return listPage(call, 'comments/mentions', newestFirst(comments), (comment) =>
    commentJson(call, comment),
  );
}

/** `statuses/mentions`: statuses that @ the account, newest first. */
export function statusesMentions(call: WeiboCall): WeiboOutcome {
  const { content, account } = call;
  const mentions = content.inbox.mentions.filter(
    (mention) =>
      mention.createdAt <= content.now() && mentionsName(mention.text, account.screenName),
  );
  return listPage(call, 'statuses/mentions', newestFirst(mentions), mentionJson);
}
