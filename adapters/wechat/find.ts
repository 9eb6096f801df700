/**
 * `findExisting` (platforms.md §5): after an unclear publish, is the article on the account?
 *
 * The `publish_id` is asked about when it is known (this process or the journal); otherwise
 * `freepublish/batchget` is read for an article with the same title updated since the first
 * attempt. When nothing shows but a submit's answer was lost, a draft that has left the draft box
 * makes the answer `unknown` (the job may still be running), never `not-found`.
 */
import type { Account, DeliveryContext, DeliveryDescriptor, FindExistingResult } from '#core';
import { isRecord, lookupOrUnknown, postRef } from '#adapter-kit';
import { messageOf } from './errors.js';
import { WECHAT_PLATFORM } from './map-wechat-error.js';
import { DRAFT_MEDIA_ID_NOTE, failedPublish, pollPublish, recallPublishId } from './publish.js';
import { readInteger, titleKey } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';

/** Articles in one `freepublish/batchget` page. */
const PAGE_SIZE = 20;

/** A published article seen in `freepublish/batchget`. */
interface Seen {
  readonly id: string;
  readonly url?: string;
  readonly time: number;
}

/** One `freepublish/batchget` page, or the answer to give when it cannot be read. */
async function readPage(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  page: number,
): Promise<unknown[] | FindExistingResult> {
  const reply = await lookupOrUnknown(() =>
    runtime.client.call(account, context, {
      endpoint: 'freepublish/batchget',
      method: 'POST',
      json: { offset: page * PAGE_SIZE, count: PAGE_SIZE, no_content: 1 },
      write: false,
    }),
  );
  if (!('body' in reply)) return reply;
  const items = reply.body.item;
  if (!Array.isArray(items)) {
    return {
      status: 'unknown',
      reason: '[release-hall] [wechat] freepublish/batchget replied without a list of items',
    };
  }
  return items as unknown[];
}

/**
 * The oldest article of a page with the wanted title, updated at or after the cut-off (or the one
 * found on an earlier page, if older), and how many items of the page are older than the cut-off.
 */
function matchPage(
  items: readonly unknown[],
  wanted: string,
  cutoff: number,
  found: Seen | undefined,
): { found: Seen | undefined; older: number } {
  let older = 0;
  for (const item of items) {
    if (!isRecord(item) || typeof item.article_id !== 'string') continue;
    const content = isRecord(item.content) ? item.content : undefined;
    const time = (readInteger(item.update_time) ?? readInteger(content?.update_time) ?? 0) * 1000;
    if (time < cutoff) {
      older += 1;
      continue;
    }
    const news = Array.isArray(content?.news_item) ? content.news_item : [];
    const first: unknown = news[0];
    if (!isRecord(first) || typeof first.title !== 'string') continue;
    // [unconfirmed] whether batchget lists deleted articles; a match counts either way, so a
    // post someone deleted by hand is never published again by a retry.
    if (titleKey(first.title) !== wanted) continue;
    // The oldest match after the cut-off is the one the first attempt made.
    if (found === undefined || time < found.time) {
      found = {
        id: item.article_id,
        time,
        ...(typeof first.url === 'string' && first.url !== '' ? { url: first.url } : {}),
      };
    }
  }
  return { found, older };
}

/** Reads `freepublish/batchget` for an article with this title updated at or after `cutoff`. */
async function findByTitle(
  runtime: WechatRuntime,
  title: string,
  cutoff: number,
  account: Account,
  context: DeliveryContext,
): Promise<FindExistingResult> {
  const wanted = titleKey(title);
  let found: Seen | undefined;
  for (let page = 0; page < runtime.options.batchgetPages; page++) {
    const items = await readPage(runtime, account, context, page);
    if (!Array.isArray(items)) return items;
    const matched = matchPage(items, wanted, cutoff, found);
    found = matched.found;
    // [unconfirmed] the order of batchget; stop only when a whole page is older than the cut-off.
    if (items.length < PAGE_SIZE || matched.older === items.length) break;
  }
  if (found === undefined) return { status: 'not-found' };
  return {
    status: 'found',
    ref: postRef(WECHAT_PLATFORM, account, found.id, found.url),
  };
}

