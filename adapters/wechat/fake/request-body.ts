/**
 * How the WeChat fake reads a request body: JSON as raw characters (a `\uXXXX` escape is refused,
 * §1.1) or `multipart/form-data` with the file in the field `media`, kept as bytes for sizes and
 * hashes.
 */
import { parseContentType } from '../../fake/platform.js';
import type { EndpointRule } from './settings.js';
import { isRecord, type MultipartPart, type WechatContent, type WechatReply } from './state.js';

/**
 * True when raw JSON text holds a `\uXXXX` escape (an odd run of backslashes before `u`):
 * WeChat answers `40033` (§1.1). An escaped backslash followed by `u` is not an escape.
 */
export function hasUnicodeEscape(text: string): boolean {
  for (const match of text.matchAll(/(\\+)u[0-9a-fA-F]{4}/g)) {
    if ((match[1] ?? '').length % 2 === 1) return true;
  }
  return false;
}

/** Reads a `multipart/form-data` body (bytes kept as they are, for sizes and hashes). */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) return undefined;
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString('latin1') === '--') return parts;
    if (body.subarray(position, position + 2).toString('latin1') === '\r\n') position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) return undefined;
    const head = body.subarray(position, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) return undefined;
    const value = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const contentType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
    if (name !== undefined) parts.push({ name, filename, contentType, value });
    position = next + 2;
  }
}

/** The image type of a file, by its first bytes. */
export function sniff(bytes: Uint8Array): 'jpeg' | 'png' | 'gif' | 'bmp' | 'unknown' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'gif';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return 'unknown';
}

/** A body as the fake has read it. */
export interface WechatBody {
  /** The JSON body, when it was JSON. */
  readonly json: unknown;
  readonly parts: MultipartPart[] | undefined;
  /** Names of the multipart fields, when the body was multipart. */
  readonly multipartFields: readonly string[] | undefined;
  /** The refusal the body earns once the caller is known, if any. */
  readonly problem: WechatReply | undefined;
}

/** Reads the body an endpoint takes: JSON (raw characters, §1.1) or multipart with `media`. */
export function readWechatBody(
  content: WechatContent,
  rule: EndpointRule | undefined,
  contentType: string | undefined,
  bytes: Buffer,
): WechatBody {
  if (rule?.body === 'json') return readJson(content, bytes.toString('utf8'));
  if (rule?.body === 'multipart') {
    const type = parseContentType(contentType);
    const parts =
      type.type === 'multipart/form-data' && type.boundary !== undefined
        ? parseMultipart(bytes, type.boundary)
        : undefined;
    // [unconfirmed] 41005 "media data missing" for an upload without the field `media`.
    const hasMedia = parts?.some((part) => part.name === 'media' && part.value.length > 0) === true;
    return {
      json: undefined,
      parts,
      multipartFields: parts?.map((part) => part.name),
      problem: hasMedia ? undefined : content.error(41005, 'media data missing'),
    };
  }
  return { json: undefined, parts: undefined, multipartFields: undefined, problem: undefined };
}

function readJson(content: WechatContent, text: string): WechatBody {
  const read = (json: unknown, problem: WechatReply | undefined): WechatBody => ({
    json,
    parts: undefined,
    multipartFields: undefined,
    problem,
  });
  if (text.trim() === '') return read(undefined, content.error(44002, 'empty post data'));
  if (hasUnicodeEscape(text)) {
    return read(
      undefined,
      content.error(
        40033,
        'invalid charset. please check your request, if include \\uxxxx will create fail!',
      ),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // [unconfirmed] 47001 "data format error" for a body that is not JSON.
    return read(undefined, content.error(47001, 'data format error'));
  }
  if (json !== undefined && !isRecord(json)) {
    return read(json, content.error(47001, 'data format error'));
  }
  return read(json, undefined);
}
