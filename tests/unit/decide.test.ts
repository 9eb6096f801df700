import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import {
  type DecideState,
  type Doubt,
  type FailureFacts,
  type Step,
  backoffDelay,
  decide,
  doubtAfter,
} from '../../src/run/decide.js';

const retry = {
  minTimeoutMs: 500,
  maxRateLimitWaitMs: 60_000,
  maxRateLimitWaits: 5,
  reconcileDelayMs: 2_000,
} as const;

const post: DecideState = {
  action: 'post',
  pushInDoubt: false,
  publishIfNoPush: false,
  refreshedCredentials: false,
  rateLimitWaits: 0,
  retry,
};
const relay: DecideState = { ...post, action: 'relay' };
const push: DecideState = { ...post, action: 'push' };
const pushElsePublish: DecideState = { ...push, publishIfNoPush: true };

function failure(code: ErrorCode, extra: Partial<FailureFacts> = {}): FailureFacts {
  const retryable = code === 'TRANSIENT' || code === 'AMBIGUOUS' || code === 'RATE_LIMITED';
  return { code, retryable, ...extra };
}

const retryStep: Step = { kind: 'retry' };
const giveUp: Step = { kind: 'give-up' };

/** [row, failure, state, the exact step]. */
const rows: [string, FailureFacts, DecideState, Step][] = [
  ['transient post: retry after a backoff', failure('TRANSIENT'), post, retryStep],
  ['transient relay: retry after a backoff', failure('TRANSIENT'), relay, retryStep],
  ['transient push: retry after a backoff', failure('TRANSIENT'), push, retryStep],
  [
    'transient marked not retryable: give up',
    failure('TRANSIENT', { retryable: false }),
    post,
    giveUp,
  ],
  [
    'ambiguous post: journal unknown, wait, look up; not found is retried',
    failure('AMBIGUOUS'),
    post,
    { kind: 'reconcile', delayMs: 2_000, ifNotFound: 'retry' },
  ],
  [
    'ambiguous relay: look up first',
    failure('AMBIGUOUS'),
    relay,
    { kind: 'reconcile', delayMs: 2_000, ifNotFound: 'retry' },
  ],
  [
    'ambiguous post without a reconcile delay: look up at once',
    failure('AMBIGUOUS'),
    { ...post, retry: { ...retry, reconcileDelayMs: 0 } },
    { kind: 'reconcile', delayMs: 0, ifNotFound: 'retry' },
  ],
  [
    'ambiguous marked not retryable: still looked up (it may have landed)',
    failure('AMBIGUOUS', { retryable: false }),
    post,
    { kind: 'reconcile', delayMs: 2_000, ifNotFound: 'retry' },
  ],
  [
    'ambiguous push: repeated (the repeat is the look-up)',
    failure('AMBIGUOUS'),
    push,
    { kind: 'repeat-push' },
  ],
  [
    'ambiguous push already in doubt: repeated again',
    failure('AMBIGUOUS'),
    { ...push, pushInDoubt: true },
    { kind: 'repeat-push' },
  ],
  [
    'duplicate post: looked up at once; not found gives up',
    failure('DUPLICATE_CONTENT'),
    post,
    { kind: 'reconcile', delayMs: 0, ifNotFound: 'give-up' },
  ],
  [
    'duplicate relay: looked up at once',
    failure('DUPLICATE_CONTENT'),
    relay,
    { kind: 'reconcile', delayMs: 0, ifNotFound: 'give-up' },
  ],
  [
    'duplicate push: looked up too',
    failure('DUPLICATE_CONTENT'),
    push,
    { kind: 'reconcile', delayMs: 0, ifNotFound: 'give-up' },
  ],
  [
    'rate limited with a stated wait: wait it, no attempt burnt',
    failure('RATE_LIMITED', { retryAfterMs: 12_000 }),
    post,
    { kind: 'wait-rate-limit', delayMs: 12_000 },
  ],
  [
    'rate limited without a stated wait: wait the minimum',
    failure('RATE_LIMITED'),
    post,
    { kind: 'wait-rate-limit', delayMs: 500 },
  ],
  [
    'rate limited with a long wait: capped at maxRateLimitWaitMs',
    failure('RATE_LIMITED', { retryAfterMs: 3_600_000 }),
    post,
    { kind: 'wait-rate-limit', delayMs: 60_000 },
  ],
  [
    'rate limited with a zero wait: wait zero',
    failure('RATE_LIMITED', { retryAfterMs: 0 }),
    relay,
    { kind: 'wait-rate-limit', delayMs: 0 },
  ],
  [
    'rate limited, one wait short of the cap: wait',
    failure('RATE_LIMITED', { retryAfterMs: 1_000 }),
    { ...post, rateLimitWaits: 4 },
    { kind: 'wait-rate-limit', delayMs: 1_000 },
  ],
  [
    'rate limited after maxRateLimitWaits waits: give up',
    failure('RATE_LIMITED', { retryAfterMs: 1_000 }),
    { ...post, rateLimitWaits: 5 },
    giveUp,
  ],
  [
    'rate limited with no waits allowed: give up',
    failure('RATE_LIMITED'),
    { ...post, retry: { ...retry, maxRateLimitWaits: 0 } },
    giveUp,
  ],
  [
    'rate limited push in doubt: wait (the journal keeps it unknown)',
    failure('RATE_LIMITED', { retryAfterMs: 2_000 }),
    { ...push, pushInDoubt: true },
    { kind: 'wait-rate-limit', delayMs: 2_000 },
  ],
  [
    'auth expired: resolve the credentials again',
    failure('AUTH_EXPIRED'),
    post,
    { kind: 'refresh-credentials' },
  ],
  [
    'auth expired on a push: resolve the credentials again',
    failure('AUTH_EXPIRED'),
    push,
    { kind: 'refresh-credentials' },
  ],
  [
    'auth expired after a refresh: give up',
    failure('AUTH_EXPIRED'),
    { ...post, refreshedCredentials: true },
    giveUp,
  ],
  [
    'auth expired after a refresh but marked retryable: retry',
    failure('AUTH_EXPIRED', { retryable: true }),
    { ...post, refreshedCredentials: true },
    retryStep,
  ],
  ['auth invalid: give up', failure('AUTH_INVALID'), post, giveUp],
  ['content rejected: give up', failure('CONTENT_REJECTED'), post, giveUp],
  ['permission denied: give up', failure('PERMISSION_DENIED'), relay, giveUp],
  ['invalid input: give up', failure('INVALID_INPUT'), post, giveUp],
  ['aborted: give up', failure('ABORTED'), post, giveUp],
  ['aborted push in doubt: give up', failure('ABORTED'), { ...push, pushInDoubt: true }, giveUp],
  [
    'aborted even when marked retryable: give up',
    failure('ABORTED', { retryable: true }),
    post,
    giveUp,
  ],
  ['lease lost: give up', failure('LEASE_LOST'), post, giveUp],
  ['quota exhausted on a post: give up', failure('QUOTA_EXHAUSTED'), post, giveUp],
  ['quota exhausted on a plain push: give up', failure('QUOTA_EXHAUSTED'), push, giveUp],
  [
    'quota exhausted on a push that may publish: publish instead',
    failure('QUOTA_EXHAUSTED'),
    pushElsePublish,
    { kind: 'publish-instead' },
  ],
  [
    'quota exhausted on a push in doubt: never publish (it may have gone out)',
    failure('QUOTA_EXHAUSTED'),
    { ...pushElsePublish, pushInDoubt: true },
    giveUp,
  ],
  [
    'quota exhausted on a post that may publish: give up (only a push falls back)',
    failure('QUOTA_EXHAUSTED'),
    { ...post, publishIfNoPush: true },
    giveUp,
  ],
  [
    'quota exhausted marked retryable on a push that may publish: publish instead',
    failure('QUOTA_EXHAUSTED', { retryable: true }),
    pushElsePublish,
    { kind: 'publish-instead' },
  ],
];

