/**
 * release-hall: fan one statement out across a release hall of government accounts.
 * @packageDocumentation
 */
export * from './adapter.js';
export * from './errors.js';
export * from './events.js';
export * from './logger.js';
export * from './redact.js';
export * from './http/request.js';
export * from './model/hall.js';
export * from './model/statement.js';
export * from './run/types.js';
export * from './credentials.js';
export * from './journal/journal.js';
export * from './model/load.js';
export { formatPath } from './model/issues.js';
export * from './plan/plan-campaign.js';
export * from './render/render-text.js';
export * from './render/templates.js';
export * from './render/render-article.js';
export * from './render/render-statement.js';
export * from './render/fit-profile.js';
export * from './render/preview.js';
export {
  type Span,
  closeSentence,
  containsFact,
  findLinks,
  findNumbers,
  protectedSpans,
  splitClauses,
  splitParagraphs,
} from './render/split-text.js';
export * from './lint/lint-types.js';
export * from './lint/discouraged-phrases.js';
export { type LintOptions, isOnDomain, lintStatement } from './lint/lint-statement.js';
export { type NumberSlot, numberSlots } from './lint/check-consistency.js';
export * from './run/options.js';
export { Coordinator, type CoordinatorInput } from './run/coordinator.js';
export * from './publisher.js';
export * from './cli/report.js';
export * from './journal/sqlite-journal.js';
