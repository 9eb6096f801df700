/**
 * `release-hall audit export`: the audit log as JSON Lines, one entry per line with its `seq`,
 * `prevHash` and `hash`, in the order stored, for an archive or a check made elsewhere. The
 * journal is read only.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ChainedAuditEntry } from 'release-hall';
import { readAuditLog } from './audit-log.js';

/** Flags of `audit export`. */
export interface AuditExportFlags {
  format: 'jsonl';
  journal?: string;
  campaign?: string;
  output?: string;
}

/** One line: the entry's fields in a fixed order, then any other field it holds. */
function line(entry: ChainedAuditEntry): string {
  const { seq, at, actor, action, campaignId, detail, prevHash, hash, ...rest } = entry;
  return JSON.stringify({ seq, at, actor, action, campaignId, detail, prevHash, hash, ...rest });
}

export async function auditExportCommand(flags: AuditExportFlags): Promise<number> {
  const { path, entries } = await readAuditLog(flags);
  if (flags.output !== undefined) {
    const target = resolve(flags.output);
    if ([path, `${path}-wal`, `${path}-shm`].some((file) => resolve(file) === target)) {
      process.stderr.write(`error: -o ${flags.output} is the journal itself: name another file\n`);
      return 2;
    }
  }
  const selected =
    flags.campaign === undefined
      ? entries
      : entries.filter((entry) => entry.campaignId === flags.campaign);
  const text = selected.map((entry) => `${line(entry)}\n`).join('');
  if (flags.campaign !== undefined && selected.length === 0) {
    process.stderr.write(`warning: no audit entry of campaign "${flags.campaign}" in ${path}\n`);
  }
  if (flags.output === undefined) {
    process.stdout.write(text);
    return 0;
  }
  await writeFile(flags.output, text);
  process.stderr.write(
    `${selected.length} ${selected.length === 1 ? 'entry' : 'entries'} of the audit log of ${path} written to ${flags.output}\n`,
  );
  return 0;
}
