/**
 * `key-fact-inconsistent` and `number-mismatch`: the renditions planned for every account against
 * the statement and against each other (see `check-consistency.ts`).
 */
import type { Rendition } from '../../adapter.js';
import { limitsFor } from '../../render/fit-profile.js';
import { layoutStatement } from '../../render/layout.js';
import { renderStatement } from '../../render/render-statement.js';
import type { Unit } from '../../render/summarise.js';
import { checkKeyFacts, checkNumberSlots } from '../check-consistency.js';
import type { LintRendition } from '../lint-types.js';
import { type LintContext, type StatementRule } from './lint-context.js';

/** The rendition an account should get, rendered afresh; undefined when it cannot be told. */
function expectedRendition(context: LintContext, entry: LintRendition): Rendition | undefined {
  const { hall, parsed, profiles } = context;
  const limits = limitsFor(profiles, entry.platform);
  const memberId = entry.memberId ?? entry.accountId.split('/')[0];
  const member = hall?.members.find((candidate) => candidate.id === memberId);
  if (parsed === undefined || hall === undefined || member === undefined) return undefined;
  if (limits === undefined) return undefined;
  const handle = member.accounts[entry.platform]?.handle ?? member.shortName ?? member.name;
  try {
    return renderStatement(parsed, { limits, hall, member, handle });
  } catch {
    return undefined;
  }
}

export const consistentRenditions: StatementRule = (statement, context) => {
  const { hall, parsed, profiles, renditions } = context;
  if (renditions.length === 0) return [];
  let units: Unit[] = [];
  let reference = context.fields.map((field) => field.text);
  if (parsed !== undefined) {
    const layout = layoutStatement(parsed, hall);
    const document = layout.document;
    units = [...layout.units];
    reference = [
      document.headline,
      ...document.parts.map((part) => part.text),
      `（${document.issuer} ${document.time.short}）`,
      document.time.full,
    ];
  }
  const input = {
    expected: (entry: LintRendition) => expectedRendition(context, entry),
    keyFacts: statement.keyFacts,
    link: statement.link,
    reference,
    units,
    renditions,
    limitsFor: (platform: string) => limitsFor(profiles, platform),
  };
  return [...checkKeyFacts(input), ...checkNumberSlots(input)];
};
