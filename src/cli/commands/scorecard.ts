/**
 * `release-hall scorecard --hall FILE --since DATE`: one row per member of the hall over the
 * period (docs/scorecard.md), as a text table, `--json` or `--csv` (RFC 4180) on stdout, and with
 * `--html FILE` also as a self-contained page with charts (docs/reports.md). Reads the journal and
 * each account's followers and posts; writes nothing to the journal and sends nothing but reads.
 */
import {
  ReleaseHallError,
  computeScorecard,
  hasReach,
  readScorecardInput,
  renderScorecardPage,
  scorecardCsv,
  scorecardTable,
} from 'release-hall';
import type { ReachReading } from 'release-hall';

import { checkPagePath, writePage } from '../../report/page-file.js';
import { type HallWorkFlags, openHallWork } from '../open-hall-work.js';

/** Flags of `scorecard`. */
export interface ScorecardFlags extends HallWorkFlags {
  since: string;
  json?: boolean;
  csv?: boolean;
  html?: string;
  rehearsals?: boolean;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function badSince(since: string, why: string): ReleaseHallError {
  return new ReleaseHallError(`[release-hall] --since "${since}": ${why}`, {
    code: 'INVALID_INPUT',
    issues: [{ path: 'since', message: why }],
  });
}

/**
 * The start of the period: a bare date is midnight in Beijing (UTC+8), the hall's time; a time
 * with its offset is taken as written.
 */
export function parseSince(since: string, now: Date): Date {
  const at = DATE_ONLY.test(since) ? Date.parse(`${since}T00:00:00+08:00`) : Date.parse(since);
  if (Number.isNaN(at)) {
    throw badSince(
      since,
      'expected a date such as 2026-11-01, or a time such as 2026-11-01T09:00:00+08:00',
    );
  }
  if (at > now.getTime())
    throw badSince(since, 'the period starts in the future: give a past date');
  return new Date(at);
}

/**
 * Runs `release-hall scorecard`; resolves with the exit code (1 when an account's activity read
 * failed, the scorecard printed either way).
 */
export async function scorecardCommand(flags: ScorecardFlags): Promise<number> {
  if (flags.json === true && flags.csv === true) {
    throw new ReleaseHallError('[release-hall] --json and --csv: choose one', {
      code: 'INVALID_INPUT',
      issues: [{ path: 'csv', message: 'both --json and --csv given' }],
    });
  }
  const now = new Date();
  const since = parseSince(flags.since, now);
  if (flags.html !== undefined) await checkPagePath(flags.html);
  const { hall, adapters, credentials, journal, signal, close } = await openHallWork(flags);
  try {
    const input = await readScorecardInput({
      hall,
      adapters,
      credentials,
      journal,
      since,
      now,
      includeRehearsals: flags.rehearsals === true,
      signal,
    });
    const scorecard = computeScorecard(input);
    if (flags.html !== undefined) {
      const reach: readonly ReachReading[] = hasReach(journal) ? input.reach : [];
      await writePage(
        flags.html,
        await renderScorecardPage(scorecard, { hallName: hall.hall.name, reach }),
      );
    }
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(scorecard, null, 2)}\n`);
    } else if (flags.csv === true) {
      process.stdout.write(scorecardCsv(scorecard));
    } else {
      process.stdout.write(scorecardTable(scorecard));
      if (flags.html !== undefined) process.stdout.write(`page written to ${flags.html}\n`);
    }
    // Like `metrics`: 1 when a read was tried and failed, so a script notices the gaps.
    return scorecard.members.some((member) =>
      member.accounts.some((account) => account.readFailed === true),
    )
      ? 1
      : 0;
  } finally {
    await close();
  }
}
