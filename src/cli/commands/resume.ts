/** `release-hall resume`: continue a campaign from the journal. */
import { showProgress } from 'release-hall';
import { printHandedOut, printReport, stopOnSignals } from '../campaign-run.js';
import type { ResumeFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

export async function resumeCommand(campaignId: string, flags: ResumeFlags): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  const stopping = stopOnSignals();
  try {
    const stop = flags.progress ? showProgress(publisher) : () => undefined;
    const report = await publisher
      .resume(campaignId, {
        signal: stopping.signal,
        ...(flags.force ? { force: true } : {}),
        ...(flags.retryFailed ? { retryFailed: true } : {}),
      })
      .finally(stop);
    if (flags.wait === false) return printHandedOut(await publisher.status(campaignId), flags.json);
    return printReport(report, flags.json);
  } finally {
    stopping.release();
    await close();
  }
}
