/**
 * What the WeChat adapter declares to the core: article field limits, the text limit of a push,
 * and the default rate limits (platforms.md §1.4, §1.6).
 */
import type { AdapterLimits, RateLimits } from '#core';
import { characters } from './read-reply.js';

/**
 * Requests in flight at once on WeChat by default. Every Official Account is an app of its own
 * (its appid), and WeChat's documented limits are per app: daily quotas per API (token 2 000,
 * media upload 5 000, §1.8), `stable_token` 10 000 a minute (§1.2), 60 requests a minute on the
 * mass endpoints (§1.6). None limits how many different accounts publish at once, and no per-IP
 * rate is documented (only the IP whitelist, §1.2), so every account's article chain starts at
 * once. The cap only bounds this process: one connection per request in flight, at most 1 000
 * (three platforms at that stay well under a 4 096 descriptor limit, the smallest common hard
 * limit, to which Node raises its own at start-up). A gateway that wants fewer sets
 * `limits.platformConcurrency` in the hall file.
 */
const WECHAT_DEFAULT_PLATFORM_CONCURRENCY = 1_000;

/**
 * Default rate limits. WeChat documents 60 requests a minute on the mass endpoints (§1.6); no
 * per-account rate is documented for publishing, so the same window is used for every write.
 * [derived] See {@link WECHAT_DEFAULT_PLATFORM_CONCURRENCY} for the requests in flight.
 */
export const WECHAT_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: WECHAT_DEFAULT_PLATFORM_CONCURRENCY,
  postsPerWindow: 60,
  windowMs: 60_000,
  requestTimeoutMs: 15_000,
};

/**
 * Longest text of a `text` mass send, in characters. No limit is documented in platforms.md
 * [unconfirmed]: 600 is the text box of the MP console's mass send as commonly reported, and 600
 * CJK characters (1 800 UTF-8 bytes) also stay under the ~2 048-byte reply-text bound of §4.
 */
export const WECHAT_TEXT_MAX_LENGTH = 600;

/** Field limits of a WeChat article (§1.4). */
export const WECHAT_ARTICLE_PROFILE = {
  titleMax: 32,
  authorMax: 16,
  digestMax: 128,
  contentMaxChars: 20_000,
} as const;

/** The limits the adapter declares, with the resolved rate limits. */
export function wechatLimits(rate: RateLimits): AdapterLimits {
  return {
    format: 'article',
    article: WECHAT_ARTICLE_PROFILE,
    text: {
      name: `wechat-text-${WECHAT_TEXT_MAX_LENGTH}`,
      maxLength: WECHAT_TEXT_MAX_LENGTH,
      count: characters,
      requiresSafeDomainLink: false,
      allowsTopics: false,
    },
    rate,
    supportsRelay: false,
  };
}
