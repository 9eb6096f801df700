/**
 * The publisher's options: one schema, every default, checked in one place. What the rest of the
 * publisher reads is {@link PublisherSettings}, never the options as given.
 */
import { userInfo } from 'node:os';
import { z } from 'zod';
import type { Adapter, RateLimits } from '../adapter.js';
import {
  type CredentialsSource,
  CredentialsResolver,
  createCredentialsResolver,
} from '../credentials.js';
import { invalidInput } from '../errors.js';
import { type Journal, MemoryJournal } from '../journal/journal.js';
import type { PublishGate } from '../gate/gate-record.js';
import type { CampaignRunner } from './campaign-runner.js';
import type { DiscouragedEntry } from '../lint/discouraged-phrases.js';
import type { LogSink } from '../logger.js';
import { limitsOverrideSchema } from '../model/hall.js';
import { issuesFromZod } from '../model/issues.js';
import { type ResolvedHall, resolveHall } from '../model/load.js';
import { type Selection, selectionSchema } from '../model/statement.js';
import {
  type RetryOptions,
  type RunOptions,
  type RunOptionsInput,
  resolveLimits,
  retryOptionsSchema,
  type ReportDeliveries,
  runOptionsSchema,
} from '../run/options.js';

function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;

/** The options of {@link createPublisher}, with their defaults. */
export const publisherOptionsSchema = z.object({
  /** The hall: a parsed hall file (checked here) or a hall already resolved by `resolveHall`. */
  hall: z.unknown(),
  /** The adapters, one per platform the hall uses. */
  adapters: z
    .array(
      z.custom<Adapter>(
        (value) =>
          isObject(value) && typeof (value as { platform?: unknown }).platform === 'string',
        { message: 'expected an adapter (an object with a "platform")' },
      ),
    )
    .readonly(),
  /**
   * Where secrets come from: a function asked first, then environment variables, then the
   * credentials file. A ready {@link CredentialsResolver} replaces the defaults.
   */
  credentials: z
    .custom<CredentialsSource | CredentialsResolver>(
      (value) => typeof value === 'function' || value instanceof CredentialsResolver,
      { message: 'expected a function or a CredentialsResolver' },
    )
    .optional(),
  /** A credentials file (JSON or YAML) mapping references to fields. */
  credentialsFile: z.string().optional(),
  /** Where campaigns are recorded. @default a new in-memory journal */
  journal: z
    .custom<Journal>(isObject, { message: 'expected a journal' })
    .default(() => new MemoryJournal()),
  /** Retry settings (see `RetryOptionsInput` for each default). */
  retry: retryOptionsSchema.prefault({}),
  /** Rate-limit overrides per platform; they win over the hall file's and the adapter's. */
  limits: z.record(z.string(), limitsOverrideSchema).readonly().optional(),
  /** Receives redacted log lines (also emitted as `log` events). */
  log: z
    .custom<LogSink>((value) => typeof value === 'function', { message: 'expected a function' })
    .optional(),
  /**
   * Phrases the linter flags (replaces the built-in list; spread `DEFAULT_DISCOURAGED_PHRASES` to
   * extend it). The hall file's `lint.discouragedPhrases` are added on top either way.
   */
  discouraged: z
    .array(
      z.custom<DiscouragedEntry>((value) => typeof value === 'string' || isObject(value), {
        message: 'expected a phrase or a phrase entry',
      }),
    )
    .readonly()
    .optional(),
  /** Who is acting, for the audit trail. @default the OS user name */
  actor: z.string().default(defaultActor),
  /**
   * How often a paused run looks at the journal for the pause to be lifted, in milliseconds.
   * @default 1000
   */
  pausePollMs: z.number().min(0).default(1000),
  /**
   * A runner whose heartbeat is older than this is taken for dead, and `resume` may take over.
   * @default 30_000
   */
  staleRunnerMs: z.number().min(0).default(30_000),
  /**
   * The adapters talk to sandboxes, not to the platforms. Campaigns are marked so in the journal,
   * and a publisher only resumes, retracts, pauses or follows up campaigns of its own kind: a
   * rehearsal is never continued on the real accounts, nor a real campaign against a sandbox.
   * @default false
   */
  sandbox: z.boolean().default(false),
  /**
   * Runs the deliveries elsewhere: the BullMQ runner of `release-hall/bullmq` hands them to workers
   * that share the journal (which must then be one they can all reach, such as the Redis journal).
   * @default the publisher runs them itself
   */
  runner: z
    .custom<CampaignRunner>(
      (value) =>
        isObject(value) && typeof (value as { dispatch?: unknown }).dispatch === 'function',
      { message: 'expected a campaign runner (an object with "dispatch")' },
    )
    .optional(),
});

/** Options of {@link createPublisher}. */
export type PublisherOptions = z.input<typeof publisherOptionsSchema>;

/** Options of one campaign. */
export interface CampaignOptions extends RunOptionsInput {
  /** Which part of the hall to reach. @default everyone */
  readonly selection?: Selection;
  /**
   * Stops the run cleanly: nothing new starts, no retry or wait goes on, and the platform calls in
   * flight finish (each bounded by the request timeout) so their answers are kept.
   */
  readonly signal?: AbortSignal;
  /**
   * The publish gate (先审后发): the approvals, the author, and an override of lint errors with its
   * reason. When given, a lint error refuses unless overridden. A hall that names approvers
   * refuses a campaign without it (unless its policy asks no approval at the statement's
   * urgency). Ignored by dry runs and previews, which send nothing.
   */
  readonly gate?: PublishGate;
}

