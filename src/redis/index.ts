/**
 * `release-hall/redis`: the pieces several processes share through Redis, besides the journal
 * (`release-hall/journal/redis`): the durability check and the sliding rate windows.
 */
export {
  REDIS_REQUIREMENTS,
  checkRedisDurability,
  describeDurability,
  requireRedisDurability,
} from './durability.js';
export type {
  RedisDurability,
  RedisDurabilityProblem,
  RedisRequirement,
  RequireDurabilityOptions,
} from './durability.js';
export { createRedisRateWindows } from './rate-windows.js';
export type {
  RateWindowAnswer,
  RateWindowLimits,
  RateWindowSlot,
  RedisRateWindows,
  RedisRateWindowsOptions,
} from './rate-windows.js';
