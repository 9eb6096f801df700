/**
 * The reach endpoint of the Tencent Weibo fake (platforms-listening.md §2.2): `t/re_count`, the
 * relays (`count`) and comments (`mcount`) of up to {@link TENCENT_RE_COUNT_MAX_IDS} tweets in one
 * call, as `data = {"<id>": {"count": N, "mcount": N}}`. Served as `GET` and as form `POST`: the
 * official JS SDK lists it as POST, other clients use GET (§2.2).
 *
 * The counts come from the fake's state: live relays of the tweet (`t/re_add`) and comments on it
 * (seeded with `addComment`, or written with `t/comment`). Tencent has no likes.
 */
import {
  tencentOk,
  tencentRefusal as refuse,
  type TencentCall,
  type TencentOutcome,
} from './state.js';
import { countsOf, findTweet } from './tweet-json.js';

/**
 * Most ids `t/re_count` takes in one call. [unconfirmed] No source states the limit; the fake
 * refuses more than the adapter's conservative batch, so a batch that grows is caught.
 */
export const TENCENT_RE_COUNT_MAX_IDS = 30;

/**
 * `t/re_count`: `ids` (comma list, required) and `flag`: 0 → `count` only, 1 → `mcount` only,
 * 2 → both [unconfirmed: §2.2 only says the SDKs pass 2 to get both]. Unknown and deleted ids are
 * left out of the answer without an error [unconfirmed].
 */
export function reCount(call: TencentCall): TencentOutcome {
  const { content, params } = call;
  const raw = params.get('ids');
  const flag = params.get('flag') ?? '0';
  if (raw === null || raw === '') return refuse(1, 0, 'missing parameter ids');
  const ids = raw.split(',');
  if (ids.some((id) => !/^\d+$/.test(id))) return refuse(1, 0, 'parameter ids must be tweet ids');
  if (ids.length > TENCENT_RE_COUNT_MAX_IDS) {
    return refuse(1, 0, `parameter ids takes at most ${TENCENT_RE_COUNT_MAX_IDS} ids`);
  }
  if (flag !== '0' && flag !== '1' && flag !== '2') {
    return refuse(1, 0, 'parameter flag must be 0, 1 or 2');
  }
  const data: Record<string, Record<string, number>> = {};
  for (const id of ids) {
    const tweet = findTweet(content, id);
    if (tweet === undefined || tweet.deleted) continue;
    const { count, mcount } = countsOf(content, id);
    data[id] = flag === '0' ? { count } : flag === '1' ? { mcount } : { count, mcount };
  }
  return tencentOk(data);
}
