/**
 * Tweets as the Tencent Weibo fake's reads show them (`data.info[]`, platforms-listening.md §2.2):
 * the accounts' own tweets and the citizens' ones alike, with `id` (a string), `text` (HTML),
 * `origtext`, `timestamp` (seconds), `type`, `name`, `nick`, `count`, `mcount` and `source`.
 */
import type { ConversationTweetState } from './inbox-store.js';
import { seconds, type TencentContent, type TweetState } from './state.js';

/** A tweet of an account or of a citizen, as the lists read it. */
export interface ListedTweet {
  readonly id: bigint;
  readonly idstr: string;
  readonly openid: string;
  readonly name: string;
  readonly nick: string;
  /** Tencent's `type`: 1 original, 2 relay, 4 reply, 7 comment. */
  readonly type: 1 | 2 | 4 | 7;
  /** The tweet passed on or answered. */
  readonly sourceId: string | undefined;
  /** Text as shown (links shortened). */
  readonly text: string;
  /** Text as sent. */
  readonly sentText: string;
  readonly createdAt: number;
  readonly deleted: boolean;
  readonly underReview: boolean;
  readonly hasPicture: boolean;
  /** Written by a citizen (seeded), not by a registered account. */
  readonly citizen: boolean;
}

const OWN_TYPES = { original: 1, relay: 2 } as const;
const CONVERSATION_TYPES = { mention: 1, reply: 4, comment: 7 } as const;

/** An account's tweet as the lists read it. */
export function listedOwn(content: TencentContent, tweet: TweetState): ListedTweet {
  const account = content.accounts.get(tweet.openid);
  return {
    id: tweet.id,
    idstr: tweet.idstr,
    openid: tweet.openid,
    name: account?.name ?? tweet.openid,
    nick: account?.nick ?? tweet.openid,
    type: OWN_TYPES[tweet.kind],
    sourceId: tweet.sourceId,
    text: tweet.text,
    sentText: tweet.sentText,
    createdAt: tweet.createdAt,
    deleted: tweet.deleted,
    underReview: tweet.underReview,
    hasPicture: tweet.hasPicture,
    citizen: false,
  };
}

/** A conversation tweet (a citizen's, or an account's answer) as the lists read it. */
export function listedConversation(tweet: ConversationTweetState): ListedTweet {
  return {
    id: tweet.id,
    idstr: tweet.idstr,
    openid: tweet.openid,
    name: tweet.name,
    nick: tweet.nick,
    // [unconfirmed] a citizen's original tweet that @ an account is shown as type 1 (original);
    // §2.2 also names a type 6 (mention). The adapter does not read kinds from `type`.
    type: CONVERSATION_TYPES[tweet.kind],
    sourceId: tweet.sourceId,
    text: tweet.text,
    sentText: tweet.sentText,
    createdAt: tweet.createdAt,
    deleted: false,
    underReview: false,
    hasPicture: false,
    citizen: !tweet.byAccount,
  };
}

/** Every tweet the platform holds, accounts' and citizens', visible now (not in the future). */
export function everyTweet(content: TencentContent): ListedTweet[] {
  const now = content.now();
  return [
    ...content.posts.all().map((tweet) => listedOwn(content, tweet)),
    ...content.inbox.tweets.map(listedConversation),
  ].filter((tweet) => tweet.createdAt <= now);
}

/** One tweet by id, an account's or a citizen's. */
export function findTweet(content: TencentContent, id: string): ListedTweet | undefined {
  const own = content.posts.get(id);
  if (own !== undefined) return listedOwn(content, own);
  const said = content.inbox.get(id);
  return said === undefined ? undefined : listedConversation(said);
}

/**
 * Tweets ordered as the lists show them: newest first by time in seconds, then by id (the order
 * `pagetime` and `lastid` page in [derived]).
 */
export function newestFirst(tweets: readonly ListedTweet[]): ListedTweet[] {
  return [...tweets].sort((left, right) => {
    const byTime = seconds(right.createdAt) - seconds(left.createdAt);
    if (byTime !== 0) return byTime;
    return left.id === right.id ? 0 : left.id < right.id ? 1 : -1;
  });
}

/** Reposts (`count`) and comments (`mcount`) of a tweet, as `t/re_count` and the lists show. */
export function countsOf(
  content: TencentContent,
  id: string,
): { readonly count: number; readonly mcount: number } {
  const all = everyTweet(content).filter((tweet) => tweet.sourceId === id && !tweet.deleted);
  return {
    count: all.filter((tweet) => tweet.type === 2).length,
    mcount: all.filter((tweet) => tweet.type === 7).length,
  };
}

/** Escapes text as Tencent's `text` field carried it (HTML). [unconfirmed] */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * A tweet as `data.info[]` shows it. [unconfirmed] `status`: 0 normal, 2 under review, 3
 * deleted by its author (shown only for the source of a relay, reply or comment).
 */
export function tweetJson(
  content: TencentContent,
  tweet: ListedTweet,
  withSource: boolean,
  reader: string | undefined = undefined,
): Record<string, unknown> {
  const counts = countsOf(content, tweet.idstr);
  const json: Record<string, unknown> = {
    id: tweet.idstr,
    text: escapeHtml(tweet.text),
    origtext: tweet.sentText,
    timestamp: seconds(tweet.createdAt),
    type: tweet.type,
    status: tweet.deleted ? 3 : tweet.underReview ? 2 : 0,
    name: tweet.name,
    nick: tweet.nick,
    openid: tweet.openid,
    self: reader === undefined || reader === tweet.openid ? 1 : 0,
    from: tweet.citizen ? '腾讯微博' : 'release-hall sandbox',
    image: tweet.hasPicture ? [`http://app.qpic.cn/sandbox/${tweet.idstr}`] : null,
    count: counts.count,
    mcount: counts.mcount,
    source: null,
  };
  if (withSource && tweet.sourceId !== undefined) {
    const source = findTweet(content, tweet.sourceId);
    json.source =
      source === undefined || source.deleted
        ? { id: tweet.sourceId, text: '', origtext: '', status: 3 }
        : tweetJson(content, source, false, reader);
  }
  return json;
}
