/**
 * The draft box of the WeChat fake: `draft/add` with the article rules (§1.4), `draft/get`,
 * `draft/delete` and `draft/count`, and how an article is written in replies.
 */
import { WECHAT_ARTICLE_LIMITS } from './settings.js';
import type { WechatArticleFields } from './inspection.js';
import {
  characters,
  isRecord,
  utf8Bytes,
  wechatOk,
  type AccountState,
  type DraftState,
  type WechatCall,
  type WechatContent,
  type WechatOutcome,
  type WechatReply,
} from './state.js';

const IMG_SRC = /<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;

/** `draft/add`: a draft of 1 to 8 articles. */
export function addDraft(call: WechatCall): WechatOutcome {
  const { content, account, body } = call;
  const list = body.articles;
  if (!Array.isArray(list) || list.length === 0) return content.refuse(44003, 'empty news data');
  // [unconfirmed] the most articles per draft; the MP console allows 8.
  if (list.length > 8) return content.refuse(40097, 'invalid args: at most 8 articles');
  const articles: WechatArticleFields[] = [];
  for (const item of list) {
    const checked = checkArticle(content, account, item);
    if ('reply' in checked) return { applied: false, reply: checked.reply };
    articles.push(checked.article);
  }
  const mediaId = content.id('D');
  content.drafts.set(mediaId, {
    mediaId,
    appid: account.appid,
    articles,
    createdAt: content.now(),
    removed: false,
  });
  // Success has no errcode at all (§1.1).
  return wechatOk({ media_id: mediaId });
}

/** `draft/get`: the articles of a draft still in the box. */
export function getDraft(call: WechatCall): WechatOutcome {
  const draft = draftOf(call);
  if (draft === undefined) return call.content.refuse(40007, 'invalid media_id');
  return wechatOk({
    news_item: draft.articles.map((item) => newsItem(call.content, item, { url: '' })),
    create_time: Math.floor(draft.createdAt / 1000),
    update_time: Math.floor(draft.createdAt / 1000),
  });
}

/** `draft/delete`: takes a draft out of the box. */
export function deleteDraft(call: WechatCall): WechatOutcome {
  const draft = draftOf(call);
  if (draft === undefined) return call.content.refuse(40007, 'invalid media_id');
  draft.removed = true;
  return wechatOk({ errcode: 0, errmsg: 'ok' });
}

/** `draft/count`: drafts in the box. */
export function countDrafts(call: WechatCall): WechatOutcome {
  const total = [...call.content.drafts.values()].filter(
    (draft) => draft.appid === call.account.appid && !draft.removed,
  ).length;
  return wechatOk({ total_count: total });
}

/** The draft `media_id` names, when it is the account's and still in the box. */
export function draftOf(call: WechatCall): DraftState | undefined {
  const draft = call.content.drafts.get(String(call.body.media_id));
  if (draft === undefined || draft.appid !== call.account.appid || draft.removed) return undefined;
  return draft;
}

/** An article as `news_item[]` writes it. */
export function newsItem(
  content: WechatContent,
  item: WechatArticleFields,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const thumb = content.media.find((media) => media.mediaId === item.thumbMediaId);
  return {
    article_type: item.articleType,
    title: item.title,
    author: item.author,
    digest: item.digest,
    content: item.content,
    content_source_url: item.contentSourceUrl,
    thumb_media_id: item.thumbMediaId,
    thumb_url: thumb?.url ?? `http://mmbiz.qpic.cn/mmbiz_jpg/${item.thumbMediaId}/0`,
    need_open_comment: item.needOpenComment,
    only_fans_can_comment: item.onlyFansCanComment,
    ...extra,
  };
}

type Checked<T> = { reply: WechatReply } | T;

interface ArticleTexts {
  readonly title: string;
  readonly author: string | undefined;
  readonly digest: string | undefined;
  readonly content: string;
  readonly source: string | undefined;
}

/** Checks one article of `draft/add` (§1.4); returns the refusal or the stored fields. */
function checkArticle(
  store: WechatContent,
  account: AccountState,
  input: unknown,
): Checked<{ article: WechatArticleFields }> {
  if (!isRecord(input)) return { reply: store.error(44003, 'empty news data') };
  const articleType = input.article_type ?? 'news';
  if (articleType !== 'news' && articleType !== 'newspic') {
    // [unconfirmed] the code for an unknown article_type.
    return { reply: store.error(40097, 'invalid args: article_type') };
  }
  const texts = checkTexts(store, input);
  if ('reply' in texts) return texts;
  const flag = (name: string): number | undefined => {
    const value = input[name];
    if (value === undefined) return 0;
    return value === 0 || value === 1 ? value : undefined;
  };
  const needOpenComment = flag('need_open_comment');
  const onlyFansCanComment = flag('only_fans_can_comment');
  if (needOpenComment === undefined || onlyFansCanComment === undefined) {
    return { reply: store.error(40097, 'invalid args: comment flags must be 0 or 1') };
  }
  const thumb = input.thumb_media_id;
  const coverProblem = checkCover(store, account, articleType, input);
  if (coverProblem !== undefined) return { reply: coverProblem };
  const { title, author, digest, content, source } = texts.texts;
  return {
    article: {
      articleType,
      title,
      author: author ?? '',
      digest: digest ?? '',
      content,
      contentSourceUrl: source ?? '',
      thumbMediaId: typeof thumb === 'string' ? thumb : '',
      needOpenComment,
      onlyFansCanComment,
    },
  };
}

