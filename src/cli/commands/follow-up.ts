/** `release-hall follow-up`: post an update or correction wherever a campaign was carried. */
import { describeGate, loadStatementFile, showProgress } from 'release-hall';
import { gateOf } from '../approval-gate.js';
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
    // The same gate as publish: the linter, and the approvals of exactly this follow-up.
    const gate = await gateOf({
      publisher,
      statement,
      statementPath,
      author: flags.author,
      approvalsFile: flags.approvals,
      override: flags.override,
    });
    const stop = flags.progress ? showProgress(publisher) : () => undefined;
    const report = await publisher
      .followUp(campaignId, statement, { signal: stopping.signal, gate })
      .finally(stop);
    if (!flags.json && report.gate !== undefined) {
      for (const line of describeGate(report.gate)) process.stderr.write(`gate: ${line}\n`);
    }
    return printReport(report, flags.json);
  } finally {
    stopping.release();
    await close();
  }
}
