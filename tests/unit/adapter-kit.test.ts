/**
 * The adapter kit's options, guards and timeline scan: what every adapter builds on.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ReleaseHallError } from 'release-hall';
import type { Account, ArticleRendition, PostRef, TextRendition } from 'release-hall';
import {
  TIMELINE_SCAN_DEFAULTS,
  baseAdapterOptions,
  classifyKnownReply,
  credentialMethods,
  errorReplyOf,
  isRecord,
  lookupOrUnknown,
  pageOfList,
  parseAdapterOptions,
  postForm,
  postRef,
  rateLimitRetryAfterOption,
  refIfRecordMatches,
  replyError,
  requireCredential,
  requireFormat,
  requireText,
  resolveBaseOptions,
  resolveTimelineAdapterOptions,
  resolveTimelineScanOptions,
  scanBounds,
  scanTimeline,
  timelineAdapterOptions,
  timelineScanOptions,
  timeoutAndSignal,
  withCredential,
  withSecretsScrubbed,
} from 'release-hall/adapter-kit';
import type {
  CredentialWorkflows,
  ErrorAdvice,
  FetchLike,
  TimelinePage,
  TimelineScan,
} from 'release-hall/adapter-kit';

const SECRET = 'tok-SecretAbcdef1234567890';

const account: Account = {
  id: 'gaj/weibo',
  memberId: 'gaj',
  platform: 'weibo',
  handle: '平安北京',
  credentials: 'weibo-gaj',
  settings: {},
};

const text: TextRendition = {
  format: 'text',
  text: '北京发布：今晚地铁正常运营',
  length: 13,
  topics: [],
  summarised: false,
};

const article: ArticleRendition = {
  format: 'article',
  title: '今晚地铁正常运营',
  digest: '今晚地铁正常运营',
  html: '<p>今晚地铁正常运营</p>',
} as ArticleRendition;

const RATE = {
  platformConcurrency: 8,
  postsPerWindow: 30,
  windowMs: 3_600_000,
  requestTimeoutMs: 15_000,
};

function caught(work: () => unknown): ReleaseHallError {
  try {
    work();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ReleaseHallError');
}

describe('base options', () => {
  const schema = baseAdapterOptions({
    example: 'https://open.t.qq.com/api/',
    shape: 'ending with /api/',
  }).extend({
    ...timelineScanOptions({ maxCount: 70 }),
    rateLimitRetryAfterMs: rateLimitRetryAfterOption(),
    mode: z.enum(['a', 'b']).optional(),
  });

  it('accepts the shared and the adapter fields and fills in defaults in one place', () => {
    const fetch: FetchLike = () => Promise.resolve(new Response('{}'));
    const value = parseAdapterOptions(
      schema,
      { baseURL: 'http://127.0.0.1:8080/api', fetch, limits: { postsPerWindow: 10 }, mode: 'a' },
      'Test adapter options',
    );
    const base = resolveBaseOptions(value, { baseURL: 'https://open.t.qq.com/api/', rate: RATE });
    expect(base.baseURL).toBe('http://127.0.0.1:8080/api/');
    expect(base.fetch).toBe(fetch);
    expect(base.rate).toEqual({ ...RATE, postsPerWindow: 10 });
    expect(resolveTimelineScanOptions(value)).toEqual(TIMELINE_SCAN_DEFAULTS);
    expect(resolveTimelineScanOptions({ timelinePages: 5 })).toEqual({
      ...TIMELINE_SCAN_DEFAULTS,
      timelinePages: 5,
    });
  });

  it('uses the default base URL, and the global fetch looked up at call time', async () => {
    const base = resolveBaseOptions({}, { baseURL: 'https://api.weibo.com/2', rate: RATE });
    expect(base.baseURL).toBe('https://api.weibo.com/2/');
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok'));
    try {
      await base.fetch('https://api.weibo.com/2/x');
      expect(spy).toHaveBeenCalledOnce();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses wrong options with INVALID_INPUT naming every field', () => {
    const error = caught(() =>
      parseAdapterOptions(
        schema,
        {
          baseURL: 'ftp://example.org/',
          fetch: 'fetch',
          limits: { requestTimeoutMs: 5, burst: 3 },
          timelineCount: 500,
          rateLimitRetryAfterMs: -1,
          mode: 'c',
          extra: true,
        },
        'Test adapter options',
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('invalid Test adapter options');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      '(root)',
      'baseURL',
      'fetch',
      'limits',
      'limits.requestTimeoutMs',
      'mode',
      'rateLimitRetryAfterMs',
      'timelineCount',
    ]);
    expect(error.issues.find((issue) => issue.path === 'baseURL')?.message).toBe(
      'expected an absolute http(s) URL ending with /api/, such as "https://open.t.qq.com/api/"',
    );
    expect(error.issues.find((issue) => issue.path === 'fetch')?.message).toBe(
      'expected a fetch function',
    );
  });
});

describe('guards', () => {
  it('requireCredential returns the credential or names the reference, never a value', () => {
    const context = { credentials: { access_token: SECRET } };
    expect(requireCredential(account, context, { platform: 'weibo', field: 'access_token' })).toBe(
      SECRET,
    );
    for (const credentials of [{}, { access_token: '' }]) {
      const error = caught(() =>
        requireCredential(account, { credentials }, { platform: 'weibo', field: 'access_token' }),
      );
      expect(error).toMatchObject({
        code: 'AUTH_INVALID',
        platform: 'weibo',
        accountId: 'gaj/weibo',
      });
      expect(error.message).toBe(
        '[release-hall] [weibo] account "gaj/weibo" has no access_token in its credentials "weibo-gaj"',
      );
    }
  });

  it('requireFormat narrows the rendition or refuses it before anything is sent', () => {
    const check = { format: 'text', what: 't/add call', platformTitle: 'Tencent Weibo' } as const;
    expect(requireFormat(text, account, check).text).toBe(text.text);
    const error = caught(() => requireFormat(article, account, check));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('t/add call for account "gaj/weibo"');
    expect(error.issues).toEqual([
      { path: 'rendition.format', message: 'expected "text" for Tencent Weibo, got "article"' },
    ]);
    const plain = caught(() => requireFormat(text, account, { format: 'article', what: 'draft' }));
    expect(plain.issues[0]?.message).toBe('expected "article", got "text"');
  });

  it('withSecretsScrubbed removes secrets from the error, its stack and its cause', async () => {
    const cause = new Error(`upstream echoed ${SECRET}`);
    const failure = withSecretsScrubbed([SECRET, undefined], () =>
      Promise.reject(new Error(`failed with ${SECRET}`, { cause })),
    );
    const error = await failure.catch((error: unknown) => error as Error);
    expect(error.message).not.toContain(SECRET);
    expect(error.stack ?? '').not.toContain(SECRET);
    expect((error.cause as Error).message).not.toContain(SECRET);
    await expect(withSecretsScrubbed([SECRET], () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('withCredential hands the credential to the work and scrubs it and the others', async () => {
    const context = { credentials: { api_key: SECRET } };
    const use = { platform: 'cms', field: 'api_key', alsoScrub: ['app-key-0123456789'] };
    await expect(
      withCredential(account, context, use, (key) => Promise.resolve(key)),
    ).resolves.toBe(SECRET);
    const error = await withCredential(account, context, use, () =>
      Promise.reject(new Error(`${SECRET} app-key-0123456789`)),
    ).catch((error: unknown) => error as Error);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('app-key-0123456789');
    await expect(
      withCredential(account, { credentials: {} }, use, () => Promise.resolve('x')),
    ).rejects.toMatchObject({ code: 'AUTH_INVALID' });
  });

  it('postRef leaves out an unknown url; isRecord accepts only JSON objects', () => {
    expect(postRef('weibo', account, '1', undefined)).toEqual({
      platform: 'weibo',
      accountId: 'gaj/weibo',
      id: '1',
    });
    expect(postRef('weibo', account, '1', 'https://weibo.com/2/1').url).toBe(
      'https://weibo.com/2/1',
    );
    expect([{}, { a: 1 }, [], null, 'x', 1].map(isRecord)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('calls', () => {
  it('postForm sends one form POST with the delivery timeout and signal', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const fetch: FetchLike = (input, init) => {
      seen.push({ url: typeof input === 'string' ? input : 'not a string', init });
      return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
    };
    const controller = new AbortController();
    const reply = await postForm({
      platform: 'weibo',
      endpoint: 'statuses/share',
      write: true,
      accountId: account.id,
      fetch,
      url: 'http://127.0.0.1/2/statuses/share.json',
      form: { access_token: SECRET, status: '北京 发布' },
      context: { requestTimeoutMs: 1_000, signal: controller.signal },
    });
    expect(reply).toMatchObject({ status: 200, text: '{"ok":true}' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).not.toContain(SECRET);
    expect(seen[0]?.init?.method).toBe('POST');
    expect(seen[0]?.init?.headers).toEqual({
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      accept: 'application/json',
    });
    const sent = seen[0]?.init?.body;
    expect(typeof sent).toBe('string');
    const body = new URLSearchParams(typeof sent === 'string' ? sent : '');
    expect(body.get('status')).toBe('北京 发布');
    expect(timeoutAndSignal({ requestTimeoutMs: 5, signal: controller.signal })).toEqual({
      timeoutMs: 5,
      signal: controller.signal,
    });
  });

  it('errorReplyOf gathers the facts an error map needs', () => {
    const reply = {
      status: 429,
      text: '',
      headers: new Headers({ 'retry-after': '7' }),
    };
    const call = {
      platform: 'weibo',
      endpoint: 'statuses/share',
      write: true,
      accountId: 'a/weibo',
    };
    expect(errorReplyOf(reply, call)).toEqual({
      status: 429,
      endpoint: 'statuses/share',
      write: true,
      accountId: 'a/weibo',
      retryAfter: '7',
    });
  });
});

describe('scanTimeline', () => {
  /** A post on a fake timeline: id, minutes after the first attempt, and whether it matches. */
  interface Post {
    readonly id: string;
    readonly minutes: number;
    readonly ours?: boolean;
  }

  const FIRST = new Date('2026-12-03T08:00:00Z');
  const at = (minutes: number): number => FIRST.getTime() + minutes * 60_000;

  /** A scan over `pages` (newest first); the cursor is the page index. */
  function scanOver(
    pages: readonly (readonly Post[])[],
    overrides: Partial<TimelineScan<Post, number>> = {},
  ): { scan: TimelineScan<Post, number>; reads: number[] } {
    const reads: number[] = [];
    const scan: TimelineScan<Post, number> = {
      firstAttemptAt: FIRST,
      clockSkewMs: 120_000,
      maxPages: 5,
      pageSize: 3,
      first: 0,
      readPage: (cursor): Promise<TimelinePage<Post, number>> => {
        reads.push(cursor);
        return Promise.resolve({
          items: pages[cursor] ?? [],
          next: cursor + 1 < pages.length ? cursor + 1 : undefined,
        });
      },
      createdAt: (post) => (Number.isFinite(post.minutes) ? at(post.minutes) : undefined),
      refIfMatch: (post): PostRef | undefined =>
        post.ours === true ? postRef('weibo', account, post.id, undefined) : undefined,
      ...overrides,
    };
    return { scan, reads };
  }

  const cases: {
    name: string;
    pages: readonly (readonly Post[])[];
    overrides?: Partial<TimelineScan<Post, number>>;
    found: string | undefined;
    reads: number[];
  }[] = [
    {
      name: 'finds the oldest match within the window (the first attempt made it)',
      pages: [
        [
          { id: '9', minutes: 5, ours: true },
          { id: '8', minutes: 3 },
          { id: '7', minutes: 1, ours: true },
        ],
        [{ id: '6', minutes: -10 }],
      ],
      found: '7',
      reads: [0, 1],
    },
    {
      name: 'counts a post within the clock skew before the first attempt',
      pages: [[{ id: '5', minutes: -1, ours: true }]],
      found: '5',
      reads: [0],
    },
    {
      name: 'ignores a match older than the window and stops reading there',
      pages: [
        [
          { id: '4', minutes: 2 },
          { id: '3', minutes: -3, ours: true },
          { id: '2', minutes: -4 },
        ],
        [{ id: '1', minutes: -5, ours: true }],
      ],
      found: undefined,
      reads: [0],
    },
    {
      name: 'reads on while pages are full and stops at a short page',
      pages: [
        [
          { id: '9', minutes: 9 },
          { id: '8', minutes: 8 },
          { id: '7', minutes: 7 },
        ],
        [{ id: '6', minutes: 6, ours: true }],
        [{ id: '5', minutes: 5, ours: true }],
      ],
      found: '6',
      reads: [0, 1],
    },
    {
      name: 'stops after maxPages',
      pages: Array.from({ length: 4 }, (_, page) =>
        [0, 1, 2].map((index) => ({ id: `${page}${index}`, minutes: 50 - page * 3 - index })),
      ),
      overrides: { maxPages: 2 },
      found: undefined,
      reads: [0, 1],
    },
    {
      name: 'passes over posts without a readable time',
      pages: [[{ id: '3', minutes: Number.NaN, ours: true }]],
      found: undefined,
      reads: [0],
    },
  ];

  it.each(cases)('$name', async ({ pages, overrides, found, reads }) => {
    const { scan, reads: seen } = scanOver(pages, overrides);
    const result = await scanTimeline(scan);
    expect(result).toEqual(
      found === undefined
        ? { status: 'not-found' }
        : { status: 'found', ref: { platform: 'weibo', accountId: account.id, id: found } },
    );
    expect(seen).toEqual(reads);
  });

  it('answers unknown when a page cannot be read, and passes an unknown page on', async () => {
    const failing = scanOver([], {
      readPage: () =>
        Promise.reject(
          new ReleaseHallError('[release-hall] [weibo] read failed', { code: 'TRANSIENT' }),
        ),
    });
    await expect(scanTimeline(failing.scan)).resolves.toEqual({
      status: 'unknown',
      reason: '[release-hall] [weibo] read failed',
    });
    const noList = scanOver([], {
      readPage: () => Promise.resolve({ status: 'unknown', reason: 'no list' } as const),
    });
    await expect(scanTimeline(noList.scan)).resolves.toEqual({
      status: 'unknown',
      reason: 'no list',
    });
  });

  it('rethrows ABORTED: a stopped run is not "cannot tell"', async () => {
    const aborted = new ReleaseHallError('[release-hall] [weibo] stopped', { code: 'ABORTED' });
    const { scan } = scanOver([], { readPage: () => Promise.reject(aborted) });
    await expect(scanTimeline(scan)).rejects.toBe(aborted);
    await expect(lookupOrUnknown(() => Promise.reject(aborted))).rejects.toBe(aborted);
    await expect(lookupOrUnknown(() => Promise.reject(new Error('boom')))).resolves.toEqual({
      status: 'unknown',
      reason: 'boom',
    });
  });
});

