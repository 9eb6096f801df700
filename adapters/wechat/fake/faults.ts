/** The faults the WeChat fake injects. */
import type { FakeFault } from '../../fake/fake-platform.js';
import type { WechatEndpointName } from './settings.js';

/**
 * Faults the next matching requests suffer (token endpoints only when named in `endpoint`):
 *
 * - `busy`: `{"errcode":-1,"errmsg":"system error"}`; nothing is applied.
 * - `token-expired`: `42001 access_token expired`, although the token is good; nothing is applied.
 * - `error-before-apply`: any WeChat code (`errcode`, `errmsg`); nothing is applied.
 * - `5xx-before-apply`: HTTP 503 (or `status`) with an HTML page; nothing is applied.
 * - `html-200`: an HTML page with status 200 (a captive portal, a WAF). Nothing is applied unless
 *   `applyFirst` is set.
 * - `drop-after-apply`: applied, then the connection is closed without a reply.
 * - `timeout-after-apply`: applied, then the reply is held back for `hangMs`.
 *
 * Faults that act after the apply are used up only by a request that is applied.
 */
export type WechatFaultKind =
  | 'busy'
  | 'token-expired'
  | 'error-before-apply'
  | '5xx-before-apply'
  | 'html-200'
  | 'drop-after-apply'
  | 'timeout-after-apply';

/** One fault to inject. */
export interface WechatFault extends FakeFault<WechatEndpointName> {
  readonly kind: WechatFaultKind;
  /** Endpoints it applies to; every API endpoint (not the token endpoints) when omitted. */
  readonly endpoint?: WechatEndpointName | readonly WechatEndpointName[];
  /** Only requests of this account. */
  readonly appid?: string;
  /** `error-before-apply`: the code. @default -1 */
  readonly errcode?: number;
  /** `error-before-apply`: the words. */
  readonly errmsg?: string;
  /** `5xx-before-apply`: HTTP status. @default 503 */
  readonly status?: number;
}

/** Kinds that act before the request is applied. */
export const BEFORE_APPLY: ReadonlySet<WechatFaultKind> = new Set<WechatFaultKind>([
  'busy',
  'token-expired',
  'error-before-apply',
  '5xx-before-apply',
  'html-200',
]);