/** Options of `resume`. */
export interface ResumeOptions {
  readonly signal?: AbortSignal;
  /** Take over even though another process reported itself running the campaign recently. */
  readonly force?: boolean;
  /**
   * Try again the deliveries that failed for a reason that may pass (`TRANSIENT`, `RATE_LIMITED`,
   * `AMBIGUOUS`): each is looked up on the platform first, and sent only when it is not there.
   * @default false
   */
  readonly retryFailed?: boolean;
  /**
   * Which delivery lines the report keeps: `all`, `unsuccessful` or `none` (see the campaign
   * option of the same name).
   * @default 'all'
   */
  readonly reportDeliveries?: ReportDeliveries;
}

/** The publisher's options resolved: what every part of the publisher reads. */
export interface PublisherSettings {
  readonly hall: ResolvedHall;
  /** One adapter per platform. */
  readonly adapters: ReadonlyMap<string, Adapter>;
  /** Rate limits per platform: the adapter's, then the hall file's, then the caller's. */
  readonly limits: ReadonlyMap<string, RateLimits>;
  readonly credentials: CredentialsResolver;
  readonly journal: Journal;
  readonly retry: RetryOptions;
  readonly log: LogSink | undefined;
  readonly discouraged: readonly DiscouragedEntry[] | undefined;
  readonly actor: string;
  readonly pausePollMs: number;
  readonly staleRunnerMs: number;
  readonly sandbox: boolean;
  readonly runner: CampaignRunner | undefined;
}

/**
 * Checks the options and resolves every default. Throws `INVALID_INPUT` for bad options, two
 * adapters of one platform, or a bad hall.
 */
export function resolvePublisherOptions(input: PublisherOptions): PublisherSettings {
  const parsed = publisherOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error, input);
    const retryOnly = parsed.error.issues.every((issue) => issue.path[0] === 'retry');
    throw invalidInput(retryOnly ? 'retry options' : 'publisher options', issues);
  }
  const options = parsed.data;
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
  const hall: ResolvedHall = isResolved(options.hall)
    ? options.hall
    : resolveHall(options.hall, options.adapters);
  const limits = new Map<string, RateLimits>();
  for (const [platform, adapter] of adapters) {
    limits.set(
      platform,
      resolveLimits(
        adapter.limits.rate,
        hall.hall.platforms[platform]?.limits,
        options.limits?.[platform],
      ),
    );
  }
  const credentials =
    options.credentials instanceof CredentialsResolver
      ? options.credentials
      : createCredentialsResolver({
          ...(options.credentials === undefined ? {} : { resolve: options.credentials }),
          ...(options.credentialsFile === undefined ? {} : { file: options.credentialsFile }),
          // A publisher with a logger says it there; without one, a Node warning.
          ...(options.log === undefined
            ? {}
            : { onWarning: (message: string) => options.log?.('warn', message, {}) }),
        });
  // The raw hall is not kept: it is as large again as the resolved one.
  return {
    hall,
    adapters,
    limits,
    credentials,
    journal: options.journal,
    retry: options.retry,
    log: options.log,
    discouraged: options.discouraged,
    actor: options.actor,
    pausePollMs: options.pausePollMs,
    staleRunnerMs: options.staleRunnerMs,
    sandbox: options.sandbox,
    runner: options.runner,
  };
}

/** The shape of the `gate` campaign option (the approvals' signatures are checked later). */
const gateSchema = z.strictObject({
  author: z.string().trim().min(1, 'name who publishes').optional(),
  approvals: z
    .array(
      z.object({
        v: z.literal(1),
        approver: z.string().min(1),
        digest: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex'),
        signedAt: z.string().min(1),
        signature: z.string().min(1),
      }),
    )
    .optional(),
  override: z
    .strictObject({
      reason: z.string().trim().min(1, 'say why the linter is overridden'),
      by: z.string().trim().min(1).optional(),
    })
    .optional(),
});

/** A campaign's options checked: the run options with their defaults, and the selection. */
export interface CampaignSettings {
  readonly run: RunOptions;
  readonly selection: Selection | undefined;
}

/** Checks a campaign's options against the hall; throws `INVALID_INPUT`. */
export function resolveCampaignOptions(
  campaign: CampaignOptions,
  hall: ResolvedHall,
): CampaignSettings {
  const { selection, signal: _signal, gate, ...rest } = campaign;
  const run = runOptionsSchema.safeParse(rest);
  if (!run.success) throw invalidInput('campaign options', issuesFromZod(run.error, rest));
  if (gate !== undefined) {
    const checked = gateSchema.safeParse(gate);
    if (!checked.success) throw invalidInput('gate', issuesFromZod(checked.error, gate, ['gate']));
  }
  if (selection !== undefined) {
    const checked = selectionSchema.safeParse(selection);
    if (!checked.success) {
      throw invalidInput('selection', issuesFromZod(checked.error, selection, ['selection']));
    }
    if (run.data.mode === 'relay' && selection.exclude?.includes(hall.hall.lead)) {
      throw invalidInput('selection', [
        {
          path: 'selection.exclude',
          message: `relay mode needs the lead "${hall.hall.lead}" to post first: do not exclude it, or use mode "original"`,
        },
      ]);
    }
  }
  return { run: run.data, selection };
}

function isResolved(value: unknown): value is ResolvedHall {
  return (
    typeof value === 'object' &&
    value !== null &&
    'accountById' in value &&
    value.accountById instanceof Map
  );
}
