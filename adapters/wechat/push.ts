/**
 * Pushing (platforms.md §1.6): `message/mass/sendall` to all followers, or to the followers of one
 * tag (`filter: { is_to_all: false, tag_id }`, platforms-listening.md §3.5), with a deterministic
 * `clientmsgid`, confirmed with `message/mass/get`.
 *
 * - A repeat with the same `clientmsgid` is answered `45065` with the earlier send's `msg_id`
 *   (already sent), so a push whose answer was lost is repeated, never sent twice.
 * - An article is put in a new draft first; the draft is remembered by clientmsgid, so a repeat
 *   pushes the same draft.
 * - WeChat does not tell "waiting for the admin" from "being delivered"; the hall file's
 *   `massSendProtection` says which.
 */
import { PUSH_ID_NOTE, ReleaseHallError } from '#core';
import type {
  Account,
  ArticleRendition,
  DeliveryContext,
  InputIssue,
  PostRef,
  PushQuota,
  PushRecord,
  PushResult,
  Rendition,
} from '#core';
import { failMalformed, invalidInput, postRef, requireFormat } from '#adapter-kit';
import { RawJsonNumber, appidOf } from './client.js';
import type { WechatReply } from './client.js';
import { clientMsgIdOfKey } from './client-msg-id.js';
import { createDraft } from './draft.js';
import { isAborted, wechatFailure } from './errors.js';
import { WECHAT_TEXT_MAX_LENGTH } from './limits.js';
import {
  WECHAT_ALREADY_SENT_CODE,
  WECHAT_MASS_REPEAT_WAIT_MS,
  WECHAT_PLATFORM,
} from './map-wechat-error.js';
import { pushQuotaRule, pushesLeft } from './quota-ledger.js';
import { characters, readId } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';

/** The journal note that holds an article push's `msg_data_id` (its name in the statistics). */
export const MSG_DATA_ID_NOTE = 'wechat.msg_data_id';

/** How long a protected to-all mass send waits for the admin (§1.6). */
export const WECHAT_ADMIN_CONFIRMATION_MS = 30 * 60_000;

/** What to push: a draft's media id, a text, or an article to put in a new draft first. */
export type WechatPushRequest = {
  /** The deterministic id of this push (see `wechatClientMsgId`); ≤ 64 bytes. */
  readonly clientMsgId: string;
  /**
   * Push to the followers of this tag (its id, as digits) instead of to every follower. An
   * unknown tag is answered `45159` (`INVALID_INPUT`). @default every follower
   */
  readonly tagId?: string;
} & (
  | { readonly mediaId: string; readonly text?: undefined; readonly article?: undefined }
  | { readonly text: string; readonly mediaId?: undefined; readonly article?: undefined }
  | { readonly article: ArticleRendition; readonly mediaId?: undefined; readonly text?: undefined }
);

/** Where a push stands. */
export type WechatPushStatus =
  /** Submitted; `mass/get` could not be read yet. */
  | 'submitted'
  /** Being delivered to followers. */
  | 'sending'
  /** Waiting for the admin (API mass-send protection); fails at `deadline` without a decision. */
  | 'awaiting-confirmation'
  | 'sent'
  | 'failed'
  | 'deleted';

/** The answer of `WechatAdapter.pushMessage` and `WechatAdapter.pushStatus`. */
export interface WechatPushResult {
  readonly status: WechatPushStatus;
  /** WeChat's id of the send, as text. */
  readonly msgId: string;
  readonly msgDataId?: string;
  readonly clientMsgId?: string;
  /** The tag pushed to; absent for a push to every follower. */
  readonly tagId?: string;
  /** `45065`: an earlier attempt with this clientmsgid had already sent it. */
  readonly alreadySent: boolean;
  /** `msg_status` as WeChat said it (`SEND_SUCCESS`, `SENDING`, `SEND_FAIL`, `DELETE`, …). */
  readonly platformStatus?: string;
  /** For `awaiting-confirmation`: when the send fails without the admin's decision. */
  readonly deadline?: Date;
  /** True when the deadline is counted from now because the submit time is not known (45065). */
  readonly deadlineEstimated?: boolean;
  /** Reference for reports and `retract` (`id` is `mass:<msg_id>`). */
  readonly ref: PostRef;
}

