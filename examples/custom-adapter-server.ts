/**
 * A fake of the example CMS (the one `custom-adapter.ts` talks to), for the tests and the runnable
 * example: `node:http` on 127.0.0.1, an ephemeral port, everything in memory.
 *
 * It checks requests as the real CMS would (the bearer key, the key's rights on the section, an
 * `Idempotency-Key` on every create, the field limits), files each article under its idempotency
 * key, and can inject the faults the adapter contract suite asks for. The API lives under
 * `<url>` (`http://127.0.0.1:<port>/api/v1`):
 *
 * - `POST /articles` `{ section, title, text, link? }` → 201 article. The same key with the same
 *   fields → 200 and the same article (`Idempotent-Replayed: true`); the same key with other
 *   fields → 422 `idempotency_key_reused`; the same text live in the section → 409
 *   `duplicate_article`;
 * - `GET /articles?section=…[&idempotency_key=…]` → 200 `{ articles }`, newest first, live only;
 * - `DELETE /articles/{id}` → 204; 404 `article_not_found` when it does not exist or is gone.
 *
 * Errors are `{ "error": { "code", "message" } }`: 400 `bad_request`/`idempotency_key_missing`,
 * 401 `invalid_token`/`token_expired`, 403 `forbidden_section`, 422 `content_rejected`,
 * 429 `rate_limited` (with `Retry-After`), 500 `internal`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An API key and the sections it may write to. */
export interface CmsEditor {
  readonly apiKey: string;
  readonly sections: readonly string[];
}

/** An article as the fake holds it. */
export interface CmsArticle {
  readonly id: string;
  readonly section: string;
  readonly title: string;
  readonly text: string;
  readonly link?: string;
  /** Public URL of the article page. */
  readonly url: string;
  readonly idempotencyKey: string;
  readonly createdAt: string;
  readonly deleted: boolean;
}

/**
 * Faults, each queued for one section and used by the next matching request for it:
 *
 * - `drop-after-apply`: the next write is applied, then the connection is cut without a reply;
 * - `timeout-after-apply`: the next write is applied, and the reply never comes;
 * - `token-expired`: the next request is answered 401 `token_expired`;
 * - `rate-limited`: the next write is answered 429 with `Retry-After`;
 * - `read-failure`: the next read is answered 500.
 */
export type CmsFault =
  'drop-after-apply' | 'timeout-after-apply' | 'token-expired' | 'rate-limited' | 'read-failure';

/** One request as the fake saw it (the Authorization header is never recorded). */
export interface CmsRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly section?: string;
  readonly idempotencyKey?: string;
}

/** Options of {@link startCmsServer}. */
export interface CmsServerOptions {
  /** Keys the CMS accepts. More can be added with {@link CmsServer.addEditor}. @default [] */
  readonly editors?: readonly CmsEditor[];
  /** Origin of the public article pages. @default 'https://www.example.gov.cn' */
  readonly publicOrigin?: string;
  /** Longest text, in characters. @default 5000 */
  readonly maxTextLength?: number;
  /** Longest title, in characters. @default 200 */
  readonly maxTitleLength?: number;
  /** `Retry-After` of a 429, in seconds. @default 2 */
  readonly retryAfterSeconds?: number;
}

/** A running fake CMS. */
export interface CmsServer {
  /** Base URL of the API, to pass as the adapter's `baseURL`. */
  readonly url: string;
  /** Lets an API key write to sections. */
  addEditor(editor: CmsEditor): void;
  /** Articles of a section (of every section when omitted), deleted ones included, oldest first. */
  articles(section?: string): readonly CmsArticle[];
  /** Requests received, oldest first. */
  readonly requests: readonly CmsRequestRecord[];
  /** Queues a fault for the next matching request for `section`. */
  inject(fault: CmsFault, section: string): void;
  /** Forgets articles, requests and faults (editors stay). */
  reset(): void;
  /** Stops the server, cutting any reply still pending. */
  close(): Promise<void>;
}

const BASE_PATH = '/api/v1';
const MAX_BODY_BYTES = 1_000_000;

interface StoredArticle {
  id: string;
  section: string;
  title: string;
  text: string;
  link: string | undefined;
  url: string;
  idempotencyKey: string;
  createdAt: string;
  deleted: boolean;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function characters(text: string): number {
  return Array.from(text).length;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpFailure(413, 'too_large', 'the body is too large');
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpFailure(400, 'bad_request', 'the body is not JSON');
  }
}

function articleJson(article: StoredArticle): Record<string, unknown> {
  return {
    id: article.id,
    section: article.section,
    title: article.title,
    text: article.text,
    ...(article.link === undefined ? {} : { link: article.link }),
    url: article.url,
    idempotency_key: article.idempotencyKey,
    created_at: article.createdAt,
    status: article.deleted ? 'deleted' : 'published',
  };
}

