/**
 * A campaign's progress as Server-Sent Events, read from the journal alone: it works for a
 * campaign another process runs, and after a restart.
 *
 * Every state change in a delivery's `history` is one `delivery` event. The journal has no order
 * across deliveries, so the events are ordered by (time, delivery id, place in the delivery's
 * history), and an event's id is that key: `<at>~<deliveryId>~<index>`. The key of a change never
 * changes, because a history is only ever appended to; a client that resumes with `Last-Event-ID`
 * gets the changes whose key comes after it.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { SSEStreamingApi } from 'hono/streaming';
import type { CampaignRecord, DeliveryRecord, Journal } from '../journal/journal.js';
import type { ErrorCode } from '../errors.js';
import { countStatus } from '../publisher/status.js';
import type { CampaignStatus } from '../publisher/report.js';
import { ProblemError, problem, problemOf } from './problem.js';

/** Where one change stands in a campaign's order of events. */
export interface EventKey {
  readonly at: string;
  readonly deliveryId: string;
  /** The change's place in the delivery's history, from 0. */
  readonly index: number;
}

/** The data of a `delivery` event: one state change, without text or secrets. */
export interface DeliveryEventData {
  readonly deliveryId: string;
  readonly accountId: string;
  readonly platform: string;
  readonly action: string;
  readonly state: DeliveryRecord['state'];
  readonly at: string;
  readonly attempt?: number;
  readonly remoteId?: string;
  readonly url?: string;
  readonly errorCode?: ErrorCode;
}

/** A `delivery` event with its id. */
export interface DeliveryEvent {
  readonly id: string;
  readonly key: EventKey;
  readonly data: DeliveryEventData;
}

/** The data of the last event, `campaign`, sent once the campaign is no longer running. */
export interface CampaignEndData {
  readonly campaignId: string;
  readonly state: CampaignRecord['state'];
  readonly counts: CampaignStatus['counts'];
}

/** What {@link campaignEvents} reads from the journal. */
export interface CampaignEvents {
  /** The changes after the given id, in order. */
  readonly events: readonly DeliveryEvent[];
  /** Present when the campaign is over: not running, and no delivery pending. */
  readonly end?: CampaignEndData;
}

/** Options of the events route. */
export interface CampaignEventsOptions {
  /** How often the journal is read for new changes. @default 500 */
  readonly pollMs?: number;
  /** How often a `: keep-alive` comment is sent when nothing else was. @default 15000 */
  readonly keepAliveMs?: number;
}

const SEPARATOR = '~';

/** The id of an event with this key. */
export function eventIdOf(key: EventKey): string {
  return `${key.at}${SEPARATOR}${key.deliveryId}${SEPARATOR}${key.index}`;
}

/** The key an event id names, or `undefined` when it is not one. */
export function parseEventId(id: string): EventKey | undefined {
  const first = id.indexOf(SEPARATOR);
  const last = id.lastIndexOf(SEPARATOR);
  if (first <= 0 || last <= first + 1) return undefined;
  const at = id.slice(0, first);
  const deliveryId = id.slice(first + 1, last);
  const index = id.slice(last + 1);
  if (Number.isNaN(Date.parse(at)) || !/^\d{1,9}$/.test(index)) return undefined;
  return { at, deliveryId, index: Number(index) };
}

/** Orders two keys: time first, then delivery id, then place in the history. */
export function compareEventKeys(left: EventKey, right: EventKey): number {
  const time = Date.parse(left.at) - Date.parse(right.at);
  if (time !== 0) return time;
  if (left.deliveryId !== right.deliveryId) return left.deliveryId < right.deliveryId ? -1 : 1;
  return left.index - right.index;
}

