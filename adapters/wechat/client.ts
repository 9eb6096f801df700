/**
 * One WeChat API call with the account's token: `?access_token=` on the URL (§1.1), the reply read
 * as JSON whatever its HTTP status, `errcode` checked (it rides on HTTP 200, and success bodies often
 * have none), and a token refused with `40001`/`40014`/`42001` replaced once by compare-and-expire.
 *
 * Nothing here retries anything else: the core owns every retry.
 */
import { ReleaseHallError } from '#core';
import {
  failMalformed,
  httpCall,
  isRecord,
  parseJsonBody,
  timeoutAndSignal,
  withSecretsScrubbed,
} from '#adapter-kit';
import type { Account, DeliveryContext } from '#core';
import type { FetchLike, HttpReply } from '#adapter-kit';
import {
  WECHAT_PLATFORM,
  isTokenErrorCode,
  mapWechatError,
  wechatErrorCode,
} from './map-wechat-error.js';
import type { WechatTokenHolder } from './token-holder.js';

/** How statistics endpoints are named in a {@link WechatCall}: `datacube/getarticletotal`. */
export const DATACUBE_PREFIX = 'datacube/';

/** A JSON number written into the request as it is (ids beyond 2^53 keep every digit). */
export class RawJsonNumber {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new TypeError(`expected digits, got "${digits}"`);
  }
}

const RAW_MARK = '\u0000raw-number:';

/** Control characters JSON would escape as `\u00XX` (tab, line feed and carriage return stay). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Serialises a request body for WeChat: UTF-8 with raw characters and no `\uXXXX` escape, which
 * WeChat refuses with `40033` (§1.1). `JSON.stringify` already writes non-ASCII raw; the only
 * escapes it still makes are for control characters and lone surrogates, so those are dropped
 * (controls) or replaced with U+FFFD (surrogates) first. {@link RawJsonNumber}s are written as
 * bare numbers.
 */
export function wechatJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof RawJsonNumber) return `${RAW_MARK}${item.digits}`;
    if (typeof item === 'string') {
      return item.replace(CONTROL, '').replace(LONE_SURROGATE, '\ufffd');
    }
    return item;
  });
  return text.replace(/"\\u0000raw-number:(-?\d+)"/g, '$1');
}

/** One call of {@link WechatClient.call}. */
export interface WechatCall {
  /**
   * Endpoint below `cgi-bin/`, e.g. `draft/add`; a statistics endpoint is named
   * `datacube/<name>` and sent below the datacube base (no `cgi-bin`, platforms-listening.md §3.3).
   */
  readonly endpoint: string;
  readonly method: 'GET' | 'POST';
  /** Query parameters besides `access_token`. */
  readonly query?: Readonly<Record<string, string>>;
  /** A JSON body (serialised with {@link wechatJson}). */
  readonly json?: unknown;
  /** A multipart body; made again for the retry after a token refresh. */
  readonly form?: () => FormData;
  /** True when a duplicate of the call would show on the account. */
  readonly write: boolean;
  /** Error codes the caller handles itself: the reply is returned instead of thrown. */
  readonly handle?: readonly number[];
  /** Override of the context's request timeout (e.g. uploads). */
  readonly timeoutMs?: number;
}

/** A reply of WeChat read as JSON. */
export interface WechatReply {
  readonly http: HttpReply;
  /** The raw text: read ids from it with `readIdField`, never through a JS number. */
  readonly text: string;
  readonly body: Readonly<Record<string, unknown>>;
  /** `errcode` when present and non-zero. */
  readonly errcode: number | undefined;
  readonly errmsg: string | undefined;
}

/**
 * What a call needs of its context: a delivery's, or a readiness check's (which has no
 * idempotency key, and needs none: it only reads).
 */
export type WechatCallContext = Pick<
  DeliveryContext,
  'signal' | 'credentials' | 'logger' | 'requestTimeoutMs'
>;

/** What the client needs. */
export interface WechatClientOptions {
  readonly baseURL: string;
  /** Base of the statistics API (`…/datacube/`). */
  readonly datacubeBaseURL: string;
  readonly fetch: FetchLike;
  /** The token holder of an appid (one per appid, shared). */
  readonly tokens: (appid: string) => WechatTokenHolder;
  readonly now: () => number;
}

/** The appid of an account, from its hall-file settings. */
export function appidOf(account: Account): string {
  const appid = account.settings.appid;
  if (typeof appid !== 'string' || !/^wx[0-9A-Za-z]{16}$/.test(appid)) {
    throw new ReleaseHallError(
      `[release-hall] [wechat] account "${account.id}" has no valid appid in the hall file (expected "wx" and 16 letters or digits)`,
      { code: 'INVALID_INPUT', platform: WECHAT_PLATFORM, accountId: account.id },
    );
  }
  return appid;
}

