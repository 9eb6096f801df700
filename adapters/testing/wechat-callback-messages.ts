/**
 * The messages a WeChat callback driver sends, as WeChat writes them: a follower's text, a menu
 * click, and the mass-send and publish notices.
 */
import { ReleaseHallError } from '#core';
import { WECHAT_PLATFORM } from '../wechat/callback/crypto.js';
import { buildXml } from '../wechat/callback/xml.js';
import type { XmlFields } from '../wechat/callback/xml.js';

/** XML of a follower's text message, fields in WeChat's order. */
export function textMessageXml(message: {
  readonly toUserName: string;
  readonly fromUserName: string;
  readonly createTime: number;
  readonly content: string;
  readonly msgId: string;
}): string {
  return buildXml({
    ToUserName: message.toUserName,
    FromUserName: message.fromUserName,
    CreateTime: message.createTime,
    MsgType: 'text',
    Content: message.content,
    MsgId: digits(message.msgId, 'msgId'),
  });
}

/** XML of a custom-menu `CLICK` event. */
export function clickEventXml(event: {
  readonly toUserName: string;
  readonly fromUserName: string;
  readonly createTime: number;
  readonly eventKey: string;
}): string {
  return buildXml({
    ToUserName: event.toUserName,
    FromUserName: event.fromUserName,
    CreateTime: event.createTime,
    MsgType: 'event',
    Event: 'CLICK',
    EventKey: event.eventKey,
  });
}

/** XML of a `MASSSENDJOBFINISH` event. */
export function massSendJobFinishXml(event: {
  readonly toUserName: string;
  readonly fromUserName: string;
  readonly createTime: number;
  readonly msgId: string;
  readonly status: string;
  readonly totalCount: number;
  readonly filterCount: number;
  readonly sentCount: number;
  readonly errorCount: number;
}): string {
  return buildXml({
    ToUserName: event.toUserName,
    FromUserName: event.fromUserName,
    CreateTime: event.createTime,
    MsgType: 'event',
    Event: 'MASSSENDJOBFINISH',
    MsgID: digits(event.msgId, 'msgId'),
    Status: event.status,
    TotalCount: event.totalCount,
    FilterCount: event.filterCount,
    SentCount: event.sentCount,
    ErrorCount: event.errorCount,
  });
}

/** XML of a `PUBLISHJOBFINISH` event (platforms.md §1.5). */
export function publishJobFinishXml(event: {
  readonly toUserName: string;
  readonly createTime: number;
  readonly publishId: string;
  readonly publishStatus: number;
  readonly articleId?: string | undefined;
  readonly articleUrls?: readonly string[] | undefined;
  readonly failIdx?: readonly number[] | undefined;
}): string {
  const info: Record<string, XmlFields[string]> = {
    publish_id: digits(event.publishId, 'publishId'),
    publish_status: event.publishStatus,
  };
  if (event.articleId !== undefined) info.article_id = event.articleId;
  const urls = event.articleUrls ?? [];
  if (urls.length > 0) {
    info.article_detail = {
      count: urls.length,
      item: urls.map((url, index) => ({ idx: index + 1, article_url: url })),
    };
  }
  if (event.failIdx !== undefined && event.failIdx.length > 0) info.fail_idx = [...event.failIdx];
  return buildXml({
    ToUserName: event.toUserName,
    FromUserName: 'mphelper',
    CreateTime: event.createTime,
    MsgType: 'event',
    Event: 'PUBLISHJOBFINISH',
    PublishEventInfo: info,
  });
}

function digits(value: string, name: string): bigint {
  if (!/^\d+$/.test(value)) {
    throw new ReleaseHallError(
      `[release-hall] [wechat] callback driver: ${name} must be digits, got "${value}"`,
      { code: 'INVALID_INPUT', platform: WECHAT_PLATFORM },
    );
  }
  return BigInt(value);
}

/** An error of the driver's own input. */
export function driverError(explanation: string): ReleaseHallError {
  return new ReleaseHallError(`[release-hall] [wechat] callback driver: ${explanation}`, {
    code: 'INVALID_INPUT',
    platform: WECHAT_PLATFORM,
  });
}
