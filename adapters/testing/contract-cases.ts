/**
 * The cases of the adapter contract, in groups: writes, look-ups after an ambiguous write, refusals,
 * and redaction. Each group registers its vitest cases on a {@link ContractRun}.
 */
import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { ReleaseHallError } from '#core';
import { caught, expectReleaseHallError, secretForms, type ContractRun } from './contract-run.js';
import type { ContractFault } from './contract-suite.js';

/** Publish, relay and retract. */
export function registerWriteCases(run: ContractRun): void {
  it('publish returns a string id and the platform holds the post once', async (context) => {
    const reason = run.skipReason('publish');
    if (reason !== undefined) context.skip(reason);
    const h = run.current();
    const rendition = h.rendition(h.lead, 'publish');
    const result = await h.adapter.publish(rendition, h.lead, run.contextFor(h.lead));
    expect(result.status).toBe('posted');
    if (result.status !== 'posted') return;
    expect(typeof result.ref.id).toBe('string');
    expect(result.ref.id.length).toBeGreaterThan(0);
    expect(result.ref.platform).toBe(h.adapter.platform);
    expect(result.ref.accountId).toBe(h.lead.id);
    const posts = await run.livePosts(h.lead);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.id).toBe(result.ref.id);
    expect(posts[0]?.kind).toBe('original');
  });

  it("relay reposts the lead's post on the member's account", async (context) => {
    const h = run.current();
    const reason =
      run.skipReason('relay') ??
      (h.adapter.limits.supportsRelay ? undefined : 'the platform cannot relay another post');
    if (reason !== undefined) context.skip(reason);
    const lead = await run.publishLead('relay-source');
    const result = await h.adapter.relay(
      lead,
      h.rendition(h.member, 'relay'),
      h.member,
      run.contextFor(h.member),
    );
    expect(result.status).toBe('posted');
    if (result.status !== 'posted') return;
    expect(result.ref.id).not.toBe(lead.id);
    const posts = await run.livePosts(h.member);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ id: result.ref.id, kind: 'relay', sourceId: lead.id });
  });

  it('retract removes the post, and retracting it again is harmless', async (context) => {
    const reason = run.skipReason('retract');
    if (reason !== undefined) context.skip(reason);
    const h = run.current();
    const ref = await run.publishLead('retract');
    const first = await h.adapter.retract(ref, h.lead, run.contextFor(h.lead));
    expect(first.status).toBe('removed');
    expect(await run.livePosts(h.lead)).toHaveLength(0);
    const again = await h.adapter.retract(ref, h.lead, run.contextFor(h.lead));
    expect(['already-gone', 'removed']).toContain(again.status);
    expect(await run.livePosts(h.lead)).toHaveLength(0);
  });
}

/** `findExisting` after a write whose reply was lost, and when nothing was written. */
export function registerFindCases(run: ContractRun): void {
  it('findExisting finds a post whose connection was cut after it was applied', async (context) => {
    const reason = run.skipReason('find-after-drop', ['drop-after-apply']);
    if (reason !== undefined) context.skip(reason);
    const h = run.current();
    const rendition = h.rendition(h.lead, 'drop');
    const firstAttemptAt = new Date();
    await h.inject('drop-after-apply', h.lead);
    const error = await caught(() => h.adapter.publish(rendition, h.lead, run.contextFor(h.lead)));
    expectReleaseHallError(error, 'AMBIGUOUS');
    const posts = await run.livePosts(h.lead);
    expect(posts).toHaveLength(1);
    const found = await h.adapter.findExisting(
      run.descriptor('post', rendition, firstAttemptAt),
      h.lead,
      run.contextFor(h.lead),
    );
    expect(found).toMatchObject({ status: 'found', ref: { id: posts[0]?.id } });
  });

  it('findExisting finds a post whose reply came after the timeout', async (context) => {
    const reason = run.skipReason('find-after-timeout', ['timeout-after-apply']);
    if (reason !== undefined) context.skip(reason);
    const h = run.current();
    const rendition = h.rendition(h.lead, 'timeout');
    const firstAttemptAt = new Date();
    await h.inject('timeout-after-apply', h.lead);
    const error = await caught(() =>
      h.adapter.publish(
        rendition,
        h.lead,
        run.contextFor(h.lead, { requestTimeoutMs: h.shortTimeoutMs ?? 200 }),
      ),
    );
    expectReleaseHallError(error, 'AMBIGUOUS');
    const posts = await run.livePosts(h.lead);
    expect(posts).toHaveLength(1);
    const found = await h.adapter.findExisting(
      run.descriptor('post', rendition, firstAttemptAt),
      h.lead,
      run.contextFor(h.lead),
    );
    expect(found).toMatchObject({ status: 'found', ref: { id: posts[0]?.id } });
  });

  it('findExisting finds a relay whose connection was cut after it was applied', async (context) => {
    const h = run.current();
    const reason =
      run.skipReason('find-relay-after-drop', ['drop-after-apply']) ??
      (h.adapter.limits.supportsRelay ? undefined : 'the platform cannot relay another post');
    if (reason !== undefined) context.skip(reason);
    const lead = await run.publishLead('relay-drop-source');
    const rendition = h.rendition(h.member, 'relay-drop');
    const firstAttemptAt = new Date();
    await h.inject('drop-after-apply', h.member);
    const error = await caught(() =>
      h.adapter.relay(lead, rendition, h.member, run.contextFor(h.member)),
    );
    expectReleaseHallError(error, 'AMBIGUOUS');
    const posts = await run.livePosts(h.member);
    expect(posts).toHaveLength(1);
    const found = await h.adapter.findExisting(
      run.descriptor('relay', rendition, firstAttemptAt, lead),
      h.member,
      run.contextFor(h.member),
    );
    expect(found).toMatchObject({ status: 'found', ref: { id: posts[0]?.id } });
  });

  it('findExisting says not-found when nothing was posted', async (context) => {
    const reason = run.skipReason('find-nothing');
    if (reason !== undefined) context.skip(reason);
    const h = run.current();
    await run.publishLead('something-else');
    const found = await h.adapter.findExisting(
      run.descriptor(
        'post',
        h.rendition(h.lead, 'never-sent'),
        new Date(),
        undefined,
        `${run.caseKey}:never-sent`,
      ),
      h.lead,
      run.contextFor(h.lead),
    );
    expect(found).toEqual({ status: 'not-found' });
  });
}

