/**
 * Answering an inbox item on Tencent Weibo (platforms.md §3.2, platforms-listening.md §2.2) and
 * finding the answer again:
 *
 * - `replyToInbox`: `POST t/reply`, form-encoded, with `content` and `reid` (the item's tweet),
 *   the OAuth parameters (with `clientip`) and `format=json`. Sent once.
 * - `findInboxReply`: `GET statuses/broadcast_timeline` with `type=8` (the account's replies),
 *   newest first, at most {@link TENCENT_REPLY_LOOKUP_MAX_PAGES} pages: the account's reply whose
 *   `source` is the item's tweet and whose text is the text sent.
 *
 * Why `t/reply` ("回复") and not `t/comment` ("点评"): a comment or a mention on Tencent is itself
 * a tweet, and `t/reply` answers that tweet in its conversation: its author is told (it is in
 * their mentions timeline as a reply, type bit 0x8), and the answer is tied to the item by
 * `source.id`, which is what the look-up matches on. `t/comment` with `reid` = the item would
 * be a remark on the citizen's tweet rather than an answer to it [derived], and with `reid` = the
 * account's own tweet it would not name the item at all. So comments and mentions are both
 * answered with `t/reply`.
 *
 * A second `t/reply` with the same text to the same tweet is refused as a duplicate
 * (`ret=4 errcode=13`, `DUPLICATE_CONTENT`); the core then looks the first one up.
 */
import { failMalformed, inconclusiveReplyLookUp, invalidInput, isRecord } from '#adapter-kit';
import type {
  Account,
  FindInboxReplyResult,
  InboxItem,
  InboxReplyContext,
  InboxReplyResult,
} from '#core';
import { TENCENT_MAX_BYTES, countTencentText } from './count-tencent-text.js';
import { plainText, tencentTextFingerprint } from './find-existing.js';
import { TENCENT_PLATFORM, tencentCode } from './map-tencent-error.js';
import { missingSettings } from './oauth.js';
import type { TencentSettings } from './options.js';
import { tweetId } from './read-reply.js';
import {
  pageOf,
  tencentGet,
  tencentPost,
  timestampSeconds,
  withTencentCall,
} from './tencent-call.js';

/** Pages of the account's replies `findInboxReply` reads at most (newest first). */
export const TENCENT_REPLY_LOOKUP_MAX_PAGES = 3;

/** `reqnum` of the look-up: the largest a timeline takes (§2.1: 70). */
const LOOKUP_PAGE_SIZE = 70;

/** `type` of the look-up: 0x8, replies. */
const REPLIES_TYPE = 0x8;

const DIGITS = /^\d+$/;

/** What is wrong about the item and the text, before anything is sent. */
function checkReply(
  settings: TencentSettings,
  account: Account,
  item: InboxItem,
  text: string,
): void {
  const issues = [...missingSettings(settings, account)];
  if (!DIGITS.test(item.remoteId)) {
    issues.push({
      path: 'item.remoteId',
      message: `expected a Tencent tweet id (digits), got "${item.remoteId}"`,
    });
  }
  if (item.kind === 'message') {
    issues.push({
      path: 'item.kind',
      message:
        'Tencent Weibo has no private messages to answer here: answer a comment or a mention',
    });
  }
  if (text.trim() === '') issues.push({ path: 'text', message: 'the reply is empty' });
  const bytes = countTencentText(text);
  if (bytes > TENCENT_MAX_BYTES) {
    issues.push({
      path: 'text',
      message: `a Tencent reply has at most ${TENCENT_MAX_BYTES} bytes by Tencent's count (a Chinese character is 3, a link 11), this one ${bytes}: shorten it`,
    });
  }
  if (issues.length > 0) throw invalidInput(`t/reply call for account "${account.id}"`, issues);
}

function timeOf(value: unknown): string | undefined {
  const seconds = timestampSeconds(value);
  return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
}

/** Replies to the tweet of `item` with `text` (`t/reply`). */
export async function replyToTencentItem(
  settings: TencentSettings,
  account: Account,
  item: InboxItem,
  text: string,
  context: InboxReplyContext,
): Promise<InboxReplyResult> {
  checkReply(settings, account, item, text);
  return withTencentCall(settings, account, context, 't/reply', async (call) => {
    const { body, call: info } = await tencentPost(call, 't/reply', {
      content: text,
      reid: item.remoteId,
    });
    const data = isRecord(body.data) ? body.data : undefined;
    const remoteId = tweetId(data?.id);
    if (remoteId === undefined) return failMalformed(info, 'a reply without data.id');
    const at = timeOf(data?.time);
    return { remoteId, ...(at === undefined ? {} : { at }) };
  });
}

/** Whether a tweet of the timeline is the account's reply to `itemId` with `text`. */
function isReplyTo(tweet: Record<string, unknown>, itemId: string, text: string): boolean {
  const status = tencentCode(tweet.status);
  // [unconfirmed] status 1 (removed by the platform) and 3 (by its author): not there any more.
  if (status === 1 || status === 3) return false;
  const source = isRecord(tweet.source) ? tweetId(tweet.source.id) : undefined;
  if (source !== itemId) return false;
  const wanted = tencentTextFingerprint(text);
  const sent = typeof tweet.origtext === 'string' ? tweet.origtext : undefined;
  const shown = typeof tweet.text === 'string' ? plainText(tweet.text) : undefined;
  return [sent, shown].some(
    (candidate) => candidate !== undefined && tencentTextFingerprint(candidate) === wanted,
  );
}

/** Looks for the account's reply to `item` with `text` among its latest replies. */
export async function findTencentReply(
  settings: TencentSettings,
  account: Account,
  item: InboxItem,
  text: string,
  context: InboxReplyContext,
): Promise<FindInboxReplyResult> {
  return withTencentCall(
    settings,
    account,
    context,
    'statuses/broadcast_timeline',
    async (call) => {
      // A reply is never older than the item it answers: reaching that time settles "not found".
      const itemTime = Math.floor(Date.parse(item.at) / 1000);
      let position: { time: number; id: string } | undefined;
      for (let pages = 0; pages < TENCENT_REPLY_LOOKUP_MAX_PAGES; pages += 1) {
        const { body, call: info } = await tencentGet(call, 'statuses/broadcast_timeline', {
          pageflag: position === undefined ? '0' : '1',
          pagetime: position === undefined ? '0' : String(position.time),
          reqnum: String(LOOKUP_PAGE_SIZE),
          lastid: position === undefined ? '0' : position.id,
          type: String(REPLIES_TYPE),
          contenttype: '0',
        });
        const page = pageOf(body, info);
        let last: { time: number; id: string } | undefined;
        for (const tweet of page.items) {
          const id = tweetId(tweet.id);
          const time = timestampSeconds(tweet.timestamp);
          if (id === undefined || time === undefined) {
            return failMalformed(info, 'a tweet without an id or a timestamp');
          }
          last = { time, id };
          if (isReplyTo(tweet, item.remoteId, text)) {
            return { found: true, remoteId: id, at: new Date(time * 1000).toISOString() };
          }
          if (time < itemTime) return { found: false };
        }
        if (last === undefined || page.finished) return { found: false };
        position = last;
      }
      throw inconclusiveReplyLookUp(
        TENCENT_PLATFORM,
        account.id,
        `the account's latest ${TENCENT_REPLY_LOOKUP_MAX_PAGES * LOOKUP_PAGE_SIZE} replies`,
      );
    },
  );
}
