/**
 * Customer-service messages in the WeChat fake (platforms-listening.md §3.1, §4.10):
 * `POST message/custom/send`, and what opens its window (a follower's message, seeded by tests
 * with `receiveMessage`, or a click / follow / scan).
 *
 * - An openid that is neither a follower nor has written to the account: `40003`.
 * - A follower who turned messages off: `48002`.
 * - No interaction, or the last one too old (48 hours after a message, 1 minute after an event):
 *   `45015`.
 * - More than 5 messages since the last message (3 since an event): `45047`.
 * - Each new interaction starts the window and the count again.
 *
 * Every message taken is recorded, so tests check what the platform holds.
 */
import type { WechatCustomMessageInfo } from './inspection.js';
import {
  CustomState,
  isRecord,
  wechatOk,
  type AccountState,
  type WechatCall,
  type WechatContent,
  type WechatOutcome,
} from './state.js';

/** Window after a follower's message (§3.1). */
export const CUSTOM_MESSAGE_WINDOW_MS = 48 * 3_600_000;
/** Messages allowed after a follower's message. */
export const CUSTOM_MESSAGES_AFTER_MESSAGE = 5;
/** Window after a menu click, follow or scan. */
export const CUSTOM_EVENT_WINDOW_MS = 60_000;
/** Messages allowed after a menu click, follow or scan. */
export const CUSTOM_MESSAGES_AFTER_EVENT = 3;

/** A follower's interaction to seed (what the callback would have received). */
export interface WechatInboundInit {
  readonly appid: string;
  readonly openid: string;
  /** The message, for the record; not used by the rules. */
  readonly text?: string;
  /** When it was received. @default the platform clock now */
  readonly at?: Date | number;
  /** A text message, or an event (menu click, follow, scan). @default 'message' */
  readonly kind?: 'message' | 'event';
}

/** Records an interaction: the window and the count start again. The follower is added. */
export function receiveInbound(
  content: WechatContent,
  account: AccountState,
  init: WechatInboundInit,
): void {
  const at = init.at === undefined ? content.now() : new Date(init.at).getTime();
  if (!account.followers.includes(init.openid)) account.followers.push(init.openid);
  content.custom.inbound.set(CustomState.key(account.appid, init.openid), {
    kind: init.kind ?? 'message',
    at,
    sent: 0,
  });
}

/** The customer-service messages taken for an appid, oldest first. */
export function customMessages(content: WechatContent, appid: string): WechatCustomMessageInfo[] {
  return content.custom.sent
    .filter((sent) => sent.appid === appid)
    .map((sent) => ({
      appid: sent.appid,
      openid: sent.openid,
      msgtype: sent.msgtype,
      text: sent.text,
      at: new Date(sent.at),
    }));
}

/** `message/custom/send`: one message to a follower within their window. */
export function sendCustom(call: WechatCall): WechatOutcome {
  const { content, account, body } = call;
  const openid = body.touser;
  if (typeof openid !== 'string' || openid === '') {
    return content.refuse(40003, 'invalid openid');
  }
  const msgtype = body.msgtype;
  let text: string | undefined;
  if (msgtype === 'text') {
    const given = isRecord(body.text) ? body.text.content : undefined;
    if (typeof given !== 'string' || given.trim() === '') {
      return content.refuse(44004, 'empty content');
    }
    text = given;
  } else if (typeof msgtype !== 'string' || !['image', 'news', 'mpnewsarticle'].includes(msgtype)) {
    // Only text is modelled in full; [unconfirmed] 40008 for a type WeChat does not know.
    return content.refuse(40008, 'invalid message type');
  }
  const key = CustomState.key(account.appid, openid);
  const inbound = content.custom.inbound.get(key);
  if (inbound === undefined && !account.followers.includes(openid)) {
    return content.refuse(40003, 'invalid openid');
  }
  if (content.custom.refused.has(key)) {
    return content.refuse(48002, 'api forbidden for user refuse to accept message');
  }
  const now = content.now();
  const window = inbound?.kind === 'event' ? CUSTOM_EVENT_WINDOW_MS : CUSTOM_MESSAGE_WINDOW_MS;
  if (inbound === undefined || now - inbound.at > window) {
    return content.refuse(
      45015,
      `response out of time limit or subscription is canceled hint: [${content.rid().slice(0, 8)}]`,
    );
  }
  const allowed =
    inbound.kind === 'event' ? CUSTOM_MESSAGES_AFTER_EVENT : CUSTOM_MESSAGES_AFTER_MESSAGE;
  if (inbound.sent >= allowed) {
    return content.refuse(
      45047,
      `out of response count limit hint: [${content.rid().slice(0, 8)}]`,
    );
  }
  inbound.sent += 1;
  content.custom.sent.push({
    appid: account.appid,
    openid,
    msgtype,
    text,
    at: now,
  });
  return wechatOk({ errcode: 0, errmsg: 'ok' });
}
