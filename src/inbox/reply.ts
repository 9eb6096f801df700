/**
 * Replying to an inbox item, exactly once. The reply is linted first (discouraged phrases: one
 * flagged as an error refuses it before anything is written or sent), then recorded in the journal
 * under an idempotency key of the item and the text, and written `sending` before the platform is
 * called. The same text to the same item is sent at most once:
 *
 * - `sent` already: the earlier reply is the answer; nothing is sent;
 * - `sending` (a run that stopped mid-call, once its lease is over) or `unknown` (a timeout or a
 *   5xx after the platform may have taken it): the account's replies are looked up with
 *   `findInboxReply` first, and the reply is sent again only when it is not there;
 * - `planned` or `failed` (the platform certainly did not take it): sent.
 *
 * A reply sent (or found) marks the item answered.
 */
import type { Adapter, InboxItem } from '../adapter.js';
import { type CredentialsSource, CredentialsResolver } from '../credentials.js';
import { ReleaseHallError, invalidInput, toReleaseHallError } from '../errors.js';
import { type StoredInboxItem, hasInbox } from '../journal/inbox.js';
import type { Journal } from '../journal/journal.js';
import {
  type JournalReplies,
  type ReplyChange,
  type ReplyRecord,
  hasReplies,
  replyKey,
} from '../journal/replies.js';
import {
  DEFAULT_DISCOURAGED_PHRASES,
  type DiscouragedPhrase,
  findDiscouraged,
} from '../lint/discouraged-phrases.js';
import { mergePhrases, resolveLintSettings } from '../lint/lint-settings.js';
import { type Logger, silentLogger } from '../logger.js';
import type { Account } from '../model/hall.js';
import type { ResolvedHall } from '../model/load.js';

/**
 * How long a run holds a reply it is sending: another run that finds the reply `sending` within
 * this time leaves it alone; after it, the reply is looked up on the platform before any re-send.
 */
export const REPLY_SENDING_LEASE_MS = 120_000;

