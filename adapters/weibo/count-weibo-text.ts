/**
 * Weibo's text length rule.
 *
 * Not official: the rule below was reverse-engineered from the Weibo client by a third party and
 * checked against its own test vectors (platforms.md §2.4). The official wording only says
 * "at most 140 Chinese characters", with two ASCII characters counting as one.
 *
 * - every character (code point) above 0x80 counts 2 units, every other character 1 unit;
 * - every `http://` link counts 20 units when its UTF-8 byte length is at most 140, otherwise
 *   `byteLength - 140 + 20` units;
 * - `weibo.com` / `weibo.cn` links of at most 41 bytes, and `t.cn` short links, count at their real
 *   length (1 unit per byte, as they are ASCII);
 * - the length is `ceil(units / 2)`.
 *
 * [unconfirmed] The reverse-engineered rule only matched `http://`. How `https://` links count today
 * is not confirmed; this module counts them exactly like `http://` links.
 */

/** Largest length Weibo accepts for `statuses/share`, `statuses/update`, reposts and comments. */
export const WEIBO_MAX_LENGTH = 140;

/** Largest length of a long text post (`statuses/update` with `is_longtext=1`, qualified users). */
export const WEIBO_MAX_LONG_TEXT_LENGTH = 2000;

/** Units a link of up to {@link LINK_BYTE_THRESHOLD} bytes counts for (10 characters). */
const LINK_UNITS = 20;
/** Byte length up to which a link counts the flat {@link LINK_UNITS}. */
const LINK_BYTE_THRESHOLD = 140;
/** Byte length up to which a weibo.com / weibo.cn link counts at its real length. */
const WEIBO_LINK_BYTE_THRESHOLD = 41;

/**
 * A link as the counter sees it: a scheme followed by the ASCII characters a URL may hold
 * (RFC 3986 unreserved, reserved and `%`). A link ends at the first space or non-ASCII character,
 * so Chinese punctuation right after a link is counted as text.
 */
const LINK_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;

const encoder = new TextEncoder();

/** The `http://` and `https://` links in `text`, as the counter delimits them. */
export function weiboLinks(text: string): string[] {
  return Array.from(text.matchAll(LINK_PATTERN), (match) => match[0]);
}

/** `text` with every link removed (used to compare texts Weibo may have rewritten). */
export function withoutWeiboLinks(text: string): string {
  return text.replace(LINK_PATTERN, ' ');
}

/** The lower-case host of a link, or `undefined` when it has none. */
export function weiboLinkHost(link: string): string | undefined {
  return hostOf(link);
}

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function hostOf(link: string): string | undefined {
  const match = /^https?:\/\/([^/?#:]+)/i.exec(link);
  return match?.[1]?.toLowerCase();
}

/** True when `host` is `domain` or one of its subdomains (both compared in lower case). */
export function isHostOrSubdomain(host: string, domain: string): boolean {
  const wanted = domain.toLowerCase();
  const actual = host.toLowerCase();
  return actual === wanted || actual.endsWith(`.${wanted}`);
}

function linkUnits(link: string): number {
  const bytes = byteLength(link);
  const host = hostOf(link) ?? '';
  if (host === 't.cn') return bytes;
  if (
    (isHostOrSubdomain(host, 'weibo.com') || isHostOrSubdomain(host, 'weibo.cn')) &&
    bytes <= WEIBO_LINK_BYTE_THRESHOLD
  ) {
    return bytes;
  }
  return bytes <= LINK_BYTE_THRESHOLD ? LINK_UNITS : bytes - LINK_BYTE_THRESHOLD + LINK_UNITS;
}

function textUnits(text: string): number {
  let units = 0;
  // `for…of` walks code points, so a character outside the BMP (an emoji) is one character.
  for (const character of text) {
    units += (character.codePointAt(0) ?? 0) > 0x80 ? 2 : 1;
  }
  return units;
}

/**
 * Counts `text` the way Weibo does (see the module comment for the rule and its caveats).
 *
 * @example
 * countWeiboText('我司CEO！'); // 5
 * countWeiboText('通知 http://www.gov.cn/zhengce/content/2024-01/01/content_123456.htm'); // 13
 */
export function countWeiboText(text: string): number {
  let units = 0;
  let last = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    units += textUnits(text.slice(last, match.index));
    units += linkUnits(match[0]);
    last = match.index + match[0].length;
  }
  units += textUnits(text.slice(last));
  return Math.ceil(units / 2);
}
