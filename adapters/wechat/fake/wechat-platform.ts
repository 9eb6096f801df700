/**
 * The fake WeChat on the shared fake-platform shell: accounts, tokens, content, the admin and the
 * clock that tests drive, with WeChat's routing, token endpoints, authentication and body rules.
 * The endpoints themselves live in `upload-media.ts`, `drafts.ts`, `publishing.ts` and
 * `mass-send.ts`; tokens in `tokens.ts`.
 */
import type { FakeAnswer, FakeRequest } from '../../fake/protocol.js';
import { FakePlatform, busyPage } from '../../fake/fake-platform.js';
import { FaultQueue } from '../../fake/platform.js';
import {
  customMessages,
  receiveInbound,
  sendCustom,
  type WechatInboundInit,
} from './customer-service.js';
import { articleSummary, articleTotal, seedArticleStats } from './datacube.js';
import { countDrafts, addDraft, deleteDraft, getDraft } from './drafts.js';
import { getFollowers, madeUpFollowers } from './followers.js';
import { BEFORE_APPLY, type WechatFault, type WechatFaultKind } from './faults.js';
import type {
  WechatArticleInfo,
  WechatArticleStatsInit,
  WechatCounts,
  WechatCustomMessageInfo,
  WechatDraftInfo,
  WechatMassSendInfo,
  WechatMediaInfo,
  WechatPublishJobInfo,
  WechatRequestRecord,
  WechatTagInfo,
  WechatTokenFetches,
} from './inspection.js';
import { deleteMassSend, getMassSend, massInfo, massStatus, sendAll } from './mass-send.js';
import { apiDomainIps } from './network.js';
import {
  advanceAllJobs,
  articleInfo,
  deletePublished,
  getPublish,
  getPublished,
  listPublished,
  submitPublish,
} from './publishing.js';
import { readWechatBody, type WechatBody } from './request-body.js';
import {
  ENDPOINTS,
  resolveWechatSettings,
  wechatSettingsFrom,
  type EndpointRule,
  type WechatAccountInfo,
  type WechatAccountInit,
  type WechatEndpointName,
  type WechatPlatformOptions,
  type WechatSettings,
  type WechatTagInit,
} from './settings.js';
import {
  CustomState,
  JSON_TYPE,
  WechatContent,
  isRecord,
  type AccountState,
  type TokenState,
  type WechatCall,
  type WechatOutcome,
  type WechatReply,
} from './state.js';
import { getTags, seedTag, tagInfo } from './tags.js';
import { WechatTokens } from './tokens.js';
import { uploadMedia } from './upload-media.js';

/**
 * A request as both fakes hand it to the WeChat protocol: `path` from `/cgi-bin/`, e.g.
 * `/cgi-bin/draft/add`; the body as bytes (multipart uploads) or text, empty when there is none.
 */
export type WechatProtocolRequest = FakeRequest<Uint8Array | string>;

/** What a fake must do with a request. */
export type WechatProtocolResponse = FakeAnswer;

/** A request as the WeChat fake has read it. */
interface WechatExchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly endpoint: WechatEndpointName | undefined;
  readonly rule: EndpointRule | undefined;
  readonly bodyText: string;
  /** The body, read only when the path and method are right. */
  readonly body: WechatBody;
  readonly accessToken: string | undefined;
  readonly tokenState: TokenState | undefined;
  /** The account of the token, or of a token request. */
  readonly appid: string | undefined;
}

interface WechatShape {
  readonly settings: WechatSettings;
  readonly options: WechatPlatformOptions;
  readonly code: number;
  readonly account: AccountState;
  readonly accountInfo: WechatAccountInfo;
  readonly exchange: WechatExchange;
  readonly request: WechatProtocolRequest;
  readonly record: WechatRequestRecord;
}

const NO_BODY: WechatBody = {
  json: undefined,
  parts: undefined,
  multipartFields: undefined,
  problem: undefined,
};

