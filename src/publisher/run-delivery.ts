/**
 * One delivery run by a worker (the BullMQ runner's): read from the shared journal, claimed under a
 * fresh lease, run by a coordinator of one (with its lead, for a relay), recorded in the journal.
 * Everything a delivery does in a publisher's own run it does here: the look-up before any
 * re-send, the retry policy, the post windows (shared across workers when the scheduler is told).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { PublisherEvents } from '../events.js';
import {
  type DeliveryRecord,
  FINAL_STATES,
  type JournalDelivery,
  type PauseState,
} from '../journal/journal.js';
import { Redactor } from '../redact.js';
import { Coordinator } from '../run/coordinator.js';
import type { DeliveryResult } from '../run/types.js';
import { type PublisherContext, campaignLogger, createContext } from './context.js';
import {
  type PublisherOptions,
  type PublisherSettings,
  resolvePublisherOptions,
} from './options.js';
import { createRunnerLease } from './runner-lease.js';
import { settled } from './run-remote.js';

/** How a worker's turn at one delivery went. */
export type DeliveryTurn =
  /** The delivery ran; its result is in the journal. */
  | { readonly kind: 'ran'; readonly result: DeliveryResult }
  /** Nothing to do: the delivery had already ended. */
  | { readonly kind: 'settled' }
  /** Not now (its campaign is paused, or its lead has not ended): ask again after `retryInMs`. */
  | { readonly kind: 'held'; readonly retryInMs: number; readonly reason: string }
  /** Never here: the campaign or delivery is not in the journal, or not of this worker's hall. */
  | { readonly kind: 'gone'; readonly reason: string };

/** Runs single deliveries of the campaigns in a shared journal. */
export interface DeliveryRunner {
  readonly settings: PublisherSettings;
  /** The events of the deliveries this worker runs (`delivery:*`, `log`). */
  readonly events: EventEmitter<PublisherEvents>;
  /** Runs one delivery of a campaign, unless it has ended or must wait. Rejects on journal errors. */
  run(campaignId: string, deliveryId: string): Promise<DeliveryTurn>;
}

/** The pause that holds a member's deliveries in a campaign, if any. */
export async function pauseHolding(
  context: PublisherContext,
  campaignId: string,
  memberId: string,
): Promise<PauseState | undefined> {
  const { journal } = context.settings;
  const pause =
    journal.pauseOf === undefined
      ? (await journal.getCampaign(campaignId))?.pause
      : await journal.pauseOf(campaignId);
  if (pause === undefined) return undefined;
  const groups = context.groupsOf.get(memberId) ?? [];
  return pause.groups === undefined || pause.groups.some((group) => groups.includes(group))
    ? pause
    : undefined;
}

/** Makes the delivery runner of a worker, with the options a publisher takes. */
export function createDeliveryRunner(options: PublisherOptions): DeliveryRunner {
  const settings = resolvePublisherOptions(options);
  const events = new EventEmitter<PublisherEvents>();
  const context = createContext(
    settings,
    events,
    createRunnerLease(settings.journal, settings.staleRunnerMs),
  );
  const { journal } = settings;
  const read = async (deliveryId: string): Promise<DeliveryRecord | undefined> =>
    journal.getDelivery === undefined ? undefined : journal.getDelivery(deliveryId);

  return {
    settings,
    events,
    async run(campaignId, deliveryId) {
      if (journal.getDelivery === undefined) {
        return { kind: 'gone', reason: 'the journal cannot read one delivery (getDelivery)' };
      }
      const campaign = await journal.getCampaign(campaignId);
      if (campaign === undefined) return { kind: 'gone', reason: 'no such campaign' };
      if (campaign.hallId !== settings.hall.hall.id) {
        return { kind: 'gone', reason: `campaign of hall "${campaign.hallId}", not this one` };
      }
      if (campaign.state === 'retracted') return { kind: 'gone', reason: 'campaign retracted' };
      const record = await read(deliveryId);
      if (record === undefined || record.delivery.campaignId !== campaignId) {
        return { kind: 'gone', reason: 'no such delivery' };
      }
      const entry = record.delivery;
      if (FINAL_STATES.has(record.state)) return { kind: 'settled' };
      if (
        !settings.hall.accountById.has(entry.accountId) ||
        !settings.adapters.has(entry.platform)
      ) {
        return { kind: 'gone', reason: `account ${entry.accountId} is not in this worker's hall` };
      }
      const pause = await pauseHolding(context, campaignId, entry.memberId);
      if (pause !== undefined) {
        return {
          kind: 'held',
          retryInMs: settings.pausePollMs,
          reason: `paused (${pause.reason})`,
        };
      }
      const deliveries: JournalDelivery[] = [];
      const prior = new Map<string, DeliveryRecord>([[entry.id, record]]);
      if (entry.dependsOn !== undefined) {
        const lead = await read(entry.dependsOn);
        if (lead !== undefined) {
          if (!settled(lead.state)) {
            return {
              kind: 'held',
              retryInMs: settings.pausePollMs,
              reason: 'its lead has not ended',
            };
          }
          deliveries.push(lead.delivery);
          prior.set(lead.delivery.id, lead);
        }
      }
      deliveries.push(entry);
      const lease = randomBytes(12).toString('hex');
      await journal.claim([entry.id], lease);
      const redactor = new Redactor();
      let result: DeliveryResult | undefined;
      await new Coordinator({
        campaignId,
        deliveries,
        prior,
        accounts: settings.hall.accountById,
        adapters: settings.adapters,
        limits: settings.limits,
        credentials: settings.credentials,
        journal,
        events,
        redactor,
        logger: campaignLogger(context, redactor, campaignId),
        retry: settings.retry,
        relayFallback: campaign.relayFallback,
        siteDomain: settings.hall.hall.site?.domain,
        // A worker that is told to stop lets the delivery it has started finish.
        signal: new AbortController().signal,
        lease,
        onResult: (line) => {
          if (line.deliveryId === entry.id) result = line;
        },
      }).run();
      if (result === undefined)
        throw new Error(`internal: delivery ${entry.id} ended without a result`);
      return { kind: 'ran', result };
    },
  };
}
