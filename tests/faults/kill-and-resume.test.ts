/**
 * Crash tests: a campaign runs in a child process against a Weibo server in this process, and is
 * killed with SIGKILL at seeded moments (at random times, and exactly when the server has applied a
 * post but not yet answered). The campaign is then resumed from the journal, and the server's own
 * record is checked: every account holds its post exactly once, or the delivery is `unconfirmed`
 * and the account holds at most one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type WeiboSandbox, startWeiboSandbox } from 'release-hall/sandbox';
import { fastRetry, rebuttal } from '../helpers/fixtures.js';
import { campaignChild, random, waitFor } from './harness.js';

const RUNS = Number(process.env.RH_FAULT_RUNS ?? 50);
const child = campaignChild('campaign-child');

const MEMBERS = 15;
const hall = {
  id: 'crash-hall',
  name: '测试发布厅',
  lead: 'lead',
  site: { domain: 'www.example.gov.cn' },
  // Four requests at a time, so the relays go out in waves and a seeded kill lands mid-campaign:
  // with every relay at once, a hall this small is often all posted a few milliseconds after the lead.
  platforms: { weibo: { limits: { platformConcurrency: 4 } } },
  members: [
    {
      id: 'lead',
      name: '测试发布',
      accounts: { weibo: { handle: '测试发布', uid: '1000000000', credentials: 'w-lead' } },
    },
    ...Array.from({ length: MEMBERS }, (_, index) => ({
      id: `m${index}`,
      name: `单位${index}`,
      accounts: {
        weibo: {
          handle: `单位${index}`,
          uid: String(1000000001 + index),
          credentials: `w-m${index}`,
        },
      },
    })),
  ],
};
const uids = hall.members.map((member) => member.accounts.weibo.uid);
const tokens: Record<string, string> = Object.fromEntries(
  hall.members.map((member) => [member.accounts.weibo.credentials, `tok-${member.id}-secret`]),
);

let server: WeiboSandbox;
// The killed child talks to a server of its own over the same platform state, so "no connection
// open" on it means every request the child sent has been carried out (the resume uses the other).
let serverForChild: WeiboSandbox;
beforeAll(async () => {
  // Bundle the child once, so each run starts plain JavaScript in a fraction of a second.
  await child.bundle();
  // A real platform's duplicate check is a narrow window, not a guarantee: off here, so only the
  // library's own look-up before a re-send can keep a post from going out twice.
  server = await startWeiboSandbox({ safeDomain: 'www.example.gov.cn', refuseRepeats: false });
  serverForChild = await startWeiboSandbox({ platform: server.platform });
  registerAccounts();
});
afterAll(async () => {
  await server.close();
  await serverForChild.close();
});

function registerAccounts(): void {
  for (const member of hall.members) {
    server.platform.addAccount({
      uid: member.accounts.weibo.uid,
      screenName: member.accounts.weibo.handle,
      accessToken: tokens[member.accounts.weibo.credentials]!,
    });
  }
}

interface RunOutcome {
  seed: number;
  kind: 'at-apply' | 'random-time';
  postedBeforeKill: number;
  unconfirmed: number;
  /** The kill came when the target's post was applied and its answer not yet journaled. */
  killedAtApply: boolean;
}

