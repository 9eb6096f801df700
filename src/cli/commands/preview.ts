/** `release-hall preview`: every account's rendition, the lint findings and the plan; sends nothing. */
import { formatPreviewTable, loadStatementFile } from 'release-hall';
import { printRefusals, pushOptions } from '../campaign-run.js';
import type { PreviewFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

export async function previewCommand(statementPath: string, flags: PreviewFlags): Promise<number> {
  const statement = await loadStatementFile(statementPath);
  // The journal is read (for push quotas), never written.
  const { publisher, close } = await openPublisher(flags, { readOnly: true });
  try {
    const preview = await publisher.preview(statement, {
      mode: flags.mode,
      push: pushOptions(flags),
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
    else {
      process.stdout.write(
        `${formatPreviewTable(preview.table, flags.html ? { html: true } : {})}\n`,
      );
    }
    if (preview.refusals.length > 0) return printRefusals(preview.refusals);
    return preview.lint.ok && preview.table.totals.over === 0 ? 0 : 1;
  } finally {
    await close();
  }
}
