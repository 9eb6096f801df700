/**
 * The WeChat callbacks of the whole hall in the service: every WeChat account with a callback
 * token answers on `/wechat/<member id>` (GET: the URL check; POST: messages, plaintext or safe
 * mode), signed by WeChat, so without an API key.
 *
 * - A follower's text is stored in the journal's inbox (kind `message`) before the answer is given;
 *   WeChat's retries are stored once. A failing journal is reported in the log and the follower
 *   still gets the menu's answer: WeChat is never made to retry for it.
 * - The answer: the number menu of the hall file; in crisis mode the default answer points to the
 *   latest statement of the crisis campaign (`wechat-crisis.ts`).
 * - Work slower than `answerWithinMs` is answered `success` at once; the answer then goes as a
 *   customer-service message through the WeChat adapter's `replyToInbox` and `replyToItem` (journaled
 *   once), or is reported dropped in the log when the adapter has none.
 * - `MASSSENDJOBFINISH` appends a reach reading (`sent` = `SentCount`) to the push delivery that
 *   made that mass send.
 *
 * Nothing a follower wrote and no secret is written to the log: lines name the account, the stage
 * and the `MsgId`.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  type CallbackDedupeStore,
  type CallbackHandler,
  type CallbackMessageContext,
  type ReplyDecision,
  type WechatMessage,
  type WechatTextMessage,
  createCallbackHandler,
  menuItemReply,
} from 'release-hall/adapters/wechat/callback';
import { type Adapter, PUSH_ID_NOTE } from '../adapter.js';
import type { CredentialsResolver, CredentialsSource } from '../credentials.js';
import { ReleaseHallError } from '../errors.js';
import { replyToItem } from '../inbox/reply.js';
import { type InboxEntry, hasInbox } from '../journal/inbox.js';
import type { DeliveryRecord, Journal } from '../journal/journal.js';
import { hasReach } from '../journal/reach.js';
import type { ResolvedHall } from '../model/load.js';
import { Redactor } from '../redact.js';
import type { WechatCallbackAccount } from './wechat-accounts.js';
import { CrisisMode } from './wechat-crisis.js';

/** What the {@link WechatServiceOptions.answer} hook is told about a message. */
export interface WechatAnswerRequest {
  /** The account answering (`<member id>/wechat`). */
  readonly accountId: string;
  readonly memberId: string;
  readonly message: WechatMessage;
  /** The answer the service would give: a menu item, the fallback or the crisis answer. */
  readonly proposed: string | undefined;
}

