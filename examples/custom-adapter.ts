/**
 * Writing an adapter: a complete one for a government website's content management system (CMS).
 *
 * Most bureaus publish on their own website as well as on social platforms. This file teaches the
 * library that website, and is written to be read top to bottom. The CMS in question speaks a
 * small JSON protocol (its fake, `custom-adapter-server.ts`, implements the same one):
 *
 * | call                                           | answer                                  |
 * | ---------------------------------------------- | --------------------------------------- |
 * | `POST /articles` with an `Idempotency-Key`     | 201 and the article (200 when replayed) |
 * | `GET /articles?section=…&idempotency_key=…`    | 200 `{ "articles": [...] }`             |
 * | `DELETE /articles/{id}`                        | 204; 404 when the article is gone       |
 *
 * Every call carries `Authorization: Bearer <api_key>`; errors are
 * `{ "error": { "code": "…", "message": "…" } }` with an HTTP status that says what went wrong.
 *
 * The adapter follows the library's rules: it sends each request once and classifies the answer
 * into a `ReleaseHallError`. Retries, queues, rate limits and the journal belong to the core.
 */
import { z } from 'zod';
import { ADAPTER_SPECIFICATION_VERSION, ReleaseHallError } from 'release-hall';
import {
  accountLabel,
  ambiguousOrTransient,
  baseAdapterOptions,
  cleanPlatformText,
  contentRejected,
  duplicateContent,
  errorReplyOf,
  failMalformed,
  httpCall,
  httpUrlOption,
  invalidInput,
  isRecord,
  lookupOrUnknown,
  parseAdapterOptions,
  parseJsonBody,
  platformError,
  postRef,
  rateLimitRetryAfterOption,
  rateLimitWait,
  readIdField,
  requireFormat,
  resolveFetch,
  resolveRateLimits,
  timeoutAndSignal,
  withCredential,
} from 'release-hall/adapter-kit';
import type {
  Account,
  Adapter,
  AdapterLimits,
  DeliveryContext,
  DeliveryDescriptor,
  FindExistingResult,
  PostRef,
  PublishResult,
  RateLimits,
  RetractResult,
} from 'release-hall';
import type {
  BaseAdapterOptions,
  CallInfo,
  Classified,
  FetchLike,
  HttpReply,
  MapErrorOptions,
  PlatformErrorReply,
} from 'release-hall/adapter-kit';

// ---------------------------------------------------------------------------------------------
// 1. What the platform is: its name, its text rule and its rates, stated as data.

/** The platform name used in hall files (`accounts: { cms: { … } }`) and in every error. */
export const CMS_PLATFORM = 'cms';

/**
 * Longest article text the CMS takes, in characters. A website has room: the renderer will put
 * the whole statement in, and only summarise one longer than this.
 */
export const CMS_DEFAULT_MAX_LENGTH = 5_000;

/**
 * Default rates. A website's CMS is not a social platform with hourly posting quotas; these keep
 * a hall from flooding it. A hall file (`platforms.cms.limits`) or the publisher may override them.
 */
export const CMS_DEFAULT_RATE_LIMITS: RateLimits = {
  platformConcurrency: 4,
  postsPerWindow: 30,
  windowMs: 60_000,
  requestTimeoutMs: 10_000,
};

/** Default wait after a 429 that carries no `Retry-After` header. */
export const CMS_DEFAULT_RETRY_AFTER_MS = 30_000;

/**
 * Counts text the way the CMS does: one per Unicode character (code point), so a Chinese character
 * and a Latin letter each count one. The renderer fits renditions with this function, so it must
 * agree with the server's own check, or posts would be refused after they were planned.
 */
export function countCharacters(text: string): number {
  return Array.from(text).length;
}

// ---------------------------------------------------------------------------------------------
// 2. Options: checked once, at the door, with defaults resolved in one place.

/**
 * Options of {@link createCmsAdapter}. The kit's base options bring `fetch` (inject one for proxies
 * or tests) and `limits` (overrides of {@link CMS_DEFAULT_RATE_LIMITS}).
 */
