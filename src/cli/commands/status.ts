/**
 * `release-hall status`: where every delivery of a campaign stands, and its audit trail. Reads the
 * journal only (never creates or writes it); the hall file is optional and only adds handles.
 */
import {
  type CampaignStatus,
  ReleaseHallError,
  readCampaignStatus,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { buildAdapters } from '../build-adapters.js';
import type { JournalFlags } from '../flags.js';
import { journalPath } from '../open-publisher.js';

function formatStatus(status: CampaignStatus): string {
  const { campaign, counts } = status;
  const paused = campaign.pause
    ? `, PAUSED${campaign.pause.groups ? ` for ${campaign.pause.groups.join(', ')}` : ''}: ${campaign.pause.reason}`
    : '';
  const lines = [
    `Campaign ${campaign.id} of hall ${campaign.hallId} (${campaign.mode}${campaign.sandbox ? ', on the sandbox' : ''}), ${campaign.state}${paused}`,
    `  ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.unconfirmed} unconfirmed, ${counts.skipped} skipped, ${counts.pending} pending: ${counts.total} in all`,
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

export async function statusCommand(campaignId: string, flags: JournalFlags): Promise<number> {
  let accounts;
  let hallId: string | undefined;
  if (flags.hall !== undefined) {
    const hallData = await readDataFile(flags.hall, 'hall');
    const resolved = resolveHall(hallData, buildAdapters(hallData));
    accounts = resolved.accountById;
    hallId = resolved.hall.id;
  }
  const journal = new SqliteJournal(journalPath(flags), { readOnly: true });
  try {
    const status = await readCampaignStatus(journal, campaignId, accounts);
    if (hallId !== undefined && status.campaign.hallId !== hallId) {
      throw new ReleaseHallError(
        `[release-hall] campaign "${campaignId}" belongs to hall "${status.campaign.hallId}", not "${hallId}": use that hall file, or leave --hall out`,
        { code: 'INVALID_INPUT', issues: [{ path: 'hall', message: 'another hall' }] },
      );
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else process.stdout.write(`${formatStatus(status)}\n`);
    return 0;
  } finally {
    await journal.close();
  }
}
