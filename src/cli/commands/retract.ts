/** `release-hall retract`: remove every live post and relay of a campaign. */
import type { RetractReport } from 'release-hall';
import type { CommonFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

function formatRetract(campaignId: string, report: RetractReport): string {
  const lines = [`Retract ${campaignId}`];
  for (const line of report.results) {
    lines.push(
      `  ${line.status.padEnd(14)} ${line.accountId.padEnd(26)} ${line.remoteId ?? ''} ${line.errorMessage ?? ''}${line.warning ? ` (note: ${line.warning})` : ''}`.trimEnd(),
    );
  }
  const { counts } = report;
  lines.push(
    `${counts.removed} removed, ${counts.alreadyGone} already gone, ${counts.nothingPosted} had nothing posted, ${counts.failed} failed`,
  );
  return lines.join('\n');
}

export async function retractCommand(campaignId: string, flags: CommonFlags): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  try {
    const report = await publisher.retract(campaignId);
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatRetract(campaignId, report)}\n`);
    return report.counts.failed === 0 ? 0 : 1;
  } finally {
    await close();
  }
}
