/**
 * `readActivity` on WeChat (platforms-listening.md §3.3, §3.4): what a member scorecard reads.
 *
 * - Followers: `GET cgi-bin/user/get?access_token=…`, its `total`. One call: the openids it lists
 *   (10 000 a page) are not paged through.
 * - Posts: `POST cgi-bin/freepublish/batchget {"offset","count":20,"no_content":1}`, pages of
 *   published articles, counted back to `since` by `update_time`, at most
 *   {@link WECHAT_ACTIVITY_PAGES} pages (`postsTruncated` when the pages ran out first). That the
 *   list is newest first is [unconfirmed]: every item read is counted by its own time, and the
 *   walk stops at a page whose items are all older than `since`. Pushes made without publishing
 *   are not listed by any API [unconfirmed] and are not counted.
 * - `lastPostAt`: the newest `update_time` read.
 *
 * freepublish is open to verified accounts only: for an account that is not, `48001` leaves the
 * post figures out (the followers are still read).
 */
import { ReleaseHallError } from '#core';
import type { AccountActivity, ActivityContext, Account } from '#core';
import { failMalformed, isRecord } from '#adapter-kit';
import { guarded } from './errors.js';
import { WECHAT_PLATFORM } from './map-wechat-error.js';
import { readInteger } from './read-reply.js';
import type { WechatRuntime } from './runtime.js';

/** `freepublish/batchget` pages read at most. */
export const WECHAT_ACTIVITY_PAGES = 5;

/** Articles per `freepublish/batchget` page (its largest). */
const PAGE_SIZE = 20;

const UNVERIFIED = 48001;

/** The published-article figures, or nothing for an account that may not publish. */
interface Posts {
  readonly postsSince: number;
  readonly postsTruncated: boolean;
  readonly lastPostAt: number | undefined;
}

async function readFollowers(
  runtime: WechatRuntime,
  account: Account,
  context: ActivityContext,
): Promise<number> {
  const reply = await runtime.client.call(account, context, {
    endpoint: 'user/get',
    method: 'GET',
    write: false,
  });
  const total = readInteger(reply.body.total);
  if (total === undefined || total < 0) {
    return failMalformed(
      { platform: WECHAT_PLATFORM, endpoint: 'user/get', write: false, accountId: account.id },
      'a reply without a total',
    );
  }
  return total;
}

async function readPosts(
  runtime: WechatRuntime,
  account: Account,
  since: Date,
  context: ActivityContext,
): Promise<Posts | undefined> {
  const cutoff = since.getTime();
  let postsSince = 0;
  let lastPostAt: number | undefined;
  for (let page = 0; page < WECHAT_ACTIVITY_PAGES; page++) {
    const reply = await runtime.client.call(account, context, {
      endpoint: 'freepublish/batchget',
      method: 'POST',
      json: { offset: page * PAGE_SIZE, count: PAGE_SIZE, no_content: 1 },
      write: false,
      handle: [UNVERIFIED],
    });
    if (reply.errcode === UNVERIFIED) {
      context.logger.info('wechat activity: the account may not use freepublish (48001)', {
        accountId: account.id,
      });
      return undefined;
    }
    const items = reply.body.item;
    if (!Array.isArray(items)) {
      return failMalformed(
        {
          platform: WECHAT_PLATFORM,
          endpoint: 'freepublish/batchget',
          write: false,
          accountId: account.id,
        },
        'a reply without a list of items',
      );
    }
    let older = 0;
    for (const item of items) {
      const content = isRecord(item) && isRecord(item.content) ? item.content : undefined;
      const seconds = isRecord(item)
        ? (readInteger(item.update_time) ?? readInteger(content?.update_time))
        : undefined;
      if (seconds === undefined) continue;
      const at = seconds * 1000;
      if (lastPostAt === undefined || at > lastPostAt) lastPostAt = at;
      if (at >= cutoff) postsSince += 1;
      else older += 1;
    }
    const total = readInteger(reply.body.total_count);
    const end =
      items.length < PAGE_SIZE || (total !== undefined && (page + 1) * PAGE_SIZE >= total);
    if (end || older === items.length) return { postsSince, postsTruncated: false, lastPostAt };
  }
  return { postsSince, postsTruncated: true, lastPostAt };
}

/** Reads an account's followers and its articles published since `since`. */
export function readWechatActivity(
  runtime: WechatRuntime,
  account: Account,
  since: Date,
  context: ActivityContext,
): Promise<AccountActivity> {
  return guarded(account, async () => {
    if (Number.isNaN(since.getTime())) {
      throw new ReleaseHallError(
        `[release-hall] [wechat] activity of account "${account.id}": "since" is not a valid date`,
        { code: 'INVALID_INPUT', platform: WECHAT_PLATFORM, accountId: account.id },
      );
    }
    const followers = await readFollowers(runtime, account, context);
    const posts = await readPosts(runtime, account, since, context);
    return {
      followers,
      ...(posts === undefined
        ? {}
        : {
            postsSince: posts.postsSince,
            postsTruncated: posts.postsTruncated,
            ...(posts.lastPostAt === undefined
              ? {}
              : { lastPostAt: new Date(posts.lastPostAt).toISOString() }),
          }),
      readAt: context.now.toISOString(),
    };
  });
}
