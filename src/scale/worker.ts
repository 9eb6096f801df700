/**
 * A worker: takes delivery jobs from the BullMQ queue and runs each with the shared journal, the
 * shared post windows and (when its WeChat adapter is given the Redis token store) the shared
 * WeChat tokens. Any number of workers on any number of hosts may run side by side.
 */
import { randomBytes } from 'node:crypto';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { EventEmitter } from 'eventemitter3';
import type { PublisherEvents } from '../events.js';
import type { Journal } from '../journal/journal.js';
import { createRedisJournal } from '../journal/redis-journal.js';
import type { PublisherOptions } from '../publisher/options.js';
import { type DeliveryTurn, createDeliveryRunner } from '../publisher/run-delivery.js';
import { createRedisRateWindows } from '../redis/rate-windows.js';
import { schedulerFor } from '../run/scheduler.js';
import { addJobs } from './bullmq-runner.js';
import { type QueueConnectionOptions, openQueueConnection, queuePrefix } from './connection.js';
import { DEFAULT_QUEUE, type DeliveryJobData, deliveryJob } from './jobs.js';
import { type ReconcileReport, type Reconciler, startReconciler } from './reconciler.js';

/** Options of {@link startWorker}: a publisher's (hall, adapters, credentials…) and the queue's. */
export interface WorkerOptions
  extends Omit<PublisherOptions, 'journal' | 'runner'>, QueueConnectionOptions {
  /**
   * Deliveries run at once by this worker (each mostly waits for a platform's answer).
   * @default 32
   */
  readonly concurrency?: number;
  /**
   * The journal; by default the Redis journal on the same server and prefix, refused unless the
   * server keeps every write (see `unsafeRedis`).
   */
  readonly journal?: Journal;
  /** Open the Redis journal even though the server may lose writes (loud warning). */
  readonly unsafeRedis?: boolean;
  /**
   * How long a job stays with a worker that stopped answering before another worker takes it, in
   * milliseconds (BullMQ's lock). The delivery is then looked up before anything is re-sent.
   * @default 30_000
   */
  readonly lockMs?: number;
  /**
   * How often the elected worker compares the journal with the queue, in milliseconds.
   * @default 10_000
   */
  readonly reconcileEveryMs?: number;
}

/** A running worker. */
export interface ReleaseHallWorker {
  /** This worker's id (in logs and the reconciler's lock). */
  readonly id: string;
  /** The events of the deliveries it runs (`delivery:*`, `log`). */
  readonly events: EventEmitter<PublisherEvents>;
  /** Runs a reconciler pass now if this worker holds the lock. */
  reconcile(): Promise<ReconcileReport | undefined>;
  /** Takes no new job, lets those under way finish, then closes its connections. */
  close(): Promise<void>;
}

/**
 * Starts a worker. It runs until {@link ReleaseHallWorker.close}; `release-hall worker` wraps it
 * and closes it on SIGTERM.
 *
 * @example
 * ```ts
 * const worker = await startWorker({ hall, adapters, url: 'redis://127.0.0.1:6379', concurrency: 32 });
 * process.once('SIGTERM', () => void worker.close());
 * ```
 */
export async function startWorker(options: WorkerOptions): Promise<ReleaseHallWorker> {
  const {
    url: _url,
    client: _client,
    prefix: _prefix,
    queue: queueName = DEFAULT_QUEUE,
    concurrency = 32,
    journal: givenJournal,
    unsafeRedis,
    lockMs = 30_000,
    reconcileEveryMs = 10_000,
    ...publisherOptions
  } = options;
  const connection = openQueueConnection(options, 'worker');
  const { prefix } = connection;
  const journal =
    givenJournal ??
    (await createRedisJournal({
      client: connection.client,
      prefix,
      ...(unsafeRedis === undefined ? {} : { unsafe: unsafeRedis }),
    }));
  const core = createDeliveryRunner({ ...publisherOptions, journal });
  // Every worker posting for an account counts against one window, kept in Redis.
  schedulerFor(core.settings.limits).shareWindows(
    createRedisRateWindows({ client: connection.client, prefix }),
  );
  const id = randomBytes(6).toString('hex');
  const queue = new Queue(queueName, {
    connection: connection.client,
    prefix: queuePrefix(prefix),
  });
  const log = (level: 'info' | 'warn' | 'error', message: string): void => {
    core.events.emit('log', { level, message, fields: { worker: id } });
    core.settings.log?.(level, message, { worker: id });
  };

  const processor = async (job: Job<DeliveryJobData>, token?: string): Promise<string> => {
    const { campaignId, deliveryId, dependents } = job.data;
    const turn: DeliveryTurn = await core.run(campaignId, deliveryId);
    if (turn.kind === 'held') {
      await job.moveToDelayed(Date.now() + turn.retryInMs, token);
      throw new DelayedError();
    }
    if (turn.kind === 'gone') {
      log('warn', `delivery ${deliveryId} of campaign ${campaignId} dropped: ${turn.reason}`);
      return 'gone';
    }
    // The lead has ended: its relays may start (a job already there is not added twice).
    if (dependents !== undefined && dependents.length > 0) {
      await addJobs(
        queue,
        dependents.map((dependent) => deliveryJob({ campaignId, deliveryId: dependent })),
      );
    }
    return turn.kind === 'ran' ? turn.result.status : 'settled';
  };

  // BullMQ leaves a connection it is handed open: this one is closed with the worker.
  const workerConnection = connection.duplicate();
  const worker = new Worker<DeliveryJobData, string>(queueName, processor, {
    connection: workerConnection,
    prefix: queuePrefix(prefix),
    concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(250, Math.floor(lockMs / 2)),
    // A worker killed again and again must not make a delivery fail: the journal decides.
    maxStalledCount: 1_000,
  });
  worker.on('failed', (job, error) => {
    log('error', `job of delivery ${job?.data.deliveryId ?? '?'} failed: ${error.message}`);
  });
  worker.on('error', (error) => {
    log('error', `worker: ${error.message}`);
  });
  // Without a listener, BullMQ prints the queue's connection errors on stderr, past the log.
  queue.on('error', (error) => {
    log('error', `queue: ${error.message}`);
  });
  await worker.waitUntilReady();

  const reconciler: Reconciler = startReconciler({
    journal,
    queue,
    client: connection.client,
    prefix,
    holder: id,
    everyMs: reconcileEveryMs,
    onReport: (report) => {
      if (report.requeued.length > 0) {
        log('warn', `reconciler gave ${report.requeued.length} delivery(ies) a job again`);
      }
    },
    onError: (error) => {
      log('error', `reconciler: ${error instanceof Error ? error.message : String(error)}`);
    },
  });

  return {
    id,
    events: core.events,
    reconcile: () => reconciler.tick(),
    async close() {
      await reconciler.stop();
      await worker.close();
      await queue.close();
      if (givenJournal === undefined) await journal.close();
      await workerConnection.quit().catch(() => workerConnection.disconnect());
      await connection.close();
    },
  };
}
