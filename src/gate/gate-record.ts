/**
 * The publish gate's types: what a campaign brings to it ({@link PublishGate}) and what it let
 * through ({@link GateRecord}, in the report and the audit trail).
 */
import type { Approval } from './approvals.js';
import type { Statement } from '../model/statement.js';

/** What a campaign brings to the gate (the `gate` campaign option). */
export interface PublishGate {
  /**
   * Who publishes: their own approval never counts. Required when the hall names approvers.
   */
  readonly author?: string;
  /** The approvals to verify (e.g. read with `readApprovalFile`). */
  readonly approvals?: readonly Approval[];
  /**
   * Publish although the linter finds errors. The reason is journaled with who overrode (`by`,
   * else the author, else the publisher's actor).
   */
  readonly override?: { readonly reason: string; readonly by?: string };
}

/** What the gate let through, and on what grounds (in the report and the audit trail). */
export interface GateRecord {
  /** Who published (as the gate was told). */
  readonly author?: string;
  readonly lint: {
    /** Lint errors found. */
    readonly errors: number;
    readonly override?: { readonly by: string; readonly reason: string };
  };
  /** Absent when the hall names no approvers, or its policy asks none at this urgency. */
  readonly approvals?: {
    readonly digest: string;
    /** Ids of the approvers whose approval counted. */
    readonly by: readonly string[];
    readonly required: number;
    readonly urgency: Statement['urgency'];
    /** A statement sent on few approvals (a crisis) is reviewed within this many hours. */
    readonly reviewWithinHours?: number;
    /** When that review is due. */
    readonly reviewDueAt?: string;
  };
}
