/** The Redis journal's round trips: batches, their replies, and errors as the journal's own. */
import type { ChainableCommander } from 'ioredis';
import { storeFailure } from './journal.js';

/** Deliveries per script call (and per read batch): bounds how long Redis is held by one call. */
export const BATCH = 500;

/** Runs a queued batch (a transaction or pipeline) and returns its replies; the first error throws. */
export async function execute(batch: ChainableCommander): Promise<unknown[]> {
  const replies = await batch.exec();
  if (replies === null) throw new Error('the Redis transaction was discarded');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** Splits `items` into arrays of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    out.push(items.slice(start, start + size));
  }
  return out;
}

/** Runs `body`; anything it throws leaves as a {@link ReleaseHallError}. */
export async function guarded<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw storeFailure(error);
  }
}
