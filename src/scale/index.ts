/**
 * `release-hall/bullmq`: campaigns run by workers on several hosts, over BullMQ on Redis. The
 * publisher hands its deliveries out with {@link createBullmqRunner}; {@link startWorker} runs
 * them; both share the Redis journal (`release-hall/journal/redis`).
 */
export { createBullmqRunner } from './bullmq-runner.js';
export type { BullmqRunner, BullmqRunnerOptions } from './bullmq-runner.js';
export type { QueueConnectionOptions } from './connection.js';
export { DEFAULT_QUEUE, jobIdOf } from './jobs.js';
export type { DeliveryJobData } from './jobs.js';
export { reconcileOnce } from './reconciler.js';
export type { ReconcileReport } from './reconciler.js';
export { startWorker } from './worker.js';
export type { ReleaseHallWorker, WorkerOptions } from './worker.js';
