/**
 * The report pages without a browser: every chart present as an SVG drawn by ECharts with its
 * series named, the page self-contained (its policy forbids requests; no script, no URL to fetch),
 * every text from the hall and the journal escaped (a member's name, an account's, a campaign
 * id), and the figures the reach charts plot (per platform, over time in rounds).
 */
import { describe, expect, it } from 'vitest';
import type { ReachReading } from '../../src/index.js';
import {
  REPORT_PAGE_POLICY,
  ROUND_GAP_MS,
  drawChart,
  reachByPlatform,
  reachOverTime,
  renderMetricsPage,
  renderScorecardPage,
} from '../../src/report/index.js';
import { delayUnit } from '../../src/report/scorecard-page.js';
import type { MemberScore, Scorecard } from '../../src/scorecard/index.js';

const HOSTILE = `<script>document.title='x'</script><img src=x onerror=alert(1)>"'&`;
const T = Date.parse('2026-11-26T01:30:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function reading(
  accountId: string,
  platform: string,
  postId: string,
  readAt: number,
  counts: Partial<Pick<ReachReading, 'reposts' | 'comments' | 'likes' | 'reads' | 'sent'>>,
): ReachReading {
  return {
    campaignId: `c-${HOSTILE}`,
    deliveryId: `d-${postId}`,
    accountId,
    platform,
    postId,
    ...counts,
    readAt: iso(readAt),
  };
}

const readings: ReachReading[] = [
  reading('lead/weibo', 'weibo', '1', T, { reposts: 2, comments: 1, likes: 10 }),
  reading('m1/wechat', 'wechat', '2', T + 30_000, { reads: 100, sent: 500 }),
  reading('lead/weibo', 'weibo', '1', T + 3_600_000, { reposts: 5, comments: 3, likes: 20 }),
  reading('m1/wechat', 'wechat', '2', T + 2 * 3_600_000, { reads: 180, sent: 500 }),
];

function member(id: string, name: string, extra: Partial<MemberScore> = {}): MemberScore {
  return {
    memberId: id,
    name,
    isLead: false,
    tookPart: 1,
    missed: [],
    unsettled: 0,
    delaySamples: 0,
    reach: {},
    inboxItems: 0,
    unanswered: 0,
    overdue: 0,
    accounts: [{ accountId: `${id}/weibo`, platform: 'weibo' }],
    dormantAccounts: [],
    ...extra,
  };
}

const scorecard: Scorecard = {
  hallId: 'hall',
  since: '2026-11-01T00:00:00.000Z',
  now: '2026-11-30T00:00:00.000Z',
  dormantDays: 30,
  campaigns: [{ id: `c-${HOSTILE}`, createdAt: iso(T), hallWide: true }],
  members: [
    member('lead', '北京发布', { isLead: true, unanswered: 2 }),
    member('m1', `单位${HOSTILE}`, {
      medianDelayMs: 300_000,
      delaySamples: 3,
      unanswered: 5,
      missed: [{ campaignId: `c-${HOSTILE}`, why: 'failed' }],
      accounts: [
        {
          accountId: `m1/weibo`,
          platform: 'weibo',
          unknown: `RATE_LIMITED: ${HOSTILE}`,
          readFailed: true,
        },
      ],
    }),
    member('m2', '单位二', { medianDelayMs: 60_000, delaySamples: 1 }),
  ],
};

/** The `<figure>`s of a page by their `data-chart`. */
function figures(page: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of page.matchAll(
    /<figure class="chart" data-chart="([^"]+)"[\s\S]*?<\/figure>/g,
  )) {
    found.set(match[1]!, match[0]);
  }
  return found;
}

