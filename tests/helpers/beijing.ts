import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The secret fields each platform's adapter asks for. */
const CREDENTIAL_FIELDS: Readonly<Record<string, string>> = {
  weibo: 'access_token',
  tencent: 'access_token',
  wechat: 'secret',
};

/**
 * Writes a credentials file (mode 600) with a made-up secret for every account of the Beijing
 * hall, as an operator would keep one; returns its path. The secrets reach no platform: tests
 * that use it send nothing, or send to a sandbox.
 */
export async function beijingCredentialsFile(dir: string): Promise<string> {
  const hall = (await readDataFile(hallPath, 'hall')) as {
    members: { accounts: Record<string, { credentials: string }> }[];
  };
  const secrets: Record<string, Record<string, string>> = {};
  for (const member of hall.members) {
    for (const [platform, account] of Object.entries(member.accounts)) {
      const field = CREDENTIAL_FIELDS[platform] ?? 'access_token';
      secrets[account.credentials] = { [field]: `made-up-${account.credentials}` };
    }
  }
  const path = join(dir, 'credentials.json');
  writeFileSync(path, JSON.stringify(secrets), { mode: 0o600 });
  return path;
}
