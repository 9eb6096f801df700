/**
 * The publisher: the library's entry point. Render → plan → run, with events, a journal and a
 * report per delivery.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import type { Adapter, RateLimits } from './adapter.js';
import {
  type CredentialsSource,
  CredentialsResolver,
  createCredentialsResolver,
} from './credentials.js';
import { invalidInput } from './errors.js';
import type { PublisherEvents } from './events.js';
import { type Journal, MemoryJournal } from './journal/journal.js';
import { type LogSink, createRedactingLogger } from './logger.js';
import type { LimitsOverride } from './model/hall.js';
import { issuesFromZod } from './model/issues.js';
import { type ResolvedHall, parseStatement, resolveHall } from './model/load.js';
import { type Selection, type StatementInput, selectionSchema } from './model/statement.js';
import { type Plan, planCampaign } from './plan/plan-campaign.js';
import { Redactor } from './redact.js';
import { Coordinator } from './run/coordinator.js';
import {
  type RetryOptions,
  type RetryOptionsInput,
  type RunOptionsInput,
  resolveLimits,
  retryOptionsSchema,
  runOptionsSchema,
} from './run/options.js';
import type { CampaignReport, DeliveryResult, PlannedDelivery, ReportCounts } from './run/types.js';

/** Options of {@link createPublisher}. */
export interface PublisherOptions {
  /** The hall: a parsed hall file (checked here) or a hall already resolved by `resolveHall`. */
  readonly hall: unknown;
  /** The adapters, one per platform the hall uses. */
  readonly adapters: readonly Adapter[];
  /**
   * Where secrets come from: a function asked first, then environment variables, then the
   * credentials file. A ready {@link CredentialsResolver} replaces the defaults.
   */
  readonly credentials?: CredentialsSource | CredentialsResolver;
  /** A credentials file (JSON or YAML) mapping references to fields. */
  readonly credentialsFile?: string;
  /** Where campaigns are recorded. @default a new in-memory journal */
  readonly journal?: Journal;
  /** Retry settings. */
  readonly retry?: RetryOptionsInput;
  /** Rate-limit overrides per platform; they win over the hall file's and the adapter's. */
  readonly limits?: Readonly<Record<string, LimitsOverride>>;
  /** Receives redacted log lines (also emitted as `log` events). */
  readonly log?: LogSink;
}

/** Options of one campaign. */
export interface CampaignOptions extends RunOptionsInput {
  /** Which part of the hall to reach. @default everyone */
  readonly selection?: Selection;
  /** Stops the run cleanly: nothing new starts; what is in flight ends as unconfirmed. */
  readonly signal?: AbortSignal;
}

/** What a preview shows: the plan, each delivery's text and its count. */
export interface Preview {
  readonly campaignId: string;
  readonly mode: 'original' | 'relay';
  readonly deliveries: readonly PlannedDelivery[];
}

/** A publisher bound to one hall. */
export interface Publisher {
  /** The resolved hall. */
  readonly hall: ResolvedHall;
  /** The journal in use. */
  readonly journal: Journal;
  on: EventEmitter<PublisherEvents>['on'];
  once: EventEmitter<PublisherEvents>['once'];
  off: EventEmitter<PublisherEvents>['off'];
  /** Renders and plans without sending anything. */
  preview(statement: StatementInput, options?: CampaignOptions): Preview;
  /** Publishes a statement to the selected accounts and reports on every delivery. */
  publish(statement: StatementInput, options?: CampaignOptions): Promise<CampaignReport>;
}

