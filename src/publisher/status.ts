/**
 * Where a campaign stands, read from the journal alone: `status` needs no hall file (the journal
 * knows the hall), and `list` shows every campaign a journal holds.
 */
import { invalidInput } from '../errors.js';
import type { CampaignRecord, DeliveryRecord, Journal } from '../journal/journal.js';
import type { Account } from '../model/hall.js';
import { reviewState } from '../gate/review.js';
import { resultFromRecord } from '../run/result-line.js';
import type { CampaignStatus } from './report.js';

/** Delivery states that still have work to do: not yet sent, being sent, or sent without an answer. */
const PENDING = new Set<DeliveryRecord['state']>(['planned', 'sending', 'unknown']);

/**
 * Counts a campaign's deliveries so that the parts add up to the total: a delivery still to be
 * sent, or in flight, is `pending` and nothing else.
 */
export function countStatus(records: readonly DeliveryRecord[]): CampaignStatus['counts'] {
  const counts = {
    total: records.length,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    unconfirmed: 0,
    pending: 0,
  };
  for (const record of records) {
    if (PENDING.has(record.state)) counts.pending += 1;
    else counts[resultFromRecord(record, undefined).status] += 1;
  }
  return counts;
}

/**
 * Where every delivery of a campaign stands, from the journal. `accounts` (the hall's, when it is
 * at hand) only adds handles; without it deliveries are named by account id.
 *
 * Throws `INVALID_INPUT` when the journal has no such campaign.
 */
export async function readCampaignStatus(
  journal: Journal,
  campaignId: string,
  accounts?: ReadonlyMap<string, Account>,
): Promise<CampaignStatus> {
  const campaign = await journal.getCampaign(campaignId);
  if (campaign === undefined) {
    throw invalidInput('campaign', [
      {
        path: 'campaignId',
        message: `no campaign "${campaignId}" in the journal: check the id (release-hall list shows them)`,
      },
    ]);
  }
  const records = await journal.getDeliveries(campaignId);
  const audit = await journal.getAudit(campaignId);
  const review = reviewState(audit, new Date());
  return {
    campaign,
    counts: countStatus(records),
    deliveries: records.map((entry) => ({
      ...resultFromRecord(entry, accounts?.get(entry.delivery.accountId)),
      state: entry.state,
    })),
    audit,
    ...(review === undefined ? {} : { review }),
  };
}

/** One line of {@link listCampaigns}: a campaign and how its deliveries stand. */
export interface CampaignSummary {
  readonly campaign: CampaignRecord;
  readonly counts: CampaignStatus['counts'];
}

/** Every campaign in a journal, newest first, with its counts. */
export async function listCampaigns(journal: Journal): Promise<readonly CampaignSummary[]> {
  const campaigns = [...(await journal.listCampaigns())].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id.localeCompare(a.id),
  );
  const summaries: CampaignSummary[] = [];
  for (const campaign of campaigns) {
    summaries.push({ campaign, counts: countStatus(await journal.getDeliveries(campaign.id)) });
  }
  return summaries;
}
