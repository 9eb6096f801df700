/**
 * Publishing in the WeChat fake (§1.5): `freepublish/submit` starts a job that ends, on the
 * platform clock and after the polls the settings ask for, in an article or a failure;
 * `freepublish/get`, `batchget` and `getarticle` read them; `freepublish/delete` removes one.
 */
import { RawJsonNumber } from '../../fake/raw-json.js';
import { draftOf, newsItem } from './drafts.js';
import type { WechatArticleInfo } from './inspection.js';
import {
  rawId,
  wechatOk,
  type ArticleState,
  type JobState,
  type WechatCall,
  type WechatContent,
  type WechatOutcome,
} from './state.js';

/** Moves every publish job on as far as the clock allows. */
export function advanceAllJobs(content: WechatContent): void {
  for (const job of content.jobs.values()) advanceJob(content, job, false);
}

/** Moves one publish job on: to an article, or to a failure (queued outcomes, a lost draft). */
export function advanceJob(content: WechatContent, job: JobState, polled: boolean): void {
  if (job.status !== 1) return;
  if (polled) job.polls += 1;
  const settings = content.settings();
  if (content.now() < job.submittedAt + settings.publishDelayMs) return;
  const before = settings.publishPollsBeforeDone;
  if (before > 0 && job.polls <= before) return;
  const draft = content.drafts.get(job.mediaId);
  const queue = content.outcomes.get(job.appid);
  const outcome = queue?.shift() ?? 0;
  if (outcome !== 0 || draft === undefined) {
    job.status = draft === undefined ? 3 : outcome;
    if (job.status === 2 || job.status === 4) job.failIdx = [1];
    // [unconfirmed] a failed job gives the draft back, so a resubmit may help (§1.5, status 3).
    if (draft !== undefined) draft.removed = false;
    return;
  }
  draft.removed = true;
  const articleId = content.id('');
  const article: ArticleState = {
    articleId,
    appid: job.appid,
    publishId: job.publishId,
    url: `https://mp.weixin.qq.com/s/${articleId}`,
    articles: draft.articles.map((item) => ({ ...item })),
    publishedAt: Math.max(content.now(), job.submittedAt),
    deleted: false,
    removedBy: undefined,
  };
  content.articles.set(articleId, article);
  job.status = 0;
  job.articleId = articleId;
}

/** An article as the inspection API shows it. */
export function articleInfo(article: ArticleState): WechatArticleInfo {
  return {
    articleId: article.articleId,
    appid: article.appid,
    publishId: article.publishId,
    url: article.url,
    articles: article.articles.map((item) => ({ ...item })),
    publishedAt: new Date(article.publishedAt),
    deleted: article.deleted,
    removedBy: article.removedBy,
  };
}

/** `freepublish/submit`: a publish job for a draft in the box. */
export function submitPublish(call: WechatCall): WechatOutcome {
  const { content, account } = call;
  const draft = draftOf(call);
  if (draft === undefined) return content.refuse(40007, 'invalid media_id');
  const publishId = content.nextPublishId();
  const job: JobState = {
    publishId,
    appid: account.appid,
    mediaId: draft.mediaId,
    submittedAt: content.now(),
    status: 1,
    articleId: undefined,
    polls: 0,
    failIdx: [],
  };
  if (content.settings().draftRemovedOn === 'submit') draft.removed = true;
  content.jobs.set(publishId, job);
  advanceJob(content, job, false);
  return wechatOk({
    errcode: 0,
    errmsg: 'ok',
    publish_id: content.idJson(publishId),
    msg_data_id: new RawJsonNumber(content.nextMsgDataId()),
  });
}

