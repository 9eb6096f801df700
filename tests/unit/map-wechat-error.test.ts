import { describe, expect, it } from 'vitest';
import { ReleaseHallError } from '#core';
import type { ErrorCode } from '#core';
import {
  WECHAT_MASS_REPEAT_WAIT_MS,
  isTokenErrorCode,
  mapWechatError,
  splitRequestId,
  untilNextMinute,
  wechatErrorCode,
} from '../../adapters/wechat/map-wechat-error.js';
import type { WechatErrorReply } from '../../adapters/wechat/map-wechat-error.js';

const ACCOUNT = 'beijing-fabu/wechat';

function map(
  errcode: number | string | undefined,
  extra: Partial<WechatErrorReply> = {},
  now?: () => number,
): ReleaseHallError {
  return mapWechatError(
    { status: 200, endpoint: 'draft/add', write: true, accountId: ACCOUNT, errcode, ...extra },
    now === undefined ? {} : { now },
  );
}

describe('mapWechatError: the message', () => {
  it('is written in the house form with the code, the words and the request id apart', () => {
    const error = map(45003, { errmsg: 'title size out of limit rid: 62bd10f4-7514f9d8-1d884148' });
    expect(ReleaseHallError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      '[release-hall] [wechat] draft/add failed (45003 title size out of limit): the title is longer than 32 characters (account "beijing-fabu/wechat"); change it and run again (rid 62bd10f4-7514f9d8-1d884148)',
    );
    expect(error).toMatchObject({
      code: 'CONTENT_REJECTED',
      platform: 'wechat',
      platformCode: '45003',
      accountId: ACCOUNT,
      endpoint: 'draft/add',
      retryable: false,
    });
  });

  it('reads errcode given as text', () => {
    expect(map('45028').code).toBe('QUOTA_EXHAUSTED');
    expect(map(' -1 ', { write: false }).platformCode).toBe('-1');
    expect(wechatErrorCode('abc')).toBeUndefined();
    expect(wechatErrorCode(0)).toBe(0);
  });

  it('scrubs secrets the platform might echo and keeps long words short', () => {
    const token = 'ACCESS_TOKEN_SHOULD_NEVER_APPEAR_123456';
    const error = mapWechatError(
      {
        status: 200,
        endpoint: 'draft/add',
        write: true,
        errcode: 40033,
        errmsg: `invalid charset for ${token} ${'x'.repeat(400)}`,
      },
      { secrets: [token] },
    );
    expect(error.message).not.toContain(token);
    expect(error.message.length).toBeLessThan(400);
  });

  it('splits the request id off the words', () => {
    expect(splitRequestId('has no masssend quota rid: 62bd10f4-7514f9d8-1d884148')).toEqual({
      text: 'has no masssend quota',
      rid: '62bd10f4-7514f9d8-1d884148',
    });
    expect(splitRequestId('ok')).toEqual({ text: 'ok', rid: undefined });
    expect(splitRequestId(undefined)).toEqual({ text: undefined, rid: undefined });
  });
});

