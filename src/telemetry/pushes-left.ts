/**
 * The pushes left of the accounts a campaign pushed on, worked out when its run ends, for the
 * service's `GET /metrics` (only when one watches: {@link pushesLeftWatched}).
 */
import type { Adapter } from '../adapter.js';
import type { Journal, JournalDelivery } from '../journal/journal.js';
import type { Account } from '../model/hall.js';
import { pushHistory } from '../publisher/prepare.js';
import { notePushesLeft, pushesLeftWatched } from './readings.js';

/** What {@link notePushesAfterRun} reads. */
export interface PushesLeftInput {
  readonly journal: Journal;
  readonly adapters: ReadonlyMap<string, Adapter>;
  readonly accounts: ReadonlyMap<string, Account>;
  /** The accounts the campaign pushed on ({@link pushedAccounts}). */
  readonly accountIds: ReadonlySet<string>;
}

/**
 * The accounts a campaign's plan pushes on, taken before its run lets go of the plan; `undefined`
 * when nobody watches the pushes left or the plan has no push.
 */
export function pushedAccounts(
  deliveries: readonly Pick<JournalDelivery, 'accountId' | 'action'>[],
): ReadonlySet<string> | undefined {
  if (!pushesLeftWatched()) return undefined;
  const pushed = new Set<string>();
  for (const delivery of deliveries) {
    if (delivery.action === 'push') pushed.add(delivery.accountId);
  }
  return pushed.size === 0 ? undefined : pushed;
}

/**
 * Works out the pushes left of every account the campaign pushed on, from the journal's ledger
 * and the platform's quota, and records them. Never rejects: a reading that cannot be made is
 * simply not updated.
 */
export async function notePushesAfterRun(input: PushesLeftInput): Promise<void> {
  try {
    const history = await pushHistory(input.journal);
    const now = new Date();
    for (const accountId of input.accountIds) {
      const account = input.accounts.get(accountId);
      const adapter = account === undefined ? undefined : input.adapters.get(account.platform);
      if (account === undefined || adapter?.pushQuota === undefined) continue;
      const quota = adapter.pushQuota(account, now, history.get(accountId) ?? []);
      notePushesLeft({
        platform: account.platform,
        accountId,
        left: quota.left,
        limit: quota.limit,
        period: quota.period,
        resetsAt: quota.resetsAt,
      });
    }
  } catch {
    // The metric keeps its last reading.
  }
}
