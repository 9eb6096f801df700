/**
 * Rendering a statement as a long-form article (a WeChat draft): title, author, digest, content
 * HTML, source URL and cover, each within the platform's field limits.
 */
import type { ArticleProfile, ArticleRendition } from '../adapter.js';
import { ReleaseHallError } from '../errors.js';
import type { Hall, Member } from '../model/hall.js';
import type { Statement } from '../model/statement.js';
import { articleLength } from './fit-profile.js';
import { layoutStatement, protectedNames } from './layout.js';
import { splitClauses, trimEndMarks } from './split-text.js';
import { type Choice, pickedPieces, selectUnits } from './summarise.js';
import type { EarlierStatement, StatementDocument } from './templates.js';

/** Options of {@link renderArticle}. */
export interface RenderArticleOptions {
  readonly profile: ArticleProfile;
  readonly hall: Hall;
  readonly member: Member;
  /** The account name, used as the author when the member has no short name. */
  readonly handle: string;
  /** The statement an update or correction follows, for its reference sentence. */
  readonly earlier?: EarlierStatement;
}

/** The paragraph an article ends with when its content had to be shortened. */
export const ARTICLE_SHORTENED_NOTE = '全文请见“阅读原文”。';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const paragraph = (text: string): string => `<p>${escapeHtml(text)}</p>`;
const signatureLine = (text: string): string =>
  `<p style="text-align:right">${escapeHtml(text)}</p>`;

const rejected = (statement: Statement, what: string): ReleaseHallError =>
  new ReleaseHallError(
    `[release-hall] statement "${statement.id ?? statement.headline}": ${what}`,
    { code: 'CONTENT_REJECTED', retryable: false },
  );

/**
 * The article title: the headline (with its kind label) when it fits, else its leading whole
 * clauses, else the statement's own headline the same way. Never cut inside a clause.
 */
function fitTitle(
  statement: Statement,
  document: StatementDocument,
  max: number,
  names: readonly string[],
): string {
  for (const headline of [document.headline, statement.headline]) {
    if (articleLength(headline) <= max) return headline;
    const clauses = splitClauses(headline, names);
    for (let count = clauses.length - 1; count >= 1; count -= 1) {
      const title = trimEndMarks(clauses.slice(0, count).join(''));
      if (title !== '' && articleLength(title) <= max) return title;
    }
  }
  throw rejected(
    statement,
    `the headline has no leading clause of at most ${max} characters for an article title: shorten the headline`,
  );
}

/**
 * Renders a statement as an article for one account.
 *
 * - `title`: the headline, shortened only at clause boundaries to `titleMax`;
 * - `author`: the member's short name (else the account name, else the full name) when it fits
 *   `authorMax`; left out otherwise;
 * - `digest`: key facts first, then whole sentences by importance, within `digestMax`;
 * - `html`: the full text from the template as escaped `<p>` paragraphs, issuer and time right
 *   aligned; when it is not shorter than `contentMaxChars`, sentences by the summary rule and a
 *   closing note pointing to the source URL;
 * - `sourceUrl`: the statement's link; `cover`: its first image.
 *
 * Throws `CONTENT_REJECTED` when the headline has no leading clause short enough for a title.
 */
export function renderArticle(
  statement: Statement,
  options: RenderArticleOptions,
): ArticleRendition {
  const { profile, member, handle } = options;
  const { document, units } = layoutStatement(statement, options.hall, options.earlier);
  const names = protectedNames(statement, options.hall);

  const title = fitTitle(statement, document, profile.titleMax, names);
  const author = [member.shortName, handle, member.name].find(
    (name): name is string =>
      name !== undefined && name !== '' && articleLength(name) <= profile.authorMax,
  );

  const digestOf = (choice: Choice): string =>
    pickedPieces(units, choice)
      .map((piece) => piece.text)
      .join('');
  const digest =
    selectUnits<never>({
      units,
      keyFacts: statement.keyFacts,
      compose: (choice) => digestOf(choice),
      fits: (text) => articleLength(text) <= profile.digestMax,
      bound: { measure: articleLength, max: profile.digestMax },
    }).text || (articleLength(title) <= profile.digestMax ? title : '');

  const signOff = member.signOff?.trim() ?? '';
  const closing = [document.issuer, document.time.full, ...(signOff === '' ? [] : [signOff])]
    .map(signatureLine)
    .join('');
  const htmlOf = (choice: Choice, shortened: boolean): string => {
    const paragraphs: string[] = [];
    let current: number | undefined;
    for (const piece of pickedPieces(units, choice)) {
      if (piece.paragraph !== current) paragraphs.push('');
      current = piece.paragraph;
      paragraphs[paragraphs.length - 1] += piece.text;
    }
    if (shortened) paragraphs.push(ARTICLE_SHORTENED_NOTE);
    return `${paragraphs.map(paragraph).join('')}${closing}`;
  };
  const fitsContent = (html: string): boolean => articleLength(html) < profile.contentMaxChars;
  const everything = new Map(units.map((unit) => [unit.id, { from: 0, to: unit.clauses.length }]));
  let html = htmlOf(everything, false);
  if (!fitsContent(html)) {
    if (!fitsContent(htmlOf(new Map(), true))) {
      throw rejected(
        statement,
        `not even the issuer and time fit ${profile.contentMaxChars} characters of article content`,
      );
    }
    html = selectUnits<never>({
      units,
      keyFacts: statement.keyFacts,
      includeFullOnly: true,
      compose: (choice) => htmlOf(choice, true),
      fits: fitsContent,
      bound: { measure: articleLength, max: profile.contentMaxChars - 1 },
    }).text;
  }

  return {
    format: 'article',
    title,
    ...(author === undefined ? {} : { author }),
    digest,
    html,
    sourceUrl: statement.link,
    ...(statement.images[0] === undefined ? {} : { cover: statement.images[0] }),
  };
}