/** An expired token and a rate limit. */
export function registerRefusalCases(run: ContractRun): void {
  it('an expired token is AUTH_EXPIRED and nothing is posted', async (context) => {
    const reason = run.skipReason('token-expiry', ['token-expired']);
    if (reason !== undefined) context.skip(reason);
    const h = run.current();
    await h.inject('token-expired', h.lead);
    const error = await caught(() =>
      h.adapter.publish(h.rendition(h.lead, 'expired'), h.lead, run.contextFor(h.lead)),
    );
    const failure = expectReleaseHallError(error, 'AUTH_EXPIRED');
    expect(failure.retryable).toBe(false);
    expect(failure.accountId).toBe(h.lead.id);
    expect(await run.livePosts(h.lead)).toHaveLength(0);
  });

  it('a rate limit is RATE_LIMITED with retryAfterMs', async (context) => {
    const reason = run.skipReason('rate-limit', ['rate-limited']);
    if (reason !== undefined) context.skip(reason);
    const h = run.current();
    await h.inject('rate-limited', h.lead);
    const error = await caught(() =>
      h.adapter.publish(h.rendition(h.lead, 'rate'), h.lead, run.contextFor(h.lead)),
    );
    const failure = expectReleaseHallError(error, 'RATE_LIMITED');
    expect(failure.retryable).toBe(true);
    expect(typeof failure.retryAfterMs).toBe('number');
    expect(failure.retryAfterMs).toBeGreaterThan(0);
    expect(await run.livePosts(h.lead)).toHaveLength(0);
  });
}

/** No secret in any error, reason or log line. */
export function registerRedactionCase(run: ContractRun): void {
  it('no secret appears in any error, reason or log line', async (context) => {
    const h = run.current();
    const wanted: ContractFault[] = [
      'token-expired',
      'rate-limited',
      'drop-after-apply',
      'timeout-after-apply',
      'read-failure',
    ];
    const usable = wanted.filter((fault) => h.faults.includes(fault));
    const reason =
      run.skipReason('redaction') ??
      (usable.length === 0 ? 'the harness cannot inject any fault that makes an error' : undefined);
    if (reason !== undefined) context.skip(reason);
    const secrets = secretForms(h.credentials(h.lead));
    expect(secrets.length, 'the lead account needs a secret to look for').toBeGreaterThan(0);

    const texts: string[] = [];
    for (const [index, fault] of usable.entries()) {
      await h.inject(fault, h.lead);
      const rendition = h.rendition(h.lead, `redaction-${index}`);
      if (fault === 'read-failure') {
        const found = await h.adapter.findExisting(
          run.descriptor('post', rendition, new Date()),
          h.lead,
          run.contextFor(h.lead),
        );
        expect(found.status).toBe('unknown');
        texts.push(JSON.stringify(found));
        continue;
      }
      const overrides =
        fault === 'timeout-after-apply' ? { requestTimeoutMs: h.shortTimeoutMs ?? 200 } : {};
      const error = await caught(() =>
        h.adapter.publish(rendition, h.lead, run.contextFor(h.lead, overrides)),
      );
      expect(ReleaseHallError.isInstance(error)).toBe(true);
      const failure = error as ReleaseHallError;
      texts.push(
        failure.message,
        failure.stack ?? '',
        JSON.stringify(failure),
        inspect(failure, { depth: 6 }),
        inspect(failure.cause, { depth: 6 }),
      );
    }
    for (const line of run.logLines) texts.push(line.message, inspect(line.fields, { depth: 6 }));
    for (const text of texts) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
}
