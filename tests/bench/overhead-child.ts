/**
 * The measuring half of scenario `overhead`, run in a plain Node process (see `bundle-script.ts`):
 * starts the Weibo sandbox in a process of its own, then times a bare `fetch` loop, the Weibo
 * adapter alone, and release-hall (in-memory and SQLite journals) sending the same posts, and
 * sends one {@link OverheadFigures} to the parent.
 *
 *   node overhead-child.mjs <full|smoke> <path of the bundled weibo-sandbox-process.mjs>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type JournalDelivery,
  MemoryJournal,
  type Publisher,
  Redactor,
  createPublisher,
  createRedactingLogger,
  resolveHall,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import type { BenchSize } from './bench-types.js';
import { IpcProcess } from './ipc-process.js';
import { isMain, now, withCpu } from './measure.js';
import {
  BENCH_RIP,
  benchStatement,
  partOf,
  syntheticCredentials,
  syntheticHall,
  tokenOf,
} from './synthetic-hall.js';
import type { SandboxCommand, SandboxMessage } from './weibo-sandbox-process.js';

/** Totals of one way of sending, over every chunk. */
export interface OverheadRun {
  readonly deliveries: number;
  readonly succeeded: number;
  /** Wall time, summed over the chunks. */
  readonly ms: number;
  /** CPU time of the client process, summed over the chunks. */
  readonly cpuMs: number;
}

/** The ways of sending compared. */
export const CLIENTS = ['bare', 'adapter', 'memory', 'sqlite'] as const;
/** One way of sending. */
export type Client = (typeof CLIENTS)[number];

/** What the child measures. */
export interface OverheadFigures {
  readonly accounts: number;
  readonly chunk: number;
  readonly concurrency: number;
  readonly runs: Readonly<Record<Client, OverheadRun>>;
  /** Posts the sandbox held after each chunk of each client, summed (one per delivery expected). */
  readonly sandboxPosts: number;
  /** Requests the sandbox refused, summed over every chunk. */
  readonly sandboxRefused: number;
}

/** Index of a synthetic account from its member id (`lead` is 0, `m12` is 12). */
function indexOfMember(memberId: string): number {
  return memberId === 'lead' ? 0 : Number(memberId.slice(1));
}

/** Requests in flight for every client. */
const OVERHEAD_CONCURRENCY = 8;

/** Runs `send` over `deliveries` with `concurrency` workers, timing it. */
async function timed(
  deliveries: readonly JournalDelivery[],
  concurrency: number,
  send: (delivery: JournalDelivery) => Promise<boolean>,
): Promise<OverheadRun> {
  let next = 0;
  let succeeded = 0;
  const worker = async (): Promise<void> => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++]!;
      if (await send(delivery)) succeeded += 1;
    }
  };
  const started = now();
  const { cpuMs } = await withCpu(() =>
    Promise.all(Array.from({ length: concurrency }, () => worker())),
  );
  return { deliveries: deliveries.length, succeeded, ms: now() - started, cpuMs };
}

/**
 * The bare loop's request: exactly what the adapter posts (`statuses/share.json`, the same form
 * body and headers, redirects refused as the adapters refuse them, the connection kept open by
 * fetch's default agent), and the answer read. Nothing else: no timeout, no parsing, no journal.
 */
function bareSend(url: string): (delivery: JournalDelivery) => Promise<boolean> {
  const endpoint = `${url}statuses/share.json`;
  return async (delivery) => {
    const text = delivery.rendition.format === 'text' ? delivery.rendition.text : '';
    const body = new URLSearchParams({
      access_token: tokenOf(indexOfMember(delivery.memberId)),
      status: text,
      rip: BENCH_RIP,
    }).toString();
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
        accept: 'application/json',
      },
      body,
      redirect: 'error',
    });
    await response.text();
    return response.status === 200;
  };
}

const SIZES: Readonly<Record<BenchSize, { accounts: number; chunk: number }>> = {
  full: { accounts: 20_000, chunk: 2_000 },
  smoke: { accounts: 200, chunk: 100 },
};

function total(runs: readonly OverheadRun[]): OverheadRun {
  return runs.reduce(
    (sum, run) => ({
      deliveries: sum.deliveries + run.deliveries,
      succeeded: sum.succeeded + run.succeeded,
      ms: sum.ms + run.ms,
      cpuMs: sum.cpuMs + run.cpuMs,
    }),
    { deliveries: 0, succeeded: 0, ms: 0, cpuMs: 0 },
  );
}

/**
 * Runs the measurements (in this process). The hall's accounts are taken in parts (groups of
 * `chunk` accounts); every client sends each part in turn (the order rotating from part to part,
 * the sandbox emptied in between), so a machine that gets busier or quieter during the run weighs
 * on every client alike. Each client sends one post per account of the hall in the end; a
 * release-hall client publishes one campaign per part (planning included in its time).
 */
