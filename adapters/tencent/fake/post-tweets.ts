/**
 * The write endpoints of the Tencent Weibo fake: `t/add` and `t/add_pic` (an original tweet),
 * `t/re_add` (a relay) and `t/del`, with their parameter rules.
 */
import { newPostFields } from '../../fake/microblog-platform.js';
import { TENCENT_MAX_BYTES, countTencentText, tencentLinks } from '../count-tencent-text.js';
import {
  seconds,
  tencentOk,
  tencentRefusal as refuse,
  type AccountState,
  type TencentCall,
  type TencentContent,
  type TencentOutcome,
  type TweetState,
} from './state.js';

/** Largest picture `t/add_pic` takes. [unconfirmed] */
const MAX_PICTURE_BYTES = 4 * 1024 * 1024;

/** `t/add` and `t/add_pic`: an original tweet, with a picture for `t/add_pic`. */
export function addTweet(call: TencentCall): TencentOutcome {
  const { content, endpoint, account, params, picture } = call;
  const text = params.get('content');
  if (text === null) return refuse(1, 0, 'missing parameter content');
  // [unconfirmed] the code for empty content.
  if (text.trim() === '') return refuse(1, 0, 'content is empty');
  if (countTencentText(text) > TENCENT_MAX_BYTES) {
    return refuse(4, 8, `content longer than ${TENCENT_MAX_BYTES} bytes`);
  }
  if (endpoint === 't/add_pic') {
    // [unconfirmed] the accepted picture types and size, and the codes of their refusals.
    if (picture === undefined) return refuse(1, 0, 'missing parameter pic');
    if (!/^image\/(jpeg|png|gif)$/.test(picture.contentType ?? '')) {
      return refuse(1, 0, 'pic must be a jpeg, png or gif image');
    }
    if (picture.value.length > MAX_PICTURE_BYTES) return refuse(1, 0, 'pic too large');
  }
  if (repeats(content, account.openid, text, undefined)) {
    return refuse(4, 13, 'duplicate tweet: the same text was already posted');
  }
  const tweet = createTweet(content, {
    endpoint,
    account,
    sentText: text,
    kind: 'original',
    sourceId: undefined,
    hasPicture: picture !== undefined,
  });
  return tencentOk({ id: tweet.idstr, time: seconds(tweet.createdAt) });
}

/** `t/re_add`: a relay of a tweet, with or without a comment. */
export function relayTweet(call: TencentCall): TencentOutcome {
  const { content, endpoint, account, params } = call;
  const reid = params.get('reid');
  if (reid === null || reid === '') return refuse(1, 0, 'missing parameter reid');
  if (!/^\d+$/.test(reid)) return refuse(1, 0, 'reid must be a tweet id');
  // [unconfirmed] whether a relay without a comment was allowed; the fake allows it.
  const text = params.get('content') ?? '';
  if (countTencentText(text) > TENCENT_MAX_BYTES) {
    return refuse(4, 8, `content longer than ${TENCENT_MAX_BYTES} bytes`);
  }
  const source = content.posts.get(reid);
  if (source === undefined) return refuse(4, 6, 'the source tweet does not exist');
  if (source.deleted) return refuse(4, 11, 'the source tweet was deleted');
  if (source.underReview) return refuse(4, 12, 'the source tweet is under review');
  if (repeats(content, account.openid, text, reid)) {
    return refuse(4, 13, 'duplicate tweet: the same relay was already posted');
  }
  const tweet = createTweet(content, {
    endpoint,
    account,
    sentText: text,
    kind: 'relay',
    sourceId: reid,
    hasPicture: false,
  });
  return tencentOk({ id: tweet.idstr, time: seconds(tweet.createdAt) });
}

/** `t/del`: deletes one of the account's own tweets. */
export function deleteTweet(call: TencentCall): TencentOutcome {
  const { content, account, params } = call;
  const id = params.get('id');
  if (id === null || id === '') return refuse(1, 0, 'missing parameter id');
  if (!/^\d+$/.test(id)) return refuse(1, 0, 'id must be a tweet id');
  const tweet = content.posts.get(id);
  if (tweet === undefined || tweet.deleted) return refuse(4, 6, 'the tweet does not exist');
  // [unconfirmed] the code for deleting another account's tweet.
  if (tweet.openid !== account.openid) return refuse(1, 0, 'not a tweet of this account');
  tweet.deleted = true;
  return tencentOk({ id: tweet.idstr });
}

/** Whether the account has a live tweet with the same text and source. */
function repeats(
  content: TencentContent,
  openid: string,
  text: string,
  sourceId: string | undefined,
): boolean {
  if (!content.settings().refuseRepeats) return false;
  return content.posts
    .all()
    .some(
      (tweet) =>
        tweet.openid === openid &&
        !tweet.deleted &&
        tweet.sentText === text &&
        tweet.sourceId === sourceId,
    );
}

interface NewTweet {
  readonly endpoint: TweetState['endpoint'];
  readonly account: AccountState;
  readonly sentText: string;
  readonly kind: 'original' | 'relay';
  readonly sourceId: string | undefined;
  readonly hasPicture: boolean;
}

function createTweet(content: TencentContent, draft: NewTweet): TweetState {
  const tweet: TweetState = {
    ...newPostFields(content, draft, (text) => shorten(content, text)),
    openid: draft.account.openid,
    hasPicture: draft.hasPicture,
    underReview: false,
  };
  content.posts.add(tweet);
  return tweet;
}

/** Replaces each URL with its `http://url.cn/XXXX` short link. */
function shorten(content: TencentContent, text: string): string {
  let out = text;
  for (const link of tencentLinks(text)) out = out.replace(link, content.shortLink(link));
  return out;
}
