/** `rendition-over-limit`: a rendition longer than its platform accepts. */
import { limitsFor, measureRendition } from '../../render/fit-profile.js';
import { type StatementRule, finding } from './lint-context.js';

export const renditionOverLimit: StatementRule = (_statement, context) =>
  context.renditions.flatMap((entry) => {
    const limits = limitsFor(context.profiles, entry.platform);
    if (limits === undefined) return [];
    const measured = measureRendition(entry.rendition, limits);
    if (measured.fits) return [];
    return [
      finding(
        'error',
        'rendition-over-limit',
        `renditions[${entry.accountId}]`,
        `the rendition of ${entry.accountId} counts ${measured.count} where ${entry.platform} accepts ${measured.limit}`,
        'render it again with the platform profile, or shorten the statement',
        entry.accountId,
      ),
    ];
  });
