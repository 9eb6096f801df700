/**
 * Writing on Tencent Weibo: `t/add` (publish), `t/re_add` (relay) and `t/del` (retract). Each
 * request is sent once; nothing is sent while a setting the call needs is missing.
 */
import { failMalformed, invalidInput, isRecord, postForm, requireText } from '#adapter-kit';
import type { AnsweredCall, WorkflowCall } from '#adapter-kit';
import type { Account, PostRef, PublishResult, Rendition, RetractResult } from '#core';
import { missingSettings, oauthParameters, secretsOf } from './oauth.js';
import type { TencentSettings } from './options.js';
import { readTencentReply, tencentCall, tencentRef, tweetId } from './read-reply.js';
import type { TencentCall, TencentEndpoint, TencentReadReply } from './read-reply.js';

type WriteEndpoint = Extract<TencentEndpoint, 't/add' | 't/re_add' | 't/del'>;

/** A workflow call of the Tencent adapter; the credential is the access token. */
type Call = WorkflowCall<TencentSettings>;

/** A write and how it was answered. */
type WriteOutcome = AnsweredCall<TencentReadReply, TencentCall>;

function textOf(rendition: Rendition, account: Account, endpoint: WriteEndpoint): string {
  return requireText(rendition, account, {
    what: `${endpoint} call`,
    platformTitle: 'Tencent Weibo',
  });
}

async function write(
  { settings, account, context, credential: token }: Call,
  endpoint: WriteEndpoint,
  fields: Readonly<Record<string, string>>,
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
export async function publishTweet(call: Call, rendition: Rendition): Promise<PublishResult> {
  const text = textOf(rendition, call.account, 't/add');
  return posted(await write(call, 't/add', { content: text }), call.account);
}

/** Relays `source` with the member's comment (`t/re_add`). */
export async function relayTweet(
  call: Call,
  source: PostRef,
  rendition: Rendition,
): Promise<PublishResult> {
  const text = textOf(rendition, call.account, 't/re_add');
  const fields = { content: text, reid: source.id };
  return posted(await write(call, 't/re_add', fields), call.account);
}

/** Deletes the tweet (`t/del`); one already gone (`ret=4 errcode=6`) is `already-gone`. */
export async function retractTweet(call: Call, ref: PostRef): Promise<RetractResult> {
  const { read } = await write(call, 't/del', { id: ref.id });
  return { status: read.kind === 'gone' ? 'already-gone' : 'removed' };
}
