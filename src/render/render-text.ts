/**
 * Rendering a statement into a short post that fits a platform's text profile.
 *
 * The statement is laid out by the template of its kind (`templates.ts`). When the whole of it fits,
 * the post is the prefix, the headline, every part, the issuer and time, the member's sign-off,
 * and the link when the platform requires one. Otherwise the post is a summary (`summarise.ts`):
 * the prefix and headline, the key facts first, then whole sentences by importance while they fit,
 * and always the full-text link at the end. Cuts happen only between sentences or clauses, never
 * inside a number, a date, a time, a phone number, a name, a link or a quotation.
 */
import type { TextProfile, TextRendition } from '../adapter.js';
import { ReleaseHallError } from '../errors.js';
import type { Hall, Member } from '../model/hall.js';
import type { Statement } from '../model/statement.js';
import { containsFact, endsSentence } from './split-text.js';
import { type Choice, orderByKeyFacts, pickedPieces, selectUnits } from './summarise.js';
import { layoutStatement } from './layout.js';
import { type EarlierStatement, applyTemplate } from './templates.js';

export { HALL_TIME_ZONE, formatStatementTime, type TimeStyle } from './format-time.js';
export { splitSentences } from './split-text.js';
export { protectedNames } from './layout.js';

/** What a short post puts between its text and the full-text link. */
export const LINK_LEAD = ' 详情：';

/** The prefix of a member: its own, else the hall's naming rule with its short name. */
export function memberPrefix(hall: Hall, member: Member, handle: string): string {
  if (member.prefix !== undefined) return member.prefix;
  return hall.naming.prefix.replaceAll('{short}', member.shortName ?? handle);
}

/** The parts of a statement short posts use, in reading order (see `templates.ts`). */
export function statementParts(statement: Statement): string[] {
  return applyTemplate(statement)
    .parts.filter((part) => part.short)
    .map((part) => part.text);
}

/** Parts ordered by importance: those carrying a key fact first, then the rest in their order. */
export function byImportance(statement: Statement, parts: readonly string[]): string[] {
  return orderByKeyFacts(statement.keyFacts, parts);
}

/** Options of {@link renderText}. */
export interface RenderTextOptions {
  readonly profile: TextProfile;
  readonly hall: Hall;
  readonly member: Member;
  readonly handle: string;
  /** A relay comment: short, no link needed. */
  readonly relay?: boolean;
  /** The statement an update or correction follows, for its reference sentence. */
  readonly earlier?: EarlierStatement;
}

type Extra = 'signature' | 'topics' | 'signOff';

/**
 * Renders a statement as a post for one account. Throws `CONTENT_REJECTED` when even the prefix,
 * headline and link cannot fit (the headline must then be shortened by a person).
 *
 * @example
 * renderText(statement, { profile: weibo.limits.text, hall, member, handle: '海淀发布' });
 * // { format: 'text', text: '【海淀发布】网传…不实：… 详情：https://…', length: 138, summarised: true, … }
 */
export function renderText(statement: Statement, options: RenderTextOptions): TextRendition {
  const { profile, hall, member, handle } = options;
  const { document, units } = layoutStatement(statement, hall, options.earlier);
  const prefix = memberPrefix(hall, member, handle);
  const fits = (text: string): boolean => profile.count(text) <= profile.maxLength;

  if (options.relay === true) {
    const comment = document.advice ?? document.headline;
    const candidates = [`${prefix}${comment}`, `${prefix}${document.headline}`, prefix, '转发'];
    const text = candidates.find(fits) ?? '转发';
    return {
      format: 'text',
      text,
      length: profile.count(text),
      topics: [],
      summarised: text !== candidates[0],
    };
  }

  const topics = profile.allowsTopics ? statement.topics : [];
  const topicText = topics.map((topic) => `#${topic}#`).join('');
  const signature = `（${document.issuer} ${document.time.short}）`;
  const signOff = member.signOff?.trim() ?? '';
  const link = statement.link;
  const head = `${prefix}${document.headline}`;
  // Headline and text are joined with ：, or with 。 when the headline has a ： of its own or ends
  // with a digit (so that 6:30：… never reads as one number).
  const joiner = endsSentence(document.headline)
    ? ''
    : /[：:]|[0-9０-９]$/u.test(document.headline)
      ? '。'
      : '：';

  const compose = (choice: Choice, extras: ReadonlySet<Extra>, withLink: boolean): string => {
    const body = pickedPieces(units, choice)
      .map((piece) => piece.text)
      .join('');
    let text = extras.has('topics') ? `${topicText}${head}` : head;
    if (body !== '') text += `${joiner}${body}`;
    if (extras.has('signature')) text += signature;
    if (extras.has('signOff')) text += signOff;
    if (withLink) text += `${LINK_LEAD}${link}`;
    return text;
  };

  // The whole statement: every short part, plus any full-text-only sentence holding a key fact
  // that neither the headline nor a short part holds.
  const shortText = [head, ...units.filter((unit) => unit.short).map((unit) => unit.text)].join('');
  const uncarried = statement.keyFacts.filter((fact) => !containsFact(shortText, fact));
  const all = new Map(
    units
      .filter((unit) => unit.short || uncarried.some((fact) => containsFact(unit.text, fact)))
      .map((unit) => [unit.id, { from: 0, to: unit.clauses.length }]),
  );
  const allExtras = new Set<Extra>(['signature']);
  if (topicText !== '') allExtras.add('topics');
  if (signOff !== '') allExtras.add('signOff');
  const whole = compose(all, allExtras, profile.requiresSafeDomainLink);
  if (fits(whole)) {
    return {
      format: 'text',
      text: whole,
      length: profile.count(whole),
      ...(profile.requiresSafeDomainLink ? { link } : {}),
      topics,
      summarised: false,
    };
  }

  const minimal = compose(new Map(), new Set(), true);
  if (!fits(minimal)) {
    throw new ReleaseHallError(
      `[release-hall] the headline of statement "${statement.id ?? statement.headline}" does not fit ${profile.name} (${profile.count(minimal)} of ${profile.maxLength}) even with nothing else: shorten the headline`,
      { code: 'CONTENT_REJECTED', retryable: false },
    );
  }
  const selection = selectUnits<Extra>({
    units,
    keyFacts: statement.keyFacts,
    extras: topicText === '' ? ['signature'] : ['signature', 'topics'],
    trailing: signOff === '' ? [] : ['signOff'],
    compose: (choice, extras) => compose(choice, extras, true),
    fits,
  });
  return {
    format: 'text',
    text: selection.text,
    length: profile.count(selection.text),
    link,
    topics: selection.extras.has('topics') ? topics : [],
    summarised: true,
  };
}
