/**
 * The adapter contract: the protocol of one platform behind one interface.
 *
 * Adapters classify platform replies into {@link ReleaseHallError}s and never retry on their own;
 * the core owns the retry loop, the queues and the journal.
 */
import type { z } from 'zod';
import type { Account } from './model/hall.js';
import type { InputIssue } from './errors.js';
import type { Logger } from './logger.js';

/** Version of this contract; an adapter states the one it implements. */
export const ADAPTER_SPECIFICATION_VERSION = 'v1';

/**
 * How a platform counts text, stated as data plus one counting function.
 * The renderer fits renditions with it; tests check it against the platform's vectors.
 */
export interface TextProfile {
  /** Human name of the rule, e.g. `weibo-140`. */
  readonly name: string;
  /** Largest count the platform accepts. */
  readonly maxLength: number;
  /** Counts text by the platform's rule. */
  readonly count: (text: string) => number;
  /** The text must carry a link on the hall's registered domain (Weibo `statuses/share`). */
  readonly requiresSafeDomainLink: boolean;
  /** `#topic#` marks are allowed in the text. */
  readonly allowsTopics: boolean;
}

/** Default rate limits an adapter declares; a hall file may override them. */
export interface RateLimits {
  /** Requests to the platform in flight at once across all accounts. */
  readonly platformConcurrency: number;
  /** Posts (original or relay) per account per window. */
  readonly postsPerWindow: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
  /** Per-request timeout in milliseconds. */
  readonly requestTimeoutMs: number;
}

/** Field limits of a long-form article (WeChat draft fields, platforms.md §1.4). */
export interface ArticleProfile {
  /** Longest title in characters. */
  readonly titleMax: number;
  /** Longest author in characters. */
  readonly authorMax: number;
  /** Longest digest in characters. */
  readonly digestMax: number;
  /** Content HTML must be shorter than this many characters (tags included). */
  readonly contentMaxChars: number;
}

/** What an adapter declares about its platform. */
export interface AdapterLimits {
  /**
   * The form a rendition takes on this platform: a short `text` post, or an `article`.
   * @default 'text'
   */
  readonly format?: 'text' | 'article';
  /** Field limits when `format` is `article`. */
  readonly article?: ArticleProfile;
  /** Text rule for short posts (and for relay comments). */
  readonly text: TextProfile;
  readonly rate: RateLimits;
  /** The platform can repost another account's post with a comment. */
  readonly supportsRelay: boolean;
}

/** A post made for one account: plain text, with an optional link it carries. */
export interface TextRendition {
  readonly format: 'text';
  readonly text: string;
  /** Count by the platform's rule. */
  readonly length: number;
  /** The full-text link the text carries, if any. */
  readonly link?: string;
  /** Topics contained in the text. */
  readonly topics: readonly string[];
  /** True when the statement was summarised to fit. */
  readonly summarised: boolean;
}

/** A long-form article (WeChat). */
export interface ArticleRendition {
  readonly format: 'article';
  readonly title: string;
  readonly author?: string;
  readonly digest: string;
  readonly html: string;
  readonly sourceUrl: string;
  readonly cover?: string;
}

/** The platform-ready form of a statement for one account. */
export type Rendition = TextRendition | ArticleRendition;

/** A post on a platform. Ids are strings, never numbers. */
export interface PostRef {
  readonly platform: string;
  readonly accountId: string;
  /** The platform's id of the post, as a string (`idstr` on Weibo). */
  readonly id: string;
  /** Public URL of the post, when the platform has one. */
  readonly url?: string;
}

/** What a delivery is, as an adapter needs it to look itself up. */
export interface DeliveryDescriptor {
  readonly action: 'post' | 'relay';
  readonly rendition: Rendition;
  /** For a relay: the post being relayed. */
  readonly source?: PostRef;
  /** When the first attempt left; a match must be at or after it (less clock skew). */
  readonly firstAttemptAt: Date;
  readonly idempotencyKey: string;
}

/** The answer of `findExisting`. */
export type FindExistingResult =
  | { readonly status: 'found'; readonly ref: PostRef }
  | { readonly status: 'not-found' }
  /** The platform cannot tell (read failed or not supported); never re-send on this. */
  | { readonly status: 'unknown'; readonly reason: string };

