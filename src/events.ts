/**
 * Typed events of a publisher. Events are for watching; behaviour changes go through options.
 * Every event has one payload object so fields can be added later.
 */
import type { ErrorCode } from './errors.js';
import type { CampaignReport, DeliveryResult, PlannedDelivery } from './run/types.js';

/** `campaign:planned` */
export interface CampaignPlannedEvent {
  readonly campaignId: string;
  readonly deliveries: readonly PlannedDelivery[];
}
/** `delivery:started`: an attempt is about to leave. */
export interface DeliveryStartedEvent {
  readonly campaignId: string;
  readonly deliveryId: string;
  readonly accountId: string;
  readonly platform: string;
  readonly action: PlannedDelivery['action'];
  readonly attempt: number;
}
/** `delivery:retrying`: an attempt failed and another will follow. */
export interface DeliveryRetryingEvent extends DeliveryStartedEvent {
  readonly code: ErrorCode;
  readonly message: string;
  readonly delayMs: number;
}
/** `delivery:succeeded`, `delivery:failed`, `delivery:skipped`. */
export interface DeliveryFinishedEvent {
  readonly campaignId: string;
  readonly result: DeliveryResult;
}
/** `campaign:progress` */
export interface CampaignProgressEvent {
  readonly campaignId: string;
  readonly done: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
}
/** `campaign:finished` */
export interface CampaignFinishedEvent {
  readonly report: CampaignReport;
}
/** `deadline:missed`: the campaign's response deadline passed with some accounts not live yet. */
export interface DeadlineMissedEvent {
  readonly campaignId: string;
  /** The field the clock starts from: the earlier of the statement's `eventAt` and `detectedAt`. */
  readonly from: 'eventAt' | 'detectedAt';
  readonly startedAt: string;
  readonly deadlineMinutes: number;
  readonly deadlineAt: string;
  /** The accounts of the campaign with no live post when the deadline passed. */
  readonly accounts: readonly {
    readonly accountId: string;
    readonly memberId: string;
    readonly platform: string;
  }[];
}
/** `log`: a redacted log line from the core or an adapter. */
export interface LogEvent {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The event map of a publisher (eventemitter3 style: name → listener). */
export interface PublisherEvents {
  'campaign:planned': (event: CampaignPlannedEvent) => void;
  'delivery:started': (event: DeliveryStartedEvent) => void;
  'delivery:retrying': (event: DeliveryRetryingEvent) => void;
  'delivery:succeeded': (event: DeliveryFinishedEvent) => void;
  'delivery:failed': (event: DeliveryFinishedEvent) => void;
  'delivery:skipped': (event: DeliveryFinishedEvent) => void;
  'campaign:progress': (event: CampaignProgressEvent) => void;
  'campaign:finished': (event: CampaignFinishedEvent) => void;
  'deadline:missed': (event: DeadlineMissedEvent) => void;
  log: (event: LogEvent) => void;
}
