/**
 * Answering a follower (platforms-listening.md §3.1, platforms.md §1.7): a customer-service text
 * message, `POST cgi-bin/message/custom/send?access_token=…` with
 * `{"touser":"<openid>","msgtype":"text","text":{"content":"…"}}`, answered
 * `{"errcode":0,"errmsg":""}`.
 *
 * - WeChat takes a customer-service message only within **48 hours** of the follower's last
 *   message, at most **5** in that time (3 within a minute after a menu click, follow or scan).
 *   `replyToInbox` refuses an item older than 48 hours before anything is sent; WeChat's own
 *   refusals are `45015` (outside the window, or the follower unfollowed), `45047` (the 5 are
 *   used), `48002` (the follower turned messages off), `40003` (an openid that is not the
 *   account's follower).
 * - WeChat gives no id for a customer-service message, and no API lists the messages an account
 *   sent. The reply's id is therefore made here (`custom:<idempotency key>`), and the adapter has
 *   no `findInboxReply`: a send whose answer was lost stays `unknown` in the journal and is never
 *   sent again by release-hall (a follower would rather miss a repeat than get one twice).
 * - The text's length limit is [unconfirmed] (about 2048 bytes are reported for passive
 *   replies); nothing is cut or refused here for its length, WeChat's answer is reported.
 *
 * {@link sendCustomText} is the one request, also used by the callback service to deliver a
 * reply that came too late for the passive answer.
 */
import { ReleaseHallError } from '#core';
import type { Account, InboxItem, InboxReplyContext, InboxReplyResult } from '#core';
import { invalidInput } from '#adapter-kit';
import type { WechatCallContext } from './client.js';
import { wechatFailure } from './errors.js';
import { splitRequestId } from './map-wechat-error.js';
import type { WechatRuntime } from './runtime.js';

/** The customer-service endpoint, below `cgi-bin/`. */
export const CUSTOM_SEND_ENDPOINT = 'message/custom/send';

/** How long after a follower's last message WeChat takes customer-service messages (§3.1). */
export const WECHAT_CUSTOM_WINDOW_MS = 48 * 3_600_000;

/** Customer-service messages WeChat takes per follower message, within the window (§3.1). */
export const WECHAT_CUSTOM_MESSAGES_PER_WINDOW = 5;

/** `45015`: outside the 48-hour window, or the follower unfollowed. */
const OUT_OF_WINDOW = 45015;
/** `45047`: the messages allowed since the follower's last message are used. */
const COUNT_USED = 45047;
/** `48002`: the follower turned messages from the account off. */
const USER_REFUSED = 48002;
/** `40003`: the openid is not valid for this account. */
const BAD_OPENID = 40003;
/** `43004`: the user must follow the account first. */
const MUST_FOLLOW = 43004;

const HANDLED = [OUT_OF_WINDOW, COUNT_USED, USER_REFUSED, BAD_OPENID, MUST_FOLLOW];

const OPENID = /^[0-9A-Za-z_-]{1,64}$/;

/** Hours, to one decimal. */
function hours(ms: number): string {
  return (Math.round(ms / 360_000) / 10).toString();
}

/** The error for one of WeChat's refusals of a customer-service message. */
function refusal(
  account: Account,
  openid: string,
  errcode: number,
  errmsg: string | undefined,
): ReleaseHallError {
  const { rid } = splitRequestId(errmsg);
  const tail = rid === undefined ? '' : ` (rid ${rid})`;
  const extra = { platformCode: String(errcode) };
  switch (errcode) {
    case OUT_OF_WINDOW:
      return wechatFailure(
        account,
        CUSTOM_SEND_ENDPOINT,
        'PERMISSION_DENIED',
        `WeChat refused the message to follower ${openid} of account "${account.id}": their last message is more than 48 hours old, or they unfollowed the account. WeChat takes customer-service messages only within 48 hours of a follower's last message; answer once they write again, or answer publicly (an article or a push)${tail}`,
        extra,
      );
    case COUNT_USED:
      return wechatFailure(
        account,
        CUSTOM_SEND_ENDPOINT,
        'QUOTA_EXHAUSTED',
        `WeChat refused the message to follower ${openid} of account "${account.id}": the ${WECHAT_CUSTOM_MESSAGES_PER_WINDOW} customer-service messages allowed since their last message are used. The count starts again when they write again${tail}`,
        extra,
      );
    case USER_REFUSED:
      return wechatFailure(
        account,
        CUSTOM_SEND_ENDPOINT,
        'PERMISSION_DENIED',
        `WeChat refused the message: follower ${openid} turned off messages from account "${account.id}"; nothing can be sent to them${tail}`,
        extra,
      );
    case MUST_FOLLOW:
      return wechatFailure(
        account,
        CUSTOM_SEND_ENDPOINT,
        'PERMISSION_DENIED',
        `WeChat refused the message: ${openid} does not follow account "${account.id}" (any more)${tail}`,
        extra,
      );
    default:
      return wechatFailure(
        account,
        CUSTOM_SEND_ENDPOINT,
        'INVALID_INPUT',
        `WeChat does not know openid "${openid}" as a follower of account "${account.id}" (an openid belongs to one appid): answer the message on the account it came to${tail}`,
        extra,
      );
  }
}