/** The AppSecret of an account, from its resolved credentials. */
export function secretOf(account: Account, context: Pick<DeliveryContext, 'credentials'>): string {
  const secret = context.credentials.secret;
  if (secret === undefined || secret === '') {
    throw new ReleaseHallError(
      `[release-hall] [wechat] account "${account.id}" has no "secret" (AppSecret) in its credentials "${account.credentials}"`,
      { code: 'AUTH_INVALID', platform: WECHAT_PLATFORM, accountId: account.id },
    );
  }
  return secret;
}

/** Sends WeChat API calls for the adapter. */
export class WechatClient {
  readonly #options: WechatClientOptions;

  constructor(options: WechatClientOptions) {
    this.#options = options;
  }

  /**
   * Gets the account's token (the cached one, or a new one), so that a call that follows needs no
   * token fetch first. Makes no write.
   */
  async warmToken(account: Account, context: WechatCallContext): Promise<void> {
    const appid = appidOf(account);
    const secret = secretOf(account, context);
    const holder = this.#options.tokens(appid);
    const secrets: string[] = [secret];
    await withSecretsScrubbed(secrets, async () => {
      secrets.push(
        await holder.getToken({ secret, signal: context.signal, accountId: account.id }),
      );
    });
  }

  /**
   * Sends one call with the account's token. On `40001`/`40014`/`42001` the token is dropped only if
   * it is still the cached one, a token is fetched again, and the call is sent once more (a refused
   * token means the call was not applied, so this is safe for writes). Any other non-zero
   * `errcode` throws the mapped error unless the caller handles it (`handle`).
   */
  async call(account: Account, context: WechatCallContext, call: WechatCall): Promise<WechatReply> {
    const appid = appidOf(account);
    const secret = secretOf(account, context);
    const holder = this.#options.tokens(appid);
    // Every token fetched joins the secrets scrubbed from whatever is thrown.
    const secrets: string[] = [secret];
    return withSecretsScrubbed(secrets, async () => {
      let token = await holder.getToken({
        secret,
        signal: context.signal,
        accountId: account.id,
      });
      secrets.push(token);
      for (let attempt = 0; ; attempt++) {
        const reply = await this.#send(account, context, call, token);
        if (reply.errcode !== undefined && isTokenErrorCode(reply.errcode) && attempt === 0) {
          await holder.invalidate(token);
          token = await holder.getToken({ secret, signal: context.signal, accountId: account.id });
          secrets.push(token);
          context.logger.debug('wechat access token refused; fetched again and retrying once', {
            accountId: account.id,
            endpoint: call.endpoint,
            errcode: reply.errcode,
          });
          continue;
        }
        if (reply.errcode !== undefined && call.handle?.includes(reply.errcode) === true) {
          return reply;
        }
        if (reply.errcode !== undefined || reply.http.status >= 300) {
          throw mapWechatError(
            {
              errcode: reply.errcode,
              errmsg: reply.errmsg,
              status: reply.http.status,
              endpoint: call.endpoint,
              write: call.write,
              accountId: account.id,
            },
            { secrets: [secret, token], now: this.#options.now },
          );
        }
        return reply;
      }
    });
  }

  /** The URL of an endpoint, without its query. */
  #urlOf(endpoint: string): string {
    return endpoint.startsWith(DATACUBE_PREFIX)
      ? `${this.#options.datacubeBaseURL}${endpoint.slice(DATACUBE_PREFIX.length)}`
      : `${this.#options.baseURL}${endpoint}`;
  }

  async #send(
    account: Account,
    context: WechatCallContext,
    call: WechatCall,
    token: string,
  ): Promise<WechatReply> {
    const query = new URLSearchParams({ access_token: token, ...call.query });
    const info = {
      platform: WECHAT_PLATFORM,
      endpoint: call.endpoint,
      write: call.write,
      accountId: account.id,
    };
    let body: string | FormData | undefined;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.form !== undefined) body = call.form();
    else if (call.json !== undefined) {
      body = wechatJson(call.json);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    const http = await httpCall({
      ...info,
      fetch: this.#options.fetch,
      url: `${this.#urlOf(call.endpoint)}?${query.toString()}`,
      method: call.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...timeoutAndSignal(context),
      ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
    });
    const parsed = parseJsonBody(http, info);
    if (!isRecord(parsed))
      failMalformed(info, `HTTP ${http.status} with JSON that is not an object`);
    const code = wechatErrorCode(parsed.errcode);
    return {
      http,
      text: http.text,
      body: parsed,
      errcode: code === 0 ? undefined : code,
      errmsg: typeof parsed.errmsg === 'string' ? parsed.errmsg : undefined,
    };
  }
}
