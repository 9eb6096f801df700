/**
 * Crisis mode of the WeChat callbacks: while it is on, the default answer of every account (the
 * menu's fallback, and the answer of an account without a menu) points to the latest statement of
 * one campaign: its headline and the link of the member's own post of it, else the lead's, else
 * the statement's own link. The number items of the menus keep their answers.
 *
 * The mode lives in the memory of the service: a restart starts without it (`serve --crisis`
 * turns it on from the start).
 */
import type { Adapter } from '../adapter.js';
import type { CampaignRecord, DeliveryRecord, Journal } from '../journal/journal.js';
import type { ResolvedHall } from '../model/load.js';

/** Crisis mode as it stands. */
export interface CrisisState {
  /** The campaign whose latest statement the default answers point to. */
  readonly campaignId: string;
  /** When it was turned on, ISO 8601. */
  readonly since: string;
  /** Who turned it on: `serve --crisis`, or `api:<key id>`. */
  readonly by: string;
}

/** The statement crisis answers point to. */
export interface CrisisStatement {
  /** The campaign that published it: the crisis campaign or its newest follow-up. */
  readonly campaignId: string;
  readonly headline: string;
  /** The statement's own link (the hall's site). */
  readonly link: string | undefined;
}

interface CrisisView {
  readonly statement: CrisisStatement;
  /** The deliveries of the statement pointed to (the newest not retracted). */
  readonly deliveries: readonly DeliveryRecord[];
}

/** One read of the journal for the crisis campaign. */
interface ViewRead {
  readonly startedAt: number;
  pending: boolean;
  promise: Promise<CrisisView | undefined>;
}

/** What {@link CrisisMode} reads. */
export interface CrisisModeOptions {
  readonly journal: Journal;
  readonly hall: ResolvedHall;
  readonly adapters: readonly Adapter[];
  /** How long the journal's answer is reused, in milliseconds. @default 5000 */
  readonly refreshMs?: number | undefined;
  /** @default Date.now */
  readonly now?: (() => number) | undefined;
}

const LIVE = new Set<DeliveryRecord['state']>(['succeeded', 'reconciled']);

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The headline of a journaled statement, else the first line of its body. */
function headlineOf(record: CampaignRecord): string {
  const statement = (record.statement ?? {}) as { headline?: unknown; body?: unknown };
  const headline = textOf(statement.headline);
  if (headline !== undefined) return headline;
  const firstLine = textOf(statement.body)?.split('\n')[0];
  return firstLine === undefined ? record.id : firstLine.trim();
}

function refersTo(record: CampaignRecord): string | undefined {
  return textOf((record.statement as { refersTo?: unknown } | undefined)?.refersTo);
}

/** The campaign and every follow-up of it (and of its follow-ups), newest first. */
function chainOf(campaigns: readonly CampaignRecord[], campaignId: string): CampaignRecord[] {
  const ids = new Set([campaignId]);
  let grown = true;
  while (grown) {
    grown = false;
    for (const record of campaigns) {
      const parent = refersTo(record);
      if (!ids.has(record.id) && parent !== undefined && ids.has(parent)) {
        ids.add(record.id);
        grown = true;
      }
    }
  }
  return campaigns
    .filter((record) => ids.has(record.id))
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** The crisis mode of one service and the answers it gives. */
export class CrisisMode {
  readonly #options: CrisisModeOptions;
  readonly #now: () => number;
  #state: CrisisState | undefined;
  #view: ViewRead | undefined;

  constructor(options: CrisisModeOptions, initial?: CrisisState) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#state = initial;
  }

  /** The mode now; `undefined` when off. */
  get state(): CrisisState | undefined {
    return this.#state;
  }

  /** Turns crisis mode on (or points it at another campaign). */
  set(state: CrisisState): void {
    this.#state = state;
    this.#view = undefined;
  }

  /** Turns crisis mode off. */
  clear(): void {
    this.#state = undefined;
    this.#view = undefined;
  }

  /** The statement answers point to now; `undefined` when off or the campaign is not journaled. */
  async statement(): Promise<CrisisStatement | undefined> {
    return (await this.#read())?.statement;
  }

  /**
   * The default answer of `memberId`'s account while crisis mode is on: the latest statement's
   * headline and a link; `undefined` when the mode is off.
   */
  async answerFor(memberId: string): Promise<string | undefined> {
    const view = await this.#read();
    if (view === undefined) return undefined;
    const link =
      this.#postLink(view.deliveries, memberId) ??
      this.#postLink(view.deliveries, this.#options.hall.hall.lead) ??
      view.statement.link;
    return link === undefined ? view.statement.headline : `${view.statement.headline}\n${link}`;
  }

  /**
   * The view of the crisis campaign: a read under way is shared; a finished one is reused for
   * `refreshMs` after it started.
   */
  #read(): Promise<CrisisView | undefined> {
    const state = this.#state;
    if (state === undefined) return Promise.resolve(undefined);
    const at = this.#now();
    const current = this.#view;
    if (
      current !== undefined &&
      (current.pending || at - current.startedAt < (this.#options.refreshMs ?? 5000))
    ) {
      return current.promise;
    }
    const entry: ViewRead = { startedAt: at, pending: true, promise: Promise.resolve(undefined) };
    entry.promise = this.#load(state.campaignId).then(
      (view) => {
        entry.pending = false;
        return view;
      },
      (error: unknown) => {
        if (this.#view === entry) this.#view = undefined;
        throw error;
      },
    );
    this.#view = entry;
    return entry.promise;
  }

  async #load(campaignId: string): Promise<CrisisView | undefined> {
    const { journal } = this.#options;
    const chain = chainOf(await journal.listCampaigns(), campaignId);
    // A withdrawn statement is never pointed to: every one retracted, the menus answer as usual.
    const standing = chain.filter((record) => record.state !== 'retracted');
    const latest = standing[0];
    if (latest === undefined) return undefined;
    // Links only to posts of that statement: an older statement's article never goes with a newer
    // headline (the member's own post, else the lead's, else the statement's own link).
    const deliveries = await journal.getDeliveries(latest.id);
    const link = textOf((latest.statement as { link?: unknown } | undefined)?.link);
    return {
      statement: { campaignId: latest.id, headline: headlineOf(latest), link },
      deliveries,
    };
  }

  /** The link of a live post of the member (WeChat first, posts before pushes). */
  #postLink(deliveries: readonly DeliveryRecord[], memberId: string): string | undefined {
    const rank = (record: DeliveryRecord): number =>
      (record.delivery.platform === 'wechat' ? 0 : 2) + (record.delivery.action === 'push' ? 1 : 0);
    const candidates = deliveries
      .filter(
        (record) =>
          record.delivery.memberId === memberId &&
          record.delivery.action !== 'retract' &&
          LIVE.has(record.state),
      )
      .map((record, order) => ({ record, order }))
      .sort((a, b) => rank(a.record) - rank(b.record) || a.order - b.order);
    for (const { record } of candidates) {
      const url = record.url ?? this.#adapterUrl(record);
      if (url !== undefined) return url;
    }
    return undefined;
  }

  #adapterUrl(record: DeliveryRecord): string | undefined {
    if (record.remoteId === undefined) return undefined;
    const account = this.#options.hall.accountById.get(record.delivery.accountId);
    const adapter = this.#options.adapters.find(
      (candidate) => candidate.platform === record.delivery.platform,
    );
    if (account === undefined || adapter?.postUrl === undefined) return undefined;
    try {
      return adapter.postUrl({ id: record.remoteId }, account);
    } catch {
      return undefined;
    }
  }
}
