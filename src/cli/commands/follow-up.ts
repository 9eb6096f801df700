/** `release-hall follow-up`: post an update or correction wherever a campaign was carried. */
import { loadStatementFile, showProgress } from 'release-hall';
import { printReport, stopOnSignals } from '../campaign-run.js';
import type { FollowUpFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

export async function followUpCommand(
  campaignId: string,
  statementPath: string,
  flags: FollowUpFlags,
): Promise<number> {
  const statement = await loadStatementFile(statementPath);
  const { publisher, close } = await openPublisher(flags);
  const stopping = stopOnSignals();
  try {
    const stop = flags.progress ? showProgress(publisher) : () => undefined;
    const report = await publisher
      .followUp(campaignId, statement, { signal: stopping.signal })
      .finally(stop);
    return printReport(report, flags.json);
  } finally {
    stopping.release();
    await close();
  }
}