export interface CmsAdapterOptions extends BaseAdapterOptions {
  /**
   * Base URL of the CMS API, e.g. `https://cms.example.gov.cn/api/v1`; requests go to
   * `<baseURL>/articles`. A gateway, a proxy or the fake server take the CMS's place through it.
   */
  readonly baseURL: string;
  /**
   * Name of the website, used in messages ("首都之窗 refused the article …").
   * @default 'the CMS'
   */
  readonly siteName?: string | undefined;
  /**
   * Longest article text, in characters; set it to what your CMS enforces.
   * @default 5000
   */
  readonly maxLength?: number | undefined;
  /**
   * Wait reported with a 429 that has no `Retry-After` header.
   * @default 30_000
   */
  readonly rateLimitRetryAfterMs?: number | undefined;
}

/** The CMS adapter. */
export interface CmsAdapter extends Adapter {
  readonly platform: typeof CMS_PLATFORM;
}

/** The kit's base schema (`baseURL`, `fetch`, `limits`), with `baseURL` required and the CMS's own fields. */
const BASE_URL_EXAMPLE = { example: 'https://cms.example.gov.cn/api/v1' };
const optionsSchema = baseAdapterOptions(BASE_URL_EXAMPLE).extend({
  baseURL: httpUrlOption(BASE_URL_EXAMPLE),
  siteName: z.string().min(1).optional(),
  maxLength: z.number().int().min(100).optional(),
  rateLimitRetryAfterMs: rateLimitRetryAfterOption(1),
});

interface ResolvedOptions {
  readonly articlesURL: string;
  readonly fetch: FetchLike;
  readonly siteName: string;
  readonly maxLength: number;
  readonly rateLimitRetryAfterMs: number;
  readonly rate: RateLimits;
}

/** Checks the options and fills in the defaults. A wrong option fails here, before any request. */
function resolveOptions(options: CmsAdapterOptions): ResolvedOptions {
  const value = parseAdapterOptions(optionsSchema, options, 'CMS adapter options');
  return {
    articlesURL: `${value.baseURL.replace(/\/+$/, '')}/articles`,
    fetch: resolveFetch(value.fetch),
    siteName: value.siteName ?? 'the CMS',
    maxLength: value.maxLength ?? CMS_DEFAULT_MAX_LENGTH,
    rateLimitRetryAfterMs: value.rateLimitRetryAfterMs ?? CMS_DEFAULT_RETRY_AFTER_MS,
    rate: resolveRateLimits(value.limits, CMS_DEFAULT_RATE_LIMITS),
  };
}

// ---------------------------------------------------------------------------------------------
// 3. The account schema: what a hall file must say about a CMS account.

/**
 * Platform fields of a CMS account in the hall file: the `section` (the CMS's slug of the column
 * the member publishes in, e.g. `tzgg` for 通知公告). Strict, so a misspelt field is named when
 * the hall is loaded instead of being ignored until the day of a crisis.
 *
 * @example
 * accounts:
 *   cms: { handle: 北京市交通委员会网站, credentials: cms-jtw, section: jtw-tzgg }
 */
export const cmsAccountSchema = z.strictObject({
  section: z
    .string({ error: 'expected the CMS section slug of the account, e.g. "tzgg"' })
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, {
      error: (issue) =>
        `expected a section slug of lower-case letters, digits and dashes, got ${JSON.stringify(issue.input)}`,
    }),
});

// ---------------------------------------------------------------------------------------------
// 4. Classifying errors: every reply becomes one closed code. The adapter never retries.

/**
 * An error reply of the CMS, as the adapter read it: the kit's facts of every error reply (HTTP
 * status, endpoint such as `POST articles`, write or read, account, `Retry-After`) and the CMS's
 * own `error.code` and `error.message`.
 */
