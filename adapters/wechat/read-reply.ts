/**
 * Small readers of WeChat replies: ids kept digit for digit, integers that come as numbers or
 * numeric strings, and titles compared the way a person would.
 */
import { readIdField } from '#adapter-kit';
import type { WechatReply } from './client.js';

/** The number of characters (code points) of a text, as WeChat counts them. */
export function characters(text: string): number {
  return Array.from(text).length;
}

/** An integer field that may come as a number or a numeric string. */
export function readInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** An id read from the raw text (number or string in the JSON), every digit kept. */
export function readId(reply: WechatReply, field: string): string | undefined {
  const value = reply.body[field];
  if (typeof value === 'string' && value !== '') return value;
  return readIdField(reply.text, field);
}

/** Comparable form of a title: compatibility forms folded, spaces dropped. */
export function titleKey(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, '');
}
