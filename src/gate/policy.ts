/**
 * The hall's approval policy, read: the approvers with their keys, and how many approvals a
 * statement of each urgency needs.
 */
import { type InputIssue, invalidInput } from '../errors.js';
import type { ApprovalsSettings } from '../model/hall.js';
import type { Statement } from '../model/statement.js';
import { type Approver, readPublicKey } from './approvals.js';

/** What a statement of one urgency needs. */
export interface ApprovalRule {
  readonly approvals: number;
  /** A crisis statement sent on few approvals is reviewed within this many hours. */
  readonly reviewWithinHours?: number;
}

/** The rule for `urgency` in the hall's policy. */
export function approvalRule(
  settings: ApprovalsSettings,
  urgency: Statement['urgency'],
): ApprovalRule {
  const rule = settings.policy[urgency];
  if (typeof rule === 'number') return { approvals: rule };
  return {
    approvals: rule.approvals,
    ...(rule.reviewWithinHours === undefined ? {} : { reviewWithinHours: rule.reviewWithinHours }),
  };
}

/**
 * The hall's approvers with their public keys.
 * @throws ReleaseHallError `INVALID_INPUT` naming each key that is not an Ed25519 public key.
 */
export function hallApprovers(settings: ApprovalsSettings): Approver[] {
  const issues: InputIssue[] = [];
  const approvers: Approver[] = [];
  settings.approvers.forEach((approver, index) => {
    try {
      approvers.push({
        id: approver.id,
        name: approver.name,
        publicKey: readPublicKey(approver.publicKey, `approver "${approver.id}"`),
      });
    } catch (error) {
      issues.push({
        path: `approvals.approvers[${index}].publicKey`,
        message:
          error instanceof Error ? error.message.replace(/^\[release-hall\] /, '') : String(error),
      });
    }
  });
  if (issues.length > 0) throw invalidInput('hall file', issues);
  return approvers;
}