export interface CmsErrorReply extends PlatformErrorReply {
  /** `error.code` of the body, when it had one. */
  readonly errorCode?: string | undefined;
  /** `error.message` of the body: the CMS's own words. */
  readonly errorMessage?: string | undefined;
}

/** Settings of {@link classifyCmsError}: the kit's (wait, secrets, clock) and the site's name. */
export interface ClassifyCmsErrorOptions extends MapErrorOptions {
  /** @default 'the CMS' */
  readonly siteName?: string | undefined;
}

/**
 * The code and plain explanation of a CMS error reply. The code decides what the core does next,
 * so each branch answers one question: can the same request succeed later, and may it have landed?
 * The kit words the cases every platform shares (a server failure, refused content, a duplicate).
 */
function classify(reply: CmsErrorReply, site: string, retryAfterMs: number): Classified {
  const account = accountLabel(reply.accountId);
  switch (reply.status) {
    case 401:
      return reply.errorCode === 'token_expired'
        ? {
            code: 'AUTH_EXPIRED',
            explanation: `the API key of ${account} has expired; issue a new one in ${site} and update the credentials`,
          }
        : {
            code: 'AUTH_INVALID',
            explanation: `${site} does not accept the API key of ${account}; check the credentials`,
          };
    case 403:
      return {
        code: 'PERMISSION_DENIED',
        explanation: `the API key of ${account} may not do this in its section; ask the site's administrator`,
      };
    case 409:
      return duplicateContent(`${site} already holds an article with this text`);
    case 422:
      return reply.errorCode === 'idempotency_key_reused'
        ? {
            code: 'INVALID_INPUT',
            explanation: `${site} holds another article under this delivery's idempotency key: the campaign id was reused for a different statement; run it under a new campaign id`,
          }
        : contentRejected(`${site} refused the article`, reply);
    case 429:
      return {
        code: 'RATE_LIMITED',
        explanation: `${site} asked ${account} to slow down; waiting ${Math.ceil(retryAfterMs / 1000)} s`,
      };
    case 400:
    case 404:
      return {
        code: 'INVALID_INPUT',
        explanation: `${site} did not understand the request (check baseURL and the adapter version)`,
      };
    default:
      return reply.status >= 500
        ? ambiguousOrTransient(`${site} failed`, reply)
        : {
            code: 'CONTENT_REJECTED',
            explanation: `${site} refused the call for ${account}; see its message`,
          };
  }
}

/**
 * Turns a CMS error reply into a `ReleaseHallError`:
 *
 * - 401 `token_expired` → `AUTH_EXPIRED`; any other 401 → `AUTH_INVALID` (a person must act);
 * - 403 → `PERMISSION_DENIED` (the key may not write to the section);
 * - 409 → `DUPLICATE_CONTENT` (the core then asks `findExisting` whether the article is ours);
 * - 422 → `CONTENT_REJECTED`, except `idempotency_key_reused` → `INVALID_INPUT`;
 * - 429 → `RATE_LIMITED` with `retryAfterMs` (the core waits; it does not count as an attempt);
 * - 5xx → `AMBIGUOUS` on a write (the article may exist), `TRANSIENT` on a read;
 * - 400, 404 → `INVALID_INPUT` (a wrong `baseURL` or a bug: sending again will not help);
 * - any other status → `CONTENT_REJECTED` with the CMS's words.
 *
 * Network failures never reach this function: `httpCall` already made them `TRANSIENT` (certainly
 * not sent) or `AMBIGUOUS` (a write that may have landed). The kit's `platformError` writes the
 * house-style message, with the CMS's words scrubbed of `options.secrets`.
 */
