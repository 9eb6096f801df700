/**
 * The write endpoints of the Weibo fake: `statuses/share` and `statuses/update` (an original
 * status), `statuses/repost` and `statuses/destroy`, with their parameter rules.
 */
import { isIP } from 'node:net';
import { base62, newPostFields } from '../../fake/microblog-platform.js';
import {
  WEIBO_MAX_LENGTH,
  WEIBO_MAX_LONG_TEXT_LENGTH,
  countWeiboText,
  isHostOrSubdomain,
  weiboLinkHost,
  weiboLinks,
} from '../count-weibo-text.js';
import { DEFAULT_REPOST_TEXT } from './settings.js';
import { statusJson } from './status-json.js';
import {
  isVisible,
  weiboOk,
  type AccountState,
  type StatusState,
  type WeiboCall,
  type WeiboContent,
  type WeiboOutcome,
} from './state.js';

/** Topics are written `#话题#`. */
const TOPIC_PATTERN = /#[^#\r\n]+#/;

/** `statuses/share` and `statuses/update`: an original status. */
export function postStatus(call: WeiboCall): WeiboOutcome {
  const { content, endpoint, account, params, refuse } = call;
  const text = params.get('status');
  if (text === null) return refuse(10016, 'miss required parameter (status)');
  const rip = checkRip(params.get('rip'));
  if (rip !== undefined) return refuse(rip.code, rip.text);
  if (text.trim() === '') return refuse(20008, 'content is empty');
  const longText = endpoint === 'statuses/update' && params.get('is_longtext') === '1';
  if (longText && !account.longTextAllowed) {
    return refuse(10017, "parameter (is_longtext)'s value invalid: account not qualified");
  }
  const limit = longText ? WEIBO_MAX_LONG_TEXT_LENGTH : WEIBO_MAX_LENGTH;
  if (countWeiboText(text) > limit) {
    return refuse(20012, `text too long: at most ${limit} characters`);
  }
  if (endpoint === 'statuses/share') {
    const problem = shareProblem(call, text);
    if (problem !== undefined) return problem;
  }
  if (repeatsLatest(content, account.uid, text, undefined)) {
    return refuse(20019, 'repeated content: the same text was just posted');
  }
  const status = createStatus(content, {
    endpoint,
    account,
    sentText: text,
    kind: 'original',
    sourceId: undefined,
    visibleAfterMs: call.visibleAfter(),
    isLongText: longText && countWeiboText(text) > WEIBO_MAX_LENGTH,
  });
  return weiboOk(statusJson(content, status, false));
}

/** What `statuses/share` refuses beyond `statuses/update`: topics, links, pictures. */
function shareProblem(call: WeiboCall, text: string): WeiboOutcome | undefined {
  const { refuse, picture } = call;
  if (TOPIC_PATTERN.test(text)) {
    // [unconfirmed] the code for a topic in share text is not documented; the text is a
    // parameter statuses/share does not accept, hence 10017 (invalid parameter value).
    return refuse(10017, "parameter (status)'s value invalid: no #topic# in statuses/share");
  }
  const domainProblem = checkSafeDomain(call.content, text, call.account);
  if (domainProblem !== undefined) return refuse(20018, domainProblem);
  if (picture !== undefined) {
    if (!/^image\/(jpeg|gif|png)$/.test(picture.contentType ?? '')) {
      return refuse(20005, 'picture type not supported');
    }
    if (picture.value.length >= 5 * 1024 * 1024) {
      return refuse(20006, 'picture too large');
    }
  }
  return undefined;
}

