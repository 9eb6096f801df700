/**
 * The benchmark suite of release-hall.
 *
 *   npx tsx --conditions=source tests/bench/run.ts [crisis] [overhead] [scale] [rate-limit] [everyday]
 *
 * Runs the named scenarios (all when none is named), prints one table (each figure against a
 * baseline measured in the same run, its target and whether it is met), and writes the same to
 * `reports/bench.json`. A run of every scenario on a committed tree also writes its figures into
 * README.md and docs/benchmarks.md (see `publish-figures.ts`). Exits 1 when a scenario could not
 * run; a missed target shows in the table (and the JSON) without changing the exit code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Scenario, ScenarioResult } from './bench-types.js';
import { repositoryRoot } from './bundle-script.js';
import { type BenchReport, formatNotes, formatTable } from './format-table.js';
import { provenanceOf, publishFigures } from './publish-figures.js';
import { SCENARIOS } from './scenarios.js';

function pickScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...SCENARIOS];
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.map((name) => `"${name}"`).join(', ')}: expected ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`,
    );
  }
  return SCENARIOS.filter((scenario) => names.includes(scenario.name));
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const chosen = pickScenarios(names);
  const scenarios: ScenarioResult[] = [];
  const failures: { name: string; error: string }[] = [];
  const startedAt = new Date().toISOString();
  // Taken before the run: the figures belong to the code as it was when measured.
  const provenance = provenanceOf(repositoryRoot);
  for (const scenario of chosen) {
    process.stderr.write(`bench: ${scenario.name} (${scenario.title})…\n`);
    try {
      const result = await scenario.run('full');
      scenarios.push(result);
      process.stderr.write(
        `bench: ${scenario.name} done in ${(result.durationMs / 1000).toFixed(1)} s\n`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ name: scenario.name, error: message });
      process.stderr.write(`bench: ${scenario.name} failed: ${message}\n`);
    }
  }
  const cpu = cpus();
  const report: BenchReport = {
    command: `npm run bench${names.length > 0 ? ` -- ${names.join(' ')}` : ''}`,
    startedAt,
    commit: provenance.commit,
    changedFiles: provenance.changed,
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryMb: Math.round(totalmem() / 2 ** 20),
    },
    scenarios,
    failures,
  };
  const directory = join(repositoryRoot, 'reports');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${formatTable(report)}\n\n${formatNotes(report)}\n\nMachine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryMb} MB, Node ${report.machine.node}. JSON: reports/bench.json\n`,
  );
  const notPublished = await publishFigures(repositoryRoot, report, {
    complete: names.length === 0,
    provenance,
  });
  process.stderr.write(
    notPublished === undefined
      ? `bench: figures of commit ${provenance.commit} written to README.md and docs/benchmarks.md\n`
      : `bench: README.md and docs/benchmarks.md left as they were: ${notPublished}\n`,
  );
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
