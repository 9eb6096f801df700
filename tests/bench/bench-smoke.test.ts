/**
 * A tiny run of every benchmark scenario: each produces its figures. No timing is asserted (the
 * benchmarks themselves run with `npm run bench`).
 */
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './scenarios.js';

describe('the benchmark scenarios, at a tiny size', () => {
  it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))(
    '%s produces its figures',
    async (_name, scenario) => {
      const result = await scenario.run('smoke');
      expect(result.name).toBe(scenario.name);
      expect(Object.keys(result.parameters).length).toBeGreaterThan(0);
      expect(result.rows.length).toBeGreaterThan(0);
      for (const row of result.rows) {
        expect(row.measured).not.toBe('');
        expect(row.baseline).not.toBe('');
        expect(row.ratio === null || Number.isFinite(row.ratio)).toBe(true);
      }
      expect(Object.keys(result.figures).length).toBeGreaterThan(0);
    },
    60_000,
  );
});