describe('decide', () => {
  it.each(rows)('%s', (_row, given, state, step) => {
    expect(decide(given, state)).toEqual(step);
  });

  it('covers every error code', () => {
    const codes = new Set(rows.map(([, given]) => given.code));
    expect([...codes].sort()).toEqual(
      [
        'INVALID_INPUT',
        'AUTH_EXPIRED',
        'AUTH_INVALID',
        'RATE_LIMITED',
        'QUOTA_EXHAUSTED',
        'CONTENT_REJECTED',
        'DUPLICATE_CONTENT',
        'PERMISSION_DENIED',
        'TRANSIENT',
        'AMBIGUOUS',
        'ABORTED',
        'LEASE_LOST',
      ].sort(),
    );
  });
});

describe('doubtAfter', () => {
  const rowsOfDoubt: [string, ErrorCode, 'post' | 'push', boolean, Doubt][] = [
    [
      'a transient post: not landed',
      'TRANSIENT',
      'post',
      false,
      { pushInDoubt: false, mayHaveLanded: false, keepsWindowSlot: false },
    ],
    [
      'an ambiguous post: may have landed',
      'AMBIGUOUS',
      'post',
      false,
      { pushInDoubt: false, mayHaveLanded: true, keepsWindowSlot: true },
    ],
    [
      'a duplicate: the text is there',
      'DUPLICATE_CONTENT',
      'post',
      false,
      { pushInDoubt: false, mayHaveLanded: true, keepsWindowSlot: false },
    ],
    [
      'an aborted post: may have landed',
      'ABORTED',
      'post',
      false,
      { pushInDoubt: false, mayHaveLanded: true, keepsWindowSlot: true },
    ],
    [
      'an ambiguous push: in doubt from now on',
      'AMBIGUOUS',
      'push',
      false,
      { pushInDoubt: true, mayHaveLanded: true, keepsWindowSlot: true },
    ],
    [
      'a rate-limited push in doubt: still in doubt',
      'RATE_LIMITED',
      'push',
      true,
      { pushInDoubt: true, mayHaveLanded: true, keepsWindowSlot: false },
    ],
    [
      'a rate-limited push: not landed',
      'RATE_LIMITED',
      'push',
      false,
      { pushInDoubt: false, mayHaveLanded: false, keepsWindowSlot: false },
    ],
    [
      'a rejected post: not landed',
      'CONTENT_REJECTED',
      'post',
      false,
      { pushInDoubt: false, mayHaveLanded: false, keepsWindowSlot: false },
    ],
  ];
  it.each(rowsOfDoubt)('%s', (_row, code, action, pushInDoubt, doubt) => {
    expect(doubtAfter(code, { action, pushInDoubt })).toEqual(doubt);
  });
});

describe('backoffDelay', () => {
  const options = { minTimeoutMs: 500, maxTimeoutMs: 30_000, factor: 2, randomize: false };
  const rowsOfDelay: [string, number, typeof options, number, number][] = [
    ['first retry: the minimum', 0, options, 0, 500],
    ['second retry: doubled', 1, options, 0, 1_000],
    ['fifth retry: 500 · 2⁴', 4, options, 0, 8_000],
    ['capped at maxTimeoutMs', 10, options, 0, 30_000],
    ['jitter: up to twice the delay', 1, { ...options, randomize: true }, 0.5, 1_500],
    ['jitter of zero: the delay', 2, { ...options, randomize: true }, 0, 2_000],
    ['no minimum: no wait', 3, { ...options, minTimeoutMs: 0 }, 0.9, 0],
  ];
  it.each(rowsOfDelay)('%s', (_row, consumed, given, random, delay) => {
    expect(backoffDelay(consumed, given, () => random)).toBe(delay);
  });
});
