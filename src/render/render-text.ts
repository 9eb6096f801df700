/**
 * Rendering a statement into a short post that fits a platform's text profile.
 *
 * The rendition keeps the prefix and headline, adds whole sentences in order of importance while
 * they fit, and always ends with the full-text link when the statement does not fit whole or the
 * platform requires a link. Cuts happen only between sentences or clauses, never inside a number,
 * a date, a name or a link.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import type { TextProfile, TextRendition } from '../adapter.js';
import { ReleaseHallError } from '../errors.js';
import type { Hall, Member } from '../model/hall.js';
import type { Statement } from '../model/statement.js';

/** The time zone statements are dated in. */
export const HALL_TIME_ZONE = 'Asia/Shanghai';

/** Formats a statement time as 11月26日9时30分 in Asia/Shanghai. */
export function formatStatementTime(iso: string): string {
  return format(new TZDate(new Date(iso).getTime(), HALL_TIME_ZONE), 'M月d日H时mm分');
}

/** The prefix of a member: its own, else the hall's naming rule with its short name. */
export function memberPrefix(hall: Hall, member: Member, handle: string): string {
  if (member.prefix !== undefined) return member.prefix;
  return hall.naming.prefix.replaceAll('{short}', member.shortName ?? handle);
}

/** Splits text into sentences, keeping their closing punctuation. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n\s*\n|\n/)) {
    const matches = paragraph.match(/[^。！？!?；;]+[。！？!?；;]*[”"’』」）)]*/g) ?? [];
    for (const sentence of matches) {
      const trimmed = sentence.trim();
      if (trimmed !== '') out.push(trimmed);
    }
  }
  return out;
}

function endSentence(text: string): string {
  return /[。！？!?；;”"』」）)]$/.test(text) ? text : `${text}。`;
}

/** The parts of a statement after the headline, in reading order. */
export function statementParts(statement: Statement): string[] {
  const parts: string[] = [];
  if (statement.kind === 'rebuttal') {
    if (statement.rumor !== undefined)
      parts.push(endSentence(`网传“${statement.rumor}”，经核实，此为谣言`));
    for (const fact of statement.facts ?? []) parts.push(endSentence(fact));
    if (statement.advice !== undefined) parts.push(endSentence(statement.advice));
    if (statement.evidence !== undefined) parts.push(endSentence(statement.evidence));
  } else {
    parts.push(...splitSentences(statement.body));
  }
  return parts;
}

/** Parts ordered by importance: those carrying a key fact first, then the rest in their order. */
export function byImportance(statement: Statement, parts: readonly string[]): string[] {
  const keyed = parts.filter((part) => statement.keyFacts.some((fact) => part.includes(fact)));
  return [...keyed, ...parts.filter((part) => !keyed.includes(part))];
}

/** Options of {@link renderText}. */
export interface RenderTextOptions {
  readonly profile: TextProfile;
  readonly hall: Hall;
  readonly member: Member;
  readonly handle: string;
  /** A relay comment: short, no link needed. */
  readonly relay?: boolean;
}

/**
 * Renders a statement as a post for one account. Throws `CONTENT_REJECTED` when even the prefix,
 * headline and link cannot fit (the headline must then be shortened by a person).
 */
export function renderText(statement: Statement, options: RenderTextOptions): TextRendition {
  const { profile, hall, member, handle } = options;
  const prefix = memberPrefix(hall, member, handle);
  const topics = profile.allowsTopics ? statement.topics : [];
  const topicText = topics.map((topic) => `#${topic}#`).join('');
  const fits = (text: string): boolean => profile.count(text) <= profile.maxLength;

  if (options.relay === true) {
    const comment = statement.advice ?? statement.headline;
    const candidates = [`${prefix}${comment}`, `${prefix}${statement.headline}`, prefix, '转发'];
    const text = candidates.find(fits) ?? '转发';
    return {
      format: 'text',
      text,
      length: profile.count(text),
      topics: [],
      summarised: text !== candidates[0],
    };
  }

  const headline = `${topicText}${prefix}${statement.headline}`;
  const time = formatStatementTime(statement.issuedAt);
  const signature = member.signOff ?? `（${statement.issuer} ${time}）`;
  const link = statement.link;
  const parts = statementParts(statement);

  const compose = (body: readonly string[], withSignature: boolean, withLink: boolean): string => {
    let text = `${headline}：${body.join('')}`;
    if (body.length === 0) text = headline;
    if (withSignature) text += signature;
    if (withLink) text += ` 详情：${link}`;
    return text;
  };

  const whole = compose(parts, true, profile.requiresSafeDomainLink);
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

  // Summary: headline, then whole parts by importance while they fit, then the link. Key facts
  // outrank the signature: it is dropped when that lets one more key fact in.
  if (!fits(compose([], false, true))) {
    throw new ReleaseHallError(
      `[release-hall] the headline of statement "${statement.id ?? statement.headline}" does not fit ${profile.name} (${profile.count(compose([], false, true))} of ${profile.maxLength}) even with nothing else: shorten the headline`,
      { code: 'CONTENT_REJECTED', retryable: false },
    );
  }
  const inReadingOrder = (picked: readonly string[]): string[] =>
    [...picked].sort((a, b) => parts.indexOf(a) - parts.indexOf(b));
  const choose = (withSignatureNow: boolean): string[] => {
    const picked: string[] = [];
    if (!fits(compose([], withSignatureNow, true))) return picked;
    for (const part of byImportance(statement, parts)) {
      if (fits(compose(inReadingOrder([...picked, part]), withSignatureNow, true)))
        picked.push(part);
    }
    return inReadingOrder(picked);
  };
  const isKey = (part: string): boolean => statement.keyFacts.some((fact) => part.includes(fact));
  const signed = fits(compose([], true, true)) ? choose(true) : undefined;
  const unsigned = choose(false);
  const keyCount = (picked: readonly string[]): number => picked.filter(isKey).length;
  const useSigned =
    signed !== undefined &&
    keyCount(signed) >= keyCount(unsigned) &&
    (signed.length > 0 || unsigned.length === 0);
  const chosen = useSigned ? signed : unsigned;
  const withSignature = useSigned;
  const text = compose(chosen, withSignature, true);
  return { format: 'text', text, length: profile.count(text), link, topics, summarised: true };
}
