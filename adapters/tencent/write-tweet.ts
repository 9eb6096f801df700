/**
 * Writing on Tencent Weibo: `t/add` (publish), `t/re_add` (relay) and `t/del` (retract). Each
 * request is sent once; nothing is sent while a setting the call needs is missing.
 */
import { failMalformed, invalidInput, isRecord, postForm, requireFormat } from '#adapter-kit';
import type { HttpReply } from '#adapter-kit';
import type {
  Account,
  DeliveryContext,
  PostRef,
  PublishResult,
  Rendition,
  RetractResult,
} from '#core';
import { missingSettings, oauthParameters, secretsOf } from './oauth.js';
import type { TencentSettings } from './options.js';
import { readTencentReply, tencentCall, tencentRef, tweetId } from './read-reply.js';
import type { TencentCall, TencentEndpoint, TencentReadReply } from './read-reply.js';

type WriteEndpoint = Exclude<TencentEndpoint, 'statuses/broadcast_timeline'>;

/** A write and how it was answered. */
interface WriteOutcome {
  readonly reply: HttpReply;
  readonly read: TencentReadReply;
  readonly call: TencentCall;
}

function textOf(rendition: Rendition, account: Account, endpoint: WriteEndpoint): string {
  return requireFormat(rendition, account, {
    format: 'text',
    what: `${endpoint} call`,
    platformTitle: 'Tencent Weibo',
  }).text;
}

async function write(
  settings: TencentSettings,
  endpoint: WriteEndpoint,
  fields: Readonly<Record<string, string>>,
  account: Account,
  context: DeliveryContext,
  token: string,
): Promise<WriteOutcome> {
  const issues = missingSettings(settings, account);
  if (issues.length > 0) {
    throw invalidInput(`${endpoint} call for account "${account.id}"`, issues);
  }
  const call = tencentCall(endpoint, true, account);
  const oauth = oauthParameters(settings, account, token);
  const inQuery = settings.oauthParamsIn === 'query';
  const query = inQuery ? `?${new URLSearchParams(oauth).toString()}` : '';
  const reply = await postForm({
    ...call,
    fetch: settings.fetch,
    url: `${settings.baseURL}${endpoint}${query}`,
    form: inQuery ? fields : { ...fields, ...oauth },
    context,
  });
  return { reply, read: readTencentReply(reply, call, settings, secretsOf(settings, token)), call };
}

function posted(outcome: WriteOutcome, account: Account): PublishResult {
  const { reply, read, call } = outcome;
  if (read.kind === 'gone') failMalformed(call, 'a not-found reply to a post');
  const data = isRecord(read.body.data) ? read.body.data : undefined;
  const id = tweetId(data?.id);
  if (id === undefined) failMalformed(call, `HTTP ${reply.status} without data.id`);
  return { status: 'posted', ref: tencentRef(id, account) };
}

/** Posts the text (`t/add`). */
export async function publishTweet(
  settings: TencentSettings,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
  token: string,
): Promise<PublishResult> {
  const text = textOf(rendition, account, 't/add');
  const outcome = await write(settings, 't/add', { content: text }, account, context, token);
  return posted(outcome, account);
}

/** Relays `source` with the member's comment (`t/re_add`). */
export async function relayTweet(
  settings: TencentSettings,
  source: PostRef,
  rendition: Rendition,
  account: Account,
  context: DeliveryContext,
  token: string,
): Promise<PublishResult> {
  const text = textOf(rendition, account, 't/re_add');
  const fields = { content: text, reid: source.id };
  return posted(await write(settings, 't/re_add', fields, account, context, token), account);
}

/** Deletes the tweet (`t/del`); one already gone (`ret=4 errcode=6`) is `already-gone`. */
export async function retractTweet(
  settings: TencentSettings,
  ref: PostRef,
  account: Account,
  context: DeliveryContext,
  token: string,
): Promise<RetractResult> {
  const { read } = await write(settings, 't/del', { id: ref.id }, account, context, token);
  return { status: read.kind === 'gone' ? 'already-gone' : 'removed' };
}
