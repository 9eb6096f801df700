/**
 * The contract every adapter passes: one vitest suite, run against each platform's fake through
 * a small platform-neutral {@link ContractHarness}.
 *
 * This module imports `vitest`; it is reached through `release-hall/testing`, never through the
 * main entry.
 */
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import type { Account, Adapter, Credentials, DeliveryContext, Logger, Rendition } from '#core';
import {
  registerFindCases,
  registerRedactionCase,
  registerRefusalCases,
  registerWriteCases,
} from './contract-cases.js';
import { ContractRun } from './contract-run.js';

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
    const run = new ContractRun();
    beforeAll(async () => {
      await run.open(setup);
    });
    beforeEach(async () => {
      await run.startCase();
    });
    afterAll(async () => {
      await run.close();
    });
    registerWriteCases(run);
    registerFindCases(run);
    registerRefusalCases(run);
    registerRedactionCase(run);
  });
}
