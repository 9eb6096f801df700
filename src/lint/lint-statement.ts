/**
 * The statement linter: what a press officer should fix before a statement goes out, each finding
 * with its place and its fix. It reads the statement as written — a parsed statement or the raw
 * data of a statement file; it does not need it to pass the schema first, so it can report every
 * problem at once — and, when given, the hall, the renditions planned for every account, and the
 * platforms' profiles.
 *
 * | rule | severity | when |
 * | --- | --- | --- |
 * | `invalid-statement` | error | what the statement schema refuses (unsafe characters, sizes, kind, link, types): publish refuses it too |
 * | `rebuttal-missing-rumor` / `-facts` / `-source` | error | a rebuttal without the rumor, the facts, or the evidence (source) |
 * | `missing-issuer` / `missing-time` | error | no issuer; no issue time with an offset |
 * | `missing-reference` | warning | an update or correction without `refersTo` |
 * | `key-fact-not-in-text` | error | a key fact the statement's own text never writes |
 * | `key-fact-inconsistent` | error | a post lacks a key fact it had room for, or lacks it and links nowhere |
 * | `number-mismatch` | error | a number differs from the statement's (or most accounts') in the same clause |
 * | `topic-on-share-only` | error / warning | `#topic#` in text for a platform that refuses topics (error); `topics` that will be left out there (warning) |
 * | `link-outside-safe-domain` | error / warning | the full-text link (error) or a link in the text (warning) off the hall's `site.domain` |
 * | `discouraged-phrase` | by phrase | a phrase from the discouraged list; chatty forms are errors in a `crisis` statement |
 * | `rendition-over-limit` | error | a rendition longer than its platform accepts |
 *
 * A hall's `lint` settings (or `options.settings`) add phrases to the discouraged list, switch
 * rules off and give rules another severity; `invalid-statement` stays on, as an error.
 */
import type { StatementInput } from '../model/statement.js';
import { parseLintSettings, resolveLintSettings } from './lint-settings.js';
import type { LintFinding, LintOptions, LintResult } from './lint-types.js';
import { consistentRenditions } from './rules/consistent-renditions.js';
import { discouragedPhrase } from './rules/discouraged-phrase.js';
import { keyFactNotInText } from './rules/key-fact-not-in-text.js';
import { type StatementRule, lintContext, readStatement } from './rules/lint-context.js';
import { linkOutsideSafeDomain } from './rules/link-outside-safe-domain.js';
import { renditionOverLimit } from './rules/rendition-over-limit.js';
import { followUpReference, issuerAndTime, rebuttalParts } from './rules/required-parts.js';
import { statementSchema } from './rules/statement-schema.js';
import { topicOnShareOnly } from './rules/topic-on-share-only.js';

export type { LintOptions } from './lint-types.js';
export { isOnDomain } from './rules/link-outside-safe-domain.js';

/** The rules, in the order their findings are reported (errors first, then warnings). */
const RULES: readonly StatementRule[] = [
  rebuttalParts,
  issuerAndTime,
  followUpReference,
  keyFactNotInText,
  discouragedPhrase,
  linkOutsideSafeDomain,
  topicOnShareOnly,
  renditionOverLimit,
  consistentRenditions,
];

/**
 * Lints a statement, and the renditions planned from it when given, with the hall's `lint`
 * settings (or `options.settings`). Throws `INVALID_INPUT` for `options.settings` it cannot take.
 *
 * @example
 * const { findings } = lintStatement(statement, {
 *   hall: publisher.hall.hall,
 *   renditions: preview.deliveries,
 *   profiles: adapters,
 * });
 */
export function lintStatement(
  input: StatementInput | Readonly<Record<string, unknown>>,
  options: LintOptions = {},
): LintResult {
  const settings = resolveLintSettings(
    options.settings === undefined ? options.hall?.lint : parseLintSettings(options.settings),
  );
  const statement = readStatement(input);
  const context = lintContext(input, statement, options, settings);
  // A rule switched off says nothing; a rule given another severity says it with that one.
  const set = (finding: LintFinding): LintFinding[] => {
    if (settings.off.has(finding.rule)) return [];
    const severity = settings.severity.get(finding.rule);
    return severity === undefined || severity === finding.severity
      ? [finding]
      : [{ ...finding, severity }];
  };
  const told = RULES.flatMap((rule) => rule(statement, context)).flatMap(set);
  // The schema's refusals first, for the fields no rule has found an error in.
  const fieldOf = (path: string): string => path.split(/[.[]/)[0] ?? path;
  const toldFields = new Set(
    told.filter((finding) => finding.severity === 'error').map((finding) => fieldOf(finding.path)),
  );
  const findings = [
    ...statementSchema(statement, context).filter(
      (finding) => !toldFields.has(fieldOf(finding.path)),
    ),
    ...told,
  ];
  const ordered = [
    ...findings.filter((finding) => finding.severity === 'error'),
    ...findings.filter((finding) => finding.severity === 'warning'),
  ];
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  return { findings: ordered, errors, warnings: ordered.length - errors, ok: errors === 0 };
}
