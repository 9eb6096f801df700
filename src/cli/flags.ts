/**
 * The flags the commands share and the options that describe them. Loading this module costs
 * only commander: `release-hall --help` reads it, and nothing else of the package.
 */
import { type Command, Option } from 'commander';

/** Where the CLI keeps its journal unless told otherwise. */
export const DEFAULT_JOURNAL = '.release-hall/journal.db';

/** Parses a comma-separated, repeatable option into one list. */
export function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

export interface CommonFlags extends RedisFlags {
  hall: string;
  credentials?: string;
  journal?: string;
  json?: boolean;
}

/** The scale-out flags: the journal (and the workers' queue) on a Redis server. */
export interface RedisFlags {
  redis?: string;
  unsafeRedis?: boolean;
  /** `--no-wait`: hand the campaign to the workers and return. */
  wait?: boolean;
}

export interface PushFlags {
  push: 'publish' | 'push' | 'push-else-publish';
  pushMember?: string[];
  spendLastPush?: boolean;
  pushTag?: string;
}

export interface PublishFlags extends CommonFlags, PushFlags {
  sandbox?: boolean;
  dryRun?: boolean;
  mode: 'relay' | 'original';
  fallback: 'original' | 'skip';
  member?: string[];
  group?: string[];
  tag?: string[];
  platform?: string[];
  exclude?: string[];
  campaignId?: string;
  progress: boolean;
  /** Who publishes (refused as an approver of their own statement). */
  author?: string;
  /** The approvals file (default: `<statement>.approval`). */
  approvals?: string;
  /** Publish although the linter finds errors, for this reason (recorded). */
  override?: string;
}

/** Flags of `approve`: the publish flags that shape the plan, and who signs with which key. */
export interface ApproveFlags extends CommonFlags, PushFlags {
  as: string;
  key?: string;
  out?: string;
  mode: 'relay' | 'original';
  member?: string[];
  group?: string[];
  tag?: string[];
  platform?: string[];
  exclude?: string[];
  /** Approve the follow-up of this campaign (its accounts come from the journal). */
  followUp?: string;
}

/** Flags of `review`. */
export type ReviewFlags = CommonFlags & { as: string; key?: string };

export type ResumeFlags = CommonFlags & {
  force?: boolean;
  retryFailed?: boolean;
  progress: boolean;
};
export type FollowUpFlags = CommonFlags & {
  progress: boolean;
  /** Who publishes the follow-up (refused as an approver of their own statement). */
  author?: string;
  /** The approvals file (default: `<statement>.approval`). */
  approvals?: string;
  /** Publish although the linter finds errors; the reason is journaled. */
  override?: string;
};
export type PauseFlags = CommonFlags & { reason: string; group?: string[] };
export type PreviewFlags = CommonFlags &
  PushFlags & {
    mode: 'relay' | 'original';
    html?: boolean;
    /** Where to write the preview page (a self-contained HTML file). */
    htmlPage?: string;
  };
export interface LintFlags {
  hall?: string;
  json?: boolean;
}
/** Flags of the commands that only read a journal (`list`, `status`). */
export interface JournalFlags extends RedisFlags {
  journal?: string;
  json?: boolean;
  hall?: string;
  /** `status`: only the accounts past their response deadline. */
  late?: boolean;
}

/** Flags of `serve`. */
export interface ServeFlags {
  hall: string;
  port: string;
  host: string;
  credentials?: string;
  journal?: string;
  sandbox?: boolean;
  /** Crisis mode of the WeChat callbacks from the start: the campaign the default answers name. */
  crisis?: string;
}

/** Flags of `worker`. */
export interface WorkerFlags extends RedisFlags {
  hall: string;
  credentials?: string;
  concurrency: string;
}

/** Flags of `sandbox`. */
export interface SandboxFlags {
  hall: string;
  out: string;
}

/** Flags of `check`. */
export interface CheckFlags {
  hall: string;
  credentials?: string;
  sandbox?: boolean;
  json?: boolean;
  member?: string[];
  platform?: string[];
}

export interface ValidateFlags {
  json?: boolean;
}

/** Flags of `new`: the values of the template's fields and where the statement goes. */
export interface NewFlags {
  /** `key=value`, one per field, repeatable. */
  set?: string[];
  output?: string;
  issuer?: string;
  /** A folder of the press office's own templates, looked in before the shipped ones. */
  templates?: string;
  list?: boolean;
  force?: boolean;
  json?: boolean;
}

/** Adds the push options to a command. */
/** The gate's flags, shared by `publish` and `follow-up`. */
export function gateFlags(command: Command): Command {
  return command
    .option('--author <id>', 'who publishes (needed when the hall requires approvals)')
    .option('--approvals <file>', 'approvals file (default: <statement>.approval)')
    .option(
      '--override <reason>',
      'publish although the linter finds errors, for this reason (recorded with who and why)',
    );
}

export function pushFlags(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--push <policy>',
        'WeChat: publish (no push), push (to every follower, within quota), or push-else-publish',
      )
        .choices(['publish', 'push', 'push-else-publish'])
        .default('publish'),
    )
    .option('--push-member <ids>', 'only these members push; the others publish', list)
    .option(
      '--spend-last-push',
      'allow spending the last push of the day or month (default: only for crisis urgency)',
    )
    .option(
      '--push-tag <tag>',
      "WeChat: push to the followers of this tag (a name, or digits for the tag's id) instead of each account's own push.tag or everyone",
    );
}

/** Adds `--redis` and `--unsafe-redis`. */
export function redisFlags(command: Command): Command {
  return command
    .option(
      '--redis <url>',
      'journal on this Redis server, campaigns run by `release-hall worker` processes (default: $RELEASE_HALL_REDIS)',
    )
    .option(
      '--unsafe-redis',
      'use a Redis server that may lose writes (no AOF with appendfsync always, or evictions): loud warning',
    );
}

/** Adds `--no-wait` (with `--redis`: hand the campaign to the workers and return at once). */
export function waitFlag(command: Command): Command {
  return command.option(
    '--no-wait',
    'with --redis: hand the campaign to the workers and return at once (release-hall status follows it)',
  );
}

/** Adds the journal options of a command that only reads the journal. */
export function journalFlags(command: Command): Command {
  return redisFlags(command)
    .option(
      '--journal <file>',
      `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL}); read, never written`,
    )
    .option('--json', 'print the result as JSON on stdout');
}

/** Adds the options of every command that works on a hall's campaigns. */
export function commonFlags(command: Command): Command {
  return redisFlags(command)
    .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
    .option('--credentials <file>', 'credentials file (JSON or YAML) mapping references to secrets')
    .option(
      '--journal <file>',
      `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL})`,
    )
    .option('--json', 'print the result as JSON on stdout');
}
