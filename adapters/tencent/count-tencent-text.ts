/**
 * Tencent Weibo's text length rule (platforms.md §3.3).
 *
 * `content` is UTF-8 and may hold at most 420 bytes (140 Chinese characters of 3 bytes each). The
 * platform shortens every URL before it checks the length, so a URL counts as the fixed size of
 * its short form, not as its own bytes. Everything else counts byte for byte: an ASCII character
 * is 1, a Chinese character 3, a character outside the BMP (an emoji) 4.
 *
 * [unconfirmed] The fixed size of a URL: the QQ Connect page of `add_t` says 11 bytes; it was not
 * checked against a live server. It matches a short link written as `url.cn/` plus a 4-character
 * code (7 + 4 bytes) [derived]. Which strings the platform took for URLs is not documented either;
 * this module treats `http://` and `https://` followed by URL characters as one.
 */

/** Largest `content` Tencent Weibo accepts, in UTF-8 bytes after URL shortening (errcode 8). */
export const TENCENT_MAX_BYTES = 420;

/**
 * Bytes each URL counts for, whatever its own length: the size of the short link the platform
 * puts in its place. [unconfirmed] The QQ Connect page of `add_t` gives 11; not checked live.
 */
export const TENCENT_URL_BYTES = 11;

/**
 * A URL as the counter sees it: a scheme followed by the ASCII characters a URL may hold
 * (RFC 3986 unreserved, reserved and `%`). A URL ends at the first space or non-ASCII character,
 * so Chinese punctuation right after it is counted as text.
 */
const LINK_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;

const encoder = new TextEncoder();

/** UTF-8 byte length of `text`. */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}

/** The `http://` and `https://` URLs in `text`, as the counter delimits them. */
export function tencentLinks(text: string): string[] {
  return Array.from(text.matchAll(LINK_PATTERN), (match) => match[0]);
}

/** `text` with every URL replaced by a space (used to compare texts whose URLs were shortened). */
export function withoutTencentLinks(text: string): string {
  return text.replace(LINK_PATTERN, ' ');
}

/**
 * Counts `text` in bytes the way Tencent Weibo does: UTF-8 bytes, each URL as
 * {@link TENCENT_URL_BYTES}. Compare the result with {@link TENCENT_MAX_BYTES}.
 *
 * @example
 * countTencentText('北京发布'); // 12
 * countTencentText('详见 https://www.beijing.gov.cn/zhengce/2026/11/26/notice.html'); // 7 + 11 = 18
 */
export function countTencentText(text: string): number {
  let bytes = 0;
  let last = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    bytes += utf8ByteLength(text.slice(last, match.index));
    bytes += TENCENT_URL_BYTES;
    last = match.index + match[0].length;
  }
  return bytes + utf8ByteLength(text.slice(last));
}
