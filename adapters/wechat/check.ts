/**
 * The pre-flight of a WeChat article: what WeChat would refuse about it, found without sending
 * anything. The cover and every picture in the content are read and checked by their first bytes
 * and size (a PNG cover, a 70 KB cover or a missing file stop the campaign before any platform
 * is sent to, not after Weibo and Tencent have spoken), and the fields against their limits.
 */
import type { Account, InputIssue, Rendition } from '#core';
import { ReleaseHallError } from '#core';
import { checkArticle } from './draft.js';
import { checkImage, imageSources, isWechatImageUrl, readLocalImage } from './media-cache.js';
import type { ResolvedOptions } from './options.js';

/** The issues of an error thrown by a check, or one issue with its message. */
function issuesOf(error: unknown, path: string): InputIssue[] {
  if (ReleaseHallError.isInstance(error) && error.issues !== undefined && error.issues.length > 0) {
    return [...error.issues];
  }
  return [{ path, message: error instanceof Error ? error.message : String(error) }];
}

/**
 * Checks one picture: it can be read, and it is of the type and size its upload kind takes.
 * Resolves with the problem, if any.
 */
async function checkPicture(
  options: ResolvedOptions,
  kind: 'thumb' | 'uploadimg',
  source: string,
  path: string,
): Promise<InputIssue[]> {
  const load = options.loadImage ?? readLocalImage;
  let bytes: Uint8Array;
  try {
    bytes = await load(source);
  } catch (error) {
    return issuesOf(error, path).map((issue) => ({ ...issue, path }));
  }
  const problem = checkImage(kind, bytes);
  if (problem === undefined) return [];
  const fix =
    kind === 'thumb'
      ? 'save the cover as a JPEG of at most 64 KB'
      : 'save the picture as a JPEG or PNG under 1 MB';
  return [{ path, message: `"${source}": ${problem}: ${fix}` }];
}

/**
 * Everything WeChat would refuse about an article rendition, without sending: a missing or
 * unreadable cover, a cover that is not a JPEG of at most 64 KB, pictures in the content that are
 * not JPEG/PNG under 1 MB, fields over their limits. Text renditions are not WeChat's and pass.
 */
export async function checkArticleRendition(
  options: ResolvedOptions,
  rendition: Rendition,
  account: Account,
): Promise<InputIssue[]> {
  if (rendition.format !== 'article') return [];
  const issues: InputIssue[] = [];
  try {
    checkArticle(rendition, account, rendition.html);
  } catch (error) {
    issues.push(...issuesOf(error, 'rendition'));
  }
  const cover = rendition.cover ?? options.defaultCover;
  if (cover === undefined) {
    issues.push({
      path: 'images[0]',
      message:
        'a WeChat article needs a cover: give the statement an image (its first image is the cover, a JPEG of at most 64 KB) or set the adapter option defaultCover',
    });
  } else {
    const path =
      rendition.cover === undefined ? 'platforms.wechat.settings.defaultCover' : 'images[0]';
    issues.push(...(await checkPicture(options, 'thumb', cover, path)));
  }
  let index = 0;
  for (const { value } of imageSources(rendition.html)) {
    index += 1;
    if (isWechatImageUrl(value)) continue;
    issues.push(
      ...(await checkPicture(options, 'uploadimg', value, `rendition.html <img> #${index}`)),
    );
  }
  return issues;
}
