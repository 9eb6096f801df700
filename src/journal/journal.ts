/**
 * The journal: the record of campaigns and every delivery state change. A state change is written
 * before the external call that depends on it. This module holds the interface and the in-memory
 * store; a durable store implements the same interface.
 */
import type { ErrorCode } from '../errors.js';
import type { PlannedDelivery } from '../run/types.js';

/** Where a delivery stands. */
export type DeliveryState =
  | 'planned'
  | 'sending'
  | 'succeeded'
  | 'failed'
  | 'unknown'
  | 'reconciled'
  | 'unconfirmed'
  | 'skipped';

/** One state change of a delivery. */
export interface DeliveryTransition {
  readonly deliveryId: string;
  readonly state: DeliveryState;
  readonly at: string;
  readonly attempt?: number;
  readonly remoteId?: string;
  readonly url?: string;
  readonly errorCode?: ErrorCode;
  readonly errorMessage?: string;
}

/** A campaign as journaled. */
export interface CampaignRecord {
  readonly id: string;
  readonly hallId: string;
  readonly statementId?: string;
  readonly mode: 'original' | 'relay';
  readonly createdAt: string;
  state: 'running' | 'finished' | 'aborted';
}

/** A delivery as journaled: the plan plus its latest state. */
export interface DeliveryRecord {
  readonly delivery: PlannedDelivery;
  state: DeliveryState;
  attempts: number;
  remoteId?: string;
  url?: string;
  errorCode?: ErrorCode;
  errorMessage?: string;
  readonly history: DeliveryTransition[];
}

/** The journal interface. */
export interface Journal {
  createCampaign(record: CampaignRecord, deliveries: readonly PlannedDelivery[]): Promise<void>;
  /** Records a state change; resolves once it is stored. */
  transition(change: DeliveryTransition): Promise<void>;
  finishCampaign(campaignId: string, state: CampaignRecord['state']): Promise<void>;
  getCampaign(campaignId: string): Promise<CampaignRecord | undefined>;
  getDeliveries(campaignId: string): Promise<readonly DeliveryRecord[]>;
}

/** A journal in memory: for tests and library users who keep their own records. */
export class MemoryJournal implements Journal {
  readonly #campaigns = new Map<string, CampaignRecord>();
  readonly #deliveries = new Map<string, DeliveryRecord>();
  readonly #byCampaign = new Map<string, string[]>();

  createCampaign(record: CampaignRecord, deliveries: readonly PlannedDelivery[]): Promise<void> {
    if (this.#campaigns.has(record.id)) {
      return Promise.reject(new Error(`campaign ${record.id} is already in the journal`));
    }
    this.#campaigns.set(record.id, { ...record });
    const ids: string[] = [];
    for (const delivery of deliveries) {
      ids.push(delivery.id);
      this.#deliveries.set(delivery.id, { delivery, state: 'planned', attempts: 0, history: [] });
    }
    this.#byCampaign.set(record.id, ids);
    return Promise.resolve();
  }

  transition(change: DeliveryTransition): Promise<void> {
    const record = this.#deliveries.get(change.deliveryId);
    if (record === undefined)
      return Promise.reject(new Error(`unknown delivery ${change.deliveryId}`));
    record.state = change.state;
    record.history.push(change);
    if (change.attempt !== undefined) record.attempts = Math.max(record.attempts, change.attempt);
    if (change.remoteId !== undefined) record.remoteId = change.remoteId;
    if (change.url !== undefined) record.url = change.url;
    if (change.errorCode !== undefined) record.errorCode = change.errorCode;
    if (change.errorMessage !== undefined) record.errorMessage = change.errorMessage;
    return Promise.resolve();
  }

  finishCampaign(campaignId: string, state: CampaignRecord['state']): Promise<void> {
    const record = this.#campaigns.get(campaignId);
    if (record) record.state = state;
    return Promise.resolve();
  }

  getCampaign(campaignId: string): Promise<CampaignRecord | undefined> {
    const record = this.#campaigns.get(campaignId);
    return Promise.resolve(record ? { ...record } : undefined);
  }

  getDeliveries(campaignId: string): Promise<readonly DeliveryRecord[]> {
    const ids = this.#byCampaign.get(campaignId) ?? [];
    return Promise.resolve(
      ids.flatMap((id) => {
        const record = this.#deliveries.get(id);
        return record ? [{ ...record, history: [...record.history] }] : [];
      }),
    );
  }
}
