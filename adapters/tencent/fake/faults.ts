/** The faults the Tencent Weibo fake injects. */
import type { FakeFault } from '../../fake/fake-platform.js';
import type { MicroblogFaultKind } from '../../fake/microblog-platform.js';
import type { TencentEndpointName } from './settings.js';

/**
 * Faults the next matching requests suffer:
 *
 * - `5xx-before-apply`: HTTP 503 (or `status`) with an HTML page; nothing is stored.
 * - `error-before-apply`: a Tencent error body with `ret`/`errcode` (HTTP 200 unless `status`);
 *   nothing is stored. For replies the rules never produce by themselves.
 * - `token-expired`: `ret=3 errcode=4` once, although the token is still good.
 * - `html-200`: an HTML page with status 200, as a captive portal or a WAF would send. By default
 *   nothing is stored; with `applyFirst: true` the request is applied and the reply replaced.
 * - `drop-after-apply`: the request is applied, then the connection is closed without a reply.
 * - `timeout-after-apply`: the request is applied, then the reply is held back for `hangMs`
 *   (or until the client gives up).
 * - `truncated-after-apply`: the request is applied, then the JSON reply is cut in half.
 *
 * Faults that act after the apply are used up only by a request that is applied; one that fails
 * the rules gets its normal error and leaves the fault queued.
 */
export type TencentFaultKind = MicroblogFaultKind;

/** One fault to inject. */
export interface TencentFault extends FakeFault<TencentEndpointName> {
  readonly kind: TencentFaultKind;
  /** Only requests authenticated as this account. */
  readonly openid?: string;
  /** HTTP status for `5xx-before-apply` (default 503) and `error-before-apply` (default 200). */
  readonly status?: number;
  /** `ret` for `error-before-apply`. @default 4 */
  readonly ret?: number;
  /** `errcode` for `error-before-apply`. @default 0 */
  readonly errcode?: number;
  /** `msg` for `error-before-apply`. */
  readonly msg?: string;
}
