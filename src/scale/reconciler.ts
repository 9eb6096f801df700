/**
 * The reconciler: one worker at a time (elected by a lock in Redis) compares the journal with the
 * queue. A delivery that has not ended and has no job (the worker that held it died after its job
 * was removed, a lead ended without handing its relays on, Redis lost its queue) gets its job
 * again; the worker that takes it looks it up on the platform before sending anything. A campaign
 * whose deliveries have all ended is marked finished.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type DeliveryRecord, type Journal } from '../journal/journal.js';
import { settled } from '../publisher/run-remote.js';
import { LuaScript } from '../redis/lua.js';
import { addJobs } from './bullmq-runner.js';
import { type DeliveryJob, deliveryJob, jobIdOf } from './jobs.js';
import { campaignsKey } from './connection.js';

/** What one pass of the reconciler did. */
export interface ReconcileReport {
  /** Campaigns looked at. */
  readonly campaigns: number;
  /** Deliveries given a job again. */
  readonly requeued: readonly string[];
  /** Campaigns marked finished (every delivery has ended). */
  readonly finished: readonly string[];
}

/** One pass over the campaigns handed to workers. */
export async function reconcileOnce(input: {
  readonly journal: Journal;
  readonly queue: Queue;
  readonly client: Redis;
  readonly prefix: string;
}): Promise<ReconcileReport> {
  const { journal, queue, client } = input;
  const key = campaignsKey(input.prefix);
  const ids = await client.smembers(key);
  const requeued: string[] = [];
  const finished: string[] = [];
  for (const campaignId of ids) {
    const campaign = await journal.getCampaign(campaignId);
    if (campaign?.state !== 'running') {
      await client.srem(key, campaignId);
      continue;
    }
    const records = await journal.getDeliveries(campaignId);
    const byId = new Map<string, DeliveryRecord>(
      records.map((record) => [record.delivery.id, record]),
    );
    const open = records.filter((record) => !settled(record.state));
    if (open.length === 0) {
      await journal.updateCampaign(campaignId, { state: 'finished' });
      await client.srem(key, campaignId);
      finished.push(campaignId);
      continue;
    }
    const missing: DeliveryJob[] = [];
    for (const record of open) {
      const lead = record.delivery.dependsOn;
      const leadRecord = lead === undefined ? undefined : byId.get(lead);
      // A relay whose lead has not ended waits for it; the lead is looked at on its own.
      if (leadRecord !== undefined && !settled(leadRecord.state)) continue;
      if ((await queue.getJob(jobIdOf(record.delivery.id))) !== undefined) continue;
      // Read again: its job may have ended (and been removed) since the campaign was read.
      const now = (await journal.getDelivery?.(record.delivery.id)) ?? record;
      if (settled(now.state)) continue;
      missing.push(deliveryJob({ campaignId, deliveryId: record.delivery.id }));
      requeued.push(record.delivery.id);
    }
    await addJobs(queue, missing);
  }
  return { campaigns: ids.length, requeued, finished };
}

/** KEYS[1] the lock; ARGV: holder, ms. Takes the lock, or extends it when held by the holder. */
const TAKE_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return 0
`);

/** KEYS[1] the lock; ARGV: holder. Lets the lock go only if the holder still holds it. */
const DROP_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** The reconciler of one worker: it runs a pass whenever it holds the lock. */
export interface Reconciler {
  /** Runs one pass now if this worker holds (or takes) the lock; `undefined` if another holds it. */
  tick(): Promise<ReconcileReport | undefined>;
  /** Stops the timer and lets the lock go. */
  stop(): Promise<void>;
}

/** Starts a reconciler that tries every `everyMs` to hold the lock and, holding it, runs a pass. */
export function startReconciler(input: {
  readonly journal: Journal;
  readonly queue: Queue;
  readonly client: Redis;
  readonly prefix: string;
  readonly holder: string;
  readonly everyMs: number;
  readonly onReport?: (report: ReconcileReport) => void;
  readonly onError?: (error: unknown) => void;
}): Reconciler {
  const lockKey = `${input.prefix}workers:reconciler`;
  const lockMs = Math.max(3 * input.everyMs, 1000);
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = async (): Promise<ReconcileReport | undefined> => {
    const held = await TAKE_LOCK.run(input.client, [lockKey], [input.holder, lockMs]);
    if (held !== 1) return undefined;
    const report = await reconcileOnce(input);
    input.onReport?.(report);
    return report;
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(tick).catch((error: unknown) => input.onError?.(error));
  }, input.everyMs);
  timer.unref();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      // Let another worker take over at once rather than when the lock ends.
      await DROP_LOCK.run(input.client, [lockKey], [input.holder]).catch(() => 0);
    },
  };
}
