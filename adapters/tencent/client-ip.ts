/**
 * The `clientip` rule of Tencent Weibo (platforms.md §3.1): every call carries the real IP of the
 * user who acted, and the platform refuses a LAN address, `127.x` or `255.x`. Shared by the adapter
 * (which checks its option before sending anything) and the fake platform (which refuses the call).
 *
 * [unconfirmed] Whether Tencent accepted IPv6 in `clientip`: the field is documented as the user's
 * IP at a time when it meant IPv4, so only dotted IPv4 is accepted here.
 * [derived] "LAN" is read as the private ranges of RFC 1918 plus link-local and `0.x`.
 */
import { isIPv4 } from 'node:net';

/** Ranges refused as `clientip`: `[first octet, second octet from, second octet to, why]`. */
const REFUSED: readonly (readonly [number, number, number, string])[] = [
  [0, 0, 255, 'a "this network" address (0.x)'],
  [10, 0, 255, 'a LAN address (10.x)'],
  [127, 0, 255, 'a loopback address (127.x)'],
  [169, 254, 254, 'a link-local address (169.254.x)'],
  [172, 16, 31, 'a LAN address (172.16.x–172.31.x)'],
  [192, 168, 168, 'a LAN address (192.168.x)'],
  [255, 0, 255, 'a broadcast address (255.x)'],
];

/**
 * Why `value` cannot be sent as `clientip`, or `undefined` when it can.
 *
 * @example
 * clientIpProblem('203.0.113.7'); // undefined
 * clientIpProblem('192.168.1.20'); // 'a LAN address (192.168.x)'
 */
export function clientIpProblem(value: string): string | undefined {
  if (!isIPv4(value)) return 'not a dotted IPv4 address';
  const [first = -1, second = -1] = value.split('.').map(Number);
  for (const [octet, from, to, why] of REFUSED) {
    if (first === octet && second >= from && second <= to) return why;
  }
  return undefined;
}
