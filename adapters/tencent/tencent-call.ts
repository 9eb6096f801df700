/**
 * One read or one form write on Tencent Weibo, as the listening calls make them: the OAuth
 * parameters and `format=json` on every call (platforms.md §3.1), the reply read and classified
 * (`read-reply.ts`), and the list of a paged answer (`data.info`, `data.hasnext`,
 * platforms-listening.md §2.1).
 */
import {
  failMalformed,
  httpCall,
  invalidInput,
  isRecord,
  postForm,
  timeoutAndSignal,
  withCredential,
} from '#adapter-kit';
import type { Account, DeliveryContext } from '#core';
import { TENCENT_PLATFORM, tencentCode } from './map-tencent-error.js';
import { missingSettings, oauthParameters, secretsOf } from './oauth.js';
import type { TencentSettings } from './options.js';
import {
  readTencentReply,
  tencentCall,
  type TencentCall,
  type TencentEndpoint,
} from './read-reply.js';

/** What a call needs besides its parameters. */
export interface TencentCallContext {
  readonly settings: TencentSettings;
  readonly account: Account;
  readonly token: string;
  readonly context: { readonly signal: AbortSignal; readonly requestTimeoutMs: number };
}

/** Refuses, before anything is sent, a call without the app key, `clientip` or the openid. */
export function requireSettings(
  settings: TencentSettings,
  account: Account,
  endpoint: TencentEndpoint,
): void {
  const issues = missingSettings(settings, account);
  if (issues.length > 0) {
    throw invalidInput(`${endpoint} call for account "${account.id}"`, issues);
  }
}

/**
 * Runs `work` with a call context of the account: the settings checked first (nothing is sent
 * without the app key, `clientip` or the openid), the access token taken from the credentials, and
 * the token and app key scrubbed from whatever is thrown.
 */
export function withTencentCall<T>(
  settings: TencentSettings,
  account: Account,
  context: Pick<DeliveryContext, 'signal' | 'credentials' | 'requestTimeoutMs'>,
  endpoint: TencentEndpoint,
  work: (call: TencentCallContext) => Promise<T>,
): Promise<T> {
  requireSettings(settings, account, endpoint);
  return withCredential(
    account,
    context,
    { platform: TENCENT_PLATFORM, field: 'access_token', alsoScrub: [settings.appKey] },
    (token) => work({ settings, account, token, context }),
  );
}

/**
 * `GET <endpoint>?<OAuth parameters>&format=json&<query>`: the body of a success; an error reply
 * throws the mapped error.
 */
export async function tencentGet(
  { settings, account, token, context }: TencentCallContext,
  endpoint: TencentEndpoint,
  query: Readonly<Record<string, string>>,
): Promise<{ readonly body: Record<string, unknown>; readonly call: TencentCall }> {
  const call = tencentCall(endpoint, false, account);
  const search = new URLSearchParams({ ...oauthParameters(settings, account, token), ...query });
  const reply = await httpCall({
    ...call,
    fetch: settings.fetch,
    url: `${settings.baseURL}${endpoint}?${search.toString()}`,
    method: 'GET',
    headers: { accept: 'application/json' },
    ...timeoutAndSignal(context),
  });
  const read = readTencentReply(reply, call, settings, secretsOf(settings, token));
  if (read.kind !== 'ok') return failMalformed(call, 'a not-found reply to a read');
  return { body: read.body, call };
}

/**
 * A form `POST` of `fields`, with the OAuth parameters in the body or the query
 * (`oauthParamsIn`): the body of a success; an error reply throws the mapped error, and a lost
 * answer (timeout, 5xx) throws `AMBIGUOUS`.
 */
export async function tencentPost(
  { settings, account, token, context }: TencentCallContext,
  endpoint: TencentEndpoint,
  fields: Readonly<Record<string, string>>,
): Promise<{ readonly body: Record<string, unknown>; readonly call: TencentCall }> {
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
  const read = readTencentReply(reply, call, settings, secretsOf(settings, token));
  if (read.kind !== 'ok') return failMalformed(call, 'a not-found reply to a write');
  return { body: read.body, call };
}

/** A page of a paged list: its items, and whether the platform said the list is finished. */
export interface TencentPage {
  readonly items: readonly Record<string, unknown>[];
  /** `data.hasnext` says nothing more lies in the direction asked. */
  readonly finished: boolean;
}

/**
 * The list of a paged answer. `data: null` is an empty page [unconfirmed]. `hasnext` is 0 when
 * there is more, 1 when the list is finished (§2.1); the sandbox's `broadcast_timeline` answers
 * bits (1 = nothing older, 2 = nothing newer) [unconfirmed], so bit 1 is read as "finished".
 */
export function pageOf(body: Record<string, unknown>, call: TencentCall): TencentPage {
  const data = body.data;
  if (data === null || data === undefined) return { items: [], finished: true };
  if (!isRecord(data)) return failMalformed(call, 'a reply whose data is not an object');
  const info = data.info ?? [];
  if (!Array.isArray(info))
    return failMalformed(call, 'a reply without a list of tweets (data.info)');
  const items: Record<string, unknown>[] = [];
  for (const entry of info) {
    if (!isRecord(entry)) return failMalformed(call, 'a tweet in data.info that is not an object');
    items.push(entry);
  }
  const hasnext = tencentCode(data.hasnext);
  return { items, finished: hasnext !== undefined && (hasnext & 1) === 1 };
}

/** A `timestamp` in seconds (a number or digits), or `undefined`. */
export function timestampSeconds(value: unknown): number | undefined {
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}
