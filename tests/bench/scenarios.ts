/** Every benchmark scenario, in the order `run.ts` runs them. */
import type { Scenario } from './bench-types.js';
import { crisisScenario } from './crisis-makespan.js';
import { everydayScenario } from './everyday.js';
import { scaleScenario } from './hall-scale.js';
import { overheadScenario } from './http-overhead.js';
import { rateLimitScenario } from './rate-limit-precision.js';
import { scaleOutScenario } from './scale-out.js';

/** Every scenario, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  crisisScenario,
  overheadScenario,
  scaleScenario,
  scaleOutScenario,
  rateLimitScenario,
  everydayScenario,
];
