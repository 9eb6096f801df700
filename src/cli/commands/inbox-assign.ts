/**
 * `release-hall inbox assign <item-id> --to <member>`: routes a stored inbox item to the member
 * that can answer it (`assignItem`). Says which account a reply will come from.
 */
import { assignItem } from 'release-hall';
import { type HallWorkFlags, openHallWork } from '../open-hall-work.js';

/** Flags of `inbox assign`. */
export interface InboxAssignFlags extends HallWorkFlags {
  to: string;
  member?: string;
  json?: boolean;
}

export async function inboxAssignCommand(itemId: string, flags: InboxAssignFlags): Promise<number> {
  const { hall, journal, close } = await openHallWork(flags);
  try {
    const result = await assignItem({ hall, journal, itemId, to: flags.to, member: flags.member });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `assigned   item ${result.item.remoteId} on ${result.item.accountId} to ${flags.to}; a reply comes from ${result.answersFrom}\n`,
    );
    if (result.note !== undefined) process.stderr.write(`note: ${result.note}\n`);
    return 0;
  } finally {
    await close();
  }
}