const HANDLERS: Readonly<Record<WechatEndpointName, (call: WechatCall) => WechatOutcome>> = {
  'material/add_material': (call) => uploadMedia(call, 'material/add_material'),
  'media/upload': (call) => uploadMedia(call, 'media/upload'),
  'media/uploadimg': (call) => uploadMedia(call, 'media/uploadimg'),
  'draft/add': addDraft,
  'draft/get': getDraft,
  'draft/delete': deleteDraft,
  'draft/count': countDrafts,
  'freepublish/submit': submitPublish,
  'freepublish/get': getPublish,
  'freepublish/batchget': listPublished,
  'freepublish/getarticle': getPublished,
  'freepublish/delete': deletePublished,
  'message/mass/sendall': sendAll,
  'message/mass/get': getMassSend,
  'message/mass/delete': deleteMassSend,
  'tags/get': getTags,
  get_api_domain_ip: apiDomainIps,
  'message/custom/send': sendCustom,
  'user/get': getFollowers,
  'datacube/getarticletotal': articleTotal,
  'datacube/getarticlesummary': articleSummary,
  // The token endpoints are answered before the apply.
  token: (call) => call.content.refuse(40066, 'invalid url'),
  stable_token: (call) => call.content.refuse(40066, 'invalid url'),
};

/**
 * The state of a fake WeChat and the rules it enforces. Shared by the sandbox and the msw handlers;
 * tests drive it (accounts, faults, clock, admin decisions) and inspect it.
 */
export class WechatPlatform extends FakePlatform<WechatEndpointName, WechatFault, WechatShape> {
  protected readonly jsonType = JSON_TYPE;
  readonly #content: WechatContent;
  readonly #tokens: WechatTokens;

