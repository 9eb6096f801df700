/**
 * The BullMQ runner: a publisher that hands its campaigns to workers. `dispatch` adds one job per
 * delivery to the queue (relays ride on their lead's job) and records the campaign as given to
 * the workers, so their reconciler watches it; the publisher then follows the shared journal.
 */
import { Queue } from 'bullmq';
import type { CampaignRunner } from '../publisher/campaign-runner.js';
import { type DeliveryJob, DEFAULT_QUEUE, campaignJobs } from './jobs.js';
import {
  type QueueConnectionOptions,
  campaignsKey,
  openQueueConnection,
  queuePrefix,
} from './connection.js';

/** Options of {@link createBullmqRunner}. */
export interface BullmqRunnerOptions extends QueueConnectionOptions {
  /**
   * How often the publisher reads the journal while the workers run a campaign, in milliseconds.
   * @default 250
   */
  readonly settlePollMs?: number;
  /**
   * `false`: `publish` (and `resume`, `followUp`) hand the campaign out and return at once.
   * @default true
   */
  readonly wait?: boolean;
}

/** A campaign runner over a BullMQ queue. */
export interface BullmqRunner extends CampaignRunner {
  /** The queue (for inspection; the workers take from it). */
  readonly queue: Queue;
}

/** How many jobs one `addBulk` carries. */
const BULK = 500;

/** Adds jobs in bulks; a job whose id is already waiting or running is not added again. */
export async function addJobs(queue: Queue, jobs: readonly DeliveryJob[]): Promise<void> {
  for (let start = 0; start < jobs.length; start += BULK) {
    await queue.addBulk(
      jobs.slice(start, start + BULK).map((job) => ({ ...job, opts: { ...job.opts } })),
    );
  }
}

/**
 * Makes a runner that hands campaigns to `release-hall worker` processes (or `startWorker`) over
 * BullMQ. Pass it to `createPublisher` with a journal the workers share (`createRedisJournal` on
 * the same server).
 *
 * @example
 * ```ts
 * const journal = await createRedisJournal({ url: 'redis://127.0.0.1:6379' });
 * const runner = createBullmqRunner({ url: 'redis://127.0.0.1:6379' });
 * const publisher = createPublisher({ hall, adapters, journal, runner });
 * ```
 */
export function createBullmqRunner(options: BullmqRunnerOptions): BullmqRunner {
  const connection = openQueueConnection(options, 'BullMQ runner');
  const queue = new Queue(options.queue ?? DEFAULT_QUEUE, {
    connection: connection.client,
    prefix: queuePrefix(connection.prefix),
  });
  // BullMQ prints a queue's connection errors on stderr unless someone listens: while Redis is
  // away the client reconnects, and a call that fails meanwhile rejects and says why.
  queue.on('error', () => undefined);
  return {
    name: 'bullmq',
    queue,
    ...(options.settlePollMs === undefined ? {} : { settlePollMs: options.settlePollMs }),
    ...(options.wait === undefined ? {} : { wait: options.wait }),
    async dispatch(campaign) {
      await connection.client.sadd(campaignsKey(connection.prefix), campaign.campaignId);
      await addJobs(queue, campaignJobs(campaign.campaignId, campaign.deliveries, campaign.prior));
    },
    async close() {
      await queue.close();
      await connection.close();
    },
  };
}
