/**
 * The publisher: the library's entry point. Render → plan → run, with events, a journal and a
 * report per delivery; resume after a crash, status, pause and retract.
 */
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter } from 'eventemitter3';
import PQueue from 'p-queue';
import type { Adapter, PushRecord, RateLimits } from '../adapter.js';
import {
  type CredentialsSource,
  CredentialsResolver,
  createCredentialsResolver,
} from '../credentials.js';
import { type InputIssue, ReleaseHallError, invalidInput, toReleaseHallError } from '../errors.js';
import type { PublisherEvents } from '../events.js';
import {
  type AuditEntry,
  type CampaignRecord,
  type DeliveryRecord,
  FINAL_STATES,
  type Journal,
  type JournalDelivery,
  MemoryJournal,
  type PauseState,
} from '../journal/journal.js';
import { type LogSink, type Logger, createRedactingLogger } from '../logger.js';
import type { LimitsOverride } from '../model/hall.js';
import { issuesFromZod } from '../model/issues.js';
import { type ResolvedHall, parseStatement, resolveHall } from '../model/load.js';
import {
  type Selection,
  type Statement,
  type StatementInput,
  selectionSchema,
} from '../model/statement.js';
import { type Plan, planCampaign } from '../plan/plan-campaign.js';
import type { DiscouragedEntry } from '../lint/discouraged-phrases.js';
import { lintStatement } from '../lint/lint-statement.js';
import type { LintResult } from '../lint/lint-types.js';
import { Redactor } from '../redact.js';
import { type RenditionPreview, buildPreview } from '../render/preview.js';
import type { EarlierStatement } from '../render/templates.js';
import { Coordinator, resultFromRecord } from '../run/coordinator.js';
import {
  type RetryOptions,
  type RetryOptionsInput,
  type RunOptionsInput,
  resolveLimits,
  retryOptionsSchema,
  runOptionsSchema,
} from '../run/options.js';
import type {
  CampaignReport,
  DeliveryResult,
  PlannedDelivery,
  ReportCounts,
} from '../run/types.js';

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
  /** Phrases the linter flags (replaces the defaults; spread `DEFAULT_DISCOURAGED_PHRASES` to extend). */
  readonly discouraged?: readonly DiscouragedEntry[];
  /** Who is acting, for the audit trail. @default the OS user name */
  readonly actor?: string;
  /**
   * How often a paused run looks at the journal for the pause to be lifted, in milliseconds.
   * @default 1000
   */
  readonly pausePollMs?: number;
  /**
   * A runner whose heartbeat is older than this is taken for dead, and `resume` may take over.
   * @default 30_000
   */
  readonly staleRunnerMs?: number;
}

/** Options of one campaign. */
export interface CampaignOptions extends RunOptionsInput {
  /** Which part of the hall to reach. @default everyone */
  readonly selection?: Selection;
  /** Stops the run cleanly: nothing new starts; what is in flight ends as unconfirmed. */
  readonly signal?: AbortSignal;
}

/** Options of `resume`. */
export interface ResumeOptions {
  readonly signal?: AbortSignal;
  /** Take over even though another process reported itself running the campaign recently. */
  readonly force?: boolean;
}

/** What a preview shows: the plan, each delivery's text and its count. */
export interface Preview {
  readonly campaignId: string;
  readonly mode: 'original' | 'relay';
  readonly deliveries: readonly PlannedDelivery[];
  /** The statement linter's findings over the statement and every rendition. */
  readonly lint: LintResult;
  /** Per account: text or article fields, count against the limit, fit, findings; for `formatPreviewTable`. */
  readonly table: RenditionPreview;
}

/** Where a campaign stands. */
export interface CampaignStatus {
  readonly campaign: CampaignRecord;
  readonly counts: ReportCounts & { readonly pending: number };
  readonly deliveries: readonly (DeliveryResult & { readonly state: DeliveryRecord['state'] })[];
  readonly audit: readonly AuditEntry[];
}

/** One account's line in a retract report. */
export interface RetractResultLine {
  readonly deliveryId: string;
  readonly accountId: string;
  readonly handle: string;
  readonly platform: string;
  readonly remoteId?: string;
  /** `removed`, `already-gone` (nothing live was left), `failed`, or `nothing-posted`. */
  readonly status: 'removed' | 'already-gone' | 'failed' | 'nothing-posted';
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** What the platform's delete also does (e.g. a WeChat mass delete disables every send of that article). */
  readonly warning?: string;
}