/** The answer of a write. */
export type PublishResult =
  | { readonly status: 'posted'; readonly ref: PostRef }
  /**
   * The platform took the post but gave no id yet (Weibo 20032: "posted, appears in 1–2 minutes").
   * The core looks it up; it is never re-sent.
   */
  | { readonly status: 'accepted'; readonly reason: string };

/** A push (a message to every follower) an account made or attempted, for its quota. */
export interface PushRecord {
  /** When it was submitted. */
  readonly at: Date | number | string;
  /** The platform refused it before taking it (no quota used). @default false */
  readonly refused?: boolean;
  /** Sent to all followers; `false` for a push to a follower tag (it counts against the quota too). @default true */
  readonly toAll?: boolean;
}

/** Where an account's push quota stands at one moment. */
export interface PushQuota {
  readonly period: 'day' | 'month';
  /** Pushes allowed per period. */
  readonly limit: number;
  readonly used: number;
  readonly left: number;
  /** The calendar period, e.g. `2026-11-26` or `2026-11` (the platform's time zone). */
  readonly periodKey: string;
  /** When the quota is back. */
  readonly resetsAt: Date;
}

/**
 * The journal note in which an adapter keeps a push's platform id (WeChat's `msg_id`) the
 * moment it is known, so a resumed run asks for its status instead of sending it again.
 */
export const PUSH_ID_NOTE = 'broadcast.id'; // the stored key; journals already hold it

/**
 * How long after its first attempt a push in doubt may be repeated safely: WeChat refuses a
 * repeated `clientmsgid` for 24 hours; past that, a repeat would push again.
 */
export const PUSH_REPEAT_WINDOW_MS = 23 * 3_600_000;

/** The answer of a push (WeChat mass send). */
export interface PushResult {
  /**
   * `sent`, `sending` and `submitted` mean the platform took it; `awaiting-confirmation` waits for
   * an administrator (until `deadline`); `failed` and `deleted` are final.
   */
  readonly status:
    'sent' | 'sending' | 'submitted' | 'awaiting-confirmation' | 'failed' | 'deleted';
  readonly ref: PostRef;
  /** An earlier attempt with the same idempotency key had already sent it. */
  readonly alreadySent: boolean;
  readonly deadline?: Date;
  /** The platform's own status text, for the report. */
  readonly detail?: string;
}

/** The answer of a retract. */
export interface RetractResult {
  readonly status: 'removed' | 'already-gone';
  /** What the report must tell the person who retracted (e.g. a WeChat mass delete's side effect). */
  readonly warning?: string;
}

/** Secrets of one account, resolved at call time. Never stored by the library. */
export type Credentials = Readonly<Record<string, string>>;

/** Everything an adapter call gets besides its arguments. */
export interface DeliveryContext {
  readonly signal: AbortSignal;
  /** Derived from (campaign, account, action). */
  readonly idempotencyKey: string;
  readonly credentials: Credentials;
  /** A logger whose output is redacted. */
  readonly logger: Logger;
  /** The hall's registered domain, when it has one. */
  readonly siteDomain?: string;
  /** Per-request timeout in milliseconds. */
  readonly requestTimeoutMs: number;
  /**
   * Makes a fact about this delivery durable in the journal before the adapter's next call (a
   * platform job id such as WeChat's `publish_id`), so a resumed run can pick the job up again.
   */
  readonly journalNote?: (key: string, value: string) => Promise<void>;
  /** Facts an earlier run of this delivery journaled with `journalNote`. */
  readonly notes?: Readonly<Record<string, string>>;
}

/** The counts a reach reading may hold, in the order reports show them. */
export const REACH_COUNTS = ['reposts', 'comments', 'likes', 'reads', 'sent'] as const;

/** One of {@link REACH_COUNTS}. */
export type ReachCount = (typeof REACH_COUNTS)[number];

/**
 * The reach of one post as the platform counted it when it was read. Platforms that send counts as
 * strings (Weibo's commercial API) are read the same: every count here is a number. A count the
 * platform does not give for this kind of post is absent, never 0 (Tencent has no likes; a WeChat
 * article has reads and shares but no reposts; Weibo tells no reads to ordinary apps).
 */