describe('shared pieces of the timeline adapters', () => {
  it('timelineAdapterOptions checks the base, scan and rate-limit fields; defaults come from one object', () => {
    const schema = timelineAdapterOptions({ example: 'https://api.example.com/2/', maxCount: 100 });
    const value = parseAdapterOptions(schema, { timelineCount: 20 }, 'Example adapter options');
    expect(
      resolveTimelineAdapterOptions(value, {
        baseURL: 'https://api.example.com/2',
        rate: RATE,
        rateLimitRetryAfterMs: 60_000,
      }),
    ).toMatchObject({
      baseURL: 'https://api.example.com/2/',
      rate: RATE,
      timelineCount: 20,
      timelinePages: 3,
      rateLimitRetryAfterMs: 60_000,
    });
    expect(caught(() => parseAdapterOptions(schema, { timelineCount: 101 }, 'x')).code).toBe(
      'INVALID_INPUT',
    );
  });

  it('requireText gives the text of a text rendition and refuses an article', () => {
    expect(requireText(text, account, { what: 't/add call' })).toBe(text.text);
    expect(caught(() => requireText(article, account, { what: 't/add call' })).code).toBe(
      'INVALID_INPUT',
    );
  });

  it('credentialMethods runs each workflow with one call that holds the credential', async () => {
    const seen: string[] = [];
    const ref: PostRef = { platform: 'cms', accountId: account.id, id: '1' };
    const workflows: CredentialWorkflows<{ readonly name: string }> = {
      publish: (call) => {
        seen.push(`${call.settings.name}:${call.credential}`);
        return Promise.resolve({ status: 'posted', ref });
      },
      relay: () => Promise.reject(new Error(`echoed ${SECRET}`)),
      retract: () => Promise.resolve({ status: 'removed' }),
      findExisting: () => Promise.resolve({ status: 'not-found' }),
    };
    const methods = credentialMethods(
      { platform: 'cms', field: 'api_key' },
      { name: 'cms' },
      workflows,
    );
    const context = { credentials: { api_key: SECRET } } as never;
    await expect(methods.publish(text, account, context)).resolves.toEqual({
      status: 'posted',
      ref,
    });
    expect(seen).toEqual([`cms:${SECRET}`]);
    const error: unknown = await methods
      .relay(ref, text, account, context)
      .catch((error: unknown) => error);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('scanBounds, pageOfList and refIfRecordMatches feed scanTimeline', () => {
    const firstAttemptAt = new Date(1_000_000);
    expect(
      scanBounds({ firstAttemptAt }, { timelineCount: 20, timelinePages: 2, clockSkewMs: 5 }),
    ).toEqual({ firstAttemptAt, clockSkewMs: 5, maxPages: 2, pageSize: 20 });
    expect(pageOfList([1, 2], (items) => items.length, 'no list')).toEqual({
      items: [1, 2],
      next: 2,
    });
    expect(pageOfList(undefined, () => 0, 'no list')).toEqual({
      status: 'unknown',
      reason: 'no list',
    });
    const match = {
      matches: (post: Record<string, unknown>) => post.text === 'a',
      idOf: (post: Record<string, unknown>) => (typeof post.id === 'string' ? post.id : undefined),
      refOf: (id: string) => postRef('cms', account, id, undefined),
    };
    expect(refIfRecordMatches({ id: '7', text: 'a' }, match)).toEqual({
      platform: 'cms',
      accountId: account.id,
      id: '7',
    });
    expect(refIfRecordMatches({ id: '7', text: 'b' }, match)).toBeUndefined();
    expect(refIfRecordMatches('a', match)).toBeUndefined();
  });

  it('classifyKnownReply words known codes with the advice and falls back to 429 and HTTP status', () => {
    const advice: ErrorAdvice = {
      platformTitle: 'Example',
      rateLimited: (what, who) => `${what} for ${who}`,
      permission: (what, who) => `${what} (${who}); ask Example`,
      authExpired: (_what, who) => `the token of ${who} has expired`,
      authInvalid: (what, who) => `${what}: the token of ${who} is wrong`,
    };
    const reply = { status: 400, write: true, accountId: account.id };
    expect(
      classifyKnownReply({ kind: 'rate-limited', what: 'too fast' }, reply, advice, 2_500),
    ).toEqual({
      code: 'RATE_LIMITED',
      explanation: `too fast for account "${account.id}"; waiting 3 s before the next call`,
    });
    expect(classifyKnownReply({ kind: 'not-found', what: 'gone' }, reply, advice, 0).code).toBe(
      'CONTENT_REJECTED',
    );
    expect(classifyKnownReply(undefined, { ...reply, status: 429 }, advice, 0).code).toBe(
      'RATE_LIMITED',
    );
    expect(classifyKnownReply(undefined, { ...reply, status: 502 }, advice, 0).code).toBe(
      'AMBIGUOUS',
    );
    const error = replyError(
      { endpoint: 'posts/add', status: 400, accountId: account.id },
      { code: 'RATE_LIMITED', explanation: 'slow down' },
      { platform: 'cms', platformCode: '42', platformText: undefined, retryAfterMs: 3_000 },
    );
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3_000, platformCode: '42' });
  });
});
