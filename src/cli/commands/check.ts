/**
 * `release-hall check`: a read-only readiness check of every account of a hall (docs/check.md).
 * Each account gets one pass of its adapter's `checkAccount` (reads only: no post, no quota),
 * a few accounts at a time; the hall's naming rule is checked here against the name the platform
 * shows. Exit 0 when no account has a problem, 1 when one has, 2 on invalid input.
 */
import {
  type Account,
  type AccountReadiness,
  type Adapter,
  type CheckSettings,
  type ReadinessFinding,
  type ReadinessStatus,
  Redactor,
  ReleaseHallError,
  createCredentialsResolver,
  readCredentialsFile,
  readDataFile,
  resolveHall,
  silentLogger,
} from 'release-hall';
import { invalidInput } from 'release-hall/adapter-kit';
import { startHallSandbox } from 'release-hall/sandbox';
import { buildAdapters } from '../build-adapters.js';
import type { CheckFlags } from '../flags.js';

/** Accounts checked at once: enough for a large hall in seconds, few enough for any rate budget. */
const CHECK_CONCURRENCY = 8;
/** Per-request timeout of the reads. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The result of one account. */
export interface AccountCheck {
  readonly account: string;
  readonly member: string;
  readonly platform: string;
  readonly handle: string;
  readonly status: ReadinessStatus;
  readonly findings: readonly ReadinessFinding[];
  readonly screenName?: string;
  readonly tokenExpiresInSeconds?: number;
  readonly lastPostAt?: string;
}

const RANK: Readonly<Record<ReadinessStatus, number>> = { ok: 0, warning: 1, problem: 2 };

function worst(findings: readonly ReadinessFinding[]): ReadinessStatus {
  return findings.reduce<ReadinessStatus>(
    (status, finding) => (RANK[finding.status] > RANK[status] ? finding.status : status),
    'ok',
  );
}

/** The naming finding: the name the platform shows (else the handle) against the hall's rule. */
export function namingFinding(
  name: string,
  naming: CheckSettings['naming'],
): ReadinessFinding | undefined {
  if (naming === undefined) return undefined;
  const byPrefix = naming.prefix === undefined || name.startsWith(naming.prefix);
  const byPattern = naming.pattern === undefined || new RegExp(naming.pattern, 'u').test(name);
  if (byPrefix && byPattern) {
    return {
      aspect: 'naming',
      status: 'ok',
      summary: 'ok',
      message: `"${name}" follows the hall's naming rule`,
    };
  }
  const rule = [
    naming.prefix === undefined ? undefined : `start with "${naming.prefix}"`,
    naming.pattern === undefined ? undefined : `match /${naming.pattern}/`,
  ]
    .filter((part) => part !== undefined)
    .join(' and ');
  return {
    aspect: 'naming',
    status: 'warning',
    summary: 'off rule',
    message: `"${name}" does not ${rule}`,
    fix: 'rename the account on the platform, or correct the handle in the hall file',
  };
}

/** The finding of a check that could not be carried out. */
function failedFinding(error: unknown, redactor: Redactor): ReadinessFinding {
  const message = redactor.string(error instanceof Error ? error.message : String(error));
  if (
    ReleaseHallError.isInstance(error) &&
    (error.code === 'AUTH_INVALID' || error.code === 'AUTH_EXPIRED')
  ) {
    return {
      aspect: 'token',
      status: 'problem',
      summary: 'missing',
      message,
      fix: 'put the account’s secret in the credentials file or the environment, as publish reads it',
    };
  }
  return {
    aspect: 'reachability',
    status: 'problem',
    summary: 'check failed',
    message,
    fix: 'run the check again; if it fails again, check the network path (proxy, gateway) to the platform',
  };
}

