/** The shapes every benchmark scenario reports in, for the table and `reports/bench.json`. */

/** A figure as stored in the JSON report. */
export type Figure = number | string | boolean | null;

/** One line of the table: one measured figure against its baseline and target. */
export interface BenchRow {
  /** What is compared, e.g. "makespan vs ideal critical path". */
  readonly check: string;
  /** The measured figure, formatted with its unit. */
  readonly measured: string;
  /** The baseline measured (or computed) in the same run, formatted with its unit. */
  readonly baseline: string;
  /** measured ÷ baseline (or as stated in `check`); `null` when there is no ratio. */
  readonly ratio: number | null;
  /** The target, e.g. "≤ 1.15"; `—` for a figure shown for comparison only. */
  readonly target: string;
  /** Whether the target is met; `null` for a figure without a target. */
  readonly pass: boolean | null;
}

/** What one scenario reports. */
export interface ScenarioResult {
  /** Short name, as given on the command line (`crisis`, `overhead`, `scale`, `rate-limit`). */
  readonly name: string;
  readonly title: string;
  /** The parameters it ran with, stated in full. */
  readonly parameters: Readonly<Record<string, Figure>>;
  readonly rows: readonly BenchRow[];
  /** Every raw figure measured, for the JSON report. */
  readonly figures: Readonly<Record<string, Figure>>;
  /** What bounds the figures, what was left out, and why. */
  readonly notes: readonly string[];
  readonly durationMs: number;
}

/** How big a run is: `full` for the table, `smoke` for the test that only checks it runs. */
export type BenchSize = 'full' | 'smoke';

/** A scenario of the suite. */
export interface Scenario {
  readonly name: string;
  readonly title: string;
  run(size: BenchSize): Promise<ScenarioResult>;
}
