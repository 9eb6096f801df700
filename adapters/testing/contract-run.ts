/**
 * The state of one run of the adapter contract: the harness, the log lines of the current case,
 * the idempotency key of the case, and the helpers the cases share.
 */
import { expect } from 'vitest';
import { ReleaseHallError } from '#core';
import type {
  Account,
  Credentials,
  DeliveryContext,
  DeliveryDescriptor,
  Logger,
  PostRef,
  Rendition,
} from '#core';
import type {
  ContractCase,
  ContractContextOverrides,
  ContractFault,
  ContractHarness,
  ContractPost,
} from './contract-suite.js';

export interface LogLine {
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

export async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export function expectReleaseHallError(
  value: unknown,
  code: ReleaseHallError['code'],
): ReleaseHallError {
  expect(
    ReleaseHallError.isInstance(value),
    `expected a ReleaseHallError, got ${String(value)}`,
  ).toBe(true);
  const error = value as ReleaseHallError;
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Every form a secret might take in text. */
export function secretForms(credentials: Credentials): string[] {
  const forms = new Set<string>();
  for (const value of Object.values(credentials)) {
    if (value.length < 4) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
  }
  return [...forms];
}

/** One run of the contract over one harness. */
export class ContractRun {
  #harness: ContractHarness | undefined;
  /** Log lines of the current case. */
  logLines: LogLine[] = [];
  // One idempotency key per case and account, as the core derives one per (campaign, account,
  // action): the write and the look-up of the same delivery share it; other deliveries do not.
  #caseNumber = 0;
  caseKey = 'contract:0';

  /** Sets the harness up (before the first case). */
  async open(setup: () => ContractHarness | Promise<ContractHarness>): Promise<void> {
    this.#harness = await setup();
  }

  /** Starts a case: a new key, no log lines, the fake reset. */
  async startCase(): Promise<void> {
    this.#caseNumber += 1;
    this.caseKey = `contract:${this.#caseNumber}:${Date.now()}`;
    this.logLines = [];
    await this.current().reset();
  }

  /** Stops the fake (after the last case). */
  async close(): Promise<void> {
    await this.#harness?.close?.();
  }

  current(): ContractHarness {
    if (this.#harness === undefined) throw new Error('the contract harness was not set up');
    return this.#harness;
  }

  keyFor(account: Account): string {
    return `${this.caseKey}:${account.id}`;
  }

  contextFor(account: Account, overrides: ContractContextOverrides = {}): DeliveryContext {
    const h = this.current();
    const logger = overrides.logger ?? capturingLogger(this.logLines);
    if (h.makeContext) return h.makeContext(account, { ...overrides, logger });
    return {
      signal: new AbortController().signal,
      idempotencyKey: overrides.idempotencyKey ?? this.keyFor(account),
      credentials: h.credentials(account),
      logger,
      requestTimeoutMs: overrides.requestTimeoutMs ?? 5_000,
    };
  }

  descriptor(
    action: 'post' | 'relay',
    rendition: Rendition,
    firstAttemptAt: Date,
    source?: PostRef,
    key?: string,
  ): DeliveryDescriptor {
    return {
      action,
      rendition,
      firstAttemptAt,
      idempotencyKey:
        key ?? this.keyFor(action === 'relay' ? this.current().member : this.current().lead),
      ...(source === undefined ? {} : { source }),
    };
  }

  /** The reason to skip a case: the harness declares one, or lacks a fault the case needs. */
  skipReason(id: ContractCase, needs: readonly ContractFault[] = []): string | undefined {
    const h = this.current();
    const declared = h.skip?.[id];
    if (declared !== undefined) return declared;
    const missing = needs.filter((fault) => !h.faults.includes(fault));
    return missing.length > 0
      ? `the harness cannot inject ${missing.map((fault) => `"${fault}"`).join(', ')}`
      : undefined;
  }

  async livePosts(account: Account): Promise<ContractPost[]> {
    return (await this.current().postsOf(account)).filter((post) => !post.deleted);
  }

  async publishLead(label: string): Promise<PostRef> {
    const h = this.current();
    const result = await h.adapter.publish(
      h.rendition(h.lead, label),
      h.lead,
      this.contextFor(h.lead),
    );
    if (result.status !== 'posted') throw new Error(`expected a posted lead, got ${result.status}`);
    return result.ref;
  }
}
