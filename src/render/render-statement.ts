/**
 * One entry point for the planner: the rendition an account gets on a platform, in the form the
 * platform's adapter declares (`limits.format`): an article where the platform takes articles and
 * the delivery is an original post, a short text otherwise (relay comments are always text).
 */
import type { Rendition } from '../adapter.js';
import type { Hall, Member } from '../model/hall.js';
import type { Statement } from '../model/statement.js';
import { renderArticle } from './render-article.js';
import { renderText } from './render-text.js';
import type { EarlierStatement } from './templates.js';
import type { PlatformLimits } from './fit-profile.js';

/** Options of {@link renderStatement}. */
export interface RenderStatementOptions {
  /** The limits of the platform's adapter (`adapter.limits`; `format`, `article` and `text` are read). */
  readonly limits: PlatformLimits;
  readonly hall: Hall;
  readonly member: Member;
  readonly handle: string;
  /** A relay comment: always text, short, no link needed. */
  readonly relay?: boolean;
  /** The statement an update or correction follows, for its reference sentence. */
  readonly earlier?: EarlierStatement;
}

/**
 * Renders a statement for one account in the platform's form.
 *
 * @example
 * renderStatement(statement, { limits: adapter.limits, hall, member, handle: account.handle });
 */
export function renderStatement(statement: Statement, options: RenderStatementOptions): Rendition {
  const { limits, hall, member, handle } = options;
  const earlier = options.earlier === undefined ? {} : { earlier: options.earlier };
  if (limits.format === 'article' && limits.article !== undefined && options.relay !== true) {
    return renderArticle(statement, { profile: limits.article, hall, member, handle, ...earlier });
  }
  return renderText(statement, {
    profile: limits.text,
    hall,
    member,
    handle,
    ...(options.relay === undefined ? {} : { relay: options.relay }),
    ...earlier,
  });
}
