/**
 * XML of the WeChat Official Account callback (platforms.md §1.10): parse an inbound message
 * into a typed object, build passive replies and the safe-mode envelope.
 *
 * Every value is read as text: `MsgId` is a 64-bit number and stays a string, never a JS number.
 * A `<!DOCTYPE>` (entity declarations) is refused: WeChat never sends one.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { ReleaseHallError } from '#core';

const CDATA = '#cdata';
const TEXT = '#text';

/** A parsed XML value: text, an element with children, or repeated elements. */
export type XmlNode = string | XmlElement | readonly XmlNode[];
/** An element with children, by tag name. */
export interface XmlElement {
  readonly [tag: string]: XmlNode;
}

/** A value to build: strings become CDATA, numbers and bigints plain text. */
export type XmlValue = string | number | bigint | XmlFields | readonly XmlValue[];
/** Children to build, in order. */
export interface XmlFields {
  readonly [tag: string]: XmlValue;
}

/** Fields every message has. */
export interface WechatMessageBase {
  /** The account's original id (`gh_…`). */
  readonly toUserName: string;
  /** The follower's OpenID (`mphelper` for publish notices). */
  readonly fromUserName: string;
  /** Seconds since the epoch. */
  readonly createTime: number;
  /** `text`, `event`, `image`, … */
  readonly msgType: string;
  /** Every field of the message as parsed, for kinds and fields not modelled here. */
  readonly fields: XmlElement;
}

/** A text message from a follower. */
export interface WechatTextMessage extends WechatMessageBase {
  readonly kind: 'text';
  readonly content: string;
  /** 64-bit id, kept as text. */
  readonly msgId: string;
}

/** A click on a custom menu item (`Event=CLICK`). */
export interface WechatClickEvent extends WechatMessageBase {
  readonly kind: 'click';
  readonly event: 'CLICK';
  readonly eventKey: string;
}

/** A mass send finished (`Event=MASSSENDJOBFINISH`). */
export interface WechatMassSendJobFinishEvent extends WechatMessageBase {
  readonly kind: 'mass-send-job-finish';
  readonly event: 'MASSSENDJOBFINISH';
  /** `MsgID` of the mass send (the `msg_id` of `message/mass/sendall`), as text. */
  readonly msgId: string;
  /** E.g. `send success`, `send fail`, `err(10001)`. */
  readonly status: string;
  readonly totalCount: number | undefined;
  readonly filterCount: number | undefined;
  readonly sentCount: number | undefined;
  readonly errorCount: number | undefined;
}

/** One published article in {@link PublishEventInfo}. */
export interface PublishedArticleItem {
  /** 1-based position in the draft. */
  readonly idx: number;
  readonly articleUrl: string;
}

/** `PublishEventInfo` of a `PUBLISHJOBFINISH` event (platforms.md §1.5). */
export interface PublishEventInfo {
  /** Kept as text: documented as a string, sent as a number. */
  readonly publishId: string;
  /** 0 success, 1 publishing, 2 original check failed, 3 failed, 4 review rejected, 5 deleted, 6 banned. */
  readonly publishStatus: number;
  readonly articleId: string | undefined;
  readonly articleDetail:
    { readonly count: number; readonly items: readonly PublishedArticleItem[] } | undefined;
  /** 1-based article numbers that failed (status 2 and 4). */
  readonly failIdx: readonly number[];
}

/** A publish job finished (`Event=PUBLISHJOBFINISH`). */
export interface WechatPublishJobFinishEvent extends WechatMessageBase {
  readonly kind: 'publish-job-finish';
  readonly event: 'PUBLISHJOBFINISH';
  readonly publishEventInfo: PublishEventInfo;
}

/** Any other message or event; its fields are in {@link WechatMessageBase.fields}. */
export interface WechatOtherMessage extends WechatMessageBase {
  readonly kind: 'other';
  /** `Event` for events (e.g. `subscribe`, `VIEW`). */
  readonly event: string | undefined;
  readonly eventKey: string | undefined;
  /** `MsgId` for messages (image, voice, …), as text. */
  readonly msgId: string | undefined;
}

/** An inbound callback message. */
export type WechatMessage =
  | WechatTextMessage
  | WechatClickEvent
  | WechatMassSendJobFinishEvent
  | WechatPublishJobFinishEvent
  | WechatOtherMessage;

/** The fields of a safe-mode envelope (inbound, or an encrypted reply). */
export interface EncryptedEnvelope {
  readonly encrypt: string;
  readonly toUserName: string | undefined;
  readonly msgSignature: string | undefined;
  readonly timeStamp: string | undefined;
  readonly nonce: string | undefined;
}

const REPEATED_TAGS = new Set(['fail_idx', 'item']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: CDATA,
  textNodeName: TEXT,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (tagName) => REPEATED_TAGS.has(tagName),
});

