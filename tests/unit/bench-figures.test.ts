/**
 * The benchmark's published figures: the README and docs sections are replaced between their
 * markers only, and say which commit they were measured at.
 */
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../bench/format-table.js';
import { readmeSection, replaceBetween } from '../bench/publish-figures.js';

const report: BenchReport = {
  command: 'npm run bench',
  startedAt: '2026-12-03T10:00:00.000Z',
  commit: 'abc123def456',
  changedFiles: [],
  machine: {
    node: 'v20.20.2',
    platform: 'linux x64',
    cpus: 2,
    cpuModel: 'Test CPU',
    memoryMb: 24_576,
  },
  scenarios: [
    {
      name: 'crisis',
      title: 'Crisis makespan',
      parameters: {},
      rows: [
        {
          check: 'time to last post | vs ideal',
          measured: '900 ms (850–950, 3 runs)',
          baseline: '800 ms ideal',
          ratio: 1.125,
          target: '≤ 1.25',
          pass: true,
        },
        {
          check: 'naive loop',
          measured: '9 s',
          baseline: '0.9 s',
          ratio: 10,
          target: '—',
          pass: null,
        },
        {
          check: 'peak RSS',
          measured: '400 MB',
          baseline: '300 MB',
          ratio: 1.33,
          target: '< 300 MB',
          pass: false,
        },
      ],
      figures: {},
      notes: [],
      durationMs: 1_000,
    },
  ],
  failures: [],
};

describe('published benchmark figures', () => {
  it('replaces only what lies between the markers', () => {
    const text = 'before\n<!-- bench:start -->\nold table\n<!-- bench:end -->\nafter\n';
    const out = replaceBetween(text, 'bench', 'new table', 'README.md');
    expect(out).toBe('before\n<!-- bench:start -->\n\nnew table\n\n<!-- bench:end -->\nafter\n');
  });

  it('refuses a file without its markers, naming the file and the markers', () => {
    expect(() => replaceBetween('no markers here', 'bench', 'x', 'README.md')).toThrow(
      'README.md: expected the markers <!-- bench:start --> and <!-- bench:end -->',
    );
  });

  it('names the commit and the machine, lists each figure with a target, and marks a missed one', () => {
    const section = readmeSection(report, 'abc123def456');
    expect(section).toContain('at commit `abc123def456`');
    expect(section).toContain('2 × Test CPU, 24 GB, Node v20.20.2');
    const lines = section.split('\n').filter((line) => line.startsWith('- '));
    expect(lines).toEqual([
      '- crisis, time to last post | vs ideal: 900 ms (850–950, 3 runs) against 800 ms ideal (ratio 1.125); target ≤ 1.25: met',
      '- crisis, peak RSS: 400 MB against 300 MB (ratio 1.33); target < 300 MB: **not met**',
    ]);
  });
});
