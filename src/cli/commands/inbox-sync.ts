/**
 * `release-hall inbox sync`: reads the comments and mentions of the hall's accounts into the
 * journal, from the cursor stored with each account's last page. One line per account on stderr;
 * the summary on stdout (`--json`: as JSON).
 */
import { type InboxSyncAccountResult, syncInbox } from 'release-hall';
import { type HallWorkFlags, openHallWork } from '../open-hall-work.js';

/** Flags of `inbox sync`. */
export interface InboxSyncFlags extends HallWorkFlags {
  campaign?: string;
  since?: string;
  json?: boolean;
}

/** One line of progress for an account. */
export function formatInboxSyncLine(result: InboxSyncAccountResult): string {
  const counts = `${result.added} new, ${result.read} read in ${result.pages} page${result.pages === 1 ? '' : 's'}`;
  const why = result.error === undefined ? '' : `: ${result.error.code} ${result.error.message}`;
  return `${result.status.padEnd(12)} ${result.accountId.padEnd(26)} ${counts}${why}`;
}

export async function inboxSyncCommand(flags: InboxSyncFlags): Promise<number> {
  const { hall, adapters, credentials, journal, signal, close } = await openHallWork(flags);
  try {
    const summary = await syncInbox({
      hall,
      adapters,
      credentials,
      journal,
      campaignId: flags.campaign,
      since: flags.since,
      signal,
      onProgress: (result) => {
        process.stderr.write(`${formatInboxSyncLine(result)}\n`);
      },
    });
    const unread = new Map<string, number>();
    for (const account of hall.accounts) {
      const adapter = adapters.find((candidate) => candidate.platform === account.platform);
      if (typeof adapter?.readInbox !== 'function') {
        unread.set(account.platform, (unread.get(account.platform) ?? 0) + 1);
      }
    }
    for (const [platform, count] of unread) {
      const where =
        platform === 'wechat'
          ? "their followers' messages reach the inbox through release-hall serve (docs/wechat-service.md)"
          : 'their platform offers no inbox to read';
      process.stderr.write(
        `note: ${count} ${platform} account${count === 1 ? ' is' : 's are'} not read by a sync: ${where}\n`,
      );
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const stopped = summary.accounts.filter((result) => result.status !== 'read').length;
      process.stdout.write(
        `${summary.added} new item${summary.added === 1 ? '' : 's'} from ${summary.accounts.length} account${summary.accounts.length === 1 ? '' : 's'}` +
          `${stopped === 0 ? '' : `; ${stopped} not read to the end: run inbox sync again`}\n`,
      );
    }
    return summary.accounts.every((result) => result.status === 'read') ? 0 : 1;
  } finally {
    await close();
  }
}
