/**
 * Mass sends in the WeChat fake (§1.6): `message/mass/sendall` to all followers or to a tag
 * (platforms-listening.md §3.5), with its `clientmsgid` records, quota and admin confirmation, `message/mass/get` and `message/mass/delete`.
 */
import { FakeReply } from '../../fake/fake-platform.js';
import { RawJsonNumber, stringifyWithRawNumbers } from '../../fake/raw-json.js';
import type { WechatMassSendInfo } from './inspection.js';
import { tagById } from './tags.js';
import {
  DAY_MS,
  JSON_TYPE,
  isRecord,
  rawId,
  sha256,
  utf8Bytes,
  wechatOk,
  type MassState,
  type TagState,
  type WechatCall,
  type WechatContent,
  type WechatOutcome,
} from './state.js';

type MassStatus = 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL' | 'DELETE';

/** Where a mass send stands now: sending, waiting for the admin, sent, failed or deleted. */
export function massStatus(content: WechatContent, send: MassState): MassStatus {
  const settings = content.settings();
  if (send.deleted) return 'DELETE';
  if (send.protectedSend) {
    if (send.decision === 'approved') return 'SEND_SUCCESS';
    if (send.decision === 'refused') return 'SEND_FAIL';
    return content.now() >= send.createdAt + settings.adminConfirmationWindowMs
      ? 'SEND_FAIL'
      : 'SENDING';
  }
  return content.now() >= send.createdAt + settings.massSendDelayMs ? 'SEND_SUCCESS' : 'SENDING';
}

/** A mass send as the inspection API shows it. */
export function massInfo(content: WechatContent, send: MassState): WechatMassSendInfo {
  const status = massStatus(content, send);
  return {
    msgId: send.msgId,
    msgDataId: send.msgDataId,
    appid: send.appid,
    clientMsgId: send.clientMsgId,
    clientMsgIdDerived: send.clientMsgIdDerived,
    msgtype: send.msgtype,
    mediaId: send.mediaId,
    text: send.text,
    toAll: send.toAll,
    tagId: send.tagId,
    recipients: send.recipients === undefined ? undefined : [...send.recipients],
    createdAt: new Date(send.createdAt),
    status,
    awaitingConfirmation: send.protectedSend && status === 'SENDING',
    confirmDeadline: send.protectedSend
      ? new Date(send.createdAt + content.settings().adminConfirmationWindowMs)
      : undefined,
  };
}

/** What a send carries: an mpnews draft or a text. */
interface MassMessage {
  readonly toAll: boolean;
  /** The tag of a send to a tag. */
  readonly tag: TagState | undefined;
  readonly msgtype: 'mpnews' | 'text';
  readonly mediaId: string | undefined;
  readonly text: string | undefined;
}

/** `message/mass/sendall`: a send to all followers or to a tag. */
export function sendAll(call: WechatCall): WechatOutcome {
  const { content, account, body } = call;
  const message = readMessage(call);
  if ('reply' in message) return message;
  const { toAll, tag, msgtype, mediaId, text } = message;

  // clientmsgid: ≤ 64 bytes; a record of the last 24 h refuses the request (§1.6). Without one
  // the platform uses a digest of scope + content.
  const given = body.clientmsgid;
  if (given !== undefined && typeof given !== 'string') {
    return content.refuse(40097, 'invalid args: clientmsgid');
  }
  if (given !== undefined && utf8Bytes(given) > 64) {
    return content.refuse(45067, 'clientmsgid size out of limit');
  }
  const derived = given === undefined || given === '';
  const clientMsgId = derived
    ? `auto-${sha256(JSON.stringify([body.filter, msgtype, mediaId ?? text]))}`
    : given;
  const recordKey = `${account.appid}\u0000${clientMsgId}`;
  const repeated = repeatedSend(content, recordKey);
  if (repeated !== undefined) return repeated;

  if (msgtype === 'mpnews') {
    const draft = mediaId === undefined ? undefined : content.drafts.get(mediaId);
    if (draft === undefined || draft.appid !== account.appid || draft.removed) {
      return content.refuse(40007, 'invalid media_id');
    }
  }
  // Quota: subscription one push (to all or to one tag) per China day, service four per month
  // (§1.6). A tag with no follower is taken like any other [unconfirmed]: §3.5 names no refusal.
  const now = content.now();
  if (content.pushesUsed(account.appid, now) >= account.pushQuota) {
    return content.refuse(45028, 'has no masssend quota');
  }

  const msgId = content.nextMsgId();
  const msgDataId = msgtype === 'mpnews' ? content.nextMsgDataId() : undefined;
  if (mediaId !== undefined) {
    const draft = content.drafts.get(mediaId);
    if (draft !== undefined) draft.removed = true; // a mass-sent draft leaves the draft box (§1.4)
  }
  content.mass.set(msgId, {
    msgId,
    msgDataId,
    appid: account.appid,
    clientMsgId,
    clientMsgIdDerived: derived,
    msgtype,
    mediaId,
    text,
    toAll,
    tagId: tag?.id,
    recipients: tag === undefined ? undefined : [...tag.followers],
    createdAt: now,
    protectedSend: toAll && account.massSendProtection,
    decision: undefined,
    deleted: false,
  });
  content.clientMsgIds.set(recordKey, { msgId, firstAt: now, lastAttemptAt: now });
  return wechatOk({
    errcode: 0,
    errmsg: 'send job submission success',
    msg_id: content.idJson(msgId),
    ...(msgDataId === undefined ? {} : { msg_data_id: new RawJsonNumber(msgDataId) }),
  });
}

