/**
 * The scorecard over the Weibo sandbox with the SQLite journal (see scorecard-sandbox.ts): a
 * relay campaign in which one member's repost is refused, reach read twice, the inbox synced and
 * one comment answered. `release-hall scorecard` prints it as JSON and CSV and writes the HTML
 * page; a member whose token has expired since shows its followers and posts as unknown with the
 * reason (exit 1), never as 0. `release-hall metrics --html` writes the reach page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Scorecard } from '../../src/scorecard/index.js';
import { runCli } from '../helpers/cli.js';
import { HOSTILE, type ScorecardWorld, scorecardWorld, tokenFor } from './scorecard-sandbox.js';

let world: ScorecardWorld | undefined;
afterEach(async () => {
  await world?.sandbox.close();
  world = undefined;
});

function args(current: ScorecardWorld, ...extra: string[]): string[] {
  return [
    '--hall',
    current.hallFile,
    '--credentials',
    current.credentialsFile,
    '--journal',
    current.journalFile,
    ...extra,
  ];
}

describe('release-hall scorecard over the Weibo sandbox', () => {
  it('prints JSON, CSV and a table, and writes the page', async () => {
    const current = await scorecardWorld();
    world = current;
    const since = current.since.toISOString();
    const html = join(current.dir, 'scorecard.html');

    const json = await runCli([
      'scorecard',
      ...args(current, '--since', since, '--json', '--html', html),
    ]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const scorecard = JSON.parse(json.stdout) as Scorecard;
    expect(scorecard.campaigns.map(({ id, hallWide }) => ({ id, hallWide }))).toEqual([
      { id: current.report.campaignId, hallWide: true },
    ]);
    expect(Date.parse(scorecard.campaigns[0]!.createdAt)).toBeGreaterThan(current.since.getTime());
    const [lead, m1, m2, m3] = scorecard.members;
    expect(
      scorecard.members.map((member) => [member.memberId, member.tookPart, member.missed]),
    ).toEqual([
      ['lead', 1, []],
      ['m1', 1, []],
      ['m2', 1, []],
      ['m3', 0, [{ campaignId: current.report.campaignId, why: 'failed' }]],
    ]);
    // Relays went out after the lead's post: a delay each, none for the lead.
    expect(lead!.medianDelayMs).toBeUndefined();
    for (const member of [m1!, m2!]) {
      expect(member.delaySamples).toBe(1);
      expect(member.medianDelayMs).toBeGreaterThanOrEqual(0);
      expect(member.medianDelayMs).toBeLessThan(60_000);
    }
    expect(m3!.delaySamples).toBe(0);
    // Reach: each post's latest reading (the second collection).
    expect(lead!.reach).toMatchObject({ reposts: 2, comments: 2, likes: 58 });
    expect(m1!.reach).toMatchObject({ comments: 2 });
    // Inbox: two comments on the lead's post, one answered; two on m1's, none answered.
    expect(lead).toMatchObject({ inboxItems: 2, unanswered: 1 });
    expect(lead!.medianReplyMs).toBeGreaterThanOrEqual(0);
    expect(m1).toMatchObject({ inboxItems: 2, unanswered: 2 });
    expect(m1!.medianReplyMs).toBeUndefined();
    // Activity read from the sandbox: one post each today; m3 posted nothing for 40 days.
    expect(lead).toMatchObject({ followers: 1_250_000, dormantAccounts: [] });
    expect(m1!.followers).toBe(48_210);
    expect(lead!.accounts[0]).toMatchObject({ postsSince: 1, dormant: false });
    expect(lead!.postsPerWeek).toBeCloseTo(7, 0);
    expect(m3!.accounts[0]).toMatchObject({ postsSince: 0, dormant: true });
    expect(Date.now() - Date.parse(m3!.accounts[0]!.lastPostAt!)).toBeGreaterThan(39 * 86_400_000);
    expect(m3!.dormantAccounts).toEqual(['m3/weibo']);

    const page = readFileSync(html, 'utf8');
    for (const chart of ['delay', 'unanswered', 'reach-platform', 'reach-time']) {
      expect(page).toContain(`data-chart="${chart}"`);
    }
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('单位二&lt;img src=x onerror=&quot;document.body.dataset.ran=');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);

    const csv = await runCli(['scorecard', ...args(current, '--since', since, '--csv')]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]!.startsWith('member_id,name,lead,took_part,missed,')).toBe(true);
    expect(lines).toHaveLength(6);
    expect(lines[1]!.startsWith('lead,测试发布新闻办,yes,1,0,0,,0,1250000,')).toBe(true);
    expect(
      lines[3]!.startsWith(
        `m2,"单位二<img src=x onerror=""document.body.dataset.ran='yes'"">",,1,0,0,`,
      ),
    ).toBe(true);
    expect(lines[4]).toMatch(/^m3,单位三新闻办,,0,1,0,,0,0,0,,,,,,0,0,0,,m3\/weibo,$/);

    const table = await runCli(['scorecard', ...args(current, '--since', since)]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`m3: ${current.report.campaignId} (failed)`);
    expect(table.stdout).toMatch(/^m3\s+0\s+1\s+-\s+0\s+0\.0\s+0\s+0\s+-\s+m3\/weibo$/m);
  });

  it('shows a failed activity read as unknown with its reason, and exits 1', async () => {
    const current = await scorecardWorld();
    world = current;
    current.sandbox.weibo.platform.expireToken(tokenFor('cred-m2'));
    const result = await runCli([
      'scorecard',
      ...args(current, '--since', current.since.toISOString(), '--json'),
    ]);
    expect(result.code).toBe(1);
    const scorecard = JSON.parse(result.stdout) as Scorecard;
    const m2 = scorecard.members[2]!;
    expect(m2.followers).toBeUndefined();
    expect(m2.postsPerWeek).toBeUndefined();
    expect(m2.accounts[0]!.unknown).toMatch(/^AUTH_EXPIRED: /);
    expect(m2.accounts[0]!.readFailed).toBe(true);
    expect(result.stdout).not.toContain(tokenFor('cred-m2'));
    // The others are read as before.
    expect(scorecard.members[0]!.followers).toBe(1_250_000);
  });

  it('refuses a --since that is not a date and an --html folder that does not exist, before reading', async () => {
    const current = await scorecardWorld();
    world = current;
    const result = await runCli(['scorecard', ...args(current, '--since', 'last month')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--since "last month"');
    expect(result.stderr).toContain('2026-11-01');

    const nowhere = join(current.dir, 'no-such-folder', 'page.html');
    const html = await runCli([
      'scorecard',
      ...args(current, '--since', current.since.toISOString(), '--html', nowhere),
    ]);
    expect(html.code).not.toBe(0);
    expect(html.stderr).toContain('--html');
    expect(html.stderr).toContain('does not exist: create it or give another path');
  });

  it('release-hall metrics --html writes the reach page from every reading kept', async () => {
    const current = await scorecardWorld();
    world = current;
    const html = join(current.dir, 'metrics.html');
    const result = await runCli([
      'metrics',
      current.report.campaignId,
      ...args(current, '--html', html),
    ]);
    expect(result.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    for (const chart of ['reach-platform', 'reach-time', 'reach-account']) {
      expect(page).toContain(`data-chart="${chart}"`);
    }
    // Three collections (two in the world, one now) of three posts.
    expect(page).toContain('readings kept: 9');
    expect(page).not.toContain(HOSTILE);
  });
});
