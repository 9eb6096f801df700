/**
 * The reach report of one campaign as a page (docs/reports.md): reach per platform, reach over
 * time (from every reading the journal keeps, so collecting at several times draws a line) and
 * reach per account, drawn to SVG on the server; under them each post's latest reading, the
 * accounts that could not be read and why, and every reading. Self-contained; every text is
 * escaped.
 */
import type { ReachCount } from '../adapter.js';
import type { ReachReading } from '../journal/reach.js';
import type { ReachAccountResult } from '../metrics/collect.js';
import { reachTotals } from '../metrics/collect.js';
import { latestReadings } from '../scorecard/compute.js';
import { type Cell, beijingTime, chartFigure, escapeHtml, pageDocument, table } from './page.js';
import { reachCharts } from './reach-charts.js';
import { countsPresent } from './reach-series.js';

/** What the metrics page shows. */
export interface MetricsPageInput {
  readonly campaignId: string;
  /** Every reading of the campaign's posts the journal keeps (`listReach`). */
  readonly readings: readonly ReachReading[];
  /** The hall's name, for the title. */
  readonly hallName?: string | undefined;
  /** A name to show for an account id (its member's name). @default the account id */
  readonly accountNames?: ReadonlyMap<string, string> | undefined;
  /** The accounts of the latest collection, to list those not read and why. */
  readonly accounts?: readonly ReachAccountResult[] | undefined;
  /** When the page is made. @default now */
  readonly now?: Date | undefined;
}

/** Renders the reach page of a campaign; draws its charts with ECharts (loaded on first use). */
export async function renderMetricsPage(input: MetricsPageInput): Promise<string> {
  const { readings, campaignId } = input;
  const latest = latestReadings(readings);
  const counts: readonly ReachCount[] =
    countsPresent(readings).length === 0
      ? ['reposts', 'comments', 'likes']
      : countsPresent(readings);
  const accountIds = [...new Set(latest.map((reading) => reading.accountId))];
  const nameOf = (accountId: string): string => input.accountNames?.get(accountId) ?? accountId;
  const perAccount = accountIds.map((accountId) => ({
    accountId,
    counts: reachTotals(latest.filter((reading) => reading.accountId === accountId)),
  }));
  const charts = [
    ...(await reachCharts(readings)),
    await chartFigure({
      id: 'reach-account',
      title: 'Reach per account',
      note: 'Each post’s latest reading, the counts stacked.',
      spec: {
        kind: 'bar',
        stacked: true,
        categories: perAccount.map((entry) => nameOf(entry.accountId)),
        series: counts.map((name) => ({
          name,
          data: perAccount.map((entry) => entry.counts[name] ?? null),
        })),
      },
    }),
  ];
  const totals = reachTotals(latest);
  const title = `Reach of campaign ${campaignId}`;
  const facts = [
    ...(input.hallName === undefined ? [] : [`hall: ${input.hallName}`]),
    `posts read: ${latest.length}`,
    `readings kept: ${readings.length}`,
    ...counts.map((name) => `${name}: ${totals[name] ?? 0}`),
  ];
  const notRead = (input.accounts ?? []).filter((account) => account.status !== 'read');
  const readingRow = (reading: ReachReading): { cells: Cell[] } => ({
    cells: [
      nameOf(reading.accountId),
      reading.platform,
      reading.postId,
      ...counts.map((name) => reading[name] ?? '-'),
      beijingTime(reading.readAt),
    ],
  });
  const readingHeaders = [
    { text: 'account' },
    { text: 'platform' },
    { text: 'post' },
    ...counts.map((name) => ({ text: name, numeric: true })),
    { text: 'read at (Beijing time)' },
  ];
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<ul class="facts">${facts.map((fact) => `<li>${escapeHtml(fact)}</li>`).join('')}</ul>`,
    `<div class="charts">${charts.join('\n')}</div>`,
    `<section class="latest"><h2>Latest reading of each post</h2>${table(readingHeaders, latest.map(readingRow), 'latest')}</section>`,
    notRead.length === 0
      ? ''
      : `<section class="unknown"><h2>Not read</h2><ul>${notRead
          .map(
            (account) =>
              `<li><strong>${escapeHtml(nameOf(account.accountId))}</strong> (${escapeHtml(account.status)}): ${escapeHtml(account.error?.message ?? 'stopped before it was read')}</li>`,
          )
          .join('')}</ul></section>`,
    `<section class="readings"><h2>Every reading</h2>${table(readingHeaders, readings.map(readingRow), 'readings')}</section>`,
  ];
  return pageDocument(
    title,
    body.filter((part) => part !== ''),
    `release-hall metrics, made ${(input.now ?? new Date()).toISOString()}. “-” is a count the platform does not give.`,
  );
}