describe('mapWechatError: the table of §1.9', () => {
  const table: [number, ErrorCode, boolean][] = [
    [40001, 'AUTH_EXPIRED', false],
    [40014, 'AUTH_EXPIRED', false],
    [42001, 'AUTH_EXPIRED', false],
    [41001, 'INVALID_INPUT', false],
    [45009, 'QUOTA_EXHAUSTED', false],
    [45028, 'QUOTA_EXHAUSTED', false],
    [48006, 'QUOTA_EXHAUSTED', false],
    [45011, 'RATE_LIMITED', true],
    [45066, 'RATE_LIMITED', true],
    [45065, 'DUPLICATE_CONTENT', false],
    [40007, 'INVALID_INPUT', false],
    [40033, 'INVALID_INPUT', false],
    [44002, 'INVALID_INPUT', false],
    [44003, 'INVALID_INPUT', false],
    [44004, 'INVALID_INPUT', false],
    [45067, 'INVALID_INPUT', false],
    [45159, 'INVALID_INPUT', false],
    [45002, 'CONTENT_REJECTED', false],
    [45003, 'CONTENT_REJECTED', false],
    [45004, 'CONTENT_REJECTED', false],
    [45166, 'CONTENT_REJECTED', false],
    [53503, 'CONTENT_REJECTED', false],
    [53504, 'CONTENT_REJECTED', false],
    [53505, 'CONTENT_REJECTED', false],
    [53600, 'INVALID_INPUT', false],
    [40059, 'INVALID_INPUT', false],
    [40164, 'PERMISSION_DENIED', false],
    [48001, 'PERMISSION_DENIED', false],
    [48004, 'PERMISSION_DENIED', false],
    [50002, 'PERMISSION_DENIED', false],
    [89503, 'PERMISSION_DENIED', false],
    [89506, 'PERMISSION_DENIED', false],
    [89507, 'PERMISSION_DENIED', false],
  ];
  it.each(table)('%i → %s (retryable %s)', (code, expected, retryable) => {
    const error = map(code);
    expect(error.code).toBe(expected);
    expect(error.retryable).toBe(retryable);
    expect(error.platformCode).toBe(String(code));
  });

  it('-1 is TRANSIENT on a read and AMBIGUOUS on a write', () => {
    expect(map(-1, { write: false }).code).toBe('TRANSIENT');
    const write = map(-1, { write: true, endpoint: 'freepublish/submit' });
    expect(write.code).toBe('AMBIGUOUS');
    expect(write.retryable).toBe(true);
    expect(write.message).toContain('checked before any re-send');
  });

  it('45011 waits for the next minute', () => {
    const at = Date.UTC(2026, 10, 26, 1, 2, 45);
    const error = map(45011, {}, () => at);
    expect(error.retryAfterMs).toBe(16_000);
    expect(untilNextMinute(Date.UTC(2026, 10, 26, 1, 2, 0))).toBe(61_000);
  });

  it('45066 waits at least 60 s, to repeat with the same clientmsgid', () => {
    const error = map(45066, { endpoint: 'message/mass/sendall' });
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(error.retryAfterMs).toBe(WECHAT_MASS_REPEAT_WAIT_MS);
    expect(error.message).toContain('same clientmsgid');
  });

  it('89503 says it needs admin confirmation; 89506/89507 say the IP was refused, with the wait', () => {
    expect(map(89503).message).toContain('needs admin confirmation');
    const day = map(89506);
    expect(day.message).toContain('IP refused');
    expect(day.retryAfterMs).toBe(24 * 3_600_000);
    expect(map(89507).retryAfterMs).toBe(3_600_000);
  });

  it('53503–53505 say a person is needed', () => {
    expect(map(53503, { endpoint: 'freepublish/submit' }).message).toContain('needs a person');
  });

  it('on the token endpoints a wrong appid or secret is AUTH_INVALID, and -1 is never ambiguous', () => {
    for (const code of [40001, 40013, 40125, 40243, 41004]) {
      expect(map(code, { endpoint: 'stable_token', write: false }).code).toBe('AUTH_INVALID');
    }
    expect(map(40001, { endpoint: 'token' }).code).toBe('AUTH_INVALID');
    expect(map(41002, { endpoint: 'token' }).code).toBe('INVALID_INPUT');
    expect(map(-1, { endpoint: 'stable_token', write: true }).code).toBe('TRANSIENT');
  });

  it('an unknown code is CONTENT_REJECTED with the platform words; HTTP 5xx without a code depends on the write', () => {
    const unknown = map(61234, { errmsg: 'something new' });
    expect(unknown.code).toBe('CONTENT_REJECTED');
    expect(unknown.message).toContain('(61234 something new)');
    expect(map(undefined, { status: 502 }).code).toBe('AMBIGUOUS');
    expect(map(undefined, { status: 502, write: false }).code).toBe('TRANSIENT');
    const gateway = map(undefined, { status: 429 });
    expect(gateway.code).toBe('RATE_LIMITED');
    expect(gateway.retryAfterMs).toBe(60_000);
  });

  it('isTokenErrorCode knows 40001, 40014 and 42001', () => {
    expect([40001, 40014, 42001, '42001'].every(isTokenErrorCode)).toBe(true);
    expect(isTokenErrorCode(41001)).toBe(false);
  });
});