/** `freepublish/get`: the state of a job (a poll). */
export function getPublish(call: WechatCall): WechatOutcome {
  const { content, account } = call;
  const publishId = rawId(call.bodyText, 'publish_id');
  const job = publishId === undefined ? undefined : content.jobs.get(publishId);
  // [unconfirmed] the code for an unknown publish_id; 53600 (invalid article_id) is nearest.
  if (job === undefined || job.appid !== account.appid) {
    return content.refuse(53600, 'invalid publish_id');
  }
  advanceJob(content, job, true);
  const reply: Record<string, unknown> = {
    publish_id: content.idJson(job.publishId),
    publish_status: job.status,
  };
  const article = job.articleId === undefined ? undefined : content.articles.get(job.articleId);
  if (article !== undefined && (job.status === 0 || job.status === 5 || job.status === 6)) {
    reply.article_id = article.articleId;
    reply.article_detail = {
      count: article.articles.length,
      item: article.articles.map((_item, index) => ({
        idx: index + 1,
        article_url: article.url,
      })),
    };
  }
  reply.fail_idx = job.failIdx;
  return wechatOk(reply);
}

/**
 * `freepublish/batchget`: a page of the account's live articles, newest first; with
 * `no_content: 1` the items come without their `content` (the HTML), as the documentation says.
 */
export function listPublished(call: WechatCall): WechatOutcome {
  const { content, account, body } = call;
  const offset = body.offset ?? 0;
  const count = body.count;
  if (
    typeof offset !== 'number' ||
    !Number.isInteger(offset) ||
    offset < 0 ||
    typeof count !== 'number' ||
    !Number.isInteger(count) ||
    count < 1 ||
    count > 20
  ) {
    return content.refuse(40097, 'invalid args: offset ≥ 0, count 1-20');
  }
  const noContent = body.no_content === 1;
  // [unconfirmed] newest first, deleted articles left out.
  const live = [...content.articles.values()]
    .filter((article) => article.appid === account.appid && !article.deleted)
    .reverse();
  const page = live.slice(offset, offset + count);
  return wechatOk({
    total_count: live.length,
    item_count: page.length,
    item: page.map((article) => ({
      article_id: article.articleId,
      content: {
        news_item: article.articles.map((item) =>
          withoutContent(
            newsItem(content, item, { url: article.url, is_deleted: false }),
            noContent,
          ),
        ),
        create_time: Math.floor(article.publishedAt / 1000),
        update_time: Math.floor(article.publishedAt / 1000),
      },
      update_time: Math.floor(article.publishedAt / 1000),
    })),
  });
}

/** A news item without its `content` field, as `no_content=1` asks. */
function withoutContent(item: Record<string, unknown>, drop: boolean): Record<string, unknown> {
  if (!drop) return item;
  const { content: _content, ...rest } = item;
  return rest;
}

/** `freepublish/getarticle`: one article, deleted or not. */
export function getPublished(call: WechatCall): WechatOutcome {
  const { content, account } = call;
  const article = content.articles.get(String(call.body.article_id));
  if (article === undefined || article.appid !== account.appid) {
    return content.refuse(53600, 'invalid article_id');
  }
  return wechatOk({
    news_item: article.articles.map((item) =>
      newsItem(content, item, { url: article.url, is_deleted: article.deleted }),
    ),
  });
}

/** `freepublish/delete`: removes a published article (all of its items). */
export function deletePublished(call: WechatCall): WechatOutcome {
  const { content, account, body } = call;
  const article = content.articles.get(String(body.article_id));
  // [unconfirmed] deleting an already deleted article answers 53600 like an unknown id.
  if (article === undefined || article.appid !== account.appid || article.deleted) {
    return content.refuse(53600, 'invalid article_id');
  }
  const index = body.index ?? 0;
  if (
    typeof index !== 'number' ||
    !Number.isInteger(index) ||
    index < 0 ||
    index > article.articles.length
  ) {
    return content.refuse(40114, 'invalid index');
  }
  // Deleting one article of several is kept as "delete all" in the fake. [derived]
  article.deleted = true;
  article.removedBy = 'api';
  const job = content.jobs.get(article.publishId);
  if (job !== undefined) job.status = 5;
  return wechatOk({ errcode: 0, errmsg: 'ok' });
}