async function crashRun(seed: number): Promise<RunOutcome> {
  const next = random(seed);
  const kind = seed % 2 === 0 ? 'at-apply' : 'random-time';
  const killAfterPosts = Math.floor(next() * (uids.length - 1));
  server.platform.reset();
  const dir = mkdtempSync(join(tmpdir(), 'rh-crash-'));
  const journalFile = join(dir, 'journal.db');
  const campaignId = `crash-${seed}`;
  server.platform.configure({ latency: { fixedMs: 1, jitterMs: 4, seed } });
  const target = uids[Math.floor(next() * uids.length)]!;
  if (kind === 'at-apply') {
    server.platform.injectFault({ kind: 'timeout-after-apply', uid: target, hangMs: 20_000 });
  }
  const run = child.start({
    RH_BASE_URL: serverForChild.url,
    RH_JOURNAL: journalFile,
    RH_HALL: JSON.stringify(hall),
    RH_TOKENS: JSON.stringify(tokens),
    RH_STATEMENT: JSON.stringify(rebuttal),
    RH_CAMPAIGN: campaignId,
    RH_ACTION: 'publish',
  });
  await run.planned;
  if (kind === 'at-apply') {
    // Kill exactly when the server has applied the post and holds back its answer.
    await waitFor(() => server.platform.postsOf(target).length > 0, 10_000);
  } else {
    // Kill at a seeded point of progress, a few milliseconds after the server took that many posts.
    await waitFor(() => server.platform.allPosts().length >= killAfterPosts, 10_000);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 6)));
  }
  await run.kill();
  // A request the child had sent may still be read after its death: the resume starts once the
  // server has carried out all of them.
  expect(await waitFor(() => serverForChild.openConnections() === 0, 10_000)).toBe(true);
  const postedBeforeKill = server.platform.allPosts().length;
  server.platform.clearFaults();

  const journal = new SqliteJournal(journalFile);
  try {
    expect(await journal.check()).toEqual([]);
    // What the kill left: the target's post applied on the server, and its delivery still
    // "sending" in the journal (the answer never came back).
    const targetMember = hall.members[uids.indexOf(target)]!;
    const targetRecord = (await journal.getDeliveries(campaignId)).find(
      (record) => record.delivery.accountId === `${targetMember.id}/weibo`,
    );
    const killedAtApply =
      server.platform.postsOf(target).length === 1 && targetRecord?.state === 'sending';
    const publisher = createPublisher({
      hall,
      adapters: [
        createWeiboAdapter({
          baseURL: server.url,
          rip: '203.0.113.10',
          limits: { requestTimeoutMs: 2_000 },
        }),
      ],
      credentials: ({ ref }) => {
        const token = tokens[ref];
        return token === undefined ? undefined : { access_token: token };
      },
      journal,
      retry: fastRetry,
    });
    const report = await publisher.resume(campaignId, { force: true });
    const perAccount = new Map<string, number>();
    for (const post of server.platform.allPosts())
      perAccount.set(post.uid, (perAccount.get(post.uid) ?? 0) + 1);
    // never twice
    for (const [uid, count] of perAccount)
      expect(count, `seed ${seed}: account ${uid} posted ${count} times`).toBe(1);
    // never lost: every delivery succeeded, or is flagged for a person
    for (const result of report.deliveries) {
      expect(
        ['succeeded', 'unconfirmed'],
        `seed ${seed}: ${result.accountId} ${result.status} ${result.errorMessage ?? ''}`,
      ).toContain(result.status);
    }
    const unconfirmed = report.deliveries.filter(
      (result) => result.status === 'unconfirmed',
    ).length;
    expect(perAccount.size + unconfirmed, `seed ${seed}`).toBeGreaterThanOrEqual(uids.length);
    // The post ids in the report are the server's own.
    const uidOf = new Map(
      hall.members.map((member) => [`${member.id}/weibo`, member.accounts.weibo.uid]),
    );
    for (const result of report.deliveries) {
      if (result.status !== 'succeeded') continue;
      const posts = server.platform.postsOf(uidOf.get(result.accountId) ?? '');
      expect(result.remoteId, `seed ${seed}: ${result.accountId}`).toBe(posts[0]?.id);
    }
    expect(await journal.check()).toEqual([]);
    return { seed, kind, postedBeforeKill, unconfirmed, killedAtApply };
  } finally {
    await journal.close();
  }
}

describe('SIGKILL at seeded moments, then resume', () => {
  it(`${RUNS} seeded runs: zero posts lost, zero duplicated`, async () => {
    const outcomes: RunOutcome[] = [];
    for (let seed = 1; seed <= RUNS; seed++) outcomes.push(await crashRun(seed));
    if (process.env.RH_FAULT_VERBOSE) console.log(JSON.stringify(outcomes));
    // The kills really landed mid-campaign: some runs had posted part of the hall, and the
    // at-apply runs had a post applied but unanswered.
    const partial = outcomes.filter(
      (outcome) => outcome.postedBeforeKill > 0 && outcome.postedBeforeKill < uids.length,
    );
    expect(partial.length, `${partial.length} of ${RUNS} runs killed mid-campaign`).toBeGreaterThan(
      RUNS / 4,
    );
    // Every at-apply run was killed with the post applied and its answer unjournaled.
    const atApply = outcomes.filter((outcome) => outcome.kind === 'at-apply');
    expect(atApply.length).toBeGreaterThan(0);
    expect(
      atApply.filter((outcome) => !outcome.killedAtApply).map((outcome) => outcome.seed),
    ).toEqual([]);
    expect(outcomes.every((outcome) => outcome.unconfirmed === 0)).toBe(true);
  }, 600_000);

  it('a process killed during heavy journal writes leaves a journal whose integrity check is clean', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const file = join(mkdtempSync(join(tmpdir(), 'rh-churn-')), 'journal.db');
      const run = child.start({
        RH_JOURNAL: file,
        RH_CAMPAIGN: `churn-${seed}`,
        RH_ACTION: 'journal-churn',
      });
      await run.planned;
      await new Promise((resolve) => setTimeout(resolve, 20 + seed * 37));
      await run.kill();
      const journal = new SqliteJournal(file);
      expect(await journal.check()).toEqual([]);
      const records = await journal.getDeliveries(`churn-${seed}`);
      expect(records).toHaveLength(200);
      expect(records.some((record) => record.history.length > 0)).toBe(true);
      await journal.close();
    }
  }, 120_000);
});