  constructor(options: WechatPlatformOptions = {}) {
    super(
      resolveWechatSettings(options),
      new FaultQueue<WechatFault, WechatEndpointName>({
        beforeApply: BEFORE_APPLY,
        accountOf: (fault) => fault.appid,
        matchesAnyEndpoint: (endpoint) => ENDPOINTS[endpoint].auth,
      }),
    );
    this.#content = new WechatContent(
      () => this.settings,
      this.accountStates,
      () => this.now(),
    );
    this.#tokens = new WechatTokens(this.#content);
  }

  // -- accounts and tokens ---------------------------------------------------------------------

  /** Registers an account. */
  addAccount(account: WechatAccountInit): WechatAccountInfo {
    if (!/^wx[0-9A-Za-z]{16}$/.test(account.appid)) {
      throw new TypeError(`appid must be "wx" and 16 letters or digits, got "${account.appid}"`);
    }
    const kind = account.kind ?? 'subscription';
    const state: AccountState = {
      appid: account.appid,
      secret: account.secret,
      name: account.name ?? account.appid,
      kind,
      verified: account.verified ?? true,
      massSendProtection: account.massSendProtection ?? false,
      pushQuota: account.pushQuota ?? (kind === 'subscription' ? 1 : 4),
      ipRefused: account.ipRefused ?? false,
      followers: followersOf(account.appid, account.followers),
    };
    this.register(account.appid, state);
    return this.describeAccount(state);
  }

  /**
   * Takes the caller's IP off the account's whitelist (or puts it back): the token endpoints and
   * every API call of the account answer `40164` while it is off. Tokens fetched before stay
   * valid; only calls made with them are refused.
   */
  setIpRefused(appid: string, refused = true): void {
    const account = this.accountStates.get(appid);
    if (account === undefined) throw new Error(`no account ${appid}`);
    account.ipRefused = refused;
  }

  /** Token fetches per mode of one appid (answered with a token), and tokens minted. */
  tokenFetches(appid: string): WechatTokenFetches {
    return this.#tokens.fetches(appid);
  }

  /** Makes every token of an appid expire now: calls with them get `42001`. */
  expireTokens(appid: string): void {
    this.#tokens.expireAll(appid);
  }

  /** Whether a token works now (for tests: e.g. a classic token 5 minutes after it was replaced). */
  tokenWorks(accessToken: string): boolean {
    const state = this.#tokens.get(accessToken);
    return state !== undefined && this.#tokens.problem(state) === undefined;
  }

  /** Replaces an account's followers (openids, or how many: made up). */
  setFollowers(appid: string, followers: number | readonly string[]): void {
    this.#account(appid).followers = followersOf(appid, followers);
  }

  // -- drivers ---------------------------------------------------------------------------------

  /**
   * A follower wrote to the account (what the callback would have received): their 48-hour
   * window for customer-service messages, and its count of 5, start again (a click, follow or
   * scan: 1 minute and 3). The follower is added to the account's followers.
   */
  receiveMessage(init: WechatInboundInit): void {
    receiveInbound(this.#content, this.#account(init.appid), init);
  }

  /** A follower turns messages from the account off (or on again): `48002`. */
  setMessagesRefused(appid: string, openid: string, refused = true): void {
    this.#account(appid);
    const key = CustomState.key(appid, openid);
    if (refused) this.#content.custom.refused.add(key);
    else this.#content.custom.refused.delete(key);
  }

  /**
   * Seeds the statistics of one mass-sent article (`datacube/getarticletotal`,
   * `getarticlesummary`); seeding the same `msgid` again replaces them.
   */
  addArticleStats(init: WechatArticleStatsInit): void {
    this.#account(init.appid);
    seedArticleStats(this.#content, init);
  }

  /**
   * The next publish jobs of an appid end with `status` (0 success, 2 original-declaration check
   * failed, 3 failed, 4 review rejected) instead of success.
   */
  setPublishOutcome(appid: string, status: 0 | 2 | 3 | 4, times = 1): void {
    const queue = this.#content.outcomes.get(appid) ?? [];
    for (let index = 0; index < times; index++) queue.push(status);
    this.#content.outcomes.set(appid, queue);
  }

  /**
   * Removes a published article outside the API: by the user in the console (job status 5) or by
   * the system (status 6).
   */
  removeArticle(articleId: string, by: 'user' | 'system'): void {
    const article = this.#content.articles.get(articleId);
    if (article === undefined) throw new Error(`no article ${articleId}`);
    article.deleted = true;
    article.removedBy = by;
    const job = this.#content.jobs.get(article.publishId);
    if (job !== undefined) job.status = by === 'user' ? 5 : 6;
  }

  /**
   * Gives an account a follower tag carried by `followers` (openids, or how many): what
   * `tags/create` and `tags/members/batchtagging` would leave. Throws for what WeChat refuses
   * (101st tag, a name over 30 characters, a name or id already used).
   */
  addTag(appid: string, tag: WechatTagInit): WechatTagInfo {
    if (!this.accountStates.has(appid)) throw new Error(`no account ${appid}`);
    return tagInfo(appid, seedTag(this.#content, appid, tag));
  }

  /** The follower tags of an appid, the system tag 2 (星标组) first. */
  tags(appid: string): WechatTagInfo[] {
    return this.#content.tagsOf(appid).map((tag) => tagInfo(appid, tag));
  }

  /** The admin approves (or refuses) a protected mass send that waits for confirmation. */
  confirmMassSend(msgId: string, approve = true): void {
    const send = this.#content.mass.get(msgId);
    if (send === undefined) throw new Error(`no mass send ${msgId}`);
    if (!send.protectedSend) throw new Error(`mass send ${msgId} does not wait for confirmation`);
    const status = massStatus(this.#content, send);
    if (status !== 'SENDING') {
      throw new Error(`mass send ${msgId} is no longer waiting (${status})`);
    }
    send.decision = approve ? 'approved' : 'refused';
  }

  // -- inspection ------------------------------------------------------------------------------

  /** Customer-service messages the platform took for an appid, oldest first. */
  customMessages(appid: string): WechatCustomMessageInfo[] {
    return customMessages(this.#content, appid);
  }

  /** Drafts of an appid, oldest first, removed ones included. */
  drafts(appid: string): WechatDraftInfo[] {
    return [...this.#content.drafts.values()]
      .filter((draft) => draft.appid === appid)
      .map((draft) => ({
        mediaId: draft.mediaId,
        appid: draft.appid,
        articles: draft.articles.map((article) => ({ ...article })),
        createdAt: new Date(draft.createdAt),
        removed: draft.removed,
      }));
  }

  /** Published articles of an appid, oldest first, deleted ones included. */
  articles(appid: string): WechatArticleInfo[] {
    advanceAllJobs(this.#content);
    return [...this.#content.articles.values()]
      .filter((article) => article.appid === appid)
      .map((article) => articleInfo(article));
  }

  /** Published articles of an appid that are not deleted. */
  liveArticles(appid: string): WechatArticleInfo[] {
    return this.articles(appid).filter((article) => !article.deleted);
  }

  /** Publish jobs of an appid, oldest first. */
  publishJobs(appid: string): WechatPublishJobInfo[] {
    advanceAllJobs(this.#content);
    return [...this.#content.jobs.values()]
      .filter((job) => job.appid === appid)
      .map((job) => ({
        publishId: job.publishId,
        appid: job.appid,
        mediaId: job.mediaId,
        submittedAt: new Date(job.submittedAt),
        status: job.status,
        articleId: job.articleId,
        polls: job.polls,
      }));
  }

  /** Mass sends of an appid, oldest first. */
  massSends(appid: string): WechatMassSendInfo[] {
    return [...this.#content.mass.values()]
      .filter((send) => send.appid === appid)
      .map((send) => massInfo(this.#content, send));
  }

  /** One mass send by `msg_id`. */
  massSend(msgId: string): WechatMassSendInfo | undefined {
    const send = this.#content.mass.get(msgId);
    return send === undefined ? undefined : massInfo(this.#content, send);
  }

  /** Uploads of an appid (permanent media, temporary media, article images). */
  uploads(appid: string): WechatMediaInfo[] {
    return this.#content.media
      .filter((media) => media.appid === appid)
      .map(({ permanent: _permanent, ...media }) => ({ ...media }));
  }

  /** Pushes of an appid (to all or to a tag) counted against its quota in the period of `at`. */
  pushesUsed(appid: string, at: number = this.now()): number {
    return this.#content.pushesUsed(appid, at);
  }

  /** Counters. */
  counts(): WechatCounts {
    advanceAllJobs(this.#content);
    return {
      requests: this.log.size,
      byEndpoint: this.log.byEndpoint(),
      drafts: this.#content.drafts.size,
      liveArticles: [...this.#content.articles.values()].filter((article) => !article.deleted)
        .length,
      massSends: this.#content.mass.size,
      faultsApplied: this.faults.applied,
    };
  }

  /**
   * Forgets content (media, drafts, jobs, articles, mass sends and their clientmsgid records),
   * faults, queued outcomes, the request log, token fetch counters and the clock offset. Accounts,
   * tokens and settings stay; ids keep growing so old ids never come back.
   */
  override reset(): void {
    this.#content.clear();
    this.#tokens.clearFetches();
    super.reset();
  }

  #account(appid: string): AccountState {
    const account = this.accountStates.get(appid);
    if (account === undefined) throw new Error(`no account ${appid}`);
    return account;
  }

  // -- the steps of the dispatch ---------------------------------------------------------------

  protected settingsFrom(options: WechatPlatformOptions): Partial<WechatSettings> {
    return wechatSettingsFrom(options);
  }

  protected describeAccount(state: AccountState): WechatAccountInfo {
    return {
      appid: state.appid,
      name: state.name,
      kind: state.kind,
      verified: state.verified,
      massSendProtection: state.massSendProtection,
      pushQuota: state.pushQuota,
    };
  }

  protected keyOf(account: AccountState): string {
    return account.appid;
  }

  protected openExchange(request: WechatProtocolRequest): WechatExchange {
    const method = request.method.toUpperCase();
    const contentType = request.headers['content-type'];
    const endpoint = endpointOf(request.path);
    const bytes =
      typeof request.body === 'string'
        ? Buffer.from(request.body, 'utf8')
        : Buffer.from(request.body);
    const rule = endpoint === undefined ? undefined : ENDPOINTS[endpoint];
    const accessToken = request.query.get('access_token') ?? undefined;
    const tokenState = accessToken === undefined ? undefined : this.#tokens.get(accessToken);
    const exchange = {
      method,
      path: request.path,
      query: request.query,
      contentType,
      endpoint,
      rule,
      bodyText: bytes.toString('utf8'),
      body: NO_BODY,
      accessToken,
      tokenState,
      appid: undefined,
    };
    // A request to an unknown path or with a wrong method is refused before anything else.
    if (rule === undefined || method !== rule.method) return exchange;
    // Who is calling: the token's account, or the appid of a token request.
    const body = readWechatBody(this.#content, rule, contentType, bytes);
    let appid: string | undefined;
    if (rule.auth) appid = tokenState?.appid;
    else if (endpoint === 'token') appid = request.query.get('appid') ?? undefined;
    if (endpoint === 'stable_token' && isRecord(body.json) && typeof body.json.appid === 'string') {
      appid = body.json.appid;
    }
    return { ...exchange, body, appid };
  }

  protected route(exchange: WechatExchange): WechatEndpointName | WechatReply {
    const { endpoint, rule, method } = exchange;
    // Routing. [unconfirmed] what WeChat answers for an unknown path; the fake says 40066.
    if (endpoint === undefined || rule === undefined) {
      return this.#content.error(40066, 'invalid url');
    }
    if (method !== rule.method) {
      return this.#content.error(
        rule.method === 'POST' ? 43002 : 43001,
        `require ${rule.method} method`,
      );
    }
    return endpoint;
  }

  protected callerOf(exchange: WechatExchange): string | undefined {
    return exchange.appid;
  }

  protected faultBeforeApply(fault: WechatFault): WechatReply | undefined {
    switch (fault.kind) {
      case 'busy':
        return this.#content.error(-1, 'system error');
      case 'token-expired':
        return this.#content.error(42001, 'access_token expired');
      case 'error-before-apply':
        return this.#content.error(fault.errcode ?? -1, fault.errmsg ?? 'injected error');
      default:
        return undefined;
    }
  }

  protected admit(
    exchange: WechatExchange,
    endpoint: WechatEndpointName,
    earlyFault: WechatFaultKind | undefined,
  ): AccountState | WechatReply {
    const { body, accessToken, tokenState } = exchange;
    const error = (code: number, text: string): WechatReply => this.#content.error(code, text);
    // Token endpoints: answered here, with no fault after the apply.
    if (endpoint === 'token' || endpoint === 'stable_token') {
      if (body.problem !== undefined) return body.problem;
      const params =
        endpoint === 'token'
          ? Object.fromEntries(exchange.query)
          : (body.json as Record<string, unknown>);
      const reply = this.#tokens.issue(endpoint === 'token' ? 'classic' : 'stable', params);
      return earlyFault === 'html-200' ? busyPage() : reply;
    }
    // Authentication (§1.9: 41001 missing, 40014 invalid, 40001 not latest, 42001 expired).
    if (accessToken === undefined || accessToken === '') {
      return error(41001, 'access_token missing');
    }
    if (tokenState === undefined) return error(40014, 'invalid access_token');
    const tokenProblem = this.#tokens.problem(tokenState);
    if (tokenProblem !== undefined) return error(tokenProblem.code, tokenProblem.text);
    const account = this.accountStates.get(tokenState.appid);
    if (account === undefined) return error(40014, 'invalid access_token');
    // The whitelist holds for every call, also with a token fetched while the IP was on it.
    if (account.ipRefused) return error(40164, 'invalid ip, not in whitelist');
    if (body.problem !== undefined) return body.problem;
    if (exchange.rule?.verifiedOnly === true && !account.verified) {
      return error(48001, 'api unauthorized');
    }
    return account;
  }

  protected apply(
    exchange: WechatExchange,
    endpoint: WechatEndpointName,
    account: AccountState,
  ): WechatOutcome {
    advanceAllJobs(this.#content);
    const { json, parts } = exchange.body;
    return HANDLERS[endpoint]({
      content: this.#content,
      account,
      query: exchange.query,
      body: isRecord(json) ? json : {},
      bodyText: exchange.bodyText,
      parts,
    });
  }

  protected recordOf(
    exchange: WechatExchange,
    reply: WechatReply,
    fault: WechatFaultKind | undefined,
  ): WechatRequestRecord {
    const query: Record<string, string> = {};
    for (const [name, value] of exchange.query) {
      if (name !== 'access_token' && name !== 'secret') query[name] = value;
    }
    const { json } = exchange.body;
    return {
      at: new Date(this.now()),
      method: exchange.method,
      path: exchange.path,
      endpoint: exchange.endpoint,
      appid: exchange.appid,
      query,
      contentType: exchange.contentType,
      json: isRecord(json) && 'secret' in json ? { ...json, secret: '[not logged]' } : json,
      multipartFields: exchange.body.multipartFields,
      status: reply.status,
      errcode: reply.code,
      fault,
    };
  }
}

/**
 * The endpoint of a path: `/cgi-bin/<name>`, or `/datacube/<name>` for the statistics, which
 * WeChat serves beside `cgi-bin`, not below it (`/cgi-bin/datacube/…` is not an endpoint).
 */
function endpointOf(path: string): WechatEndpointName | undefined {
  const match = /^\/(cgi-bin|datacube)\/([a-z_]+(?:\/[a-z_]+)*)$/.exec(path);
  if (match === null) return undefined;
  const name = match[1] === 'datacube' ? `datacube/${match[2] ?? ''}` : (match[2] ?? '');
  if (match[1] === 'cgi-bin' && name.startsWith('datacube/')) return undefined;
  return name in ENDPOINTS ? (name as WechatEndpointName) : undefined;
}

/** The openids of a follower list given as openids or as a count. */
function followersOf(appid: string, followers: number | readonly string[] | undefined): string[] {
  if (followers === undefined) return [];
  return typeof followers === 'number' ? madeUpFollowers(appid, followers) : [...followers];
}