export interface PostReach {
  /** The platform's id of the post, as a string. */
  readonly postId: string;
  /** Reposts (shares) of the post. */
  readonly reposts?: number;
  readonly comments?: number;
  /** Likes (Weibo: attitudes). */
  readonly likes?: number;
  /** Reads (WeChat: article page reads, from the next day's statistics). */
  readonly reads?: number;
  /** Followers a push reached (WeChat: `SentCount` of the mass-send notice). */
  readonly sent?: number;
  /** When the counts were read, ISO 8601 in UTC. */
  readonly readAt: string;
}

/** What the journal knows of a post whose reach is read. */
export interface PostFacts {
  /** The facts the delivery that made the post journaled (`journalNote`). */
  readonly notes?: Readonly<Record<string, string>>;
  /** When the delivery ended with the post live, ISO 8601. */
  readonly postedAt?: string;
}

/** Everything a reach read gets besides the account and the post ids. */
export interface ReachContext extends Pick<
  DeliveryContext,
  'signal' | 'credentials' | 'logger' | 'requestTimeoutMs'
> {
  /**
   * What the journal knows of the posts asked for, by post id (a WeChat push's `msg_data_id`,
   * which the statistics need and the post id does not give). Absent when not known.
   */
  readonly posts?: ReadonlyMap<string, PostFacts>;
}

/**
 * An account's followers and how much it posted, as its platform shows them: what a member
 * scorecard reads. A figure the platform does not give is absent.
 */
export interface AccountActivity {
  /** Followers now (Weibo `followers_count`, Tencent `fansnum`, WeChat `user/get` `total`). */
  readonly followers?: number;
  /** Posts the account made at or after the `since` asked, counted on its own timeline. */
  readonly postsSince?: number;
  /**
   * True when the timeline held more posts after `since` than one read may walk: `postsSince`
   * is then a lower bound.
   */
  readonly postsTruncated?: boolean;
  /** When the account last posted, ISO 8601 in UTC, where it could be read. */
  readonly lastPostAt?: string;
  /** When the figures were read, ISO 8601 in UTC. */
  readonly readAt: string;
}

/** Everything an activity read gets besides the account and the start of the period. */
export interface ActivityContext extends ReachContext {
  /** The time of the read. */
  readonly now: Date;
}

/** How one readiness finding stands: fine, worth a look, or in the way of the next publish. */
export type ReadinessStatus = 'ok' | 'warning' | 'problem';

/**
 * What a readiness finding is about: the token, whether it belongs to the account the hall file
 * names, the platform's verification, the last post, whether the API can be reached from here,
 * and the hall's naming rule.
 */
export type ReadinessAspect =
  'token' | 'identity' | 'verified' | 'last-post' | 'reachability' | 'naming';

/** One thing a readiness check found about an account. */
export interface ReadinessFinding {
  readonly aspect: ReadinessAspect;
  readonly status: ReadinessStatus;
  /** A few words for a table cell, e.g. `expires in 12 d`, `government (1)`, `3 d ago`. */
  readonly summary: string;
  /** What was found, in plain words. */
  readonly message: string;
  /** What to do about it; present for every warning and problem. */
  readonly fix?: string;
}

/** The answer of `checkAccount`: the findings and the facts the platform told. */
export interface AccountReadiness {
  readonly findings: readonly ReadinessFinding[];
  /** Seconds the token has left, where the platform tells (Weibo `get_token_info`). */
  readonly tokenExpiresInSeconds?: number;
  /** The screen name or account name the platform shows, where it tells. */
  readonly screenName?: string;
  /** When the account last posted, where it could be read. */
  readonly lastPostAt?: Date;
}

/** Everything a readiness check gets besides the account. */
export interface CheckContext {
  readonly signal: AbortSignal;
  readonly credentials: Credentials;
  /** A logger whose output is redacted. */
  readonly logger: Logger;
  /** Per-request timeout in milliseconds. */
  readonly requestTimeoutMs: number;
  /** The time the check runs at; the last post's age is measured from it. */
  readonly now: Date;
  /** Days without a post after which an account counts as dormant. */
  readonly dormantDays: number;
}

/**
 * What an inbox item is: a `comment` on one of the account's posts (or a reply to one of its
 * comments), a `mention` of the account (a post or a comment that @ it), or a private `message`
 * sent to the account (WeChat: a follower's message through the callback; answered within 48 hours
 * by a customer-service message).
 */
export type InboxKind = 'comment' | 'mention' | 'message';