/**
 * Starts the fake CMS on 127.0.0.1 and an ephemeral port.
 *
 * @example
 * const cms = await startCmsServer({ editors: [{ apiKey: 'key-1', sections: ['tzgg'] }] });
 * const adapter = createCmsAdapter({ baseURL: cms.url });
 */
export async function startCmsServer(options: CmsServerOptions = {}): Promise<CmsServer> {
  const publicOrigin = options.publicOrigin ?? 'https://www.example.gov.cn';
  const maxText = options.maxTextLength ?? 5_000;
  const maxTitle = options.maxTitleLength ?? 200;
  const retryAfter = String(options.retryAfterSeconds ?? 2);
  const editors = new Map<string, Set<string>>();
  let articles: StoredArticle[] = [];
  let requests: CmsRequestRecord[] = [];
  let faults = new Map<string, CmsFault[]>();
  let nextId = 4_213_577;

  const addEditor = (editor: CmsEditor): void => {
    const sections = editors.get(editor.apiKey) ?? new Set<string>();
    for (const section of editor.sections) sections.add(section);
    editors.set(editor.apiKey, sections);
  };
  for (const editor of options.editors ?? []) addEditor(editor);

  /** Removes and returns the first queued fault of `section` among `kinds`. */
  const takeFault = (section: string, kinds: readonly CmsFault[]): CmsFault | undefined => {
    const queue = faults.get(section) ?? [];
    const index = queue.findIndex((fault) => kinds.includes(fault));
    if (index < 0) return undefined;
    const [fault] = queue.splice(index, 1);
    return fault;
  };

  /**
   * Checks the bearer key, then a queued `token-expired`, then the key's rights on `section`
   * (only the key when the section is not known).
   */
  const authorise = (request: IncomingMessage, section: string | undefined): void => {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const sections = match?.[1] === undefined ? undefined : editors.get(match[1]);
    if (sections === undefined) {
      throw new HttpFailure(401, 'invalid_token', 'the API key is missing or unknown', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    if (section === undefined) return;
    if (takeFault(section, ['token-expired']) !== undefined) {
      throw new HttpFailure(401, 'token_expired', 'the API key has expired', {
        'www-authenticate': 'Bearer error="invalid_token", error_description="expired"',
      });
    }
    if (!sections.has(section)) {
      throw new HttpFailure(403, 'forbidden_section', `the key may not write to "${section}"`);
    }
  };

  const rateLimit = (section: string): void => {
    if (takeFault(section, ['rate-limited']) !== undefined) {
      throw new HttpFailure(429, 'rate_limited', 'too many requests', {
        'retry-after': retryAfter,
      });
    }
  };

  /**
   * Replies, or acts out a queued fault after the change was applied: `drop` cuts the connection,
   * `timeout` never answers (the client gives up; `close` cuts it).
   */
  const replyAfterApply = (
    request: IncomingMessage,
    response: ServerResponse,
    section: string,
    reply: () => void,
  ): void => {
    const fault = takeFault(section, ['drop-after-apply', 'timeout-after-apply']);
    if (fault === 'drop-after-apply') {
      request.socket.destroy();
      return;
    }
    if (fault === 'timeout-after-apply') return;
    reply();
  };

  const createArticle = async (
    request: IncomingMessage,
    response: ServerResponse,
    record: { section?: string; idempotencyKey?: string },
  ): Promise<void> => {
    const body = await readJson(request);
    if (!isRecord(body) || typeof body.section !== 'string') {
      throw new HttpFailure(400, 'bad_request', 'expected an object with "section"');
    }
    const { section } = body;
    record.section = section;
    authorise(request, section);
    rateLimit(section);
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') {
      throw new HttpFailure(
        400,
        'idempotency_key_missing',
        'every create needs an Idempotency-Key',
      );
    }
    record.idempotencyKey = key;
    const { title, text, link } = body;
    if (typeof title !== 'string' || title === '' || characters(title) > maxTitle) {
      throw new HttpFailure(
        422,
        'content_rejected',
        `the title must have 1 to ${maxTitle} characters`,
      );
    }
    if (typeof text !== 'string' || text === '' || characters(text) > maxText) {
      throw new HttpFailure(
        422,
        'content_rejected',
        `the text must have 1 to ${maxText} characters`,
      );
    }
    if (link !== undefined && (typeof link !== 'string' || !/^https?:\/\//.test(link))) {
      throw new HttpFailure(422, 'content_rejected', 'the link must be an http(s) URL');
    }
    const filed = articles.find(
      (article) => article.section === section && article.idempotencyKey === key,
    );
    if (filed !== undefined) {
      if (filed.title !== title || filed.text !== text || filed.link !== link) {
        throw new HttpFailure(
          422,
          'idempotency_key_reused',
          'this Idempotency-Key was used for another article',
        );
      }
      replyAfterApply(request, response, section, () =>
        sendJson(response, 200, articleJson(filed), { 'idempotent-replayed': 'true' }),
      );
      return;
    }
    if (
      articles.some(
        (article) => article.section === section && !article.deleted && article.text === text,
      )
    ) {
      throw new HttpFailure(409, 'duplicate_article', 'the section already holds this text');
    }
    const id = String(nextId++);
    const article: StoredArticle = {
      id,
      section,
      title,
      text,
      link: typeof link === 'string' ? link : undefined,
      url: `${publicOrigin}/${section}/art_${id}.html`,
      idempotencyKey: key,
      createdAt: new Date().toISOString(),
      deleted: false,
    };
    articles.push(article);
    replyAfterApply(request, response, section, () =>
      sendJson(response, 201, articleJson(article), { location: `${BASE_PATH}/articles/${id}` }),
    );
  };

  const listArticles = (
    request: IncomingMessage,
    response: ServerResponse,
    query: URLSearchParams,
    record: { section?: string },
  ): void => {
    const section = query.get('section');
    if (section === null || section === '') {
      throw new HttpFailure(400, 'bad_request', 'expected ?section=');
    }
    record.section = section;
    authorise(request, section);
    if (takeFault(section, ['read-failure']) !== undefined) {
      throw new HttpFailure(500, 'internal', 'the article index is unavailable');
    }
    const key = query.get('idempotency_key');
    const found = articles
      .filter(
        (article) =>
          article.section === section &&
          !article.deleted &&
          (key === null || article.idempotencyKey === key),
      )
      .reverse();
    sendJson(response, 200, { articles: found.map(articleJson) });
  };

  const deleteArticle = (
    request: IncomingMessage,
    response: ServerResponse,
    id: string,
    record: { section?: string },
  ): void => {
    const article = articles.find((candidate) => candidate.id === id);
    if (article === undefined) {
      // The key is still checked: an unknown caller learns nothing about which ids exist.
      authorise(request, undefined);
      throw new HttpFailure(404, 'article_not_found', `no article ${id}`);
    }
    record.section = article.section;
    authorise(request, article.section);
    rateLimit(article.section);
    if (article.deleted) throw new HttpFailure(404, 'article_not_found', `no article ${id}`);
    article.deleted = true;
    replyAfterApply(request, response, article.section, () => {
      response.writeHead(204);
      response.end();
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const record: { method: string; path: string; section?: string; idempotencyKey?: string } = {
      method: request.method ?? 'GET',
      path: url.pathname,
    };
    requests.push(record);
    try {
      const route = url.pathname.startsWith(`${BASE_PATH}/`)
        ? url.pathname.slice(BASE_PATH.length)
        : '';
      const one = /^\/articles\/([^/]+)$/.exec(route);
      if (route === '/articles' && request.method === 'POST') {
        await createArticle(request, response, record);
      } else if (route === '/articles' && request.method === 'GET') {
        listArticles(request, response, url.searchParams, record);
      } else if (one?.[1] !== undefined && request.method === 'DELETE') {
        deleteArticle(request, response, decodeURIComponent(one[1]), record);
      } else {
        throw new HttpFailure(
          404,
          'not_found',
          `no endpoint ${request.method ?? ''} ${url.pathname}`,
        );
      }
    } catch (error) {
      if (response.headersSent || request.socket.destroyed) return;
      if (error instanceof HttpFailure) {
        sendJson(
          response,
          error.status,
          { error: { code: error.code, message: error.message } },
          error.headers,
        );
      } else {
        sendJson(response, 500, { error: { code: 'internal', message: 'internal error' } });
      }
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      request.socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    addEditor,
    articles: (section) =>
      articles
        .filter((article) => section === undefined || article.section === section)
        .map((article): CmsArticle => ({
          id: article.id,
          section: article.section,
          title: article.title,
          text: article.text,
          ...(article.link === undefined ? {} : { link: article.link }),
          url: article.url,
          idempotencyKey: article.idempotencyKey,
          createdAt: article.createdAt,
          deleted: article.deleted,
        })),
    get requests() {
      return requests.map((record) => ({ ...record }));
    },
    inject: (fault, section) => {
      const queue = faults.get(section) ?? [];
      queue.push(fault);
      faults.set(section, queue);
    },
    reset: () => {
      articles = [];
      requests = [];
      faults = new Map();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