/** The report of a retract. */
export interface RetractReport {
  readonly campaignId: string;
  readonly results: readonly RetractResultLine[];
  readonly counts: {
    readonly removed: number;
    readonly alreadyGone: number;
    readonly failed: number;
    readonly nothingPosted: number;
  };
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
  preview(statement: StatementInput, options?: CampaignOptions): Promise<Preview>;
  /** Publishes a statement to the selected accounts and reports on every delivery. */
  publish(statement: StatementInput, options?: CampaignOptions): Promise<CampaignReport>;
  /**
   * Continues a campaign from the journal: finished deliveries stay as they are; any left
   * `sending`, `unknown` or `unconfirmed` is looked up on the platform before anything is sent.
   * Lifts a pause.
   */
  resume(campaignId: string, options?: ResumeOptions): Promise<CampaignReport>;
  /** Where every delivery of a campaign stands, from the journal. */
  status(campaignId: string): Promise<CampaignStatus>;
  /** Holds the campaign (or some groups of it): nothing new starts until `resume`. */
  pause(campaignId: string, options: { reason: string; groups?: readonly string[] }): Promise<void>;
  /**
   * Posts an update or correction on every account that carries the campaign, referring to it
   * (its headline and time open the text). The follow-up is a campaign of its own.
   */
  followUp(
    campaignId: string,
    statement: StatementInput,
    options?: CampaignOptions,
  ): Promise<CampaignReport>;
  /** Removes every live post and relay of a campaign; safe to run twice. */
  retract(campaignId: string, options?: { signal?: AbortSignal }): Promise<RetractReport>;
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

function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Checks a plan against what the platforms will refuse, before anything is sent: a link the
 * platform requires on the hall's domain, topics where they are not allowed, adapters that are not
 * configured for writes.
 */
export function checkPlan(
  plan: Plan,
  resolved: ResolvedHall,
  adapters: ReadonlyMap<string, Adapter>,
): InputIssue[] {
  const issues: InputIssue[] = [];
  const domain = resolved.hall.site?.domain.toLowerCase();
  const seen = new Set<string>();
  for (const [platform, adapter] of adapters) {
    if (!plan.deliveries.some((delivery) => delivery.platform === platform)) continue;
    for (const issue of adapter.checkReady?.() ?? []) issues.push(issue);
  }
  for (const delivery of plan.deliveries) {
    const adapter = adapters.get(delivery.platform);
    const { rendition } = delivery;
    if (adapter === undefined || rendition.format !== 'text' || delivery.action === 'relay')
      continue;
    const profile = adapter.limits.text;
    const key = `${delivery.platform}`;
    if (profile.requiresSafeDomainLink && !seen.has(`${key}:link`)) {
      const links = rendition.text.match(/https?:\/\/[^\s]+/g) ?? [];
      const onDomain = links.some((link) => {
        const host = hostOf(link);
        return (
          host !== undefined &&
          domain !== undefined &&
          (host === domain || host.endsWith(`.${domain}`))
        );
      });
      if (domain === undefined) {
        seen.add(`${key}:link`);
        issues.push({
          path: 'site.domain',
          message: `${delivery.platform} posts must carry a link on the hall's registered safe domain: set site.domain in the hall file`,
        });
      } else if (!onDomain) {
        seen.add(`${key}:link`);
        issues.push({
          path: 'link',
          message: `${delivery.platform} refuses posts without a link on ${domain}: put the full text on ${domain} and set the statement's link to it`,
        });
      }
    }
    if (!profile.allowsTopics && /#[^#\s]+#/.test(rendition.text) && !seen.has(`${key}:topic`)) {
      seen.add(`${key}:topic`);
      issues.push({
        path: 'headline',
        message: `${delivery.platform} (${profile.name}) refuses #topic# marks in the text: remove the # marks from the statement (topics go in "topics")`,
      });
    }
  }
  return issues;
}

/**
 * Creates a publisher for one hall. The hall is checked at once against the adapters: a bad hall
 * throws `INVALID_INPUT` before anything can be sent.
 *
 * @example
 * ```ts
 * const publisher = createPublisher({ hall, adapters: [createWeiboAdapter({ rip })] });
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
  if (!retryParsed.success) {
    throw invalidInput('retry options', issuesFromZod(retryParsed.error, options.retry, ['retry']));
  }
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
  const actor = options.actor ?? defaultActor();
  // Closures below read `log`, never `options`: holding `options` would keep the raw hall (as
  // large again as the resolved one) alive for the publisher's lifetime.
  const log = options.log;
  const pausePollMs = options.pausePollMs ?? 1000;
  const staleRunnerMs = options.staleRunnerMs ?? 30_000;
  const runnerId = randomBytes(8).toString('hex');
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
  const groupsOf = new Map(resolved.hall.members.map((member) => [member.id, member.groups]));

  const newLogger = (redactor: Redactor, campaignId: string): Logger => {
    const sink: LogSink = (level, message, fields) => {
      try {
        log?.(level, message, fields);
        events.emit('log', { level, message, fields });
      } catch {
        // a failing log sink must not change a delivery
      }
    };
    return createRedactingLogger(sink, redactor, { campaignId });
  };

  /**
   * The pushes each account made in the last 40 days, from the journal: the quota ledger. A push
   * counts from its first attempt unless the platform refused it for quota or it never started.
   */
  const pushHistory = async (): Promise<Map<string, PushRecord[]>> => {
    const history = new Map<string, PushRecord[]>();
    const since = Date.now() - 40 * 24 * 3_600_000;
    for (const campaign of await journal.listCampaigns()) {
      if (Date.parse(campaign.createdAt) < since) continue;
      for (const record of await journal.getDeliveries(campaign.id)) {
        if (record.delivery.action !== 'push' || record.firstAttemptAt === undefined) continue;
        // A push that fell back to publishing used no push.
        if (record.performed === 'post') continue;
        if (record.state === 'skipped' || record.state === 'planned') continue;
        const refused = record.state === 'failed' && record.errorCode === 'QUOTA_EXHAUSTED';
        const list = history.get(record.delivery.accountId) ?? [];
        list.push({ at: record.firstAttemptAt, ...(refused ? { refused: true } : {}) });
        history.set(record.delivery.accountId, list);
      }
    }
    return history;
  };

