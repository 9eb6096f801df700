/**
 * Images of WeChat articles (platforms.md §1.3), uploaded once per account and content.
 *
 * - the cover: `material/add_material?type=thumb` (permanent media; a temporary `media/upload` id
 *   is not valid as `thumb_media_id`); JPEG, at most 64 KB;
 * - images inside the article HTML: `media/uploadimg`; JPEG or PNG under 1 MB. Article `content`
 *   may only use image URLs from this call: external image URLs are filtered out by WeChat.
 *
 * Both are cached per account (appid) by the SHA-256 of the file's bytes behind {@link MediaCache},
 * so a resumed or repeated campaign does not upload the same picture again. The in-memory default
 * lives as long as the adapter; a shared cache (a file, a database) keeps ids across processes.
 *
 * Where images come from: the statement's `images` reach the adapter as the rendition's `cover`
 * and as `<img src="…">` in its HTML. For now a source is a local file path (or a `file:` URL)
 * read with node:fs; an http(s) URL is refused with `INVALID_INPUT` unless the adapter is given a
 * `loadImage` function that fetches it. Images already on WeChat's image hosts are left as they are.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidInput } from '#adapter-kit';

/** What kind of upload a cached id came from. */
export type WechatMediaKind = 'thumb' | 'uploadimg';

/** A cached upload: a permanent `media_id` (thumb) or an image URL (uploadimg). */
export interface CachedMedia {
  readonly mediaId?: string;
  readonly url?: string;
  /** Epoch ms of the upload. */
  readonly uploadedAt: number;
}

/** Where upload results are kept. All methods are async so a shared store fits. */
export interface MediaCache {
  get(key: string): Promise<CachedMedia | undefined>;
  set(key: string, media: CachedMedia): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The default {@link MediaCache}: a map in this process. */
export class MemoryMediaCache implements MediaCache {
  readonly #entries = new Map<string, CachedMedia>();

  get(key: string): Promise<CachedMedia | undefined> {
    return Promise.resolve(this.#entries.get(key));
  }

  set(key: string, media: CachedMedia): Promise<void> {
    this.#entries.set(key, media);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  /** Number of entries. */
  get size(): number {
    return this.#entries.size;
  }
}

/** Cache key of one upload: account, kind and content hash. */
export function mediaCacheKey(appid: string, kind: WechatMediaKind, sha256: string): string {
  return `wechat:${appid}:${kind}:${sha256}`;
}

/** Hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads an image from wherever `source` points. */
export type ImageLoader = (source: string) => Promise<Uint8Array>;

/** Picture types told apart by their first bytes. */
export type ImageType = 'jpeg' | 'png' | 'gif' | 'bmp' | 'unknown';

/** Tells the picture type from the first bytes (the file name is not trusted). */
export function sniffImageType(bytes: Uint8Array): ImageType {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'gif';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return 'unknown';
}

/** MIME type of a sniffed picture. */
export function imageMimeType(type: ImageType): string {
  return type === 'unknown' ? 'application/octet-stream' : `image/${type}`;
}

/** Largest cover (`thumb`) WeChat takes: 64 KB, JPEG (§1.3). */
export const WECHAT_THUMB_MAX_BYTES = 64 * 1024;
/** In-article images (`uploadimg`) must be under 1 MB, JPEG or PNG (§1.3). */
export const WECHAT_UPLOADIMG_MAX_BYTES = 1024 * 1024;

/** True for image URLs on WeChat's own hosts, which article content may use as they are. [derived] */
export function isWechatImageUrl(source: string): boolean {
  try {
    const { hostname, protocol } = new URL(source);
    return (
      (protocol === 'http:' || protocol === 'https:') &&
      /(^|\.)(qpic\.cn|qlogo\.cn)$/i.test(hostname)
    );
  } catch {
    return false;
  }
}

/**
 * The default {@link ImageLoader}: a local path or a `file:` URL, read with node:fs. An http(s)
 * URL is refused: pass a `loadImage` option that fetches it (and decide where it may come from).
 */
export const readLocalImage: ImageLoader = async (source) => {
  if (/^https?:\/\//i.test(source)) {
    throw invalidInput('article image', [
      {
        path: 'images',
        message: `"${source}" is a URL; for now images are read from local files: download it and give its path, or give the adapter a loadImage function`,
      },
    ]);
  }
  if (/^data:/i.test(source)) {
    throw invalidInput('article image', [
      { path: 'images', message: 'a data: URL is not supported; save the image as a file' },
    ]);
  }
  const path = /^file:/i.test(source) ? fileURLToPath(source) : source;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    return new Uint8Array(await readFile(path));
  } catch {
    throw invalidInput('article image', [
      { path: 'images', message: `cannot read the image file "${source}"` },
    ]);
  }
};

/** Checks a picture against the rule of its upload kind; returns the problem, if any. */
export function checkImage(kind: WechatMediaKind, bytes: Uint8Array): string | undefined {
  const type = sniffImageType(bytes);
  if (kind === 'thumb') {
    if (type !== 'jpeg')
      return `a WeChat cover (thumb) must be a JPEG, this is ${type === 'unknown' ? 'not a known picture type' : `a ${type.toUpperCase()}`}`;
    if (bytes.length > WECHAT_THUMB_MAX_BYTES) {
      return `a WeChat cover (thumb) must be at most 64 KB, this is ${Math.ceil(bytes.length / 1024)} KB`;
    }
    return undefined;
  }
  if (type !== 'jpeg' && type !== 'png') {
    return `an image inside a WeChat article must be a JPEG or PNG, this is ${type === 'unknown' ? 'not a known picture type' : `a ${type.toUpperCase()}`}`;
  }
  if (bytes.length >= WECHAT_UPLOADIMG_MAX_BYTES) {
    return `an image inside a WeChat article must be under 1 MB, this is ${Math.ceil(bytes.length / 1024)} KB`;
  }
  return undefined;
}

/** One upload to do: the adapter sends it with the account's token. */
export interface MediaUpload {
  readonly kind: WechatMediaKind;
  readonly bytes: Uint8Array;
  readonly filename: string;
  readonly contentType: string;
}

/** Sends an upload; resolves with the media id (thumb) or URL (uploadimg). */
export type MediaUploader = (upload: MediaUpload) => Promise<{ mediaId?: string; url?: string }>;

/**
 * Uploads pictures for one adapter, once per account and content: cached results first, then
 * one shared upload when several deliveries of one account need the same picture at once.
 */
export class WechatMediaLibrary {
  readonly #cache: MediaCache;
  readonly #loadImage: ImageLoader;
  readonly #now: () => number;
  readonly #inflight = new Map<string, Promise<CachedMedia>>();
  #uploads = 0;

