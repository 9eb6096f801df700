/**
 * `link-outside-safe-domain`: the full-text link (error), a link in the text or one a rendition
 * adds (warning) off the hall's `site.domain`.
 */
import { findLinks } from '../../render/split-text.js';
import { renditionText } from '../check-consistency.js';
import type { LintFinding } from '../lint-types.js';
import { type StatementRule, finding } from './lint-context.js';

/** True when `host` is `domain` or one of its subdomains, compared in lower case. */
export function isOnDomain(link: string, domain: string): boolean {
  const host = /^https?:\/\/([^/?#:@]+)/i.exec(link)?.[1]?.toLowerCase();
  if (host === undefined) return false;
  const wanted = domain.toLowerCase();
  return host === wanted || host.endsWith(`.${wanted}`);
}

export const linkOutsideSafeDomain: StatementRule = (statement, context) => {
  const domain = context.hall?.site?.domain;
  if (domain === undefined) return [];
  const findings: LintFinding[] = [];
  if (statement.link !== undefined && !isOnDomain(statement.link, domain)) {
    findings.push(
      finding(
        'error',
        'link-outside-safe-domain',
        'link',
        `the full-text link ${statement.link} is not on the hall's site ${domain}; Weibo's share call refuses it and readers cannot trust it`,
        `publish the full text on ${domain} and link to it`,
        undefined,
        statement.link,
      ),
    );
  }
  const statementLinks = new Set(findLinks(context.allText));
  for (const field of context.fields) {
    for (const link of findLinks(field.text)) {
      if (isOnDomain(link, domain)) continue;
      findings.push(
        finding(
          'warning',
          'link-outside-safe-domain',
          field.path,
          `the link ${link} in ${field.path} is not on the hall's site ${domain}`,
          `link to a page on ${domain}, or leave the link out of the text`,
          undefined,
          link,
        ),
      );
    }
  }
  for (const entry of context.renditions) {
    for (const link of findLinks(renditionText(entry.rendition))) {
      if (link === statement.link || statementLinks.has(link) || isOnDomain(link, domain)) continue;
      findings.push(
        finding(
          'warning',
          'link-outside-safe-domain',
          `renditions[${entry.accountId}]`,
          `the rendition of ${entry.accountId} links to ${link}, which is not on ${domain}`,
          `remove the link from the member's prefix or signOff, or link to ${domain}`,
          entry.accountId,
          link,
        ),
      );
    }
  }
  return findings;
};
