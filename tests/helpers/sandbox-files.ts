/**
 * The files an operator keeps, for a hall whose sandbox runs in the test process: the hall file
 * pointing each platform at its sandbox (with the sandbox's settings and any given), and a
 * credentials file (mode 600) with each account's sandbox secrets. CLI children read them as they
 * would a real hall's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Adapter, resolveHall } from 'release-hall';
import { type HallSandbox, sandboxPlatforms, sandboxSecrets } from 'release-hall/sandbox';

/** What {@link writeSandboxFiles} wrote. */
export interface SandboxFiles {
  readonly hallFile: string;
  readonly credentialsFile: string;
  /** The secrets written, by credentials reference (to check none is printed). */
  readonly secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Writes `hall.json` and `credentials.json` into `dir`. `settings` adds platform settings the
 * sandbox does not give (Tencent's `appKey`, `clientIp`); `extra` adds hall fields (`webhooks`).
 */
export async function writeSandboxFiles(
  dir: string,
  hall: object,
  sandbox: HallSandbox,
  adapters: readonly Adapter[],
  options: {
    readonly settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly extra?: Readonly<Record<string, unknown>>;
  } = {},
): Promise<SandboxFiles> {
  const secrets = await sandboxSecrets(sandbox, resolveHall(hall, adapters).accounts, adapters);
  const platforms = sandboxPlatforms(sandbox);
  for (const [platform, settings] of Object.entries(options.settings ?? {})) {
    const entry = platforms[platform] as { settings: Record<string, unknown> };
    entry.settings = { ...entry.settings, ...settings };
  }
  const hallFile = join(dir, 'hall.json');
  writeFileSync(hallFile, JSON.stringify({ ...hall, platforms, ...options.extra }));
  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify(secrets), { mode: 0o600 });
  return { hallFile, credentialsFile, secrets };
}
