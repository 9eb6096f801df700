/**
 * `release-hall status`: where every delivery of a campaign stands, and its audit trail. Reads the
 * journal only (never creates or writes it); the hall file is optional and only adds handles.
 */
import {
  type CampaignStatus,
  type Deadlines,
  FINAL_STATES,
  ReleaseHallError,
  type ResponseClocks,
  formatClocks,
  formatReview,
  hallSchema,
  responseClocks,
  statementSchema,
  readCampaignStatus,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { buildAdapters } from '../build-adapters.js';
import type { JournalFlags } from '../flags.js';
import { openReadJournal } from '../open-publisher.js';

function formatStatus(status: CampaignStatus): string {
  const { campaign, counts } = status;
  const paused = campaign.pause
    ? `, PAUSED${campaign.pause.groups ? ` for ${campaign.pause.groups.join(', ')}` : ''}: ${campaign.pause.reason}`
    : '';
  const lines = [
    `Campaign ${campaign.id} of hall ${campaign.hallId} (${campaign.mode}${campaign.sandbox ? ', on the sandbox' : ''}), ${campaign.state}${paused}`,
    `  ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.unconfirmed} unconfirmed, ${counts.skipped} skipped, ${counts.pending} pending: ${counts.total} in all`,
  ];
  if (status.review !== undefined) lines.push(`  ${formatReview(status.review)}`);
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

/** The campaign's response clocks, when its statement says when the event happened or was spotted. */
function clocksOf(status: CampaignStatus, deadlines: Deadlines): ResponseClocks | undefined {
  const statement = statementSchema.safeParse(status.campaign.statement);
  if (!statement.success) return undefined;
  return responseClocks({
    statement: statement.data,
    deadlines,
    deliveries: status.deliveries.map((delivery) => ({
      accountId: delivery.accountId,
      memberId: delivery.memberId,
      platform: delivery.platform,
      status: FINAL_STATES.has(delivery.state) ? delivery.status : 'pending',
      finishedAt: delivery.finishedAt,
    })),
    now: new Date(),
  });
}

export async function statusCommand(campaignId: string, flags: JournalFlags): Promise<number> {
  let accounts;
  let hallId: string | undefined;
  // Without the hall file, the documented default deadlines.
  let deadlines: Deadlines = hallSchema.shape.deadlines.parse(undefined);
  if (flags.hall !== undefined) {
    const hallData = await readDataFile(flags.hall, 'hall');
    const resolved = resolveHall(hallData, buildAdapters(hallData));
    accounts = resolved.accountById;
    hallId = resolved.hall.id;
    deadlines = resolved.hall.deadlines;
  }
  const journal = await openReadJournal(flags);
  try {
    const status = await readCampaignStatus(journal, campaignId, accounts);
    if (hallId !== undefined && status.campaign.hallId !== hallId) {
      throw new ReleaseHallError(
        `[release-hall] campaign "${campaignId}" belongs to hall "${status.campaign.hallId}", not "${hallId}": use that hall file, or leave --hall out`,
        { code: 'INVALID_INPUT', issues: [{ path: 'hall', message: 'another hall' }] },
      );
    }
    const clocks = clocksOf(status, deadlines);
    if (flags.late === true) {
      // Only the accounts past their deadline; exit 1 when there is one (for cron and scripts).
      if (clocks === undefined) {
        process.stderr.write(
          `error: campaign "${campaignId}" has no response clock: its statement gives neither eventAt nor detectedAt\n`,
        );
        return 2;
      }
      if (flags.json) {
        const overdue = clocks.accounts.filter(
          (clock) => clock.state === 'late' || clock.state === 'missing',
        );
        process.stdout.write(`${JSON.stringify({ ...clocks, accounts: overdue }, null, 2)}\n`);
      } else process.stdout.write(`${formatClocks(clocks, true)}\n`);
      return clocks.overdue > 0 ? 1 : 0;
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...status, clocks }, null, 2)}\n`);
    else {
      process.stdout.write(`${formatStatus(status)}\n`);
      if (clocks !== undefined) process.stdout.write(`${formatClocks(clocks)}\n`);
    }
    return 0;
  } finally {
    await journal.close();
  }
}
