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
import { ADAPTER_SPECIFICATION_VERSION, Redactor, ReleaseHallError } from 'release-hall';
import {
  failMalformed,
  formatPath,
  httpCall,
  invalidInput,
  parseJsonBody,
  platformMessage,
  readIdField,
} from 'release-hall/adapter-kit';
import type {
  Account,
  Adapter,
  AdapterLimits,
  DeliveryContext,
  ErrorCode,
  FindExistingResult,
  PostRef,
  PublishResult,
  RateLimits,
  Rendition,
  RetractResult,
  TextRendition,
} from 'release-hall';
import type { FetchLike, HttpReply } from 'release-hall/adapter-kit';

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

/** Overrides of the declared rates (see {@link CMS_DEFAULT_RATE_LIMITS}). */
export interface CmsLimitsOverride {
  readonly platformConcurrency?: number | undefined;
  readonly postsPerWindow?: number | undefined;
  readonly windowMs?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}

/** Options of {@link createCmsAdapter}. */
export interface CmsAdapterOptions {
  /**
   * Base URL of the CMS API, e.g. `https://cms.example.gov.cn/api/v1`; requests go to
   * `<baseURL>/articles`. A gateway, a proxy or the fake server take the CMS's place through it.
   */
  readonly baseURL: string;
  /**
   * The `fetch` used for every call; inject one for proxies or tests.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike | undefined;
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
  /** Overrides of the declared rates. */
  readonly limits?: CmsLimitsOverride | undefined;
}

/** The CMS adapter. */
export interface CmsAdapter extends Adapter {
  readonly platform: typeof CMS_PLATFORM;
}

