/** `release-hall list`: the campaigns in the journal, newest first, with their counts. */
import { listCampaigns } from 'release-hall';
import type { JournalFlags } from '../flags.js';
import { openReadJournal } from '../open-publisher.js';

export async function listCommand(flags: JournalFlags): Promise<number> {
  const journal = await openReadJournal(flags);
  try {
    const summaries = await listCampaigns(journal);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
      return 0;
    }
    if (summaries.length === 0) {
      process.stdout.write(`no campaigns in ${journal.path ?? 'the journal'}\n`);
      return 0;
    }
    for (const { campaign, counts } of summaries) {
      const paused = `${campaign.pause ? ' PAUSED' : ''}${campaign.sandbox ? ' (sandbox)' : ''}`;
      process.stdout.write(
        `${campaign.createdAt}  ${campaign.id}  hall ${campaign.hallId}  ${campaign.state}${paused}  ` +
          `${counts.succeeded}/${counts.total} succeeded, ${counts.failed} failed, ${counts.unconfirmed} unconfirmed, ${counts.skipped} skipped, ${counts.pending} pending\n`,
      );
    }
    return 0;
  } finally {
    await journal.close();
  }
}
