/**
 * The pre-flight: everything checked before the first platform request (campaign options,
 * selection, statement, renditions, the push plan against the quota ledger, what the platforms
 * will refuse). Publish, dry run, preview and follow-up all start here; a campaign that would fail
 * on its input fails here, before anything is sent.
 */
import { randomBytes } from 'node:crypto';
import type { Adapter, PushRecord } from '../adapter.js';
import { type InputIssue, ReleaseHallError, invalidInput } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Journal, JournalDelivery } from '../journal/journal.js';
import { type ResolvedHall, parseStatement } from '../model/load.js';
import type { Selection, Statement } from '../model/statement.js';
import { type Plan, planCampaign } from '../plan/plan-campaign.js';
import type { EarlierStatement } from '../render/templates.js';
import type { RunOptions } from '../run/options.js';
import { pushAccount, pushAudienceReader, pushAudienceText } from '../run/push.js';
import type { PlannedDelivery } from '../run/types.js';
import { type CampaignOptions, type PublisherSettings, resolveCampaignOptions } from './options.js';

/** A campaign that passed the pre-flight. */
export interface Prepared {
  readonly plan: Plan;
  readonly run: RunOptions;
  readonly statement: Statement;
  readonly selection: Selection | undefined;
}

/** How far back the quota ledger looks, in milliseconds. */
const LEDGER_DAYS_MS = 40 * 24 * 3_600_000;

