/**
 * Replying to a comment on Weibo (platforms-listening.md §1.3) and finding the reply again
 * (§1.2):
 *
 * - `replyToInbox`: `POST comments/reply.json`, form-encoded, with `cid` (the comment), `id` (its
 *   status), `comment` (≤ 140), `without_mention=0` (Weibo puts `回复@name:` before the text),
 *   `comment_ori=0` and `rip`; the token in the form body. Sent once.
 * - `findInboxReply`: `GET comments/by_me.json`, newest first, at most
 *   {@link WEIBO_REPLY_LOOKUP_MAX_ITEMS} comments: the account's comment that replies to the item
 *   with the text (with or without the `回复@name:` prefix).
 *
 * Weibo ignores a reply whose text is the same as the account's last comment (§1.3); what it
 * answers then is [unconfirmed]. When the answer is a comment that replies to another comment,
 * the adapter throws `DUPLICATE_CONTENT`: the text was not posted as a reply to this item.
 */
import {
  failMalformed,
  httpCall,
  inconclusiveReplyLookUp,
  invalidInput,
  isRecord,
  platformMessage,
  postForm,
  timeoutAndSignal,
  withCredential,
} from '#adapter-kit';
import { ReleaseHallError } from '#core';
import type {
  Account,
  FindInboxReplyResult,
  InboxItem,
  InboxReplyContext,
  InboxReplyResult,
} from '#core';
import { WEIBO_MAX_LENGTH, countWeiboText } from './count-weibo-text.js';
import { parseWeiboDate } from './find-existing.js';
import { WEIBO_PLATFORM } from './map-weibo-error.js';
import type { WeiboSettings } from './options.js';
import { readWeiboReply, statusId, weiboCall } from './read-reply.js';

/** Comments of the account read by `findInboxReply` at most (newest first). */
export const WEIBO_REPLY_LOOKUP_MAX_ITEMS = 200;

/** Comments asked for per page of `comments/by_me` (its documented default). */
const BY_ME_PAGE_SIZE = 50;

const DIGITS = /^\d+$/;

/** The prefix Weibo puts before a reply: `回复@name:` (the colon ASCII or full width). */
const REPLY_PREFIX = /^回复@[^:：]+[:：]/u;

/** True when a stored comment's text is `text`, with or without Weibo's reply prefix. */
export function isWeiboReplyText(stored: string, text: string): boolean {
  return stored === text || stored.replace(REPLY_PREFIX, '') === text;
}

/** What is wrong about the item and the text, before anything is sent. */
function checkReply(
  settings: WeiboSettings,
  account: Account,
  item: InboxItem,
  text: string,
): string {
  const issues = [];
  if (!DIGITS.test(item.remoteId)) {
    issues.push({
      path: 'item.remoteId',
      message: `expected a Weibo comment id, got "${item.remoteId}"`,
    });
  }
  if (item.postId === undefined || !DIGITS.test(item.postId)) {
    issues.push({ path: 'item.postId', message: 'a Weibo comment needs the id of its status' });
  } else if (item.postId === item.remoteId) {
    issues.push({
      path: 'item.kind',
      message: 'the item is a post that @ the account, not a comment: Weibo answers comments only',
    });
  }
  if (text.trim() === '') issues.push({ path: 'text', message: 'the reply is empty' });
  const length = countWeiboText(text);
  if (length > WEIBO_MAX_LENGTH) {
    issues.push({
      path: 'text',
      message: `a Weibo reply has at most ${WEIBO_MAX_LENGTH} characters by Weibo's count, this one ${length}`,
    });
  }
  if (settings.rip === undefined) {
    issues.push({
      path: 'platforms.weibo.settings.rip',
      message:
        'Weibo requires the end user\'s IP ("rip") on writes: set the rip option (e.g. the press office\'s public IP)',
    });
  }
  if (issues.length > 0) {
    throw invalidInput(`comments/reply call for account "${account.id}"`, issues);
  }
  return settings.rip ?? '';
}

function idOf(value: unknown): string | undefined {
  return isRecord(value) ? statusId(value) : undefined;
}

function timeOf(record: Record<string, unknown>): string | undefined {
  const created = typeof record.created_at === 'string' ? record.created_at : undefined;
  const at = created === undefined ? undefined : parseWeiboDate(created);
  return at === undefined ? undefined : new Date(at).toISOString();
}