/** The text fields of an article: title, author, digest, content and source URL. */
function checkTexts(
  store: WechatContent,
  input: Record<string, unknown>,
): Checked<{ texts: ArticleTexts }> {
  const error = (code: number, text: string): { reply: WechatReply } => ({
    reply: store.error(code, text),
  });
  const text = (name: string): string | undefined | null => {
    const value = input[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : null;
  };
  const title = text('title');
  const author = text('author');
  const digest = text('digest');
  const content = text('content');
  const source = text('content_source_url');
  if (title === null || author === null || digest === null || content === null || source === null) {
    return error(40097, 'invalid args: a text field is not a string');
  }
  // [unconfirmed] WeChat's code for a missing title; 44003 ("empty news data") is the nearest.
  if (title === undefined || title.trim() === '') return error(44003, 'empty news data: title');
  if (characters(title) > WECHAT_ARTICLE_LIMITS.titleMax) {
    return error(45003, 'title size out of limit');
  }
  // [unconfirmed] 45110 for a long author is not in platforms.md.
  if (author !== undefined && characters(author) > WECHAT_ARTICLE_LIMITS.authorMax) {
    return error(45110, 'author size out of limit');
  }
  if (digest !== undefined && characters(digest) > WECHAT_ARTICLE_LIMITS.digestMax) {
    return error(45004, 'description size out of limit');
  }
  if (content === undefined || content.trim() === '') {
    return error(44003, 'empty news data: content');
  }
  const contentProblem = checkContent(store, content);
  if (contentProblem !== undefined) return { reply: contentProblem };
  if (source !== undefined && source !== '') {
    if (
      utf8Bytes(source) > WECHAT_ARTICLE_LIMITS.contentSourceUrlMaxBytes ||
      !/^https?:\/\/\S+$/i.test(source)
    ) {
      return error(41039, 'invalid content_source_url');
    }
  }
  return { texts: { title, author, digest, content, source } };
}

/** The body of an article: its size, and images only from `media/uploadimg`. */
function checkContent(store: WechatContent, content: string): WechatReply | undefined {
  // [unconfirmed] whether the server enforces 20 000 characters / 1 MB or the "2kb" wording of
  // the 2025 page; the fake enforces 20 000 characters (tags included) and 1 MB.
  if (
    characters(content) >= WECHAT_ARTICLE_LIMITS.contentMaxChars ||
    utf8Bytes(content) >= WECHAT_ARTICLE_LIMITS.contentMaxBytes
  ) {
    return store.error(45002, 'content size out of limit');
  }
  // The real platform drops external images silently; the fake refuses them so a test notices.
  // [derived]
  for (const match of content.matchAll(IMG_SRC)) {
    const src = match[1] ?? match[2] ?? match[3] ?? '';
    const known = store.media.some(
      (media) => media.type === 'uploadimg' && media.url === src.replace(/&amp;/g, '&'),
    );
    if (!known) return store.error(45166, `invalid content: image ${src} is not from uploadimg`);
  }
  return undefined;
}

/** The cover of a `news` article, or the images of a `newspic` one: permanent media (§1.3). */
function checkCover(
  store: WechatContent,
  account: AccountState,
  articleType: 'news' | 'newspic',
  input: Record<string, unknown>,
): WechatReply | undefined {
  if (articleType === 'news') {
    // The cover must be a permanent media id of this account (§1.3, §1.4).
    if (!isPermanent(store, account.appid, input.thumb_media_id, ['thumb', 'image'])) {
      return store.error(40007, 'invalid media_id: thumb_media_id');
    }
    return undefined;
  }
  const list = isRecord(input.image_info) ? input.image_info.image_list : undefined;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.length > 20 ||
    !list.every(
      (item) => isRecord(item) && isPermanent(store, account.appid, item.image_media_id, ['image']),
    )
  ) {
    return store.error(40007, 'invalid media_id: image_info.image_list');
  }
  return undefined;
}

function isPermanent(
  store: WechatContent,
  appid: string,
  mediaId: unknown,
  types: readonly string[],
): boolean {
  return (
    typeof mediaId === 'string' &&
    store.media.some(
      (media) =>
        media.appid === appid &&
        media.permanent &&
        media.mediaId === mediaId &&
        types.includes(media.type),
    )
  );
}