/** Options of {@link replyToItem}. */
export interface ReplyToItemOptions {
  /** The hall whose account answers. */
  readonly hall: ResolvedHall;
  /** The adapters; the item's platform must have `replyToInbox`. */
  readonly adapters: readonly Adapter[];
  /** Where the account's secrets come from. */
  readonly credentials: CredentialsSource | CredentialsResolver;
  /** The journal that holds the item (`inbox sync`) and records the reply. */
  readonly journal: Journal;
  /** The platform's id of the item (`remoteId`, as `inbox list` shows it). */
  readonly itemId: string;
  /** The reply. Leading and trailing spaces are dropped. */
  readonly text: string;
  /**
   * The member whose account answers. Picks the copy of an item in the inbox of several accounts
   * (a comment that @ another member's account); names another member, whose account on the
   * item's platform then answers in public (a WeChat message can be answered only by the account
   * it was sent to). @default the member the item is assigned to (`inbox assign`) when it has an
   * account on the platform and the item is public, else the account that holds the item
   */
  readonly as?: string | undefined;
  /**
   * The discouraged phrases looked for, replacing the built-in list; the hall's `lint` phrases are
   * added either way. @default DEFAULT_DISCOURAGED_PHRASES
   */
  readonly discouraged?: readonly DiscouragedPhrase[] | undefined;
  /**
   * Sends a reply left `unknown` (or `sending` past its lease) again without looking it up: for a
   * platform with no look-up of sent replies (WeChat customer-service messages), once a person has
   * checked on the platform that it did not arrive. Everything else is as without it; a reply
   * that is `sent` is never sent again.
   */
  readonly resendUnconfirmed?: boolean | undefined;
  /**
   * Whether a reply sent (or found) marks the item answered. `false` for an automatic answer (a
   * WeChat menu text sent late), after which a person still owes the citizen one. @default true
   */
  readonly markAnswered?: boolean | undefined;
  /** Stops the platform calls. */
  readonly signal?: AbortSignal | undefined;
  /** Where the adapter logs. @default silentLogger */
  readonly logger?: Logger | undefined;
  /** Timeout of each request. @default 15_000 */
  readonly requestTimeoutMs?: number | undefined;
  /** The clock. @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

/**
 * How a reply ended:
 *
 * - `sent`: sent now;
 * - `already-sent`: the journal holds it as sent; nothing was sent;
 * - `found`: an earlier send that may have landed was found on the platform; nothing was sent;
 * - `unknown`: it may have landed and could not be confirmed; run again to look it up (it is never
 *   sent again before it is looked up).
 */
export type ReplyOutcome = 'sent' | 'already-sent' | 'found' | 'unknown';

/** A discouraged phrase found in a reply that does not refuse it (a warning). */
export interface ReplyWarning {
  readonly phrase: string;
  readonly reason: string;
  readonly fix: string;
}

/** What {@link replyToItem} did. */
export interface ReplyToItemResult {
  readonly status: ReplyOutcome;
  /** The reply record as the journal holds it (`remoteId` once sent). */
  readonly reply: ReplyRecord;
  /** The item answered. */
  readonly item: StoredInboxItem;
  /** Discouraged phrases found that are warnings only. */
  readonly warnings: readonly ReplyWarning[];
  /**
   * Whether the platform can look a sent reply up (`findInboxReply`). When it cannot, an `unknown`
   * reply stays unknown until a person checks (and sends it with `resendUnconfirmed`).
   */
  readonly lookUp: boolean;
}

type RepliesJournal = Journal & JournalReplies;

/** The findings of the discouraged-phrase check: errors refuse the reply, warnings are reported. */
export function lintReply(
  text: string,
  hall: ResolvedHall,
  discouraged: readonly DiscouragedPhrase[] = DEFAULT_DISCOURAGED_PHRASES,
): { readonly errors: ReplyWarning[]; readonly warnings: ReplyWarning[] } {
  const settings = resolveLintSettings(hall.hall.lint);
  const errors: ReplyWarning[] = [];
  const warnings: ReplyWarning[] = [];
  if (settings.off.has('discouraged-phrase')) return { errors, warnings };
  const forced = settings.severity.get('discouraged-phrase');
  for (const phrase of mergePhrases(discouraged, settings.phrases)) {
    const found = findDiscouraged(text, phrase);
    if (found === undefined) continue;
    // A reply is not a crisis statement: `by-urgency` phrases are warnings.
    const severity = forced ?? (phrase.severity === 'error' ? 'error' : 'warning');
    (severity === 'error' ? errors : warnings).push({
      phrase: found,
      reason: phrase.reason,
      fix: phrase.fix,
    });
  }
  return { errors, warnings };
}

function resolverOf(credentials: CredentialsSource | CredentialsResolver): CredentialsResolver {
  return credentials instanceof CredentialsResolver
    ? credentials
    : new CredentialsResolver([credentials]);
}

/** The one stored item `itemId` names (on the member's account when `as` is given). */
async function findItem(journal: Journal, options: ReplyToItemOptions): Promise<StoredInboxItem> {
  if (!hasInbox(journal)) {
    throw invalidInput('journal', [{ path: 'journal', message: 'this journal keeps no inbox' }]);
  }
  const all = (await journal.listInbox()).filter((item) => item.remoteId === options.itemId);
  const own = all.filter((item) => item.memberId === options.as);
  // `as` picks among copies; a member who holds no copy answers the one copy there is.
  const items = own.length > 0 ? own : all;
  const [item, ...others] = items;
  if (item === undefined) {
    throw invalidInput('reply', [
      {
        path: 'itemId',
        message: `no inbox item ${options.itemId} in the journal: run inbox sync, then name an id inbox list shows`,
      },
    ]);
  }
  if (others.length > 0) {
    throw invalidInput('reply', [
      {
        path: 'as',
        message: `item ${options.itemId} is in the inbox of ${items.map((entry) => entry.accountId).join(', ')}: name the member who answers (--as)`,
      },
    ]);
  }
  return item;
}

/** The account on `platform` of a member, if it has one. */
function accountOn(hall: ResolvedHall, memberId: string, platform: string): Account | undefined {
  return hall.accounts.find(
    (account) => account.memberId === memberId && account.platform === platform,
  );
}

/**
 * The account that answers `item`: the one `as` names, else the assignee's on the item's platform
 * (public items only), else the account that holds it.
 */
function responder(hall: ResolvedHall, item: StoredInboxItem, as: string | undefined): Account {
  const holder = hall.accountById.get(item.accountId);
  if (holder === undefined) {
    throw invalidInput('reply', [
      {
        path: 'itemId',
        message: `account ${item.accountId} of item ${item.remoteId} is not in the hall file`,
      },
    ]);
  }
  const chosen = as ?? item.assignedTo;
  if (chosen === undefined || chosen === holder.memberId) return holder;
  const other = accountOn(hall, chosen, item.platform);
  if (as === undefined) {
    // An assignee without an account there, or a private message: the holder answers.
    return other === undefined || item.kind === 'message' ? holder : other;
  }
  if (!hall.hall.members.some((member) => member.id === as)) {
    throw invalidInput('reply', [
      { path: 'as', message: `no member "${as}" in the hall file: name a member id of the hall` },
    ]);
  }
  if (item.kind === 'message') {
    throw invalidInput('reply', [
      {
        path: 'as',
        message: `item ${item.remoteId} is a private message to ${holder.id}: only that account can answer it (a follower's id belongs to one account); leave out --as`,
      },
    ]);
  }
  if (other === undefined) {
    throw invalidInput('reply', [
      {
        path: 'as',
        message: `member ${as} has no ${item.platform} account in the hall file: answer --as ${holder.memberId}, or add the account`,
      },
    ]);
  }
  return other;
}

/** Everything one reply works with, resolved before anything is written. */
interface ReplyRun {
  readonly journal: RepliesJournal;
  readonly item: StoredInboxItem;
  readonly account: Account;
  readonly adapter: Adapter;
  /** The adapter's `replyToInbox`. */
  readonly send: NonNullable<Adapter['replyToInbox']>;
  readonly text: string;
  readonly key: string;
  readonly options: ReplyToItemOptions;
  readonly now: () => Date;
  readonly context: () => Promise<Parameters<NonNullable<Adapter['replyToInbox']>>[3]>;
}

async function prepare(
  options: ReplyToItemOptions,
  answering?: Account,
): Promise<ReplyRun & { warnings: ReplyWarning[] }> {
  const { journal, hall } = options;
  if (!hasReplies(journal)) {
    throw invalidInput('journal', [
      { path: 'journal', message: 'this journal keeps no replies (it has no planReply)' },
    ]);
  }
  const text = options.text.trim();
  if (text === '') throw invalidInput('reply', [{ path: 'text', message: 'the reply is empty' }]);
  const lint = lintReply(text, hall, options.discouraged ?? DEFAULT_DISCOURAGED_PHRASES);
  if (lint.errors.length > 0) {
    throw invalidInput(
      'reply',
      lint.errors.map((error) => ({
        path: 'text',
        message: `"${error.phrase}": ${error.reason}; ${error.fix}`,
      })),
    );
  }
  const item = await findItem(journal, options);
  const account = answering ?? responder(hall, item, options.as);
  const adapter = options.adapters.find((candidate) => candidate.platform === account.platform);
  if (adapter?.replyToInbox === undefined) {
    throw invalidInput('reply', [
      {
        path: 'itemId',
        message: `release-hall cannot reply on ${account.platform} (its adapter has no replyToInbox)`,
      },
    ]);
  }
  const key = replyKey(item, text);
  const credentials = resolverOf(options.credentials);
  const now = options.now ?? (() => new Date());
  let secrets: Awaited<ReturnType<CredentialsResolver['resolve']>> | undefined;
  return {
    journal,
    item,
    account,
    adapter,
    send: (...args) => adapter.replyToInbox!(...args),
    text,
    key,
    options,
    now,
    warnings: lint.warnings,
    context: async () => {
      secrets ??= await credentials.resolve(account, adapter.credentialFields);
      return {
        signal: options.signal ?? new AbortController().signal,
        credentials: secrets,
        logger: options.logger ?? silentLogger,
        requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
        idempotencyKey: key,
        now: now(),
      };
    },
  };
}

function planned(run: ReplyRun): ReplyRecord {
  const at = run.now().toISOString();
  return {
    key: run.key,
    platform: run.item.platform,
    accountId: run.account.id,
    memberId: run.account.memberId,
    itemRemoteId: run.item.remoteId,
    text: run.text,
    state: 'planned',
    version: 1,
    attempts: 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** Changes the record, or throws when another run changed it first. */
async function change(
  run: ReplyRun,
  record: ReplyRecord,
  step: Omit<ReplyChange, 'at'>,
): Promise<ReplyRecord> {
  const next = await run.journal.updateReply(record.key, record.version, {
    ...step,
    at: run.now().toISOString(),
  });
  if (next === undefined) {
    throw new ReleaseHallError(
      `[release-hall] the reply to item ${run.item.remoteId} was changed by another run meanwhile; run again to see where it stands`,
      { code: 'LEASE_LOST', platform: run.item.platform, accountId: run.item.accountId },
    );
  }
  return next;
}

/** Whether the adapter can look a sent reply up. */
function canLookUp(run: ReplyRun): boolean {
  return typeof run.adapter.findInboxReply === 'function';
}

/** Looks the reply up on the platform; `undefined` when the adapter cannot look. */
async function lookUp(run: ReplyRun): Promise<string | undefined | false> {
  const { adapter } = run;
  if (adapter.findInboxReply === undefined) return undefined;
  const found = await adapter.findInboxReply(
    run.account,
    itemOf(run.item),
    run.text,
    await run.context(),
  );
  return found.found ? found.remoteId : false;
}

function itemOf(stored: StoredInboxItem): InboxItem {
  const {
    memberId: _member,
    campaignId: _campaign,
    storedAt: _stored,
    answeredAt: _answered,
    ...item
  } = stored;
  return item;
}

async function answered(
  run: ReplyRun,
  record: ReplyRecord,
  status: ReplyOutcome,
  warnings: readonly ReplyWarning[],
): Promise<ReplyToItemResult> {
  if (hasInbox(run.journal) && run.options.markAnswered !== false) {
    await run.journal.markInboxAnswered(run.item, record.updatedAt);
  }
  return { status, reply: record, item: run.item, warnings, lookUp: canLookUp(run) };
}

/**
 * Replies to one inbox item as its account, exactly once per (item, text): see the module notes.
 * Resolves with how it ended; a reply the platform refused is recorded `failed` and rethrown.
 *
 * @throws ReleaseHallError `INVALID_INPUT` before anything is written or sent: an empty text, a
 * discouraged phrase flagged as an error, an item not in the journal (or in several accounts'
 * inboxes without `as`), a platform without replies. `LEASE_LOST` when another run is sending the
 * same reply. The adapter's error when the platform refused it.
 */
export async function replyToItem(options: ReplyToItemOptions): Promise<ReplyToItemResult> {
  let run = await prepare(options);
  const { warnings } = run;
  let record = await run.journal.planReply(planned(run));
  if (record.accountId !== run.account.id) {
    // An earlier run answers (or answered) from another account: that account looks and sends,
    // whatever the assignment or `as` now says, so the reply can never go out from two.
    const owner = options.hall.accountById.get(record.accountId);
    if (owner === undefined || (options.as !== undefined && options.as !== owner.memberId)) {
      throw invalidInput('reply', [
        {
          path: 'as',
          message: `this reply to item ${run.item.remoteId} was begun from ${record.accountId} (${record.state}); it is finished from that account: leave out --as, or name ${owner?.memberId ?? record.memberId}`,
        },
      ]);
    }
    run = await prepare(options, owner);
  }

  if (record.state === 'sent') return answered(run, record, 'already-sent', warnings);
  if (record.state === 'sending' && record.leaseUntil !== undefined) {
    if (Date.parse(record.leaseUntil) > run.now().getTime()) {
      throw new ReleaseHallError(
        `[release-hall] the reply to item ${run.item.remoteId} is being sent by another run (until ${record.leaseUntil}); run again after that`,
        { code: 'LEASE_LOST', platform: run.item.platform, accountId: run.item.accountId },
      );
    }
  }
  if (record.state === 'sending' || record.state === 'unknown') {
    const found = options.resendUnconfirmed === true ? false : await lookUp(run);
    if (found === undefined) {
      if (record.state === 'sending') {
        // The run that was sending it stopped; nothing can tell whether it arrived.
        record = await change(run, record, {
          state: 'unknown',
          error: {
            code: 'AMBIGUOUS',
            message: `the run sending it stopped, and ${run.account.platform} offers no look-up of sent replies: check the conversation on the platform; if it did not arrive, send it with resendUnconfirmed (--resend-unconfirmed)`,
          },
        });
      }
      return { status: 'unknown', reply: record, item: run.item, warnings, lookUp: canLookUp(run) };
    }
    if (found !== false) {
      record = await change(run, record, { state: 'sent', remoteId: found });
      return answered(run, record, 'found', warnings);
    }
  }

  // The secrets and what the adapter needs first (a WeChat token): a failure of either is certain
  // to have sent nothing, and a run stopped after the record below has only the call left.
  const context = await run.context();
  await run.adapter.prepareReply?.(run.account, context);
  const leaseUntil = new Date(run.now().getTime() + REPLY_SENDING_LEASE_MS).toISOString();
  record = await change(run, record, { state: 'sending', leaseUntil, countAttempt: true });
  let remoteId: string;
  try {
    const result = await run.send(run.account, itemOf(run.item), run.text, context);
    remoteId = result.remoteId;
  } catch (thrown) {
    const error = toReleaseHallError(thrown, 'AMBIGUOUS', {
      platform: run.account.platform,
      accountId: run.account.id,
    });
    const summary = { code: error.code, message: error.message };
    const mayHaveLanded = error.code === 'AMBIGUOUS' || error.code === 'DUPLICATE_CONTENT';
    if (!mayHaveLanded) {
      await change(run, record, { state: 'failed', error: summary });
      throw error;
    }
    record = await change(run, record, { state: 'unknown', error: summary });
    let found: string | undefined | false;
    try {
      found = await lookUp(run);
    } catch {
      found = undefined;
    }
    if (typeof found === 'string') {
      record = await change(run, record, { state: 'sent', remoteId: found });
      return answered(run, record, 'found', warnings);
    }
    if (error.code === 'DUPLICATE_CONTENT' && found === false) {
      await change(run, record, { state: 'failed', error: summary });
      throw error;
    }
    return { status: 'unknown', reply: record, item: run.item, warnings, lookUp: canLookUp(run) };
  }
  record = await change(run, record, { state: 'sent', remoteId });
  return answered(run, record, 'sent', warnings);
}
