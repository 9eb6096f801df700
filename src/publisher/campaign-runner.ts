/**
 * Where a campaign's deliveries run. By default the publisher runs them itself (the coordinator,
 * in this process). A {@link CampaignRunner} hands them to workers elsewhere instead, such as the
 * BullMQ runner of `release-hall/bullmq`; the journal they share says how each one ended.
 */
import type { DeliveryRecord, JournalDelivery } from '../journal/journal.js';

/** A campaign handed to a {@link CampaignRunner}. */
export interface DispatchedCampaign {
  readonly campaignId: string;
  /** The deliveries the hall still has accounts and adapters for, in plan order. */
  readonly deliveries: readonly JournalDelivery[];
  /** The journal's records of these deliveries (a resumed campaign), by delivery id. */
  readonly prior: ReadonlyMap<string, DeliveryRecord> | undefined;
}

/** Runs campaigns' deliveries outside the publisher's process. */
export interface CampaignRunner {
  /** A short name for logs (`bullmq`). */
  readonly name: string;
  /**
   * Makes sure every delivery of the campaign that is not final will be run by a worker. Safe to
   * call again for the same campaign (a resume): a delivery already waiting is not added twice.
   */
  dispatch(campaign: DispatchedCampaign): Promise<void>;
  /**
   * How often the publisher reads the journal while it waits for the workers, in milliseconds.
   * @default 250
   */
  readonly settlePollMs?: number;
  /**
   * `false`: the publisher hands the campaign out and returns at once; its report lists every
   * delivery not ended yet as still with the workers (`release-hall status` follows it).
   * @default true
   */
  readonly wait?: boolean;
  /** Closes what the runner opened (its connections). */
  close(): Promise<void>;
}
