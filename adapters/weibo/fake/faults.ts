/** The faults the Weibo fake injects. */
import type { FakeFault } from '../../fake/fake-platform.js';
import type { MicroblogFaultKind } from '../../fake/microblog-platform.js';
import type { WeiboEndpointName } from './settings.js';

/**
 * Faults the next matching requests suffer:
 *
 * - `5xx-before-apply`: HTTP 503 (or `status`) with an HTML page; nothing is stored.
 * - `error-before-apply`: a Weibo error body with `errorCode` (and `status`, default 400); nothing
 *   is stored. For codes the rules never produce by themselves (`20017`, `20111`, `10001`, ...).
 * - `token-expired`: `21327 expired_token` once, although the token is still good.
 * - `html-200`: an HTML page with status 200, as a captive portal or a WAF would send. By default
 *   nothing is stored: such pages come from something in front of Weibo, so the request never
 *   reached it. With `applyFirst: true` the request is applied and the reply is replaced.
 * - `drop-after-apply`: the request is applied, then the connection is closed without a reply.
 * - `timeout-after-apply`: the request is applied, then the reply is held back for `hangMs`
 *   (or until the client gives up).
 * - `truncated-after-apply`: the request is applied, then the JSON reply is cut in half.
 * - `delayed-20032`: the request is applied, the reply is `20032` (posted, visible in 1–2
 *   minutes), and the status stays out of reads for `visibleAfterMs`.
 *
 * Faults that act after the apply are used up only by a request that is applied; one that fails
 * the rules gets its normal error and leaves the fault queued.
 */
export type WeiboFaultKind = MicroblogFaultKind | 'delayed-20032';

/** One fault to inject. */
export interface WeiboFault extends FakeFault<WeiboEndpointName> {
  readonly kind: WeiboFaultKind;
  /** Only requests authenticated as this account. */
  readonly uid?: string;
  /** HTTP status for `5xx-before-apply` (default 503) and `error-before-apply` (default 400). */
  readonly status?: number;
  /** Weibo code for `error-before-apply`. @default 10001 */
  readonly errorCode?: number;
  /** Weibo text for `error-before-apply`. */
  readonly errorText?: string;
  /** `delayed-20032` only: invisibility. @default platform `acceptedVisibleAfterMs` */
  readonly visibleAfterMs?: number;
}