const builder = new XMLBuilder({
  ignoreAttributes: true,
  cdataPropName: CDATA,
  textNodeName: TEXT,
  suppressEmptyNode: false,
  format: false,
  processEntities: true,
});

function xmlError(explanation: string): ReleaseHallError {
  return new ReleaseHallError(`[release-hall] [wechat] callback XML parse failed: ${explanation}`, {
    code: 'INVALID_INPUT',
    platform: 'wechat',
  });
}

function normalize(value: unknown): XmlNode {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((entry) => normalize(entry));
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > 0 && keys.every((key) => key === CDATA || key === TEXT)) {
      const cdata = record[CDATA];
      const text = typeof record[TEXT] === 'string' ? record[TEXT] : '';
      const parts = Array.isArray(cdata) ? cdata : [cdata ?? ''];
      return text + parts.map((part) => (typeof part === 'string' ? part : '')).join('');
    }
    const element: Record<string, XmlNode> = {};
    for (const key of keys) {
      if (key === TEXT) continue;
      element[key] = normalize(record[key]);
    }
    return element;
  }
  // The parser is told not to convert values, so only strings, objects and arrays come here.
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/**
 * Parses callback XML and returns the children of its `<xml>` root.
 * @throws ReleaseHallError `INVALID_INPUT` when the body is not well-formed XML with an `<xml>` root.
 */
export function parseXml(xml: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw xmlError('a DOCTYPE or entity declaration is not accepted');
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw xmlError(
      `the body is not well-formed XML (${validation.err.msg} at line ${validation.err.line})`,
    );
  }
  const document = normalize(parser.parse(xml) as unknown);
  const root =
    typeof document === 'object' && !Array.isArray(document)
      ? (document as XmlElement).xml
      : undefined;
  if (root === undefined || typeof root !== 'object' || Array.isArray(root)) {
    throw xmlError('expected a document whose root element is <xml> with child elements');
  }
  return root as XmlElement;
}

/** The text of a child element, or `undefined` when absent or not text. */
export function textOf(element: XmlElement, tag: string): string | undefined {
  const value = element[tag];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}

function requiredText(element: XmlElement, tag: string): string {
  const value = textOf(element, tag);
  if (value === undefined) throw xmlError(`the message has no <${tag}>`);
  return value;
}

function integerOf(element: XmlElement, tag: string): number | undefined {
  const text = textOf(element, tag)?.trim();
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d+$/.test(text)) throw xmlError(`<${tag}> should be an integer, got "${text}"`);
  return Number(text);
}

function requiredInteger(element: XmlElement, tag: string): number {
  const value = integerOf(element, tag);
  if (value === undefined) throw xmlError(`the message has no <${tag}>`);
  return value;
}

function elementsOf(element: XmlElement, tag: string): XmlElement[] {
  const value = element[tag];
  const list = Array.isArray(value)
    ? (value as readonly XmlNode[])
    : value === undefined
      ? []
      : [value];
  return list.filter(
    (entry): entry is XmlElement => typeof entry === 'object' && !Array.isArray(entry),
  );
}

function textsOf(element: XmlElement, tag: string): string[] {
  const value = element[tag];
  const list = Array.isArray(value)
    ? (value as readonly XmlNode[])
    : value === undefined
      ? []
      : [value];
  return list.filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '');
}

function parsePublishEventInfo(fields: XmlElement): PublishEventInfo {
  const infoNode = fields.PublishEventInfo;
  if (infoNode === undefined || typeof infoNode !== 'object' || Array.isArray(infoNode)) {
    throw xmlError('a PUBLISHJOBFINISH event has no <PublishEventInfo>');
  }
  const info = infoNode as XmlElement;
  const detailNode = info.article_detail;
  let articleDetail: PublishEventInfo['articleDetail'];
  if (detailNode !== undefined && typeof detailNode === 'object' && !Array.isArray(detailNode)) {
    const detail = detailNode as XmlElement;
    const items = elementsOf(detail, 'item').map((item) => ({
      idx: requiredInteger(item, 'idx'),
      articleUrl: requiredText(item, 'article_url'),
    }));
    articleDetail = { count: integerOf(detail, 'count') ?? items.length, items };
  }
  const articleId = textOf(info, 'article_id');
  return {
    publishId: requiredText(info, 'publish_id').trim(),
    publishStatus: requiredInteger(info, 'publish_status'),
    articleId: articleId === undefined || articleId === '' ? undefined : articleId,
    articleDetail,
    failIdx: textsOf(info, 'fail_idx').map((text) => {
      if (!/^\d+$/.test(text.trim()))
        throw xmlError(`<fail_idx> should be an integer, got "${text}"`);
      return Number(text.trim());
    }),
  };
}

/**
 * Parses a plaintext callback message (after decryption in safe mode).
 * @throws ReleaseHallError `INVALID_INPUT` when the XML is malformed or a required field is missing.
 */
