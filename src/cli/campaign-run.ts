/** What the commands that run a campaign share: Ctrl-C handling, push options, the report. */
import {
  type CampaignOptions,
  type CampaignReport,
  type InputIssue,
  formatReport,
} from 'release-hall';
import type { PushFlags } from './flags.js';

/** Ctrl-C stops cleanly (nothing new starts); a second Ctrl-C quits at once. */
export function stopOnSignals(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: nothing new starts; press Ctrl-C again to quit at once\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function pushOptions(flags: PushFlags): CampaignOptions['push'] {
  return {
    policy: flags.push,
    ...(flags.pushMember ? { members: flags.pushMember } : {}),
    ...(flags.spendLastPush ? { spendLast: true } : {}),
    ...(flags.pushTag === undefined ? {} : { tag: pushTagOf(flags.pushTag) }),
  };
}

/** `--push-tag`: digits are a tag id, anything else a tag name. */
function pushTagOf(value: string): string | number {
  const trimmed = value.trim();
  return /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * Prints a campaign report and returns the exit code it calls for: 0 all succeeded (or a dry run),
 * 130 stopped by a signal, 1 otherwise.
 */
/**
 * What `--no-wait` prints: the campaign handed to the workers, how many of its deliveries are
 * still pending with them (from the journal), and how to follow it. Exit 0: handing out is what
 * was asked.
 */
export function printHandedOut(
  status: {
    readonly campaign: { readonly id: string };
    readonly counts: { readonly total: number; readonly pending: number };
  },
  json: boolean | undefined,
): number {
  const { id } = status.campaign;
  const { total, pending } = status.counts;
  if (json) {
    process.stdout.write(`${JSON.stringify({ campaignId: id, total, pending }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `campaign ${id}: handed to the workers, ${pending} of ${total} deliveries pending; ` +
        `follow it with "release-hall status ${id} --redis …"\n`,
    );
  }
  return 0;
}

export function printReport(report: CampaignReport, json: boolean | undefined): number {
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatReport(report)}\n`);
  if (report.dryRun) return 0;
  // Stopped by Ctrl-C (or SIGTERM): the shell's code for an interrupted command.
  if (report.aborted) return 130;
  return report.counts.succeeded === report.counts.total ? 0 : 1;
}

/**
 * Prints what publish would refuse (from a preview or dry run) on stderr; returns 2 when there is
 * anything, else 0.
 */
export function printRefusals(refusals: readonly InputIssue[]): number {
  if (refusals.length === 0) return 0;
  const lines = refusals.map((issue) => `  - ${issue.path}: ${issue.message}`);
  process.stderr.write(
    `publish would refuse this campaign, before sending anything:\n${lines.join('\n')}\n`,
  );
  return 2;
}