/** Someone who wrote an inbox item. */
export interface InboxAuthor {
  /** The platform's id of the user, as a string, when the platform tells. */
  readonly id?: string;
  /** The name the platform shows (screen name, nickname). */
  readonly name: string;
}

/** One comment or mention left on an account, as every platform reports it. Ids are strings. */
export interface InboxItem {
  readonly platform: string;
  readonly accountId: string;
  readonly kind: InboxKind;
  /** The platform's id of the comment or post, as a string. */
  readonly remoteId: string;
  /** The post the item belongs to: the post commented on, or the mentioning post itself. */
  readonly postId?: string;
  /** The comment this one replies to. */
  readonly replyToId?: string;
  readonly author: InboxAuthor;
  readonly text: string;
  /** When it was written, ISO 8601 in UTC. */
  readonly at: string;
}

/**
 * Where an earlier inbox read stopped: the newest id seen in each list the platform keeps,
 * keyed by a name the adapter chooses (Weibo: the endpoint). Save it as it is and give it back.
 */
export type InboxCursor = Readonly<Record<string, string>>;

/** What to read from an account's inbox. */
export interface InboxRequest {
  /** Which items to read. @default ['comment', 'mention'] */
  readonly kinds?: readonly InboxKind[];
  /** Read only the comments on this post (its platform id) instead of the account's lists. */
  readonly postId?: string;
  /** The cursor of an earlier read: only newer items come back. Without it, the newest ones. */
  readonly since?: InboxCursor;
  /** Most items read from each list in one call. @default 1000 */
  readonly maxItems?: number;
}

/** The answer of `readInbox`. */
export interface InboxRead {
  /** The items, oldest first, each once. */
  readonly items: readonly InboxItem[];
  /** The cursor to save and give back as `since` next time. */
  readonly cursor: InboxCursor;
  /**
   * `false` when a list held more than `maxItems` items to read: the newest are returned and the
   * cursor keeps the stretch still unread, which the next read with it returns first. Nothing is
   * skipped and nothing comes twice.
   */
  readonly complete: boolean;
}

/** Everything an inbox read gets besides the account and the request. */
export type InboxContext = Pick<
  DeliveryContext,
  'signal' | 'credentials' | 'logger' | 'requestTimeoutMs'
>;

/** Everything a reply to an inbox item gets besides the account, the item and the text. */
export interface InboxReplyContext extends InboxContext {
  /** Derived from (item, text): the same reply always has the same key. */
  readonly idempotencyKey: string;
  /** The time of the reply, for windows the platform enforces (WeChat: 48 hours after a message). */
  readonly now: Date;
}

/** The answer of `replyToInbox`: the reply the platform stored. */
export interface InboxReplyResult {
  /** The platform's id of the reply, as a string. */
  readonly remoteId: string;
  /** When the platform says it was written, ISO 8601 in UTC, when it tells. */
  readonly at?: string;
}

/** The answer of `findInboxReply`: the account's reply to the item with that text, if found. */
export type FindInboxReplyResult =
  | { readonly found: true; readonly remoteId: string; readonly at?: string }
  | { readonly found: false };

/**
 * The protocol of one platform.
 *
 * Every method either resolves with what happened or throws a `ReleaseHallError` whose code says
 * why. A write that may have landed throws `AMBIGUOUS`.
 */
