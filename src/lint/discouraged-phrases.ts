/**
 * Phrases a government statement should not use. The list is configurable: `lintStatement`'s
 * `discouraged` option replaces the defaults (spread {@link DEFAULT_DISCOURAGED_PHRASES} to extend
 * them), and a hall's `lint.discouragedPhrases` are added to whichever list is used.
 */

/**
 * How serious a discouraged phrase is: always an error, always a warning, or `by-urgency` (an
 * error in a `crisis` statement, a warning otherwise).
 */
export type DiscouragedSeverity = 'error' | 'warning' | 'by-urgency';

/** One discouraged phrase. */
export interface DiscouragedPhrase {
  /** The phrase, or a pattern for its variants. */
  readonly match: string | RegExp;
  /** Why it is discouraged, in a few words. */
  readonly reason: string;
  /** What to write instead. */
  readonly fix: string;
  /** @default 'by-urgency' */
  readonly severity?: DiscouragedSeverity;
}

/** A list entry: a bare string is a phrase with a generic reason, warned about by urgency. */
export type DiscouragedEntry = string | DiscouragedPhrase;

const CHATTY_FIX =
  'address readers as 广大市民、网友 or 市民朋友, or drop the form of address; keep the tone of an official statement';

/**
 * The default list: the notorious "不管你信不信，我反正是信的" and its variants (always an error),
 * and chatty forms of address and internet slang (an error in a crisis statement, a warning
 * otherwise).
 */
export const DEFAULT_DISCOURAGED_PHRASES: readonly DiscouragedPhrase[] = [
  {
    match: /(?:不管|至于|无论)你信不信[，,、\s]*(?:我反正|反正我)[^，。！？!?；;\s]*/u,
    reason: 'a notorious phrase that dismisses the public and discredits the whole statement',
    fix: 'state the facts and their source instead, e.g. 经核实，…… 以官方发布为准。',
    severity: 'error',
  },
  {
    // 亲 used to address readers (亲，… / 亲们), not 乡亲们, 父亲, 亲自 or 亲属.
    match:
      /(?<![乡父母双至近远表堂姻血宗])亲们|(?:^|[\s，。！？：；、,.!?:;“”"（）()【】])亲(?=[\s，。！？～~、,!?：:]|$)/u,
    reason: 'a chatty form of address (亲)',
    fix: CHATTY_FIX,
  },
  { match: '童鞋', reason: 'a chatty form of address (童鞋)', fix: CHATTY_FIX },
  { match: '小伙伴们', reason: 'a chatty form of address (小伙伴们)', fix: CHATTY_FIX },
  { match: '么么哒', reason: 'internet slang (么么哒)', fix: CHATTY_FIX },
  { match: '萌萌哒', reason: 'internet slang (萌萌哒)', fix: CHATTY_FIX },
];

/** A list entry in its full form. */
export function toDiscouragedPhrase(entry: DiscouragedEntry): DiscouragedPhrase {
  if (typeof entry !== 'string') return entry;
  return {
    match: entry,
    reason: `"${entry}" is on the discouraged list`,
    fix: `rephrase without "${entry}"`,
  };
}

/** The first match of a discouraged phrase in `text`, if any. */
export function findDiscouraged(text: string, phrase: DiscouragedPhrase): string | undefined {
  if (typeof phrase.match === 'string') {
    return phrase.match !== '' && text.includes(phrase.match) ? phrase.match : undefined;
  }
  const pattern = new RegExp(phrase.match.source, phrase.match.flags.replace('g', ''));
  const found = pattern.exec(text);
  // Trim the punctuation a boundary pattern may have taken with the phrase.
  return found === null
    ? undefined
    : found[0].replace(/^[\s，。！？：；、,.!?:;“”"（）()【】]+/u, '');
}