/** The audience and the message of a send, or its refusal. */
function readMessage(call: WechatCall): MassMessage | WechatOutcome {
  const { content, body } = call;
  const filter = body.filter;
  if (!isRecord(filter) || typeof filter.is_to_all !== 'boolean') {
    return content.refuse(40097, 'invalid args: filter.is_to_all');
  }
  const toAll = filter.is_to_all;
  // A send to a tag names one of the account's tags (§3.5): else 45159.
  let tag: TagState | undefined;
  if (!toAll) {
    const tagId = filter.tag_id;
    const id =
      typeof tagId === 'number' ? tagId : typeof tagId === 'string' ? Number(tagId) : Number.NaN;
    tag = Number.isInteger(id) ? tagById(content, call.account.appid, id) : undefined;
    if (tag === undefined) return content.refuse(45159, 'invalid tag_id');
  }
  const msgtype = body.msgtype;
  if (msgtype === 'mpnews') {
    const mpnews = body.mpnews;
    const mediaId =
      isRecord(mpnews) && typeof mpnews.media_id === 'string' ? mpnews.media_id : undefined;
    return { toAll, tag, msgtype, mediaId, text: undefined };
  }
  if (msgtype === 'text') {
    const text = isRecord(body.text) ? body.text.content : undefined;
    if (typeof text !== 'string' || text.trim() === '') {
      return content.refuse(44004, 'empty content');
    }
    return { toAll, tag, msgtype, mediaId: undefined, text };
  }
  // Only mpnews and text are modelled [derived]; [unconfirmed] 40008 for another type.
  return content.refuse(40008, 'invalid message type');
}

/** The refusal of a `clientmsgid` already used in the last 24 hours, if it was. */
function repeatedSend(content: WechatContent, recordKey: string): WechatOutcome | undefined {
  const now = content.now();
  const record = content.clientMsgIds.get(recordKey);
  if (record === undefined || now - record.firstAt >= DAY_MS) return undefined;
  const tooFast = now - record.lastAttemptAt < 60_000;
  // [unconfirmed] every attempt restarts the one-minute wait.
  record.lastAttemptAt = now;
  if (tooFast) return content.refuse(45066, 'clientmsgid exist and retry too fast');
  return {
    applied: false,
    reply: new FakeReply(
      200,
      stringifyWithRawNumbers({
        errcode: 45065,
        errmsg: `clientmsgid exist rid: ${content.rid()}`,
        msg_id: content.idJson(record.msgId),
      }),
      JSON_TYPE,
      45065,
    ),
  };
}

/** The send `msg_id` names, when it is the account's. */
function sendOf(call: WechatCall): MassState | undefined {
  const msgId = rawId(call.bodyText, 'msg_id');
  const send = msgId === undefined ? undefined : call.content.mass.get(msgId);
  return send === undefined || send.appid !== call.account.appid ? undefined : send;
}

/** `message/mass/get`: where a send stands. */
export function getMassSend(call: WechatCall): WechatOutcome {
  const send = sendOf(call);
  // [unconfirmed] 40059 ("invalid msg id") from community reports.
  if (send === undefined) return call.content.refuse(40059, 'invalid msg id');
  return wechatOk({
    msg_id: call.content.idJson(send.msgId),
    msg_status: massStatus(call.content, send),
  });
}

/** `message/mass/delete`: deletes a sent article (every send of it). */
export function deleteMassSend(call: WechatCall): WechatOutcome {
  const { content } = call;
  const send = sendOf(call);
  if (send === undefined) return content.refuse(40059, 'invalid msg id');
  const status = massStatus(content, send);
  // [unconfirmed] deleting twice succeeds again; the code for a send that cannot be deleted.
  if (status === 'DELETE') return wechatOk({ errcode: 0, errmsg: 'ok' });
  if (status !== 'SEND_SUCCESS' || (send.msgtype !== 'mpnews' && send.msgtype !== 'mpvideo')) {
    return content.refuse(40059, 'invalid msg id: only a sent mpnews or video can be deleted');
  }
  // Deleting one send of an article disables every send of it (§1.6).
  for (const other of content.mass.values()) {
    if (other === send || (other.mediaId !== undefined && other.mediaId === send.mediaId)) {
      other.deleted = true;
    }
  }
  return wechatOk({ errcode: 0, errmsg: 'ok' });
}
