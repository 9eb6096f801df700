/**
 * The shell every report page shares: a self-contained HTML document (inline stylesheet, charts
 * as inline SVG, no script, no font or picture fetched) whose Content-Security-Policy forbids any
 * request, laid out from 320 px up without anything wider than the screen. Wide tables scroll
 * inside their own box. Every text put into the page goes through {@link escapeHtml}.
 */
import {
  BASE_PAGE_STYLE,
  SELF_CONTAINED_PAGE_POLICY,
  selfContainedPage,
} from '../render/page-shell.js';
import { escapeHtml } from '../render/preview-page-text.js';
import { type ChartSpec, drawChart } from './charts.js';

export { escapeHtml };

/** The report pages' Content-Security-Policy: inline styles only, no request at all. */
export const REPORT_PAGE_POLICY = SELF_CONTAINED_PAGE_POLICY;

/** The report pages' CSS: system fonts only, no `url()`, no `@import`. */
export const REPORT_PAGE_STYLE = `${BASE_PAGE_STYLE}
h2 { font-size: 1.1rem; margin: 0 0 8px; }
p { margin: 6px 0; }
ul { margin: 6px 0; padding-left: 1.2em; }
.page { max-width: 1240px; margin: 0 auto; }
.facts { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 0; padding: 0; list-style: none; }
.facts li { background: #e4e8ee; border-radius: 12px; padding: 2px 10px; font-size: 0.85rem; }
section, figure.chart {
  min-width: 0;
  background: #fff;
  border-radius: 8px;
  padding: 12px 14px;
  margin: 12px 0;
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.08);
}
.charts { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 12px; }
@media (min-width: 980px) {
  body { padding: 20px; }
  .charts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
figure.chart figcaption { font-weight: 600; margin: 0 0 6px; }
figure.chart .note { font-size: 0.85rem; color: #57606a; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 100%; }
.chart-narrow { display: none; }
@media (max-width: 599px) {
  .chart-wide { display: none; }
  .chart-narrow { display: block; }
}
.table-wrap { overflow-x: auto; max-width: 100%; }
table {
  border-collapse: collapse;
  font-size: 0.85rem;
  min-width: 100%;
  /* Words stay whole in cells (the box scrolls instead); a word too long still breaks. */
  overflow-wrap: break-word;
  word-break: normal;
}
td { min-width: 3em; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #d8dee4; vertical-align: top; }
th { background: #f6f8fa; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.unknown { color: #9a6700; }
tr.lead td:first-child::after { content: " (lead)"; color: #57606a; }
.flag { color: #cf222e; font-weight: 600; }
footer { color: #57606a; font-size: 0.8rem; margin: 16px 0 4px; }
`;

/** One chart of a page: what it shows and its drawing. */
export interface PageChart {
  /** A short id the page marks the figure with (`data-chart`). */
  readonly id: string;
  readonly title: string;
  /** A line under the title: what is counted, what is left out. */
  readonly note?: string;
  readonly spec: ChartSpec;
}

/** A `<figure>` holding the chart drawn at both widths, marked with its id and series names. */
export async function chartFigure(chart: PageChart): Promise<string> {
  const drawn = await drawChart(chart.spec);
  const names = chart.spec.series.map((series) => series.name).join('|');
  return (
    `<figure class="chart" data-chart="${escapeHtml(chart.id)}" data-series="${escapeHtml(names)}">` +
    `<figcaption>${escapeHtml(chart.title)}</figcaption>` +
    (chart.note === undefined ? '' : `<p class="note">${escapeHtml(chart.note)}</p>`) +
    `<div class="chart-wide">${drawn.wide}</div>` +
    `<div class="chart-narrow">${drawn.narrow}</div>` +
    `</figure>`
  );
}

/** One cell of a table: text, or a number (right-aligned); `undefined` shows as `?`. */
export type Cell =
  string | number | undefined | { readonly text: string; readonly className: string };

function cellHtml(cell: Cell): string {
  if (cell === undefined) return '<td class="unknown">?</td>';
  if (typeof cell === 'number') return `<td class="num">${escapeHtml(String(cell))}</td>`;
  if (typeof cell === 'string') return `<td>${escapeHtml(cell)}</td>`;
  return `<td class="${escapeHtml(cell.className)}">${escapeHtml(cell.text)}</td>`;
}

/** A table in a box that scrolls sideways when it is wider than the screen. */
export function table(
  headers: readonly { readonly text: string; readonly numeric?: boolean }[],
  rows: readonly { readonly cells: readonly Cell[]; readonly className?: string }[],
  name: string,
): string {
  const head = headers
    .map((header) =>
      header.numeric === true
        ? `<th class="num" scope="col">${escapeHtml(header.text)}</th>`
        : `<th scope="col">${escapeHtml(header.text)}</th>`,
    )
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr${row.className === undefined ? '' : ` class="${escapeHtml(row.className)}"`}>${row.cells.map(cellHtml).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table data-table="${escapeHtml(name)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A time as Beijing time (UTC+8, no daylight saving), `YYYY-MM-DD HH:mm`. */
export function beijingTime(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return new Date(at + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** The whole document around a page's body. */
export function pageDocument(title: string, body: readonly string[], footer: string): string {
  return selfContainedPage(title, REPORT_PAGE_STYLE, body, footer);
}
