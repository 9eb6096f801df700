/**
 * The release-hall command line. This is the one place that wires concrete adapters, as a user of
 * the package would.
 *
 * Exit codes: 0 every delivery succeeded (or a dry run / validation passed), 1 some delivery did
 * not succeed, 2 invalid input.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  type Adapter,
  type CampaignOptions,
  type CredentialsSource,
  ReleaseHallError,
  type Selection,
  createPublisher,
  formatPreview,
  formatReport,
  loadStatementFile,
  readDataFile,
  resolveHall,
  showProgress,
} from 'release-hall';
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

/** Makes the adapters a hall needs, with base URLs and settings from its `platforms` section. */
export function buildAdapters(
  hallData: unknown,
  baseURLs: Readonly<Record<string, string>> = {},
): Adapter[] {
  const platforms =
    typeof hallData === 'object' && hallData !== null && 'platforms' in hallData
      ? ((hallData as { platforms?: Record<string, PlatformInput> }).platforms ?? {})
      : {};
  const weibo = platforms.weibo ?? {};
  const baseURL = baseURLs.weibo ?? (typeof weibo.baseURL === 'string' ? weibo.baseURL : undefined);
  const weiboOptions: WeiboAdapterOptions = {
    ...(weibo.settings as Partial<WeiboAdapterOptions> | undefined),
    ...(baseURL === undefined ? {} : { baseURL }),
  };
  return [createWeiboAdapter(weiboOptions)];
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

interface PublishFlags {
  hall: string;
  sandbox?: boolean;
  dryRun?: boolean;
  json?: boolean;
  mode: 'relay' | 'original';
  fallback: 'original' | 'skip';
  credentials?: string;
  member?: string[];
  group?: string[];
  tag?: string[];
  platform?: string[];
  exclude?: string[];
  campaignId?: string;
  progress: boolean;
}

async function publishCommand(statementPath: string, flags: PublishFlags): Promise<number> {
  const hallData = await readDataFile(flags.hall, 'hall');
  const statement = await loadStatementFile(statementPath);
  const sandbox = flags.sandbox ? await startHallSandbox(hallData) : undefined;
  try {
    const adapters = buildAdapters(hallData, sandbox?.baseURLs);
    const resolved = resolveHall(hallData, adapters);
    const credentials: CredentialsSource | undefined = sandbox?.credentials;
    const publisher = createPublisher({
      hall: resolved,
      adapters,
      ...(credentials === undefined ? {} : { credentials }),
      ...(flags.credentials === undefined ? {} : { credentialsFile: flags.credentials }),
    });
    const selection: Selection = {
      ...(flags.member ? { members: flags.member } : {}),
      ...(flags.group ? { groups: flags.group } : {}),
      ...(flags.tag ? { tags: flags.tag } : {}),
      ...(flags.platform ? { platforms: flags.platform } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
    };
    const controller = new AbortController();
    const onSignal = (): void => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\nstopping: nothing new starts; press Ctrl-C again to quit at once\n');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const options: CampaignOptions = {
      mode: flags.mode,
      relayFallback: flags.fallback,
      dryRun: flags.dryRun === true,
      selection,
      signal: controller.signal,
      ...(flags.campaignId === undefined ? {} : { campaignId: flags.campaignId }),
    };
    if (flags.dryRun && !flags.json) {
      process.stdout.write(`${formatPreview(publisher.preview(statement, options))}\n`);
      return 0;
    }
    const stop = flags.progress && !flags.dryRun ? showProgress(publisher) : () => undefined;
    const report = await publisher.publish(statement, options).finally(stop);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${formatReport(report)}\n`);
    if (report.dryRun) return 0;
    return report.counts.succeeded === report.counts.total ? 0 : 1;
  } finally {
    await sandbox?.close();
  }
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
    .description(
      'Publish one statement across a release hall of government accounts, once per account.',
    )
    .version(packageVersion())
    .showHelpAfterError();

  program
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
    .option('--member <ids>', 'only these members (comma-separated, repeatable)', list)
    .option('--group <ids>', 'only members of these groups', list)
    .option('--tag <tags>', 'only members with these tags', list)
    .option('--platform <names>', 'only these platforms', list)
    .option('--exclude <ids>', 'leave these members out', list)
    .option('--campaign-id <id>', 'campaign id (default: statement id and time)')
    .option('--no-progress', 'no progress on stderr')
    .action(async (statement: string, flags: PublishFlags) => {
      process.exitCode = await publishCommand(statement, flags);
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
      return error.code === 'INVALID_INPUT' ? 2 : 1;
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