/** `statuses/repost`: a repost of a visible status of another account. */
export function repostStatus(call: WeiboCall): WeiboOutcome {
  const { content, endpoint, account, params, refuse } = call;
  const id = params.get('id');
  if (id === null) return refuse(10016, 'miss required parameter (id)');
  if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
  const rip = checkRip(params.get('rip'));
  if (rip !== undefined) return refuse(rip.code, rip.text);
  const isComment = params.get('is_comment');
  if (isComment !== null && !/^[0-3]$/.test(isComment)) {
    return refuse(10017, "parameter (is_comment)'s value invalid");
  }
  const comment = params.get('status') ?? '';
  if (countWeiboText(comment) > WEIBO_MAX_LENGTH) {
    return refuse(20012, `text too long: at most ${WEIBO_MAX_LENGTH} characters`);
  }
  const source = content.posts.get(id);
  if (source === undefined || !isVisible(content, source)) {
    return refuse(20101, 'target status does not exist');
  }
  if (source.uid === account.uid) return refuse(20103, 'cannot repost your own status');
  const root = source.kind === 'repost' && source.sourceId !== undefined ? source.sourceId : id;
  const sourceAccount = content.accounts.get(source.uid);
  const said = comment.trim() === '' ? DEFAULT_REPOST_TEXT : comment;
  // Reposting a repost quotes the chain after `//@name:`, as the clients show it.
  const text =
    root === id ? said : `${said}//@${sourceAccount?.screenName ?? source.uid}:${source.text}`;
  if (repeatsLatest(content, account.uid, text, root)) {
    return refuse(20019, 'repeated content: the same repost was just made');
  }
  const status = createStatus(content, {
    endpoint,
    account,
    sentText: text,
    kind: 'repost',
    sourceId: root,
    visibleAfterMs: call.visibleAfter(),
    isLongText: false,
  });
  return weiboOk(statusJson(content, status, false));
}

/** `statuses/destroy`: deletes one of the account's own statuses. */
export function destroyStatus(call: WeiboCall): WeiboOutcome {
  const { content, account, params, refuse } = call;
  // [unconfirmed] v2 destroy parameters: only `id` is known; `rip` is accepted, not required.
  const id = params.get('id');
  if (id === null) return refuse(10016, 'miss required parameter (id)');
  if (!/^\d+$/.test(id)) return refuse(10017, "parameter (id)'s value invalid");
  const status = content.posts.get(id);
  if (status === undefined || status.deleted) {
    return refuse(20101, 'target status does not exist');
  }
  if (status.uid !== account.uid) return refuse(20102, 'not your own status');
  status.deleted = true;
  return weiboOk(statusJson(content, status, false));
}

function checkRip(rip: string | null): { code: number; text: string } | undefined {
  if (rip === null || rip === '') return { code: 10016, text: 'miss required parameter (rip)' };
  if (isIP(rip) === 0) return { code: 10017, text: "parameter (rip)'s value invalid" };
  return undefined;
}

function checkSafeDomain(
  content: WeiboContent,
  text: string,
  account: AccountState,
): string | undefined {
  // [unconfirmed] which code Weibo gives for a share without a safe-domain link; 20018
  // ("contains an illegal URL") is the documented code closest to it.
  const links = weiboLinks(text);
  if (links.length === 0) return "status must carry a link on the app's safe domain";
  const domain = account.safeDomain ?? content.settings().safeDomain;
  if (domain === undefined) return undefined;
  const onDomain = links.some((link) => {
    const host = weiboLinkHost(link);
    return host !== undefined && isHostOrSubdomain(host, domain);
  });
  return onDomain ? undefined : `no link on the app's safe domain ${domain}`;
}

/** Whether the account's latest live status has the same text and source. */
function repeatsLatest(
  content: WeiboContent,
  uid: string,
  text: string,
  sourceId: string | undefined,
): boolean {
  if (!content.settings().refuseRepeats) return false;
  const all = content.posts.all();
  for (let index = all.length - 1; index >= 0; index--) {
    const status = all[index];
    if (status === undefined || status.uid !== uid || status.deleted) continue;
    return status.sentText === text && status.sourceId === sourceId;
  }
  return false;
}

interface NewStatus {
  readonly endpoint: StatusState['endpoint'];
  readonly account: AccountState;
  readonly sentText: string;
  readonly kind: 'original' | 'repost';
  readonly sourceId: string | undefined;
  readonly visibleAfterMs: number;
  readonly isLongText: boolean;
}

function createStatus(content: WeiboContent, draft: NewStatus): StatusState {
  const fields = newPostFields(content, draft, (text) => shorten(content, text));
  const status: StatusState = {
    ...fields,
    uid: draft.account.uid,
    visibleAt: fields.createdAt + draft.visibleAfterMs,
    isLongText: draft.isLongText,
  };
  content.posts.add(status);
  return status;
}

function shorten(content: WeiboContent, text: string): string {
  let out = text;
  for (const link of weiboLinks(text)) {
    if (weiboLinkHost(link) === 't.cn') continue;
    out = out.replace(link, `http://t.cn/A${base62(content.nextShortLink())}`);
  }
  return out;
}