function newCampaignId(statementId: string | undefined, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${statementId ?? 'statement'}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Counts results by status. */
export function countResults(results: readonly DeliveryResult[]): ReportCounts {
  const count = (status: DeliveryResult['status']): number =>
    results.filter((result) => result.status === status).length;
  return {
    total: results.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    skipped: count('skipped'),
    unconfirmed: count('unconfirmed'),
  };
}

/**
 * Creates a publisher for one hall. The hall is checked at once against the adapters: a bad hall
 * throws `INVALID_INPUT` before anything can be sent.
 *
 * @example
 * ```ts
 * const publisher = createPublisher({ hall, adapters: [createWeiboAdapter()] });
 * const report = await publisher.publish(statement, { mode: 'relay' });
 * ```
 */
export function createPublisher(options: PublisherOptions): Publisher {
  const adapters = new Map<string, Adapter>();
  for (const adapter of options.adapters) {
    if (adapters.has(adapter.platform)) {
      throw invalidInput('publisher options', [
        {
          path: 'adapters',
          message: `two adapters for platform "${adapter.platform}": pass one per platform`,
        },
      ]);
    }
    adapters.set(adapter.platform, adapter);
  }
  const resolved: ResolvedHall = isResolved(options.hall)
    ? options.hall
    : resolveHall(options.hall, options.adapters);
  const retryParsed = retryOptionsSchema.safeParse(options.retry ?? {});
  if (!retryParsed.success)
    throw invalidInput('retry options', issuesFromZod(retryParsed.error, options.retry, ['retry']));
  const retry: RetryOptions = retryParsed.data;
  const credentials =
    options.credentials instanceof CredentialsResolver
      ? options.credentials
      : createCredentialsResolver({
          ...(options.credentials === undefined ? {} : { resolve: options.credentials }),
          ...(options.credentialsFile === undefined ? {} : { file: options.credentialsFile }),
        });
  const journal = options.journal ?? new MemoryJournal();
  const events = new EventEmitter<PublisherEvents>();
  const limits = new Map<string, RateLimits>();
  for (const [platform, adapter] of adapters) {
    limits.set(
      platform,
      resolveLimits(
        adapter.limits.rate,
        resolved.hall.platforms[platform]?.limits,
        options.limits?.[platform],
      ),
    );
  }

  const prepare = (
    statementInput: unknown,
    campaign: CampaignOptions = {},
  ): {
    plan: Plan;
    dryRun: boolean;
    relayFallback: 'original' | 'skip';
    statementId: string | undefined;
  } => {
    const { selection, signal: _signal, ...rest } = campaign;
    const run = runOptionsSchema.safeParse(rest);
    if (!run.success) throw invalidInput('campaign options', issuesFromZod(run.error, rest));
    if (selection !== undefined) {
      const checked = selectionSchema.safeParse(selection);
      if (!checked.success)
        throw invalidInput('selection', issuesFromZod(checked.error, selection, ['selection']));
    }
    const statement = parseStatement(statementInput);
    const campaignId = run.data.campaignId ?? newCampaignId(statement.id, new Date());
    const plan = planCampaign({
      campaignId,
      statement,
      resolved,
      adapters,
      mode: run.data.mode,
      ...(selection === undefined ? {} : { selection }),
    });
    if (plan.deliveries.length === 0) {
      throw invalidInput('selection', [
        { path: 'selection', message: 'selects no account: widen the selection' },
      ]);
    }
    return {
      plan,
      dryRun: run.data.dryRun,
      relayFallback: run.data.relayFallback,
      statementId: statement.id,
    };
  };

  const stripPlan = (plan: Plan): PlannedDelivery[] =>
    plan.deliveries.map(({ fallbackRendition: _fallback, ...delivery }) => delivery);

  const publisher: Publisher = {
    hall: resolved,
    journal,
    on: events.on.bind(events),
    once: events.once.bind(events),
    off: events.off.bind(events),
    preview(statement, campaign) {
      const { plan } = prepare(statement, campaign);
      return { campaignId: plan.campaignId, mode: plan.mode, deliveries: stripPlan(plan) };
    },
    async publish(statement, campaign = {}) {
      const { plan, dryRun, relayFallback, statementId } = prepare(statement, campaign);
      const redactor = new Redactor();
      const sink: LogSink = (level, message, fields) => {
        options.log?.(level, message, fields);
        events.emit('log', { level, message, fields });
      };
      const logger = createRedactingLogger(sink, redactor, { campaignId: plan.campaignId });
      const started = Date.now();
      const startedAt = new Date(started).toISOString();
      events.emit('campaign:planned', { campaignId: plan.campaignId, deliveries: stripPlan(plan) });
      let results: DeliveryResult[];
      const signal = campaign.signal ?? new AbortController().signal;
      if (dryRun) {
        results = plan.deliveries.map((entry) => {
          const account = resolved.accountById.get(entry.accountId);
          return {
            deliveryId: entry.id,
            accountId: entry.accountId,
            memberId: entry.memberId,
            platform: entry.platform,
            handle: account?.handle ?? entry.accountId,
            action: entry.action,
            performed: 'none',
            status: 'skipped',
            attempts: 0,
            errorMessage: 'dry run: nothing was sent',
            ...(entry.rendition.format === 'text'
              ? { text: entry.rendition.text }
              : { text: entry.rendition.title }),
          } satisfies DeliveryResult;
        });
      } else {
        await journal.createCampaign(
          {
            id: plan.campaignId,
            hallId: resolved.hall.id,
            ...(statementId === undefined ? {} : { statementId }),
            mode: plan.mode,
            createdAt: startedAt,
            state: 'running',
          },
          stripPlan(plan),
        );
        const coordinator = new Coordinator({
          plan,
          accounts: resolved.accountById,
          adapters,
          limits,
          credentials,
          journal,
          events,
          redactor,
          logger,
          retry,
          relayFallback,
          siteDomain: resolved.hall.site?.domain,
          signal,
          startedAt: started,
        });
        results = await coordinator.run();
        await journal.finishCampaign(plan.campaignId, signal.aborted ? 'aborted' : 'finished');
      }
      const finished = Date.now();
      const postTimes = results
        .filter((result) => result.status === 'succeeded' && result.finishedAt !== undefined)
        .map((result) => Date.parse(result.finishedAt!) - started);
      const report: CampaignReport = redactor.deep({
        campaignId: plan.campaignId,
        hallId: resolved.hall.id,
        ...(statementId === undefined ? {} : { statementId }),
        mode: plan.mode,
        dryRun,
        startedAt,
        finishedAt: new Date(finished).toISOString(),
        durationMs: finished - started,
        ...(postTimes.length === 0
          ? {}
          : { firstPostMs: Math.min(...postTimes), lastPostMs: Math.max(...postTimes) }),
        counts: countResults(results),
        deliveries: results,
        aborted: signal.aborted,
      });
      events.emit('campaign:finished', { report });
      return report;
    },
  };
  return publisher;
}

function isResolved(value: unknown): value is ResolvedHall {
  return (
    typeof value === 'object' &&
    value !== null &&
    'accountById' in value &&
    value.accountById instanceof Map
  );
}
