/**
 * `readReach` on Weibo (platforms-listening.md §1.4): the reposts, comments and attitudes of an
 * account's statuses, read with `GET statuses/count.json?ids=…`, at most
 * {@link WEIBO_REACH_BATCH_SIZE} ids per call.
 *
 * - The answer is a JSON list, `[{"id": …, "comments": N, "reposts": N, "attitudes": N}]`. Ids are
 *   int64 and may come as bare numbers: they are read from the text, never through a JS number.
 * - Counts may come as numbers or as strings (the commercial twin sends strings): both are read.
 * - Ids the platform does not know any more (deleted) are left out of its answer without an error
 *   (a v1 note) [unconfirmed for v2]: they get no reading.
 * - `attitudes` is marked "not yet supported" in one SDK and may be 0 [unconfirmed].
 *
 * Every call costs one read of the account's hourly budget (platforms.md §2.5); a refusal is
 * classified with the Weibo error mapping, and the caller decides when to read again.
 */
import {
  failMalformed,
  httpCall,
  invalidInput,
  isRecord,
  timeoutAndSignal,
  withCredential,
} from '#adapter-kit';
import type { Account, PostReach, ReachContext } from '#core';
import { WEIBO_PLATFORM } from './map-weibo-error.js';
import type { WeiboSettings } from './options.js';
import { readWeiboReply, weiboCall, type WeiboCall } from './read-reply.js';

/** Most ids `statuses/count` takes in one call (§1.4). */
export const WEIBO_REACH_BATCH_SIZE = 100;

const DIGITS = /^\d+$/;

/** Writes the bare integer ids of a `statuses/count` answer as strings, so none loses digits. */
function quoteIds(text: string): string {
  return text.replace(/"(id|idstr|mid)"(\s*):(\s*)(-?\d+)/g, '"$1"$2:$3"$4"');
}

/** A count read as a number, whether the platform sent `12` or `"12"`. */
export function readWeiboCount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && DIGITS.test(value)) return Number(value);
  return undefined;
}

/** The entries of one `statuses/count` answer, by status id. */
function readCounts(text: string, call: WeiboCall, readAt: string): Map<string, PostReach> {
  let body: unknown;
  try {
    body = JSON.parse(quoteIds(text)) as unknown;
  } catch {
    return failMalformed(call, 'a body that is not JSON');
  }
  if (!Array.isArray(body)) return failMalformed(call, 'a reply that is not a list of counts');
  const found = new Map<string, PostReach>();
  for (const entry of body) {
    if (!isRecord(entry))
      return failMalformed(call, 'an entry of the counts that is not an object');
    const id = [entry.idstr, entry.id, entry.mid].find(
      (value): value is string => typeof value === 'string' && DIGITS.test(value),
    );
    if (id === undefined) return failMalformed(call, 'an entry of the counts without an id');
    const reposts = readWeiboCount(entry.reposts);
    const comments = readWeiboCount(entry.comments);
    // [unconfirmed] attitudes may be missing where they are "not yet supported": read as 0.
    const likes = entry.attitudes === undefined ? 0 : readWeiboCount(entry.attitudes);
    if (reposts === undefined || comments === undefined || likes === undefined) {
      return failMalformed(call, `counts of status ${id} that are not whole numbers`);
    }
    found.set(id, { postId: id, reposts, comments, likes, readAt });
  }
  return found;
}

/** Reads the reach of `postIds` of one account, {@link WEIBO_REACH_BATCH_SIZE} ids per call. */
export async function readWeiboReach(
  settings: WeiboSettings,
  account: Account,
  postIds: readonly string[],
  context: ReachContext,
): Promise<readonly PostReach[]> {
  const issues = postIds
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !DIGITS.test(id))
    .map(({ id, index }) => ({
      path: `postIds.${index}`,
      message: `expected a Weibo status id (digits), got "${id}"`,
    }));
  if (issues.length > 0) throw invalidInput('Weibo reach request', issues);
  const unique = [...new Set(postIds)];
  if (unique.length === 0) return [];
  return withCredential(
    account,
    context,
    { platform: WEIBO_PLATFORM, field: 'access_token' },
    async (token) => {
      const call = weiboCall('statuses/count', false, account);
      const readings = new Map<string, PostReach>();
      for (let start = 0; start < unique.length; start += WEIBO_REACH_BATCH_SIZE) {
        const batch = unique.slice(start, start + WEIBO_REACH_BATCH_SIZE);
        const query = new URLSearchParams({ ids: batch.join(',') });
        // The token goes in the Authorization header, never the URL, so gateway and proxy access
        // logs do not keep it.
        const reply = await httpCall({
          ...call,
          fetch: settings.fetch,
          url: `${settings.baseURL}statuses/count.json?${query.toString()}`,
          method: 'GET',
          headers: { accept: 'application/json', authorization: `OAuth2 ${token}` },
          ...timeoutAndSignal(context),
        });
        const readAt = new Date().toISOString();
        if (reply.status >= 300 || !/^\s*\[/.test(reply.text)) {
          // An error envelope (or an object where a list was expected): mapped, or malformed.
          readWeiboReply(reply, call, settings, token);
          return failMalformed(call, 'a reply that is not a list of counts');
        }
        for (const [id, reading] of readCounts(reply.text, call, readAt)) {
          if (batch.includes(id)) readings.set(id, reading);
        }
      }
      return unique.flatMap((id) => {
        const reading = readings.get(id);
        return reading === undefined ? [] : [reading];
      });
    },
  );
}
