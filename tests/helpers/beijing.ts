import { fileURLToPath } from 'node:url';
import { type Statement, loadStatementFile, readDataFile } from 'release-hall';

export const hallPath = fileURLToPath(
  new URL('../../examples/beijing-hall/hall.yaml', import.meta.url),
);
export const statementPath = fileURLToPath(
  new URL('../../examples/beijing-hall/rebuttal.yaml', import.meta.url),
);

/** The Beijing hall file, parsed. */
export async function beijingHall(): Promise<unknown> {
  return readDataFile(hallPath, 'hall');
}

/** The demo rebuttal. */
export async function beijingRebuttal(): Promise<Statement> {
  return loadStatementFile(statementPath);
}
