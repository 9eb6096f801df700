/**
 * Network detection in the WeChat fake (platforms-listening.md §3.4): `GET get_api_domain_ip`
 * answers the addresses of the API domain. Reaching it at all proves the token works and the
 * caller's IP is on the account's whitelist (a refused IP is answered `40164` before this runs).
 */
import { wechatOk, type WechatCall, type WechatOutcome } from './state.js';

/**
 * The addresses the fake names for the API domain: documentation addresses (RFC 5737), never
 * real WeChat servers.
 */
export const WECHAT_FAKE_API_IPS: readonly string[] = [
  '203.0.113.10',
  '203.0.113.11',
  '198.51.100.20',
];

/** `get_api_domain_ip`: the API domain's addresses. */
export function apiDomainIps(_call: WechatCall): WechatOutcome {
  return wechatOk({ ip_list: [...WECHAT_FAKE_API_IPS] });
}