/** Replies to the comment `item` with `text` (`comments/reply`). */
export async function replyToWeiboComment(
  settings: WeiboSettings,
  account: Account,
  item: InboxItem,
  text: string,
  context: InboxReplyContext,
): Promise<InboxReplyResult> {
  const rip = checkReply(settings, account, item, text);
  return withCredential(
    account,
    context,
    { platform: WEIBO_PLATFORM, field: 'access_token' },
    async (token) => {
      const call = weiboCall('comments/reply', true, account);
      const reply = await postForm({
        ...call,
        fetch: settings.fetch,
        url: `${settings.baseURL}comments/reply.json`,
        form: {
          access_token: token,
          cid: item.remoteId,
          id: item.postId ?? '',
          comment: text,
          without_mention: '0',
          comment_ori: '0',
          rip,
        },
        context,
      });
      const read = readWeiboReply(reply, call, settings, token);
      if (read.kind !== 'ok') return failMalformed(call, 'a reply without the new comment');
      const remoteId = statusId(read.body);
      if (remoteId === undefined) return failMalformed(call, 'a comment without idstr');
      const answered = idOf(read.body.reply_comment);
      if (answered !== item.remoteId) {
        // [unconfirmed] Weibo ignores a text equal to the account's last comment; the fake
        // answers with that comment, which replies to another one.
        throw new ReleaseHallError(
          platformMessage(
            WEIBO_PLATFORM,
            'comments/reply',
            undefined,
            undefined,
            `Weibo answered with comment ${remoteId}, which does not reply to comment ${item.remoteId} (account "${account.id}"): it ignores a text equal to the account's last comment; change the text`,
          ),
          {
            code: 'DUPLICATE_CONTENT',
            platform: WEIBO_PLATFORM,
            accountId: account.id,
            endpoint: 'comments/reply',
          },
        );
      }
      const at = timeOf(read.body);
      return { remoteId, ...(at === undefined ? {} : { at }) };
    },
  );
}

/** Looks for the account's reply to `item` with `text` among its latest comments. */
export function findWeiboReply(
  settings: WeiboSettings,
  account: Account,
  item: InboxItem,
  text: string,
  context: InboxReplyContext,
): Promise<FindInboxReplyResult> {
  return withCredential(
    account,
    context,
    { platform: WEIBO_PLATFORM, field: 'access_token' },
    async (token) => {
      const call = weiboCall('comments/by_me', false, account);
      let maxId: string | undefined;
      let seen = 0;
      // A reply is never older than the item it answers: reaching that time settles "not found".
      const itemTime = Date.parse(item.at);
      while (seen < WEIBO_REPLY_LOOKUP_MAX_ITEMS) {
        const query = new URLSearchParams({
          count: String(BY_ME_PAGE_SIZE),
          ...(maxId === undefined ? {} : { max_id: maxId }),
        });
        const reply = await httpCall({
          ...call,
          fetch: settings.fetch,
          url: `${settings.baseURL}comments/by_me.json?${query.toString()}`,
          method: 'GET',
          headers: { accept: 'application/json', authorization: `OAuth2 ${token}` },
          ...timeoutAndSignal(context),
        });
        const read = readWeiboReply(reply, call, settings, token);
        const page = read.kind === 'ok' ? read.body.comments : undefined;
        if (!Array.isArray(page)) return failMalformed(call, 'a reply without a list of comments');
        let lowest: bigint | undefined;
        for (const entry of page) {
          const id = idOf(entry);
          if (!isRecord(entry) || id === undefined) {
            return failMalformed(call, 'a comment without idstr');
          }
          if (maxId !== undefined && BigInt(id) > BigInt(maxId)) continue;
          seen += 1;
          if (lowest === undefined || BigInt(id) < lowest) lowest = BigInt(id);
          const stored = typeof entry.text === 'string' ? entry.text : '';
          if (idOf(entry.reply_comment) === item.remoteId && isWeiboReplyText(stored, text)) {
            const at = timeOf(entry);
            return { found: true, remoteId: id, ...(at === undefined ? {} : { at }) };
          }
          const written = timeOf(entry);
          if (written !== undefined && Date.parse(written) < itemTime) return { found: false };
          if (seen >= WEIBO_REPLY_LOOKUP_MAX_ITEMS) break;
        }
        if (lowest === undefined) return { found: false };
        maxId = (lowest - 1n).toString();
      }
      throw inconclusiveReplyLookUp(
        WEIBO_PLATFORM,
        account.id,
        `the account's latest ${WEIBO_REPLY_LOOKUP_MAX_ITEMS} comments`,
      );
    },
  );
}
