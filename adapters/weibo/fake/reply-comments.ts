/**
 * Replying on the Weibo fake (platforms-listening.md §1.2–1.3, §4.4): `POST comments/reply`
 * (form-urlencoded) stores the account's answer to a comment, and `GET comments/by_me` lists the
 * account's own comments, paged like the other lists.
 */
import { isIP } from 'node:net';
import { WEIBO_MAX_LENGTH, countWeiboText } from '../count-weibo-text.js';
import type { CommentState } from './inbox-store.js';
import { commentJson, listPage, liveComments, newestFirst, type ListRule } from './read-inbox.js';
import { isVisible, weiboOk, type WeiboCall, type WeiboOutcome } from './state.js';

/**
 * Comments (replies included) one account may write per hour: §1.3 cites 60 per hour at the
 * normal level (platforms.md §2.5).
 */
export const WEIBO_COMMENTS_PER_HOUR = 60;

const HOUR_MS = 3_600_000;

/** `comments/by_me` pages as the other `comments/*` lists (§1.2). */
const BY_ME_RULE: ListRule = {
  field: 'comments',
  defaultCount: 50,
  maxCount: 200,
  filters: { filter_by_source: ['0', '1', '2'] },
};

/** The prefix Weibo puts before a reply unless `without_mention=1` (§1.3). */
export function replyPrefix(authorName: string): string {
  return `回复@${authorName}:`;
}

function ripProblem(rip: string | null): { code: number; text: string } | undefined {
  if (rip === null || rip === '') return { code: 10016, text: 'miss required parameter (rip)' };
  if (isIP(rip) === 0) return { code: 10017, text: "parameter (rip)'s value invalid" };
  return undefined;
}

/** The account's own comments, oldest first. */
function ownComments(call: WeiboCall): CommentState[] {
  return call.content.inbox.comments.filter((comment) => comment.authorId === call.account.uid);
}

/**
 * `comments/reply`: `cid` (the comment answered), `id` (its status), `comment` (≤ 140), `rip`
 * required; `without_mention` and `comment_ori` 0 or 1.
 *
 * - `cid` empty → `20204`; unknown, or not on status `id` → `20201`; status gone → `20101`.
 * - Text over 140 (counted without the prefix [unconfirmed: §1.3 leaves open whether the prefix
 *   counts]) → `20012`; empty → `20008`.
 * - More than {@link WEIBO_COMMENTS_PER_HOUR} comments by the account within an hour → `10024`
 *   [unconfirmed: §1.3 names `10023`/`10024`; the fake answers the per-API one].
 * - The same text as the account's last comment is ignored (§4.4): nothing is stored and the
 *   answer is that last comment, HTTP 200 [unconfirmed: the answer to an ignored duplicate, §5].
 */
export function replyComment(call: WeiboCall): WeiboOutcome {
  const { content, account, params, refuse } = call;
  const cid = params.get('cid');
  const id = params.get('id');
  const text = params.get('comment');
  if (cid === null) return refuse(10016, 'miss required parameter (cid)');
  if (id === null) return refuse(10016, 'miss required parameter (id)');
  if (text === null) return refuse(10016, 'miss required parameter (comment)');
  const rip = ripProblem(params.get('rip'));
  if (rip !== undefined) return refuse(rip.code, rip.text);
  for (const flag of ['without_mention', 'comment_ori']) {
    const value = params.get(flag);
    if (value !== null && value !== '0' && value !== '1') {
      return refuse(10017, `parameter (${flag})'s value invalid`);
    }
  }
  if (cid === '') return refuse(20204, 'comment id is empty');
  if (!/^\d+$/.test(cid)) return refuse(10017, "parameter (cid)'s value invalid");
  if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
  const status = content.posts.get(id);
  if (status === undefined || !isVisible(content, status)) {
    return refuse(20101, 'target status does not exist');
  }
  const replied = content.inbox.comment(cid);
  if (replied?.statusId !== id) return refuse(20201, 'target weibo comment does not exist');
  if (text.trim() === '') return refuse(20008, 'content is empty');
  if (countWeiboText(text) > WEIBO_MAX_LENGTH) {
    return refuse(20012, `text too long: at most ${WEIBO_MAX_LENGTH} characters`);
  }
  const stored =
    params.get('without_mention') === '1' ? text : `${replyPrefix(replied.authorName)}${text}`;
  const own = ownComments(call);
  const last = own.at(-1);
  if (last?.text === stored)
    return { applied: false, reply: weiboOk(commentJson(call, last)).reply };
  const now = content.now();
  if (
    own.filter((comment) => comment.createdAt > now - HOUR_MS).length >= WEIBO_COMMENTS_PER_HOUR
  ) {
    return refuse(10024, 'user requests for this API out of rate limit');
  }
  const newId = content.nextPostId();
  const comment: CommentState = {
    id: newId,
    idstr: newId.toString(),
    statusId: id,
    authorId: account.uid,
    authorName: account.screenName,
    text: stored,
    createdAt: now,
    replyToId: cid,
  };
  content.inbox.addComment(comment);
  return weiboOk(commentJson(call, comment));
}

/** `comments/by_me`: the account's own comments (its replies), newest first. */
export function commentsByMe(call: WeiboCall): WeiboOutcome {
  const comments = liveComments(call).filter((comment) => comment.authorId === call.account.uid);
  return listPage(call, BY_ME_RULE, newestFirst(comments), (comment) => commentJson(call, comment));
}