export function classifyCmsError(
  reply: CmsErrorReply,
  options: ClassifyCmsErrorOptions = {},
): ReleaseHallError {
  const retryAfterMs = rateLimitWait(reply.retryAfter, options, CMS_DEFAULT_RETRY_AFTER_MS);
  const classified = classify(reply, options.siteName ?? 'the CMS', retryAfterMs);
  return platformError({
    ...classified,
    platform: CMS_PLATFORM,
    endpoint: reply.endpoint,
    status: reply.status,
    accountId: reply.accountId,
    platformCode: reply.errorCode ?? String(reply.status),
    platformText: cleanPlatformText(reply.errorMessage, options.secrets ?? []),
    ...(classified.code === 'RATE_LIMITED' ? { extra: { retryAfterMs } } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// 5. Reading replies and renditions.

/**
 * The article title. The renderer writes a text rendition as `<prefix><headline>：<body>…`, so the
 * title is the part before the first full-width colon (the whole text when it has none). The CMS
 * checks the title's length itself; an over-long one comes back as `CONTENT_REJECTED`.
 */
export function articleTitle(text: string): string {
  const end = text.indexOf('：');
  return (end > 0 ? text.slice(0, end) : text).trim();
}

/** A call of the adapter, for messages and errors. */
interface Call extends CallInfo {
  readonly accountId: string;
}

function cmsCall(endpoint: string, write: boolean, account: Account): Call {
  return { platform: CMS_PLATFORM, endpoint, write, accountId: account.id };
}

/** `error.code` and `error.message` of an error reply; empty when it is not the CMS's JSON. */
function errorBody(reply: HttpReply): { code?: string; message?: string } {
  try {
    const body: unknown = JSON.parse(reply.text);
    if (isRecord(body) && isRecord(body.error)) {
      const { code, message } = body.error;
      return {
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof message === 'string' ? { message } : {}),
      };
    }
  } catch {
    // Not JSON: the status alone classifies it.
  }
  return {};
}

/** Throws the classified error of a reply that is not a success. */
function failReply(reply: HttpReply, call: Call, options: ResolvedOptions, apiKey: string): never {
  const error = errorBody(reply);
  throw classifyCmsError(
    {
      errorCode: error.code,
      errorMessage: error.message,
      ...errorReplyOf(reply, call),
    },
    {
      siteName: options.siteName,
      rateLimitRetryAfterMs: options.rateLimitRetryAfterMs,
      secrets: [apiKey],
    },
  );
}

/** The JSON object of a 2xx reply; anything else throws its classified error. */
function readBody(
  reply: HttpReply,
  call: Call,
  options: ResolvedOptions,
  apiKey: string,
): Record<string, unknown> {
  if (reply.status < 200 || reply.status >= 300) failReply(reply, call, options, apiKey);
  // A 2xx that is not JSON (a gateway's HTML page) is AMBIGUOUS for a write: it may have landed.
  const body = parseJsonBody(reply, call);
  if (!isRecord(body)) failMalformed(call, `HTTP ${reply.status} with JSON that is not an object`);
  return body;
}

/**
 * The id of an article as text. Ids are strings in this library. A CMS that sends numbers gets
 * them kept as they are while they are exact, and read from the raw text of a single-article reply
 * (`readIdField`) when they are above 2^53, so no digit is lost.
 */
function articleId(article: Record<string, unknown>, raw: string | undefined): string | undefined {
  const { id } = article;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id !== 'number') return undefined;
  if (Number.isSafeInteger(id)) return String(id);
  return raw === undefined ? undefined : readIdField(raw, 'id');
}

/** The section checked by {@link cmsAccountSchema} when the hall was loaded. */
function sectionOf(account: Account): string {
  const section = account.settings.section;
  if (typeof section === 'string' && section !== '') return section;
  throw invalidInput(`CMS account "${account.id}"`, [
    { path: 'section', message: 'expected the CMS section slug of the account, e.g. "tzgg"' },
  ]);
}

function refFor(id: string, article: Record<string, unknown>, account: Account): PostRef {
  return postRef(
    CMS_PLATFORM,
    account,
    id,
    typeof article.url === 'string' ? article.url : undefined,
  );
}

/** The key travels in a header; every call sends it, and no message is ever written from it. */
function headers(apiKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return { accept: 'application/json', authorization: `Bearer ${apiKey}`, ...extra };
}

/**
 * After an `AMBIGUOUS` write (a cut connection, a timeout, a 5xx) the core asks this before it
 * sends anything again. The CMS files each article under the idempotency key it was created
 * with, so one read answers: found (with the id), not-found (safe to send), or unknown (the
 * read failed: the kit's `lookupOrUnknown` turns any error but an abort into `unknown`, so the
 * core will not send blindly, and reports the delivery as unconfirmed).
 *
 * An article under the key with other text was not made by this delivery (a campaign id reused
 * for an edited statement); it is not-found here, and the CMS refuses the re-send loudly with
 * `idempotency_key_reused` rather than posting the wrong text twice.
 *
 * A platform without such a key reads the account's timeline instead: the kit's
 * `scanTimeline` pages through it until the post is found or the posts are older than the
 * first attempt (see the Weibo and Tencent adapters).
 */
async function findArticle(
  resolved: ResolvedOptions,
  delivery: DeliveryDescriptor,
  account: Account,
  context: DeliveryContext,
  apiKey: string,
): Promise<FindExistingResult> {
  const { rendition } = delivery;
  if (delivery.action !== 'post' || rendition.format !== 'text') return { status: 'not-found' };
  const call = cmsCall('GET articles', false, account);
  const query = new URLSearchParams({
    section: sectionOf(account),
    idempotency_key: delivery.idempotencyKey,
  });
  const read = await lookupOrUnknown(async () => {
    const reply = await httpCall({
      ...call,
      fetch: resolved.fetch,
      url: `${resolved.articlesURL}?${query.toString()}`,
      method: 'GET',
      headers: headers(apiKey),
      ...timeoutAndSignal(context),
    });
    return { articles: readBody(reply, call, resolved, apiKey).articles };
  });
  if ('status' in read) return read;
  const { articles } = read;
  if (!Array.isArray(articles)) {
    return {
      status: 'unknown',
      reason: '[release-hall] [cms] GET articles replied without a list of articles',
    };
  }
  const wanted = rendition.text;
  const filed = articles
    .filter(isRecord)
    .filter((article) => article.idempotency_key === delivery.idempotencyKey);
  const ours = filed.find((article) => article.text === wanted);
  if (ours !== undefined) {
    const id = articleId(ours, undefined);
    return id === undefined
      ? { status: 'unknown', reason: '[release-hall] [cms] the article found has no id' }
      : { status: 'found', ref: refFor(id, ours, account) };
  }
  if (filed.length > 0) {
    context.logger.warn(
      `[release-hall] [cms] account "${account.id}" holds an article under this delivery's idempotency key with other text; it is not this delivery's`,
      { accountId: account.id },
    );
  }
  return { status: 'not-found' };
}

// ---------------------------------------------------------------------------------------------
// 6. The adapter.

/**
 * Makes the CMS adapter.
 *
 * @example
 * const cms = createCmsAdapter({ baseURL: 'https://cms.example.gov.cn/api/v1', siteName: '首都之窗' });
 * const publisher = createPublisher({ hall, adapters: [cms] });
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong.
 */
export function createCmsAdapter(options: CmsAdapterOptions): CmsAdapter {
  const resolved = resolveOptions(options);

  /**
   * What the planner and renderer need to know, as data: the text rule (characters, no topics, no
   * mandatory link) and the rates. `supportsRelay: false` makes the planner give every CMS account
   * an original post, even in `relay` mode.
   */
  const limits: AdapterLimits = {
    format: 'text',
    text: {
      name: `cms-${resolved.maxLength}`,
      maxLength: resolved.maxLength,
      count: countCharacters,
      requiresSafeDomainLink: false,
      allowsTopics: false,
    },
    rate: resolved.rate,
    supportsRelay: false,
  };

  /**
   * The frame of every call: the API key comes from the context at call time, never from the hall
   * file or the options (a missing one is `AUTH_INVALID` naming the reference, never the value),
   * and should anything thrown below still hold it (a CMS echoing it back), the kit scrubs it
   * before it leaves the adapter.
   */
  const withApiKey = <T>(
    account: Account,
    context: DeliveryContext,
    work: (apiKey: string) => Promise<T>,
  ): Promise<T> =>
    withCredential(account, context, { platform: CMS_PLATFORM, field: 'api_key' }, work);

  const adapter: CmsAdapter = {
    specificationVersion: ADAPTER_SPECIFICATION_VERSION,
    platform: CMS_PLATFORM,
    limits,
    /** The fields the credentials resolver must supply (`RELEASE_HALL_CRED_<REF>__API_KEY`, …). */
    credentialFields: ['api_key'],
    accountSchema: cmsAccountSchema,

    /**
     * Creates the article. The `Idempotency-Key` header carries the delivery's key, derived from
     * (campaign, account, action): should the core ever send it again, the CMS answers with the
     * article it already made instead of a second one.
     */
    publish: (rendition, account, context): Promise<PublishResult> =>
      withApiKey(account, context, async (apiKey) => {
        const { text, link } = requireFormat(rendition, account, {
          format: 'text',
          what: 'CMS article',
        });
        const call = cmsCall('POST articles', true, account);
        const reply = await httpCall({
          ...call,
          fetch: resolved.fetch,
          url: resolved.articlesURL,
          method: 'POST',
          headers: headers(apiKey, {
            'content-type': 'application/json',
            'idempotency-key': context.idempotencyKey,
          }),
          body: JSON.stringify({
            section: sectionOf(account),
            title: articleTitle(text),
            text,
            ...(link === undefined ? {} : { link }),
          }),
          ...timeoutAndSignal(context),
        });
        const article = readBody(reply, call, resolved, apiKey);
        const id = articleId(article, reply.text);
        // Created, but which article? Unknown: AMBIGUOUS, so the core looks it up before re-sending.
        if (id === undefined) failMalformed(call, `HTTP ${reply.status} without an article id`);
        return { status: 'posted', ref: refFor(id, article, account) };
      }),

    /**
     * A website has no reposts. The planner never asks (`supportsRelay: false`); a caller who does
     * is told so, before anything is sent.
     */
    relay(_source, _rendition, account) {
      return Promise.reject(
        new ReleaseHallError(
          `[release-hall] [cms] account "${account.id}" cannot relay: a website has no reposts (the CMS adapter declares supportsRelay: false, so plans give it an original post)`,
          { code: 'INVALID_INPUT', platform: CMS_PLATFORM, accountId: account.id },
        ),
      );
    },

    /** Removes the article. "Not found" means it is already gone (an earlier retract, an editor). */
    retract: (ref, account, context): Promise<RetractResult> =>
      withApiKey(account, context, async (apiKey) => {
        const call = cmsCall('DELETE articles/{id}', true, account);
        const reply = await httpCall({
          ...call,
          fetch: resolved.fetch,
          url: `${resolved.articlesURL}/${encodeURIComponent(ref.id)}`,
          method: 'DELETE',
          headers: headers(apiKey),
          ...timeoutAndSignal(context),
        });
        if (reply.status >= 200 && reply.status < 300) return { status: 'removed' };
        // 404 with `article_not_found` is the CMS saying the article is gone. A bare 404 (a wrong
        // baseURL hitting some other server) is not, and is classified as an error.
        if (reply.status === 404 && errorBody(reply).code === 'article_not_found') {
          return { status: 'already-gone' };
        }
        return failReply(reply, call, resolved, apiKey);
      }),

    /** See {@link findArticle}: the CMS files each article under its idempotency key. */
    async findExisting(delivery, account, context): Promise<FindExistingResult> {
      const { rendition } = delivery;
      if (delivery.action !== 'post' || rendition.format !== 'text') return { status: 'not-found' };
      return withApiKey(account, context, (apiKey) =>
        findArticle(resolved, delivery, account, context, apiKey),
      );
    },
  };
  return adapter;
}
