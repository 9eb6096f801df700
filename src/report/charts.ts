/**
 * The charts of the reports, drawn by Apache ECharts on the server as SVG text (server-side
 * rendering: no DOM, no script in the page). ECharts is imported only when a chart is drawn, so
 * loading the library does not load it. Every chart is drawn twice, at a desktop's width and at a
 * phone's, and the page's stylesheet shows the one that fits; each `<svg>` is scaled to its box.
 *
 * ECharts escapes the text it writes into the SVG (axis labels, legend and series names), and the
 * page puts each SVG inside a `<figure>` whose attributes are escaped by the page.
 */
import type { EChartsOption } from 'echarts';

/** One series of a chart; `null` is a value not known (no bar, a gap in a line). */
export interface ChartSeries {
  readonly name: string;
  readonly data: readonly (number | null)[];
}

/** A bar chart: one bar per category and series; `stacked` piles the series on one another. */
export interface BarChartSpec {
  readonly kind: 'bar';
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly stacked?: boolean;
  /** The unit of the values, shown on the value axis, e.g. `minutes`. */
  readonly unit?: string;
}

/** A line chart: one point per time and series. */
export interface LineChartSpec {
  readonly kind: 'line';
  /** The labels of the points, in order (e.g. times). */
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly unit?: string;
}

/** A chart to draw. */
export type ChartSpec = BarChartSpec | LineChartSpec;

/** The two drawings of a chart. */
export interface DrawnChart {
  /** Drawn 720 px wide. */
  readonly wide: string;
  /** Drawn 340 px wide, labels cut shorter. */
  readonly narrow: string;
}

/** The colours of the series, in order: readable on white, told apart without colour names. */
const PALETTE = ['#3b6fd8', '#e0822b', '#2f9e6a', '#b3478f', '#7a6cd8', '#8c959f'];

const FONT =
  'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

/** The data of a series as ECharts takes it: `'-'` for a value not known. */
function seriesData(data: readonly (number | null)[]): (number | string)[] {
  return data.map((value) => (value === null ? '-' : value));
}

function optionOf(spec: ChartSpec, width: number): EChartsOption {
  const narrow = width < 500;
  const labelWidth = narrow ? 88 : 160;
  const legend = {
    top: 0,
    left: 'center',
    textStyle: { fontFamily: FONT, fontSize: 12 },
    data: spec.series.map((series) => series.name),
  };
  const grid = {
    top: 36,
    left: 8,
    right: narrow ? 16 : 24,
    bottom: 8,
    outerBoundsMode: 'same' as const,
    containLabel: true,
  };
  const valueAxis = {
    type: 'value' as const,
    ...(spec.unit === undefined
      ? {}
      : {
          name: spec.unit,
          nameLocation: 'middle' as const,
          nameGap: 24,
          nameTextStyle: { fontFamily: FONT },
        }),
    axisLabel: { fontFamily: FONT, fontSize: 11 },
    minInterval: 1,
  };
  if (spec.kind === 'bar') {
    return {
      animation: false,
      color: PALETTE,
      legend,
      grid: { ...grid, bottom: spec.unit === undefined ? 8 : 28 },
      // Members' names are long: categories go down the side, bars run across.
      yAxis: {
        type: 'category',
        inverse: true,
        data: [...spec.categories],
        axisLabel: {
          fontFamily: FONT,
          fontSize: 12,
          width: labelWidth,
          overflow: 'truncate',
        },
      },
      xAxis: valueAxis,
      series: spec.series.map((series) => ({
        name: series.name,
        type: 'bar',
        data: seriesData(series.data),
        barMaxWidth: 22,
        ...(spec.stacked === true ? { stack: 'total' } : {}),
      })),
    };
  }
  return {
    animation: false,
    color: PALETTE,
    legend,
    grid: { ...grid, bottom: 8 },
    xAxis: {
      type: 'category',
      data: [...spec.categories],
      // Points in the middle of their bands, so the first and last labels are not cut.
      boundaryGap: true,
      axisLabel: { fontFamily: FONT, fontSize: 11, hideOverlap: true },
    },
    yAxis: valueAxis,
    series: spec.series.map((series) => ({
      name: series.name,
      type: 'line',
      data: seriesData(series.data),
      showSymbol: true,
      connectNulls: false,
    })),
  };
}

/** The height a chart needs: bar charts grow with their categories. */
function heightOf(spec: ChartSpec, narrow: boolean): number {
  if (spec.kind === 'line') return narrow ? 240 : 300;
  const rows = Math.max(spec.categories.length, 1);
  const perRow = spec.stacked === true || spec.series.length === 1 ? 34 : 22 * spec.series.length;
  return Math.max(180, 80 + rows * perRow);
}

/** Draws one chart at one width to SVG text. */
async function draw(spec: ChartSpec, width: number): Promise<string> {
  const echarts = await import('echarts');
  const height = heightOf(spec, width < 500);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(optionOf(spec, width));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Draws a chart at a desktop's width and at a phone's. */
export async function drawChart(spec: ChartSpec): Promise<DrawnChart> {
  return { wide: await draw(spec, 720), narrow: await draw(spec, 340) };
}