export interface Adapter {
  readonly specificationVersion: typeof ADAPTER_SPECIFICATION_VERSION;
  /** Platform name as used in hall files (`weibo`, `tencent`, `wechat`, or your own). */
  readonly platform: string;
  readonly limits: AdapterLimits;
  /** Names of the credential fields the account needs (e.g. `access_token`). */
  readonly credentialFields: readonly string[];
  /** Checks the platform fields of an account in the hall file (e.g. Weibo `uid`). */
  readonly accountSchema?: z.ZodType<Record<string, unknown>>;
  /**
   * The checked account fields that name the platform identity (Weibo `uid`, WeChat `appid`,
   * Tencent `openid`). Two members on the same identity are refused: they would post twice on one
   * account.
   */
  readonly identityFields?: readonly string[];
  /** Public URL of a post, for reports. */
  postUrl?(ref: { id: string }, account: Account): string | undefined;
  /**
   * Problems in the adapter's own settings that would make every write fail (e.g. Weibo's `rip`
   * not set). Asked before a campaign sends anything; an empty list means ready.
   */
  checkReady?(): readonly InputIssue[];
  /**
   * What the platform would refuse about a rendition that can be found without sending: pictures
   * of the wrong type or size, files that cannot be read, fields over their limits. Asked for
   * every delivery of a campaign before anything is sent (publish, dry run and preview alike); an
   * empty list means nothing is known to be wrong.
   */
  checkRendition?(rendition: Rendition, account: Account): Promise<readonly InputIssue[]>;
  publish(rendition: Rendition, account: Account, context: DeliveryContext): Promise<PublishResult>;
  relay(
    source: PostRef,
    rendition: Rendition,
    account: Account,
    context: DeliveryContext,
  ): Promise<PublishResult>;
  retract(ref: PostRef, account: Account, context: DeliveryContext): Promise<RetractResult>;
  findExisting(
    delivery: DeliveryDescriptor,
    account: Account,
    context: DeliveryContext,
  ): Promise<FindExistingResult>;
  /**
   * Pushes the rendition to every follower (WeChat mass send). Must be idempotent by
   * `context.idempotencyKey`: repeating it after an unclear failure never pushes twice.
   */
  push?(rendition: Rendition, account: Account, context: DeliveryContext): Promise<PushResult>;
  /** The account's push quota at `at`, given the pushes it made. */
  pushQuota?(account: Account, at: Date, pushes: readonly PushRecord[]): PushQuota;
  /**
   * A read-only readiness check of one account: whether its token works (and how long it has
   * left, where the platform tells), whether it belongs to the identity the hall file names,
   * the platform's verification, and how long ago the account last posted. Makes only reads: it
   * never posts, never spends a push or publish quota. Resolves with findings, also for a token
   * the platform refuses (that is a `problem` finding); throws only when the check itself could
   * not be carried out (network, malformed reply) or the input is wrong.
   */
  checkAccount?(account: Account, context: CheckContext): Promise<AccountReadiness>;
  /**
   * Reads the reach (reposts, comments, likes) of posts of one account, as many calls as the
   * platform's batch size needs. Resolves with one reading per post the platform still shows, in
   * the order asked; a post it no longer shows (deleted) has none. Makes only reads. Throws a
   * `ReleaseHallError` as every method does; nothing is retried by the adapter.
   */
  readReach?(
    account: Account,
    postIds: readonly string[],
    context: ReachContext,
  ): Promise<readonly PostReach[]>;
  /**
   * Reads an account's followers and counts its posts since `since` on its own timeline (a
   * bounded number of pages; see {@link AccountActivity.postsTruncated}). Makes only reads.
   */
  readActivity?(account: Account, since: Date, context: ActivityContext): Promise<AccountActivity>;
  /**
   * Reads the comments and mentions citizens left on one account, newest back to
   * `request.since` (or `maxItems`), and returns them oldest first with the cursor to save.
   * Makes only reads. Throws a `ReleaseHallError` as every method does (`RATE_LIMITED` with its
   * wait, `AUTH_EXPIRED`, ...); nothing is retried by the adapter.
   */
  readInbox?(account: Account, request: InboxRequest, context: InboxContext): Promise<InboxRead>;
  /**
   * Answers one inbox item publicly, as the account (Weibo: a reply to the comment). Sends one
   * write, once; never retried by the adapter. A write that may have landed (a timeout, a 5xx
   * after the platform took it) throws `AMBIGUOUS`: the caller looks the reply up with
   * `findInboxReply` before it sends again. Text the platform would refuse for its length throws
   * `INVALID_INPUT` before anything is sent.
   */
  replyToInbox?(
    account: Account,
    item: InboxItem,
    text: string,
    context: InboxReplyContext,
  ): Promise<InboxReplyResult>;
  /**
   * Gets ready to reply as the account (WeChat: gets the access token) before the reply is
   * recorded `sending`, so that a failure here is certain to have sent nothing, and a run stopped
   * between the record and the call has only the call itself left. Makes no write.
   */
  prepareReply?(account: Account, context: InboxContext): Promise<void>;
  /**
   * Looks for the account's reply to `item` with `text` among its latest comments (newest first,
   * a bounded number): the check made before a reply that may have landed is sent again. Makes
   * only reads.
   */
  findInboxReply?(
    account: Account,
    item: InboxItem,
    text: string,
    context: InboxReplyContext,
  ): Promise<FindInboxReplyResult>;
}
