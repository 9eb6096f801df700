/**
 * The contract every adapter passes: one vitest suite, run against each platform's fake through
 * a small platform-neutral {@link ContractHarness}.
 *
 * This module imports `vitest`; it is reached through `release-hall/testing`, never through the
 * main entry.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError } from '#core';
import type {
  Account,
  Adapter,
  Credentials,
  DeliveryContext,
  DeliveryDescriptor,
  Logger,
  PostRef,
  Rendition,
} from '#core';

/** A post as the fake platform holds it. */
export interface ContractPost {
  /** The platform's id, as the adapter reports it. */
  readonly id: string;
  readonly text: string;
  readonly kind: 'original' | 'relay';
  /** For a relay: the id of the post relayed. */
  readonly sourceId?: string | undefined;
  readonly deleted: boolean;
}

/**
 * Faults the suite asks the fake for. Each hits the next matching call of the given account:
 *
 * - `drop-after-apply`: the next write is applied, then the connection is cut without a reply;
 * - `timeout-after-apply`: the next write is applied, the reply comes after the client's timeout;
 * - `token-expired`: the next call is answered "token expired";
 * - `rate-limited`: the next write is answered "too many posts, wait";
 * - `read-failure`: the next read is answered with a server error.
 */
export type ContractFault =
  'drop-after-apply' | 'timeout-after-apply' | 'token-expired' | 'rate-limited' | 'read-failure';

/** The cases of the suite, for {@link ContractHarness.skip}. */
export type ContractCase =
  | 'publish'
  | 'relay'
  | 'retract'
  | 'find-after-drop'
  | 'find-after-timeout'
  | 'find-relay-after-drop'
  | 'find-nothing'
  | 'token-expiry'
  | 'rate-limit'
  | 'redaction';

/** What a platform's test set-up gives the suite. */
export interface ContractHarness {
  readonly adapter: Adapter;
  /** The account that posts originals. */
  readonly lead: Account;
  /** Another account, which relays the lead's posts. */
  readonly member: Account;
  /** Credentials of an account. Every value of 4 characters or more is checked for leaks. */
  credentials(account: Account): Credentials;
  /** A rendition the platform accepts for `account`; a different text for each `label`. */
  rendition(account: Account, label: string): Rendition;
  /** Faults the fake can inject; cases needing another one are skipped with that reason. */
  readonly faults: readonly ContractFault[];
  /** Queues a fault for the next matching call of `account`. */
  inject(fault: ContractFault, account: Account): void | Promise<void>;
  /** Posts of an account as the fake holds them, deleted ones included. */
  postsOf(account: Account): readonly ContractPost[] | Promise<readonly ContractPost[]>;
  /** Forgets posts and faults between cases. */
  reset(): void | Promise<void>;
  /** Stops the fake. */
  close?(): void | Promise<void>;
  /**
   * Builds the context of a call. By default: a fresh signal, the harness credentials, a logger
   * the suite reads, and `requestTimeoutMs` (5 000 unless overridden).
   */
  makeContext?(account: Account, overrides: ContractContextOverrides): DeliveryContext;
  /** Request timeout of the `timeout-after-apply` case. @default 200 */
  readonly shortTimeoutMs?: number;
  /** Cases that cannot run against this platform, each with its reason. */
  readonly skip?: Readonly<Partial<Record<ContractCase, string>>>;
}

/** What a case changes in a context. */
export interface ContractContextOverrides {
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
  readonly idempotencyKey?: string;
}

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: unknown;
}

