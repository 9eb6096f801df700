/**
 * Where a report page is written (`--html FILE`): checked before anything is read, so a typing
 * mistake in the path does not cost a round of platform reads, then written in one call.
 */
import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReleaseHallError } from '../errors.js';

function refused(path: string, field: string, why: string): ReleaseHallError {
  return new ReleaseHallError(`[release-hall] --${field} "${path}": ${why}`, {
    code: 'INVALID_INPUT',
    issues: [{ path: field, message: why }],
  });
}

/**
 * Checks that a page can be written at `path`: its folder exists, and the path is not a folder.
 *
 * @throws ReleaseHallError `INVALID_INPUT` naming the flag and the fix.
 */
export async function checkPagePath(path: string, field = 'html'): Promise<void> {
  const folder = dirname(resolve(path));
  const where = await stat(folder).catch(() => undefined);
  if (where?.isDirectory() !== true) {
    throw refused(
      path,
      field,
      `the folder ${folder} does not exist: create it or give another path`,
    );
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) {
    throw refused(path, field, 'this is a folder: give a file name such as report.html');
  }
}

/** Writes a page; a failure names the flag. */
export async function writePage(path: string, html: string, field = 'html'): Promise<void> {
  try {
    await writeFile(path, html, 'utf8');
  } catch (error) {
    throw refused(
      path,
      field,
      `could not write the page (${error instanceof Error ? error.message : String(error)}): check the path and its permissions`,
    );
  }
}
