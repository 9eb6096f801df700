/**
 * The scorecard and metrics pages in a real browser (headless Chromium), made from a hall's
 * campaign over the Weibo sandbox (scorecard-sandbox.ts). At a phone's width and a desktop's,
 * every chart shows as an SVG drawn by ECharts with the expected series (one bar per member, a
 * legend entry per series, a point per round of readings), the tables are under them, markup in
 * a member's name stays text, nothing is wider than the screen, and the page asks for nothing
 * from the network. Screenshots go to reports/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasReach } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { renderMetricsPage, renderScorecardPage } from '../../src/report/index.js';
import { type Scorecard, computeScorecard, readScorecardInput } from '../../src/scorecard/index.js';
import type { ReachReading } from '../../src/index.js';
import { BROWSER_LAUNCH_TIMEOUT_MS, launchChromium } from '../helpers/browser.js';
import { HOSTILE, type ScorecardWorld, scorecardWorld } from './scorecard-sandbox.js';

const PAGE_URL = 'http://report.release-hall.test/';
const reports = fileURLToPath(new URL('../../reports/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

let browser: Browser | undefined;
let world: ScorecardWorld | undefined;
let scorecard: Scorecard;
let readings: readonly ReachReading[];
const pages = { scorecard: '', metrics: '' };

beforeAll(async () => {
  if (!hasChromium) return;
  browser = await launchChromium();
  world = await scorecardWorld();
  const journal = new SqliteJournal(world.journalFile, { readOnly: true });
  try {
    const input = await readScorecardInput({
      hall: world.hall,
      adapters: [world.adapter],
      credentials: world.sandbox.credentials,
      journal,
      since: world.since,
    });
    scorecard = computeScorecard(input);
    if (!hasReach(journal)) throw new Error('the SQLite journal keeps reach');
    readings = await journal.listReach(world.report.campaignId);
    pages.scorecard = await renderScorecardPage(scorecard, {
      hallName: world.hall.hall.name,
      reach: input.reach,
    });
    pages.metrics = await renderMetricsPage({
      campaignId: world.report.campaignId,
      hallName: world.hall.hall.name,
      readings,
      accountNames: new Map(
        world.hall.hall.members.map((member) => [`${member.id}/weibo`, member.name]),
      ),
    });
  } finally {
    await journal.close();
  }
}, BROWSER_LAUNCH_TIMEOUT_MS * 2);

afterAll(async () => {
  await browser?.close();
  await world?.sandbox.close();
});

/** Opens `body` at `width`, answering only the page's own URL; runs `check`, then screenshots. */
async function openPage(
  body: string,
  width: number,
  screenshot: string | undefined,
  check: (tab: Page) => Promise<void>,
): Promise<void> {
  if (browser === undefined) throw new Error('Chromium did not start');
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  try {
    const tab = await context.newPage();
    const requested: string[] = [];
    await tab.route('**', async (route) => {
      const url = route.request().url();
      requested.push(url);
      if (url === PAGE_URL) {
        await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body });
      } else await route.abort('blockedbyclient');
    });
    const failed: string[] = [];
    tab.on('requestfailed', (request) => failed.push(request.url()));
    await tab.goto(PAGE_URL, { waitUntil: 'load' });

    await check(tab);

    expect(await tab.evaluate('document.body.dataset.ran ?? null')).toBeNull();
    const widths = await tab.evaluate<{ scroll: number; body: number; viewport: number }>(
      '({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, viewport: window.innerWidth })',
    );
    expect(widths.viewport).toBe(width);
    expect(widths.scroll).toBeLessThanOrEqual(width);
    expect(widths.body).toBeLessThanOrEqual(width);
    if (screenshot !== undefined) {
      mkdirSync(reports, { recursive: true });
      await tab.screenshot({ path: `${reports}${screenshot}`, fullPage: true });
    }
    expect(requested).toEqual([PAGE_URL]);
    expect(failed).toEqual([]);
  } finally {
    await context.close();
  }
}

