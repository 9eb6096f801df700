/**
 * One worker of the `scale-out` scenario, in a plain Node process of its own: `startWorker` on
 * the synthetic hall, its Weibo adapter wired to the sandbox, taking delivery jobs from the BullMQ
 * queue on the scenario's Redis server. Takes commands over IPC:
 *
 * - `{ type: 'stats' }`: answers `{ type: 'stats', ran, requeued, cpuMs }`, each since the last
 *   `stats`: deliveries this worker ended (succeeded, failed or skipped), deliveries its
 *   reconciler gave a job again, and the CPU time (user + system) of the process;
 * - `{ type: 'close' }`: closes the worker (jobs under way end first) and exits.
 *
 * It first sends `{ type: 'ready' }`. Its one argument is a JSON {@link ScaleOutWorkerSettings}.
 */
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { startWorker } from 'release-hall/bullmq';
import { isMain } from './measure.js';
import { BENCH_RIP, syntheticCredentials, syntheticHall } from './synthetic-hall.js';

/** What the parent asks for. */
export interface ScaleOutWorkerSettings {
  /** Accounts of the synthetic hall (the same hall the publisher has). */
  readonly accounts: number;
  /** The sandbox's base URL. */
  readonly baseURL: string;
  /** The Redis server and the key prefix shared with the publisher. */
  readonly url: string;
  readonly prefix: string;
  /** Deliveries this worker runs at once. */
  readonly concurrency: number;
}

/** A message from the worker process. */
export type ScaleOutWorkerMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'stats';
      readonly ran: number;
      readonly requeued: number;
      readonly cpuMs: number;
    };

/** A command to the worker process. */
export type ScaleOutWorkerCommand = { readonly type: 'stats' | 'close' };

const send = (message: ScaleOutWorkerMessage): void => {
  process.send?.(message);
};

if (isMain(import.meta.url) && process.send !== undefined) {
  const settings = JSON.parse(process.argv[2] ?? '{}') as ScaleOutWorkerSettings;
  const worker = await startWorker({
    hall: syntheticHall({ accounts: settings.accounts }),
    adapters: [createWeiboAdapter({ baseURL: settings.baseURL, rip: BENCH_RIP })],
    credentials: syntheticCredentials,
    url: settings.url,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
  });
  let ran = 0;
  let requeued = 0;
  const ended = (): void => {
    ran += 1;
  };
  worker.events.on('delivery:succeeded', ended);
  worker.events.on('delivery:failed', ended);
  worker.events.on('delivery:skipped', ended);
  worker.events.on('log', ({ level, message }) => {
    const gave = /^reconciler gave (\d+) /.exec(message);
    if (gave !== null) {
      requeued += Number(gave[1]);
      return;
    }
    if (level !== 'info') process.stderr.write(`scale-out worker ${worker.id}: ${message}\n`);
  });
  let cpuBefore = process.cpuUsage();
  process.on('message', (command: ScaleOutWorkerCommand) => {
    switch (command.type) {
      case 'stats': {
        const used = process.cpuUsage(cpuBefore);
        cpuBefore = process.cpuUsage();
        send({ type: 'stats', ran, requeued, cpuMs: (used.user + used.system) / 1000 });
        ran = 0;
        requeued = 0;
        break;
      }
      case 'close':
        void worker.close().finally(() => {
          process.exit(0);
        });
        break;
    }
  });
  process.on('disconnect', () => {
    void worker.close().finally(() => {
      process.exit(0);
    });
  });
  send({ type: 'ready' });
}
