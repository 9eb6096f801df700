/** `release-hall validate`: check a hall file and report what it holds. */
import { readDataFile, resolveHall } from 'release-hall';
import { invalidInput } from 'release-hall/adapter-kit';
import { buildAdapters } from '../build-adapters.js';
import type { ValidateFlags } from '../flags.js';

export async function validateCommand(hallPath: string, flags: ValidateFlags): Promise<number> {
  const hallData = await readDataFile(hallPath, 'hall');
  const adapters = buildAdapters(hallData);
  const resolved = resolveHall(hallData, adapters);
  // The adapter settings every write needs (Weibo's rip, Tencent's appKey), as the pre-flight
  // of a publish checks them.
  const platforms = new Set(resolved.accounts.map((account) => account.platform));
  const notReady = adapters
    .filter((adapter) => platforms.has(adapter.platform))
    .flatMap((adapter) => adapter.checkReady?.() ?? []);
  if (notReady.length > 0) throw invalidInput(`hall ${hallPath}`, notReady);
  const byPlatform = new Map<string, number>();
  for (const account of resolved.accounts)
    byPlatform.set(account.platform, (byPlatform.get(account.platform) ?? 0) + 1);
  const summary = {
    hall: resolved.hall.id,
    name: resolved.hall.name,
    lead: resolved.hall.lead,
    members: resolved.hall.members.length,
    groups: Object.fromEntries(
      resolved.hall.groups.map((group) => [
        group.id,
        resolved.hall.members.filter((member) => member.groups.includes(group.id)).length,
      ]),
    ),
    accounts: Object.fromEntries(byPlatform),
  };
  if (flags.json) process.stdout.write(`${JSON.stringify({ valid: true, ...summary }, null, 2)}\n`);
  else {
    process.stdout.write(
      `${hallPath}: valid. ${summary.name} (${summary.hall}), lead ${summary.lead}, ${summary.members} members; ` +
        `accounts: ${[...byPlatform].map(([platform, count]) => `${platform} ${count}`).join(', ')}; ` +
        `groups: ${Object.entries(summary.groups)
          .map(([group, count]) => `${group} ${count}`)
          .join(', ')}\n`,
    );
  }
  return 0;
}
