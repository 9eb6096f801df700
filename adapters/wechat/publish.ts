/**
 * Publishing an article (platforms.md §1.5): `draft/add`, `freepublish/submit`, then
 * `freepublish/get` polled with backoff to a terminal status.
 *
 * The `publish_id` is journaled the moment it is known, and the draft's `media_id` before it is
 * submitted, so a later attempt (this process, or a new one after a crash) resumes the job or
 * submits the same draft again instead of publishing twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ReleaseHallError } from '#core';
import type {
  Account,
  ArticleRendition,
  DeliveryContext,
  PostRef,
  PublishResult,
  Rendition,
} from '#core';
import { failMalformed, isRecord, postRef, readIdField, requireFormat } from '#adapter-kit';
import type { WechatReply } from './client.js';
import { createDraft } from './draft.js';
import { wechatFailure } from './errors.js';
import { WECHAT_PLATFORM } from './map-wechat-error.js';
import { readId, readInteger } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';

/** The journal note that holds a delivery's `publish_id`. */
export const PUBLISH_ID_NOTE = 'wechat.publish_id';

/** The journal note that holds the draft `media_id` a delivery is about to submit. */
export const DRAFT_MEDIA_ID_NOTE = 'wechat.draft_media_id';

/** What one `freepublish/get` says of a publish job. */
export type PollOutcome =
  | { readonly kind: 'posted'; readonly ref: PostRef; readonly removed?: 'user' | 'system' }
  | { readonly kind: 'running'; readonly reason: string }
  | { readonly kind: 'failed'; readonly status: number; readonly failIdx: string };

/** A publish job that ended without an article. */
export type FailedPublish = Extract<PollOutcome, { kind: 'failed' }>;

/**
 * Journals a `publish_id`: the core's journal first (durable before the next call), then the
 * caller's hook. A failure is logged, not thrown: the publish is already on its way.
 */
