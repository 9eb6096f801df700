/**
 * The release-hall command line. The program only names the commands and their options; each
 * command's module (and with it the publisher, the adapters and the journal) is loaded when the
 * command runs, so `release-hall --help` stays fast.
 *
 * Exit codes: 0 every delivery succeeded (or a dry run / validation / check passed), 1 some
 * delivery did not succeed (or some account is not ready, or the audit log's chain is broken),
 * 2 invalid input.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  type ApproveFlags,
  type CheckFlags,
  type CommonFlags,
  DEFAULT_JOURNAL,
  type FollowUpFlags,
  type JournalFlags,
  type LintFlags,
  type NewFlags,
  type PauseFlags,
  type PreviewFlags,
  type PublishFlags,
  type ResumeFlags,
  type ReviewFlags,
  type SandboxFlags,
  type ServeFlags,
  type ValidateFlags,
  type WorkerFlags,
  commonFlags,
  journalFlags,
  list,
  gateFlags,
  pushFlags,
  redisFlags,
  waitFlag,
} from './flags.js';
import type { AuditExportFlags } from './commands/audit-export.js';
import type { AuditHeadFlags } from './commands/audit-head.js';
import type { AuditVerifyFlags } from './commands/audit-verify.js';
import type { InboxAssignFlags } from './commands/inbox-assign.js';
import type { InboxListFlags } from './commands/inbox-list.js';
import type { InboxReplyFlags } from './commands/inbox-reply.js';
import type { InboxSyncFlags } from './commands/inbox-sync.js';
import type { MetricsFlags } from './commands/metrics.js';
import type { ScorecardFlags } from './commands/scorecard.js';

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

function addPublish(program: Command): void {
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
  pushFlags(gateFlags(waitFlag(redisFlags(publish)))).action(
    async (statement: string, flags: PublishFlags) => {
      const { publishCommand } = await import('./commands/publish.js');
      process.exitCode = await publishCommand(statement, flags);
    },
  );
}

function addApprovalCommands(program: Command): void {
  const approve = commonFlags(
    program
      .command('approve')
      .description(
        'sign, as an approver, exactly what publishing the statement would send; adds to <statement>.approval',
      )
      .argument('<statement>', 'statement file'),
  )
    .requiredOption('--as <approver-id>', 'your approver id in the hall file')
    .option('--key <file>', "your private key (default: the hall's key reference for you)")
    .option('--out <file>', 'approvals file (default: <statement>.approval)')
    .addOption(
      new Option('--mode <mode>', 'as publish will be run')
        .choices(['relay', 'original'])
        .default('relay'),
    )
    .option('--member <ids>', 'as publish will be run: only these members', list)
    .option('--group <ids>', 'as publish will be run: only members of these groups', list)
    .option('--tag <tags>', 'as publish will be run: only members with these tags', list)
    .option('--platform <names>', 'as publish will be run: only these platforms', list)
    .option('--exclude <ids>', 'as publish will be run: leave these members out', list)
    .option(
      '--follow-up <campaign-id>',
      'approve the follow-up of this campaign instead (its accounts come from the journal)',
    );
  pushFlags(approve).action(async (statement: string, flags: ApproveFlags) => {
    const { approveCommand } = await import('./commands/approve.js');
    process.exitCode = await approveCommand(statement, flags);
  });

  commonFlags(
    program
      .command('review')
      .description(
        'review, as another approver, a campaign that went out on fewer approvals (a crisis statement); journaled',
      )
      .argument('<campaign-id>', 'the campaign to review'),
  )
    .requiredOption('--as <approver-id>', 'your approver id in the hall file')
    .option('--key <file>', "your private key (default: the hall's key reference for you)")
    .action(async (campaignId: string, flags: ReviewFlags) => {
      const { reviewCommand } = await import('./commands/review.js');
      process.exitCode = await reviewCommand(campaignId, flags);
    });

  program
    .command('keygen')
    .description(
      'a new approver key: the private key to a file, the public key printed for the hall file',
    )
    .requiredOption('--out <file>', 'where to write the private key (mode 600)')
    .option('--force', 'replace an existing file')
    .action(async (flags: { out: string; force?: boolean }) => {
      const { keygenCommand } = await import('./commands/keygen.js');
      process.exitCode = await keygenCommand(flags);
    });
}

function addCampaignCommands(program: Command): void {
  waitFlag(
    commonFlags(
      program
        .command('resume')
        .description(
          'continue a campaign from the journal; anything that may have landed is looked up first',
        )
        .argument('<campaign-id>', 'campaign id'),
    ),
  )
    .option('--force', 'take over even though another process reported itself running it recently')
    .option(
      '--retry-failed',
      'try again deliveries that failed for a passing reason (network, rate limit, in doubt); each is looked up first',
    )
    .option('--no-progress', 'no progress on stderr')
    .action(async (campaignId: string, flags: ResumeFlags) => {
      const { resumeCommand } = await import('./commands/resume.js');
      process.exitCode = await resumeCommand(campaignId, flags);
    });

  const followUp = commonFlags(
    program
      .command('follow-up')
      .description(
        'post an update or correction on every account that carries a campaign, referring to it',
      )
      .argument('<campaign-id>', 'the campaign it follows')
      .argument('<statement>', 'the update or correction (JSON or YAML)'),
  );
  gateFlags(followUp)
    .option('--no-progress', 'no progress on stderr')
    .action(async (campaignId: string, statement: string, flags: FollowUpFlags) => {
      const { followUpCommand } = await import('./commands/follow-up.js');
      process.exitCode = await followUpCommand(campaignId, statement, flags);
    });

  journalFlags(
    program
      .command('status')
      .description('where every delivery of a campaign stands, and its audit trail')
      .argument('<campaign-id>', 'campaign id'),
  )
    .option('--hall <file>', 'hall file (optional: the journal knows the hall; it adds handles)')
    .option(
      '--late',
      'only the accounts past their response deadline (from eventAt/detectedAt); exit 1 if any',
    )
    .action(async (campaignId: string, flags: JournalFlags) => {
      const { statusCommand } = await import('./commands/status.js');
      process.exitCode = await statusCommand(campaignId, flags);
    });

  journalFlags(
    program.command('list').description('the campaigns in the journal, newest first, with counts'),
  ).action(async (flags: JournalFlags) => {
    const { listCommand } = await import('./commands/list.js');
    process.exitCode = await listCommand(flags);
  });

  commonFlags(
    program
      .command('retract')
      .description('remove every live post and relay of a campaign (safe to run twice)')
      .argument('<campaign-id>', 'campaign id'),
  ).action(async (campaignId: string, flags: CommonFlags) => {
    const { retractCommand } = await import('./commands/retract.js');
    process.exitCode = await retractCommand(campaignId, flags);
  });

  commonFlags(
    program
      .command('pause')
      .description('hold a campaign, whole or for some groups; resume continues it')
      .argument('<campaign-id>', 'campaign id'),
  )
    .requiredOption('--reason <text>', 'why (required; goes in the audit trail)')
    .option('--group <ids>', 'pause only members of these groups', list)
    .action(async (campaignId: string, flags: PauseFlags) => {
      const { pauseCommand } = await import('./commands/pause.js');
      process.exitCode = await pauseCommand(campaignId, flags);
    });
}

function addStatementCommands(program: Command): void {
  pushFlags(
    commonFlags(
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
    .option(
      '--html-page <file>',
      'also write the preview page: every account as its followers will see it (self-contained HTML)',
    )
    .action(async (statement: string, flags: PreviewFlags) => {
      const { previewCommand } = await import('./commands/preview.js');
      process.exitCode = await previewCommand(statement, flags);
    });

  program
    .command('lint')
    .description(
      'check a statement: required parts of its kind, discouraged phrases, links, topics',
    )
    .argument('<statement>', 'statement file')
    .option('--hall <file>', "hall file (links against its domain; the hall's lint settings)")
    .option('--json', 'print the findings as JSON')
    .action(async (statement: string, flags: LintFlags) => {
      const { lintCommand } = await import('./commands/lint.js');
      process.exitCode = await lintCommand(statement, flags);
    });

  program
    .command('validate')
    .description('check a hall file and report what it holds')
    .argument('<hall-file>', 'hall file (JSON or YAML)')
    .option('--json', 'print the result as JSON')
    .action(async (hall: string, flags: ValidateFlags) => {
      const { validateCommand } = await import('./commands/validate.js');
      process.exitCode = await validateCommand(hall, flags);
    });
}

function addCheck(program: Command): void {
  program
    .command('check')
    .description(
      'read-only readiness check of every account: token, identity, verification, last post',
    )
    .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
    .option('--sandbox', 'check the accounts on the built-in sandbox on loopback')
    .option('--credentials <file>', 'credentials file (JSON or YAML) mapping references to secrets')
    .option('--json', 'print the results as JSON on stdout')
    .option('--member <ids>', 'only these members (comma-separated, repeatable)', list)
    .option('--platform <names>', 'only these platforms', list)
    .action(async (flags: CheckFlags) => {
      const { checkCommand } = await import('./commands/check.js');
      process.exitCode = await checkCommand(flags);
    });
}

function addNew(program: Command): void {
  program
    .command('new')
    .description(
      'write a statement from an emergency template (earthquake, flood, …) and the values given',
    )
    .argument('[kind]', 'template kind, e.g. earthquake (--list shows them)')
    .option(
      '--set <key=value>',
      'the value of a field of the template (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('-o, --output <file>', 'write the statement to this file (default: stdout)')
    .option('--force', 'replace the output file if it exists')
    .option('--issuer <name>', 'the issuing body (the same as --set issuer=…)')
    .option(
      '--templates <dir>',
      'a folder of your own templates, looked in before the shipped ones',
    )
    .option('--list', 'list the template kinds with their fields')
    .option('--json', 'JSON instead of YAML (with --list: the templates as JSON)')
    .action(async (kind: string | undefined, flags: NewFlags) => {
      const { newCommand } = await import('./commands/new.js');
      process.exitCode = await newCommand(kind, flags);
    });
}

function addAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description(
      "the journal's hash-chained audit log: verify its chain, export it, print its head to anchor",
    );
  journalFlags(
    audit
      .command('verify')
      .description(
        'check the chain of the whole audit log: exit 0 with its head, 1 naming the first entry at fault',
      ),
  )
    .option(
      '--head <seq:hash>',
      'an anchor printed earlier by "audit head" (signed or not): the log must still hold it',
    )
    .option('--hall <file>', "hall file: checks a signed anchor against the approver's public key")
    .action(async (flags: AuditVerifyFlags) => {
      const { auditVerifyCommand } = await import('./commands/audit-verify.js');
      process.exitCode = await auditVerifyCommand(flags);
    });
  audit
    .command('export')
    .description('the audit log as JSON Lines, one entry per line with its seq, prevHash and hash')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl']).default('jsonl'))
    .option(
      '--journal <file>',
      `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL}); read, never written`,
    )
    .option('--campaign <id>', 'only the entries of this campaign')
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .action(async (flags: AuditExportFlags) => {
      const { auditExportCommand } = await import('./commands/audit-export.js');
      process.exitCode = await auditExportCommand(flags);
    });
  journalFlags(
    audit
      .command('head')
      .description(
        'the head of the audit log (seq:hash) to keep elsewhere as an anchor; --sign has an approver sign it',
      ),
  )
    .option('--sign', "sign the head as one of the hall's approvers (needs --hall and --as)")
    .option('--hall <file>', 'hall file naming the approvers')
    .option('--as <approver-id>', 'your approver id in the hall file')
    .option('--key <file>', "your private key (default: the hall's key reference for you)")
    .option('--credentials <file>', 'credentials file holding the private key under its reference')
    .action(async (flags: AuditHeadFlags) => {
      const { auditHeadCommand } = await import('./commands/audit-head.js');
      process.exitCode = await auditHeadCommand(flags);
    });
}

function addServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the HTTP API for CMS backends (API keys with roles, preview, campaigns, pause, resume, retract) and the WeChat callbacks of the hall on /wechat/<member>',
    )
    .requiredOption('--hall <file>', 'hall file (JSON or YAML) with its api.keys')
    .requiredOption('--port <port>', 'TCP port to listen on (0: any free port)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--credentials <file>', 'credentials file (JSON or YAML) mapping references to secrets')
    .option(
      '--journal <file>',
      `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL}; with --sandbox, that name and .sandbox)`,
    )
    .option('--sandbox', 'publish to the built-in sandbox on loopback instead of the platforms')
    .option(
      '--crisis <campaign>',
      "WeChat callbacks: every account's default answer names this campaign's latest statement (switch with PUT/DELETE /v1/crisis)",
    )
    .action(async (flags: ServeFlags) => {
      const { serveCommand } = await import('./commands/serve.js');
      process.exitCode = await serveCommand(flags);
    });
}

function addScaleOut(program: Command): void {
  redisFlags(
    program
      .command('worker')
      .description(
        'run the deliveries of campaigns published with --redis, beside other workers on any host; SIGTERM drains',
      )
      .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
      .option(
        '--credentials <file>',
        'credentials file (JSON or YAML) mapping references to secrets',
      )
      .option('--concurrency <n>', 'deliveries under way at once in this worker', '32'),
  ).action(async (flags: WorkerFlags) => {
    const { workerCommand } = await import('./commands/worker.js');
    process.exitCode = await workerCommand(flags);
  });

  program
    .command('sandbox')
    .description(
      "serve a hall's built-in sandbox for other processes: writes a hall file pointing at it and its credentials",
    )
    .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
    .requiredOption('--out <dir>', 'where to write hall.json and credentials.json')
    .action(async (flags: SandboxFlags) => {
      const { sandboxCommand } = await import('./commands/sandbox.js');
      process.exitCode = await sandboxCommand(flags);
    });
}

function addInbox(program: Command): void {
  const inbox = program
    .command('inbox')
    .description("the comments and mentions left on the hall's accounts, read into the journal");
  redisFlags(
    inbox
      .command('sync')
      .description(
        'read new comments and mentions of every account into the journal, from its cursor',
      )
      .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
      .option('--campaign <id>', "read this campaign's accounts first")
      .option('--since <iso>', 'store only items written at or after this time')
      .option(
        '--credentials <file>',
        'credentials file (JSON or YAML) mapping references to secrets',
      )
      .option(
        '--journal <file>',
        `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL})`,
      )
      .option('--json', 'print the summary as JSON'),
  ).action(async (flags: InboxSyncFlags) => {
    const { inboxSyncCommand } = await import('./commands/inbox-sync.js');
    process.exitCode = await inboxSyncCommand(flags);
  });
  journalFlags(
    inbox
      .command('list')
      .description('the stored comments and mentions, newest first, with their age')
      .option('--unanswered', 'only the items not answered')
      .option('--member <id>', "only the items on this member's accounts")
      .option('--assigned-to <id>', 'only the items assigned to this member (inbox assign)')
      .option('--campaign <id>', "only the items that answer this campaign's posts")
      .option('--limit <n>', 'at most this many (the newest)')
      .option('--hall <file>', 'hall file whose inbox.replyDeadlineHours applies')
      .option(
        '--reply-deadline <hours>',
        'flag unanswered items older than this (default: the hall file, else 24)',
      ),
  ).action(async (flags: InboxListFlags) => {
    const { inboxListCommand } = await import('./commands/inbox-list.js');
    process.exitCode = await inboxListCommand(flags);
  });
  redisFlags(
    inbox
      .command('reply <item-id>')
      .description(
        'answer one stored item as its account, once per text (looked up before any re-send)',
      )
      .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
      .requiredOption('--text <text>', 'the reply')
      .option(
        '--resend-unconfirmed',
        'send again a reply left unknown on a platform with no look-up (WeChat), once you checked it did not arrive',
      )
      .option(
        '--as <member>',
        "the member who answers (default: the assignee's account on the platform, else the item's)",
      )
      .option(
        '--credentials <file>',
        'credentials file (JSON or YAML) mapping references to secrets',
      )
      .option(
        '--journal <file>',
        `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL})`,
      )
      .option('--json', 'print the result as JSON'),
  ).action(async (itemId: string, flags: InboxReplyFlags) => {
    const { inboxReplyCommand } = await import('./commands/inbox-reply.js');
    process.exitCode = await inboxReplyCommand(itemId, flags);
  });
  redisFlags(
    inbox
      .command('assign <item-id>')
      .description('route one stored item to the member that can answer it')
      .requiredOption('--hall <file>', 'hall file (JSON or YAML)')
      .requiredOption('--to <member>', 'the member the item goes to')
      .option('--member <id>', "the copy on this member's account, when several accounts hold it")
      .option(
        '--journal <file>',
        `journal file (default: $RELEASE_HALL_JOURNAL or ${DEFAULT_JOURNAL})`,
      )
      .option('--json', 'print the result as JSON'),
  ).action(async (itemId: string, flags: InboxAssignFlags) => {
    const { inboxAssignCommand } = await import('./commands/inbox-assign.js');
    process.exitCode = await inboxAssignCommand(itemId, flags);
  });
}

function addMetrics(program: Command): void {
  commonFlags(
    program
      .command('metrics')
      .description(
        "read now the reposts, comments and likes of a campaign's posts; each reading is kept in the journal",
      )
      .argument('<campaign-id>', 'the campaign whose posts are read'),
  )
    .option('--csv', 'print the readings as CSV (RFC 4180) on stdout')
    .option(
      '--at <times>',
      'read at these times after the campaign started (e.g. 1h,24h), waiting for each; a time already read is skipped',
    )
    .option(
      '--html <file>',
      'also write the reach report as a self-contained HTML page with charts (every reading kept)',
    )
    .action(async (campaignId: string, flags: MetricsFlags) => {
      const { metricsCommand } = await import('./commands/metrics.js');
      process.exitCode = await metricsCommand(campaignId, flags);
    });
}

function addScorecard(program: Command): void {
  commonFlags(
    program
      .command('scorecard')
      .description(
        'one row per member over a period: campaigns taken part in and missed, delay after the lead, followers, posts per week, reach, unanswered inbox items, dormant accounts',
      ),
  )
    .requiredOption(
      '--since <date>',
      'start of the period (ISO 8601 date or time, e.g. 2026-11-01)',
    )
    .option('--csv', 'print the scorecard as CSV (RFC 4180) on stdout')
    .option('--html <file>', 'also write the scorecard as a self-contained HTML page with charts')
    .option('--rehearsals', 'count campaigns published to sandboxes (rehearsals) too')
    .action(async (flags: ScorecardFlags) => {
      const { scorecardCommand } = await import('./commands/scorecard.js');
      process.exitCode = await scorecardCommand(flags);
    });
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
  addPublish(program);
  addApprovalCommands(program);
  addCampaignCommands(program);
  addStatementCommands(program);
  addCheck(program);
  addNew(program);
  addAudit(program);
  addServe(program);
  addScaleOut(program);
  addInbox(program);
  addMetrics(program);
  addScorecard(program);
  return program;
}

/** The exit code of a commander error (help, version, a bad option), or undefined for any other. */
function commanderExitCode(error: unknown): number | undefined {
  const { code, exitCode } = (error ?? {}) as { code?: unknown; exitCode?: number };
  if (typeof code !== 'string' || !code.startsWith('commander.')) return undefined;
  if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
  return (exitCode ?? 2) === 0 ? 0 : 2;
}

/** Runs the CLI with `argv` and resolves with the exit code. */
export async function run(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const commanderCode = commanderExitCode(error);
    if (commanderCode !== undefined) return commanderCode;
    // Loaded only now: the core is already in memory if a command ran.
    const { ReleaseHallError } = await import('release-hall');
    if (ReleaseHallError.isInstance(error)) {
      process.stderr.write(`${error.message}\n`);
      // Errors thrown before anything is sent are about the input (a headline that cannot fit is
      // CONTENT_REJECTED while planning).
      return error.code === 'INVALID_INPUT' || error.code === 'CONTENT_REJECTED' ? 2 : 1;
    }
    process.stderr.write(
      `[release-hall] unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}