/** What is known of a push besides its `msg_id` and status. */
interface PushFacts {
  readonly alreadySent: boolean;
  /** The tag pushed to; a push to a tag never waits for the admin (§1.6). */
  readonly tagId?: string | undefined;
  readonly submittedAt: number | undefined;
  readonly msgDataId?: string | undefined;
  readonly clientMsgId?: string | undefined;
}

/** Reads `msg_status` of a push (`message/mass/get`). */
export async function massStatus(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  msgId: string,
): Promise<string | undefined> {
  const reply = await runtime.client.call(account, context, {
    endpoint: 'message/mass/get',
    method: 'POST',
    json: { msg_id: msgId },
    write: false,
  });
  return typeof reply.body.msg_status === 'string' ? reply.body.msg_status : undefined;
}

/** The status of a push from WeChat's `msg_status`. */
function pushStatusOf(
  platformStatus: string | undefined,
  account: Account,
  toAll: boolean,
): WechatPushStatus {
  switch (platformStatus) {
    case 'SEND_SUCCESS':
      return 'sent';
    case 'SEND_FAIL':
      return 'failed';
    case 'DELETE':
      return 'deleted';
    case 'SENDING':
      // WeChat does not tell "waiting for the admin" from "being delivered"; the hall file says
      // whether the account has mass-send protection on, which holds only sends to all. [derived]
      return toAll && account.settings.massSendProtection === true
        ? 'awaiting-confirmation'
        : 'sending';
    default:
      return 'submitted';
  }
}

/** The answer of a push from what is known of it. */
function pushResult(
  now: () => number,
  account: Account,
  msgId: string,
  platformStatus: string | undefined,
  facts: PushFacts,
): WechatPushResult {
  const status = pushStatusOf(platformStatus, account, facts.tagId === undefined);
  const deadline =
    status === 'awaiting-confirmation'
      ? new Date((facts.submittedAt ?? now()) + WECHAT_ADMIN_CONFIRMATION_MS)
      : undefined;
  return {
    status,
    msgId,
    alreadySent: facts.alreadySent,
    ref: postRef(WECHAT_PLATFORM, account, `mass:${msgId}`, undefined),
    ...(facts.msgDataId === undefined ? {} : { msgDataId: facts.msgDataId }),
    ...(facts.clientMsgId === undefined ? {} : { clientMsgId: facts.clientMsgId }),
    ...(facts.tagId === undefined ? {} : { tagId: facts.tagId }),
    ...(platformStatus === undefined ? {} : { platformStatus }),
    ...(deadline === undefined
      ? {}
      : { deadline, ...(facts.submittedAt === undefined ? { deadlineEstimated: true } : {}) }),
  };
}

/**
 * Checks a push request before anything is sent.
 * @throws ReleaseHallError `INVALID_INPUT` for a clientMsgId that is empty or over 64 bytes, or a
 * text that is empty or too long.
 */
function checkPushRequest(account: Account, request: WechatPushRequest): void {
  const { clientMsgId } = request;
  const issues: InputIssue[] = [];
  if (clientMsgId === '' || Buffer.byteLength(clientMsgId, 'utf8') > 64) {
    issues.push({
      path: 'clientMsgId',
      message: `expected 1 to 64 bytes, got ${Buffer.byteLength(clientMsgId, 'utf8')}`,
    });
  }
  if (request.tagId !== undefined && !/^\d{1,18}$/.test(request.tagId)) {
    issues.push({
      path: 'tagId',
      message: `expected the digits of a tag id, got "${request.tagId}"`,
    });
  }
  if (request.text !== undefined) {
    if (request.text.trim() === '')
      issues.push({ path: 'text', message: 'expected the text to push' });
    if (characters(request.text) > WECHAT_TEXT_MAX_LENGTH) {
      issues.push({
        path: 'text',
        message: `a WeChat text push has at most ${WECHAT_TEXT_MAX_LENGTH} characters, this one has ${characters(request.text)}`,
      });
    }
  }
  if (issues.length > 0) throw invalidInput(`push for account "${account.id}"`, issues);
  appidOf(account);
}

/** The media id of the draft to push: given, made for an earlier attempt, or made now. */
async function pushDraft(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  request: WechatPushRequest,
): Promise<string> {
  if (request.mediaId !== undefined) return request.mediaId;
  const draftKey = `${account.id}\u0000${request.clientMsgId}`;
  const remembered = runtime.pushDrafts.get(draftKey);
  if (remembered !== undefined) return remembered;
  if (request.article === undefined) {
    throw invalidInput(`push for account "${account.id}"`, [
      { path: 'request', message: 'expected one of mediaId, text or article' },
    ]);
  }
  const mediaId = await createDraft(
    runtime,
    requireFormat(request.article, account, {
      format: 'article',
      what: 'push',
      platformTitle: 'WeChat',
    }),
    account,
    context,
  );
  runtime.pushDrafts.set(draftKey, mediaId);
  return mediaId;
}

