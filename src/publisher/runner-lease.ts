/**
 * Who runs a campaign: this publisher's runner id, the leases it takes on deliveries, the
 * heartbeat it writes while running, and the test of whether another process runs a campaign.
 */
import { randomBytes } from 'node:crypto';
import type { CampaignRecord, Journal } from '../journal/journal.js';

/** The runner of a campaign as the journal records it. */
export type RunnerInfo = NonNullable<CampaignRecord['runner']>;

/** This publisher as a runner of campaigns. */
export interface RunnerLease {
  /** This publisher's runner id, written with every heartbeat. */
  readonly id: string;
  /**
   * Takes a new lease on these deliveries: changes under any older lease (a stalled run, another
   * process) are refused from now on. Resolves with the lease.
   */
  claim(deliveryIds: readonly string[]): Promise<string>;
  /**
   * Marks the campaign as running here and keeps saying so until the returned function is called.
   * A heartbeat older than the stale time means this runner is gone.
   */
  startHeartbeat(campaignId: string): Promise<() => void>;
  /** Another runner that ran the campaign recently and is taken to be alive, if any. */
  otherLiveRunner(campaign: CampaignRecord): RunnerInfo | undefined;
}

/** Makes the runner of one publisher. */
export function createRunnerLease(journal: Journal, staleRunnerMs: number): RunnerLease {
  const id = randomBytes(8).toString('hex');
  return {
    id,
    async claim(deliveryIds) {
      const lease = randomBytes(12).toString('hex');
      await journal.claim(deliveryIds, lease);
      return lease;
    },
    async startHeartbeat(campaignId) {
      const beat = (): Promise<void> =>
        journal.updateCampaign(campaignId, {
          state: 'running',
          runner: { id, pid: process.pid, heartbeatAt: new Date().toISOString() },
        });
      await beat();
      const heartbeat = setInterval(
        () => {
          beat().catch(() => undefined);
        },
        Math.max(1000, Math.floor(staleRunnerMs / 3)),
      );
      heartbeat.unref();
      return () => {
        clearInterval(heartbeat);
      };
    },
    otherLiveRunner(campaign) {
      const runner = campaign.runner;
      if (
        runner !== undefined &&
        campaign.state === 'running' &&
        runner.id !== id &&
        Date.now() - Date.parse(runner.heartbeatAt) < staleRunnerMs
      ) {
        return runner;
      }
      return undefined;
    },
  };
}
