/**
 * `release-hall metrics <campaign-id>`: reads the reach (reposts, comments, likes) of every live
 * post of the campaign now, appends the readings to the journal with the time they were read, and
 * prints a table per account with totals, or `--json`, or `--csv` (RFC 4180). `--html FILE` also
 * writes the reach report as a self-contained page with charts, drawn from every reading the
 * journal keeps of the campaign (docs/metrics.md, docs/reports.md). `--at 1h,24h` reads at those
 * times after the campaign started instead: a time past is read at once (late, and said so), a
 * time to come is waited for, a time already read is not read again.
 */
import {
  type ReachCollection,
  ReleaseHallError,
  collectOnSchedule,
  collectReach,
  hasReach,
  parseReadingOffsets,
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
  /** Offsets after the campaign started to read at, e.g. `1h,24h`. */
  at?: string;
}

/** An offset as people write it: `30m`, `1h`, `7d`, `1d12h`. */
function offsetName(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  return `${days > 0 ? `${days}d` : ''}${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}`;
}

function failed(collection: ReachCollection): boolean {
  return collection.accounts.some(
    (account) => account.status === 'failed' || account.status === 'aborted',
  );
}

export async function metricsCommand(campaignId: string, flags: MetricsFlags): Promise<number> {
  if (flags.json === true && flags.csv === true) {
    throw new ReleaseHallError('[release-hall] --json and --csv: choose one', {
      code: 'INVALID_INPUT',
      issues: [{ path: 'csv', message: 'both --json and --csv given' }],
    });
  }
  const offsets = flags.at === undefined ? undefined : parseReadingOffsets(flags.at);
  if (flags.html !== undefined) await checkPagePath(flags.html);
  const { hall, adapters, credentials, journal, signal, close } = await openHallWork(flags);
  const show = async (collection: ReachCollection): Promise<void> => {
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
  };
  try {
    const options = { hall, adapters, credentials, journal, campaignId, signal };
    if (offsets === undefined) {
      const collection = await collectReach(options);
      await show(collection);
      return failed(collection) ? 1 : 0;
    }
    const result = await collectOnSchedule({
      ...options,
      offsets,
      onWait: (next) => {
        process.stderr.write(
          `waiting until ${next.dueAt.toISOString()} for the ${offsetName(next.offsetMs)} reading (Ctrl-C stops; run again to go on)\n`,
        );
      },
      onCollected: async (collection, covers, late) => {
        const which = covers.map((reading) => offsetName(reading.offsetMs)).join(', ');
        process.stderr.write(`the ${which} reading${late ? ', read late' : ''}:\n`);
        await show(collection);
      },
    });
    const done = result.schedule.filter((reading) => reading.done);
    if (done.length > 0) {
      process.stderr.write(
        `already read: ${done.map((reading) => offsetName(reading.offsetMs)).join(', ')}\n`,
      );
    }
    if (result.stopped) {
      process.stderr.write(
        'stopped before the last reading: run the same command again to go on\n',
      );
      return 1;
    }
    return result.collections.some(failed) ? 1 : 0;
  } finally {
    await close();
  }
}
