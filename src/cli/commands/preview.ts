/** `release-hall preview`: every account's rendition, the lint findings and the plan; sends nothing. */
import { readFile, writeFile } from 'node:fs/promises';
import {
  type CampaignOptions,
  type Preview,
  type PreviewApproval,
  type Publisher,
  type Statement,
  approvalFileOf,
  approvalRule,
  formatPreviewTable,
  hallApprovers,
  loadStatementFile,
  readApprovalFile,
  renderPreviewPage,
  verifyApprovals,
} from 'release-hall';
import { planDigest } from '../approval-gate.js';
import { printRefusals, pushOptions } from '../campaign-run.js';
import type { PreviewFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';

/** Largest picture inlined in the preview page; a larger one is shown as a placeholder. */
const PAGE_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

/** The image type of a picture, by its first bytes: JPEG, PNG or GIF. */
function imageType(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return undefined;
}

/** The covers of the preview's articles that are local pictures, as `data:` URIs. */
async function pageImages(preview: Preview): Promise<Map<string, string>> {
  const images = new Map<string, string>();
  const covers = new Set(
    preview.table.accounts.flatMap((account) =>
      account.article?.cover === undefined ? [] : [account.article.cover],
    ),
  );
  for (const cover of covers) {
    if (/^[a-z][a-z0-9+.-]*:/iu.test(cover) && !/^[a-z]:[\\/]/iu.test(cover)) continue;
    try {
      const bytes = await readFile(cover);
      const type = imageType(bytes);
      if (type === undefined || bytes.length > PAGE_IMAGE_MAX_BYTES) continue;
      images.set(cover, `data:${type};base64,${bytes.toString('base64')}`);
    } catch {
      // Unreadable here: the page shows a placeholder (the pre-flight names the problem).
    }
  }
  return images;
}

/**
 * Where the gate stands: the approvals the hall's policy asks for this statement's urgency, and
 * the approvers whose approval in the statement's `.approval` file counts for exactly this plan.
 */
async function approvalState(
  publisher: Publisher,
  statement: Statement,
  statementPath: string,
  options: CampaignOptions,
): Promise<PreviewApproval> {
  const settings = publisher.hall.hall.approvals;
  // A hall without an approval policy asks for none.
  if (settings === undefined) return { required: 0 };
  const rule = approvalRule(settings, statement.urgency);
  const base = {
    required: rule.approvals,
    urgency: statement.urgency,
    ...(rule.reviewWithinHours === undefined ? {} : { reviewWithinHours: rule.reviewWithinHours }),
  };
  if (rule.approvals === 0) return base;
  try {
    const verdict = verifyApprovals({
      digest: await planDigest(publisher, statement, options),
      approvals: await readApprovalFile(approvalFileOf(statementPath)),
      approvers: hallApprovers(settings),
      required: rule.approvals,
    });
    return { ...base, approvedBy: verdict.valid };
  } catch {
    // An approvals file that cannot be read: the page says the approvals are not checked.
    return base;
  }
}

export async function previewCommand(statementPath: string, flags: PreviewFlags): Promise<number> {
  const statement = await loadStatementFile(statementPath);
  // The journal is read (for push quotas), never written.
  const { publisher, close } = await openPublisher(flags, { readOnly: true });
  try {
    const options: CampaignOptions = { mode: flags.mode, push: pushOptions(flags) };
    const preview = await publisher.preview(statement, options);
    if (flags.json) process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
    else {
      process.stdout.write(
        `${formatPreviewTable(preview.table, flags.html ? { html: true } : {})}\n`,
      );
    }
    if (flags.htmlPage !== undefined) {
      const approval = await approvalState(publisher, statement, statementPath, options);
      const page = renderPreviewPage(preview, { images: await pageImages(preview), approval });
      await writeFile(flags.htmlPage, page, 'utf8');
      process.stderr.write(`preview page written to ${flags.htmlPage}\n`);
    }
    if (preview.refusals.length > 0) return printRefusals(preview.refusals);
    return preview.lint.ok && preview.table.totals.over === 0 ? 0 : 1;
  } finally {
    await close();
  }
}