async function journalPublishId(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  publishId: string,
): Promise<void> {
  const hook = runtime.options.journalPublishId;
  if (hook === undefined && context.journalNote === undefined) return;
  try {
    await context.journalNote?.(PUBLISH_ID_NOTE, publishId);
    await hook?.(account.id, context.idempotencyKey, publishId);
  } catch (error) {
    context.logger.error('wechat publish_id could not be journaled; the publish goes on', {
      accountId: account.id,
      publishId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** The `publish_id` of the delivery known from this process, the journal, or the caller's hook. */
export async function recallPublishId(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
): Promise<string | undefined> {
  const known =
    runtime.publishes.get(account, context.idempotencyKey)?.publishId ??
    context.notes?.[PUBLISH_ID_NOTE];
  const hook = runtime.options.recallPublishId;
  if (known !== undefined || hook === undefined) return known;
  return (await hook(account.id, context.idempotencyKey)) ?? undefined;
}

/** Reads a `freepublish/get` reply into an outcome. */
function readPublishOutcome(reply: WechatReply, account: Account, publishId: string): PollOutcome {
  const status = readInteger(reply.body.publish_status);
  const articleId =
    typeof reply.body.article_id === 'string'
      ? reply.body.article_id
      : readIdField(reply.text, 'article_id');
  const detail = isRecord(reply.body.article_detail) ? reply.body.article_detail : undefined;
  const items = Array.isArray(detail?.item) ? detail.item : [];
  const first: unknown = items[0];
  const url =
    isRecord(first) && typeof first.article_url === 'string' ? first.article_url : undefined;
  const refFor = (id: string): PostRef => postRef(WECHAT_PLATFORM, account, id, url);
  switch (status) {
    case 0:
    case 5:
    case 6:
      if (articleId === undefined) {
        // [unconfirmed] whether 5/6 still carry the article_id; without it the id is unknown.
        return {
          kind: 'running',
          reason: `publish job ${publishId} reports status ${status} without an article_id`,
        };
      }
      return status === 0
        ? { kind: 'posted', ref: refFor(articleId) }
        : { kind: 'posted', ref: refFor(articleId), removed: status === 5 ? 'user' : 'system' };
    case 2:
    case 3:
    case 4: {
      const failIdx = Array.isArray(reply.body.fail_idx) ? reply.body.fail_idx.join(', ') : '';
      return { kind: 'failed', status, failIdx };
    }
    default:
      // 1 (publishing), or a status this adapter does not know: keep polling. [derived]
      return {
        kind: 'running',
        reason: `publish job ${publishId} is still publishing (status ${status ?? 'missing'})`,
      };
  }
}

/** One `freepublish/get`, read into an outcome. */
async function publishStatus(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  publishId: string,
): Promise<PollOutcome> {
  const reply = await runtime.client.call(account, context, {
    endpoint: 'freepublish/get',
    method: 'POST',
    json: { publish_id: publishId },
    write: false,
  });
  return readPublishOutcome(reply, account, publishId);
}

/**
 * The error of a publish job that ended without an article: status 3 published nothing, so a new
 * submit is allowed (`TRANSIENT`); 2 and 4 need a person (`CONTENT_REJECTED`).
 */
export function failedPublish(
  account: Account,
  publishId: string,
  outcome: FailedPublish,
): ReleaseHallError {
  const which = outcome.failIdx === '' ? '' : ` (article ${outcome.failIdx})`;
  if (outcome.status === 3) {
    return wechatFailure(
      account,
      'freepublish/get',
      'TRANSIENT',
      `publish job ${publishId} failed (status 3, an ordinary failure); nothing was published, so a new submit is allowed`,
      { platformCode: 'publish_status 3' },
    );
  }
  const why =
    outcome.status === 2
      ? 'the original-content (原创) declaration check failed'
      : 'WeChat review rejected the article';
  return wechatFailure(
    account,
    'freepublish/get',
    'CONTENT_REJECTED',
    `publish job ${publishId} ended with status ${outcome.status}: ${why}${which}; it needs a person to check the article in the MP console, it is not retried`,
    { platformCode: `publish_status ${outcome.status}` },
  );
}

/** The result of a job that published, with a warning when the article was removed since. */
function posted(
  account: Account,
  context: DeliveryContext,
  outcome: Extract<PollOutcome, { kind: 'posted' }>,
): PublishResult {
  if (outcome.removed !== undefined) {
    context.logger.warn(
      `[release-hall] [wechat] the article of account "${account.id}" was published and then ${outcome.removed === 'user' ? 'deleted by a user of the account' : 'removed (banned) by WeChat'}`,
      { accountId: account.id, articleId: outcome.ref.id },
    );
  }
  return { status: 'posted', ref: outcome.ref };
}

/**
 * Polls `freepublish/get` with backoff to a terminal status, each interval of the schedule counted
 * from the start of the poll before (and never before its answer). Read failures are tolerated
 * while the schedule lasts; the publish is already submitted, so running out of schedule (or of
 * readable answers) is `accepted`, never a failure that would make the core send it again.
 */
export async function pollPublish(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  publishId: string,
): Promise<PublishResult | FailedPublish> {
  let lastReason = `publish job ${publishId} is still publishing`;
  for (let index = 0; ; index++) {
    const polledAt = performance.now();
    try {
      const outcome = await publishStatus(runtime, account, context, publishId);
      if (outcome.kind === 'posted') return posted(account, context, outcome);
      if (outcome.kind === 'failed') return outcome;
      lastReason = outcome.reason;
    } catch (error) {
      if (!ReleaseHallError.isInstance(error) || error.code === 'ABORTED') throw error;
      if (!error.retryable) throw error;
      lastReason = `publish job ${publishId}: ${error.message.replace(/^\[release-hall\] /, '')}`;
    }
    const interval = runtime.options.pollIntervalsMs[index];
    if (interval === undefined) {
      return {
        status: 'accepted',
        reason: `${lastReason}; submitted to WeChat as publish_id ${publishId}, looked up later`,
      };
    }
    // The interval runs from this poll's start, so the platform's answer time does not stretch
    // the cadence; one poll is in flight at most.
    const wait = Math.max(0, interval - (performance.now() - polledAt));
    context.logger.debug('wechat publish job still running', {
      accountId: account.id,
      publishId,
      waitMs: wait,
    });
    try {
      await sleep(wait, undefined, { signal: context.signal });
    } catch {
      throw wechatFailure(
        account,
        'freepublish/get',
        'ABORTED',
        `stopped while waiting for publish job ${publishId}: the run was aborted (the article was submitted and may still appear)`,
        { retryable: false },
      );
    }
  }
}

/**
 * Resumes a job an earlier attempt submitted. Resolves with its result, or `undefined` when it
 * ended with status 3 (nothing published: start again with a new draft).
 */
async function resumeKnownJob(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
): Promise<PublishResult | undefined> {
  const known = await recallPublishId(runtime, account, context);
  if (known === undefined) return undefined;
  runtime.publishes.remember(account, context.idempotencyKey, { publishId: known });
  const resumed = await pollPublish(runtime, account, context, known);
  if (!('kind' in resumed)) return resumed;
  if (resumed.status !== 3) throw failedPublish(account, known, resumed);
  runtime.publishes.forget(account, context.idempotencyKey);
  return undefined;
}

/**
 * Submits the delivery's draft and resolves with the `publish_id`. A draft an earlier run (this
 * process, or a crashed one through the journal) made is submitted again rather than a second
 * draft: if that run's submit took it, WeChat answers 40007 and the account is checked instead of
 * publishing twice.
 */
async function submitDraft(
  runtime: WechatRuntime,
  article: ArticleRendition,
  account: Account,
  context: DeliveryContext,
): Promise<string> {
  const { idempotencyKey } = context;
  const remembered =
    runtime.publishes.get(account, idempotencyKey)?.draftMediaId ??
    context.notes?.[DRAFT_MEDIA_ID_NOTE];
  const draftMediaId = remembered ?? (await createDraft(runtime, article, account, context));
  runtime.publishes.remember(account, idempotencyKey, { draftMediaId, submitUnanswered: true });
  if (remembered === undefined) await context.journalNote?.(DRAFT_MEDIA_ID_NOTE, draftMediaId);

  const reply = await runtime.client.call(account, context, {
    endpoint: 'freepublish/submit',
    method: 'POST',
    json: { media_id: draftMediaId },
    write: true,
    handle: remembered === undefined ? [] : [40007],
  });
  if (reply.errcode === 40007) {
    // The remembered draft has left the draft box: an earlier submit whose answer was lost
    // probably took it (§5, an inference from the docs). Never publish it twice: look it up.
    throw wechatFailure(
      account,
      'freepublish/submit',
      'AMBIGUOUS',
      'the draft of an earlier attempt has left the draft box, so an earlier submit may have published it; the account is checked before any re-send',
      { platformCode: '40007' },
    );
  }
  const publishId = readId(reply, 'publish_id');
  if (publishId === undefined) {
    failMalformed(
      {
        platform: WECHAT_PLATFORM,
        endpoint: 'freepublish/submit',
        write: true,
        accountId: account.id,
      },
      `HTTP ${reply.http.status} without a publish_id`,
    );
  }
  runtime.publishes.remember(account, idempotencyKey, { publishId, submitUnanswered: false });
  return publishId;
}

/**
 * Publishes an article rendition: resumes a job an earlier attempt submitted, else submits the
 * delivery's draft (made now, or remembered), journals the `publish_id` and polls the job.
 */
export async function publishArticle(
  runtime: WechatRuntime,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
): Promise<PublishResult> {
  const article = requireFormat(rendition, account, {
    format: 'article',
    what: 'publish',
    platformTitle: 'WeChat',
  });
  const resumed = await resumeKnownJob(runtime, account, context);
  if (resumed !== undefined) return resumed;
  const publishId = await submitDraft(runtime, article, account, context);
  await journalPublishId(runtime, account, context, publishId);
  const outcome = await pollPublish(runtime, account, context, publishId);
  if ('kind' in outcome) throw failedPublish(account, publishId, outcome);
  return outcome;
}