  const prepare = (
    statementInput: unknown,
    campaign: CampaignOptions = {},
    history: ReadonlyMap<string, readonly PushRecord[]> = new Map(),
    earlier?: EarlierStatement,
  ): { plan: Plan; dryRun: boolean; relayFallback: 'original' | 'skip'; statement: Statement } => {
    const { selection, signal: _signal, ...rest } = campaign;
    const run = runOptionsSchema.safeParse(rest);
    if (!run.success) throw invalidInput('campaign options', issuesFromZod(run.error, rest));
    if (selection !== undefined) {
      const checked = selectionSchema.safeParse(selection);
      if (!checked.success) {
        throw invalidInput('selection', issuesFromZod(checked.error, selection, ['selection']));
      }
      if (run.data.mode === 'relay' && selection.exclude?.includes(resolved.hall.lead)) {
        throw invalidInput('selection', [
          {
            path: 'selection.exclude',
            message: `relay mode needs the lead "${resolved.hall.lead}" to post first: do not exclude it, or use mode "original"`,
          },
        ]);
      }
    }
    const statement = parseStatement(statementInput);
    const campaignId = run.data.campaignId ?? newCampaignId(statement.id, new Date());
    const plan = planCampaign({
      campaignId,
      statement,
      resolved,
      adapters,
      mode: run.data.mode,
      push: {
        policy: run.data.push.policy,
        ...(run.data.push.members === undefined ? {} : { members: run.data.push.members }),
        ...(run.data.push.spendLast === undefined ? {} : { spendLast: run.data.push.spendLast }),
      },
      pushHistory: history,
      ...(earlier === undefined ? {} : { earlier }),
      ...(selection === undefined ? {} : { selection }),
    });
    if (plan.deliveries.length === 0) {
      throw invalidInput('selection', [
        { path: 'selection', message: 'selects no account: widen the selection' },
      ]);
    }
    if (!run.data.dryRun) {
      const issues = checkPlan(plan, resolved, adapters);
      if (issues.length > 0) throw invalidInput('campaign', issues);
    }
    return { plan, dryRun: run.data.dryRun, relayFallback: run.data.relayFallback, statement };
  };

  const stripPlan = (deliveries: readonly JournalDelivery[]): PlannedDelivery[] =>
    deliveries.map(({ fallbackRendition: _fallback, ...delivery }) => delivery);

  const audit = (entry: Omit<AuditEntry, 'at' | 'actor'>): Promise<void> =>
    journal.audit({ ...entry, at: new Date().toISOString(), actor });

  /** Holds a delivery while its campaign (or its member's group) is paused. */
  const gateFor =
    (campaignId: string, signal: AbortSignal, logger: Logger) =>
    async (delivery: JournalDelivery, onHold?: () => void): Promise<boolean> => {
      let told = false;
      for (;;) {
        if (signal.aborted) return false;
        const pause = (await journal.getCampaign(campaignId))?.pause;
        const groups = groupsOf.get(delivery.memberId) ?? [];
        const held =
          pause !== undefined &&
          (pause.groups === undefined || pause.groups.some((group) => groups.includes(group)));
        if (!held) return true;
        if (!told) {
          told = true;
          onHold?.();
          logger.info(`delivery ${delivery.id} is held: campaign paused (${pause.reason})`);
        }
        try {
          await sleep(pausePollMs, undefined, { signal });
        } catch {
          return false;
        }
      }
    };

