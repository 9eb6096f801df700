/**
 * What citizens leave on the fake's accounts (platforms-listening.md §1.2): comments on their
 * statuses, replies to comments, and statuses by outside users that @ an account. Tests and the
 * sandbox seed them with `WeiboPlatform.addComment` and `WeiboPlatform.addMention`; the inbox
 * endpoints (`read-inbox.ts`) read them.
 *
 * Comment and mention ids come from the same counter as statuses, so every id is unique on the
 * platform and grows in the order things were added, as Weibo's global ids do [derived].
 */

/** A comment as the fake keeps it. */
export interface CommentState {
  readonly id: bigint;
  readonly idstr: string;
  /** `idstr` of the status commented on. */
  readonly statusId: string;
  readonly authorId: string;
  readonly authorName: string;
  readonly text: string;
  readonly createdAt: number;
  /** `idstr` of the comment this one replies to. */
  readonly replyToId: string | undefined;
}

/** A status by an outside user that @ an account. */
export interface MentionState {
  readonly id: bigint;
  readonly idstr: string;
  readonly authorId: string;
  readonly authorName: string;
  readonly text: string;
  readonly createdAt: number;
}

/** A comment to seed with `WeiboPlatform.addComment`. */
export interface WeiboCommentInit {
  /** `idstr` of the status commented on: a status the fake holds. */
  readonly statusId: string;
  /** Screen name of the citizen who comments. */
  readonly authorName: string;
  /** Uid of the citizen (digits). @default one uid per name, given out in order */
  readonly authorId?: string;
  readonly text: string;
  /** When it was written (platform time). @default now */
  readonly at?: Date | number;
  /** `idstr` of a comment on the same status this one replies to. */
  readonly replyToCommentId?: string;
}

/** A status that @ an account, to seed with `WeiboPlatform.addMention`. */
export interface WeiboMentionInit {
  /** Screen name of the citizen who posts. */
  readonly authorName: string;
  /** Uid of the citizen (digits). @default one uid per name, given out in order */
  readonly authorId?: string;
  /** The text; it must @ at least one registered account by its screen name (`@北京发布 …`). */
  readonly text: string;
  /** When it was posted (platform time). @default now */
  readonly at?: Date | number;
}

/** A seeded comment, as the inspection API shows it. */
export interface WeiboComment {
  /** `idstr`. */
  readonly id: string;
  readonly statusId: string;
  readonly authorId: string;
  readonly authorName: string;
  readonly text: string;
  readonly createdAt: Date;
  readonly replyToId: string | undefined;
}

/** A seeded mentioning status, as the inspection API shows it. */
export interface WeiboMention {
  /** `idstr`. */
  readonly id: string;
  readonly authorId: string;
  readonly authorName: string;
  readonly text: string;
  readonly createdAt: Date;
  /** Uids of the registered accounts it @. */
  readonly mentions: readonly string[];
}

/** First uid given to a citizen without one: outside the range the tests give accounts. */
const FIRST_CITIZEN_UID = 5_000_000_001n;

/** Comments and mentioning statuses, oldest first. */
export class InboxStore {
  readonly comments: CommentState[] = [];
  readonly mentions: MentionState[] = [];
  readonly #byId = new Map<string, CommentState>();
  readonly #citizenUids = new Map<string, string>();
  #nextCitizenUid = FIRST_CITIZEN_UID;

  /** The uid of a citizen: the one given, or the one handed to this name before. */
  authorUid(name: string, given: string | undefined): string {
    if (given !== undefined) {
      if (!/^\d+$/.test(given)) throw new TypeError(`authorId must be digits, got "${given}"`);
      return given;
    }
    const known = this.#citizenUids.get(name);
    if (known !== undefined) return known;
    const uid = (this.#nextCitizenUid++).toString();
    this.#citizenUids.set(name, uid);
    return uid;
  }

  addComment(comment: CommentState): void {
    this.comments.push(comment);
    this.#byId.set(comment.idstr, comment);
  }

  comment(id: string): CommentState | undefined {
    return this.#byId.get(id);
  }

  /** Forgets every comment and mention; citizens keep their uids. */
  clear(): void {
    this.comments.length = 0;
    this.mentions.length = 0;
    this.#byId.clear();
  }
}

/** Whether `text` @ the screen name: `@name` followed by the end, a space or punctuation. */
export function mentionsName(text: string, screenName: string): boolean {
  // [unconfirmed] the mention syntax (platforms.md §2.4): `@screen_name` ended by a space or
  // punctuation.
  let from = 0;
  for (;;) {
    const at = text.indexOf(`@${screenName}`, from);
    if (at === -1) return false;
    const next = text.charAt(at + screenName.length + 1);
    if (next === '' || /[\s\p{P}\p{S}]/u.test(next)) return true;
    from = at + 1;
  }
}

/** A time given as a `Date` or ms, or `fallback`. */
export function timeOf(at: Date | number | undefined, fallback: number): number {
  if (at === undefined) return fallback;
  return at instanceof Date ? at.getTime() : at;
}
