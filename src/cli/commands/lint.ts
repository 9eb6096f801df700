/**
 * `release-hall lint`: check a statement; with `--hall`, its links against the hall's domain and
 * with the hall's `lint` settings (its phrases, rules off, severities), as `preview` and the
 * publish gate do.
 */
import { type Hall, lintStatement, readDataFile, resolveHall } from 'release-hall';
import { invalidInput } from 'release-hall/adapter-kit';
import { buildAdapters } from '../build-adapters.js';
import type { LintFlags } from '../flags.js';

/** The hall file checked whole, its `lint` settings with it. */
async function readHall(path: string): Promise<Hall> {
  const data = await readDataFile(path, 'hall');
  return resolveHall(data, buildAdapters(data)).hall;
}

export async function lintCommand(statementPath: string, flags: LintFlags): Promise<number> {
  const data = await readDataFile(statementPath, 'statement');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = data === null ? 'an empty file' : Array.isArray(data) ? 'a list' : typeof data;
    throw invalidInput(`statement ${statementPath}`, [
      {
        path: '(root)',
        message: `expected the fields of a statement (kind, headline, body, issuer, issuedAt, link, …), got ${got}`,
      },
    ]);
  }
  const hall = flags.hall === undefined ? undefined : await readHall(flags.hall);
  const result = lintStatement(data as Record<string, unknown>, hall === undefined ? {} : { hall });
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines = result.findings.map(
      (finding) =>
        `${finding.severity === 'error' ? 'error  ' : 'warning'} ${finding.path}: ${finding.message}${finding.fix ? ` (fix: ${finding.fix})` : ''} [${finding.rule}]`,
    );
    lines.push(`${result.errors} errors, ${result.warnings} warnings`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.errors === 0 ? 0 : 1;
}
