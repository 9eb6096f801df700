import { fileURLToPath } from 'node:url';
import { type Statement, loadStatementFile, readDataFile } from 'release-hall';

export const hallPath = fileURLToPath(
  new URL('../../examples/beijing-hall/hall.yaml', import.meta.url),
);
export const statementPath = fileURLToPath(
  new URL('../../examples/beijing-hall/rebuttal.yaml', import.meta.url),
);

interface HallData {
  platforms?: Record<string, unknown>;
  members: { accounts: Record<string, unknown> }[];
}

/** Keeps only the accounts and platform settings of the given platforms. */
export function onlyPlatforms<T>(hall: T, platforms: readonly string[]): T {
  const data = structuredClone(hall) as HallData;
  for (const member of data.members) {
    for (const platform of Object.keys(member.accounts)) {
      if (!platforms.includes(platform)) delete member.accounts[platform];
    }
  }
  for (const platform of Object.keys(data.platforms ?? {})) {
    if (!platforms.includes(platform)) delete data.platforms?.[platform];
  }
  return data as T;
}

/** The Beijing hall file, parsed; by default only its Weibo accounts. */
export async function beijingHall(platforms: readonly string[] = ['weibo']): Promise<unknown> {
  return onlyPlatforms(await readDataFile(hallPath, 'hall'), platforms);
}

/** The demo rebuttal. */
export async function beijingRebuttal(): Promise<Statement> {
  return loadStatementFile(statementPath);
}
