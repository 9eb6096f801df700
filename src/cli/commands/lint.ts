/** `release-hall lint`: check a statement, and its links against a hall's domain when given. */
import { lintStatement, readDataFile, resolveHall } from 'release-hall';
import { invalidInput } from 'release-hall/adapter-kit';
import { buildAdapters } from '../build-adapters.js';
import type { LintFlags } from '../flags.js';

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
  const hall =
    flags.hall === undefined
      ? undefined
      : resolveHall(
          await readDataFile(flags.hall, 'hall'),
          buildAdapters(await readDataFile(flags.hall, 'hall')),
        ).hall;
  const result = lintStatement(data as Record<string, unknown>, hall === undefined ? {} : { hall });
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines = result.findings.map(
      (finding) =>
        `${finding.severity === 'error' ? 'error  ' : 'warning'} ${finding.path}: ${finding.message}${finding.fix ? ` (fix: ${finding.fix})` : ''}`,
    );
    lines.push(`${result.errors} errors, ${result.warnings} warnings`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.errors === 0 ? 0 : 1;
}
