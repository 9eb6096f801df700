/**
 * Writes the figures of a full benchmark run into the README and docs/benchmarks.md, between
 * their markers, so the published figures are always those of a run, never typed by hand. Each
 * section names the commit it was measured at; a tree with changes to anything but the figures
 * themselves is refused (the figures would belong to no commit).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { BenchRow, ScenarioResult } from './bench-types.js';
import type { BenchReport } from './format-table.js';

/** Files the benchmark writes: changes to them do not make a tree "changed". */
const WRITTEN = ['README.md', 'docs/benchmarks.md', 'reports/'];

/** Where the code measured comes from. */
export interface Provenance {
  /** The commit checked out (short hash), or `unknown` outside a git work tree. */
  readonly commit: string;
  /** Files changed since that commit, other than the ones the benchmark writes. */
  readonly changed: readonly string[];
}

/** The commit checked out in `root` and what differs from it. */
export function provenanceOf(root: string): Provenance {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
    });
    const changed = status
      .split('\n')
      .map((line) => line.slice(3).trim())
      .filter((path) => path !== '' && !WRITTEN.some((written) => path.startsWith(written)));
    return { commit, changed };
  } catch {
    return { commit: 'unknown', changed: [] };
  }
}

function verdict(row: BenchRow): string {
  if (row.pass === null) return '—';
  return row.pass ? 'pass' : '**not met**';
}

function machineLine(report: BenchReport, commit: string): string {
  const { machine } = report;
  return `Measured by \`${report.command}\` at commit \`${commit}\` on ${report.startedAt.slice(0, 10)} (${machine.cpus} × ${machine.cpuModel}, ${Math.round(machine.memoryMb / 1024)} GB, Node ${machine.node}).`;
}

/**
 * The README's section: one line per figure that has a target (the docs hold every figure). A list,
 * not a table: the figures with their ranges are too wide for a table a terminal can show.
 */
export function readmeSection(report: BenchReport, commit: string): string {
  const lines = [
    `${machineLine(report, commit)} Each figure is the median of its runs with the range in brackets, against a baseline from the same run:`,
    '',
  ];
  for (const scenario of report.scenarios) {
    for (const row of scenario.rows) {
      if (row.pass === null) continue;
      lines.push(
        `- ${scenario.name}, ${row.check}: ${row.measured} against ${row.baseline}${row.ratio === null ? '' : ` (ratio ${row.ratio})`}; target ${row.target}: ${row.pass ? 'met' : '**not met**'}`,
      );
    }
  }
  return lines.join('\n');
}

function scenarioSection(scenario: ScenarioResult): string {
  return [
    `### ${scenario.name}`,
    '',
    'Parameters:',
    '',
    ...Object.entries(scenario.parameters).map(([name, value]) => `- ${name}: ${String(value)}`),
    '',
    'Figures:',
    '',
    ...scenario.rows.map(
      (row) =>
        `- ${row.check}: measured ${row.measured}; baseline (same run) ${row.baseline}; ratio ${row.ratio ?? '—'}; target ${row.target}; result ${verdict(row)}`,
    ),
    '',
    'Notes:',
    '',
    ...scenario.notes.map((note) => `- ${note}`),
    `- took ${(scenario.durationMs / 1000).toFixed(1)} s.`,
  ].join('\n');
}

/** The figures section of docs/benchmarks.md: every scenario's parameters, figures and notes. */
export function docsSection(report: BenchReport, commit: string): string {
  return [machineLine(report, commit), '', ...report.scenarios.map(scenarioSection)].join('\n\n');
}

/**
 * The Scale-out section of docs/benchmarks.md, when the `scale-out` scenario ran: its parameters,
 * figures and notes under the line naming the commit and the machine.
 */
export function scaleOutSection(report: BenchReport, commit: string): string | undefined {
  const scenario = report.scenarios.find((each) => each.name === 'scale-out');
  if (scenario === undefined) return undefined;
  return [machineLine(report, commit), '', scenarioSection(scenario)].join('\n');
}

/** `text` with what lies between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
export function replaceBetween(text: string, name: string, body: string, file: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1 || to < from) {
    throw new Error(`${file}: expected the markers ${start} and ${end}`);
  }
  return `${text.slice(0, from + start.length)}\n\n${body}\n\n${text.slice(to)}`;
}

async function rewrite(root: string, file: string, name: string, body: string): Promise<void> {
  const path = join(root, file);
  const text = replaceBetween(readFileSync(path, 'utf8'), name, body, file);
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(text, { ...options, filepath: path }));
}

/**
 * Writes the figures of `report` into README.md and docs/benchmarks.md (the figures section, and
 * the Scale-out section when that scenario ran). Returns why it did not,
 * when it did not (a run of some scenarios only, a failed scenario, or uncommitted changes).
 */
export async function publishFigures(
  root: string,
  report: BenchReport,
  options: { readonly complete: boolean; readonly provenance: Provenance },
): Promise<string | undefined> {
  if (!options.complete) return 'only some scenarios ran';
  if (report.failures.length > 0) return 'a scenario did not finish';
  const { commit, changed } = options.provenance;
  if (changed.length > 0) {
    return `the tree differs from commit ${commit} (${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}): commit first, so the figures belong to a commit`;
  }
  await rewrite(root, 'README.md', 'bench', readmeSection(report, commit));
  await rewrite(root, 'docs/benchmarks.md', 'bench-figures', docsSection(report, commit));
  const scaleOut = scaleOutSection(report, commit);
  if (scaleOut !== undefined) {
    await rewrite(root, 'docs/benchmarks.md', 'bench-scale-out', scaleOut);
  }
  return undefined;
}