function newCampaignId(statementId: string | undefined, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${statementId ?? 'statement'}-${stamp}-${randomBytes(3).toString('hex')}`;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The pushes each account made in the last 40 days, from the journal: the quota ledger. A push
 * counts from its first attempt unless the platform refused it for quota or it never started.
 */
export async function pushHistory(journal: Journal): Promise<Map<string, PushRecord[]>> {
  const history = new Map<string, PushRecord[]>();
  const since = Date.now() - LEDGER_DAYS_MS;
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
 * Checks a campaign's options and statement, renders and plans it, and (unless it is a dry run)
 * checks the plan against the platforms. Sends nothing; throws `INVALID_INPUT`.
 */
export function prepare(
  settings: PublisherSettings,
  statementInput: unknown,
  campaign: CampaignOptions = {},
  history: ReadonlyMap<string, readonly PushRecord[]> = new Map(),
  earlier?: EarlierStatement,
): Prepared {
  const { hall, adapters } = settings;
  const { run, selection } = resolveCampaignOptions(campaign, hall);
  const statement = parseStatement(statementInput);
  const campaignId = run.campaignId ?? newCampaignId(statement.id, new Date());
  const plan = planCampaign({
    campaignId,
    statement,
    resolved: hall,
    adapters,
    mode: run.mode,
    push: {
      policy: run.push.policy,
      ...(run.push.members === undefined ? {} : { members: run.push.members }),
      ...(run.push.spendLast === undefined ? {} : { spendLast: run.push.spendLast }),
      ...(run.push.tag === undefined ? {} : { tag: run.push.tag }),
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
  return { plan, run, statement, selection };
}

/** Accounts without credentials listed one by one; more are summed up in one issue. */
const CREDENTIAL_ISSUES_LISTED = 3;

/** Many accounts without credentials are one problem (no file, no environment), told once. */
function groupCredentialIssues(issues: readonly InputIssue[]): InputIssue[] {
  const missing = issues.filter((issue) => /^accounts\..*\.credentials$/.test(issue.path));
  if (missing.length <= CREDENTIAL_ISSUES_LISTED) return [...issues];
  const first = missing[0] as InputIssue;
  return [
    ...issues.filter((issue) => !missing.includes(issue)),
    {
      path: 'credentials',
      message: `${missing.length} accounts have no credentials, the first: ${first.message}. Give a credentials file (--credentials, or RELEASE_HALL_CREDENTIALS) or the environment variables for each account`,
    },
  ];
}

/** How many renditions and credentials the pre-flight checks at once. */
const PREFLIGHT_CONCURRENCY = 8;

/**
 * Everything the platforms would refuse about a planned campaign that can be found without
 * sending: the plan's links and topics, adapters not configured for writes, each rendition's
 * pictures and fields (`Adapter.checkRendition`), and every selected account's credentials.
 * Publish, dry run and preview ask it alike, so a dry run reports what publish would refuse.
 * Each problem is listed once, with its path and its fix.
 */
export async function preflight(settings: PublisherSettings, plan: Plan): Promise<InputIssue[]> {
  const { hall, adapters, credentials } = settings;
  const issues: InputIssue[] = [...checkPlan(plan, hall, adapters)];
  // The checks run PREFLIGHT_CONCURRENCY at a time as they are found, in plan order: a large
  // hall's checks are never all held at once.
  let batch: (() => Promise<readonly InputIssue[]>)[] = [];
  const runBatch = async (): Promise<void> => {
    const running = batch;
    batch = [];
    for (const found of await Promise.all(running.map((check) => check()))) issues.push(...found);
  };
  const add = async (check: () => Promise<readonly InputIssue[]>): Promise<void> => {
    batch.push(check);
    if (batch.length === PREFLIGHT_CONCURRENCY) await runBatch();
  };
  const accounts = new Set<string>();
  for (const delivery of plan.deliveries) {
    const adapter = adapters.get(delivery.platform);
    const account = hall.accountById.get(delivery.accountId);
    if (adapter === undefined || account === undefined) continue;
    const check = adapter.checkRendition?.bind(adapter);
    if (check !== undefined) {
      await add(() => check(delivery.rendition, account));
      const fallback = delivery.fallbackRendition;
      if (fallback !== undefined) await add(() => check(fallback, account));
    }
    if (!accounts.has(account.id)) {
      accounts.add(account.id);
      await add(async () => {
        try {
          await credentials.resolve(account, adapter.credentialFields);
          return [];
        } catch (error) {
          return [
            {
              path: `accounts.${account.id}.credentials`,
              message:
                error instanceof Error
                  ? error.message.replace(/^\[release-hall\] /, '')
                  : String(error),
            },
          ];
        }
      });
    }
  }
  if (batch.length > 0) await runBatch();
  const seen = new Set<string>();
  return groupCredentialIssues(issues).filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** How long the pre-flight waits for a platform to say whom a push reaches. */
const AUDIENCE_TIMEOUT_MS = 15_000;

/**
 * Asks each platform whom every planned push reaches (WeChat: the hall file's `push.tag`, looked
 * up with `tags/get`), before anything is sent. A tag the account does not have is an issue on its
 * hall-file path (`members[3].accounts.wechat.push.tag`); a tag found is named in the push's note
 * (`push to tag 区县干部 (id 101), 1,234 followers: 1 of 1 pushes left today`). A platform that
 * cannot be asked now (network, token) leaves the note as it is: the push itself will say.
 */
export async function checkPushAudiences(
  settings: PublisherSettings,
  plan: Plan,
): Promise<{ readonly plan: Plan; readonly issues: InputIssue[] }> {
  const { hall, adapters, credentials, limits } = settings;
  const issues: InputIssue[] = [];
  const notes = new Map<string, string>();
  for (const delivery of plan.deliveries) {
    if (delivery.action !== 'push' || delivery.blocked !== undefined) continue;
    const adapter = adapters.get(delivery.platform);
    const account = hall.accountById.get(delivery.accountId);
    const read = adapter === undefined ? undefined : pushAudienceReader(adapter);
    if (adapter === undefined || account === undefined || read === undefined) continue;
    const requestTimeoutMs = limits.get(account.platform)?.requestTimeoutMs ?? AUDIENCE_TIMEOUT_MS;
    // Missing credentials are the pre-flight's own issue.
    const secrets = await credentials
      .resolve(account, adapter.credentialFields)
      .catch(() => undefined);
    if (secrets === undefined) continue;
    try {
      const audience = await read(pushAccount(account, delivery.pushTag), {
        signal: AbortSignal.timeout(Math.max(AUDIENCE_TIMEOUT_MS, 2 * requestTimeoutMs)),
        credentials: secrets,
        logger: silentLogger,
        requestTimeoutMs,
      });
      if (audience.tag === undefined) continue;
      const text = pushAudienceText(audience);
      const note = delivery.note ?? 'push';
      notes.set(delivery.id, note.startsWith('push:') ? `${text}:${note.slice(5)}` : text);
    } catch (error) {
      if (!ReleaseHallError.isInstance(error) || error.code !== 'INVALID_INPUT') continue;
      const index = hall.hall.members.findIndex((member) => member.id === account.memberId);
      // A tag from the campaign's push option is refused on that option's path, naming the
      // account; the account's own on its path in the hall file.
      const fromCampaign = delivery.pushTag !== undefined;
      for (const issue of error.issues) {
        issues.push(
          fromCampaign
            ? { path: issue.path, message: `account "${account.id}": ${issue.message}` }
            : {
                path: `members[${index}].accounts.${account.platform}.${issue.path}`,
                message: issue.message,
              },
        );
      }
    }
  }
  if (notes.size === 0) return { plan, issues };
  const deliveries = plan.deliveries.map((delivery) => {
    const note = notes.get(delivery.id);
    return note === undefined ? delivery : { ...delivery, note };
  });
  return { plan: { ...plan, deliveries }, issues };
}

/**
 * The whole pre-flight of a planned campaign: whom its pushes reach ({@link checkPushAudiences})
 * and what the platforms would refuse ({@link preflight}). Returns the plan with its push notes
 * naming their tags, and every issue.
 */
export async function preflightPlan(
  settings: PublisherSettings,
  plan: Plan,
): Promise<{ readonly plan: Plan; readonly issues: InputIssue[] }> {
  const audiences = await checkPushAudiences(settings, plan);
  const issues = [...audiences.issues, ...(await preflight(settings, audiences.plan))];
  return { plan: audiences.plan, issues };
}

/**
 * The pre-flight of a publish (or dry run): reads the quota ledger when the campaign may push,
 * {@link prepare}s it, and refuses it with every problem {@link preflight} finds.
 */
export async function preparePublish(
  settings: PublisherSettings,
  statementInput: unknown,
  campaign: CampaignOptions,
  earlier?: EarlierStatement,
): Promise<Prepared> {
  const history =
    campaign.push && campaign.push.policy !== 'publish'
      ? await pushHistory(settings.journal)
      : new Map<string, PushRecord[]>();
  const prepared = prepare(settings, statementInput, campaign, history, earlier);
  const { plan, issues } = await preflightPlan(settings, prepared.plan);
  if (issues.length > 0) throw invalidInput('campaign', issues);
  return { ...prepared, plan };
}

/** The plan as callers see it: without the fallback renditions kept for the run. */
export function stripPlan(deliveries: readonly JournalDelivery[]): PlannedDelivery[] {
  return deliveries.map(({ fallbackRendition: _fallback, ...delivery }) => delivery);
}
