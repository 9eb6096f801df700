/**
 * `discouraged-phrase`: a phrase from the discouraged list (the built-in one and the hall's own),
 * in the statement, then in the renditions (where a member's prefix or sign-off brought it).
 * Chatty forms are errors in a `crisis` statement.
 */
import { renditionText } from '../check-consistency.js';
import type { LintFinding, LintSeverity } from '../lint-types.js';
import { type StatementRule, finding } from './lint-context.js';

export const discouragedPhrase: StatementRule = (statement, context) => {
  const findings: LintFinding[] = [];
  const { rumor } = statement;
  const phrases = context.discouraged;
  const severityOf = (severity: 'error' | 'warning' | 'by-urgency' | undefined): LintSeverity =>
    severity === 'error' || severity === 'warning'
      ? severity
      : statement.urgency === 'crisis'
        ? 'error'
        : 'warning';
  // Each text is read once for the whole list; findings come phrase by phrase, field by field.
  const inFields = context.fields.map((field) => context.findPhrases(field.text));
  const inStatement = new Set<number>();
  phrases.forEach((phrase, index) => {
    context.fields.forEach((field, fieldIndex) => {
      const found = inFields[fieldIndex]?.get(index);
      if (found === undefined) return;
      inStatement.add(index);
      findings.push(
        finding(
          severityOf(phrase.severity),
          'discouraged-phrase',
          field.path,
          `"${found}" in ${field.path}: ${phrase.reason}${statement.urgency === 'crisis' ? ' (crisis statement)' : ''}`,
          phrase.fix,
          undefined,
          found,
        ),
      );
    });
  });
  for (const entry of context.renditions) {
    let text = renditionText(entry.rendition);
    if (rumor !== undefined && rumor !== '') text = text.replaceAll(rumor, '');
    const inRendition = context.findPhrases(text);
    phrases.forEach((phrase, index) => {
      if (inStatement.has(index)) return;
      const found = inRendition.get(index);
      if (found === undefined) return;
      findings.push(
        finding(
          severityOf(phrase.severity),
          'discouraged-phrase',
          `renditions[${entry.accountId}]`,
          `"${found}" in the rendition of ${entry.accountId} (from its prefix or sign-off): ${phrase.reason}`,
          `${phrase.fix}; change the member's prefix or signOff in the hall file`,
          entry.accountId,
          found,
        ),
      );
    });
  }
  return findings;
};