  const active = new Map<string, Promise<CampaignReport>>();
  const runCampaign = (
    record: CampaignRecord,
    deliveries: readonly JournalDelivery[],
    prior: ReadonlyMap<string, DeliveryRecord> | undefined,
    signal: AbortSignal,
  ): Promise<CampaignReport> => {
    const running = runCampaignOnce(record, deliveries, prior, signal).finally(() => {
      active.delete(record.id);
    });
    active.set(record.id, running);
    return running;
  };
  const runCampaignOnce = async (
    record: CampaignRecord,
    deliveries: readonly JournalDelivery[],
    prior: ReadonlyMap<string, DeliveryRecord> | undefined,
    signal: AbortSignal,
  ): Promise<CampaignReport> => {
    const redactor = new Redactor();
    const logger = newLogger(redactor, record.id);
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const lease = randomBytes(12).toString('hex');
    const pending = deliveries.filter((delivery) => {
      const state = prior?.get(delivery.id)?.state;
      return state === undefined || !FINAL_STATES.has(state);
    });
    await journal.claim(
      pending.map((delivery) => delivery.id),
      lease,
    );
    const beat = (): Promise<void> =>
      journal.updateCampaign(record.id, {
        state: 'running',
        runner: { id: runnerId, pid: process.pid, heartbeatAt: new Date().toISOString() },
      });
    await beat();
    const heartbeat = setInterval(
      () => {
        beat().catch(() => undefined);
      },
      Math.max(1000, Math.floor(staleRunnerMs / 3)),
    );
    heartbeat.unref();
    // The copy of the plan is made only for listeners: a large hall's plan is large.
    if (events.listenerCount('campaign:planned') > 0) {
      events.emit('campaign:planned', { campaignId: record.id, deliveries: stripPlan(deliveries) });
    }

    const accounts = new Map(resolved.accountById);
    const known: JournalDelivery[] = [];
    const missing: JournalDelivery[] = [];
    for (const delivery of deliveries) {
      if (accounts.has(delivery.accountId) && adapters.has(delivery.platform)) known.push(delivery);
      else missing.push(delivery);
    }
    let results: DeliveryResult[];
    try {
      const coordinator = new Coordinator({
        campaignId: record.id,
        deliveries: known,
        ...(prior === undefined ? {} : { prior }),
        accounts,
        adapters,
        limits,
        credentials,
        journal,
        events,
        redactor,
        logger,
        retry,
        relayFallback: record.relayFallback,
        siteDomain: resolved.hall.site?.domain,
        signal,
        lease,
        gate: gateFor(record.id, signal, logger),
      });
      results = await coordinator.run();
    } finally {
      clearInterval(heartbeat);
    }
    for (const delivery of missing) {
      results.push({
        deliveryId: delivery.id,
        accountId: delivery.accountId,
        memberId: delivery.memberId,
        platform: delivery.platform,
        handle: delivery.accountId,
        action: delivery.action,
        performed: 'none',
        status: 'failed',
        attempts: 0,
        errorCode: 'INVALID_INPUT',
        errorMessage: `[release-hall] account "${delivery.accountId}" is no longer in the hall (or has no adapter): add it back to finish this delivery`,
      });
    }
    const order = new Map(deliveries.map((delivery, index) => [delivery.id, index]));
    results.sort((a, b) => (order.get(a.deliveryId) ?? 0) - (order.get(b.deliveryId) ?? 0));
    await journal.updateCampaign(record.id, { state: signal.aborted ? 'aborted' : 'finished' });
    if (signal.aborted) await audit({ action: 'abort', campaignId: record.id });

    const finished = Date.now();
    // A loop, not Math.min(...times): spreading 100,000 arguments overflows the stack.
    let firstPostMs: number | undefined;
    let lastPostMs: number | undefined;
    for (const result of results) {
      if (result.status !== 'succeeded' || result.finishedAt === undefined) continue;
      const ms = Date.parse(result.finishedAt) - started;
      if (ms < 0) continue;
      if (firstPostMs === undefined || ms < firstPostMs) firstPostMs = ms;
      if (lastPostMs === undefined || ms > lastPostMs) lastPostMs = ms;
    }
    const report: CampaignReport = redactor.deep({
      campaignId: record.id,
      hallId: resolved.hall.id,
      ...(record.statementId === undefined ? {} : { statementId: record.statementId }),
      mode: record.mode,
      dryRun: false,
      startedAt,
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      ...(firstPostMs === undefined || lastPostMs === undefined ? {} : { firstPostMs, lastPostMs }),
      counts: countResults(results),
      deliveries: results,
      aborted: signal.aborted,
    });
    events.emit('campaign:finished', { report });
    return report;
  };

