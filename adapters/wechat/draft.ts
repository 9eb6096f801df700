/**
 * A WeChat article as a draft (platforms.md §1.4): the field checks made before anything is
 * sent, the pictures uploaded and the HTML rewritten to WeChat's URLs, then `draft/add`. Both
 * publishing and pushing an article start here.
 */
import { failMalformed, invalidInput } from '#adapter-kit';
import type { Account, ArticleRendition, DeliveryContext, InputIssue } from '#core';
import { appidOf } from './client.js';
import { WECHAT_ARTICLE_PROFILE } from './limits.js';
import { WECHAT_PLATFORM } from './map-wechat-error.js';
import { mediaUploader } from './media.js';
import { rewriteImageSources } from './media-cache.js';
import type { ResolvedOptions } from './options.js';
import { characters, readId } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';

/** Problems of the HTML content: empty, too many characters, or too many bytes. */
function contentIssues(content: string): InputIssue[] {
  const issues: InputIssue[] = [];
  if (content.trim() === '')
    issues.push({ path: 'rendition.html', message: 'expected the article HTML' });
  // [unconfirmed] the server's limit: 20 000 characters (tags included) and 1 MB are the working
  // limit of platforms.md §1.4; the 2025 page also says "2kb", which no article could meet.
  if (characters(content) >= WECHAT_ARTICLE_PROFILE.contentMaxChars) {
    issues.push({
      path: 'rendition.html',
      message: `WeChat article HTML must be under ${WECHAT_ARTICLE_PROFILE.contentMaxChars} characters (tags and image URLs included), this one has ${characters(content)}`,
    });
  } else if (Buffer.byteLength(content, 'utf8') >= 1024 * 1024) {
    issues.push({ path: 'rendition.html', message: 'WeChat article HTML must be under 1 MB' });
  }
  return issues;
}

/** Problems of the "read original" link. */
function sourceUrlIssues(sourceUrl: string): InputIssue[] {
  if (sourceUrl === '') return [];
  if (!/^https?:\/\/\S+$/i.test(sourceUrl)) {
    return [{ path: 'rendition.sourceUrl', message: 'expected an absolute http(s) URL' }];
  }
  if (Buffer.byteLength(sourceUrl, 'utf8') > 1024) {
    return [{ path: 'rendition.sourceUrl', message: 'WeChat keeps "read original" links to 1 KB' }];
  }
  return [];
}

/**
 * Field checks of §1.4 made before anything is sent.
 * @throws ReleaseHallError `INVALID_INPUT` naming every field that does not fit.
 */
export function checkArticle(article: ArticleRendition, account: Account, content: string): void {
  const issues: InputIssue[] = [];
  const limit = (path: string, value: string | undefined, max: number, name: string): void => {
    if (value !== undefined && characters(value) > max) {
      issues.push({
        path,
        message: `a WeChat ${name} has at most ${max} characters, this one has ${characters(value)}`,
      });
    }
  };
  if (article.title.trim() === '')
    issues.push({ path: 'rendition.title', message: 'expected a title' });
  limit('rendition.title', article.title, WECHAT_ARTICLE_PROFILE.titleMax, 'title');
  limit('rendition.author', article.author, WECHAT_ARTICLE_PROFILE.authorMax, 'author');
  limit('rendition.digest', article.digest, WECHAT_ARTICLE_PROFILE.digestMax, 'digest');
  issues.push(...contentIssues(content), ...sourceUrlIssues(article.sourceUrl));
  if (issues.length > 0) throw invalidInput(`WeChat article for account "${account.id}"`, issues);
}

/** The body of `draft/add` for one article. */
function draftBody(
  article: ArticleRendition,
  content: string,
  thumbMediaId: string,
  options: ResolvedOptions,
): unknown {
  return {
    articles: [
      {
        article_type: 'news',
        title: article.title,
        ...(article.author === undefined || article.author === ''
          ? {}
          : { author: article.author }),
        ...(article.digest === '' ? {} : { digest: article.digest }),
        content,
        content_source_url: article.sourceUrl,
        thumb_media_id: thumbMediaId,
        need_open_comment: options.needOpenComment ? 1 : 0,
        only_fans_can_comment: options.onlyFansCanComment ? 1 : 0,
      },
    ],
  };
}

/**
 * Uploads the pictures and adds the draft; resolves with the draft's media id.
 * @throws ReleaseHallError `INVALID_INPUT` before anything is sent when the article has no cover
 * or a field does not fit.
 */
export async function createDraft(
  runtime: WechatRuntime,
  article: ArticleRendition,
  account: Account,
  context: DeliveryContext,
): Promise<string> {
  const { client, media, options } = runtime;
  const appid = appidOf(account);
  const upload = mediaUploader(client, account, context);
  const coverSource = article.cover ?? options.defaultCover;
  if (coverSource === undefined) {
    throw invalidInput(`WeChat article for account "${account.id}"`, [
      {
        path: 'images[0]',
        message:
          'a WeChat article needs a cover: give the statement an image (its first image is the cover, a JPEG of at most 64 KB) or set the adapter option defaultCover',
      },
    ]);
  }
  // Fields first, so nothing is uploaded for an article WeChat would refuse; the content again
  // once its image sources are WeChat URLs (they are longer than file paths).
  checkArticle(article, account, article.html);
  const content = await rewriteImageSources(article.html, (source, index) =>
    media.image(appid, source, upload, `rendition.html <img> #${index + 1}`),
  );
  checkArticle(article, account, content);
  for (let attempt = 0; ; attempt++) {
    const cover = await media.cover(
      appid,
      coverSource,
      upload,
      article.cover === undefined ? 'defaultCover' : 'images[0]',
    );
    const reply = await client.call(account, context, {
      endpoint: 'draft/add',
      method: 'POST',
      json: draftBody(article, content, cover.mediaId, options),
      // A stray draft is private to the account and harmless, so a lost answer is retried as
      // TRANSIENT rather than reconciled. [derived]
      write: false,
      handle: attempt === 0 ? [40007] : [],
    });
    if (reply.errcode === 40007) {
      // The cached cover id is no longer valid (the material was deleted): upload it again once.
      await media.forget(cover.key);
      continue;
    }
    const mediaId = readId(reply, 'media_id');
    if (mediaId === undefined) {
      failMalformed(
        { platform: WECHAT_PLATFORM, endpoint: 'draft/add', write: false, accountId: account.id },
        `HTTP ${reply.http.status} without a media_id`,
      );
    }
    return mediaId;
  }
}