const optionsSchema = z.strictObject({
  baseURL: z.url({
    protocol: /^https?$/,
    error: 'expected an absolute http(s) URL such as "https://cms.example.gov.cn/api/v1"',
  }),
  fetch: z
    .custom<FetchLike>((value) => typeof value === 'function', {
      error: 'expected a fetch function',
    })
    .optional(),
  siteName: z.string().min(1).optional(),
  maxLength: z.number().int().min(100).optional(),
  rateLimitRetryAfterMs: z.number().int().min(1).optional(),
  limits: z
    .strictObject({
      platformConcurrency: z.number().int().min(1).optional(),
      postsPerWindow: z.number().int().min(1).optional(),
      windowMs: z.number().int().min(1).optional(),
      requestTimeoutMs: z.number().int().min(100).optional(),
    })
    .optional(),
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
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw invalidInput(
      'CMS adapter options',
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    );
  }
  const value = parsed.data;
  const rate = CMS_DEFAULT_RATE_LIMITS;
  return {
    articlesURL: `${value.baseURL.replace(/\/+$/, '')}/articles`,
    fetch: value.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    siteName: value.siteName ?? 'the CMS',
    maxLength: value.maxLength ?? CMS_DEFAULT_MAX_LENGTH,
    rateLimitRetryAfterMs: value.rateLimitRetryAfterMs ?? CMS_DEFAULT_RETRY_AFTER_MS,
    rate: {
      platformConcurrency: value.limits?.platformConcurrency ?? rate.platformConcurrency,
      postsPerWindow: value.limits?.postsPerWindow ?? rate.postsPerWindow,
      windowMs: value.limits?.windowMs ?? rate.windowMs,
      requestTimeoutMs: value.limits?.requestTimeoutMs ?? rate.requestTimeoutMs,
    },
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

/** An error reply of the CMS, as the adapter read it. */
export interface CmsErrorReply {
  /** HTTP status. */
  readonly status: number;
  /** `error.code` of the body, when it had one. */
  readonly errorCode?: string | undefined;
  /** `error.message` of the body: the CMS's own words. */
  readonly errorMessage?: string | undefined;
  /** Endpoint for messages, e.g. `POST articles`. */
  readonly endpoint: string;
  /** True when the call changes the site (create, delete). */
  readonly write: boolean;
  /** The account (`member/cms`) the call was for. */
  readonly accountId?: string | undefined;
  /** Value of the `Retry-After` header. */
  readonly retryAfter?: string | null | undefined;
}

/** Settings of {@link classifyCmsError}. */
export interface ClassifyCmsErrorOptions {
  /** @default 'the CMS' */
  readonly siteName?: string | undefined;
  /** @default 30_000 */
  readonly rateLimitRetryAfterMs?: number | undefined;
  /** Secret values to scrub from the CMS's message, should it ever echo one. */
  readonly secrets?: readonly string[] | undefined;
  /** Clock used to read an HTTP-date `Retry-After`. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** Reads `Retry-After` (seconds or an HTTP date) as milliseconds from now. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: () => number = Date.now,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/**
 * Turns a CMS error reply into a `ReleaseHallError`. The code decides what the core does next,
 * so each branch answers one question: can the same request succeed later, and may it have landed?
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
 * not sent) or `AMBIGUOUS` (a write that may have landed).
 */
export function classifyCmsError(
  reply: CmsErrorReply,
  options: ClassifyCmsErrorOptions = {},
): ReleaseHallError {
  const site = options.siteName ?? 'the CMS';
  const account = reply.accountId === undefined ? 'the account' : `account "${reply.accountId}"`;
  const retryAfterMs =
    parseRetryAfter(reply.retryAfter, options.now) ??
    options.rateLimitRetryAfterMs ??
    CMS_DEFAULT_RETRY_AFTER_MS;

  const classify = (): { code: ErrorCode; explanation: string } => {
    const { status } = reply;
    if (status === 401) {
      return reply.errorCode === 'token_expired'
        ? {
            code: 'AUTH_EXPIRED',
            explanation: `the API key of ${account} has expired; issue a new one in ${site} and update the credentials`,
          }
        : {
            code: 'AUTH_INVALID',
            explanation: `${site} does not accept the API key of ${account}; check the credentials`,
          };
    }
    if (status === 403) {
      return {
        code: 'PERMISSION_DENIED',
        explanation: `the API key of ${account} may not do this in its section; ask the site's administrator`,
      };
    }
    if (status === 409) {
      return {
        code: 'DUPLICATE_CONTENT',
        explanation: `${site} already holds an article with this text; the account is checked for it before reporting`,
      };
    }
    if (status === 422 && reply.errorCode === 'idempotency_key_reused') {
      return {
        code: 'INVALID_INPUT',
        explanation: `${site} holds another article under this delivery's idempotency key: the campaign id was reused for a different statement; run it under a new campaign id`,
      };
    }
    if (status === 422) {
      return {
        code: 'CONTENT_REJECTED',
        explanation: `${site} refused the article of ${account}; change it and run again`,
      };
    }
    if (status === 429) {
      return {
        code: 'RATE_LIMITED',
        explanation: `${site} asked ${account} to slow down; waiting ${Math.ceil(retryAfterMs / 1000)} s`,
      };
    }
    if (status >= 500) {
      return reply.write
        ? {
            code: 'AMBIGUOUS',
            explanation: `${site} failed while writing for ${account}; the article may exist, so the account is checked before any re-send`,
          }
        : { code: 'TRANSIENT', explanation: `${site} failed; will retry` };
    }
    if (status === 400 || status === 404) {
      return {
        code: 'INVALID_INPUT',
        explanation: `${site} did not understand the request (check baseURL and the adapter version)`,
      };
    }
    return {
      code: 'CONTENT_REJECTED',
      explanation: `${site} refused the call for ${account}; see its message`,
    };
  };

  const { code, explanation } = classify();
  const redactor = new Redactor();
  redactor.add(...(options.secrets ?? []));
  const said = reply.errorMessage === undefined ? undefined : redactor.string(reply.errorMessage);
  const platformCode = reply.errorCode ?? String(reply.status);
  return new ReleaseHallError(
    platformMessage(
      CMS_PLATFORM,
      reply.endpoint,
      `${reply.status}${reply.errorCode === undefined ? '' : ` ${reply.errorCode}`}`,
      said === undefined ? undefined : said.replace(/\s+/g, ' ').slice(0, 200),
      explanation,
    ),
    {
      code,
      platform: CMS_PLATFORM,
      platformCode,
      accountId: reply.accountId,
      endpoint: reply.endpoint,
      ...(code === 'RATE_LIMITED' ? { retryAfterMs } : {}),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// 5. Reading replies and renditions.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The article title. The renderer writes a text rendition as `<prefix><headline>：<body>…`, so the
 * title is the part before the first full-width colon (the whole text when it has none). The CMS
 * checks the title's length itself; an over-long one comes back as `CONTENT_REJECTED`.
 */
export function articleTitle(text: string): string {
  const end = text.indexOf('：');
  return (end > 0 ? text.slice(0, end) : text).trim();
}

interface Call {
  readonly platform: string;
  readonly endpoint: string;
  readonly write: boolean;
  readonly accountId: string;
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
      status: reply.status,
      errorCode: error.code,
      errorMessage: error.message,
      endpoint: call.endpoint,
      write: call.write,
      accountId: call.accountId,
      retryAfter: reply.headers.get('retry-after'),
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
   * The secret comes from the context at call time, never from the hall file or the options. A
   * missing one is `AUTH_INVALID` naming the reference (never the value).
   */
  const apiKeyOf = (account: Account, context: DeliveryContext): string => {
    const apiKey = context.credentials.api_key;
    if (apiKey === undefined || apiKey === '') {
      throw new ReleaseHallError(
        `[release-hall] [cms] account "${account.id}" has no api_key in its credentials "${account.credentials}"`,
        { code: 'AUTH_INVALID', platform: CMS_PLATFORM, accountId: account.id },
      );
    }
    return apiKey;
  };

  /** The section checked by {@link cmsAccountSchema} when the hall was loaded. */
  const sectionOf = (account: Account): string => {
    const section = account.settings.section;
    if (typeof section === 'string' && section !== '') return section;
    throw invalidInput(`CMS account "${account.id}"`, [
      { path: 'section', message: 'expected the CMS section slug of the account, e.g. "tzgg"' },
    ]);
  };

  const textOf = (rendition: Rendition, account: Account): TextRendition => {
    if (rendition.format === 'text') return rendition;
    throw invalidInput(`CMS article for account "${account.id}"`, [
      { path: 'rendition.format', message: `expected "text", got "${rendition.format}"` },
    ]);
  };

  const refFor = (id: string, article: Record<string, unknown>, account: Account): PostRef => ({
    platform: CMS_PLATFORM,
    accountId: account.id,
    id,
    ...(typeof article.url === 'string' ? { url: article.url } : {}),
  });

  /** The key travels in a header; every call sends it, and no message is ever written from it. */
  const headers = (apiKey: string, extra: Record<string, string> = {}): Record<string, string> => ({
    accept: 'application/json',
    authorization: `Bearer ${apiKey}`,
    ...extra,
  });

  /**
   * A safety net: should anything thrown below still hold the key (a CMS echoing it back), it is
   * scrubbed before it leaves the adapter.
   */
  const scrubbed = async <T>(apiKey: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error) {
        const redactor = new Redactor();
        redactor.add(apiKey);
        redactor.scrubError(error);
      }
      throw error;
    }
  };

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
    async publish(rendition, account, context): Promise<PublishResult> {
      const apiKey = apiKeyOf(account, context);
      return scrubbed(apiKey, async () => {
        const { text, link } = textOf(rendition, account);
        const call: Call = {
          platform: CMS_PLATFORM,
          endpoint: 'POST articles',
          write: true,
          accountId: account.id,
        };
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
          timeoutMs: context.requestTimeoutMs,
          signal: context.signal,
        });
        const article = readBody(reply, call, resolved, apiKey);
        const id = articleId(article, reply.text);
        // Created, but which article? Unknown: AMBIGUOUS, so the core looks it up before re-sending.
        if (id === undefined) failMalformed(call, `HTTP ${reply.status} without an article id`);
        return { status: 'posted', ref: refFor(id, article, account) };
      });
    },

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
    async retract(ref, account, context): Promise<RetractResult> {
      const apiKey = apiKeyOf(account, context);
      return scrubbed(apiKey, async () => {
        const call: Call = {
          platform: CMS_PLATFORM,
          endpoint: 'DELETE articles/{id}',
          write: true,
          accountId: account.id,
        };
        const reply = await httpCall({
          ...call,
          fetch: resolved.fetch,
          url: `${resolved.articlesURL}/${encodeURIComponent(ref.id)}`,
          method: 'DELETE',
          headers: headers(apiKey),
          timeoutMs: context.requestTimeoutMs,
          signal: context.signal,
        });
        if (reply.status >= 200 && reply.status < 300) return { status: 'removed' };
        // 404 with `article_not_found` is the CMS saying the article is gone. A bare 404 (a wrong
        // baseURL hitting some other server) is not, and is classified as an error.
        if (reply.status === 404 && errorBody(reply).code === 'article_not_found') {
          return { status: 'already-gone' };
        }
        return failReply(reply, call, resolved, apiKey);
      });
    },

    /**
     * After an `AMBIGUOUS` write (a cut connection, a timeout, a 5xx) the core asks this before it
     * sends anything again. The CMS files each article under the idempotency key it was created
     * with, so one read answers: found (with the id), not-found (safe to send), or unknown (the
     * read failed: the core will not send blindly, and reports the delivery as unconfirmed).
     *
     * An article under the key with other text was not made by this delivery (a campaign id reused
     * for an edited statement); it is not-found here, and the CMS refuses the re-send loudly with
     * `idempotency_key_reused` rather than posting the wrong text twice.
     */
    async findExisting(delivery, account, context): Promise<FindExistingResult> {
      const { rendition } = delivery;
      if (delivery.action !== 'post' || rendition.format !== 'text') return { status: 'not-found' };
      const apiKey = apiKeyOf(account, context);
      return scrubbed(apiKey, async () => {
        const call: Call = {
          platform: CMS_PLATFORM,
          endpoint: 'GET articles',
          write: false,
          accountId: account.id,
        };
        const query = new URLSearchParams({
          section: sectionOf(account),
          idempotency_key: delivery.idempotencyKey,
        });
        let articles: unknown;
        try {
          const reply = await httpCall({
            ...call,
            fetch: resolved.fetch,
            url: `${resolved.articlesURL}?${query.toString()}`,
            method: 'GET',
            headers: headers(apiKey),
            timeoutMs: context.requestTimeoutMs,
            signal: context.signal,
          });
          articles = readBody(reply, call, resolved, apiKey).articles;
        } catch (error) {
          // Stopping the run is the one failure that must not turn into "cannot tell".
          if (ReleaseHallError.isInstance(error) && error.code === 'ABORTED') throw error;
          return {
            status: 'unknown',
            reason: error instanceof Error ? error.message : String(error),
          };
        }
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
      });
    },
  };
  return adapter;
}
