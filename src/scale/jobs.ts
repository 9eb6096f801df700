/**
 * The BullMQ queue of deliveries: one job per delivery, its id derived from the delivery's, so a
 * delivery is never waiting twice; relays wait for their lead's job to hand them on.
 */
import type { JobsOptions } from 'bullmq';
import { type DeliveryRecord, FINAL_STATES, type JournalDelivery } from '../journal/journal.js';

/** The queue's name unless one is given. */
export const DEFAULT_QUEUE = 'release-hall-deliveries';

/** What a job carries: which delivery to run, and the relays to hand on once it has ended. */
export interface DeliveryJobData {
  readonly campaignId: string;
  readonly deliveryId: string;
  /** Deliveries waiting for this one (relays of a lead post), added once it has ended. */
  readonly dependents?: readonly string[];
}

/** A job to add. */
export interface DeliveryJob {
  readonly name: 'delivery';
  readonly data: DeliveryJobData;
  readonly opts: JobsOptions;
}

/**
 * The job id of a delivery. BullMQ refuses ids with `:` (and integer-like ids), which delivery
 * ids may have, so the id is the delivery id in base64url behind a letter.
 */
export function jobIdOf(deliveryId: string): string {
  return `d${Buffer.from(deliveryId).toString('base64url')}`;
}

/** The options of every delivery job: removed once it has ended (the journal keeps the record). */
export function jobOptions(deliveryId: string): JobsOptions {
  return {
    jobId: jobIdOf(deliveryId),
    removeOnComplete: true,
    removeOnFail: true,
    // A job fails only when the worker could not reach the journal; it is tried again.
    attempts: 20,
    backoff: { type: 'exponential', delay: 1000 },
  };
}

/** The job of one delivery. */
export function deliveryJob(data: DeliveryJobData): DeliveryJob {
  return { name: 'delivery', data, opts: jobOptions(data.deliveryId) };
}

/**
 * The jobs that start a campaign (or continue it): one per delivery that is not final, except the
 * relays whose lead has not ended yet, which ride on their lead's job as its dependents.
 */
export function campaignJobs(
  campaignId: string,
  deliveries: readonly JournalDelivery[],
  records: ReadonlyMap<string, DeliveryRecord> | undefined,
): DeliveryJob[] {
  const known = new Set(deliveries.map((delivery) => delivery.id));
  const dependents = new Map<string, string[]>();
  const now: JournalDelivery[] = [];
  for (const delivery of deliveries) {
    const state = records?.get(delivery.id)?.state;
    if (state !== undefined && FINAL_STATES.has(state)) continue;
    const lead = delivery.dependsOn;
    const leadRecord = lead === undefined ? undefined : records?.get(lead);
    const leadPending =
      lead !== undefined &&
      known.has(lead) &&
      (leadRecord === undefined || !FINAL_STATES.has(leadRecord.state));
    if (leadPending) {
      const list = dependents.get(lead) ?? [];
      list.push(delivery.id);
      dependents.set(lead, list);
    } else now.push(delivery);
  }
  return now.map((delivery) => {
    const waiting = dependents.get(delivery.id);
    return deliveryJob({
      campaignId,
      deliveryId: delivery.id,
      ...(waiting === undefined ? {} : { dependents: waiting }),
    });
  });
}
