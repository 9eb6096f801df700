/**
 * The release-hall command line. This is the one place that wires concrete adapters, as a user of
 * the package would.
 *
 * Exit codes: 0 every delivery succeeded (or a dry run / validation passed), 1 some delivery did
 * not succeed, 2 invalid input.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  type Adapter,
  type CampaignOptions,
  type CampaignReport,
  MemoryJournal,
  type Publisher,
  type CredentialsSource,
  ReleaseHallError,
  type Selection,
  createPublisher,
  formatPreview,
  formatPreviewTable,
  formatReport,
  lintStatement,
  loadStatementFile,
  readDataFile,
  resolveHall,
  showProgress,
} from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { invalidInput } from 'release-hall/adapter-kit';
import { type TencentAdapterOptions, createTencentAdapter } from 'release-hall/adapters/tencent';
import { type WechatAdapterOptions, createWechatAdapter } from 'release-hall/adapters/wechat';
import { type WeiboAdapterOptions, createWeiboAdapter } from 'release-hall/adapters/weibo';
import { startHallSandbox } from 'release-hall/sandbox';

/** The package version, read from the nearest package.json named release-hall (source or built layout). */
function packageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const data = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (data.name === 'release-hall' && data.version) return data.version;
    } catch {
      // try the next layout
    }
  }
  return '0.0.0';
}

interface PlatformInput {
  baseURL?: unknown;
  settings?: Record<string, unknown>;
}

