/**
 * What the inbox kill tests on Tencent Weibo and WeChat (`inbox-kill-platforms.test.ts`) share:
 * the run counts and the replay seed, the halls and their secrets, and the steps of a kill (wait
 * for the moment, SIGKILL, wait until the server has carried out every request the child sent).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type HallInput, ReleaseHallError, type ReplyToItemResult } from 'release-hall';
import { type ChildRun, campaignChild, waitFor } from './harness.js';

/** Seeded runs of each phase (RH_FAULT_RUNS). */
export const RUNS = Number(process.env.RH_FAULT_RUNS ?? 6);
const PHASES = ['tencent-sync', 'tencent-reply', 'wechat-reply'] as const;
export type Phase = (typeof PHASES)[number];
/** The one run to replay (RH_FAULT_SEED=<phase>:<seed>), if any. */
export const REPLAY = process.env.RH_FAULT_SEED?.split(':');
if (
  REPLAY !== undefined &&
  (!PHASES.includes(REPLAY[0] as Phase) || !/^\d+$/.test(REPLAY[1] ?? ''))
) {
  throw new Error(
    `RH_FAULT_SEED: expected <phase>:<seed> with phase ${PHASES.join(', ')}, got "${process.env.RH_FAULT_SEED}"`,
  );
}

/** The inbox child, bundled once per test file. */
export const child = campaignChild('inbox-platform-child', {
  source: join(import.meta.dirname, 'inbox-child.ts'),
  readyLine: 'ready',
});

/** The library's clock in the reruns: past the lease a killed run held (REPLY_SENDING_LEASE_MS). */
export const afterLease = (): Date => new Date(Date.now() + 3 * 60_000);

// -- Tencent ---------------------------------------------------------------------------------

export const APP_KEY = '801000000';
/** Tencent accounts of the hall, one per member. */
export const TENCENT_ACCOUNTS = 6;
/** Comments and mentions seeded after the warm-up sync. */
export const BULK = 300;
/** Seconds the bulk is spread over: about 12 items of each account in every second. */
export const BULK_SECONDS = 4;
/** Items per list in one read of the child's sync, so a sync spans many reads. */
export const MAX_ITEMS = 7;

export const tencentMembers = Array.from({ length: TENCENT_ACCOUNTS }, (_, index) => ({
  id: `t${index}`,
  name: `unit${index}`,
  openid: `B${String(index).padStart(31, '0')}`,
  ref: `cred-t${index}`,
}));
export const tencentHall: HallInput = {
  id: 'tencent-inbox-kill-hall',
  name: '测试发布厅',
  lead: 't0',
  site: { domain: 'www.example.gov.cn' },
  members: tencentMembers.map((member, index) => ({
    id: member.id,
    name: `单位${index}新闻办`,
    shortName: `单位${index}`,
    accounts: {
      tencent: { handle: member.name, openid: member.openid, credentials: member.ref },
    },
  })),
};
export const tencentTokens: Record<string, string> = Object.fromEntries(
  tencentMembers.map((member) => [member.ref, `tok-${member.id}-0123456789abcdef`]),
);
export const openidOf = new Map(
  tencentMembers.map((member) => [`${member.id}/tencent`, member.openid]),
);
export const nameOf = new Map(
  tencentMembers.map((member) => [`${member.id}/tencent`, member.name]),
);

// -- WeChat ----------------------------------------------------------------------------------

export const WECHAT_ACCOUNTS = 3;
export const FOLLOWERS_PER_ACCOUNT = 2;
export const wechatMembers = Array.from({ length: WECHAT_ACCOUNTS }, (_, index) => ({
  id: `w${index}`,
  appid: `wx${String(index + 1).padStart(16, '0')}`,
  ref: `cred-w${index}`,
  secret: `secret-w${index}-0123456789abcdef`,
}));
export const wechatHall: HallInput = {
  id: 'wechat-inbox-kill-hall',
  name: '测试发布厅',
  lead: 'w0',
  site: { domain: 'www.example.gov.cn' },
  members: wechatMembers.map((member, index) => ({
    id: member.id,
    name: `单位${index}新闻办`,
    shortName: `单位${index}`,
    accounts: {
      wechat: {
        handle: `单位${index}`,
        appid: member.appid,
        kind: 'service',
        credentials: member.ref,
      },
    },
  })),
};
export const wechatSecrets: Record<string, string> = Object.fromEntries(
  wechatMembers.map((member) => [member.ref, member.secret]),
);

