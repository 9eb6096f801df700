/** `key-fact-not-in-text`: a key fact must be written somewhere in the statement. */
import { type StatementRule, finding } from './lint-context.js';

export const keyFactNotInText: StatementRule = (statement, context) =>
  statement.keyFacts.flatMap((fact, index) =>
    context.allText.includes(fact)
      ? []
      : [
          finding(
            'error',
            'key-fact-not-in-text',
            `keyFacts[${index}]`,
            `key fact "${fact}" is not written anywhere in the statement, so no rendition can carry it`,
            'write the key fact exactly as it appears in the headline, body or facts (same digits, same punctuation)',
          ),
        ],
  );
