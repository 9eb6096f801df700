/**
 * `release-hall sandbox`: the built-in sandbox of a hall as servers of their own, for rehearsing
 * with several processes (workers, a service, the CLI). Writes a copy of the hall file whose
 * platforms point at the sandbox and a credentials file of the sandbox's tokens, then serves until
 * SIGTERM or SIGINT.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDataFile, resolveHall } from 'release-hall';
import { sandboxPlatforms, sandboxSecrets, startHallSandbox } from 'release-hall/sandbox';
import { buildAdapters } from '../build-adapters.js';
import type { SandboxFlags } from '../flags.js';

export async function sandboxCommand(flags: SandboxFlags): Promise<number> {
  const hallData = (await readDataFile(flags.hall, 'hall')) as Record<string, unknown>;
  const adapters = buildAdapters(hallData);
  const hall = resolveHall(hallData, adapters);
  const sandbox = await startHallSandbox(hallData);
  try {
    const platforms = sandboxPlatforms(
      sandbox,
      (hallData.platforms as Record<string, unknown> | undefined) ?? {},
    );
    const secrets = await sandboxSecrets(sandbox, hall.accounts, adapters);
    const out = resolve(flags.out);
    mkdirSync(out, { recursive: true });
    const hallFile = join(out, 'hall.json');
    const credentialsFile = join(out, 'credentials.json');
    writeFileSync(hallFile, `${JSON.stringify({ ...hallData, platforms }, null, 2)}\n`);
    // Sandbox tokens only, but a credentials file is kept private all the same.
    writeFileSync(credentialsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    process.stdout.write(
      `sandbox of hall "${hall.hall.id}" on ${Object.values(sandbox.baseURLs).join(', ')}\n` +
        `hall file: ${hallFile}\ncredentials: ${credentialsFile}\n`,
    );
    const signal = await new Promise<string>((done) => {
      process.once('SIGTERM', () => done('SIGTERM'));
      process.once('SIGINT', () => done('SIGINT'));
    });
    process.stderr.write(`${signal}: sandbox stopped\n`);
    return 0;
  } finally {
    await sandbox.close();
  }
}
