/**
 * JSON with ids beyond 2^53 written as bare numbers, digits and all, as Weibo and WeChat send
 * them: a client that reads them through a JS number loses digits. Internal to the fakes.
 */
import { FakeReply, type FakeOutcome } from './fake-platform.js';

/** A JSON number that is written into the text as it is, digits and all. */
export class RawJsonNumber {
  constructor(readonly digits: string) {}
}

const RAW_MARK = '\u0000raw-number:';

/** `JSON.stringify` that writes {@link RawJsonNumber}s as bare numbers, beyond 2^53 included. */
export function stringifyWithRawNumbers(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) =>
    item instanceof RawJsonNumber ? `${RAW_MARK}${item.digits}` : item,
  );
  return text.replace(/"\\u0000raw-number:(-?\d+)"/g, '$1');
}

/** A success whose JSON body writes {@link RawJsonNumber}s as bare numbers. */
export function rawJsonSuccess<Code>(body: unknown, contentType: string): FakeOutcome<Code> {
  return {
    applied: true,
    reply: new FakeReply<Code>(200, stringifyWithRawNumbers(body), contentType, undefined),
  };
}
