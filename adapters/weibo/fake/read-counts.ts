/**
 * The reach endpoint of the Weibo fake (platforms-listening.md §1.4): `GET statuses/count`, the
 * reposts, comments and attitudes of up to {@link STATUSES_COUNT_MAX_IDS} statuses in one call.
 *
 * The counts come from the fake's own state: `reposts` are the live statuses that repost the
 * status, `comments` the comments stored on it (`addComment`), `attitudes` what a test set with
 * `setAttitudes` (0 otherwise: one SDK marks them "not yet supported" [unconfirmed]).
 */
import { RawJsonNumber } from '../../fake/raw-json.js';
import { isVisible, weiboOk, type WeiboCall, type WeiboOutcome } from './state.js';

/** Most ids `statuses/count` takes in one call (§1.4). */
export const STATUSES_COUNT_MAX_IDS = 100;

/**
 * `statuses/count`: one entry per visible status asked for, in the order asked. Unknown, deleted
 * and not yet visible ids are left out without an error (a v1 note) [unconfirmed for v2]. More
 * than {@link STATUSES_COUNT_MAX_IDS} ids is refused with `10017` (§4.1 says refused; which code,
 * `10008` or `10017`, is [unconfirmed]). Ids are written as bare numbers beyond 2^53, with no
 * `idstr`, as the documented answer shows them.
 */
export function statusesCount(call: WeiboCall): WeiboOutcome {
  const { content, params, refuse } = call;
  const raw = params.get('ids');
  if (raw === null || raw === '') return refuse(10016, 'miss required parameter (ids)');
  const ids = raw.split(',');
  if (ids.some((id) => !/^\d+$/.test(id))) return refuse(10017, "parameter (ids)'s value invalid");
  if (ids.length > STATUSES_COUNT_MAX_IDS) {
    return refuse(
      10017,
      `parameter (ids)'s value invalid: at most ${STATUSES_COUNT_MAX_IDS} ids, got ${ids.length}`,
    );
  }
  const answer: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const status = content.posts.get(id);
    if (status === undefined || !isVisible(content, status)) continue;
    answer.push({
      id: new RawJsonNumber(status.idstr),
      comments: content.inbox.comments.filter((comment) => comment.statusId === status.idstr)
        .length,
      reposts: content.posts.all().filter((item) => item.sourceId === status.idstr && !item.deleted)
        .length,
      attitudes: content.attitudes.get(status.idstr) ?? 0,
    });
  }
  return weiboOk(answer);
}
