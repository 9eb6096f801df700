import { describe, expect, it } from 'vitest';
import { ERROR_GUIDE, ReleaseHallError } from '#core';
import type { ErrorCode } from '#core';
import {
  isAlreadyGone,
  isDuplicate,
  mapTencentError,
  parseRetryAfter,
  tencentCode,
} from '../../adapters/tencent/map-tencent-error.js';
import type { TencentErrorReply } from '../../adapters/tencent/map-tencent-error.js';

const base: TencentErrorReply = {
  status: 200,
  endpoint: 't/add',
  write: true,
  accountId: 'beijing-fabu/tencent',
};

function map(
  ret: number | string | undefined,
  errcode?: number | string,
  extra: Partial<TencentErrorReply> = {},
) {
  return mapTencentError({ ...base, ret, errcode, ...extra });
}

describe('mapTencentError', () => {
  it('writes the message in the house form, with ret and errcode, and no token', () => {
    const error = map(3, 4, { msg: 'access_token expired' });
    expect(error.message).toBe(
      '[release-hall] [tencent] t/add failed (ret=3 errcode=4): the access token of account "beijing-fabu/tencent" has expired; refresh or re-authorise it',
    );
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'AUTH_EXPIRED',
      platform: 'tencent',
      platformCode: 'ret=3 errcode=4',
      accountId: 'beijing-fabu/tencent',
      endpoint: 't/add',
      retryable: false,
    });
  });

  it('reads ret and errcode given as strings', () => {
    expect(map('4', '13').code).toBe('DUPLICATE_CONTENT');
    expect(map(' 4 ', ' 13 ').platformCode).toBe('ret=4 errcode=13');
    expect(tencentCode('abc')).toBeUndefined();
    expect(tencentCode(1.5)).toBeUndefined();
  });

  const writeTable: [number, number | undefined, ErrorCode][] = [
    [1, 0, 'INVALID_INPUT'],
    [1, undefined, 'INVALID_INPUT'],
    [2, 0, 'RATE_LIMITED'],
    [2, undefined, 'RATE_LIMITED'],
    [3, 1, 'AUTH_INVALID'],
    [3, 2, 'AUTH_INVALID'],
    [3, 3, 'AUTH_EXPIRED'],
    [3, 4, 'AUTH_EXPIRED'],
    [3, 5, 'AUTH_INVALID'],
    [3, 6, 'AUTH_INVALID'],
    [3, 7, 'AUTH_INVALID'],
    [3, 9, 'AUTH_INVALID'],
    [3, 11, 'AUTH_INVALID'],
    [3, 99, 'AUTH_INVALID'],
    [3, 8, 'AMBIGUOUS'],
    [3, 10, 'AMBIGUOUS'],
    [3, 12, 'AMBIGUOUS'],
    [3, 15, 'AMBIGUOUS'],
    [4, 4, 'CONTENT_REJECTED'],
    [4, 5, 'PERMISSION_DENIED'],
    [4, 6, 'CONTENT_REJECTED'],
    [4, 8, 'CONTENT_REJECTED'],
    [4, 9, 'CONTENT_REJECTED'],
    [4, 10, 'RATE_LIMITED'],
    [4, 11, 'CONTENT_REJECTED'],
    [4, 12, 'CONTENT_REJECTED'],
    [4, 13, 'DUPLICATE_CONTENT'],
    [4, 14, 'PERMISSION_DENIED'],
    [4, 0, 'AMBIGUOUS'],
    [4, 77, 'AMBIGUOUS'],
    [5, 0, 'PERMISSION_DENIED'],
    [6, 0, 'PERMISSION_DENIED'],
    [7, 0, 'PERMISSION_DENIED'],
    [42, 0, 'CONTENT_REJECTED'],
  ];

  it.each(writeTable)('maps ret=%i errcode=%s on a write to %s', (ret, errcode, code) => {
    const error = errcode === undefined ? map(ret) : map(ret, errcode);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(ERROR_GUIDE[code].retryable);
    expect(error.platformCode).toBe(
      errcode === undefined ? `ret=${ret}` : `ret=${ret} errcode=${errcode}`,
    );
  });

  it('makes server-side failures TRANSIENT on a read', () => {
    const read = { endpoint: 'statuses/broadcast_timeline', write: false };
    expect(map(4, 0, read).code).toBe('TRANSIENT');
    expect(map(3, 10, read).code).toBe('TRANSIENT');
    expect(map(4, 13, { ...read, status: 502 }).code).toBe('TRANSIENT');
  });

  it('makes any HTTP 5xx AMBIGUOUS on a write, whatever the body says', () => {
    expect(map(4, 13, { status: 500 }).code).toBe('AMBIGUOUS');
    expect(map(undefined, undefined, { status: 503 }).code).toBe('AMBIGUOUS');
    const error = map(undefined, undefined, { status: 502, endpoint: 't/re_add' });
    expect(error.message).toContain('HTTP 502 while writing for account "beijing-fabu/tencent"');
    expect(error.message).toContain('checked before any re-send');
  });

  it('gives rate limits retryAfterMs: Retry-After, the option, or the default', () => {
    expect(map(4, 10).retryAfterMs).toBe(60_000);
    expect(map(2, 0, { retryAfter: '7' }).retryAfterMs).toBe(7_000);
    expect(
      mapTencentError({ ...base, ret: 2 }, { rateLimitRetryAfterMs: 1_234 }).retryAfterMs,
    ).toBe(1_234);
    expect(map(4, 10).message).toBe(
      '[release-hall] [tencent] t/add failed (ret=4 errcode=10): the account is posting too fast (account "beijing-fabu/tencent"); waiting 60 s before the next call',
    );
    expect(map(undefined, undefined, { status: 429 }).code).toBe('RATE_LIMITED');
    expect(map(4, 13).retryAfterMs).toBeUndefined();
  });

  it('tells what ret=4 errcode=6 means on each endpoint', () => {
    expect(map(4, 6, { endpoint: 't/re_add' }).message).toContain(
      'the tweet being relayed does not exist',
    );
    expect(map(4, 11, { endpoint: 't/re_add' }).message).toContain('was deleted');
    expect(map(4, 12, { endpoint: 't/re_add' }).message).toContain('under review');
    expect(map(4, 8).message).toContain('longer than 420 bytes after URL shortening');
  });

  it('explains a duplicate as already posted, to be checked on the account', () => {
    expect(map(4, 13).message).toBe(
      '[release-hall] [tencent] t/add failed (ret=4 errcode=13): Tencent already holds this text from this account; the account is checked for the existing post before reporting',
    );
  });

  it("adds Tencent's msg only where our words do not say enough, scrubbed of secrets", () => {
    const secret = 'SecretAccessToken0001';
    const error = mapTencentError(
      { ...base, ret: 1, errcode: 0, msg: `missing parameter reid (token ${secret})` },
      { secrets: [secret] },
    );
    expect(error.message).toBe(
      '[release-hall] [tencent] t/add failed (ret=1 errcode=0 missing parameter reid (token [redacted])): a parameter is missing or wrong (account "beijing-fabu/tencent")',
    );
    expect(map(3, 4, { msg: 'check sign error' }).message).not.toContain('check sign error');
    expect(map(42, 0, { msg: 'strange' }).message).toContain('(ret=42 errcode=0 strange)');
    expect(map(4, 0, { msg: 'ok' }).message).toContain('(ret=4 errcode=0)');
    expect(map(1, 0, { msg: 'x'.repeat(500) }).message).toContain(`${'x'.repeat(197)}...`);
  });

  it('names the HTTP status when there is no Tencent body', () => {
    const error = map(undefined, undefined, { status: 404, msg: 'not found' });
    expect(error.code).toBe('CONTENT_REJECTED');
    expect(error.platformCode).toBeUndefined();
    expect(error.message).toContain('(HTTP 404 not found)');
  });

  it('says "the account" when no account id is given', () => {
    expect(
      mapTencentError({ status: 200, endpoint: 't/add', write: true, ret: 3, errcode: 4 }).message,
    ).toContain('the access token of the account has expired');
  });
});

describe('helpers', () => {
  it('isAlreadyGone holds only for ret=4 errcode=6 on t/del', () => {
    expect(isAlreadyGone(4, 6, 't/del')).toBe(true);
    expect(isAlreadyGone('4', '6', 't/del')).toBe(true);
    expect(isAlreadyGone(4, 6, 't/re_add')).toBe(false);
    expect(isAlreadyGone(4, 13, 't/del')).toBe(false);
  });

  it('isDuplicate holds for ret=4 errcode=13', () => {
    expect(isDuplicate(4, 13)).toBe(true);
    expect(isDuplicate(4, 10)).toBe(false);
  });

  it('parseRetryAfter reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-11-26T01:30:00Z');
    expect(parseRetryAfter('Thu, 26 Nov 2026 01:30:30 GMT', () => now)).toBe(30_000);
  });
});