function deliveryEvents(records: readonly DeliveryRecord[]): DeliveryEvent[] {
  const events: DeliveryEvent[] = [];
  for (const record of records) {
    const { delivery } = record;
    record.history.forEach((change, index) => {
      const key: EventKey = { at: change.at, deliveryId: change.deliveryId, index };
      events.push({
        id: eventIdOf(key),
        key,
        data: {
          deliveryId: change.deliveryId,
          accountId: delivery.accountId,
          platform: delivery.platform,
          action: delivery.action,
          state: change.state,
          at: change.at,
          ...(change.attempt === undefined ? {} : { attempt: change.attempt }),
          ...(change.remoteId === undefined ? {} : { remoteId: change.remoteId }),
          ...(change.url === undefined ? {} : { url: change.url }),
          ...(change.errorCode === undefined ? {} : { errorCode: change.errorCode }),
        },
      });
    });
  }
  return events.sort((left, right) => compareEventKeys(left.key, right.key));
}

/**
 * The campaign's events after `after` (all of them without it), and its end when it is over;
 * `undefined` for a campaign the journal does not hold. The end is read before the deliveries, so
 * no change made before the campaign ended is missed.
 */
export async function campaignEvents(
  journal: Journal,
  campaignId: string,
  after?: EventKey,
): Promise<CampaignEvents | undefined> {
  const campaign = await journal.getCampaign(campaignId);
  if (campaign === undefined) return undefined;
  const records = await journal.getDeliveries(campaignId);
  const all = deliveryEvents(records);
  const events =
    after === undefined ? all : all.filter((event) => compareEventKeys(event.key, after) > 0);
  const counts = countStatus(records);
  const over = campaign.state !== 'running' && counts.pending === 0;
  return over ? { events, end: { campaignId, state: campaign.state, counts } } : { events };
}

/** The id a client resumes after: the `Last-Event-ID` header, else `?lastEventId=`. */
function resumeKey(context: Context): EventKey | undefined {
  const id = context.req.header('last-event-id') ?? context.req.query('lastEventId');
  if (id === undefined || id === '') return undefined;
  const key = parseEventId(id);
  if (key === undefined) {
    throw new ProblemError(
      problem(400, 'invalid-input', 'Last-Event-ID is not an id this stream sent', [
        { path: 'Last-Event-ID', message: 'expected <at>~<deliveryId>~<index>' },
      ]),
    );
  }
  return key;
}

/** Waits `ms`, or less when `signal` aborts; leaves no timer behind. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function pump(
  stream: SSEStreamingApi,
  journal: Journal,
  campaignId: string,
  after: EventKey | undefined,
  options: CampaignEventsOptions,
  signal: AbortSignal,
): Promise<void> {
  const pollMs = options.pollMs ?? 500;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  // A change stored late with an earlier time than one already sent is still sent once.
  const sent = new Set<string>();
  let lastWrite = Date.now();
  while (!signal.aborted) {
    const read = await campaignEvents(journal, campaignId, after);
    if (read === undefined) return;
    for (const event of read.events) {
      if (sent.has(event.id)) continue;
      sent.add(event.id);
      await stream.writeSSE({ event: 'delivery', id: event.id, data: JSON.stringify(event.data) });
      lastWrite = Date.now();
    }
    if (read.end !== undefined) {
      await stream.writeSSE({ event: 'campaign', data: JSON.stringify(read.end) });
      return;
    }
    if (Date.now() - lastWrite >= keepAliveMs) {
      await stream.write(': keep-alive\n\n');
      lastWrite = Date.now();
    }
    await pause(Math.min(pollMs, keepAliveMs), signal);
  }
}

/**
 * Answers a campaign's events as `text/event-stream` until the campaign is over or the client
 * goes away. The caller has checked that the campaign exists.
 */
export function streamCampaignEvents(
  context: Context,
  journal: Journal,
  campaignId: string,
  options: CampaignEventsOptions = {},
): Response {
  const after = resumeKey(context);
  const stop = new AbortController();
  const abort = (): void => {
    stop.abort();
  };
  context.req.raw.signal.addEventListener('abort', abort, { once: true });
  return streamSSE(context, async (stream) => {
    stream.onAbort(abort);
    try {
      await pump(stream, journal, campaignId, after, options, stop.signal);
    } catch (error) {
      if (!stop.signal.aborted) {
        await stream.writeSSE({ event: 'error', data: JSON.stringify(problemOf(error)) });
      }
    } finally {
      context.req.raw.signal.removeEventListener('abort', abort);
    }
  });
}
