/**
 * `invalid-statement`: what the statement schema refuses (unsafe characters, sizes, a kind or a
 * link it does not take, wrong types), so that lint never passes a statement publish refuses.
 * `lintStatement` keeps only the refusals about fields no other rule has spoken about, so a missing
 * issuer is told once, by the rule that explains it best.
 */
import type { LintFinding } from '../lint-types.js';
import type { StatementRule } from './lint-context.js';

/** Fields whose absence a rule of its own reports, with a better fix. */
const EXPLAINED_ELSEWHERE = new Set([
  'issuer',
  'issuedAt',
  'rumor',
  'facts',
  'evidence',
  'refersTo',
]);

export const statementSchema: StatementRule = (statement, context) =>
  context.schemaIssues
    .filter((issue) => {
      const field = issue.path.split(/[.[]/)[0] ?? '';
      const missing =
        (statement as unknown as Readonly<Record<string, unknown>>)[field] === undefined;
      return !(missing && EXPLAINED_ELSEWHERE.has(field));
    })
    .map((issue): LintFinding => ({
      severity: 'error',
      rule: 'invalid-statement',
      path: issue.path,
      message: issue.message,
      fix: 'correct the field as the message says: publish refuses the statement until then',
    }));