export async function measureOverhead(
  size: BenchSize,
  sandboxBundle: string,
): Promise<OverheadFigures> {
  const { accounts, chunk } = SIZES[size];
  const { process: sandbox, ready } = await IpcProcess.start<SandboxMessage, SandboxCommand>(
    sandboxBundle,
    [String(accounts)],
  );
  if (ready.type !== 'ready') throw new Error('the sandbox process did not start');
  const sandboxUrl = ready.url;
  const directory = mkdtempSync(join(tmpdir(), 'release-hall-bench-'));
  const sqliteJournal = new SqliteJournal(join(directory, 'journal.db'));
  try {
    // Eight requests in flight for every client: what the core adds per request is the question,
    // not how many sockets one process can keep busy.
    const weibo = createWeiboAdapter({
      baseURL: sandboxUrl,
      rip: BENCH_RIP,
      limits: { platformConcurrency: OVERHEAD_CONCURRENCY },
    });
    const concurrency = weibo.limits.rate.platformConcurrency;
    const hall = resolveHall(syntheticHall({ accounts, partSize: chunk }), [weibo]);
    const statement = benchStatement();
    const memoryJournal = new MemoryJournal();
    const publishers: Readonly<Record<'memory' | 'sqlite', Publisher>> = {
      memory: createPublisher({
        hall,
        adapters: [weibo],
        credentials: syntheticCredentials,
        journal: memoryJournal,
      }),
      sqlite: createPublisher({
        hall,
        adapters: [weibo],
        credentials: syntheticCredentials,
        journal: sqliteJournal,
      }),
    };
    // The texts the loops send: the renditions release-hall plans for the same part.
    const planOf = async (part: string): Promise<readonly JournalDelivery[]> =>
      (
        await publishers.memory.preview(statement, {
          mode: 'original',
          selection: { groups: [part] },
        })
      ).deliveries;
    const logger = createRedactingLogger(() => undefined, new Redactor(), {});
    const signal = new AbortController().signal;
    // The adapter alone, called as the core calls it: what the core adds is the rest.
    const adapterSend = async (delivery: JournalDelivery): Promise<boolean> => {
      const account = hall.accountById.get(delivery.accountId);
      if (account === undefined) return false;
      const result = await weibo.publish(delivery.rendition, account, {
        signal,
        idempotencyKey: delivery.idempotencyKey,
        credentials: syntheticCredentials({ ref: account.credentials }),
        logger,
        requestTimeoutMs: weibo.limits.rate.requestTimeoutMs,
      });
      return result.status === 'posted';
    };
    const bare = bareSend(sandboxUrl);
    /** Sends one part of the hall with one client; a release-hall client publishes a campaign. */
    const runPart = async (client: Client, part: string): Promise<OverheadRun> => {
      if (client === 'bare' || client === 'adapter') {
        const deliveries = await planOf(part);
        return timed(deliveries, concurrency, client === 'bare' ? bare : adapterSend);
      }
      const started = now();
      const { value: report, cpuMs } = await withCpu(() =>
        publishers[client].publish(statement, { mode: 'original', selection: { groups: [part] } }),
      );
      return {
        deliveries: report.counts.total,
        succeeded: report.counts.succeeded,
        ms: now() - started,
        cpuMs,
      };
    };
    let sandboxPosts = 0;
    let sandboxRefused = 0;
    const clear = async (): Promise<void> => {
      const counts = await sandbox.ask({ type: 'counts' });
      if (counts.type === 'counts') {
        sandboxPosts += counts.posts;
        sandboxRefused += counts.refused;
      }
      await sandbox.ask({ type: 'reset' });
    };

    // Warm-up (JIT, sockets): the first part once per client, not counted.
    for (const client of CLIENTS) {
      await runPart(client, partOf(0, chunk));
      await sandbox.ask({ type: 'reset' });
    }
    const runs = new Map<Client, OverheadRun[]>(CLIENTS.map((client) => [client, []]));
    for (let part = 0; part * chunk < accounts; part++) {
      for (let turn = 0; turn < CLIENTS.length; turn++) {
        const client = CLIENTS[(part + turn) % CLIENTS.length]!;
        runs.get(client)!.push(await runPart(client, partOf(part * chunk, chunk)));
        await clear();
      }
    }
    return {
      accounts,
      chunk,
      concurrency,
      runs: {
        bare: total(runs.get('bare')!),
        adapter: total(runs.get('adapter')!),
        memory: total(runs.get('memory')!),
        sqlite: total(runs.get('sqlite')!),
      },
      sandboxPosts,
      sandboxRefused,
    };
  } finally {
    await sqliteJournal.close();
    await sandbox.close({ type: 'close' });
    rmSync(directory, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url) && process.send !== undefined) {
  const [size, sandboxBundle] = process.argv.slice(2);
  const figures = await measureOverhead(size === 'smoke' ? 'smoke' : 'full', sandboxBundle ?? '');
  process.send(figures, () => {
    process.exit(0);
  });
}
