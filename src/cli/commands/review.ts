/**
 * `release-hall review`: an approver reviews a campaign that went out on fewer approvals than usual
 * (a crisis statement whose policy asks a review within some hours). They sign the campaign's
 * digest; the review is journaled in the audit trail, and `status` shows it.
 */
import { approveStatement, formatReview, readPrivateKey } from 'release-hall';
import type { ReviewFlags } from '../flags.js';
import { openPublisher } from '../open-publisher.js';
import { privateKeyText } from './approve.js';

export async function reviewCommand(campaignId: string, flags: ReviewFlags): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  try {
    const settings = publisher.hall.hall.approvals;
    const approver = settings?.approvers.find((each) => each.id === flags.as);
    if (settings === undefined || approver === undefined) {
      process.stderr.write(
        settings === undefined
          ? `error: the hall file ${flags.hall} names no approvers (approvals.approvers): nobody can review\n`
          : `error: "${flags.as}" is not an approver of this hall; approvers: ${settings.approvers.map((each) => each.id).join(', ')}\n`,
      );
      return 2;
    }
    const status = await publisher.status(campaignId);
    if (status.review === undefined) {
      process.stderr.write(
        `error: campaign "${campaignId}" asks no review: only a statement sent on fewer approvals than usual (a policy with reviewWithinHours) is reviewed afterwards\n`,
      );
      return 2;
    }
    const privateKey = readPrivateKey(
      await privateKeyText(flags, approver.key),
      `the private key of approver "${approver.id}"`,
    );
    const approval = approveStatement({
      digest: status.review.digest,
      approver: approver.id,
      privateKey,
    });
    const review = await publisher.review(campaignId, approval);
    process.stdout.write(`${formatReview(review)}\n`);
    return 0;
  } finally {
    await close();
  }
}
