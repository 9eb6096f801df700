/** The `clientmsgid` of a WeChat push (platforms.md §1.6). */
import { createHash } from 'node:crypto';

/**
 * A deterministic `clientmsgid` for (campaign, account, action): `rh1-` and the base64url SHA-256
 * of the three, 47 ASCII bytes (WeChat allows 64). The same campaign, account and action always
 * give the same id, so a resumed campaign repeats the same mass send and WeChat answers `45065`
 * instead of pushing twice.
 */
export function wechatClientMsgId(campaignId: string, accountId: string, action: string): string {
  const digest = createHash('sha256')
    .update(`${campaignId}\u0000${accountId}\u0000${action}`)
    .digest('base64url');
  return `rh1-${digest}`;
}
