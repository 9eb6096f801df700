/**
 * Where a statement may be cut: sentence and clause boundaries that fall outside every protected
 * span. A protected span is a link, a quotation or bracketed passage, a number (with its
 * separators: 010-12345678, 9:30, 1,000, 3.5, 2026-11-26) or a name given by the caller (the key
 * facts, the issuer, the members' names). Pure functions, no state.
 */

/** A half-open range `[start, end)` of UTF-16 offsets in a text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * A link as the platforms' counters see it: a scheme followed by the ASCII characters a URL may
 * hold. Same delimitation as the Weibo and Tencent counters, so a link is one unit for all of them.
 */
export const LINK_PATTERN = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;

/** A number with the separators that keep it one number: 010-12345678, 9:30, 1,000, 3.5. */
export const NUMBER_PATTERN = /[0-9０-９]+(?:[.,:：\-/][0-9０-９]+)*/g;

/** Opening mark → closing mark of the paired passages that are never cut. */
const PAIRS: Readonly<Record<string, string>> = {
  '“': '”',
  '‘': '’',
  '「': '」',
  '『': '』',
  '《': '》',
  '〈': '〉',
  '（': '）',
  '(': ')',
  '【': '】',
  '"': '"',
};

/** Marks that end a sentence. */
const SENTENCE_END = new Set(['。', '！', '？', '!', '?', '；', ';']);
/** Marks that end a clause inside a sentence. */
const CLAUSE_END = new Set(['，', '、', '：', ',', ':']);
/** Closing marks that stay with the sentence they follow. */
const TRAILING_CLOSERS = new Set(['”', '’', '」', '』', '）', ')', '"', '》', '】']);

/**
 * True when `text` holds `fact` outside its links (a key fact found only inside a URL is not
 * carried). A fact that is itself a link is looked for as written.
 */
export function containsFact(text: string, fact: string): boolean {
  if (fact === '') return true;
  // Most texts either lack the fact or hold no link: both answers need no pattern.
  if (!text.includes(fact)) return false;
  if (!text.includes('://')) return true;
  if (LINK_ANYWHERE.test(fact)) return true;
  return text.replace(LINK_PATTERN, ' ').includes(fact);
}

/** {@link LINK_PATTERN} without the global flag, for a plain test. */
const LINK_ANYWHERE = new RegExp(LINK_PATTERN.source, 'i');

/** The links in `text`. */
export function findLinks(text: string): string[] {
  return Array.from(text.matchAll(LINK_PATTERN), (match) => match[0]);
}

/** The numbers in `text`, outside links, each whole (`010-12345678` is one number). */
export function findNumbers(text: string): string[] {
  const links = spansOf(text, LINK_PATTERN);
  return Array.from(text.matchAll(NUMBER_PATTERN))
    .filter((match) => !links.some((span) => inside(span, match.index)))
    .map((match) => match[0]);
}