export function parseWechatMessage(xml: string): WechatMessage {
  const fields = parseXml(xml);
  const base = {
    toUserName: requiredText(fields, 'ToUserName'),
    fromUserName: requiredText(fields, 'FromUserName'),
    createTime: requiredInteger(fields, 'CreateTime'),
    msgType: requiredText(fields, 'MsgType'),
    fields,
  };
  if (base.msgType === 'text') {
    return {
      ...base,
      kind: 'text',
      content: requiredText(fields, 'Content'),
      msgId: requiredText(fields, 'MsgId').trim(),
    };
  }
  if (base.msgType === 'event') {
    const event = requiredText(fields, 'Event');
    if (event === 'CLICK') {
      return { ...base, kind: 'click', event, eventKey: textOf(fields, 'EventKey') ?? '' };
    }
    if (event === 'MASSSENDJOBFINISH') {
      return {
        ...base,
        kind: 'mass-send-job-finish',
        event,
        msgId: (textOf(fields, 'MsgID') ?? requiredText(fields, 'MsgId')).trim(),
        status: textOf(fields, 'Status') ?? '',
        totalCount: integerOf(fields, 'TotalCount'),
        filterCount: integerOf(fields, 'FilterCount'),
        sentCount: integerOf(fields, 'SentCount'),
        errorCount: integerOf(fields, 'ErrorCount'),
      };
    }
    if (event === 'PUBLISHJOBFINISH') {
      return {
        ...base,
        kind: 'publish-job-finish',
        event,
        publishEventInfo: parsePublishEventInfo(fields),
      };
    }
    return {
      ...base,
      kind: 'other',
      event,
      eventKey: textOf(fields, 'EventKey'),
      msgId: undefined,
    };
  }
  return {
    ...base,
    kind: 'other',
    event: undefined,
    eventKey: undefined,
    msgId: textOf(fields, 'MsgId')?.trim(),
  };
}

/**
 * Parses a safe-mode envelope: the inbound `<xml><ToUserName/><Encrypt/></xml>` or an encrypted
 * reply `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.
 * @throws ReleaseHallError `INVALID_INPUT` when there is no `<Encrypt>`.
 */
export function parseEncryptedEnvelope(xml: string): EncryptedEnvelope {
  const fields = parseXml(xml);
  return {
    encrypt: requiredText(fields, 'Encrypt').trim(),
    toUserName: textOf(fields, 'ToUserName'),
    msgSignature: textOf(fields, 'MsgSignature')?.trim(),
    timeStamp: textOf(fields, 'TimeStamp')?.trim(),
    nonce: textOf(fields, 'Nonce')?.trim(),
  };
}

function toBuilderValue(value: XmlValue): unknown {
  if (typeof value === 'string') return { [CDATA]: value };
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value))
    return (value as readonly XmlValue[]).map((entry) => toBuilderValue(entry));
  const out: Record<string, unknown> = {};
  for (const [tag, child] of Object.entries(value as XmlFields)) out[tag] = toBuilderValue(child);
  return out;
}

/**
 * Builds `<xml>…</xml>` from fields in order: strings as CDATA (a `]]>` inside is split safely),
 * numbers and bigints as plain text, objects as child elements, arrays as repeated elements.
 */
export function buildXml(fields: XmlFields): string {
  return builder.build({ xml: toBuilderValue(fields) });
}

/** Fields of a passive text reply. */
export interface TextReplyFields {
  /** The follower's OpenID (the inbound `FromUserName`). */
  readonly toUserName: string;
  /** The account's `gh_` id (the inbound `ToUserName`). */
  readonly fromUserName: string;
  /** Seconds since the epoch. */
  readonly createTime: number;
  readonly content: string;
}

/** Builds a passive text reply. */
export function buildTextReply(reply: TextReplyFields): string {
  return buildXml({
    ToUserName: reply.toUserName,
    FromUserName: reply.fromUserName,
    CreateTime: reply.createTime,
    MsgType: 'text',
    Content: reply.content,
  });
}

/** Builds the text reply to `message`, with `ToUserName` and `FromUserName` swapped. */
export function buildTextReplyTo(
  message: WechatMessageBase,
  content: string,
  createTime: number,
): string {
  return buildTextReply({
    toUserName: message.fromUserName,
    fromUserName: message.toUserName,
    createTime,
    content,
  });
}

/** Fields of the encrypted reply envelope. */
export interface EncryptedReplyFields {
  readonly encrypt: string;
  readonly msgSignature: string;
  /** Seconds since the epoch, as sent (the one the signature was computed over). */
  readonly timeStamp: string | number;
  readonly nonce: string;
}

/** Builds `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
export function buildEncryptedEnvelope(reply: EncryptedReplyFields): string {
  const timeStamp = String(reply.timeStamp);
  return buildXml({
    Encrypt: reply.encrypt,
    MsgSignature: reply.msgSignature,
    TimeStamp: /^\d+$/.test(timeStamp) ? BigInt(timeStamp) : timeStamp,
    Nonce: reply.nonce,
  });
}
