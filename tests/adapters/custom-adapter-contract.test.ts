/**
 * The example CMS adapter (examples/custom-adapter.ts) against its fake server
 * (examples/custom-adapter-server.ts): the shared adapter contract, a few CMS-specific checks, and
 * the adapter under a publisher with a two-account hall.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseHallError, createPublisher, loadStatementFile, silentLogger } from 'release-hall';
import { idempotencyKey } from '../../src/plan/plan-campaign.js';
import type { Account, DeliveryContext, Statement, TextRendition } from 'release-hall';
import { runAdapterContract } from 'release-hall/testing';
import type { ContractFault, ContractHarness } from 'release-hall/testing';
import {
  articleTitle,
  classifyCmsError,
  cmsAccountSchema,
  createCmsAdapter,
} from '../../examples/custom-adapter.js';
import { startCmsServer } from '../../examples/custom-adapter-server.js';
import type { CmsServer } from '../../examples/custom-adapter-server.js';

const NO_RELAY =
  'a website has no reposts: the CMS adapter declares supportsRelay: false and relay() throws INVALID_INPUT';

const API_KEYS: Readonly<Record<string, string>> = {
  'beijing-gov/cms': 'cms-key-LeadSecretAbcdef123456',
  'jtw/cms': 'cms-key-MemberSecretXyz987654',
};

function cmsAccount(memberId: string, handle: string, section: string): Account {
  return {
    id: `${memberId}/cms`,
    memberId,
    platform: 'cms',
    handle,
    credentials: `cms-${memberId}`,
    settings: { section },
  };
}

const lead = cmsAccount('beijing-gov', '首都之窗', 'zwdt');
const member = cmsAccount('jtw', '北京市交通委员会网站', 'jtw-tzgg');
const sectionOf = (account: Account): string => String(account.settings.section);
const apiKeyOf = (account: Account): string => API_KEYS[account.id] ?? '';

function textRendition(text: string): TextRendition {
  return { format: 'text', text, length: text.length, topics: [], summarised: false };
}

function startServer(): Promise<CmsServer> {
  return startCmsServer({
    editors: [lead, member].map((account) => ({
      apiKey: apiKeyOf(account),
      sections: [sectionOf(account)],
    })),
  });
}

runAdapterContract('cms example over its fake server', async (): Promise<ContractHarness> => {
  const server = await startServer();
  const adapter = createCmsAdapter({
    baseURL: server.url,
    siteName: '首都之窗',
    rateLimitRetryAfterMs: 1_000,
  });
  const faults: readonly ContractFault[] = [
    'drop-after-apply',
    'timeout-after-apply',
    'token-expired',
    'rate-limited',
    'read-failure',
  ];
  return {
    adapter,
    lead,
    member,
    credentials: (account) => ({ api_key: apiKeyOf(account) }),
    rendition: (account, label) =>
      textRendition(`全市道路通行情况（${label}）：今日全市道路通行正常。（${account.handle}）`),
    faults,
    inject: (fault, account) => server.inject(fault, sectionOf(account)),
    postsOf: (account) =>
      server.articles(sectionOf(account)).map((article) => ({
        id: article.id,
        text: article.text,
        kind: 'original' as const,
        deleted: article.deleted,
      })),
    reset: () => server.reset(),
    close: () => server.close(),
    shortTimeoutMs: 150,
    skip: { relay: NO_RELAY, 'find-relay-after-drop': NO_RELAY },
  };
});

describe('the cms example adapter', () => {
  let server: CmsServer;
  beforeAll(async () => {
    server = await startServer();
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  const contextFor = (account: Account, key = 'key-1'): DeliveryContext => ({
    signal: new AbortController().signal,
    idempotencyKey: key,
    credentials: { api_key: apiKeyOf(account) },
    logger: silentLogger,
    requestTimeoutMs: 2_000,
  });

  it('sends title, text, link, the idempotency key and the bearer key', async () => {
    const adapter = createCmsAdapter({ baseURL: `${server.url}/` });
    const rendition: TextRendition = {
      ...textRendition('网传"地铁停运"不实：地铁运营正常。'),
      link: 'https://www.beijing.gov.cn/a.html',
    };
    const result = await adapter.publish(rendition, lead, contextFor(lead, 'key-42'));
    expect(result.status).toBe('posted');
    const [article] = server.articles('zwdt');
    expect(article).toMatchObject({
      title: '网传"地铁停运"不实',
      text: rendition.text,
      link: 'https://www.beijing.gov.cn/a.html',
      idempotencyKey: 'key-42',
    });
    expect(result).toEqual({
      status: 'posted',
      ref: { platform: 'cms', accountId: lead.id, id: article?.id, url: article?.url },
    });
  });

  it('relay is INVALID_INPUT, and the limits say why', async () => {
    const adapter = createCmsAdapter({ baseURL: server.url });
    expect(adapter.limits.supportsRelay).toBe(false);
    const source = { platform: 'cms', accountId: lead.id, id: '1' };
    const error: unknown = await adapter
      .relay(source, textRendition('转发'), member, contextFor(member))
      .catch((caught: unknown) => caught);
    expect(ReleaseHallError.isInstance(error) && error.code).toBe('INVALID_INPUT');
    expect(server.requests).toHaveLength(0);
  });

  it('a key that may not write to the section is PERMISSION_DENIED; a wrong key AUTH_INVALID', async () => {
    const adapter = createCmsAdapter({ baseURL: server.url });
    const intruder = { ...contextFor(member), credentials: { api_key: apiKeyOf(member) } };
    const denied: unknown = await adapter
      .publish(textRendition('标题：正文。'), lead, intruder)
      .catch((caught: unknown) => caught);
    expect(ReleaseHallError.isInstance(denied) && denied.code).toBe('PERMISSION_DENIED');
    const wrong = { ...contextFor(lead), credentials: { api_key: 'not-a-key-at-all' } };
    const invalid: unknown = await adapter
      .publish(textRendition('标题：正文。'), lead, wrong)
      .catch((caught: unknown) => caught);
    expect(ReleaseHallError.isInstance(invalid) && invalid.code).toBe('AUTH_INVALID');
    expect(server.articles()).toHaveLength(0);
  });

  it('the same text under another key is DUPLICATE_CONTENT; a reused key with other text is INVALID_INPUT', async () => {
    const adapter = createCmsAdapter({ baseURL: server.url });
    await adapter.publish(textRendition('标题：正文。'), lead, contextFor(lead, 'key-a'));
    const duplicate: unknown = await adapter
      .publish(textRendition('标题：正文。'), lead, contextFor(lead, 'key-b'))
      .catch((caught: unknown) => caught);
    expect(ReleaseHallError.isInstance(duplicate) && duplicate.code).toBe('DUPLICATE_CONTENT');
    const reused: unknown = await adapter
      .publish(textRendition('标题：另一段正文。'), lead, contextFor(lead, 'key-a'))
      .catch((caught: unknown) => caught);
    expect(ReleaseHallError.isInstance(reused) && reused.code).toBe('INVALID_INPUT');
    expect(server.articles('zwdt')).toHaveLength(1);
  });

  it('findExisting ignores an article filed under the key with other text', async () => {
    const adapter = createCmsAdapter({ baseURL: server.url });
    await adapter.publish(textRendition('标题：旧正文。'), lead, contextFor(lead, 'key-x'));
    const found = await adapter.findExisting(
      {
        action: 'post',
        rendition: textRendition('标题：新正文。'),
        firstAttemptAt: new Date(),
        idempotencyKey: 'key-x',
      },
      lead,
      contextFor(lead, 'key-x'),
    );
    expect(found).toEqual({ status: 'not-found' });
  });

  it('retracting an id the CMS never had is already-gone', async () => {
    const adapter = createCmsAdapter({ baseURL: server.url });
    const result = await adapter.retract(
      { platform: 'cms', accountId: lead.id, id: '999' },
      lead,
      contextFor(lead),
    );
    expect(result).toEqual({ status: 'already-gone' });
  });

  it('classifies replies into closed codes, with Retry-After and without secrets', () => {
    const base = { endpoint: 'POST articles', write: true, accountId: lead.id };
    const codeOf = (status: number, errorCode?: string, write = true): string =>
      classifyCmsError({ ...base, status, errorCode, write }).code;
    expect(codeOf(401, 'token_expired')).toBe('AUTH_EXPIRED');
    expect(codeOf(401, 'invalid_token')).toBe('AUTH_INVALID');
    expect(codeOf(403)).toBe('PERMISSION_DENIED');
    expect(codeOf(409, 'duplicate_article')).toBe('DUPLICATE_CONTENT');
    expect(codeOf(422, 'content_rejected')).toBe('CONTENT_REJECTED');
    expect(codeOf(503)).toBe('AMBIGUOUS');
    expect(codeOf(503, undefined, false)).toBe('TRANSIENT');
    expect(codeOf(404)).toBe('INVALID_INPUT');
    const limited = classifyCmsError({ ...base, status: 429, retryAfter: '7' });
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7_000 });
    const echoed = classifyCmsError(
      { ...base, status: 422, errorMessage: 'bad key cms-key-LeadSecretAbcdef123456' },
      { secrets: [apiKeyOf(lead)] },
    );
    expect(echoed.message).not.toContain(apiKeyOf(lead));
  });

  it('the account schema wants a section slug and names a misspelt field', () => {
    expect(cmsAccountSchema.safeParse({ section: 'jtw-tzgg' }).success).toBe(true);
    expect(cmsAccountSchema.safeParse({}).success).toBe(false);
    expect(cmsAccountSchema.safeParse({ section: 'Jtw TZGG' }).success).toBe(false);
    expect(cmsAccountSchema.safeParse({ section: 'tzgg', sectoin: 'x' }).success).toBe(false);
  });

  it('refuses a baseURL that is not an http(s) URL', () => {
    expect(() => createCmsAdapter({ baseURL: 'cms.example.gov.cn' })).toThrow(/baseURL/);
  });

  it('takes the title from the head of the rendition', () => {
    expect(articleTitle('网传"地铁停运"不实：正文：更多。')).toBe('网传"地铁停运"不实');
    expect(articleTitle('只有标题')).toBe('只有标题');
  });
});

describe('the cms example under a publisher', () => {
  let server: CmsServer;
  let statement: Statement;
  const hall = {
    id: 'beijing-web',
    name: '北京政府网站群',
    lead: 'beijing-gov',
    naming: { prefix: '' },
    members: [
      {
        id: 'beijing-gov',
        name: '北京市人民政府',
        accounts: { cms: { handle: '首都之窗', credentials: 'cms-beijing-gov', section: 'zwdt' } },
      },
      {
        id: 'jtw',
        name: '北京市交通委员会',
        accounts: {
          cms: { handle: '北京市交通委员会网站', credentials: 'cms-jtw', section: 'jtw-tzgg' },
        },
      },
    ],
  };

  beforeAll(async () => {
    server = await startServer();
    statement = await loadStatementFile(
      fileURLToPath(new URL('../../examples/beijing-hall/rebuttal.yaml', import.meta.url)),
    );
  });
  beforeEach(() => server.reset());
  afterAll(() => server.close());

  const publisherFor = (): ReturnType<typeof createPublisher> =>
    createPublisher({
      hall,
      adapters: [createCmsAdapter({ baseURL: server.url, siteName: '首都之窗' })],
      credentials: ({ ref }) => {
        const apiKey = API_KEYS[ref.replace(/^cms-/, '') + '/cms'];
        return apiKey === undefined ? undefined : { api_key: apiKey };
      },
      retry: { minTimeoutMs: 1, maxTimeoutMs: 5, randomize: false, reconcileDelayMs: 0 },
    });

  const postsTo = (section: string): number =>
    server.requests.filter((request) => request.method === 'POST' && request.section === section)
      .length;

  it('publishes once per account in original mode', async () => {
    const report = await publisherFor().publish(statement, { mode: 'original' });
    expect(report.counts).toMatchObject({ total: 2, succeeded: 2, failed: 0, unconfirmed: 0 });
    for (const account of [lead, member]) {
      const articles = server.articles(sectionOf(account));
      expect(articles).toHaveLength(1);
      expect(articles[0]).toMatchObject({
        title: statement.headline,
        idempotencyKey: idempotencyKey(report.campaignId, account.id, 'post'),
        deleted: false,
      });
      expect(articles[0]?.text).toContain('12345');
      expect(postsTo(sectionOf(account))).toBe(1);
      const delivery = report.deliveries.find((result) => result.accountId === account.id);
      expect(delivery).toMatchObject({ status: 'succeeded', via: 'sent', url: articles[0]?.url });
    }
  });

  it('relay mode still gives each website an original post', async () => {
    const report = await publisherFor().publish(statement, { mode: 'relay' });
    expect(report.deliveries.map((result) => result.performed)).toEqual(['post', 'post']);
    expect(server.articles().filter((article) => !article.deleted)).toHaveLength(2);
  });

  it('a connection cut after the CMS stored the article is reconciled, not re-posted', async () => {
    server.inject('drop-after-apply', sectionOf(member));
    const report = await publisherFor().publish(statement, { mode: 'original' });
    expect(report.counts).toMatchObject({ total: 2, succeeded: 2, failed: 0, unconfirmed: 0 });
    const delivery = report.deliveries.find((result) => result.accountId === member.id);
    const articles = server.articles(sectionOf(member));
    expect(articles).toHaveLength(1);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      via: 'reconciled',
      attempts: 1,
      remoteId: articles[0]?.id,
    });
    expect(postsTo(sectionOf(member))).toBe(1);
    expect(
      server.requests.some(
        (request) => request.method === 'GET' && request.section === sectionOf(member),
      ),
    ).toBe(true);
  });
});