function spansOf(text: string, pattern: RegExp): Span[] {
  return Array.from(text.matchAll(pattern), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
}

function inside(span: Span, offset: number): boolean {
  return offset >= span.start && offset < span.end;
}

const OPENERS = new RegExp(`[${Object.keys(PAIRS).join('')}]`, 'gu');

/** Spans of paired passages; an unclosed opening mark protects the rest of the text. */
function pairedSpans(text: string): Span[] {
  const spans: Span[] = [];
  const openers = new RegExp(OPENERS.source, 'gu');
  let found = openers.exec(text);
  while (found !== null) {
    const start = found.index;
    const close = PAIRS[found[0]] ?? found[0];
    const end = text.indexOf(close, start + 1);
    const stop = end === -1 ? text.length : end + 1;
    spans.push({ start, end: stop });
    openers.lastIndex = stop;
    found = openers.exec(text);
  }
  return spans;
}

/**
 * Every protected span of `text`: links, paired passages, numbers, and each occurrence of the
 * given names (key facts, issuer, member names).
 */
export function protectedSpans(text: string, names: readonly string[] = []): Span[] {
  const spans = [...spansOf(text, LINK_PATTERN), ...pairedSpans(text)];
  spans.push(...spansOf(text, NUMBER_PATTERN));
  for (const name of names) {
    if (name === '') continue;
    let from = text.indexOf(name);
    while (from !== -1) {
      spans.push({ start: from, end: from + name.length });
      from = text.indexOf(name, from + 1);
    }
  }
  return spans;
}

/**
 * The protected spans of `text` as two masks: characters inside a span, and offsets where a cut
 * would fall inside one (between two characters of the same span).
 */
function protectionMasks(
  text: string,
  names: readonly string[],
): { readonly covered: Uint8Array; readonly uncuttable: Uint8Array } {
  const covered = new Uint8Array(text.length + 1);
  const uncuttable = new Uint8Array(text.length + 1);
  for (const span of protectedSpans(text, names)) {
    covered.fill(1, span.start, span.end);
    if (span.end - span.start > 1) uncuttable.fill(1, span.start + 1, span.end);
  }
  return { covered, uncuttable };
}

/**
 * Splits one paragraph at the offsets where a mark in `marks` ends a piece, never inside a
 * protected span. Closing marks right after the end mark stay with the piece.
 */
function splitAt(text: string, marks: ReadonlySet<string>, names: readonly string[]): string[] {
  const pieces: string[] = [];
  if (![...marks].some((mark) => text.includes(mark))) return text === '' ? [] : [text];
  const { covered, uncuttable } = protectionMasks(text, names);
  let start = 0;
  let index = 0;
  while (index < text.length) {
    const character = text[index] ?? '';
    if (!marks.has(character) || covered[index] === 1) {
      index += 1;
      continue;
    }
    let end = index + 1;
    while (end < text.length && marks.has(text[end] ?? '')) end += 1;
    // Closing marks stay with the piece, unless one opens a protected passage.
    while (
      end < text.length &&
      TRAILING_CLOSERS.has(text[end] ?? '') &&
      !(covered[end] === 1 && uncuttable[end] === 0)
    ) {
      end += 1;
    }
    if (uncuttable[end] === 1) {
      index = end;
      continue;
    }
    pieces.push(text.slice(start, end));
    start = end;
    index = end;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/** Splits text into paragraphs (at line breaks), trimmed, empty ones left out. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Splits text into sentences, keeping their closing punctuation. Never splits inside a link, a
 * quotation, a bracketed passage, a number, or one of `names`.
 */
export function splitSentences(text: string, names: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const paragraph of splitParagraphs(text)) {
    for (const sentence of splitAt(paragraph, SENTENCE_END, names)) {
      const trimmed = sentence.trim();
      if (trimmed !== '') out.push(trimmed);
    }
  }
  return out;
}

/**
 * Splits one sentence into clauses at `，、：,:` outside protected spans. Joining the clauses gives
 * the sentence back exactly.
 */
export function splitClauses(sentence: string, names: readonly string[] = []): string[] {
  return splitAt(sentence, CLAUSE_END, names);
}

/** True when `text` ends with a mark that closes a sentence (or a closing quote after one). */
export function endsSentence(text: string): boolean {
  return /[。！？!?；;…][”"’』」）)》】]*$/.test(text);
}

/** `text` closed as a sentence: a trailing clause mark becomes 。, a missing end mark is added. */
export function closeSentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const last = trimmed.at(-1) ?? '';
  if (CLAUSE_END.has(last)) return `${trimmed.slice(0, -1)}。`;
  return endsSentence(trimmed) ? trimmed : `${trimmed}。`;
}

/** `text` without a trailing clause or sentence mark (for titles). */
export function trimEndMarks(text: string): string {
  return text.replace(/[，、：,:。；;]+$/u, '');
}
