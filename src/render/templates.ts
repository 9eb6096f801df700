/**
 * Templates per kind of statement: how the fields of a statement become a headline and ordered
 * parts, each with its importance. Short posts, WeChat articles and the linter all read the same
 * {@link StatementDocument}, so every account says the same thing in the same words.
 *
 * | kind | full text, in reading order | most important first (for summaries) |
 * | --- | --- | --- |
 * | `rebuttal` 辟谣 | 网传“rumor”，经核实，此为谣言。 (full text only when the headline quotes the rumor) · body (full text only) · facts · evidence · advice | facts, rumor, advice, evidence |
 * | `announcement` 通告 | body · facts · evidence · advice | first body sentence, facts, other body sentences, advice, evidence |
 * | `update` 进展 | reference to the earlier statement · body · facts · advice | body, facts, advice, reference |
 * | `correction` 更正 | reference · body (what was wrong) · facts (what is right) · advice · 特此更正。 (full text only) | facts, body, reference, advice |
 *
 * Every full text ends with the issuer and the time; a member's sign-off comes last.
 */
import type { Statement } from '../model/statement.js';
import { formatStatementTime } from './format-time.js';
import { closeSentence, splitParagraphs, splitSentences } from './split-text.js';

/** What a part of a statement is. */
export type PartRole = 'reference' | 'rumor' | 'body' | 'fact' | 'evidence' | 'advice' | 'closing';

/** One part of a statement: whole sentences, with its place and importance. */
export interface TemplatePart {
  readonly role: PartRole;
  /** One or more whole sentences, each closed by its end mark. */
  readonly text: string;
  /** Importance: lower is more important. Summaries take parts in this order. */
  readonly rank: number;
  /** Paragraph of the full text the part belongs to (0-based). */
  readonly paragraph: number;
  /**
   * Whether short posts use the part. Parts that are not (a rebuttal's narrative `body`) appear in
   * the full text only, unless they hold a key fact that no short part holds.
   */
  readonly short: boolean;
}

/** A statement laid out by its template. */
export interface StatementDocument {
  readonly kind: Statement['kind'];
  /** The kind label shown before the headline (进展通报（二）, 更正), if the kind has one. */
  readonly label?: string;
  /** The headline as shown: the label, then the statement's headline. */
  readonly headline: string;
  /** Parts in reading order. */
  readonly parts: readonly TemplatePart[];
  /** Who speaks. */
  readonly issuer: string;
  /** The issue time, short (11月26日9时30分) and full (2026年11月26日 9时30分), in Asia/Shanghai. */
  readonly time: { readonly short: string; readonly full: string };
  /** The advice a relay comment repeats (the statement's, or the template's default for a rebuttal). */
  readonly advice?: string;
}

/**
 * The earlier statement an `update` or `correction` follows (the campaign named by `refersTo`).
 * When given, the reference sentence names it; otherwise the sentence stays generic.
 */
export interface EarlierStatement {
  readonly headline: string;
  readonly issuer?: string;
  /** ISO 8601 time with an offset. */
  readonly issuedAt?: string;
}

/** Options of {@link applyTemplate}. */
export interface TemplateOptions {
  /** The statement named by `refersTo`, for the reference sentence of an update or a correction. */
  readonly earlier?: EarlierStatement;
}

/** The advice a rebuttal carries when the statement gives none. */
export const DEFAULT_REBUTTAL_ADVICE = '请勿信谣、传谣，以官方发布为准。';

/** The closing sentence of a correction. */
export const CORRECTION_CLOSING = '特此更正。';

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 12 → 十二, 20 → 二十, 105 → 105 (Chinese numerals up to 99, digits above). */
export function chineseNumeral(value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 99) return String(value);
  const tens = Math.floor(value / 10);
  const ones = value % 10;
  const onesText = ones === 0 ? '' : (DIGITS[ones] ?? '');
  if (tens === 0) return onesText;
  return `${tens === 1 ? '' : (DIGITS[tens] ?? '')}十${onesText}`;
}

/**
 * The follow-up number of an update. Read from a `sequence` field (an integer from 1) when the
 * statement schema has one; `undefined` otherwise.
 */
export function updateSequence(statement: Statement): number | undefined {
  const value: unknown = (statement as Statement & { readonly sequence?: unknown }).sequence;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}

/** Words that already mark a headline as an update or a correction. */
const LABEL_WORDS: Readonly<Record<'update' | 'correction', readonly string[]>> = {
  update: ['进展', '续报', '通报'],
  correction: ['更正', '勘误'],
};

class PartsBuilder {
  readonly parts: TemplatePart[] = [];
  #paragraph = 0;