  const loadCampaign = async (campaignId: string): Promise<CampaignRecord> => {
    const campaign = await journal.getCampaign(campaignId);
    if (campaign === undefined) {
      throw invalidInput('campaign', [
        {
          path: 'campaignId',
          message: `no campaign "${campaignId}" in the journal: check the id (release-hall status lists it)`,
        },
      ]);
    }
    if (campaign.hallId !== resolved.hall.id) {
      throw invalidInput('campaign', [
        {
          path: 'hall',
          message: `campaign "${campaignId}" belongs to hall "${campaign.hallId}", not "${resolved.hall.id}": use that hall file`,
        },
      ]);
    }
    return campaign;
  };

  const publishWith = async (
    statementInput: unknown,
    campaign: CampaignOptions,
    earlier?: EarlierStatement,
  ): Promise<CampaignReport> => {
    const history =
      campaign.push && campaign.push.policy !== 'publish'
        ? await pushHistory()
        : new Map<string, PushRecord[]>();
    const { plan, dryRun, relayFallback, statement } = prepare(
      statementInput,
      campaign,
      history,
      earlier,
    );
    const signal = campaign.signal ?? new AbortController().signal;
    if (dryRun) {
      const now = new Date().toISOString();
      events.emit('campaign:planned', {
        campaignId: plan.campaignId,
        deliveries: stripPlan(plan.deliveries),
      });
      const results: DeliveryResult[] = plan.deliveries.map((entry) => ({
        deliveryId: entry.id,
        accountId: entry.accountId,
        memberId: entry.memberId,
        platform: entry.platform,
        handle: resolved.accountById.get(entry.accountId)?.handle ?? entry.accountId,
        action: entry.action,
        performed: 'none',
        status: 'skipped',
        attempts: 0,
        errorMessage: 'dry run: nothing was sent',
        text: entry.rendition.format === 'text' ? entry.rendition.text : entry.rendition.title,
      }));
      return {
        campaignId: plan.campaignId,
        hallId: resolved.hall.id,
        ...(statement.id === undefined ? {} : { statementId: statement.id }),
        mode: plan.mode,
        dryRun: true,
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
        counts: countResults(results),
        deliveries: results,
        aborted: false,
      };
    }
    const record: CampaignRecord = {
      id: plan.campaignId,
      hallId: resolved.hall.id,
      ...(statement.id === undefined ? {} : { statementId: statement.id }),
      mode: plan.mode,
      relayFallback,
      createdAt: new Date().toISOString(),
      state: 'running',
      statement,
    };
    if ((await journal.getCampaign(record.id)) !== undefined) {
      throw invalidInput('campaign options', [
        {
          path: 'campaignId',
          message: `campaign "${record.id}" is already in the journal: resume it, or choose another id`,
        },
      ]);
    }
    await journal.createCampaign(record, plan.deliveries);
    await audit({
      action: 'publish',
      campaignId: record.id,
      detail: {
        mode: plan.mode,
        deliveries: plan.deliveries.length,
        ...(campaign.selection ? { selection: campaign.selection } : {}),
      },
    });
    return runCampaign(record, plan.deliveries, undefined, signal);
  };

