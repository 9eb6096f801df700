/**
 * `release-hall inbox reply <item-id> --text "…"`: answers one stored inbox item as its account,
 * exactly once per (item, text) (`replyToItem`). The outcome on stdout (`--json`: the result as
 * JSON); exit 0 when the reply is on the platform (sent now, earlier, or found), 1 when it may have
 * landed and could not be confirmed (run the same command again: it looks before it sends).
 */
import {
  type Journal,
  type ReplyToItemResult,
  createCredentialsResolver,
  readCredentialsFile,
  readDataFile,
  replyToItem,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { buildAdapters } from '../build-adapters.js';
import type { RedisFlags } from '../flags.js';
import { journalPath, openRedisJournal, redisUrl } from '../open-publisher.js';

/** Flags of `inbox reply`. */
export interface InboxReplyFlags extends RedisFlags {
  hall: string;
  text: string;
  as?: string;
  credentials?: string;
  journal?: string;
  json?: boolean;
}

/** One line saying how the reply ended. */
export function formatReplyLine(result: ReplyToItemResult): string {
  const { reply, item } = result;
  const where = `item ${item.remoteId} on ${item.accountId}`;
  switch (result.status) {
    case 'sent':
      return `sent       reply ${reply.remoteId ?? ''} to ${where}`;
    case 'already-sent':
      return `already    reply ${reply.remoteId ?? ''} to ${where} was sent before; nothing sent`;
    case 'found':
      return `found      reply ${reply.remoteId ?? ''} to ${where} was on the platform; nothing sent`;
    case 'unknown':
      return `unknown    the reply to ${where} may have been posted and could not be checked: run the same command again`;
  }
}

export async function inboxReplyCommand(itemId: string, flags: InboxReplyFlags): Promise<number> {
  const hallData = await readDataFile(flags.hall, 'hall');
  const adapters = buildAdapters(hallData);
  const hall = resolveHall(hallData, adapters);
  const warn = (message: string): void => {
    process.stderr.write(`warning: ${message}\n`);
  };
  const credentialsFile = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
  if (credentialsFile !== undefined)
    await readCredentialsFile(credentialsFile, { onWarning: warn });
  const credentials = createCredentialsResolver({
    ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
    onWarning: () => undefined,
  });
  const url = redisUrl(flags);
  const journal: Journal =
    url === undefined ? new SqliteJournal(journalPath(flags)) : await openRedisJournal(flags, url);
  try {
    const result = await replyToItem({
      hall,
      adapters,
      credentials,
      journal,
      itemId,
      text: flags.text,
      as: flags.as,
    });
    for (const warning of result.warnings) {
      warn(`"${warning.phrase}": ${warning.reason}; ${warning.fix}`);
    }
    process.stdout.write(
      flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReplyLine(result)}\n`,
    );
    return result.status === 'unknown' ? 1 : 0;
  } finally {
    await journal.close();
  }
}
