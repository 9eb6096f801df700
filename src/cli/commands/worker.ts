/**
 * `release-hall worker`: takes delivery jobs from the Redis server's queue and runs them, sharing
 * the journal, the post windows and the WeChat tokens with every other worker. Runs until SIGTERM
 * or SIGINT, then takes no new job, lets the ones under way finish, and exits 0.
 */
import {
  ReleaseHallError,
  createCredentialsResolver,
  readCredentialsFile,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { startWorker } from 'release-hall/bullmq';
import { createRedisTokenStore } from 'release-hall/adapters/wechat/redis-token-store';
import { buildAdapters } from '../build-adapters.js';
import type { WorkerFlags } from '../flags.js';
import { openRedisJournal, redisUrl } from '../open-publisher.js';

function concurrencyOf(value: string): number {
  const concurrency = Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new ReleaseHallError(
      `[release-hall] --concurrency: expected a whole number from 1 to 1000, got "${value}"`,
      { code: 'INVALID_INPUT', issues: [{ path: 'concurrency', message: 'expected 1 to 1000' }] },
    );
  }
  return concurrency;
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const concurrency = concurrencyOf(flags.concurrency);
  const url = redisUrl(flags);
  if (url === undefined) {
    throw new ReleaseHallError(
      '[release-hall] --redis: name the Redis server the workers share (or set RELEASE_HALL_REDIS)',
      { code: 'INVALID_INPUT', issues: [{ path: 'redis', message: 'required' }] },
    );
  }
  const hallData = await readDataFile(flags.hall, 'hall');
  resolveHall(hallData, buildAdapters(hallData));
  const credentialsFile = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
  if (credentialsFile !== undefined) {
    await readCredentialsFile(credentialsFile, {
      onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
    });
  }
  const journal = await openRedisJournal(flags, url);
  // One holder of each WeChat appid's token for every worker.
  const tokenStore = createRedisTokenStore({ url });
  try {
    const adapters = buildAdapters(hallData, undefined, { wechat: { tokenStore } });
    const worker = await startWorker({
      hall: resolveHall(hallData, adapters),
      adapters,
      credentials: createCredentialsResolver({
        ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
        onWarning: () => undefined,
      }),
      journal,
      url,
      concurrency,
      log: (level, message) => {
        if (level !== 'debug') process.stderr.write(`${level}: ${message}\n`);
      },
    });
    for (const name of ['delivery:succeeded', 'delivery:failed', 'delivery:skipped'] as const) {
      worker.events.on(name, ({ campaignId, result }) => {
        process.stderr.write(
          `${campaignId} ${result.accountId} (${result.platform}) ${result.status}${result.errorCode === undefined ? '' : ` ${result.errorCode}`}\n`,
        );
      });
    }
    process.stdout.write(
      `release-hall worker ${worker.id} taking deliveries (concurrency ${concurrency})\n`,
    );
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    process.stderr.write(`${signal}: taking no new delivery; letting those under way finish\n`);
    await worker.close();
    process.stderr.write('worker stopped\n');
    return 0;
  } finally {
    await journal.close();
    await tokenStore.close();
  }
}
