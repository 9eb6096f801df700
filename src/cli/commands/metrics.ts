/**
 * `release-hall metrics <campaign-id>`: reads the reach (reposts, comments, likes) of every live
 * post of the campaign now, appends the readings to the journal with the time they were read, and
 * prints a table per account with totals, or `--json`, or `--csv` (RFC 4180). `--html FILE` also
 * writes the reach report as a self-contained page with charts, drawn from every reading the
 * journal keeps of the campaign (docs/metrics.md, docs/reports.md).
 */
import {
  ReleaseHallError,
  collectReach,
  hasReach,
  reachCsv,
  reachTable,
  renderMetricsPage,
} from 'release-hall';

import { checkPagePath, writePage } from '../../report/page-file.js';
import { type HallWorkFlags, openHallWork } from '../open-hall-work.js';

/** Flags of `metrics`. */
export interface MetricsFlags extends HallWorkFlags {
  json?: boolean;
  csv?: boolean;
  html?: string;
}

export async function metricsCommand(campaignId: string, flags: MetricsFlags): Promise<number> {
  if (flags.json === true && flags.csv === true) {
    throw new ReleaseHallError('[release-hall] --json and --csv: choose one', {
      code: 'INVALID_INPUT',
      issues: [{ path: 'csv', message: 'both --json and --csv given' }],
    });
  }
  if (flags.html !== undefined) await checkPagePath(flags.html);
  const { hall, adapters, credentials, journal, signal, close } = await openHallWork(flags);
  try {
    const collection = await collectReach({
      hall,
      adapters,
      credentials,
      journal,
      campaignId,
      signal,
    });
    if (flags.html !== undefined) {
      const names = new Map(hall.hall.members.map((member) => [member.id, member.name]));
      await writePage(
        flags.html,
        await renderMetricsPage({
          campaignId,
          hallName: hall.hall.name,
          readings: hasReach(journal) ? await journal.listReach(campaignId) : collection.readings,
          accountNames: new Map(
            hall.accounts.map((account) => [
              account.id,
              `${names.get(account.memberId) ?? account.memberId} (${account.platform})`,
            ]),
          ),
          accounts: collection.accounts,
        }),
      );
    }
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(collection, null, 2)}\n`);
    } else if (flags.csv === true) {
      process.stdout.write(reachCsv(collection));
    } else {
      process.stdout.write(reachTable(collection));
    }
    return collection.accounts.some(
      (account) => account.status === 'failed' || account.status === 'aborted',
    )
      ? 1
      : 0;
  } finally {
    await close();
  }
}
