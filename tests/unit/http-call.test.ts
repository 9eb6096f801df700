import { describe, expect, it } from 'vitest';
import { type FetchLike, httpCall } from '../../src/adapter-kit/http.js';

/** A fetch that answers only when its signal aborts (then rejects with the reason, as fetch does). */
function hangingFetch(): { fetch: FetchLike; inits: RequestInit[] } {
  const inits: RequestInit[] = [];
  const fetch: FetchLike = (_input, init) => {
    inits.push(init ?? {});
    return new Promise((_resolve, reject) => {
      if (init?.signal?.aborted) {
        reject(init.signal.reason as Error);
        return;
      }
      init?.signal?.addEventListener('abort', () => {
        reject(init.signal?.reason as Error);
      });
    });
  };
  return { fetch, inits };
}

const call = (fetch: FetchLike, signal?: AbortSignal, timeoutMs = 60_000) =>
  httpCall({
    fetch,
    platform: 'weibo',
    endpoint: 'statuses/share',
    url: 'https://api.example/2/statuses/share.json?access_token=SECRET',
    method: 'POST',
    body: 'a=1',
    write: true,
    timeoutMs,
    signal,
  });

describe('httpCall', () => {
  it('refuses redirects and answers with status and body', async () => {
    const inits: RequestInit[] = [];
    const fetch: FetchLike = (_input, init) => {
      inits.push(init ?? {});
      return Promise.resolve(new Response('{"ok":1}', { status: 200 }));
    };
    await expect(call(fetch)).resolves.toMatchObject({ status: 200, text: '{"ok":1}' });
    expect(inits[0]?.redirect).toBe('error');
  });

  it('a write without an answer in time is AMBIGUOUS, and the URL secret stays out', async () => {
    const { fetch } = hangingFetch();
    const error = await call(fetch, undefined, 20).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'AMBIGUOUS' });
    expect((error as Error).message).toContain('no answer within 20 ms');
    expect((error as Error).message).not.toContain('SECRET');
  });

  it('one signal shared by many calls stops them all, each ABORTED', async () => {
    const { fetch, inits } = hangingFetch();
    const controller = new AbortController();
    const calls = Array.from({ length: 20 }, () =>
      call(fetch, controller.signal).catch((caught: unknown) => caught),
    );
    controller.abort(new Error('stop'));
    const errors = await Promise.all(calls);
    expect(inits).toHaveLength(20);
    for (const error of errors) expect(error).toMatchObject({ code: 'ABORTED' });
  });

  it('a signal already aborted stops the call before it answers', async () => {
    const { fetch } = hangingFetch();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(call(fetch, controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