/** Options of the WeChat callbacks of the service. */
export interface WechatServiceOptions {
  /** The accounts answered, from {@link resolveWechatCallbacks}. */
  readonly accounts: readonly WechatCallbackAccount[];
  /** The hall's adapters: the WeChat one sends late answers (`replyToInbox`) and post links. */
  readonly adapters: readonly Adapter[];
  /** Where the accounts' secrets come from, for late answers. */
  readonly credentials: CredentialsSource | CredentialsResolver;
  /** Starts in crisis mode for this campaign (`serve --crisis`). */
  readonly crisis?: string | undefined;
  /**
   * Work of your own per message: its result replaces the proposed answer (`undefined` keeps it,
   * `null` answers nothing). Slow work makes the answer late.
   */
  readonly answer?:
    ((request: WechatAnswerRequest) => ReplyDecision | Promise<ReplyDecision>) | undefined;
  /** Time given to the work before the answer goes late. @default 4500 */
  readonly answerWithinMs?: number | undefined;
  /** How long the crisis statement read from the journal is reused, in milliseconds. @default 5000 */
  readonly crisisRefreshMs?: number | undefined;
  /** Largest callback body in bytes. @default 65536 */
  readonly maxBodyBytes?: number | undefined;
  /** Where retries are remembered. @default one bounded in-memory store per account */
  readonly dedupe?: CallbackDedupeStore | undefined;
  /** Clock in milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** What the callbacks use of the service. */
export interface WechatCallbackParts {
  readonly journal: Journal;
  readonly hall: ResolvedHall;
  readonly log: (message: string) => void;
}

/** The running callbacks: the crisis mode the `/v1/crisis` routes switch. */
export interface WechatCallbacks {
  readonly crisis: CrisisMode;
  /** Member ids answered, in hall order. */
  readonly members: readonly string[];
  /** Resolves once the late answers under way are sent (or have failed). */
  readonly drain: () => Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** A line about an error, scrubbed of the callbacks' secrets. */
function describe(error: unknown, redactor: Redactor): string {
  const text =
    error instanceof ReleaseHallError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : 'an unknown failure';
  return redactor.string(text.replace(/^\[release-hall\] /, ''));
}

/** The inbox item of a follower's text. */
export function inboxEntryOf(
  callback: WechatCallbackAccount,
  message: WechatTextMessage,
): InboxEntry {
  return {
    platform: 'wechat',
    accountId: callback.account.id,
    memberId: callback.account.memberId,
    kind: 'message',
    remoteId: message.msgId,
    author: { id: message.fromUserName, name: message.fromUserName },
    text: message.content,
    at: new Date(message.createTime * 1000).toISOString(),
  };
}

/** True for what a follower sends or does that the menu answers (as `replyFor` does). */
function followerFacing(message: WechatMessage): boolean {
  if (message.kind === 'text' || message.kind === 'click') return true;
  if (message.kind === 'other') return message.event !== 'unsubscribe';
  return false;
}

/** The push delivery of `accountId` that made mass send `msgId`, newest campaign first. */
async function pushOf(
  journal: Journal,
  accountId: string,
  msgId: string,
): Promise<DeliveryRecord | undefined> {
  const campaigns = [...(await journal.listCampaigns())].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );
  for (const campaign of campaigns) {
    const found = (await journal.getDeliveries(campaign.id)).find(
      (record) =>
        record.delivery.accountId === accountId &&
        record.delivery.action === 'push' &&
        (record.notes?.[PUSH_ID_NOTE] === msgId || record.remoteId === `mass:${msgId}`),
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Mounts `/wechat/:memberId` on the service's app and returns the crisis mode. Members without a
 * mounted account answer 404.
 */
export function registerWechatCallbacks(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
  app: Hono<any>,
  options: WechatServiceOptions,
  parts: WechatCallbackParts,
): WechatCallbacks {
  const { journal, hall, log } = parts;
  const now = options.now ?? Date.now;
  const redactor = new Redactor();
  for (const callback of options.accounts) redactor.add(callback.token, callback.encodingAESKey);
  const crisis = new CrisisMode(
    {
      journal,
      hall,
      adapters: options.adapters,
      refreshMs: options.crisisRefreshMs,
      now,
    },
    options.crisis === undefined
      ? undefined
      : { campaignId: options.crisis, since: new Date(now()).toISOString(), by: 'serve --crisis' },
  );
  let warnedNoInbox = false;

  const store = async (callback: WechatCallbackAccount, message: WechatTextMessage) => {
    if (!hasInbox(journal)) {
      if (!warnedNoInbox) {
        warnedNoInbox = true;
        log('wechat: the journal keeps no inbox: follower messages are not stored');
      }
      return;
    }
    try {
      await journal.putInboxItems([inboxEntryOf(callback, message)]);
    } catch (error) {
      log(
        `wechat ${callback.account.id}: message ${message.msgId} not stored in the journal (answered anyway): ${describe(error, redactor)}`,
      );
    }
  };

  const massSendFinished = async (
    callback: WechatCallbackAccount,
    message: Extract<WechatMessage, { kind: 'mass-send-job-finish' }>,
  ) => {
    const { id } = callback.account;
    try {
      const record = await pushOf(journal, id, message.msgId);
      if (record === undefined) {
        log(`wechat ${id}: mass send ${message.msgId} finished but no push of the journal made it`);
        return;
      }
      if (message.sentCount === undefined) {
        log(`wechat ${id}: mass send ${message.msgId} finished without a SentCount`);
        return;
      }
      if (!hasReach(journal)) {
        log('wechat: the journal keeps no reach readings: the mass-send count is not stored');
        return;
      }
      await journal.putReach([
        {
          campaignId: record.delivery.campaignId,
          deliveryId: record.delivery.id,
          accountId: id,
          platform: 'wechat',
          postId: record.remoteId ?? `mass:${message.msgId}`,
          sent: message.sentCount,
          readAt: new Date(now()).toISOString(),
        },
      ]);
    } catch (error) {
      log(`wechat ${id}: mass send ${message.msgId}: ${describe(error, redactor)}`);
    }
  };

  const defaultAnswer = async (
    callback: WechatCallbackAccount,
    message: WechatMessage,
    context: CallbackMessageContext,
  ): Promise<string | undefined> => {
    const item = callback.menu === undefined ? undefined : menuItemReply(callback.menu, message);
    if (item !== undefined) return item;
    if (crisis.state !== undefined && followerFacing(message)) {
      try {
        const answer = await crisis.answerFor(callback.account.memberId);
        if (answer !== undefined) return answer;
      } catch (error) {
        log(
          `wechat ${callback.account.id}: the crisis answer could not be read (the menu answered): ${describe(error, redactor)}`,
        );
      }
    }
    return context.menuReply;
  };

  // Messages answered by the menu or crisis mode alone: an automatic answer, even a late one, does
  // not make the item answered (a person still owes the citizen one).
  const automatic = new WeakSet<WechatMessage>();
  const onMessage = async (
    callback: WechatCallbackAccount,
    message: WechatMessage,
    context: CallbackMessageContext,
  ): Promise<ReplyDecision> => {
    if (message.kind === 'mass-send-job-finish') {
      await massSendFinished(callback, message);
      return null;
    }
    if (message.kind === 'text') await store(callback, message);
    const proposed = await defaultAnswer(callback, message, context);
    const decided =
      options.answer === undefined
        ? undefined
        : await options.answer({
            accountId: callback.account.id,
            memberId: callback.account.memberId,
            message,
            proposed,
          });
    if (decided === undefined) automatic.add(message);
    return decided === undefined ? (proposed ?? null) : decided;
  };

  // Answers under way (being worked out, or going late): the service waits for them when it
  // stops, so a stop does not leave a reply `sending` that a person would then have to check.
  const late = new Set<Promise<unknown>>();
  const track = <T>(task: Promise<T>): Promise<T> => {
    late.add(task);
    void task.then(
      () => late.delete(task),
      () => late.delete(task),
    );
    return task;
  };
  const sendLater = (
    callback: WechatCallbackAccount,
    message: WechatMessage,
    text: string,
  ): Promise<void> => track(sendLaterNow(callback, message, text));
  const sendLaterNow = async (
    callback: WechatCallbackAccount,
    message: WechatMessage,
    text: string,
  ): Promise<void> => {
    const { id, memberId } = callback.account;
    const adapter = options.adapters.find((candidate) => candidate.platform === 'wechat');
    const msgId = message.kind === 'text' ? message.msgId : undefined;
    if (adapter === undefined || typeof adapter.replyToInbox !== 'function') {
      log(
        `wechat ${id}: a late answer${msgId === undefined ? '' : ` to message ${msgId}`} was dropped: the WeChat adapter cannot send customer-service messages (no replyToInbox)`,
      );
      return;
    }
    if (msgId === undefined) {
      log(
        `wechat ${id}: a late answer to a ${message.msgType} was dropped: only answers to stored messages go later`,
      );
      return;
    }
    try {
      const result = await replyToItem({
        hall,
        adapters: options.adapters,
        credentials: options.credentials,
        journal,
        itemId: msgId,
        text,
        as: memberId,
        now: () => new Date(now()),
        markAnswered: !automatic.has(message),
      });
      log(
        `wechat ${id}: the late answer to message ${msgId} went as a customer-service message (${result.status})`,
      );
    } catch (error) {
      // A refused text is named by its code only: the refusal quotes the answer.
      const why =
        error instanceof ReleaseHallError && error.code === 'INVALID_INPUT'
          ? 'INVALID_INPUT: refused before sending; try the answer with release-hall inbox reply'
          : describe(error, redactor);
      log(`wechat ${id}: the late answer to message ${msgId} was not sent: ${why}`);
    }
  };

  const handlers = new Map<string, CallbackHandler>();
  for (const callback of options.accounts) {
    handlers.set(
      callback.account.memberId,
      createCallbackHandler({
        token: callback.token,
        appId: callback.appId,
        ...(callback.encodingAESKey === undefined
          ? {}
          : { encodingAESKey: callback.encodingAESKey }),
        ...(callback.menu === undefined ? {} : { menu: callback.menu }),
        ...(options.answerWithinMs === undefined ? {} : { answerWithinMs: options.answerWithinMs }),
        ...(options.dedupe === undefined ? {} : { dedupe: options.dedupe }),
        now,
        onMessage: (message, context) => track(onMessage(callback, message, context)),
        sendLaterFor: (message, text) => sendLater(callback, message, text),
        onError: (error, context) => {
          log(
            `wechat ${callback.account.id}: callback ${context.stage} failed: ${describe(error, redactor)}`,
          );
        },
      }),
    );
  }

  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  app.use(
    '/wechat/*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (context) => context.body(null, 413, { connection: 'close' }),
    }),
  );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
  app.all('/wechat/:memberId', async (context: Context<any>) => {
    const handler = handlers.get(context.req.param('memberId') ?? '');
    if (handler === undefined) {
      return context.body(null, 404, { 'cache-control': 'no-store' });
    }
    const method = context.req.method;
    const body =
      method.toUpperCase() === 'POST'
        ? new Uint8Array(await context.req.raw.arrayBuffer())
        : undefined;
    const reply = await handler({ method, url: context.req.url, body });
    return new Response(reply.body === '' ? null : reply.body, {
      status: reply.status,
      headers: reply.headers,
    });
  });

  return {
    crisis,
    members: options.accounts.map((callback) => callback.account.memberId),
    drain: async () => {
      // A late answer is handed on once its work settles: look again after the settled ones.
      do {
        await Promise.allSettled([...late]);
        await new Promise((resolve) => setImmediate(resolve));
      } while (late.size > 0);
    },
  };
}
