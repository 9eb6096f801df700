/**
 * `invalid-statement`: what the statement schema refuses (unsafe characters, sizes, a kind or a
 * link it does not take, wrong types), so that lint never passes a statement publish refuses.
 * `lintStatement` keeps only the refusals about fields no other rule has found an error in, so a
 * missing issuer is told once, by the rule that explains it best. A hall cannot switch this rule
 * off or lower it, and a rule it switched off or lowered does not hide a refusal.
 */
import type { LintFinding, LintRule } from '../lint-types.js';
import type { StatementRule } from './lint-context.js';

/** Fields whose absence a rule of its own reports, with a better fix; and that rule. */
const EXPLAINED_ELSEWHERE: ReadonlyMap<string, LintRule> = new Map([
  ['issuer', 'missing-issuer'],
  ['issuedAt', 'missing-time'],
  ['rumor', 'rebuttal-missing-rumor'],
  ['facts', 'rebuttal-missing-facts'],
  ['evidence', 'rebuttal-missing-source'],
  ['refersTo', 'missing-reference'],
]);

export const statementSchema: StatementRule = (statement, context) =>
  context.schemaIssues
    .filter((issue) => {
      const field = issue.path.split(/[.[]/)[0] ?? '';
      const missing =
        (statement as unknown as Readonly<Record<string, unknown>>)[field] === undefined;
      const rule = EXPLAINED_ELSEWHERE.get(field);
      // A hall that switched that rule off (or lowered it) still hears what publish refuses.
      const explained =
        rule !== undefined &&
        !context.settings.off.has(rule) &&
        context.settings.severity.get(rule) !== 'warning';
      return !(missing && explained);
    })
    .map((issue): LintFinding => ({
      severity: 'error',
      rule: 'invalid-statement',
      path: issue.path,
      message: issue.message,
      fix: 'correct the field as the message says: publish refuses the statement until then',
    }));