/** What a sandbox gives the adapters in place of the hall file's platform settings. */
interface SandboxWiring {
  readonly baseURLs: Readonly<Record<string, string>>;
  readonly settings: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Makes one adapter, naming the hall-file path of any bad setting. */
function makeAdapter<T>(platform: string, factory: (options: T) => Adapter, options: T): Adapter {
  try {
    return factory(options);
  } catch (error) {
    if (ReleaseHallError.isInstance(error) && error.code === 'INVALID_INPUT') {
      throw invalidInput(
        'hall',
        error.issues.map((issue) => ({
          path: `platforms.${platform}.settings.${issue.path}`,
          message: issue.message,
        })),
      );
    }
    throw error;
  }
}

/** Makes the adapters a hall needs, with base URLs and settings from its `platforms` section. */
export function buildAdapters(hallData: unknown, sandbox?: SandboxWiring): Adapter[] {
  const platforms =
    typeof hallData === 'object' && hallData !== null && 'platforms' in hallData
      ? ((hallData as { platforms?: Record<string, PlatformInput> }).platforms ?? {})
      : {};
  const optionsFor = (platform: string): Record<string, unknown> => {
    const given = platforms[platform] ?? {};
    const baseURL =
      sandbox?.baseURLs[platform] ??
      (typeof given.baseURL === 'string' ? given.baseURL : undefined);
    return {
      ...sandbox?.settings[platform],
      ...given.settings,
      ...(baseURL === undefined ? {} : { baseURL }),
    };
  };
  return [
    makeAdapter('weibo', createWeiboAdapter, optionsFor('weibo') as WeiboAdapterOptions),
    makeAdapter('tencent', createTencentAdapter, optionsFor('tencent') as TencentAdapterOptions),
    makeAdapter('wechat', createWechatAdapter, optionsFor('wechat') as WechatAdapterOptions),
  ];
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

interface CommonFlags {
  hall: string;
  credentials?: string;
  journal?: string;
  json?: boolean;
}

interface PushFlags {
  push: 'publish' | 'push' | 'push-else-publish';
  pushMember?: string[];
  spendLastPush?: boolean;
}

function pushOptions(flags: PushFlags): CampaignOptions['push'] {
  return {
    policy: flags.push,
    ...(flags.pushMember ? { members: flags.pushMember } : {}),
    ...(flags.spendLastPush ? { spendLast: true } : {}),
  };
}

/** Adds the push options to a command. */
function pushFlags(command: Command): Command {
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
    );
}

interface PublishFlags extends CommonFlags, PushFlags {
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
}

/** Where the CLI keeps its journal unless told otherwise. */
export const DEFAULT_JOURNAL = '.release-hall/journal.db';

function journalPath(flags: CommonFlags): string {
  return flags.journal ?? process.env.RELEASE_HALL_JOURNAL ?? DEFAULT_JOURNAL;
}

/** Opens a publisher for a hall file: adapters from its settings, the durable journal. */
async function openPublisher(
  flags: CommonFlags,
  options: { sandbox?: boolean; dryRun?: boolean; readOnly?: boolean } = {},
): Promise<{ publisher: Publisher; close: () => Promise<void> }> {
  const hallData = await readDataFile(flags.hall, 'hall');
  // Check the hall before starting anything, so a bad file exits 2 with every path named.
  resolveHall(hallData, buildAdapters(hallData));
  const sandbox = options.sandbox ? await startHallSandbox(hallData) : undefined;
  // A sandbox run keeps its journal in memory unless one is named: the sandbox is gone afterwards.
  // A dry run writes nothing anywhere.
  // A preview reads the journal (push quotas) but never creates one.
  const journal =
    options.dryRun === true ||
    (sandbox !== undefined && flags.journal === undefined) ||
    (options.readOnly === true && !existsSync(journalPath(flags)))
      ? new MemoryJournal()
      : new SqliteJournal(journalPath(flags));
  try {
    const adapters = buildAdapters(hallData, sandbox);
    const credentials: CredentialsSource | undefined = sandbox?.credentials;
    const publisher = createPublisher({
      hall: resolveHall(hallData, adapters),
      adapters,
      journal,
      ...(credentials === undefined ? {} : { credentials }),
      ...(flags.credentials === undefined ? {} : { credentialsFile: flags.credentials }),
    });
    return {
      publisher,
      close: async () => {
        await journal.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await journal.close();
    await sandbox?.close();
    throw error;
  }
}

/** Ctrl-C stops cleanly (nothing new starts); a second Ctrl-C quits at once. */
function stopOnSignals(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: nothing new starts; press Ctrl-C again to quit at once\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function printReport(report: CampaignReport, json: boolean | undefined): number {
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${formatReport(report)}\n`);
  if (report.dryRun) return 0;
  return report.counts.succeeded === report.counts.total ? 0 : 1;
}

async function publishCommand(statementPath: string, flags: PublishFlags): Promise<number> {
  const statement = await loadStatementFile(statementPath);
  const { publisher, close } = await openPublisher(flags, {
    sandbox: flags.sandbox === true,
    dryRun: flags.dryRun === true,
  });
  const stopping = stopOnSignals();
  try {
    const selection: Selection = {
      ...(flags.member ? { members: flags.member } : {}),
      ...(flags.group ? { groups: flags.group } : {}),
      ...(flags.tag ? { tags: flags.tag } : {}),
      ...(flags.platform ? { platforms: flags.platform } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
    };
    const options: CampaignOptions = {
      mode: flags.mode,
      relayFallback: flags.fallback,
      dryRun: flags.dryRun === true,
      selection,
      push: pushOptions(flags),
      signal: stopping.signal,
      ...(flags.campaignId === undefined ? {} : { campaignId: flags.campaignId }),
    };
    if (flags.dryRun && !flags.json) {
      process.stdout.write(`${formatPreview(await publisher.preview(statement, options))}\n`);
      return 0;
    }
    const stop = flags.progress && !flags.dryRun ? showProgress(publisher) : () => undefined;
    const report = await publisher.publish(statement, options).finally(stop);
    if (!flags.json && !report.dryRun && report.counts.succeeded !== report.counts.total) {
      process.stderr.write(
        `campaign ${report.campaignId}: see "release-hall status ${report.campaignId} --hall ${flags.hall}"; ` +
          `"release-hall resume" looks before it re-sends anything\n`,
      );
    }
    return printReport(report, flags.json);
  } finally {
    stopping.release();
    await close();
  }
}

async function resumeCommand(
  campaignId: string,
  flags: CommonFlags & { force?: boolean; progress: boolean },
): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  const stopping = stopOnSignals();
  try {
    const stop = flags.progress ? showProgress(publisher) : () => undefined;
    const report = await publisher
      .resume(campaignId, { signal: stopping.signal, ...(flags.force ? { force: true } : {}) })
      .finally(stop);
    return printReport(report, flags.json);
  } finally {
    stopping.release();
    await close();
  }
}

async function followUpCommand(
  campaignId: string,
  statementPath: string,
  flags: CommonFlags & { progress: boolean },
): Promise<number> {
  const statement = await loadStatementFile(statementPath);
  const { publisher, close } = await openPublisher(flags);
  const stopping = stopOnSignals();
  try {
    const stop = flags.progress ? showProgress(publisher) : () => undefined;
    const report = await publisher
      .followUp(campaignId, statement, { signal: stopping.signal })
      .finally(stop);
    return printReport(report, flags.json);
  } finally {
    stopping.release();
    await close();
  }
}

async function statusCommand(campaignId: string, flags: CommonFlags): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  try {
    const status = await publisher.status(campaignId);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    } else {
      const { campaign, counts } = status;
      const lines = [
        `Campaign ${campaign.id} (${campaign.mode}), ${campaign.state}${campaign.pause ? `, PAUSED${campaign.pause.groups ? ` for ${campaign.pause.groups.join(', ')}` : ''}: ${campaign.pause.reason}` : ''}`,
        `  ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.unconfirmed} unconfirmed, ${counts.skipped} skipped, ${counts.pending} pending of ${counts.total}`,
      ];
      for (const delivery of status.deliveries) {
        const detail = delivery.url ?? delivery.remoteId ?? delivery.errorMessage ?? '';
        lines.push(
          `  ${delivery.state.padEnd(11)} ${delivery.accountId.padEnd(26)} ${delivery.action.padEnd(7)} ${detail}`,
        );
      }
      lines.push('  audit:');
      for (const entry of status.audit) {
        lines.push(
          `    ${entry.at} ${entry.actor} ${entry.action}${entry.detail ? ` ${JSON.stringify(entry.detail)}` : ''}`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    await close();
  }
}

async function retractCommand(campaignId: string, flags: CommonFlags): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  try {
    const report = await publisher.retract(campaignId);
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const lines = [`Retract ${campaignId}`];
      for (const line of report.results) {
        lines.push(
          `  ${line.status.padEnd(14)} ${line.accountId.padEnd(26)} ${line.remoteId ?? ''} ${line.errorMessage ?? ''}${line.warning ? ` (note: ${line.warning})` : ''}`.trimEnd(),
        );
      }
      const { counts } = report;
      lines.push(
        `${counts.removed} removed, ${counts.alreadyGone} already gone, ${counts.nothingPosted} had nothing posted, ${counts.failed} failed`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return report.counts.failed === 0 ? 0 : 1;
  } finally {
    await close();
  }
}

async function pauseCommand(
  campaignId: string,
  flags: CommonFlags & { reason: string; group?: string[] },
): Promise<number> {
  const { publisher, close } = await openPublisher(flags);
  try {
    await publisher.pause(campaignId, {
      reason: flags.reason,
      ...(flags.group ? { groups: flags.group } : {}),
    });
    process.stdout.write(
      `paused ${campaignId}${flags.group ? ` for ${flags.group.join(', ')}` : ''}: a running process holds its queued deliveries; "release-hall resume ${campaignId}" continues\n`,
    );
    return 0;
  } finally {
    await close();
  }
}

async function previewCommand(
  statementPath: string,
  flags: CommonFlags & PushFlags & { mode: 'relay' | 'original'; html?: boolean },
): Promise<number> {
  const statement = await loadStatementFile(statementPath);
  // The journal is read (for push quotas), never written.
  const { publisher, close } = await openPublisher(flags, { readOnly: true });
  try {
    const preview = await publisher.preview(statement, {
      mode: flags.mode,
      push: pushOptions(flags),
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`);
    else {
      process.stdout.write(
        `${formatPreviewTable(preview.table, flags.html ? { html: true } : {})}\n`,
      );
    }
    return preview.lint.ok && preview.table.totals.over === 0 ? 0 : 1;
  } finally {
    await close();
  }
}

async function lintCommand(
  statementPath: string,
  flags: { hall?: string; json?: boolean },
): Promise<number> {
  const data = await readDataFile(statementPath, 'statement');
  const hall =
    flags.hall === undefined
      ? undefined
      : resolveHall(
          await readDataFile(flags.hall, 'hall'),
          buildAdapters(await readDataFile(flags.hall, 'hall')),
        ).hall;
  const result = lintStatement(data as Record<string, unknown>, hall === undefined ? {} : { hall });
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines = result.findings.map(
      (finding) =>
        `${finding.severity === 'error' ? 'error  ' : 'warning'} ${finding.path}: ${finding.message}${finding.fix ? ` (fix: ${finding.fix})` : ''}`,
    );
    lines.push(`${result.errors} errors, ${result.warnings} warnings`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.errors === 0 ? 0 : 1;
}

async function validateCommand(hallPath: string, flags: { json?: boolean }): Promise<number> {
  const hallData = await readDataFile(hallPath, 'hall');
  const resolved = resolveHall(hallData, buildAdapters(hallData));
  const byPlatform = new Map<string, number>();
  for (const account of resolved.accounts)
    byPlatform.set(account.platform, (byPlatform.get(account.platform) ?? 0) + 1);
  const summary = {
    hall: resolved.hall.id,
    name: resolved.hall.name,
    lead: resolved.hall.lead,
    members: resolved.hall.members.length,
    groups: Object.fromEntries(
      resolved.hall.groups.map((group) => [
        group.id,
        resolved.hall.members.filter((member) => member.groups.includes(group.id)).length,
      ]),
    ),
    accounts: Object.fromEntries(byPlatform),
  };
  if (flags.json) process.stdout.write(`${JSON.stringify({ valid: true, ...summary }, null, 2)}\n`);
  else {
    process.stdout.write(
      `${hallPath}: valid. ${summary.name} (${summary.hall}), lead ${summary.lead}, ${summary.members} members; ` +
        `accounts: ${[...byPlatform].map(([platform, count]) => `${platform} ${count}`).join(', ')}; ` +
        `groups: ${Object.entries(summary.groups)
          .map(([group, count]) => `${group} ${count}`)
          .join(', ')}\n`,
    );
  }
  return 0;
}

/** Builds the command-line program; `run` sets `process.exitCode`. */
export function buildProgram(): Command {
  const program = new Command('release-hall')
    .exitOverride()
    .description(
      'Publish one statement across a release hall of government accounts, once per account.',
    )
    .version(packageVersion())
    .showHelpAfterError();

  const publish = program
    .command('publish')
    .description('publish a statement (JSON or YAML) to the hall')
    .argument('<statement>', 'statement file')
    .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
    .option('--sandbox', 'publish to the built-in sandbox on loopback instead of the platforms')
    .option('--dry-run', 'render and plan only; send nothing')
    .option('--json', 'print the machine-readable report on stdout')
    .addOption(
      new Option(
        '--mode <mode>',
        'relay: lead posts, members repost; original: every account posts',
      )
        .choices(['relay', 'original'])
        .default('relay'),
    )
    .addOption(
      new Option('--fallback <what>', 'what a relay does when the lead post failed')
        .choices(['original', 'skip'])
        .default('original'),
    )
    .option('--credentials <file>', 'credentials file (JSON or YAML) mapping references to secrets')
    .option(
      '--journal <file>',
      `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL}; in memory with --sandbox)`,
    )
    .option('--member <ids>', 'only these members (comma-separated, repeatable)', list)
    .option('--group <ids>', 'only members of these groups', list)
    .option('--tag <tags>', 'only members with these tags', list)
    .option('--platform <names>', 'only these platforms', list)
    .option('--exclude <ids>', 'leave these members out', list)
    .option('--campaign-id <id>', 'campaign id (default: statement id and time)')
    .option('--no-progress', 'no progress on stderr');
  pushFlags(publish).action(async (statement: string, flags: PublishFlags) => {
    process.exitCode = await publishCommand(statement, flags);
  });

  const common = (command: Command): Command =>
    command
      .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
      .option(
        '--credentials <file>',
        'credentials file (JSON or YAML) mapping references to secrets',
      )
      .option(
        '--journal <file>',
        `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL})`,
      )
      .option('--json', 'print the result as JSON on stdout');

  common(
    program
      .command('resume')
      .description(
        'continue a campaign from the journal; anything that may have landed is looked up first',
      )
      .argument('<campaign-id>', 'campaign id'),
  )
    .option('--force', 'take over even though another process reported itself running it recently')
    .option('--no-progress', 'no progress on stderr')
    .action(
      async (campaignId: string, flags: CommonFlags & { force?: boolean; progress: boolean }) => {
        process.exitCode = await resumeCommand(campaignId, flags);
      },
    );

  common(
    program
      .command('follow-up')
      .description(
        'post an update or correction on every account that carries a campaign, referring to it',
      )
      .argument('<campaign-id>', 'the campaign it follows')
      .argument('<statement>', 'the update or correction (JSON or YAML)'),
  )
    .option('--no-progress', 'no progress on stderr')
    .action(
      async (campaignId: string, statement: string, flags: CommonFlags & { progress: boolean }) => {
        process.exitCode = await followUpCommand(campaignId, statement, flags);
      },
    );

  common(
    program
      .command('status')
      .description('where every delivery of a campaign stands, and its audit trail')
      .argument('<campaign-id>', 'campaign id'),
  ).action(async (campaignId: string, flags: CommonFlags) => {
    process.exitCode = await statusCommand(campaignId, flags);
  });

  common(
    program
      .command('retract')
      .description('remove every live post and relay of a campaign (safe to run twice)')
      .argument('<campaign-id>', 'campaign id'),
  ).action(async (campaignId: string, flags: CommonFlags) => {
    process.exitCode = await retractCommand(campaignId, flags);
  });

  common(
    program
      .command('pause')
      .description('hold a campaign, whole or for some groups; resume continues it')
      .argument('<campaign-id>', 'campaign id'),
  )
    .requiredOption('--reason <text>', 'why (goes in the audit trail)')
    .option('--group <ids>', 'pause only members of these groups', list)
    .action(
      async (campaignId: string, flags: CommonFlags & { reason: string; group?: string[] }) => {
        process.exitCode = await pauseCommand(campaignId, flags);
      },
    );

  pushFlags(
    common(
      program
        .command('preview')
        .description(
          "every account's rendition with its count against the limit, the lint findings and the plan; sends nothing",
        )
        .argument('<statement>', 'statement file'),
    ),
  )
    .addOption(
      new Option('--mode <mode>', 'relay or original')
        .choices(['relay', 'original'])
        .default('relay'),
    )
    .option('--html', 'show the HTML of WeChat articles')
    .action(
      async (
        statement: string,
        flags: CommonFlags & PushFlags & { mode: 'relay' | 'original'; html?: boolean },
      ) => {
        process.exitCode = await previewCommand(statement, flags);
      },
    );

  program
    .command('lint')
    .description(
      'check a statement: required parts of its kind, discouraged phrases, links, topics',
    )
    .argument('<statement>', 'statement file')
    .option('--hall <file>', 'hall file (checks links against its domain)')
    .option('--json', 'print the findings as JSON')
    .action(async (statement: string, flags: { hall?: string; json?: boolean }) => {
      process.exitCode = await lintCommand(statement, flags);
    });

  program
    .command('validate')
    .description('check a hall file and report what it holds')
    .argument('<hall-file>', 'hall file (JSON or YAML)')
    .option('--json', 'print the result as JSON')
    .action(async (hall: string, flags: { json?: boolean }) => {
      process.exitCode = await validateCommand(hall, flags);
    });
  return program;
}

/** Runs the CLI with `argv` and resolves with the exit code. */
export async function run(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) {
      process.stderr.write(`${error.message}\n`);
      // Errors thrown before anything is sent are about the input (a headline that cannot fit is
      // CONTENT_REJECTED while planning).
      return error.code === 'INVALID_INPUT' || error.code === 'CONTENT_REJECTED' ? 2 : 1;
    }
    const code = (error as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      const exitCode = (error as { exitCode?: number }).exitCode ?? 2;
      return code === 'commander.helpDisplayed' || code === 'commander.version'
        ? 0
        : exitCode === 0
          ? 0
          : 2;
    }
    process.stderr.write(
      `[release-hall] unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}
