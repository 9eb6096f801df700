/**
 * Whether a rendition fits its platform: small helpers over the profiles adapters declare, with no
 * registry of platforms. A text profile counts by its own rule; article fields are counted in
 * UTF-16 code units (never fewer than characters, so the check errs on the safe side).
 */
import type {
  AdapterLimits,
  ArticleProfile,
  ArticleRendition,
  Rendition,
  TextProfile,
} from '../adapter.js';

/** Largest `content_source_url` WeChat accepts, in UTF-8 bytes (platforms.md §4). */
export const ARTICLE_SOURCE_URL_MAX_BYTES = 1024;

/** A count against its limit. `limit` is the largest count accepted. */
export interface Measure {
  readonly count: number;
  readonly limit: number;
  readonly fits: boolean;
}

const measure = (count: number, limit: number): Measure => ({
  count,
  limit,
  fits: count <= limit,
});

/** True when `text` is within the profile's limit by the profile's own count. */
export function fitsProfile(text: string, profile: TextProfile): boolean {
  return profile.count(text) <= profile.maxLength;
}

/** The count of `text` by the profile's rule, against its limit. */
export function measureText(text: string, profile: TextProfile): Measure {
  return measure(profile.count(text), profile.maxLength);
}

/** Length of an article field as checked here: UTF-16 code units. */
export function articleLength(text: string): number {
  return text.length;
}

/** Each article field against its limit. */
export interface ArticleMeasure {
  readonly title: Measure;
  readonly author: Measure;
  readonly digest: Measure;
  /** The content HTML; WeChat wants it shorter than `contentMaxChars`, so `limit` is one less. */
  readonly content: Measure;
  /** `content_source_url` in UTF-8 bytes. */
  readonly sourceUrl: Measure;
  readonly fits: boolean;
}

/** Measures every field of an article against the profile. */
export function measureArticle(article: ArticleRendition, profile: ArticleProfile): ArticleMeasure {
  const fields = {
    title: measure(articleLength(article.title), profile.titleMax),
    author: measure(articleLength(article.author ?? ''), profile.authorMax),
    digest: measure(articleLength(article.digest), profile.digestMax),
    content: measure(articleLength(article.html), profile.contentMaxChars - 1),
    sourceUrl: measure(
      new TextEncoder().encode(article.sourceUrl).length,
      ARTICLE_SOURCE_URL_MAX_BYTES,
    ),
  };
  return { ...fields, fits: Object.values(fields).every((field) => field.fits) };
}

/** True when every field of the article is within the profile's limits. */
export function fitsArticleProfile(article: ArticleRendition, profile: ArticleProfile): boolean {
  return measureArticle(article, profile).fits;
}

/** The part of an adapter's limits that decides how renditions are made and measured. */
export type PlatformLimits = Pick<AdapterLimits, 'format' | 'article' | 'text'>;

/** A rendition measured against an adapter's limits. */
export interface RenditionMeasure extends Measure {
  /** For an article: every field. `count`/`limit` are then those of the content. */
  readonly article?: ArticleMeasure;
}

/**
 * Measures any rendition against an adapter's limits: a text by the text profile, an article field
 * by field (an article on a platform without an article profile does not fit).
 */
export function measureRendition(rendition: Rendition, limits: PlatformLimits): RenditionMeasure {
  if (rendition.format === 'text') return measureText(rendition.text, limits.text);
  if (limits.article === undefined) {
    return { count: articleLength(rendition.html), limit: 0, fits: false };
  }
  const article = measureArticle(rendition, limits.article);
  return {
    count: article.content.count,
    limit: article.content.limit,
    fits: article.fits,
    article,
  };
}

/**
 * What a platform's limits can be given as: an adapter, its `limits`, or just a text profile.
 * Preview and lint take a map of these keyed by platform name (`publisher`'s adapter map works).
 */
export type ProfileSource = TextProfile | PlatformLimits | { readonly limits: PlatformLimits };

/** Profile sources by platform name: a `Map` (such as the publisher's adapters) or an object. */
export type ProfilesByPlatform =
  ReadonlyMap<string, ProfileSource> | Readonly<Record<string, ProfileSource>>;

function isTextProfile(source: ProfileSource): source is TextProfile {
  return 'count' in source && 'maxLength' in source;
}

/** The adapter limits of a source; a bare text profile becomes `{ text }` limits. */
export function limitsOf(source: ProfileSource): PlatformLimits {
  if (isTextProfile(source)) return { text: source };
  return 'limits' in source ? source.limits : source;
}

/** The limits of `platform` in `profiles`, if given. */
export function limitsFor(
  profiles: ProfilesByPlatform | undefined,
  platform: string,
): PlatformLimits | undefined {
  if (profiles === undefined) return undefined;
  const source =
    profiles instanceof Map
      ? (profiles as ReadonlyMap<string, ProfileSource>).get(platform)
      : Object.hasOwn(profiles, platform)
        ? (profiles as Readonly<Record<string, ProfileSource>>)[platform]
        : undefined;
  return source === undefined ? undefined : limitsOf(source);
}

/** Every platform named in `profiles`. */
export function platformsOf(profiles: ProfilesByPlatform | undefined): string[] {
  if (profiles === undefined) return [];
  return profiles instanceof Map
    ? [...(profiles as ReadonlyMap<string, ProfileSource>).keys()]
    : Object.keys(profiles);
}