  constructor(options: {
    readonly cache: MediaCache;
    readonly loadImage?: ImageLoader | undefined;
    readonly now?: (() => number) | undefined;
  }) {
    this.#cache = options.cache;
    this.#loadImage = options.loadImage ?? readLocalImage;
    this.#now = options.now ?? Date.now;
  }

  /** Uploads made (not served from the cache). */
  get uploads(): number {
    return this.#uploads;
  }

  /**
   * The permanent media id of a cover, uploading it once per account.
   * @param path - where the error points (`images[0]`)
   */
  async cover(
    appid: string,
    source: string,
    upload: MediaUploader,
    path = 'images[0]',
  ): Promise<{ readonly mediaId: string; readonly key: string }> {
    const entry = await this.#ensure(appid, 'thumb', source, upload, path);
    if (entry.media.mediaId === undefined) throw new Error('the cover upload gave no media_id');
    return { mediaId: entry.media.mediaId, key: entry.key };
  }

  /** The WeChat URL of an in-article image, uploading it once per account. */
  async image(
    appid: string,
    source: string,
    upload: MediaUploader,
    path = 'images',
  ): Promise<string> {
    if (isWechatImageUrl(source)) return source;
    const entry = await this.#ensure(appid, 'uploadimg', source, upload, path);
    if (entry.media.url === undefined) throw new Error('the image upload gave no url');
    return entry.media.url;
  }

  /** Forgets a cached upload (e.g. WeChat said its media id is invalid: `40007`). */
  async forget(key: string): Promise<void> {
    await this.#cache.delete(key);
  }

  async #ensure(
    appid: string,
    kind: WechatMediaKind,
    source: string,
    upload: MediaUploader,
    path: string,
  ): Promise<{ media: CachedMedia; key: string }> {
    const bytes = await this.#loadImage(source);
    const problem = checkImage(kind, bytes);
    if (problem !== undefined) {
      throw invalidInput('article image', [{ path, message: `${problem} ("${source}")` }]);
    }
    const key = mediaCacheKey(appid, kind, sha256Hex(bytes));
    const cached = await this.#cache.get(key);
    if (cached !== undefined) return { media: cached, key };
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = (async () => {
        const again = await this.#cache.get(key);
        if (again !== undefined) return again;
        this.#uploads += 1;
        const type = sniffImageType(bytes);
        const result = await upload({
          kind,
          bytes,
          filename: uploadFilename(source, type),
          contentType: imageMimeType(type),
        });
        const media: CachedMedia = {
          ...(result.mediaId === undefined ? {} : { mediaId: result.mediaId }),
          ...(result.url === undefined ? {} : { url: result.url }),
          uploadedAt: this.#now(),
        };
        await this.#cache.set(key, media);
        return media;
      })().finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return { media: await pending, key };
  }
}

function uploadFilename(source: string, type: ImageType): string {
  const extension = type === 'jpeg' ? 'jpg' : type === 'unknown' ? 'bin' : type;
  const name = basename(/^file:/i.test(source) ? fileURLToPath(source) : source).replace(
    /\.[^.]*$/,
    '',
  );
  // ASCII names only: multipart filename encoding of other characters varies between servers.
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'image';
  return `${safe}.${extension}`;
}

/** An `<img>` source inside article HTML. */
interface ImageSource {
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

const IMG_SRC = /<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;

function decodeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function encodeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

/** Finds the `src` of every `<img>` of an HTML string, in order. */
export function imageSources(html: string): readonly ImageSource[] {
  const out: ImageSource[] = [];
  for (const match of html.matchAll(IMG_SRC)) {
    const raw = match[1] ?? match[2] ?? match[3] ?? '';
    const full = match[0];
    const index = match.index;
    const valueStart = index + full.length - raw.length - (match[3] === undefined ? 1 : 0);
    const start = match[3] === undefined ? valueStart - 1 : valueStart;
    const end = index + full.length;
    out.push({ start, end, value: decodeAttribute(raw) });
  }
  return out;
}

/**
 * Replaces every `<img src>` of `html` with the URL `resolve` gives for it (the source is passed
 * decoded; the result is written double-quoted). Sources resolve one after another so the errors
 * name the first bad image.
 */
export async function rewriteImageSources(
  html: string,
  resolve: (source: string, index: number) => Promise<string>,
): Promise<string> {
  const sources = imageSources(html);
  let out = '';
  let cursor = 0;
  for (const [index, source] of sources.entries()) {
    const url = await resolve(source.value, index);
    out += `${html.slice(cursor, source.start)}"${encodeAttribute(url)}"`;
    cursor = source.end;
  }
  return out + html.slice(cursor);
}
