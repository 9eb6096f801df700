/** `release-hall pause`: hold a campaign, whole or for some groups. */
import type { PauseFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

export async function pauseCommand(campaignId: string, flags: PauseFlags): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  try {
    await publisher.pause(campaignId, {
      reason: flags.reason,
      ...(flags.group ? { groups: flags.group } : {}),
    });
    process.stdout.write(
      `paused ${campaignId}${flags.group ? ` for ${flags.group.join(', ')}` : ''}: a running process holds its queued deliveries; "release-hall resume ${campaignId}" continues\n`,
    );
    return 0;
  } finally {
    await close();
  }
}
