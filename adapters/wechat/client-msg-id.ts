/**
 * The one `clientmsgid` scheme of WeChat pushes (platforms.md §1.6): `rh1-` and the base64url
 * SHA-256 of the delivery's idempotency key, 47 ASCII bytes (WeChat allows 64).
 *
 * The core's push carries only the idempotency key of its delivery; a push made by hand knows the
 * campaign, the account and the action. Both go through {@link clientMsgIdOfKey}, and
 * {@link wechatClientMsgId} first derives the key from the three exactly as the core's planner
 * does, so a push made by hand with the helper and the core's push of the same delivery send the
 * same id, and WeChat answers `45065` ("already sent") to whichever comes second.
 */
import { createHash } from 'node:crypto';

/**
 * The idempotency key of a delivery from (campaign, account, action): the first 32 hex characters
 * of the SHA-256 of the three joined by line feeds. The same derivation as the core's planner
 * (`DeliveryContext.idempotencyKey`); a test in `tests/adapters/wechat.test.ts` checks the two agree.
 */
function deliveryKey(campaignId: string, accountId: string, action: string): string {
  return createHash('sha256')
    .update(`${campaignId}\n${accountId}\n${action}`)
    .digest('hex')
    .slice(0, 32);
}

/** The `clientmsgid` of the delivery with this idempotency key. */
export function clientMsgIdOfKey(idempotencyKey: string): string {
  return `rh1-${createHash('sha256').update(idempotencyKey).digest('base64url')}`;
}

/**
 * A deterministic `clientmsgid` for (campaign, account, action): `rh1-` and the base64url SHA-256
 * of the delivery's idempotency key, 47 ASCII bytes (WeChat allows 64). It is the id the adapter's
 * `push` sends for that delivery (the core's push action is `push`), so a resumed campaign, or a
 * push repeated by hand with this id, makes WeChat answer `45065` instead of pushing twice.
 *
 * @example
 * const clientMsgId = wechatClientMsgId('2026-11-26-metro', 'beijing-fabu/wechat', 'push');
 * await wechat.pushMessage(account, context, { clientMsgId, text: '…' });
 */
export function wechatClientMsgId(campaignId: string, accountId: string, action: string): string {
  return clientMsgIdOfKey(deliveryKey(campaignId, accountId, action));
}