const credentialsFrom =
  (secrets: Record<string, string>, field: string) =>
  ({ ref }: { ref: string }): Record<string, string> | undefined => {
    const secret = secrets[ref];
    return secret === undefined ? undefined : { [field]: secret };
  };
export const tencentCredentials = credentialsFrom(tencentTokens, 'access_token');
export const wechatCredentials = credentialsFrom(wechatSecrets, 'secret');

/** A journal file in a fresh temporary folder. */
export function journalFile(prefix: string): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'journal.db');
}

async function killAndSettle(name: string, run: ChildRun, server: { openConnections(): number }) {
  await run.kill();
  expect(
    await waitFor(() => server.openConnections() === 0, 10_000),
    `${name}: the killed child's requests were all carried out`,
  ).toBe(true);
}

/**
 * Kills the child once `landed` holds (or it exited first), `pauseMs` later, and waits until the
 * server has carried out every request it sent. Resolves with whether it had exited before the kill.
 */
export async function killWhen(
  name: string,
  run: ChildRun,
  server: { openConnections(): number },
  landed: () => boolean,
  pauseMs: number,
): Promise<boolean> {
  await run.planned;
  let exited = false;
  void run.exited.then(() => (exited = true));
  expect(await waitFor(() => exited || landed(), 20_000), `${name}: the kill moment came`).toBe(
    true,
  );
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const exitedBeforeKill = exited;
  await killAndSettle(name, run, server);
  return exitedBeforeKill;
}

// -- replies, shared -------------------------------------------------------------------------

export interface ReplyOutcome {
  readonly seed: number;
  readonly kind: 'at-apply' | 'random-time';
  /** Writes the platform had taken when the child died. */
  readonly sentAtKill: number;
  /** The target's reply was applied, and its record still `sending`, when the child died. */
  readonly killedAtApply: boolean;
  readonly statuses: readonly string[];
  /** WeChat: replies that ended `unknown`, and how many of those the follower did get. */
  readonly unknown?: number;
  readonly unknownDelivered?: number;
  /** WeChat: the journal state of each reply that ended `unknown`. */
  readonly unknownStates?: readonly string[];
}

/** Items answered in each reply run. */
export const ITEMS = 6;

/** Runs `reply` within the lease the dead run held on the target: it must be left alone. */
export async function withinLease(
  name: string,
  reply: () => Promise<ReplyToItemResult>,
  writes: () => number,
): Promise<void> {
  const before = writes();
  let code: string | undefined;
  try {
    await reply();
  } catch (error) {
    code = ReleaseHallError.isInstance(error) ? error.code : String(error);
  }
  expect(code, `${name}: a rerun within the lease`).toBe('LEASE_LOST');
  expect(writes(), `${name}: writes within the lease`).toBe(before);
}

// -- the runs --------------------------------------------------------------------------------

/** The seeds a phase runs: 1…RUNS, or the one RH_FAULT_SEED names. */
export function seedsOf(phase: Phase): number[] {
  if (REPLAY !== undefined) return REPLAY[0] === phase ? [Number(REPLAY[1])] : [];
  return Array.from({ length: RUNS }, (_, index) => index + 1);
}

/** Runs every seed of a phase; a failing run names the command that replays it. */
export async function runAll<Outcome>(phase: Phase, run: (seed: number) => Promise<Outcome>) {
  const outcomes: Outcome[] = [];
  for (const seed of seedsOf(phase)) {
    try {
      outcomes.push(await run(seed));
    } catch (error) {
      console.error(
        `replay: RH_FAULT_SEED=${phase}:${seed} npx vitest run tests/faults/inbox-kill-platforms.test.ts`,
      );
      throw error;
    }
  }
  if (process.env.RH_FAULT_VERBOSE) console.log(phase, JSON.stringify(outcomes));
  return outcomes;
}