/** What a page must not hold: a script, an element from the hostile text, a URL to fetch. */
function expectInert(page: string): void {
  expect(page).not.toMatch(/<script/i);
  expect(page).not.toMatch(/<img/i);
  expect(page).not.toMatch(/<[^>]*\sonerror=/i);
  // The only URLs are the SVG namespaces.
  expect(
    page.match(/https?:\/\/[^\s"'<>]+/g)?.filter((url) => !url.startsWith('http://www.w3.org/')) ??
      [],
  ).toEqual([]);
  expect(page).toContain(
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_PAGE_POLICY}">`,
  );
  expect(REPORT_PAGE_POLICY).toContain("default-src 'none'");
  // Only local references (an SVG clip path: `url(#id)`), nothing to fetch.
  expect(page).not.toMatch(/url\((?!#)|@import/);
}

describe('the scorecard page', () => {
  it('holds the four charts, each as SVG drawn wide and narrow with its series named', async () => {
    const page = await renderScorecardPage(scorecard, { hallName: '测试厅', reach: readings });
    const charts = figures(page);
    expect([...charts.keys()]).toEqual(['delay', 'unanswered', 'reach-platform', 'reach-time']);
    for (const figure of charts.values()) {
      expect(figure.match(/<svg /g)).toHaveLength(2);
      expect(figure).toContain('<div class="chart-wide"><svg width="720"');
      expect(figure).toContain('<div class="chart-narrow"><svg width="340"');
    }
    const delay = charts.get('delay')!;
    // Delays of 1 and 5 minutes: drawn in minutes; one bar per member with a delay (not the lead).
    expect(delay).toContain('data-series="median delay (minutes)"');
    const wide = delay.slice(0, delay.indexOf('chart-narrow'));
    expect(wide.match(/ecmeta_ssr_type="chart"/g)).toHaveLength(2);
    expect(wide).toContain('>median delay (minutes)</text>');
    const unanswered = charts.get('unanswered')!;
    expect(
      unanswered.slice(0, unanswered.indexOf('chart-narrow')).match(/ecmeta_ssr_type="chart"/g),
    ).toHaveLength(3);
    expect(charts.get('reach-platform')).toContain(
      'data-series="reposts|comments|likes|reads|sent"',
    );
    expect(charts.get('reach-time')).toContain('>likes</text>');
  });

  it('escapes every text from the hall and the journal, and fetches nothing', async () => {
    const page = await renderScorecardPage(scorecard, { reach: readings });
    expectInert(page);
    expect(page).toContain(
      '单位&lt;script&gt;document.title=&#39;x&#39;&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;',
    );
    // The reason a figure is unknown is shown, escaped, and the cell is "?", not 0.
    expect(page).toContain('RATE_LIMITED: &lt;script&gt;');
    expect(page).toContain('<td class="unknown">?</td>');
    expect(page).toContain('Campaigns missed');
  });

  it('still draws every chart when nothing was read', async () => {
    const page = await renderScorecardPage({
      ...scorecard,
      members: [member('lead', '北京发布', { isLead: true })],
    });
    expect([...figures(page).keys()]).toEqual([
      'delay',
      'unanswered',
      'reach-platform',
      'reach-time',
    ]);
    expect(page).toContain('No reach readings yet');
  });
});

describe('the metrics page', () => {
  it('holds reach per platform, over time and per account, and escapes names', async () => {
    const page = await renderMetricsPage({
      campaignId: `c-${HOSTILE}`,
      readings,
      accountNames: new Map([['m1/wechat', `微信${HOSTILE}`]]),
      accounts: [
        {
          accountId: 'm2/weibo',
          memberId: 'm2',
          platform: 'weibo',
          status: 'failed',
          readings: [],
          missing: [],
          error: { code: 'AUTH_EXPIRED', message: `expired ${HOSTILE}` },
        },
      ],
      now: new Date(T),
    });
    expectInert(page);
    expect([...figures(page).keys()]).toEqual(['reach-platform', 'reach-time', 'reach-account']);
    expect(page).toContain('readings kept: 4');
    expect(page).toContain('微信&lt;script&gt;');
    expect(page).toContain('(failed): expired &lt;script&gt;');
    expect(
      page.match(/<table data-table="readings">[\s\S]*?<\/table>/)![0].match(/<tr>/g),
    ).toHaveLength(5);
  });
});

describe('the reach figures', () => {
  it('sums each post’s latest reading per platform', () => {
    expect(reachByPlatform(readings)).toEqual([
      { platform: 'weibo', counts: { reposts: 5, comments: 3, likes: 20 } },
      { platform: 'wechat', counts: { reads: 180, sent: 500 } },
    ]);
  });

  it('puts readings into rounds and keeps each post’s latest reading so far', () => {
    const points = reachOverTime(readings);
    // The first two readings are 30 s apart: one round.
    expect(ROUND_GAP_MS).toBe(300_000);
    expect(points).toEqual([
      {
        at: iso(T + 30_000),
        posts: 2,
        counts: { reposts: 2, comments: 1, likes: 10, reads: 100, sent: 500 },
      },
      {
        at: iso(T + 3_600_000),
        posts: 2,
        counts: { reposts: 5, comments: 3, likes: 20, reads: 100, sent: 500 },
      },
      {
        at: iso(T + 7_200_000),
        posts: 2,
        counts: { reposts: 5, comments: 3, likes: 20, reads: 180, sent: 500 },
      },
    ]);
  });

  it('chooses the delay unit by the longest delay', () => {
    expect(delayUnit([500, 90_000]).name).toBe('seconds');
    expect(delayUnit([90_000]).of(90_000)).toBe(90);
    expect(delayUnit([300_000]).name).toBe('minutes');
    expect(delayUnit([300_000]).of(90_000)).toBe(1.5);
    expect(delayUnit([3 * 3_600_000]).name).toBe('hours');
    expect(delayUnit([]).name).toBe('seconds');
  });

  it('draws a chart with ECharts, escaping its labels', async () => {
    const drawn = await drawChart({
      kind: 'bar',
      categories: [HOSTILE],
      series: [{ name: `s${HOSTILE}`, data: [3] }],
    });
    for (const svg of [drawn.wide, drawn.narrow]) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).not.toMatch(/<script|<img/);
    }
    expect(drawn.wide).toContain('s&lt;script&gt;');
  });
});