function capturingLogger(lines: LogLine[]): Logger {
  const emit =
    (level: string) =>
    (message: string, fields?: Readonly<Record<string, unknown>>): void => {
      lines.push({ level, message, fields });
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function expectReleaseHallError(value: unknown, code: ReleaseHallError['code']): ReleaseHallError {
  expect(
    ReleaseHallError.isInstance(value),
    `expected a ReleaseHallError, got ${String(value)}`,
  ).toBe(true);
  const error = value as ReleaseHallError;
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Every form a secret might take in text. */
function secretForms(credentials: Credentials): string[] {
  const forms = new Set<string>();
  for (const value of Object.values(credentials)) {
    if (value.length < 4) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
  }
  return [...forms];
}

/**
 * Registers the adapter contract as a vitest `describe` block.
 *
 * `setup` runs once before the cases (start the fake, register the accounts); `reset` runs before
 * each case and `close` after the last. A case the harness cannot run is skipped with its reason.
 *
 * @example
 * runAdapterContract('weibo over the sandbox', async () => makeWeiboHarness());
 */
export function runAdapterContract(
  name: string,
  setup: () => ContractHarness | Promise<ContractHarness>,
): void {
  describe(`adapter contract: ${name}`, () => {
    let harness: ContractHarness | undefined;
    let logLines: LogLine[] = [];
    // One idempotency key per case and account, as the core derives one per (campaign, account,
    // action): the write and the look-up of the same delivery share it; other deliveries do not.
    let caseNumber = 0;
    let caseKey = 'contract:0';
    const keyFor = (account: Account): string => `${caseKey}:${account.id}`;

    const current = (): ContractHarness => {
      if (harness === undefined) throw new Error('the contract harness was not set up');
      return harness;
    };

    const contextFor = (
      account: Account,
      overrides: ContractContextOverrides = {},
    ): DeliveryContext => {
      const h = current();
      const logger = overrides.logger ?? capturingLogger(logLines);
      if (h.makeContext) return h.makeContext(account, { ...overrides, logger });
      return {
        signal: new AbortController().signal,
        idempotencyKey: overrides.idempotencyKey ?? keyFor(account),
        credentials: h.credentials(account),
        logger,
        requestTimeoutMs: overrides.requestTimeoutMs ?? 5_000,
      };
    };

    const descriptor = (
      action: 'post' | 'relay',
      rendition: Rendition,
      firstAttemptAt: Date,
      source?: PostRef,
      key?: string,
    ): DeliveryDescriptor => ({
      action,
      rendition,
      firstAttemptAt,
      idempotencyKey: key ?? keyFor(action === 'relay' ? current().member : current().lead),
      ...(source === undefined ? {} : { source }),
    });

    /** Skips the case with its reason when the harness declares one or lacks a fault it needs. */
    const skipReason = (
      id: ContractCase,
      needs: readonly ContractFault[] = [],
    ): string | undefined => {
      const h = current();
      const declared = h.skip?.[id];
      if (declared !== undefined) return declared;
      const missing = needs.filter((fault) => !h.faults.includes(fault));
      return missing.length > 0
        ? `the harness cannot inject ${missing.map((fault) => `"${fault}"`).join(', ')}`
        : undefined;
    };

    const livePosts = async (account: Account): Promise<ContractPost[]> =>
      (await current().postsOf(account)).filter((post) => !post.deleted);

    const publishLead = async (label: string): Promise<PostRef> => {
      const h = current();
      const result = await h.adapter.publish(
        h.rendition(h.lead, label),
        h.lead,
        contextFor(h.lead),
      );
      if (result.status !== 'posted')
        throw new Error(`expected a posted lead, got ${result.status}`);
      return result.ref;
    };

    beforeAll(async () => {
      harness = await setup();
    });
    beforeEach(async () => {
      caseNumber += 1;
      caseKey = `contract:${caseNumber}:${Date.now()}`;
      logLines = [];
      await current().reset();
    });
    afterAll(async () => {
      await harness?.close?.();
    });

    it('publish returns a string id and the platform holds the post once', async (context) => {
      const reason = skipReason('publish');
      if (reason !== undefined) context.skip(reason);
      const h = current();
      const rendition = h.rendition(h.lead, 'publish');
      const result = await h.adapter.publish(rendition, h.lead, contextFor(h.lead));
      expect(result.status).toBe('posted');
      if (result.status !== 'posted') return;
      expect(typeof result.ref.id).toBe('string');
      expect(result.ref.id.length).toBeGreaterThan(0);
      expect(result.ref.platform).toBe(h.adapter.platform);
      expect(result.ref.accountId).toBe(h.lead.id);
      const posts = await livePosts(h.lead);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.id).toBe(result.ref.id);
      expect(posts[0]?.kind).toBe('original');
    });

    it("relay reposts the lead's post on the member's account", async (context) => {
      const h = current();
      const reason =
        skipReason('relay') ??
        (h.adapter.limits.supportsRelay ? undefined : 'the platform cannot relay another post');
      if (reason !== undefined) context.skip(reason);
      const lead = await publishLead('relay-source');
      const result = await h.adapter.relay(
        lead,
        h.rendition(h.member, 'relay'),
        h.member,
        contextFor(h.member),
      );
      expect(result.status).toBe('posted');
      if (result.status !== 'posted') return;
      expect(result.ref.id).not.toBe(lead.id);
      const posts = await livePosts(h.member);
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({ id: result.ref.id, kind: 'relay', sourceId: lead.id });
    });

    it('retract removes the post, and retracting it again is harmless', async (context) => {
      const reason = skipReason('retract');
      if (reason !== undefined) context.skip(reason);
      const h = current();
      const ref = await publishLead('retract');
      const first = await h.adapter.retract(ref, h.lead, contextFor(h.lead));
      expect(first.status).toBe('removed');
      expect(await livePosts(h.lead)).toHaveLength(0);
      const again = await h.adapter.retract(ref, h.lead, contextFor(h.lead));
      expect(['already-gone', 'removed']).toContain(again.status);
      expect(await livePosts(h.lead)).toHaveLength(0);
    });

    it('findExisting finds a post whose connection was cut after it was applied', async (context) => {
      const reason = skipReason('find-after-drop', ['drop-after-apply']);
      if (reason !== undefined) context.skip(reason);
      const h = current();
      const rendition = h.rendition(h.lead, 'drop');
      const firstAttemptAt = new Date();
      await h.inject('drop-after-apply', h.lead);
      const error = await caught(() => h.adapter.publish(rendition, h.lead, contextFor(h.lead)));
      expectReleaseHallError(error, 'AMBIGUOUS');
      const posts = await livePosts(h.lead);
      expect(posts).toHaveLength(1);
      const found = await h.adapter.findExisting(
        descriptor('post', rendition, firstAttemptAt),
        h.lead,
        contextFor(h.lead),
      );
      expect(found).toMatchObject({ status: 'found', ref: { id: posts[0]?.id } });
    });

    it('findExisting finds a post whose reply came after the timeout', async (context) => {
      const reason = skipReason('find-after-timeout', ['timeout-after-apply']);
      if (reason !== undefined) context.skip(reason);
      const h = current();
      const rendition = h.rendition(h.lead, 'timeout');
      const firstAttemptAt = new Date();
      await h.inject('timeout-after-apply', h.lead);
      const error = await caught(() =>
        h.adapter.publish(
          rendition,
          h.lead,
          contextFor(h.lead, { requestTimeoutMs: h.shortTimeoutMs ?? 200 }),
        ),
      );
      expectReleaseHallError(error, 'AMBIGUOUS');
      const posts = await livePosts(h.lead);
      expect(posts).toHaveLength(1);
      const found = await h.adapter.findExisting(
        descriptor('post', rendition, firstAttemptAt),
        h.lead,
        contextFor(h.lead),
      );
      expect(found).toMatchObject({ status: 'found', ref: { id: posts[0]?.id } });
    });

    it('findExisting finds a relay whose connection was cut after it was applied', async (context) => {
      const h = current();
      const reason =
        skipReason('find-relay-after-drop', ['drop-after-apply']) ??
        (h.adapter.limits.supportsRelay ? undefined : 'the platform cannot relay another post');
      if (reason !== undefined) context.skip(reason);
      const lead = await publishLead('relay-drop-source');
      const rendition = h.rendition(h.member, 'relay-drop');
      const firstAttemptAt = new Date();
      await h.inject('drop-after-apply', h.member);
      const error = await caught(() =>
        h.adapter.relay(lead, rendition, h.member, contextFor(h.member)),
      );
      expectReleaseHallError(error, 'AMBIGUOUS');
      const posts = await livePosts(h.member);
      expect(posts).toHaveLength(1);
      const found = await h.adapter.findExisting(
        descriptor('relay', rendition, firstAttemptAt, lead),
        h.member,
        contextFor(h.member),
      );
      expect(found).toMatchObject({ status: 'found', ref: { id: posts[0]?.id } });
    });

    it('findExisting says not-found when nothing was posted', async (context) => {
      const reason = skipReason('find-nothing');
      if (reason !== undefined) context.skip(reason);
      const h = current();
      await publishLead('something-else');
      const found = await h.adapter.findExisting(
        descriptor(
          'post',
          h.rendition(h.lead, 'never-sent'),
          new Date(),
          undefined,
          `${caseKey}:never-sent`,
        ),
        h.lead,
        contextFor(h.lead),
      );
      expect(found).toEqual({ status: 'not-found' });
    });

    it('an expired token is AUTH_EXPIRED and nothing is posted', async (context) => {
      const reason = skipReason('token-expiry', ['token-expired']);
      if (reason !== undefined) context.skip(reason);
      const h = current();
      await h.inject('token-expired', h.lead);
      const error = await caught(() =>
        h.adapter.publish(h.rendition(h.lead, 'expired'), h.lead, contextFor(h.lead)),
      );
      const failure = expectReleaseHallError(error, 'AUTH_EXPIRED');
      expect(failure.retryable).toBe(false);
      expect(failure.accountId).toBe(h.lead.id);
      expect(await livePosts(h.lead)).toHaveLength(0);
    });

    it('a rate limit is RATE_LIMITED with retryAfterMs', async (context) => {
      const reason = skipReason('rate-limit', ['rate-limited']);
      if (reason !== undefined) context.skip(reason);
      const h = current();
      await h.inject('rate-limited', h.lead);
      const error = await caught(() =>
        h.adapter.publish(h.rendition(h.lead, 'rate'), h.lead, contextFor(h.lead)),
      );
      const failure = expectReleaseHallError(error, 'RATE_LIMITED');
      expect(failure.retryable).toBe(true);
      expect(typeof failure.retryAfterMs).toBe('number');
      expect(failure.retryAfterMs).toBeGreaterThan(0);
      expect(await livePosts(h.lead)).toHaveLength(0);
    });

    it('no secret appears in any error, reason or log line', async (context) => {
      const h = current();
      const wanted: ContractFault[] = [
        'token-expired',
        'rate-limited',
        'drop-after-apply',
        'timeout-after-apply',
        'read-failure',
      ];
      const usable = wanted.filter((fault) => h.faults.includes(fault));
      const reason =
        skipReason('redaction') ??
        (usable.length === 0
          ? 'the harness cannot inject any fault that makes an error'
          : undefined);
      if (reason !== undefined) context.skip(reason);
      const secrets = secretForms(h.credentials(h.lead));
      expect(secrets.length, 'the lead account needs a secret to look for').toBeGreaterThan(0);

      const texts: string[] = [];
      for (const [index, fault] of usable.entries()) {
        await h.inject(fault, h.lead);
        const rendition = h.rendition(h.lead, `redaction-${index}`);
        if (fault === 'read-failure') {
          const found = await h.adapter.findExisting(
            descriptor('post', rendition, new Date()),
            h.lead,
            contextFor(h.lead),
          );
          expect(found.status).toBe('unknown');
          texts.push(JSON.stringify(found));
          continue;
        }
        const overrides =
          fault === 'timeout-after-apply' ? { requestTimeoutMs: h.shortTimeoutMs ?? 200 } : {};
        const error = await caught(() =>
          h.adapter.publish(rendition, h.lead, contextFor(h.lead, overrides)),
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
      for (const line of logLines) texts.push(line.message, inspect(line.fields, { depth: 6 }));
      for (const text of texts) {
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    });
  });
}
