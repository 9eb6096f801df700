/**
 * Writing on Weibo: `statuses/share` or `statuses/update` (publish), `statuses/repost` (relay) and
 * `statuses/destroy` (retract). Each request is sent once, with the token in the form body.
 */
import { failMalformed, invalidInput, postForm, readIdField, requireFormat } from '#adapter-kit';
import type { HttpReply } from '#adapter-kit';
import type {
  Account,
  DeliveryContext,
  PostRef,
  PublishResult,
  Rendition,
  RetractResult,
} from '#core';
import { WEIBO_MAX_LENGTH, countWeiboText } from './count-weibo-text.js';
import type { WeiboSettings } from './options.js';
import { readWeiboReply, statusId, weiboCall, weiboRef } from './read-reply.js';
import type { WeiboCall, WeiboEndpoint, WeiboReadReply } from './read-reply.js';

/** A write and how it was answered. */
interface WriteOutcome {
  readonly reply: HttpReply;
  readonly read: WeiboReadReply;
  readonly call: WeiboCall;
}

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
  return requireFormat(rendition, account, {
    format: 'text',
    what: `${endpoint} call`,
    platformTitle: 'Weibo',
  }).text;
}

async function write(
  settings: WeiboSettings,
  endpoint: WeiboEndpoint,
  fields: Readonly<Record<string, string>>,
  account: Account,
  context: DeliveryContext,
  token: string,
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
export async function publishStatus(
  settings: WeiboSettings,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
  token: string,
): Promise<PublishResult> {
  const endpoint: WeiboEndpoint = settings.mode === 'share' ? 'statuses/share' : 'statuses/update';
  const text = textOf(rendition, account, endpoint);
  const rip = requireRip(settings, account, endpoint);
  const fields: Record<string, string> = { status: text, rip };
  if (settings.mode === 'update' && countWeiboText(text) > WEIBO_MAX_LENGTH) {
    fields.is_longtext = '1';
  }
  return posted(await write(settings, endpoint, fields, account, context, token), account);
}

/** Reposts `source` with the member's comment (`statuses/repost`). */
export async function relayStatus(
  settings: WeiboSettings,
  source: PostRef,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
  token: string,
): Promise<PublishResult> {
  const endpoint: WeiboEndpoint = 'statuses/repost';
  const text = textOf(rendition, account, endpoint);
  const rip = requireRip(settings, account, endpoint);
  const fields = { id: source.id, status: text, is_comment: '0', rip };
  return posted(await write(settings, endpoint, fields, account, context, token), account);
}

/** Deletes the status (`statuses/destroy`); one already gone is `already-gone`. */
export async function retractStatus(
  settings: WeiboSettings,
  ref: PostRef,
  account: Account,
  context: DeliveryContext,
  token: string,
): Promise<RetractResult> {
  // [unconfirmed] whether v2 destroy needs `rip`; it is sent when configured, not required.
  const { rip } = settings;
  const fields: Record<string, string> = { id: ref.id, ...(rip === undefined ? {} : { rip }) };
  const { read } = await write(settings, 'statuses/destroy', fields, account, context, token);
  return { status: read.kind === 'gone' ? 'already-gone' : 'removed' };
}