/**
 * Asks about a known `publish_id`. Resolves with the answer, or `undefined` when the job ended
 * with status 3 (nothing published: the account is read to make sure).
 */
async function findByPublishId(
  runtime: WechatRuntime,
  account: Account,
  context: DeliveryContext,
  publishId: string,
): Promise<FindExistingResult | undefined> {
  const outcome = await lookupOrUnknown(() => pollPublish(runtime, account, context, publishId));
  if (outcome.status === 'unknown') return outcome;
  if (!('kind' in outcome)) {
    return outcome.status === 'posted'
      ? { status: 'found', ref: outcome.ref }
      : { status: 'unknown', reason: outcome.reason };
  }
  if (outcome.status !== 3) {
    return { status: 'unknown', reason: failedPublish(account, publishId, outcome).message };
  }
  return undefined;
}

/**
 * When a submit's answer was lost and no article shows yet: a draft that left the draft box was
 * probably taken by that submit (§5), and the job may still be running, so the answer is
 * `unknown`. Resolves with `undefined` when there is no such doubt.
 */
async function checkUnansweredSubmit(
  runtime: WechatRuntime,
  delivery: DeliveryDescriptor,
  account: Account,
  context: DeliveryContext,
): Promise<FindExistingResult | undefined> {
  const journaledDraft = context.notes?.[DRAFT_MEDIA_ID_NOTE];
  const state =
    runtime.publishes.get(account, delivery.idempotencyKey) ??
    (journaledDraft === undefined
      ? undefined
      : { draftMediaId: journaledDraft, submitUnanswered: true });
  if (state?.submitUnanswered !== true || state.draftMediaId === undefined) return undefined;
  const draft = await lookupOrUnknown(() =>
    runtime.client.call(account, context, {
      endpoint: 'draft/get',
      method: 'POST',
      json: { media_id: state.draftMediaId },
      write: false,
      handle: [40007],
    }),
  );
  if (!('body' in draft)) return draft;
  if (draft.errcode === 40007) {
    return {
      status: 'unknown',
      reason: `[release-hall] [wechat] the draft of account "${account.id}" left the draft box after a submit whose answer was lost, but no article shows yet; it may still be publishing: check the account before sending again`,
    };
  }
  // [unconfirmed] whether a submitted draft leaves the box at once: a draft still there is read
  // as "the submit did not land".
  return undefined;
}

/** Whether the article of a publish delivery is on the account (see the module comment). */
export async function findExistingArticle(
  runtime: WechatRuntime,
  delivery: DeliveryDescriptor,
  account: Account,
  context: DeliveryContext,
): Promise<FindExistingResult> {
  if (delivery.action !== 'post' || delivery.rendition.format !== 'article') {
    return { status: 'not-found' };
  }
  let publishId: string | undefined;
  try {
    publishId = await recallPublishId(runtime, account, {
      ...context,
      idempotencyKey: delivery.idempotencyKey,
    });
  } catch (error) {
    return {
      status: 'unknown',
      reason: `the journaled publish_id could not be read: ${messageOf(error)}`,
    };
  }
  if (publishId !== undefined) {
    const known = await findByPublishId(runtime, account, context, publishId);
    if (known !== undefined) return known;
    // Status 3 published nothing; make sure by reading the account below.
  }
  const cutoff = delivery.firstAttemptAt.getTime() - runtime.options.clockSkewMs;
  const found = await findByTitle(runtime, delivery.rendition.title, cutoff, account, context);
  if (found.status !== 'not-found') return found;
  return (
    (await checkUnansweredSubmit(runtime, delivery, account, context)) ?? { status: 'not-found' }
  );
}
