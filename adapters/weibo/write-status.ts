/**
 * Writing on Weibo: `statuses/share` or `statuses/update` (publish), `statuses/repost` (relay) and
 * `statuses/destroy` (retract). Each request is sent once, with the token in the form body.
 */
import { failMalformed, invalidInput, postForm, readIdField, requireText } from '#adapter-kit';
import type { AnsweredCall, WorkflowCall } from '#adapter-kit';
import type { Account, PostRef, PublishResult, Rendition, RetractResult } from '#core';
import { WEIBO_MAX_LENGTH, countWeiboText } from './count-weibo-text.js';
import type { WeiboSettings } from './options.js';
import { readWeiboReply, statusId, weiboCall, weiboRef } from './read-reply.js';
import type { WeiboCall, WeiboEndpoint, WeiboReadReply } from './read-reply.js';

/** A workflow call of the Weibo adapter; the credential is the access token. */
type Call = WorkflowCall<WeiboSettings>;

/** A write and how it was answered. */
type WriteOutcome = AnsweredCall<WeiboReadReply, WeiboCall>;

/** `rip`, which Weibo requires on posts and reposts; missing, the call fails before sending. */
function requireRip(settings: WeiboSettings, account: Account, endpoint: WeiboEndpoint): string {
  if (settings.rip !== undefined) return settings.rip;
  throw invalidInput(`${endpoint} call for account "${account.id}"`, [
    {
      path: 'platforms.weibo.settings.rip',
      message:
        'Weibo requires the end user\'s IP ("rip") on writes: set the rip option (e.g. the press office\'s public IP)',
    },
  ]);
}

function textOf(rendition: Rendition, account: Account, endpoint: WeiboEndpoint): string {
  return requireText(rendition, account, { what: `${endpoint} call`, platformTitle: 'Weibo' });
}

async function write(
  { settings, account, context, credential: token }: Call,
  endpoint: WeiboEndpoint,
  fields: Readonly<Record<string, string>>,
): Promise<WriteOutcome> {
  const call = weiboCall(endpoint, true, account);
  const reply = await postForm({
    ...call,
    fetch: settings.fetch,
    url: `${settings.baseURL}${endpoint}.json`,
    form: { access_token: token, ...fields },
    context,
  });
  return { reply, read: readWeiboReply(reply, call, settings, token), call };
}

function posted(outcome: WriteOutcome, account: Account): PublishResult {
  const { reply, read, call } = outcome;
  if (read.kind === 'accepted') return { status: 'accepted', reason: `Weibo 20032: ${read.text}` };
  if (read.kind === 'gone') failMalformed(call, 'a not-found reply to a post');
  // `readIdField` reads the first `"idstr"` of the raw text: the new status comes before any
  // `retweeted_status` in Weibo's replies. Used only when the parsed fields lack a string id.
  const id =
    statusId(read.body) ?? readIdField(reply.text, 'idstr') ?? readIdField(reply.text, 'id');
  if (id === undefined) failMalformed(call, `HTTP ${reply.status} without a status id`);
  return { status: 'posted', ref: weiboRef(id, account) };
}

/** Posts the text with `statuses/share` (or `statuses/update` in `update` mode). */
export async function publishStatus(call: Call, rendition: Rendition): Promise<PublishResult> {
  const { settings, account } = call;
  const endpoint: WeiboEndpoint = settings.mode === 'share' ? 'statuses/share' : 'statuses/update';
  const text = textOf(rendition, account, endpoint);
  const rip = requireRip(settings, account, endpoint);
  const fields: Record<string, string> = { status: text, rip };
  if (settings.mode === 'update' && countWeiboText(text) > WEIBO_MAX_LENGTH) {
    fields.is_longtext = '1';
  }
  return posted(await write(call, endpoint, fields), account);
}

/** Reposts `source` with the member's comment (`statuses/repost`). */
export async function relayStatus(
  call: Call,
  source: PostRef,
  rendition: Rendition,
): Promise<PublishResult> {
  const { settings, account } = call;
  const endpoint: WeiboEndpoint = 'statuses/repost';
  const text = textOf(rendition, account, endpoint);
  const rip = requireRip(settings, account, endpoint);
  const fields = { id: source.id, status: text, is_comment: '0', rip };
  return posted(await write(call, endpoint, fields), account);
}

/** Deletes the status (`statuses/destroy`); one already gone is `already-gone`. */
export async function retractStatus(call: Call, ref: PostRef): Promise<RetractResult> {
  // [unconfirmed] whether v2 destroy needs `rip`; it is sent when configured, not required.
  const { rip } = call.settings;
  const fields: Record<string, string> = { id: ref.id, ...(rip === undefined ? {} : { rip }) };
  const { read } = await write(call, 'statuses/destroy', fields);
  return { status: read.kind === 'gone' ? 'already-gone' : 'removed' };
}
