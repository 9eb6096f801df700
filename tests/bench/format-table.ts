/** The benchmark table: one Markdown table for the terminal and the README, and the JSON report. */
import type { BenchRow, ScenarioResult } from './bench-types.js';

/** What `reports/bench.json` holds. */
export interface BenchReport {
  readonly command: string;
  readonly startedAt: string;
  /** The commit measured (short hash). */
  readonly commit: string;
  /** Files that differed from that commit when the run began (the figures' own files aside). */
  readonly changedFiles: readonly string[];
  readonly machine: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryMb: number;
  };
  readonly scenarios: readonly ScenarioResult[];
  /** Scenarios that threw, with the error. */
  readonly failures: readonly { readonly name: string; readonly error: string }[];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function verdict(row: BenchRow): string {
  if (row.pass === null) return '—';
  return row.pass ? 'pass' : '**FAIL**';
}

function parametersText(scenario: ScenarioResult): string {
  return Object.entries(scenario.parameters)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('; ');
}

/**
 * The table: one line per figure, each scenario's first line naming it and its parameters.
 * Ratios are measured ÷ baseline, both from the same run.
 */
export function formatTable(report: BenchReport): string {
  const lines = [
    '| Scenario | Parameters | Check | Measured | Baseline (same run) | Ratio | Target | Result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const scenario of report.scenarios) {
    scenario.rows.forEach((row, index) => {
      const first = index === 0;
      lines.push(
        `| ${first ? `**${cell(scenario.name)}**` : ''} | ${first ? cell(parametersText(scenario)) : ''} | ${cell(row.check)} | ${cell(row.measured)} | ${cell(row.baseline)} | ${row.ratio === null ? '—' : row.ratio} | ${cell(row.target)} | ${verdict(row)} |`,
      );
    });
  }
  for (const failure of report.failures) {
    lines.push(
      `| **${cell(failure.name)}** | | did not finish | ${cell(failure.error)} | | — | | **FAIL** |`,
    );
  }
  return lines.join('\n');
}

/** The notes of every scenario, as a list under the table. */
export function formatNotes(report: BenchReport): string {
  return report.scenarios
    .flatMap((scenario) => [
      ...scenario.notes.map((note) => `- ${scenario.name}: ${note}`),
      `- ${scenario.name}: took ${(scenario.durationMs / 1000).toFixed(1)} s.`,
    ])
    .join('\n');
}
