/**
 * Reading what a scorecard is computed from: the hall's campaigns of the period with their
 * deliveries and the selection each was published with (its `publish` audit entry), their reach
 * readings, the inbox, and each account's activity read through its adapter. Only reads: nothing
 * is written to the journal or sent to a platform but reads.
 */
import type { Adapter } from '../adapter.js';
import { type CredentialsSource, CredentialsResolver } from '../credentials.js';
import { toReleaseHallError } from '../errors.js';
import { hasInbox } from '../journal/inbox.js';
import type { AuditEntry, CampaignRecord, Journal } from '../journal/journal.js';
import { type ReachReading, hasReach } from '../journal/reach.js';
import { type Logger, silentLogger } from '../logger.js';
import type { ResolvedHall } from '../model/load.js';
import { computeScorecard } from './compute.js';
import type {
  ActivityRead,
  CampaignSelection,
  Scorecard,
  ScorecardCampaign,
  ScorecardInput,
} from './types.js';

/** Options of {@link readScorecard}. */
export interface ReadScorecardOptions {
  readonly hall: ResolvedHall;
  /** The adapters; an account whose adapter has no `readActivity` shows its activity as unknown. */
  readonly adapters: readonly Adapter[];
  readonly credentials: CredentialsSource | CredentialsResolver;
  readonly journal: Journal;
  /** The start of the period. */
  readonly since: Date;
  /** The time of the scorecard. @default now */
  readonly now?: Date | undefined;
  /** Count rehearsal campaigns (published to sandboxes) too. @default false */
  readonly includeRehearsals?: boolean | undefined;
  /** Stops the activity reads; accounts not read show as unknown. */
  readonly signal?: AbortSignal | undefined;
  /** @default silentLogger */
  readonly logger?: Logger | undefined;
  /** Timeout of each request. @default 15_000 */
  readonly requestTimeoutMs?: number | undefined;
}

function strings(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? value
    : undefined;
}

/**
 * The selection a `publish` audit entry names: `null` for none (the whole hall), `undefined`
 * without an entry.
 */
export function selectionOf(audit: readonly AuditEntry[]): CampaignSelection | null | undefined {
  const entry = audit.find((item) => item.action === 'publish');
  if (entry === undefined) return undefined;
  const selection = entry.detail?.selection;
  if (typeof selection !== 'object' || selection === null) return null;
  const fields = selection as Record<string, unknown>;
  return {
    members: strings(fields.members),
    groups: strings(fields.groups),
    tags: strings(fields.tags),
    exclude: strings(fields.exclude),
    platforms: strings(fields.platforms),
  };
}

/** The campaigns of the hall created at or after `since`, without aborted ones (or rehearsals). */
function inPeriod(
  records: readonly CampaignRecord[],
  hallId: string,
  since: number,
  includeRehearsals: boolean,
): CampaignRecord[] {
  return records.filter(
    (record) =>
      record.hallId === hallId &&
      Date.parse(record.createdAt) >= since &&
      record.state !== 'aborted' &&
      (includeRehearsals || record.sandbox !== true),
  );
}

/** Reads every account's activity, one at a time; failures become `unknown` with the reason. */
async function readActivities(
  options: ReadScorecardOptions,
  now: Date,
): Promise<Map<string, ActivityRead>> {
  const adapters = new Map(options.adapters.map((adapter) => [adapter.platform, adapter]));
  const credentials =
    options.credentials instanceof CredentialsResolver
      ? options.credentials
      : new CredentialsResolver([options.credentials]);
  const signal = options.signal ?? new AbortController().signal;
  const activity = new Map<string, ActivityRead>();
  for (const account of options.hall.accounts) {
    const adapter = adapters.get(account.platform);
    if (adapter?.readActivity === undefined) {
      activity.set(account.id, {
        status: 'unknown',
        reason: `the ${account.platform} adapter does not read followers or posts`,
      });
      continue;
    }
    if (signal.aborted) {
      activity.set(account.id, { status: 'unknown', reason: 'not read: stopped', failed: true });
      continue;
    }
    try {
      const secrets = await credentials.resolve(account, adapter.credentialFields);
      const read = await adapter.readActivity(account, options.since, {
        signal,
        credentials: secrets,
        logger: options.logger ?? silentLogger,
        requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
        now,
      });
      activity.set(account.id, { status: 'read', activity: read });
    } catch (thrown) {
      const error = toReleaseHallError(thrown, 'TRANSIENT', {
        platform: account.platform,
        accountId: account.id,
      });
      activity.set(account.id, {
        status: 'unknown',
        reason: signal.aborted ? 'not read: stopped' : `${error.code}: ${error.message}`,
        failed: true,
      });
    }
  }
  return activity;
}

/** Reads what the scorecard needs (see the module comment). */
export async function readScorecardInput(options: ReadScorecardOptions): Promise<ScorecardInput> {
  const { journal, hall } = options;
  const now = options.now ?? new Date();
  const since = options.since.getTime();
  const records = inPeriod(
    await journal.listCampaigns(),
    hall.hall.id,
    since,
    options.includeRehearsals === true,
  );
  const campaigns: ScorecardCampaign[] = [];
  const reach: ReachReading[] = [];
  for (const record of records) {
    campaigns.push({
      record,
      deliveries: await journal.getDeliveries(record.id),
      selection: selectionOf(await journal.getAudit(record.id)),
    });
    if (hasReach(journal)) reach.push(...(await journal.listReach(record.id)));
  }
  const inbox = hasInbox(journal)
    ? (await journal.listInbox()).filter((item) => Date.parse(item.at) >= since)
    : [];
  return {
    hallId: hall.hall.id,
    lead: hall.hall.lead,
    members: hall.hall.members.map((member) => ({
      id: member.id,
      name: member.name,
      accounts: hall.accounts
        .filter((account) => account.memberId === member.id)
        .map((account) => ({ id: account.id, platform: account.platform })),
    })),
    dormantDays: hall.hall.check.dormantDays,
    replyDeadlineMs: hall.hall.inbox.replyDeadlineHours * 3_600_000,
    since: options.since,
    now,
    campaigns,
    reach,
    inbox,
    activity: await readActivities(options, now),
  };
}

/**
 * Reads the journal and the accounts' activity and computes the scorecard of the hall since
 * `options.since`. A failed activity read is shown as unknown with its reason, never as 0.
 */
export async function readScorecard(options: ReadScorecardOptions): Promise<Scorecard> {
  return computeScorecard(await readScorecardInput(options));
}
