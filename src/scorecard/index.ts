/**
 * The member scorecard (考核): one row per member of a hall over a period (docs/scorecard.md).
 * `computeScorecard` is pure; `readScorecard` reads the journal and the accounts' activity first.
 */
export { computeScorecard, didPost, latestReadings, median, postedAt } from './compute.js';
export {
  type ReadScorecardOptions,
  readScorecard,
  readScorecardInput,
  selectionOf,
} from './read-scorecard.js';
export {
  SCORECARD_CSV_COLUMNS,
  formatDuration,
  scorecardCsv,
  scorecardTable,
  unknownOf,
} from './render-scorecard.js';
export type * from './types.js';
