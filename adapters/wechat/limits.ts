/**
 * What the WeChat adapter declares to the core: article field limits, the text limit of a push,
 * and the default rate limits (platforms.md §1.4, §1.6).
 */
import type { AdapterLimits, RateLimits } from '#core';
import { characters } from './read-reply.js';

/**
 * Default rate limits. WeChat documents 60 requests a minute on the mass endpoints (§1.6); no
 * per-account rate is documented for publishing, so the same window is used for every write.
 * [derived]
 */
export const WECHAT_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: 8,
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