/** The message fields of `mass/sendall` (everything but the filter and the clientmsgid). */
async function pushMessageFields(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  request: WechatPushRequest,
): Promise<Record<string, unknown>> {
  if (request.text !== undefined) return { text: { content: request.text }, msgtype: 'text' };
  const mediaId = await pushDraft(runtime, account, context, request);
  return {
    mpnews: { media_id: mediaId },
    msgtype: 'mpnews',
    send_ignore_reprint: runtime.options.sendIgnoreReprint ? 1 : 0,
  };
}

/** The `filter` of `mass/sendall`: every follower, or the followers of one tag (§3.5). */
export function massFilter(tagId: string | undefined): Record<string, unknown> {
  return tagId === undefined
    ? { is_to_all: true }
    : { is_to_all: false, tag_id: new RawJsonNumber(tagId) };
}

/**
 * Sends `mass/sendall` to all followers or to a tag. An answer that was lost is `AMBIGUOUS` with
 * the wait after which the same request may be repeated (the playbook of §5).
 */
async function sendMass(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  message: Record<string, unknown>,
  request: Pick<WechatPushRequest, 'clientMsgId' | 'tagId'>,
): Promise<WechatReply> {
  try {
    return await runtime.client.call(account, context, {
      endpoint: 'message/mass/sendall',
      method: 'POST',
      json: { filter: massFilter(request.tagId), ...message, clientmsgid: request.clientMsgId },
      write: true,
      handle: [WECHAT_ALREADY_SENT_CODE],
    });
  } catch (error) {
    if (ReleaseHallError.isInstance(error) && error.code === 'AMBIGUOUS') {
      // Repeat the identical request after at least a minute; the same clientmsgid turns a landed
      // send into 45065 instead of a second push.
      throw new ReleaseHallError(
        `${error.message}; repeat the same push (same clientmsgid) after ${WECHAT_MASS_REPEAT_WAIT_MS / 1000} s: WeChat answers 45065 if it was sent`,
        {
          code: 'AMBIGUOUS',
          platform: WECHAT_PLATFORM,
          accountId: account.id,
          endpoint: 'message/mass/sendall',
          retryAfterMs: WECHAT_MASS_REPEAT_WAIT_MS,
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** The `msg_id` of a `mass/sendall` answer, or the error saying why there is none. */
function sentMsgId(reply: WechatReply, account: Account): string {
  const msgId = readId(reply, 'msg_id');
  if (msgId !== undefined) return msgId;
  if (reply.errcode === WECHAT_ALREADY_SENT_CODE) {
    throw wechatFailure(
      account,
      'message/mass/sendall',
      'DUPLICATE_CONTENT',
      "WeChat says a mass send with this clientmsgid exists (it was already sent) but gave no msg_id to confirm it; check the account's sent messages",
      { platformCode: '45065' },
    );
  }
  return failMalformed(
    {
      platform: WECHAT_PLATFORM,
      endpoint: 'message/mass/sendall',
      write: true,
      accountId: account.id,
    },
    `HTTP ${reply.http.status} without a msg_id`,
  );
}

/**
 * Mass-sends to all followers of the account, or to the followers of `request.tagId`
 * (`message/mass/sendall`), then reads the send's status. `45065` means it was already sent; a send taken by WeChat resolves with its status,
 * also when that status is a failure.
 */
export async function pushMessage(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  request: WechatPushRequest,
): Promise<WechatPushResult> {
  checkPushRequest(account, request);
  const { clientMsgId } = request;
  const message = await pushMessageFields(runtime, account, context, request);
  const submittedAt = runtime.options.now();
  const reply = await sendMass(runtime, account, context, message, request);
  const msgId = sentMsgId(reply, account);
  const alreadySent = reply.errcode === WECHAT_ALREADY_SENT_CODE;
  const msgDataId = alreadySent ? undefined : readId(reply, 'msg_data_id');
  if (msgDataId !== undefined) {
    runtime.pushedArticles.remember(account, msgId, { msgDataId, sentAt: submittedAt });
  }
  let platformStatus: string | undefined;
  try {
    platformStatus = await massStatus(runtime, account, context, msgId);
  } catch (error) {
    if (isAborted(error)) throw error;
    // It was taken; its status is read later with pushStatus.
    platformStatus = undefined;
  }
  return pushResult(runtime.options.now, account, msgId, platformStatus, {
    alreadySent,
    submittedAt: alreadySent ? undefined : submittedAt,
    msgDataId,
    clientMsgId,
    tagId: request.tagId,
  });
}

/** The status of a push by `msg_id` (`message/mass/get`); `mass:<msg_id>` is taken too. */
export async function pushStatus(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  msgId: string,
  submittedAt: Date | undefined,
  tagId?: string,
): Promise<WechatPushResult> {
  const id = msgId.startsWith('mass:') ? msgId.slice('mass:'.length) : msgId;
  if (!/^\d+$/.test(id)) {
    throw invalidInput(`push status for account "${account.id}"`, [
      { path: 'msgId', message: `expected the digits of a msg_id, got "${msgId}"` },
    ]);
  }
  const platformStatus = await massStatus(runtime, account, context, id);
  return pushResult(runtime.options.now, account, id, platformStatus, {
    alreadySent: false,
    submittedAt: submittedAt?.getTime(),
    tagId,
  });
}

/** The push methods the core's push goes through (each classified like the adapter's own). */
export interface PushMethods {
  pushMessage(
    account: Account,
    context: DeliveryContext,
    request: WechatPushRequest,
  ): Promise<WechatPushResult>;
  pushStatus(
    account: Account,
    context: DeliveryContext,
    msgId: string,
    options?: { readonly tagId?: string },
  ): Promise<WechatPushResult>;
  /** The tag id the account pushes to (the hall file's `push.tag`), `undefined` for everyone. */
  pushTagId(account: Account, context: DeliveryContext): Promise<string | undefined>;
}

/**
 * The core's push: a mass send of the article (or text) rendition to all followers, or to the
 * followers of the account's `push.tag` (looked up before the send), with the
 * `clientmsgid` of the delivery's idempotency key (the one `wechatClientMsgId` gives for its
 * campaign, account and action), so a repeat after an unclear failure or a crash, or a push made
 * by hand with that id, answers `45065` ("already sent") instead of pushing twice. A push whose `msg_id` an earlier run journaled is
 * asked about, never sent again.
 */
export async function pushDelivery(
  methods: PushMethods,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
): Promise<PushResult> {
  const noted = context.notes?.[PUSH_ID_NOTE];
  const clientMsgId = clientMsgIdOfKey(context.idempotencyKey);
  const tagId = await methods.pushTagId(account, context);
  const target = tagId === undefined ? {} : { tagId };
  const result =
    noted !== undefined
      ? await methods.pushStatus(account, context, noted, target)
      : await methods.pushMessage(
          account,
          context,
          rendition.format === 'article'
            ? { clientMsgId, ...target, article: rendition }
            : { clientMsgId, ...target, text: rendition.text },
        );
  if (noted === undefined) {
    await context.journalNote?.(PUSH_ID_NOTE, result.msgId);
    // The statistics know an article push by its msg_data_id, which the msg_id does not give
    // (read-reach.ts); journaled for a reader that is handed the delivery's notes.
    if (result.msgDataId !== undefined) {
      await context.journalNote?.(MSG_DATA_ID_NOTE, result.msgDataId);
    }
  }
  return {
    status: result.status,
    ref: result.ref,
    alreadySent: result.alreadySent,
    ...(result.deadline === undefined ? {} : { deadline: result.deadline }),
    ...(result.platformStatus === undefined ? {} : { detail: result.platformStatus }),
  };
}

/** The account's push quota at `at`, given the pushes it made (the hall file may override it). */
export function accountPushQuota(
  account: Account,
  at: Date,
  pushes: readonly PushRecord[],
): PushQuota {
  const rule = pushQuotaRule(
    account.kind,
    typeof account.settings.pushQuota === 'number' ? { pushes: account.settings.pushQuota } : {},
  );
  const status = pushesLeft({ kind: account.kind, at, pushes, override: rule });
  return {
    period: status.rule.period,
    limit: status.rule.pushes,
    used: status.used,
    left: status.left,
    periodKey: status.periodKey,
    resetsAt: status.resetsAt,
  };
}
