/**
 * `release-hall inbox reply <item-id> --text "…"`: answers one stored inbox item as its account,
 * exactly once per (item, text) (`replyToItem`). The outcome on stdout (`--json`: the result as
 * JSON); exit 0 when the reply is on the platform (sent now, earlier, or found), 1 when it may have
 * landed and could not be confirmed (run the same command again: it looks before it sends).
 */
import { type ReplyToItemResult, replyToItem } from 'release-hall';
import { type HallWorkFlags, openHallWork } from '../open-hall-work.js';

/** Flags of `inbox reply`. */
export interface InboxReplyFlags extends HallWorkFlags {
  text: string;
  as?: string;
  resendUnconfirmed?: boolean;
  json?: boolean;
}

/** One line saying how the reply ended. */
export function formatReplyLine(result: ReplyToItemResult): string {
  const { reply, item } = result;
  const from = reply.accountId === item.accountId ? '' : ` from ${reply.accountId}`;
  const where = `item ${item.remoteId} on ${item.accountId}${from}`;
  switch (result.status) {
    case 'sent':
      return `sent       reply ${reply.remoteId ?? ''} to ${where}`;
    case 'already-sent':
      return `already    reply ${reply.remoteId ?? ''} to ${where} was sent before; nothing sent`;
    case 'found':
      return `found      reply ${reply.remoteId ?? ''} to ${where} was on the platform; nothing sent`;
    case 'unknown':
      return result.lookUp
        ? `unknown    the reply to ${where} may have been posted and could not be checked: run the same command again`
        : `unknown    the reply to ${where} may have been sent and ${item.platform} offers no look-up: check the conversation on the platform; if it did not arrive, run again with --resend-unconfirmed`;
  }
}

export async function inboxReplyCommand(itemId: string, flags: InboxReplyFlags): Promise<number> {
  const { hall, adapters, credentials, journal, close } = await openHallWork(flags);
  const warn = (message: string): void => {
    process.stderr.write(`warning: ${message}\n`);
  };
  try {
    const result = await replyToItem({
      hall,
      adapters,
      credentials,
      journal,
      itemId,
      text: flags.text,
      as: flags.as,
      resendUnconfirmed: flags.resendUnconfirmed === true,
    });
    for (const warning of result.warnings) {
      warn(`"${warning.phrase}": ${warning.reason}; ${warning.fix}`);
    }
    process.stdout.write(
      flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReplyLine(result)}\n`,
    );
    return result.status === 'unknown' ? 1 : 0;
  } finally {
    await close();
  }
}
