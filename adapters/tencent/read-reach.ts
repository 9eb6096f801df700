/**
 * `readReach` on Tencent Weibo (platforms-listening.md §2.2): the relays and comments of an
 * account's tweets, read with `GET t/re_count?ids=…&flag=2`, at most
 * {@link TENCENT_REACH_BATCH_SIZE} ids per call, with the OAuth parameters and `format=json`.
 *
 * - The answer is keyed by tweet id: `data = {"<id>": {"count": reposts, "mcount": comments}}`.
 *   Counts may come as numbers or digit strings: both are read.
 * - `flag=2` asks for both counts, as the SDKs do; what 0 and 1 mean is [unconfirmed].
 * - An id the answer leaves out (a deleted tweet) gets no reading [unconfirmed].
 * - Tencent has no likes: `likes` is left out, never 0.
 * - The official JS SDK lists `t/re_count` as POST, other clients as GET; the adapter reads with
 *   GET, as every other read.
 */
import { failMalformed, invalidInput, isRecord } from '#adapter-kit';
import type { Account, PostReach, ReachContext } from '#core';

import type { TencentSettings } from './options.js';
import { tencentGet, withTencentCall } from './tencent-call.js';

/**
 * Ids per `t/re_count` call. The largest batch Tencent took is [unconfirmed]; 30 is a
 * conservative guess well under the 100 of Sina Weibo's `statuses/count`.
 */
export const TENCENT_REACH_BATCH_SIZE = 30;

const DIGITS = /^\d+$/;

/** A count read as a number, whether the platform sent `12` or `"12"`. */
function readCount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && DIGITS.test(value)) return Number(value);
  return undefined;
}

/** Reads the reach of `postIds` of one account, {@link TENCENT_REACH_BATCH_SIZE} ids per call. */
export async function readTencentReach(
  settings: TencentSettings,
  account: Account,
  postIds: readonly string[],
  context: ReachContext,
): Promise<readonly PostReach[]> {
  const issues = postIds
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !DIGITS.test(id))
    .map(({ id, index }) => ({
      path: `postIds.${index}`,
      message: `expected a Tencent tweet id (digits), got "${id}"`,
    }));
  if (issues.length > 0) throw invalidInput('Tencent reach request', issues);
  const unique = [...new Set(postIds)];
  if (unique.length === 0) return [];
  return withTencentCall(settings, account, context, 't/re_count', async (call) => {
    const readings = new Map<string, PostReach>();
    for (let start = 0; start < unique.length; start += TENCENT_REACH_BATCH_SIZE) {
      const batch = unique.slice(start, start + TENCENT_REACH_BATCH_SIZE);
      const { body, call: info } = await tencentGet(call, 't/re_count', {
        ids: batch.join(','),
        flag: '2',
      });
      const readAt = new Date().toISOString();
      const data = body.data;
      // [unconfirmed] An answer with none of the ids may come as `data: null`.
      if (data === null || data === undefined) continue;
      if (!isRecord(data)) return failMalformed(info, 'a reply whose data is not keyed by id');
      for (const id of batch) {
        const entry = data[id];
        if (entry === undefined) continue;
        if (!isRecord(entry))
          return failMalformed(info, `counts of tweet ${id} that are not an object`);
        const reposts = readCount(entry.count);
        const comments = readCount(entry.mcount);
        if (reposts === undefined || comments === undefined) {
          return failMalformed(info, `counts of tweet ${id} that are not whole numbers`);
        }
        readings.set(id, { postId: id, reposts, comments, readAt });
      }
    }
    return unique.flatMap((id) => {
      const reading = readings.get(id);
      return reading === undefined ? [] : [reading];
    });
  });
}
