/**
 * Campaigns the service runs in the background: a start is answered once the campaign is in the
 * journal and its run has begun (or the start failed: a refused statement, a gate refusal), and
 * the run then goes on after the answer. Closing stops the runs cleanly (nothing new starts; the
 * calls in flight finish) and waits for them; an interrupted campaign is resumed later as any.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Publisher } from '../publisher/create-publisher.js';
import { recordedBodyHash } from './idempotency.js';
import { ProblemError, problem, problemOf } from './problem.js';

/** The background runs of one service. */
export class CampaignStarts {
  readonly #controller = new AbortController();
  readonly #runs = new Map<string, Promise<void>>();
  readonly #onError: (campaignId: string, error: unknown) => void;

  constructor(onError: (campaignId: string, error: unknown) => void) {
    this.#onError = onError;
  }

  /** Stops every background run; runs check it before each new delivery. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True while this service runs the campaign. */
  running(campaignId: string): boolean {
    return this.#runs.has(campaignId);
  }

  /**
   * Starts `run` in the background and resolves once the run of `campaignId` has begun, or
   * once `ready` says so; rejects with the run's error when it fails before that.
   */
  async start(
    publisher: Publisher,
    campaignId: string,
    run: () => Promise<unknown>,
    ready?: () => Promise<boolean>,
  ): Promise<void> {
    const stopWaiting = new AbortController();
    const planned = new Promise<void>((resolve) => {
      const listener = (event: { campaignId: string }): void => {
        if (event.campaignId !== campaignId) return;
        publisher.off('campaign:planned', listener);
        resolve();
      };
      publisher.on('campaign:planned', listener);
      stopWaiting.signal.addEventListener('abort', () => {
        publisher.off('campaign:planned', listener);
        resolve();
      });
    });
    const running = run();
    const tracked = running.then(
      () => undefined,
      (error: unknown) => {
        this.#onError(campaignId, error);
      },
    );
    const previous = this.#runs.get(campaignId);
    const both = previous === undefined ? tracked : Promise.all([previous, tracked]).then(() => {});
    const entry = both.finally(() => {
      if (this.#runs.get(campaignId) === entry) this.#runs.delete(campaignId);
    });
    this.#runs.set(campaignId, entry);
    const waits: Promise<unknown>[] = [planned, running];
    if (ready !== undefined) waits.push(pollUntil(ready, stopWaiting.signal));
    try {
      await Promise.race(waits);
    } finally {
      stopWaiting.abort();
    }
  }

  /** Stops every run and waits for them to end. */
  async close(): Promise<void> {
    this.#controller.abort();
    await Promise.all([...this.#runs.values()]);
  }
}

/** Resolves once `check` says true; stops (never resolving) when `signal` aborts. */
async function pollUntil(check: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (await check()) return;
    try {
      await sleep(10, undefined, { signal });
    } catch {
      break;
    }
  }
  await new Promise<never>(() => undefined);
}

/** What {@link startOnce} needs to start a campaign for an `Idempotency-Key`. */
export interface OnceInput {
  /** Answers in flight in this process, by campaign id and body hash. */
  readonly pending: Map<string, Promise<Response>>;
  readonly starts: CampaignStarts;
  readonly publisher: Publisher;
  /** The campaign the key names. */
  readonly campaignId: string;
  /** The hash of the request the key was first used for. */
  readonly bodyHash: string;
  /** Journals the request (its body hash) before its first start. */
  readonly record: () => Promise<void>;
  /** Creates and runs the campaign (publish or follow-up) with id `campaignId`. */
  readonly run: () => Promise<unknown>;
  /** The 202 answer once the campaign exists or runs. */
  readonly accepted: () => Promise<Response>;
}

/**
 * Starts a campaign at most once per `Idempotency-Key`: identical requests in flight share one
 * start; a key first used for another request is a 422; when another process created the campaign
 * first, the first recorded request decides.
 */
export async function startOnce(input: OnceInput): Promise<Response> {
  const { pending, starts, publisher, campaignId, bodyHash } = input;
  const mismatch = (): ProblemError =>
    new ProblemError(
      problem(
        422,
        'idempotency-mismatch',
        `the Idempotency-Key was used for another request (campaign ${campaignId}): use a new key for a new request`,
      ),
    );
  const slot = `${campaignId} ${bodyHash}`;
  let answer = pending.get(slot);
  if (answer === undefined) {
    answer = (async () => {
      const recorded = await recordedBodyHash(publisher.journal, campaignId);
      if (recorded !== undefined && recorded !== bodyHash) throw mismatch();
      if (
        (await publisher.journal.getCampaign(campaignId)) !== undefined ||
        starts.running(campaignId)
      ) {
        return input.accepted();
      }
      if (recorded === undefined) await input.record();
      try {
        await starts.start(publisher, campaignId, input.run);
      } catch (error) {
        // Another process may have created the campaign first: the first request decides.
        if ((await publisher.journal.getCampaign(campaignId)) !== undefined) {
          const first = await recordedBodyHash(publisher.journal, campaignId);
          if (first !== undefined && first !== bodyHash) throw mismatch();
          return input.accepted();
        }
        throw new ProblemError(problemOf(error, 400));
      }
      return input.accepted();
    })().finally(() => {
      pending.delete(slot);
    });
    pending.set(slot, answer);
  }
  return (await answer).clone();
}