/**
 * Sends one customer-service text to a follower of the account (`message/custom/send`). Sent
 * once, never repeated; a timeout or a 5xx after it left throws `AMBIGUOUS`.
 *
 * @throws ReleaseHallError `INVALID_INPUT` for an empty text or a malformed openid (nothing
 * sent) and for `40003`; `PERMISSION_DENIED` for `45015`, `48002`, `43004`; `QUOTA_EXHAUSTED`
 * for `45047`; the usual WeChat classification otherwise.
 */
export async function sendCustomText(
  runtime: WechatRuntime,
  account: Account,
  openid: string,
  text: string,
  context: WechatCallContext,
): Promise<void> {
  const issues = [];
  if (!OPENID.test(openid)) {
    issues.push({ path: 'openid', message: `expected a follower's OpenID, got "${openid}"` });
  }
  if (text.trim() === '') issues.push({ path: 'text', message: 'the message is empty' });
  if (issues.length > 0) {
    throw invalidInput(`customer-service message for account "${account.id}"`, issues);
  }
  const reply = await runtime.client.call(account, context, {
    endpoint: CUSTOM_SEND_ENDPOINT,
    method: 'POST',
    json: { touser: openid, msgtype: 'text', text: { content: text } },
    write: true,
    handle: HANDLED,
  });
  if (reply.errcode !== undefined) throw refusal(account, openid, reply.errcode, reply.errmsg);
}

/**
 * Answers a follower's message (an inbox item of kind `message`) with a customer-service text.
 * An item older than 48 hours at `context.now` is refused before anything is sent.
 */
export async function replyToWechatMessage(
  runtime: WechatRuntime,
  account: Account,
  item: InboxItem,
  text: string,
  context: InboxReplyContext,
): Promise<InboxReplyResult> {
  if (item.kind !== 'message') {
    throw invalidInput(`reply for account "${account.id}"`, [
      {
        path: 'item.kind',
        message: `release-hall answers WeChat followers' messages only; replies to article comments (comment/reply/add) are not built yet: answer this ${item.kind} in the MP console (mp.weixin.qq.com)`,
      },
    ]);
  }
  const openid = item.author.id;
  if (openid === undefined || openid === '') {
    throw invalidInput(`reply for account "${account.id}"`, [
      { path: 'item.author.id', message: "expected the follower's OpenID, the item has none" },
    ]);
  }
  const written = Date.parse(item.at);
  if (Number.isNaN(written)) {
    throw invalidInput(`reply for account "${account.id}"`, [
      { path: 'item.at', message: `expected an ISO 8601 time, got "${item.at}"` },
    ]);
  }
  const age = context.now.getTime() - written;
  if (age > WECHAT_CUSTOM_WINDOW_MS) {
    throw wechatFailure(
      account,
      CUSTOM_SEND_ENDPOINT,
      'PERMISSION_DENIED',
      `not sent: message ${item.remoteId} of follower ${openid} is ${hours(age)} hours old (more than 48). WeChat accepts customer-service messages only within 48 hours of the follower's last message; nothing was sent. If they wrote again since, answer that newer message; otherwise answer publicly (an article or a push), or wait until they write again`,
    );
  }
  await sendCustomText(runtime, account, openid, text, context);
  // WeChat gives no id for a customer-service message: the reply is named by its key.
  return { remoteId: `custom:${context.idempotencyKey}` };
}
