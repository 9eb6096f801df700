import { describe, expect, it } from 'vitest';
import { ReleaseHallError } from '#core';
import type { ErrorCode } from '#core';
import {
  isAcceptedCode,
  isAlreadyGone,
  mapWeiboError,
  parseRetryAfter,
  weiboErrorCode,
} from '../../adapters/weibo/map-weibo-error.js';
import type { WeiboErrorReply } from '../../adapters/weibo/map-weibo-error.js';

const base: WeiboErrorReply = {
  status: 400,
  endpoint: 'statuses/share',
  write: true,
  accountId: 'beijing-fabu/weibo',
};

function map(errorCode: number | string | undefined, extra: Partial<WeiboErrorReply> = {}) {
  return mapWeiboError({ ...base, errorCode, ...extra });
}

describe('mapWeiboError', () => {
  it('writes the message in the house form, with the platform code and text', () => {
    const error = map(21332, { errorText: 'expired_token', status: 403 });
    expect(error.message).toBe(
      '[release-hall] [weibo] statuses/share failed (21332 expired_token): the access token of account "beijing-fabu/weibo" has expired; re-authorise it',
    );
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'AUTH_EXPIRED',
      platform: 'weibo',
      platformCode: '21332',
      accountId: 'beijing-fabu/weibo',
      endpoint: 'statuses/share',
      retryable: false,
    });
  });

  it('reads error_code given as a string', () => {
    expect(map('20019').code).toBe('DUPLICATE_CONTENT');
    expect(map(' 20019 ').platformCode).toBe('20019');
    expect(weiboErrorCode('abc')).toBeUndefined();
  });

  const writeTable: [number, ErrorCode][] = [
    [10001, 'AMBIGUOUS'],
    [10002, 'AMBIGUOUS'],
    [10003, 'AMBIGUOUS'],
    [10009, 'AMBIGUOUS'],
    [10010, 'AMBIGUOUS'],
    [10011, 'AMBIGUOUS'],
    [10022, 'RATE_LIMITED'],
    [10023, 'RATE_LIMITED'],
    [10024, 'RATE_LIMITED'],
    [20016, 'RATE_LIMITED'],
    [10014, 'PERMISSION_DENIED'],
    [21337, 'PERMISSION_DENIED'],
    [20015, 'PERMISSION_DENIED'],
    [21321, 'PERMISSION_DENIED'],
    [10008, 'INVALID_INPUT'],
    [10016, 'INVALID_INPUT'],
    [10017, 'INVALID_INPUT'],
    [20007, 'INVALID_INPUT'],
    [20102, 'INVALID_INPUT'],
    [20103, 'INVALID_INPUT'],
    [10018, 'CONTENT_REJECTED'],
    [20005, 'CONTENT_REJECTED'],
    [20006, 'CONTENT_REJECTED'],
    [20008, 'CONTENT_REJECTED'],
    [20012, 'CONTENT_REJECTED'],
    [20013, 'CONTENT_REJECTED'],
    [20018, 'CONTENT_REJECTED'],
    [20020, 'CONTENT_REJECTED'],
    [20021, 'CONTENT_REJECTED'],
    [20031, 'CONTENT_REJECTED'],
    [20101, 'CONTENT_REJECTED'],
    [20017, 'DUPLICATE_CONTENT'],
    [20019, 'DUPLICATE_CONTENT'],
    [20111, 'DUPLICATE_CONTENT'],
    [40025, 'DUPLICATE_CONTENT'],
    [21327, 'AUTH_EXPIRED'],
    [21315, 'AUTH_EXPIRED'],
    [21332, 'AUTH_EXPIRED'],
    [21314, 'AUTH_EXPIRED'],
    [21301, 'AUTH_INVALID'],
    [21316, 'AUTH_INVALID'],
    [21317, 'AUTH_INVALID'],
    [21319, 'AUTH_INVALID'],
  ];
  it.each(writeTable)('maps %i on a write to %s', (code, expected) => {
    const error = map(code);
    expect(error.code).toBe(expected);
    expect(error.platformCode).toBe(String(code));
  });

  it.each([10001, 10002, 10003, 10009, 10010, 10011])(
    'maps server failure %i on a read to TRANSIENT (retryable)',
    (code) => {
      const error = map(code, { write: false, endpoint: 'statuses/user_timeline' });
      expect(error.code).toBe('TRANSIENT');
      expect(error.retryable).toBe(true);
    },
  );

  it('marks AMBIGUOUS writes as retryable (through findExisting first)', () => {
    expect(map(10011).retryable).toBe(true);
    expect(map(10011).message).toContain('checked before any re-send');
  });

  it('gives rate limits the default wait, or the settable one', () => {
    expect(map(20016).retryAfterMs).toBe(60_000);
    expect(
      mapWeiboError({ ...base, errorCode: 10023 }, { rateLimitRetryAfterMs: 250 }).retryAfterMs,
    ).toBe(250);
    expect(map(20019).retryAfterMs).toBeUndefined();
  });

  it('honours Retry-After in seconds and as an HTTP date', () => {
    expect(map(10023, { retryAfter: '120' }).retryAfterMs).toBe(120_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const error = mapWeiboError(
      { ...base, errorCode: 10022, retryAfter: 'Thu, 01 Jan 2026 00:00:30 GMT' },
      { now: () => now },
    );
    expect(error.retryAfterMs).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('maps an unknown code with a 5xx status to AMBIGUOUS on writes, TRANSIENT on reads', () => {
    expect(map(29999, { status: 502 }).code).toBe('AMBIGUOUS');
    expect(map(undefined, { status: 503 }).code).toBe('AMBIGUOUS');
    expect(map(29999, { status: 500, write: false }).code).toBe('TRANSIENT');
  });

  it('maps an unknown code otherwise to CONTENT_REJECTED with the platform text', () => {
    const error = map(29999, { errorText: '未知错误' });
    expect(error.code).toBe('CONTENT_REJECTED');
    expect(error.message).toContain('(29999 未知错误)');
  });

  it('maps an HTTP 429 without a known code to RATE_LIMITED', () => {
    const error = map(undefined, { status: 429, retryAfter: '5' });
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 5_000 });
  });

  it('names the account as "the account" when none is given', () => {
    const error = mapWeiboError({
      status: 403,
      endpoint: 'statuses/share',
      write: true,
      errorCode: 21327,
    });
    expect(error.message).toContain('the access token of the account has expired');
  });

  it('scrubs a secret the platform echoed, and cuts long platform text', () => {
    const secret = '2.00SECRETtokenValue';
    const error = mapWeiboError(
      { ...base, errorCode: 21327, errorText: `token ${secret} expired ${'x'.repeat(400)}` },
      { secrets: [secret] },
    );
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(error.message.length).toBeLessThan(400);
  });

  it('recognises 20032 and 20101-on-destroy as not being failures', () => {
    expect(isAcceptedCode(20032)).toBe(true);
    expect(isAcceptedCode('20032')).toBe(true);
    expect(isAcceptedCode(20019)).toBe(false);
    expect(isAlreadyGone(20101, 'statuses/destroy')).toBe(true);
    expect(isAlreadyGone('20101', 'statuses/destroy')).toBe(true);
    expect(isAlreadyGone(20101, 'statuses/repost')).toBe(false);
  });
});