/** The SVG of a chart that shows at this width (each chart is drawn wide and narrow). */
async function shownSvg(tab: Page, chart: string): Promise<Locator> {
  const figure = tab.locator(`figure[data-chart="${chart}"]`);
  expect(await figure.count()).toBe(1);
  const svg = figure.locator('svg').filter({ visible: true });
  await expect.poll(() => svg.count()).toBe(1);
  const box = await svg.boundingBox();
  expect(box?.width).toBeGreaterThan(200);
  expect(box?.height).toBeGreaterThan(100);
  return svg;
}

/** The data marks of series `index` (bars, or a line's points). */
function marks(svg: Locator, index: number): Locator {
  return svg.locator(`path[ecmeta_ssr_type="chart"][ecmeta_series_index="${index}"]`);
}

/** The texts of the SVG (legend entries, axis labels). */
async function texts(svg: Locator): Promise<string[]> {
  return svg.locator('text').allTextContents();
}

describe.skipIf(!hasChromium)(
  `the report pages in Chromium (skipped when ${CHROMIUM} is absent)`,
  () => {
    it.each([1280, 360])(
      'the scorecard at %i px: four charts with their series, the tables, no overflow, no request',
      async (width) => {
        await openPage(pages.scorecard, width, `scorecard-${width}.png`, async (tab) => {
          const withDelay = scorecard.members.filter(
            (member) => member.medianDelayMs !== undefined,
          );
          expect(withDelay.map((member) => member.memberId)).toEqual(['m1', 'm2']);
          const delay = await shownSvg(tab, 'delay');
          expect(await marks(delay, 0).count()).toBe(withDelay.length);
          // The sandbox relays within seconds: the chart is drawn in seconds.
          expect(await texts(delay)).toContain('median delay (seconds)');
          expect(await tab.locator('figure[data-chart="delay"]').getAttribute('data-series')).toBe(
            'median delay (seconds)',
          );

          const unanswered = await shownSvg(tab, 'unanswered');
          expect(await marks(unanswered, 0).count()).toBe(scorecard.members.length);
          expect(await texts(unanswered)).toContain('unanswered');

          const byPlatform = await shownSvg(tab, 'reach-platform');
          const platformTexts = await texts(byPlatform);
          for (const name of ['reposts', 'comments', 'likes'])
            expect(platformTexts).toContain(name);
          expect(platformTexts).toContain('Weibo');
          // One platform: one bar per count, stacked.
          for (const index of [0, 1, 2]) expect(await marks(byPlatform, index).count()).toBe(1);

          const overTime = await shownSvg(tab, 'reach-time');
          expect(await texts(overTime)).toContain('likes');
          // Two rounds of readings: two points per line.
          expect(await marks(overTime, 2).count()).toBe(2);

          const rows = tab.locator('table[data-table="members"] tbody tr');
          expect(await rows.count()).toBe(scorecard.members.length);
          expect(await tab.locator('tr.lead').count()).toBe(1);
          expect(await tab.getByText(`单位二${HOSTILE}`).count()).toBeGreaterThan(0);
          expect(await tab.locator('section.missed').textContent()).toContain('(failed)');
        });
      },
      60_000,
    );

    it('the metrics page at 1280 px: reach per platform, over time and per account', async () => {
      await openPage(pages.metrics, 1280, 'metrics-1280.png', async (tab) => {
        const accounts = new Set(readings.map((reading) => reading.accountId));
        expect(accounts.size).toBe(3);
        const perAccount = await shownSvg(tab, 'reach-account');
        for (const index of [0, 1, 2]) {
          expect(await marks(perAccount, index).count()).toBe(accounts.size);
        }
        expect(await texts(perAccount)).toEqual(expect.arrayContaining(['reposts', 'likes']));
        const overTime = await shownSvg(tab, 'reach-time');
        expect(await marks(overTime, 0).count()).toBe(2);
        await shownSvg(tab, 'reach-platform');
        expect(await tab.locator('table[data-table="readings"] tbody tr').count()).toBe(
          readings.length,
        );
      });
    }, 60_000);
  },
);