  const publisher: Publisher = {
    hall: resolved,
    journal,
    on: events.on.bind(events),
    once: events.once.bind(events),
    off: events.off.bind(events),

    async preview(statementInput, campaign) {
      const { plan, statement } = prepare(
        statementInput,
        { ...campaign, dryRun: true },
        await pushHistory(),
      );
      const deliveries = stripPlan(plan.deliveries);
      const lint = lintStatement(statement, {
        hall: resolved.hall,
        renditions: deliveries,
        profiles: adapters,
        ...(options.discouraged === undefined ? {} : { discouraged: options.discouraged }),
      });
      const table = buildPreview({
        deliveries,
        profiles: adapters,
        lint,
        campaignId: plan.campaignId,
        mode: plan.mode,
        handles: new Map(resolved.accounts.map((account) => [account.id, account.handle])),
      });
      return { campaignId: plan.campaignId, mode: plan.mode, deliveries, lint, table };
    },

    publish(statementInput, campaign = {}) {
      return publishWith(statementInput, campaign);
    },

    async followUp(campaignId, statementInput, campaign = {}) {
      const original = await loadCampaign(campaignId);
      const statement = parseStatement(statementInput);
      if (statement.kind !== 'update' && statement.kind !== 'correction') {
        throw invalidInput('statement', [
          {
            path: 'kind',
            message: `a follow-up is an "update" or a "correction", got "${statement.kind}"`,
          },
        ]);
      }
      const records = await journal.getDeliveries(campaignId);
      const carried = records.filter(
        (record) =>
          record.delivery.action !== 'retract' &&
          (record.state === 'succeeded' || record.state === 'reconciled') &&
          record.remoteId !== undefined,
      );
      if (carried.length === 0) {
        throw invalidInput('campaign', [
          {
            path: 'campaignId',
            message: `campaign "${campaignId}" has no live post to follow up: publish the update as a new campaign`,
          },
        ]);
      }
      const first = original.statement as {
        headline?: unknown;
        issuer?: unknown;
        issuedAt?: unknown;
      };
      const earlier: EarlierStatement = {
        headline: typeof first.headline === 'string' ? first.headline : campaignId,
        ...(typeof first.issuer === 'string' ? { issuer: first.issuer } : {}),
        ...(typeof first.issuedAt === 'string' ? { issuedAt: first.issuedAt } : {}),
      };
      const members = [...new Set(carried.map((record) => record.delivery.memberId))];
      const platforms = [...new Set(carried.map((record) => record.delivery.platform))];
      const report = await publishWith(
        { ...statement, refersTo: statement.refersTo ?? campaignId },
        {
          mode: 'original',
          ...campaign,
          selection: { ...campaign.selection, members, platforms },
        },
        earlier,
      );
      await audit({ action: 'follow-up', campaignId, detail: { followUp: report.campaignId } });
      return report;
    },

    async resume(campaignId, resumeOptions = {}) {
      const campaign = await loadCampaign(campaignId);
      if (campaign.state === 'retracted') {
        throw invalidInput('resume', [
          {
            path: 'campaignId',
            message: `campaign "${campaignId}" was retracted: it is not sent again (publish a new campaign, or a follow-up)`,
          },
        ]);
      }
      const running = active.get(campaignId);
      if (running !== undefined) {
        // This publisher is running the campaign right now: lifting the pause lets it go on.
        if (campaign.pause !== undefined) {
          await journal.updateCampaign(campaignId, { pause: null });
          await audit({ action: 'unpause', campaignId, detail: { by: 'resume' } });
        }
        return running;
      }
      const runner = campaign.runner;
      if (
        runner !== undefined &&
        campaign.state === 'running' &&
        runner.id !== runnerId &&
        Date.now() - Date.parse(runner.heartbeatAt) < staleRunnerMs &&
        resumeOptions.force !== true
      ) {
        if (campaign.pause !== undefined) {
          // The running process holds its deliveries while paused; lifting the pause lets it go on.
          await journal.updateCampaign(campaignId, { pause: null });
          await audit({
            action: 'unpause',
            campaignId,
            detail: { by: 'resume', runnerPid: runner.pid },
          });
          return publisher
            .status(campaignId)
            .then((status) => statusAsReport(status, resolved.hall.id));
        }
        throw new ReleaseHallError(
          `[release-hall] campaign "${campaignId}" is being run by process ${runner.pid} (last seen ${Math.round((Date.now() - Date.parse(runner.heartbeatAt)) / 1000)} s ago): wait for it, stop it, or resume with force once it is gone`,
          { code: 'INVALID_INPUT' },
        );
      }
      if (campaign.pause !== undefined) {
        await journal.updateCampaign(campaignId, { pause: null });
        await audit({ action: 'unpause', campaignId, detail: { by: 'resume' } });
      }
      await audit({
        action: 'resume',
        campaignId,
        ...(resumeOptions.force ? { detail: { force: true } } : {}),
      });
      const records = (await journal.getDeliveries(campaignId)).filter(
        (entry) => entry.delivery.action !== 'retract',
      );
      const prior = new Map(records.map((entry) => [entry.delivery.id, entry]));
      return runCampaign(
        campaign,
        records.map((entry) => entry.delivery),
        prior,
        resumeOptions.signal ?? new AbortController().signal,
      );
    },

    async status(campaignId) {
      const campaign = await loadCampaign(campaignId);
      const records = await journal.getDeliveries(campaignId);
      const deliveries = records.map((entry) => ({
        ...resultFromRecord(entry, resolved.accountById.get(entry.delivery.accountId)),
        state: entry.state,
      }));
      const counts = countResults(deliveries);
      const pending = records.filter(
        (entry) =>
          entry.state === 'planned' || entry.state === 'sending' || entry.state === 'unknown',
      ).length;
      return {
        campaign,
        counts: { ...counts, pending },
        deliveries,
        audit: await journal.getAudit(campaignId),
      };
    },

    async pause(campaignId, pauseOptions) {
      const campaign = await loadCampaign(campaignId);
      if (campaign.state === 'finished') {
        throw invalidInput('pause', [
          {
            path: 'campaignId',
            message: `campaign "${campaignId}" has finished: there is nothing left to hold (retract it, or post a follow-up)`,
          },
        ]);
      }
      if (pauseOptions.reason.trim() === '') {
        throw invalidInput('pause', [
          {
            path: 'reason',
            message: 'say why the campaign is paused (it goes in the audit trail)',
          },
        ]);
      }
      const knownGroups = new Set(resolved.hall.groups.map((group) => group.id));
      const unknown = (pauseOptions.groups ?? []).filter((group) => !knownGroups.has(group));
      if (unknown.length > 0) {
        throw invalidInput(
          'pause',
          unknown.map((group) => ({
            path: 'groups',
            message: `unknown group "${group}": use one of the hall's groups`,
          })),
        );
      }
      const pause: PauseState = {
        reason: pauseOptions.reason,
        actor,
        at: new Date().toISOString(),
        ...(pauseOptions.groups === undefined || pauseOptions.groups.length === 0
          ? {}
          : { groups: [...pauseOptions.groups] }),
      };
      await journal.updateCampaign(campaignId, { pause });
      await audit({
        action: 'pause',
        campaignId,
        detail: { reason: pause.reason, ...(pause.groups ? { groups: pause.groups } : {}) },
      });
    },

    async retract(campaignId, retractOptions = {}) {
      const campaign = await loadCampaign(campaignId);
      const runner = campaign.runner;
      if (
        active.has(campaignId) ||
        (campaign.state === 'running' &&
          runner !== undefined &&
          runner.id !== runnerId &&
          Date.now() - Date.parse(runner.heartbeatAt) < staleRunnerMs)
      ) {
        throw invalidInput('retract', [
          {
            path: 'campaignId',
            message: `campaign "${campaignId}" is still running${runner ? ` (process ${runner.pid})` : ''}: stop it (or pause it and wait for what is in flight), then retract`,
          },
        ]);
      }
      const signal = retractOptions.signal ?? new AbortController().signal;
      const redactor = new Redactor();
      const logger = newLogger(redactor, campaignId);
      await audit({ action: 'retract', campaignId });
      const records = await journal.getDeliveries(campaignId);
      const targets = records.filter(
        (entry) =>
          entry.delivery.action === 'post' ||
          entry.delivery.action === 'relay' ||
          entry.delivery.action === 'push',
      );
      // Relays first, then the posts they relay.
      targets.sort((a, b) =>
        a.delivery.action === b.delivery.action ? 0 : a.delivery.action === 'relay' ? -1 : 1,
      );
      const byId = new Map(records.map((entry) => [entry.delivery.id, entry]));
      const retractIds = targets.map((entry) => `${entry.delivery.id}:retract`);
      await journal.addDeliveries(
        campaignId,
        targets.map((entry) => ({
          ...entry.delivery,
          id: `${entry.delivery.id}:retract`,
          action: 'retract' as const,
        })),
      );
      const lease = randomBytes(12).toString('hex');
      // The retract takes the campaign's deliveries too: a stalled run can no longer write to them,
      // and a resume will not send them again.
      await journal.claim([...retractIds, ...targets.map((entry) => entry.delivery.id)], lease);
      await journal.updateCampaign(campaignId, { state: 'retracted' });
      const queues = new Map<string, PQueue>();
      const lines = await Promise.all(
        targets.map((entry) => {
          const { delivery } = entry;
          let queue = queues.get(delivery.platform);
          if (queue === undefined) {
            queue = new PQueue({
              concurrency: limits.get(delivery.platform)?.platformConcurrency ?? 4,
            });
            queues.set(delivery.platform, queue);
          }
          return queue.add(() =>
            retractOne(entry, byId.get(`${delivery.id}:retract`), lease, signal, redactor, logger),
          );
        }),
      );
      const results = lines.filter((line): line is RetractResultLine => line !== undefined);
      // Every delivery whose post is gone (or never was) is final: resume leaves it alone.
      for (const line of results) {
        if (line.status === 'failed') continue;
        await journal
          .transition({
            deliveryId: line.deliveryId,
            state: 'retracted',
            at: new Date().toISOString(),
            lease,
          })
          .catch((error: unknown) => {
            logger.warn(`could not mark ${line.deliveryId} retracted: ${String(error)}`);
          });
      }
      return redactor.deep({
        campaignId,
        results,
        counts: {
          removed: results.filter((line) => line.status === 'removed').length,
          alreadyGone: results.filter((line) => line.status === 'already-gone').length,
          failed: results.filter((line) => line.status === 'failed').length,
          nothingPosted: results.filter((line) => line.status === 'nothing-posted').length,
        },
      });
    },
  };

