/** `release-hall status`: where every delivery of a campaign stands, and its audit trail. */
import type { CampaignStatus } from 'release-hall';
import type { CommonFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

function formatStatus(status: CampaignStatus): string {
  const { campaign, counts } = status;
  const lines = [
    `Campaign ${campaign.id} (${campaign.mode}), ${campaign.state}${campaign.pause ? `, PAUSED${campaign.pause.groups ? ` for ${campaign.pause.groups.join(', ')}` : ''}: ${campaign.pause.reason}` : ''}`,
    `  ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.unconfirmed} unconfirmed, ${counts.skipped} skipped, ${counts.pending} pending of ${counts.total}`,
  ];
  for (const delivery of status.deliveries) {
    const detail = delivery.url ?? delivery.remoteId ?? delivery.errorMessage ?? '';
    lines.push(
      `  ${delivery.state.padEnd(11)} ${delivery.accountId.padEnd(26)} ${delivery.action.padEnd(7)} ${detail}`,
    );
  }
  lines.push('  audit:');
  for (const entry of status.audit) {
    lines.push(
      `    ${entry.at} ${entry.actor} ${entry.action}${entry.detail ? ` ${JSON.stringify(entry.detail)}` : ''}`,
    );
  }
  return lines.join('\n');
}

export async function statusCommand(campaignId: string, flags: CommonFlags): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  try {
    const status = await publisher.status(campaignId);
    if (flags.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else process.stdout.write(`${formatStatus(status)}\n`);
    return 0;
  } finally {
    await close();
  }
}
