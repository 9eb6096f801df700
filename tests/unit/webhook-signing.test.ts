/** Webhook signatures (Standard Webhooks), the retry schedule and the hall file's `webhooks`. */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  WebhookVerificationError,
  signWebhook,
  verifyWebhook,
  webhookBackoff,
} from 'release-hall/webhooks';
import { webhooksSchema } from '../../src/model/hall.js';
import { issuesFromZod } from '../../src/model/issues.js';

const key = Buffer.from('release-hall webhook test key 32b');
const secret = `whsec_${key.toString('base64')}`;
const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const timestamp = 1_764_000_000;
const body = '{"type":"delivery.failed","timestamp":"2025-11-24T16:00:00.000Z","data":{"a":1}}';
const now = timestamp * 1000;

/** The signature computed here, independently of the package. */
const expected = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

const headers = (signature: string, at = timestamp): Record<string, string> => ({
  'webhook-id': id,
  'webhook-timestamp': String(at),
  'webhook-signature': signature,
});

function refusal(work: () => unknown): WebhookVerificationError {
  try {
    work();
  } catch (error) {
    if (WebhookVerificationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('webhook signatures', () => {
  it('signs "id.timestamp.body" with HMAC-SHA256 under the base64 key of whsec_', () => {
    expect(signWebhook({ secret, id, timestamp, body })).toBe(expected);
  });

  it('verifies a good request and returns its event', () => {
    const event = verifyWebhook({ secret, headers: headers(expected), body, now });
    expect(event).toEqual({
      id,
      type: 'delivery.failed',
      timestamp: '2025-11-24T16:00:00.000Z',
      data: { a: 1 },
    });
    // fetch Headers and a Uint8Array body are taken as well.
    const viaHeaders = verifyWebhook({
      secret,
      headers: new Headers(headers(expected)),
      body: new TextEncoder().encode(body),
      now,
    });
    expect(viaHeaders.id).toBe(id);
  });

  it('accepts any one matching signature among several separated by spaces', () => {
    const other = `v1,${randomBytes(32).toString('base64')}`;
    const header = `v1a,abc ${other} ${expected}`;
    expect(verifyWebhook({ secret, headers: headers(header), body, now }).id).toBe(id);
  });

  it.each([
    [
      'a wrong secret',
      `whsec_${randomBytes(32).toString('base64')}`,
      body,
      timestamp,
      'INVALID_SIGNATURE',
    ],
    ['a tampered body', secret, body.replace('"a":1', '"a":2'), timestamp, 'INVALID_SIGNATURE'],
    ['a stale timestamp', secret, body, timestamp - 301, 'TIMESTAMP_OUT_OF_TOLERANCE'],
    ['a timestamp from the future', secret, body, timestamp + 301, 'TIMESTAMP_OUT_OF_TOLERANCE'],
  ])('refuses %s', (_name, usedSecret, usedBody, at, code) => {
    const signature = signWebhook({ secret, id, timestamp: at, body });
    const error = refusal(() =>
      verifyWebhook({ secret: usedSecret, headers: headers(signature, at), body: usedBody, now }),
    );
    expect(error.code).toBe(code);
    expect(error.message).not.toContain(key.toString('base64'));
  });

  it('honours toleranceSeconds, and refuses missing headers and bad secrets', () => {
    const at = timestamp - 30;
    const signature = signWebhook({ secret, id, timestamp: at, body });
    expect(
      refusal(() =>
        verifyWebhook({ secret, headers: headers(signature, at), body, now, toleranceSeconds: 10 }),
      ).code,
    ).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    expect(refusal(() => verifyWebhook({ secret, headers: {}, body, now })).code).toBe(
      'MISSING_HEADER',
    );
    expect(
      refusal(() => verifyWebhook({ secret: 'whsec_short', headers: headers(expected), body, now }))
        .code,
    ).toBe('INVALID_SECRET');
  });
});

describe('webhook backoff', () => {
  it.each([
    // failures, random, wait (first 1000 ms, cap 60000 ms)
    [1, 0, 500],
    [1, 0.999_999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [7, 0, 30_000],
    [7, 0.999_999, 60_000],
    [50, 0, 30_000],
  ])('after %i failures (random %d) waits %i ms', (failures, random, wait) => {
    expect(webhookBackoff(failures, { firstDelayMs: 1000, maxDelayMs: 60_000 }, random)).toBe(wait);
  });

  it('defaults to 5 s doubling up to one hour', () => {
    expect(webhookBackoff(1, {}, 0.999_999)).toBe(5000);
    expect(webhookBackoff(30, {}, 0)).toBe(1_800_000);
  });
});

describe('hall file: webhooks', () => {
  const check = (webhooks: unknown) => {
    const parsed = webhooksSchema.safeParse(webhooks);
    return parsed.success ? [] : issuesFromZod(parsed.error, webhooks, ['webhooks']);
  };
  const good = {
    id: 'cms',
    url: 'https://cms.example.gov.cn/hooks',
    events: ['campaign.settled'],
    secret: 'cms-hook',
  };

  it('accepts https, http to loopback, and the reserved inbox.item', () => {
    expect(check([good])).toEqual([]);
    expect(
      check([
        {
          ...good,
          url: 'http://127.0.0.1:8080/h',
          events: ['inbox.item'],
          retry: { firstDelayMs: 10 },
        },
      ]),
    ).toEqual([]);
    expect(check([{ ...good, url: 'http://localhost/h' }])).toEqual([]);
  });

  it('names the field and the fix', () => {
    expect(check([{ ...good, url: 'http://cms.example.gov.cn/hooks' }])).toEqual([
      {
        path: 'webhooks[0].url',
        message: expect.stringContaining('use https://cms.example.gov.cn/hooks') as string,
      },
    ]);
    expect(check([{ ...good, url: 'ftp://x.example/h' }])[0]?.path).toBe('webhooks[0].url');
    expect(check([{ ...good, events: ['campaign.done'] }])[0]?.path).toBe('webhooks[0].events[0]');
    expect(check([{ ...good, events: [] }])[0]?.message).toContain('at least one event');
    expect(check([good, good])).toEqual([
      { path: 'webhooks[1].id', message: expect.stringContaining('listed twice') as string },
    ]);
    expect(check([{ ...good, secret: 'whsec_abc+/=' }])[0]?.path).toBe('webhooks[0].secret');
  });
});