  const retractOne = async (
    entry: DeliveryRecord,
    previous: DeliveryRecord | undefined,
    lease: string,
    signal: AbortSignal,
    redactor: Redactor,
    logger: Logger,
  ): Promise<RetractResultLine> => {
    const { delivery } = entry;
    const account = resolved.accountById.get(delivery.accountId);
    const adapter = adapters.get(delivery.platform);
    const retractId = `${delivery.id}:retract`;
    const line = (
      status: RetractResultLine['status'],
      extra: Partial<RetractResultLine> = {},
    ): RetractResultLine => ({
      deliveryId: delivery.id,
      accountId: delivery.accountId,
      handle: account?.handle ?? delivery.accountId,
      platform: delivery.platform,
      ...(entry.remoteId === undefined ? {} : { remoteId: entry.remoteId }),
      status,
      ...extra,
    });
    const note = (
      state: 'succeeded' | 'failed' | 'skipped',
      extra: { errorMessage?: string; remoteId?: string } = {},
    ) =>
      journal.transition({
        deliveryId: retractId,
        state,
        at: new Date().toISOString(),
        lease,
        ...extra,
      });
    if (previous?.state === 'succeeded')
      return line('already-gone', { errorMessage: 'retracted by an earlier run' });
    if (account === undefined || adapter === undefined) {
      await note('failed', { errorMessage: 'account no longer in the hall' });
      return line('failed', {
        errorCode: 'INVALID_INPUT',
        errorMessage: `[release-hall] account "${delivery.accountId}" is no longer in the hall: retract its post by hand`,
      });
    }
    try {
      const secrets = await credentials.resolve(account, adapter.credentialFields);
      redactor.add(...Object.values(secrets));
      const context = {
        signal,
        idempotencyKey: delivery.idempotencyKey,
        credentials: secrets,
        logger,
        requestTimeoutMs: limits.get(delivery.platform)?.requestTimeoutMs ?? 15_000,
        ...(resolved.hall.site ? { siteDomain: resolved.hall.site.domain } : {}),
        ...(entry.notes === undefined ? {} : { notes: entry.notes }),
      };
      let remoteId = entry.remoteId;
      if (remoteId === undefined) {
        if (entry.state === 'planned' || entry.state === 'skipped' || entry.state === 'failed') {
          await note('skipped', { errorMessage: 'nothing was posted' });
          return line('nothing-posted');
        }
        if (delivery.action === 'push') {
          // A push cannot be looked up without sending it again; its id comes from resume.
          const message = `[release-hall] [${delivery.platform}] the push of account "${account.id}" was never confirmed, so its id is unknown: resume the campaign first (it confirms the push without sending it twice), then retract again`;
          await note('failed', { errorMessage: message });
          return line('failed', { errorCode: 'AMBIGUOUS', errorMessage: message });
        }
        // Sent but never confirmed: look for it before deciding there is nothing to remove.
        const rendition =
          entry.performed === 'post' && delivery.fallbackRendition
            ? delivery.fallbackRendition
            : delivery.rendition;
        const found = await adapter.findExisting(
          {
            action: entry.performed !== 'post' && delivery.action === 'relay' ? 'relay' : 'post',
            rendition,
            firstAttemptAt: new Date(entry.firstAttemptAt ?? Date.now() - 3_600_000),
            idempotencyKey: delivery.idempotencyKey,
          },
          account,
          context,
        );
        if (found.status === 'unknown') {
          await note('failed', { errorMessage: found.reason });
          return line('failed', {
            errorCode: 'AMBIGUOUS',
            errorMessage: `[release-hall] [${delivery.platform}] could not tell whether account "${account.id}" holds a post of this campaign (${found.reason}): check it by hand`,
          });
        }
        if (found.status === 'not-found') {
          await note('skipped', { errorMessage: 'nothing found on the account' });
          return line('nothing-posted');
        }
        remoteId = found.ref.id;
      }
      const result = await adapter.retract(
        { platform: delivery.platform, accountId: account.id, id: remoteId },
        account,
        context,
      );
      await note('succeeded', { remoteId });
      return line(result.status === 'removed' ? 'removed' : 'already-gone', {
        remoteId,
        ...(result.warning === undefined ? {} : { warning: result.warning }),
      });
    } catch (error) {
      const failure = toReleaseHallError(error, 'TRANSIENT', {
        platform: delivery.platform,
        accountId: delivery.accountId,
      });
      redactor.scrubError(failure);
      await note('failed', { errorMessage: failure.message }).catch(() => undefined);
      return line('failed', { errorCode: failure.code, errorMessage: failure.message });
    }
  };

  return publisher;
}

/** A report made from a campaign's status (used when another process is running it). */
function statusAsReport(status: CampaignStatus, hallId: string): CampaignReport {
  const now = new Date().toISOString();
  return {
    campaignId: status.campaign.id,
    hallId,
    ...(status.campaign.statementId === undefined
      ? {}
      : { statementId: status.campaign.statementId }),
    mode: status.campaign.mode,
    dryRun: false,
    startedAt: status.campaign.createdAt,
    finishedAt: now,
    durationMs: Date.now() - Date.parse(status.campaign.createdAt),
    counts: countResults(status.deliveries),
    deliveries: status.deliveries,
    aborted: false,
  };
}

function isResolved(value: unknown): value is ResolvedHall {
  return (
    typeof value === 'object' &&
    value !== null &&
    'accountById' in value &&
    value.accountById instanceof Map
  );
}
