/**
 * Human-readable reports and progress for terminals. Used by the CLI and the demo.
 */
import cliProgress from 'cli-progress';
import type { Publisher, Preview } from '../publisher/create-publisher.js';
import type { CampaignReport, DeliveryResult } from '../run/types.js';

const ICONS: Record<DeliveryResult['status'], string> = {
  succeeded: 'ok  ',
  failed: 'FAIL',
  skipped: 'skip',
  unconfirmed: 'CHECK',
};

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

/** A per-account summary of a campaign, for a terminal. */
export function formatReport(report: CampaignReport): string {
  const lines: string[] = [];
  lines.push(`Campaign ${report.campaignId} (${report.mode}${report.dryRun ? ', dry run' : ''})`);
  const width = Math.max(8, ...report.deliveries.map((result) => displayWidth(result.handle)));
  for (const result of report.deliveries) {
    const what = result.performed === 'none' ? result.action : result.performed;
    const detail =
      result.status === 'succeeded'
        ? (result.url ?? result.remoteId ?? result.errorMessage ?? '')
        : `${result.errorCode ? `${result.errorCode}: ` : ''}${result.errorMessage ?? ''}`;
    const via =
      (result.via === 'reconciled'
        ? ' (found on the account after an unclear reply; not re-sent)'
        : '') + (result.note ? ` [${result.note}]` : '');
    lines.push(
      `  ${ICONS[result.status].padEnd(5)} ${padDisplay(result.handle, width)}  ${result.platform.padEnd(7)} ${what.padEnd(5)} ${detail}${via}`,
    );
  }
  const { counts } = report;
  lines.push('');
  lines.push(
    `${counts.succeeded} of ${counts.total} deliveries succeeded` +
      (counts.failed ? `, ${counts.failed} failed` : '') +
      (counts.unconfirmed
        ? `, ${counts.unconfirmed} unconfirmed (check by hand; not re-sent)`
        : '') +
      (counts.skipped ? `, ${counts.skipped} skipped` : '') +
      (report.aborted ? ' (aborted)' : ''),
  );
  if (!report.dryRun) {
    lines.push(
      `First post after ${seconds(report.firstPostMs)}, last post after ${seconds(report.lastPostMs)}, total ${seconds(report.durationMs)}`,
    );
  }
  return lines.join('\n');
}

/** The plan of a preview, one line per delivery with the text and its length. */
export function formatPreview(preview: Preview): string {
  const lines = [
    `Campaign ${preview.campaignId} (${preview.mode}): ${preview.deliveries.length} deliveries`,
  ];
  for (const delivery of preview.deliveries) {
    const rendition = delivery.rendition;
    const text =
      rendition.format === 'text'
        ? `[${rendition.length}] ${rendition.text}`
        : `[article] ${rendition.title}`;
    lines.push(`  ${delivery.accountId.padEnd(24)} ${delivery.action.padEnd(5)} ${text}`);
  }
  return lines.join('\n');
}

/**
 * Shows progress while a campaign runs: a bar on a terminal, one line per finished delivery
 * otherwise. Returns a function that stops it.
 */
export function showProgress(
  publisher: Publisher,
  stream: NodeJS.WriteStream = process.stderr,
): () => void {
  let bar: cliProgress.SingleBar | undefined;
  const onPlanned = ({ deliveries }: { deliveries: readonly unknown[] }): void => {
    if (stream.isTTY) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: ' {bar} {value}/{total} deliveries | {succeeded} ok, {failed} not ok | {last}',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(deliveries.length, 0, { succeeded: 0, failed: 0, last: '' });
    } else {
      stream.write(`planned ${deliveries.length} deliveries\n`);
    }
  };
  const onProgress = (event: { done: number; succeeded: number; failed: number }): void => {
    bar?.update(event.done, { succeeded: event.succeeded, failed: event.failed });
  };
  const onDone = ({ result }: { result: DeliveryResult }): void => {
    if (bar) bar.update({ last: `${result.handle} ${result.status}` });
    else
      stream.write(
        `${result.status.padEnd(11)} ${result.accountId} ${result.url ?? result.errorMessage ?? ''}\n`,
      );
  };
  const onRetry = (event: { accountId: string; code: string; delayMs: number }): void => {
    if (!bar)
      stream.write(`retrying    ${event.accountId} after ${event.code} (in ${event.delayMs} ms)\n`);
  };
  publisher.on('campaign:planned', onPlanned);
  publisher.on('campaign:progress', onProgress);
  publisher.on('delivery:succeeded', onDone);
  publisher.on('delivery:failed', onDone);
  publisher.on('delivery:skipped', onDone);
  publisher.on('delivery:retrying', onRetry);
  return () => {
    bar?.stop();
    publisher.off('campaign:planned', onPlanned);
    publisher.off('campaign:progress', onProgress);
    publisher.off('delivery:succeeded', onDone);
    publisher.off('delivery:failed', onDone);
    publisher.off('delivery:skipped', onDone);
    publisher.off('delivery:retrying', onRetry);
  };
}

/** Terminal width of text: CJK characters take two columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text)
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
        char,
      )
        ? 2
        : 1;
  return width;
}

function padDisplay(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
