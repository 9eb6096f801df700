/** `release-hall publish`: publish a statement to the hall (or render and plan it, with --dry-run). */
import {
  type CampaignOptions,
  type Selection,
  describeGate,
  formatPreview,
  loadStatementFile,
  showProgress,
} from 'release-hall';
import { gateOf } from '../approval-gate.js';
import {
  printHandedOut,
  printRefusals,
  printReport,
  pushOptions,
  stopOnSignals,
} from '../campaign-run.js';
import type { PublishFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

/** The selection of the publish flags (also what `approve` signs). */
export function selectionOf(flags: Omit<PublishFlags, 'fallback' | 'progress'>): Selection {
  return {
    ...(flags.member ? { members: flags.member } : {}),
    ...(flags.group ? { groups: flags.group } : {}),
    ...(flags.tag ? { tags: flags.tag } : {}),
    ...(flags.platform ? { platforms: flags.platform } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
  };
}

export async function publishCommand(statementPath: string, flags: PublishFlags): Promise<number> {
  if (flags.sandbox === true && flags.dryRun === true) {
    process.stderr.write(
      'note: --dry-run sends nothing, not even to the sandbox; the checks use the sandbox accounts\n',
    );
  }
  const statement = await loadStatementFile(statementPath);
  const { publisher, close } = await openPublisher(flags, {
    sandbox: flags.sandbox === true,
    dryRun: flags.dryRun === true,
  });
  const stopping = stopOnSignals();
  try {
    // The gate: nothing is sent that the linter refuses (unless overridden with a reason), nor
    // without the approvals the hall asks for, over exactly this; the library checks it.
    const gate = flags.dryRun
      ? undefined
      : await gateOf({
          publisher,
          statement,
          statementPath,
          author: flags.author,
          approvalsFile: flags.approvals,
          override: flags.override,
        });
    const options: CampaignOptions = {
      ...(gate === undefined ? {} : { gate }),
      mode: flags.mode,
      relayFallback: flags.fallback,
      dryRun: flags.dryRun === true,
      selection: selectionOf(flags),
      push: pushOptions(flags),
      signal: stopping.signal,
      ...(flags.campaignId === undefined ? {} : { campaignId: flags.campaignId }),
    };
    if (flags.dryRun && !flags.json) {
      const preview = await publisher.preview(statement, options);
      process.stdout.write(`${formatPreview(preview)}\n`);
      return printRefusals(preview.refusals);
    }
    const stop = flags.progress && !flags.dryRun ? showProgress(publisher) : () => undefined;
    const report = await publisher.publish(statement, options).finally(stop);
    if (flags.wait === false && !report.dryRun) {
      return printHandedOut(await publisher.status(report.campaignId), flags.json);
    }
    if (!flags.json && report.gate !== undefined) {
      for (const line of describeGate(report.gate)) process.stderr.write(`gate: ${line}\n`);
    }
    if (!flags.json && !report.dryRun && report.counts.succeeded !== report.counts.total) {
      process.stderr.write(
        `campaign ${report.campaignId}: see "release-hall status ${report.campaignId} --hall ${flags.hall}"; ` +
          `"release-hall resume" looks before it re-sends anything\n`,
      );
    }
    return printReport(report, flags.json);
  } finally {
    stopping.release();
    await close();
  }
}
