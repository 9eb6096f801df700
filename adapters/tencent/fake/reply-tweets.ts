/**
 * The answers of the Tencent Weibo fake (platforms.md §3.2, platforms-listening.md §2.2): `POST
 * t/reply` ("回复", a reply in the conversation of a tweet) and `POST t/comment` ("点评", a
 * comment on a tweet), form-encoded, with `content` and `reid` (the tweet answered). Both answer
 * as `t/add`: `data = {id, time}`. The answer is kept with the conversation (`inbox-store.ts`) and
 * shows on the account's `statuses/broadcast_timeline` (type 4 or 7), in the mentions timeline
 * of the author of `reid`, and (a comment) in `t/re_list` and `t/re_count` of `reid`.
 */
import { TENCENT_MAX_BYTES, countTencentText, tencentLinks } from '../count-tencent-text.js';
import type { ConversationTweetState } from './inbox-store.js';
import {
  seconds,
  tencentOk,
  tencentRefusal as refuse,
  type TencentCall,
  type TencentOutcome,
} from './state.js';
import { findTweet } from './tweet-json.js';

/**
 * `t/reply` and `t/comment`.
 *
 * - `content` missing or empty, `reid` missing or not digits → `ret=1` [unconfirmed: the codes].
 * - Text over 420 bytes after URL shortening → `ret=4 errcode=8` (§3.3).
 * - `reid` unknown or deleted → `ret=4 errcode=6` ("parent gone", §3.4).
 * - The same text to the same tweet again while the first answer stands → `ret=4 errcode=13`
 *   (duplicate, §3.4), when the platform refuses repeats.
 */
export function answerTweet(call: TencentCall): TencentOutcome {
  const { content, endpoint, account, params } = call;
  const text = params.get('content');
  const reid = params.get('reid');
  if (text === null) return refuse(1, 0, 'missing parameter content');
  if (text.trim() === '') return refuse(1, 0, 'content is empty');
  if (reid === null || reid === '') return refuse(1, 0, 'missing parameter reid');
  if (!/^\d+$/.test(reid)) return refuse(1, 0, 'reid must be a tweet id');
  if (countTencentText(text) > TENCENT_MAX_BYTES) {
    return refuse(4, 8, `content longer than ${TENCENT_MAX_BYTES} bytes`);
  }
  const source = findTweet(content, reid);
  if (source === undefined || source.deleted)
    return refuse(4, 6, 'the source tweet does not exist');
  const kind = endpoint === 't/comment' ? 'comment' : 'reply';
  const repeated = content.inbox.tweets.some(
    (tweet) =>
      tweet.byAccount &&
      tweet.openid === account.openid &&
      tweet.kind === kind &&
      tweet.sourceId === reid &&
      tweet.sentText === text,
  );
  if (repeated && content.settings().refuseRepeats) {
    return refuse(4, 13, 'duplicate tweet: the same text was already sent');
  }
  const id = content.nextPostId();
  let shown = text;
  if (content.settings().shortenLinks) {
    for (const link of tencentLinks(text)) shown = shown.replace(link, content.shortLink(link));
  }
  const tweet: ConversationTweetState = {
    id,
    idstr: id.toString(),
    kind,
    sourceId: reid,
    name: account.name,
    nick: account.nick,
    openid: account.openid,
    text: shown,
    sentText: text,
    createdAt: content.now(),
    byAccount: true,
    endpoint: endpoint === 't/comment' ? 't/comment' : 't/reply',
  };
  content.inbox.add(tweet);
  return tencentOk({ id: tweet.idstr, time: seconds(tweet.createdAt) });
}
