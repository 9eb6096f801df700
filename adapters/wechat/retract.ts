/**
 * Retracting: `freepublish/delete` for a published article, `message/mass/delete` for a push
 * (`mass:<msg_id>` refs; platforms.md §1.5, §1.6).
 */
import { invalidInput } from '#adapter-kit';
import type { Account, DeliveryContext, PostRef, RetractResult } from '#core';
import { RawJsonNumber } from './client.js';
import { wechatFailure } from './errors.js';
import { massStatus } from './push.js';
import type { WechatRuntime } from './runtime.js';

/** What the report should say when a push is retracted (§1.6). */
export const WECHAT_MASS_DELETE_WARNING =
  'deleting a mass send disables the article page of every send of that material, not only this one; followers keep the message card';

/** Deletes a push by its `mass:<msg_id>` ref, warning that every send of the material goes. */
async function retractPush(
  runtime: WechatRuntime,
  ref: PostRef,
  account: Account,
  context: DeliveryContext,
): Promise<RetractResult> {
  const msgId = ref.id.slice('mass:'.length);
  if (!/^\d+$/.test(msgId)) {
    throw invalidInput(`retract for account "${account.id}"`, [
      { path: 'ref.id', message: `expected "mass:" and the digits of a msg_id, got "${ref.id}"` },
    ]);
  }
  context.logger.warn(
    `[release-hall] [wechat] retracting a push of account "${account.id}": ${WECHAT_MASS_DELETE_WARNING}`,
    { accountId: account.id, msgId },
  );
  const reply = await runtime.client.call(account, context, {
    endpoint: 'message/mass/delete',
    method: 'POST',
    json: { msg_id: new RawJsonNumber(msgId), article_idx: 0 },
    write: true,
    handle: [40059],
  });
  if (reply.errcode !== 40059) return { status: 'removed', warning: WECHAT_MASS_DELETE_WARNING };
  const status = await massStatus(runtime, account, context, msgId).catch(() => undefined);
  if (status === 'DELETE') return { status: 'already-gone', warning: WECHAT_MASS_DELETE_WARNING };
  throw wechatFailure(
    account,
    'message/mass/delete',
    'INVALID_INPUT',
    `WeChat cannot delete mass send ${msgId}${status === undefined ? '' : ` (its status is ${status})`}: only a sent article can be deleted`,
    { platformCode: '40059' },
  );
}

/** Retracts a published article or a push. */
export async function retractPost(
  runtime: WechatRuntime,
  ref: PostRef,
  account: Account,
  context: DeliveryContext,
): Promise<RetractResult> {
  if (ref.id.startsWith('mass:')) return retractPush(runtime, ref, account, context);
  const reply = await runtime.client.call(account, context, {
    endpoint: 'freepublish/delete',
    method: 'POST',
    json: { article_id: ref.id, index: 0 },
    write: true,
    handle: [53600],
  });
  // 53600 for an article this library published means it is gone already. [derived]
  return { status: reply.errcode === 53600 ? 'already-gone' : 'removed' };
}
