/**
 * The access tokens of the WeChat fake (§1.2): the classic `token` endpoint, whose every call
 * replaces the token (the old one works 5 more minutes), and `stable_token`, which returns the
 * current token until shortly before it expires (or on `force_refresh`).
 */
import { FakeReply } from '../../fake/fake-platform.js';
import type { WechatTokenFetches } from './inspection.js';
import {
  JSON_TYPE,
  sha256,
  type TokenState,
  type WechatContent,
  type WechatReply,
} from './state.js';

type TokenMode = 'stable' | 'classic';

/** Why a token does not work: replaced, revoked or expired. */
export interface TokenProblem {
  readonly code: number;
  readonly text: string;
}

/** The tokens of every account, and how often each account fetched one. */
export class WechatTokens {
  readonly #content: WechatContent;
  readonly #tokens = new Map<string, TokenState>();
  readonly #current = new Map<string, string>();
  readonly #fetches = new Map<string, { stable: number; classic: number; issued: number }>();

  constructor(content: WechatContent) {
    this.#content = content;
  }

  /** A token by its value. */
  get(accessToken: string): TokenState | undefined {
    return this.#tokens.get(accessToken);
  }

  /** Why a token does not work now, if it does not. */
  problem(state: TokenState): TokenProblem | undefined {
    const now = this.#content.now();
    if (state.revoked) return { code: 40001, text: 'access_token is invalid or not latest' };
    if (state.supersededUntil !== undefined && now >= state.supersededUntil) {
      return { code: 40001, text: 'access_token is invalid or not latest' };
    }
    if (now >= state.expiresAt) return { code: 42001, text: 'access_token expired' };
    return undefined;
  }

  /** Token fetches per mode of one appid (answered with a token), and tokens minted. */
  fetches(appid: string): WechatTokenFetches {
    const counted = this.#fetches.get(appid);
    return {
      stable: counted?.stable ?? 0,
      classic: counted?.classic ?? 0,
      issued: counted?.issued ?? 0,
    };
  }

  /** Forgets the fetch counters (the tokens stay). */
  clearFetches(): void {
    this.#fetches.clear();
  }

  /** Makes every token of an appid expire now. */
  expireAll(appid: string): void {
    const now = this.#content.now();
    for (const [key, token] of this.#tokens) {
      if (token.appid === appid) {
        this.#tokens.set(key, { ...token, expiresAt: Math.min(token.expiresAt, now) });
      }
    }
  }

  /** Answers `token` (classic) or `stable_token` with their parameters. */
  issue(mode: TokenMode, params: Record<string, unknown>): WechatReply {
    const content = this.#content;
    if (params.grant_type !== 'client_credential')
      return content.error(40002, 'invalid grant_type');
    const appid = params.appid;
    if (typeof appid !== 'string' || appid === '') return content.error(41002, 'appid missing');
    const account = content.accounts.get(appid);
    if (account === undefined) return content.error(40013, 'invalid appid');
    const secret = params.secret;
    if (typeof secret !== 'string' || secret === '') {
      return content.error(41004, 'appsecret missing');
    }
    if (secret !== account.secret) {
      return mode === 'classic'
        ? content.error(40001, 'invalid credential, access_token is invalid or not latest')
        : content.error(40125, 'invalid appsecret');
    }
    if (account.ipRefused) return content.error(40164, 'invalid ip, not in whitelist');
    return this.#hand(mode, appid, params.force_refresh === true);
  }

  /** Hands out the current token (stable, while it has time left) or a new one. */
  #hand(mode: TokenMode, appid: string, forceRefresh: boolean): WechatReply {
    const settings = this.#content.settings();
    const counted = this.#fetches.get(appid) ?? { stable: 0, classic: 0, issued: 0 };
    this.#fetches.set(appid, counted);
    const now = this.#content.now();
    const key = `${mode}:${appid}`;
    const currentKey = this.#current.get(key);
    const current = currentKey === undefined ? undefined : this.#tokens.get(currentKey);

    if (mode === 'stable') {
      counted.stable += 1;
      if (forceRefresh && current !== undefined) current.revoked = true;
      // Normal mode returns the current token while it has more than the overlap left; the
      // platform renews it 5 minutes before expiry and the old one lives out its life (§1.2).
      if (
        !forceRefresh &&
        current !== undefined &&
        this.problem(current) === undefined &&
        current.expiresAt - now > settings.tokenOverlapMs
      ) {
        return tokenReply(current.token, Math.floor((current.expiresAt - now) / 1000));
      }
    } else {
      counted.classic += 1;
      // Each classic call replaces the token; the previous one works 5 more minutes (§1.2).
      if (current !== undefined && current.supersededUntil === undefined) {
        current.supersededUntil = Math.min(current.expiresAt, now + settings.tokenOverlapMs);
      }
    }
    counted.issued += 1;
    const token = this.#mint(mode, appid);
    this.#tokens.set(token, {
      token,
      appid,
      mode,
      issuedAt: now,
      expiresAt: now + settings.tokenLifetimeMs,
      supersededUntil: undefined,
      revoked: false,
    });
    this.#current.set(key, token);
    return tokenReply(token, Math.floor(settings.tokenLifetimeMs / 1000));
  }

  #mint(mode: TokenMode, appid: string): string {
    const sequence = this.#content.nextSequence();
    const digest = sha256(`${mode}:${appid}:${sequence}:${this.#content.now()}`);
    // Real tokens are opaque and long (reserve ≥ 512 characters, §1.2); these are 90-odd.
    return `${sequence}_${digest}${digest.slice(0, 24).toUpperCase()}`;
  }
}

function tokenReply(token: string, expiresIn: number): WechatReply {
  return new FakeReply<number>(
    200,
    JSON.stringify({ access_token: token, expires_in: expiresIn }),
    JSON_TYPE,
    undefined,
  );
}
