/**
 * What every workflow of one adapter shares: the resolved options, one token holder per appid,
 * the API client, the media library, and what this process remembers of its deliveries.
 */
import type { Account } from '#core';
import { WechatClient } from './client.js';
import { WechatMediaLibrary } from './media-cache.js';
import type { ResolvedOptions } from './options.js';
import { WechatTokenHolder } from './token-holder.js';

/** Publish deliveries remembered at most; the least recently used is dropped first. */
const MEMORY_LIMIT = 10_000;

/** What the adapter remembers of one publish delivery inside this process. */
export interface PublishMemory {
  draftMediaId?: string;
  publishId?: string;
  /** True when `freepublish/submit` was sent but its answer was lost. */
  submitUnanswered?: boolean;
}

/** Publish deliveries of this process by account and idempotency key, bounded. */
export class PublishMemoryStore {
  readonly #entries = new Map<string, PublishMemory>();

  /** What is remembered of a delivery. */
  get(account: Account, idempotencyKey: string): PublishMemory | undefined {
    return this.#entries.get(PublishMemoryStore.#key(account, idempotencyKey));
  }

  /** Merges new facts into what is remembered of a delivery. */
  remember(account: Account, idempotencyKey: string, update: PublishMemory): PublishMemory {
    const key = PublishMemoryStore.#key(account, idempotencyKey);
    const merged = { ...this.#entries.get(key), ...update };
    this.#entries.delete(key);
    this.#entries.set(key, merged);
    if (this.#entries.size > MEMORY_LIMIT) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return merged;
  }

  /** Forgets a delivery (its job published nothing; it starts again). */
  forget(account: Account, idempotencyKey: string): void {
    this.#entries.delete(PublishMemoryStore.#key(account, idempotencyKey));
  }

  static #key(account: Account, idempotencyKey: string): string {
    return `${account.id}\u0000${idempotencyKey}`;
  }
}

/** The shared state of one adapter. */
export interface WechatRuntime {
  readonly options: ResolvedOptions;
  /** The token holder of an appid (one per appid, shared by every delivery). */
  readonly tokenHolder: (appid: string) => WechatTokenHolder;
  readonly client: WechatClient;
  readonly media: WechatMediaLibrary;
  readonly publishes: PublishMemoryStore;
  /** Drafts made for pushes, by account and clientmsgid, so a repeat pushes the same draft. */
  readonly pushDrafts: Map<string, string>;
  /**
   * The `msg_data_id` of article pushes this process sent, by account and `msg_id`: what
   * `readReach` needs to find a push (`mass:<msg_id>`) in the statistics.
   */
  readonly pushedArticles: PushedArticles;
}

/** An article push as `readReach` needs it. */
export interface PushedArticle {
  /** `msg_data_id` of the send: the statistics' `msgid` is `<msg_data_id>_<index>`. */
  readonly msgDataId: string;
  /** When it was submitted (ms). */
  readonly sentAt: number;
}

/** Article pushes of this process by account and `msg_id`, bounded like the publish memory. */
export class PushedArticles {
  readonly #entries = new Map<string, PushedArticle>();

  /** What is known of the push `msgId` of an account. */
  get(account: Account, msgId: string): PushedArticle | undefined {
    return this.#entries.get(`${account.id}\u0000${msgId}`);
  }

  /** Remembers an article push; the oldest is dropped past the limit. */
  remember(account: Account, msgId: string, pushed: PushedArticle): void {
    this.#entries.set(`${account.id}\u0000${msgId}`, pushed);
    if (this.#entries.size > MEMORY_LIMIT) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

/** One token holder per appid, made on first use. */
function tokenHolders(options: ResolvedOptions): (appid: string) => WechatTokenHolder {
  const holders = new Map<string, WechatTokenHolder>();
  return (appid) => {
    let holder = holders.get(appid);
    if (holder === undefined) {
      holder = new WechatTokenHolder({
        appid,
        mode: options.tokenMode,
        baseURL: options.baseURL,
        fetch: options.fetch,
        store: options.tokenStore,
        now: options.now,
        ...(options.tokenRefreshMarginMs === undefined
          ? {}
          : { refreshMarginMs: options.tokenRefreshMarginMs }),
      });
      holders.set(appid, holder);
    }
    return holder;
  };
}

/** Makes the shared state of an adapter from its resolved options. */
export function createRuntime(options: ResolvedOptions): WechatRuntime {
  const tokenHolder = tokenHolders(options);
  return {
    options,
    tokenHolder,
    client: new WechatClient({
      baseURL: options.baseURL,
      datacubeBaseURL: options.datacubeBaseURL,
      fetch: options.fetch,
      tokens: tokenHolder,
      now: options.now,
    }),
    media: new WechatMediaLibrary({
      cache: options.mediaCache,
      loadImage: options.loadImage,
      now: options.now,
    }),
    publishes: new PublishMemoryStore(),
    pushDrafts: new Map(),
    pushedArticles: new PushedArticles(),
  };
}
