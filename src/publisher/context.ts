/**
 * What the parts of one publisher share: its settings, its events, its runner, the campaigns it
 * runs right now, and the helpers every part writes with (logger, audit, campaign look-up).
 */
import type { EventEmitter } from 'eventemitter3';
import { invalidInput } from '../errors.js';
import type { PublisherEvents } from '../events.js';
import type { AuditEntry, CampaignRecord } from '../journal/journal.js';
import { type LogSink, type Logger, createRedactingLogger } from '../logger.js';
import type { Redactor } from '../redact.js';
import type { CampaignReport } from '../run/types.js';
import type { PublisherSettings } from './options.js';
import type { RunnerLease } from './runner-lease.js';

/** The shared state of one publisher. */
export interface PublisherContext {
  readonly settings: PublisherSettings;
  readonly events: EventEmitter<PublisherEvents>;
  readonly runner: RunnerLease;
  /** The campaigns this publisher is running right now, by id. */
  readonly active: Map<string, Promise<CampaignReport>>;
  /** Member id → its groups, for the pause gate. */
  readonly groupsOf: ReadonlyMap<string, readonly string[]>;
}

/** Makes the shared state of a publisher. */
export function createContext(
  settings: PublisherSettings,
  events: EventEmitter<PublisherEvents>,
  runner: RunnerLease,
): PublisherContext {
  return {
    settings,
    events,
    runner,
    active: new Map(),
    groupsOf: new Map(settings.hall.hall.members.map((member) => [member.id, member.groups])),
  };
}

/** A logger of one campaign: redacted lines to the `log` option and the `log` event. */
export function campaignLogger(
  context: PublisherContext,
  redactor: Redactor,
  campaignId: string,
): Logger {
  const { log } = context.settings;
  const { events } = context;
  const sink: LogSink = (level, message, fields) => {
    try {
      log?.(level, message, fields);
      events.emit('log', { level, message, fields });
    } catch {
      // a failing log sink must not change a delivery
    }
  };
  return createRedactingLogger(sink, redactor, { campaignId });
}

/** Appends to the audit trail as this publisher's actor, now. */
export function audit(
  context: PublisherContext,
  entry: Omit<AuditEntry, 'at' | 'actor'>,
): Promise<void> {
  const { journal, actor } = context.settings;
  return journal.audit({ ...entry, at: new Date().toISOString(), actor });
}

/** The campaign from the journal; `INVALID_INPUT` when absent or of another hall. */
export async function loadCampaign(
  context: PublisherContext,
  campaignId: string,
): Promise<CampaignRecord> {
  const hallId = context.settings.hall.hall.id;
  const campaign = await context.settings.journal.getCampaign(campaignId);
  if (campaign === undefined) {
    throw invalidInput('campaign', [
      {
        path: 'campaignId',
        message: `no campaign "${campaignId}" in the journal: check the id (release-hall list shows them)`,
      },
    ]);
  }
  if (campaign.hallId !== hallId) {
    throw invalidInput('campaign', [
      {
        path: 'hall',
        message: `campaign "${campaignId}" belongs to hall "${campaign.hallId}", not "${hallId}": use that hall file`,
      },
    ]);
  }
  const sandboxed = campaign.sandbox === true;
  if (sandboxed !== context.settings.sandbox) {
    throw invalidInput('campaign', [
      {
        path: 'campaignId',
        message: sandboxed
          ? `campaign "${campaignId}" was a rehearsal on the built-in sandbox: its posts are on no platform, so nothing of it is continued, retracted or followed up on the real accounts (publish the statement for real instead)`
          : `campaign "${campaignId}" ran on the real platforms: it is not continued against a sandbox`,
      },
    ]);
  }
  return campaign;
}
