/**
 * Text for the preview page: HTML escaping, the phrase a lint finding is about, the text of a
 * WeChat article's HTML, and a text with its lint findings marked where they occur. Pure: strings
 * in, strings out; everything written into the page goes through {@link escapeHtml}.
 */
import type { LintFinding } from '../lint/lint-types.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe as HTML content and as a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/**
 * The phrase of the text a finding points at, where the linter names one: the discouraged phrase
 * it found, the link off the hall's site, the `#topic#`. Undefined for findings about something
 * missing or about the whole rendition.
 */
export function findingPhrase(finding: LintFinding): string | undefined {
  return finding.phrase;
}

/** A phrase to mark and the finding it comes from. */
export interface PhraseMark {
  readonly phrase: string;
  readonly finding: LintFinding;
}

/** The marks of `findings`: one per finding that names a phrase. */
export function phraseMarks(findings: readonly LintFinding[]): PhraseMark[] {
  const marks: PhraseMark[] = [];
  for (const finding of findings) {
    const phrase = findingPhrase(finding);
    if (phrase !== undefined && phrase !== '') marks.push({ phrase, finding });
  }
  return marks;
}

/**
 * `text`, escaped, with every occurrence of each mark's phrase wrapped in a `<mark>` naming the
 * rule and its message. Where two phrases overlap, the one that starts first (then the longer)
 * is marked.
 */
export function markText(text: string, marks: readonly PhraseMark[]): string {
  const spans: { start: number; end: number; mark: PhraseMark }[] = [];
  for (const mark of marks) {
    for (let at = text.indexOf(mark.phrase); at !== -1; at = text.indexOf(mark.phrase, at + 1)) {
      spans.push({ start: at, end: at + mark.phrase.length, mark });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let html = '';
  let position = 0;
  for (const span of spans) {
    if (span.start < position) continue;
    const { finding } = span.mark;
    html += escapeHtml(text.slice(position, span.start));
    html +=
      `<mark class="lint lint-${finding.severity}" data-rule="${escapeHtml(finding.rule)}"` +
      ` title="${escapeHtml(`${finding.severity} ${finding.rule}: ${finding.message}`)}">` +
      `${escapeHtml(text.slice(span.start, span.end))}</mark>`;
    position = span.end;
  }
  return html + escapeHtml(text.slice(position));
}

/** Whether any mark's phrase occurs in `text`. */
export function hasMark(text: string, marks: readonly PhraseMark[]): boolean {
  return marks.some((mark) => text.includes(mark.phrase));
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the character references of an HTML text (named ones it knows, and numeric ones). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/giu, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X'
          ? Number.parseInt(name.slice(2), 16)
          : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** A tag, with quoted attribute values that may hold `>`; or a comment. */
const TAG_PATTERN = /<!--[\s\S]*?-->|<\/?([a-z][a-z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>/giu;
const BLOCK_TAGS = new Set([
  'p',
  'br',
  'div',
  'section',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'blockquote',
  'tr',
  'hr',
]);
const DROPPED_TAGS = new Set(['script', 'style']);

/**
 * The paragraphs of an article's HTML as plain text: a block tag ends a paragraph, other tags are
 * dropped, `<script>` and `<style>` with their content, an image becomes `[image]`. The page shows
 * this text (escaped), never the HTML itself.
 */
export function articleParagraphs(html: string): string[] {
  const paragraphs: string[] = [];
  let current = '';
  let position = 0;
  let dropping: string | undefined;
  const end = (): void => {
    const text = decodeEntities(current).replace(/\s+/gu, ' ').trim();
    if (text !== '') paragraphs.push(text);
    current = '';
  };
  for (const match of html.matchAll(TAG_PATTERN)) {
    if (dropping === undefined) current += html.slice(position, match.index);
    position = match.index + match[0].length;
    const name = match[1]?.toLowerCase();
    if (name === undefined) continue;
    const closing = match[0].startsWith('</');
    if (dropping !== undefined) {
      if (closing && name === dropping) dropping = undefined;
      continue;
    }
    if (DROPPED_TAGS.has(name) && !closing) dropping = name;
    else if (name === 'img') current += '[image]';
    else if (BLOCK_TAGS.has(name)) end();
  }
  if (dropping === undefined) current += html.slice(position);
  end();
  return paragraphs;
}
