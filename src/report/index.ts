/**
 * Report pages people look at: the member scorecard and the reach of a campaign, as
 * self-contained HTML with charts drawn to SVG on the server by Apache ECharts (docs/reports.md).
 */
export {
  type BarChartSpec,
  type ChartSeries,
  type ChartSpec,
  type DrawnChart,
  type LineChartSpec,
  drawChart,
} from './charts.js';
export { REPORT_PAGE_POLICY } from './page.js';
export { type MetricsPageInput, renderMetricsPage } from './metrics-page.js';
export { ROUND_GAP_MS, type ReachPoint, reachByPlatform, reachOverTime } from './reach-series.js';
export { type ScorecardPageOptions, renderScorecardPage } from './scorecard-page.js';