  /** Starts a new paragraph for the parts added next. */
  paragraph(): this {
    if (this.parts.some((part) => part.paragraph === this.#paragraph)) this.#paragraph += 1;
    return this;
  }

  add(role: PartRole, text: string | undefined, rank: number, short = true): this {
    if (text === undefined || text.trim() === '') return this;
    this.parts.push({
      role,
      text: closeSentence(text),
      rank,
      paragraph: this.#paragraph,
      short,
    });
    return this;
  }

  /** Adds text paragraph by paragraph, one part per sentence, ranked `first` then `rest + i`. */
  addProse(
    role: PartRole,
    text: string,
    ranks: { readonly first: number; readonly rest: number },
    short = true,
  ): this {
    let index = 0;
    for (const paragraph of splitParagraphs(text)) {
      this.paragraph();
      for (const sentence of splitSentences(paragraph)) {
        const rank = index === 0 ? ranks.first : ranks.rest + index / 1000;
        this.add(role, sentence, rank, short);
        index += 1;
      }
    }
    return this;
  }

  /** Adds each item as its own part in one paragraph, ranked `base + i`. */
  addList(role: PartRole, items: readonly string[] | undefined, base: number): this {
    if (items === undefined || items.length === 0) return this;
    this.paragraph();
    items.forEach((item, index) => this.add(role, item, base + index / 1000));
    return this;
  }
}

function referenceSentence(
  kind: 'update' | 'correction',
  statement: Statement,
  earlier: EarlierStatement | undefined,
): string | undefined {
  if (earlier !== undefined) {
    const issuer = earlier.issuer ?? statement.issuer;
    const when = earlier.issuedAt === undefined ? '' : `于${formatStatementTime(earlier.issuedAt)}`;
    return kind === 'update'
      ? `此前，${issuer}${when}发布《${earlier.headline}》，现将最新进展通报如下。`
      : `${issuer}${when}发布的《${earlier.headline}》中有信息有误，现予更正。`;
  }
  if (statement.refersTo === undefined) return undefined;
  return kind === 'update'
    ? '此前已就此事发布通报，现将最新进展通报如下。'
    : '此前发布的信息有误，现予更正。';
}

/**
 * Lays a statement out by the template of its kind (see the module comment for each layout).
 *
 * @example
 * const document = applyTemplate(statement);
 * document.parts.map((part) => part.text); // 网传“…”，经核实，此为谣言。 …
 */
export function applyTemplate(
  statement: Statement,
  options: TemplateOptions = {},
): StatementDocument {
  const builder = new PartsBuilder();
  let label: string | undefined;
  let advice = statement.advice;

  switch (statement.kind) {
    case 'rebuttal': {
      advice ??= DEFAULT_REBUTTAL_ADVICE;
      // A headline that already quotes the rumor makes the rumor sentence redundant in short posts.
      const rumorInHeadline =
        statement.rumor !== undefined && statement.headline.includes(statement.rumor);
      builder.add(
        'rumor',
        statement.rumor && `网传“${statement.rumor}”，经核实，此为谣言`,
        30,
        !rumorInHeadline,
      );
      builder.addProse('body', statement.body, { first: 90, rest: 90 }, false);
      builder.addList('fact', statement.facts, 10);
      builder.paragraph().add('evidence', statement.evidence, 50);
      builder.paragraph().add('advice', advice, 40);
      break;
    }
    case 'announcement': {
      builder.addProse('body', statement.body, { first: 10, rest: 30 });
      builder.addList('fact', statement.facts, 20);
      builder.paragraph().add('evidence', statement.evidence, 60);
      builder.paragraph().add('advice', advice, 50);
      break;
    }
    case 'update': {
      const sequence = updateSequence(statement);
      label = sequence === undefined ? '进展通报' : `进展通报（${chineseNumeral(sequence)}）`;
      builder.add('reference', referenceSentence('update', statement, options.earlier), 70);
      builder.addProse('body', statement.body, { first: 10, rest: 10 });
      builder.addList('fact', statement.facts, 20);
      builder.paragraph().add('evidence', statement.evidence, 60);
      builder.paragraph().add('advice', advice, 50);
      break;
    }
    case 'correction': {
      label = '更正';
      builder.add('reference', referenceSentence('correction', statement, options.earlier), 40);
      builder.addProse('body', statement.body, { first: 30, rest: 30 });
      builder.addList('fact', statement.facts, 10);
      builder.paragraph().add('evidence', statement.evidence, 60);
      builder.paragraph().add('advice', advice, 50);
      builder.paragraph().add('closing', CORRECTION_CLOSING, 80, false);
      break;
    }
  }

  const labelled =
    label === undefined ||
    (statement.kind !== 'rebuttal' &&
      statement.kind !== 'announcement' &&
      LABEL_WORDS[statement.kind].some((word) => statement.headline.includes(word)))
      ? statement.headline
      : `${label}：${statement.headline}`;
  return {
    kind: statement.kind,
    ...(label === undefined ? {} : { label }),
    headline: labelled,
    parts: builder.parts,
    issuer: statement.issuer,
    time: {
      short: formatStatementTime(statement.issuedAt, 'short'),
      full: formatStatementTime(statement.issuedAt, 'full'),
    },
    ...(advice === undefined ? {} : { advice: closeSentence(advice) }),
  };
}

/** Options of {@link fullTextParagraphs}. */
export interface FullTextOptions {
  /** A member's sign-off, put after the issuer and the time. */
  readonly signOff?: string;
}

/**
 * The full text of a statement as paragraphs: the parts grouped by paragraph, then the issuer, the
 * full time, and the sign-off.
 */
export function fullTextParagraphs(
  document: StatementDocument,
  options: FullTextOptions = {},
): string[] {
  const paragraphs: string[] = [];
  let current = -1;
  for (const part of document.parts) {
    if (part.paragraph !== current) {
      paragraphs.push('');
      current = part.paragraph;
    }
    paragraphs[paragraphs.length - 1] += part.text;
  }
  paragraphs.push(document.issuer, document.time.full);
  if (options.signOff !== undefined && options.signOff.trim() !== '') {
    paragraphs.push(options.signOff.trim());
  }
  return paragraphs;
}

/** The full text of a statement, paragraphs separated by blank lines, headline first. */
export function renderFullText(statement: Statement, options: FullTextOptions = {}): string {
  const document = applyTemplate(statement);
  return [document.headline, ...fullTextParagraphs(document, options)].join('\n\n');
}
