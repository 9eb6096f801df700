/**
 * The conversation on the fake's accounts (platforms-listening.md §2.2): what citizens write to
 * them, comments ("点评", type 7) and replies ("回复", type 4) on their tweets and tweets that @
 * them, seeded by tests and the sandbox with `TencentPlatform.addComment`, `addReply` and
 * `addMention`; and the accounts' own answers, `t/reply` and `t/comment` (`reply-tweets.ts`). The
 * inbox endpoints (`read-inbox.ts`) read them; an account's answers are also on its
 * `statuses/broadcast_timeline`.
 *
 * A citizen's tweet takes its id from the same counter as the accounts' tweets, so every id is
 * unique on the platform. Its time is whatever the test gives (`at`), so ids and times need not
 * run in the same order: the lists page by time, as Tencent's do.
 */
import { createHash } from 'node:crypto';

/** What a conversation tweet is: a comment or a reply on a tweet, or an original that @ accounts. */
export type ConversationKind = 'comment' | 'reply' | 'mention';

/** A tweet of the conversation as the fake keeps it. */
export interface ConversationTweetState {
  readonly id: bigint;
  readonly idstr: string;
  readonly kind: ConversationKind;
  /** For a comment or a reply: the id of the tweet it answers. */
  readonly sourceId: string | undefined;
  /** The author's account name (`name`). */
  readonly name: string;
  /** The author's display name (`nick`). */
  readonly nick: string;
  readonly openid: string;
  /** Text as reads show it (links shortened for an account's answer). */
  readonly text: string;
  /** Text exactly as sent. */
  readonly sentText: string;
  /** Platform time (ms). */
  readonly createdAt: number;
  /** Written by a registered account (`t/reply`, `t/comment`), not seeded for a citizen. */
  readonly byAccount: boolean;
  /** The endpoint that wrote it, for an account's answer. */
  readonly endpoint: 't/reply' | 't/comment' | undefined;
}

/** A comment or a reply to seed with `TencentPlatform.addComment` / `addReply`. */
export interface TencentCommentInit {
  /** The id of the tweet commented on: a tweet the fake holds (an account's or a citizen's). */
  readonly postId: string;
  /** Account name of the citizen (`name`), e.g. `shimin_a`. */
  readonly author: string;
  /** Display name of the citizen (`nick`). @default author */
  readonly nick?: string;
  readonly text: string;
  /** When it was written (platform time). @default now */
  readonly at?: Date | number;
}

/** A tweet that @ accounts, to seed with `TencentPlatform.addMention`. */
export interface TencentMentionInit {
  /** Account name of the citizen (`name`). */
  readonly author: string;
  /** Display name of the citizen (`nick`). @default author */
  readonly nick?: string;
  /** The text; it must @ at least one registered account by its name (`@beijingfabu …`). */
  readonly text: string;
  /** When it was posted (platform time). @default now */
  readonly at?: Date | number;
}

/** A conversation tweet, as the inspection API shows it. */
export interface TencentConversationTweet {
  /** The tweet id, as a string. */
  readonly id: string;
  readonly kind: ConversationKind;
  /** The tweet it answers (comments and replies). */
  readonly postId: string | undefined;
  /** The author's account name. */
  readonly author: string;
  readonly nick: string;
  readonly openid: string;
  /** Text exactly as sent. */
  readonly text: string;
  readonly createdAt: Date;
  /** Written by a registered account through `t/reply` or `t/comment`. */
  readonly byAccount: boolean;
}

/** The conversation tweets, in the order they were added. */
export class InboxStore {
  readonly tweets: ConversationTweetState[] = [];
  readonly #byId = new Map<string, ConversationTweetState>();

  add(tweet: ConversationTweetState): void {
    this.tweets.push(tweet);
    this.#byId.set(tweet.idstr, tweet);
  }

  get(id: string): ConversationTweetState | undefined {
    return this.#byId.get(id);
  }

  /** Forgets every conversation tweet. */
  clear(): void {
    this.tweets.length = 0;
    this.#byId.clear();
  }
}

/** The openid of a citizen: 32 hex characters derived from the name, the same every time. */
export function citizenOpenid(name: string): string {
  return createHash('md5').update(`citizen:${name}`).digest('hex').toUpperCase();
}

/** Whether `text` @ the account name: `@name` followed by the end, a space or punctuation. */
export function mentionsName(text: string, name: string): boolean {
  // [unconfirmed] the mention syntax: `@name` (the account name, platforms.md §3.3) ended by a
  // space, punctuation or the end of the text.
  let from = 0;
  for (;;) {
    const at = text.indexOf(`@${name}`, from);
    if (at === -1) return false;
    const next = text.charAt(at + name.length + 1);
    if (next === '' || /[\s\p{P}\p{S}]/u.test(next)) return true;
    from = at + 1;
  }
}

/** A time given as a `Date` or ms, or `fallback`. */
export function timeOf(at: Date | number | undefined, fallback: number): number {
  if (at === undefined) return fallback;
  return at instanceof Date ? at.getTime() : at;
}

/** A conversation tweet as the inspection API shows it. */
export function conversationSnapshot(tweet: ConversationTweetState): TencentConversationTweet {
  return {
    id: tweet.idstr,
    kind: tweet.kind,
    postId: tweet.sourceId,
    author: tweet.name,
    nick: tweet.nick,
    openid: tweet.openid,
    text: tweet.sentText,
    createdAt: new Date(tweet.createdAt),
    byAccount: tweet.byAccount,
  };
}