async function checkOne(
  account: Account,
  adapter: Adapter | undefined,
  settings: CheckSettings,
  resolveSecrets: (account: Account, fields: readonly string[]) => Promise<Record<string, string>>,
  redactor: Redactor,
  now: Date,
): Promise<AccountCheck> {
  const base = {
    account: account.id,
    member: account.memberId,
    platform: account.platform,
    handle: account.handle,
  };
  let readiness: AccountReadiness;
  if (adapter?.checkAccount === undefined) {
    readiness = {
      findings: [
        {
          aspect: 'token',
          status: 'warning',
          summary: 'no check',
          message: `the ${account.platform} adapter has no readiness check`,
          fix: 'check the account by hand before relying on it',
        },
      ],
    };
  } else {
    try {
      const credentials = await resolveSecrets(account, adapter.credentialFields);
      redactor.add(...Object.values(credentials));
      readiness = await adapter.checkAccount(account, {
        signal: AbortSignal.timeout(4 * REQUEST_TIMEOUT_MS),
        credentials,
        logger: silentLogger,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        now,
        dormantDays: settings.dormantDays,
      });
    } catch (error) {
      readiness = { findings: [failedFinding(error, redactor)] };
    }
  }
  const naming = namingFinding(readiness.screenName ?? account.handle, settings.naming);
  const findings = redactor.deep([
    ...readiness.findings,
    ...(naming === undefined ? [] : [naming]),
  ]);
  return {
    ...base,
    status: worst(findings),
    findings,
    ...(readiness.screenName === undefined ? {} : { screenName: readiness.screenName }),
    ...(readiness.tokenExpiresInSeconds === undefined
      ? {}
      : { tokenExpiresInSeconds: readiness.tokenExpiresInSeconds }),
    ...(readiness.lastPostAt === undefined
      ? {}
      : { lastPostAt: readiness.lastPostAt.toISOString() }),
  };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of `items`. */
async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function cell(findings: readonly ReadinessFinding[], aspect: string): string {
  const finding = findings.find((item) => item.aspect === aspect);
  if (finding === undefined) return '-';
  const mark = finding.status === 'ok' ? '' : finding.status === 'warning' ? '! ' : '✗ ';
  return `${mark}${finding.summary}`;
}

const COLUMNS = [
  'member',
  'platform',
  'handle',
  'token',
  'identity',
  'verified',
  'last post',
  'overall',
];

function table(results: readonly AccountCheck[]): string {
  const rows = results.map((result) => [
    result.member,
    result.platform,
    result.screenName ?? result.handle,
    cell(result.findings, 'token'),
    cell(result.findings, 'identity'),
    cell(result.findings, 'verified'),
    cell(result.findings, 'last-post'),
    result.status === 'ok'
      ? 'ready'
      : result.status === 'warning'
        ? 'ready (warnings)'
        : 'NOT READY',
  ]);
  const width = (text: string): number =>
    [...text].reduce((sum, char) => sum + ((char.codePointAt(0) ?? 0) > 0x2e80 ? 2 : 1), 0);
  const widths = COLUMNS.map((title, index) =>
    Math.max(width(title), ...rows.map((row) => width(row[index] ?? ''))),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((text, index) => text + ' '.repeat((widths[index] ?? 0) - width(text)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

function details(results: readonly AccountCheck[]): string {
  const lines: string[] = [];
  for (const result of results) {
    for (const finding of result.findings) {
      if (finding.status === 'ok') continue;
      lines.push(
        `${finding.status === 'problem' ? '✗' : '!'} ${result.account} ${finding.aspect}: ${finding.message}`,
      );
      if (finding.fix !== undefined) lines.push(`    fix: ${finding.fix}`);
    }
  }
  return lines.join('\n');
}

/** Checks every selected account of the hall; resolves with the exit code. */
export async function checkCommand(flags: CheckFlags): Promise<number> {
  const hallData = await readDataFile(flags.hall, 'hall');
  const resolved = resolveHall(hallData, buildAdapters(hallData));
  const members = new Set(resolved.hall.members.map((member) => member.id));
  const unknown = (flags.member ?? []).filter((id) => !members.has(id));
  const platforms = new Set(resolved.accounts.map((account) => account.platform));
  const unknownPlatforms = (flags.platform ?? []).filter((name) => !platforms.has(name));
  if (unknown.length > 0 || unknownPlatforms.length > 0) {
    throw invalidInput('check selection', [
      ...unknown.map((id) => ({ path: '--member', message: `no member "${id}" in the hall` })),
      ...unknownPlatforms.map((name) => ({
        path: '--platform',
        message: `no ${name} account in the hall`,
      })),
    ]);
  }
  const credentialsFile = flags.credentials ?? (process.env.RELEASE_HALL_CREDENTIALS || undefined);
  if (credentialsFile !== undefined) {
    await readCredentialsFile(credentialsFile, {
      onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
    });
  }
  const sandbox = flags.sandbox === true ? await startHallSandbox(hallData) : undefined;
  try {
    const adapters = buildAdapters(hallData, sandbox);
    const hall = resolveHall(hallData, adapters);
    const byPlatform = new Map(adapters.map((adapter) => [adapter.platform, adapter]));
    const credentials = createCredentialsResolver({
      ...(sandbox === undefined ? {} : { resolve: sandbox.credentials }),
      ...(credentialsFile === undefined ? {} : { file: credentialsFile }),
      onWarning: () => undefined,
    });
    const selected = hall.accounts.filter(
      (account) =>
        (flags.member === undefined || flags.member.includes(account.memberId)) &&
        (flags.platform === undefined || flags.platform.includes(account.platform)),
    );
    const redactor = new Redactor();
    const now = new Date();
    const results = await inPool(selected, CHECK_CONCURRENCY, (account) =>
      checkOne(
        account,
        byPlatform.get(account.platform),
        hall.hall.check,
        (target, fields) => credentials.resolve(target, fields),
        redactor,
        now,
      ),
    );
    const count = (status: ReadinessStatus): number =>
      results.filter((result) => result.status === status).length;
    const summary = {
      hall: hall.hall.id,
      checkedAt: now.toISOString(),
      dormantDays: hall.hall.check.dormantDays,
      accounts: results.length,
      ready: count('ok') + count('warning'),
      warnings: count('warning'),
      notReady: count('problem'),
    };
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(redactor.deep({ ...summary, results }), null, 2)}\n`);
    } else {
      const notes = details(results);
      process.stdout.write(
        redactor.string(
          `${table(results)}\n${notes === '' ? '' : `\n${notes}\n`}\n` +
            `${summary.accounts} accounts checked: ${summary.ready} ready (${summary.warnings} with warnings), ${summary.notReady} not ready.\n`,
        ),
      );
    }
    return summary.notReady > 0 ? 1 : 0;
  } finally {
    await sandbox?.close();
  }
}
