/**
 * Planning: which account does what, in which order. Pure: no I/O.
 *
 * `original`: every selected account posts its own rendition.
 * `relay`: on each platform that supports relays, the lead posts first and every other selected
 * account reposts the lead's post with its own comment. On a platform where the lead has no
 * account, or that cannot relay, members post originals.
 */
import { createHash } from 'node:crypto';
import type { Adapter, PushQuota, PushRecord, Rendition } from '../adapter.js';
import { type InputIssue, invalidInput } from '../errors.js';
import type { Account, Member } from '../model/hall.js';
import type { ResolvedHall } from '../model/load.js';
import type { Selection, Statement } from '../model/statement.js';
import { renderStatement } from '../render/render-statement.js';
import type { EarlierStatement } from '../render/templates.js';
import type { DeliveryAction, PlannedDelivery } from '../run/types.js';

/** The idempotency key of a delivery: a hash of (campaign, account, action), 32 hex characters. */
export function idempotencyKey(campaignId: string, accountId: string, action: string): string {
  return createHash('sha256')
    .update(`${campaignId}\n${accountId}\n${action}`)
    .digest('hex')
    .slice(0, 32);
}

/** A planned delivery with what it needs if its relay must fall back to an original post. */
export interface PlanEntry extends PlannedDelivery {
  /** For relays: the original rendition used when the lead's post failed and the fallback is `original`. */
  readonly fallbackRendition?: Rendition;
}

/** A plan: deliveries in the order they start, and what was left out and why. */
export interface Plan {
  readonly campaignId: string;
  readonly mode: 'original' | 'relay';
  readonly deliveries: readonly PlanEntry[];
}

/** Picks the accounts a selection reaches. Throws `INVALID_INPUT` for unknown ids. */
export function selectAccounts(resolved: ResolvedHall, selection: Selection = {}): Account[] {
  const { hall } = resolved;
  const issues: InputIssue[] = [];
  const memberIds = new Set(hall.members.map((member) => member.id));
  const groupIds = new Set(hall.groups.map((group) => group.id));
  const platformIds = new Set(resolved.accounts.map((account) => account.platform));
  const check = (
    values: readonly string[] | undefined,
    known: Set<string>,
    field: string,
    what: string,
  ): void => {
    values?.forEach((value, index) => {
      if (!known.has(value)) {
        issues.push({
          path: `selection.${field}[${index}]`,
          message: `unknown ${what} "${value}": use one of the hall's ${what}s`,
        });
      }
    });
  };
  check(selection.members, memberIds, 'members', 'member');
  check(selection.exclude, memberIds, 'exclude', 'member');
  check(selection.groups, groupIds, 'groups', 'group');
  check(selection.platforms, platformIds, 'platforms', 'platform');
  check(selection.tags, new Set(hall.members.flatMap((member) => member.tags)), 'tags', 'tag');
  if (issues.length > 0) throw invalidInput('selection', issues);

  const byMember = (member: Member): boolean => {
    const any =
      selection.members !== undefined ||
      selection.groups !== undefined ||
      selection.tags !== undefined;
    if (!any) return true;
    return (
      (selection.members?.includes(member.id) ?? false) ||
      (selection.groups?.some((group) => member.groups.includes(group)) ?? false) ||
      (selection.tags?.some((tag) => member.tags.includes(tag)) ?? false)
    );
  };
  const chosen = new Set(
    hall.members
      .filter((member) => byMember(member) && !(selection.exclude?.includes(member.id) ?? false))
      .map((member) => member.id),
  );
  return resolved.accounts.filter(
    (account) =>
      chosen.has(account.memberId) &&
      (selection.platforms === undefined || selection.platforms.includes(account.platform)),
  );
}

/** How a campaign pushes (WeChat mass send). */
export interface PushPlan {
  readonly policy: 'publish' | 'push' | 'push-else-publish';
  /** Only these members push. @default every member */
  readonly members?: readonly string[];
  /** Spend the last push of a period. @default true for crisis urgency */
  readonly spendLast?: boolean;
  /** Every push goes to this follower tag (a name or an id). @default each account's own */
  readonly tag?: string | number;
}

/**
 * Refuses push members that name nobody who could push: an id the hall does not know, or a member
 * with no selected account on a platform that pushes. A push the operator asked for must not
 * silently become a plain publish.
 */
function checkPushMembers(
  push: PushPlan,
  selected: readonly Account[],
  adapters: ReadonlyMap<string, Adapter>,
): void {
  if (push.tag !== undefined && push.policy === 'publish') {
    throw invalidInput('push', [
      {
        path: 'push.tag',
        message:
          'a push tag was named but the push policy is "publish": choose push or push-else-publish, or leave the push tag out',
      },
    ]);
  }
  if (push.members === undefined) return;
  const issues: InputIssue[] = [];
  if (push.policy === 'publish') {
    issues.push({
      path: 'push.members',
      message:
        'push members were named but the push policy is "publish": choose push or push-else-publish, or leave the push members out',
    });
  }
  const pushers = new Set(
    selected
      .filter((account) => adapters.get(account.platform)?.push !== undefined)
      .map((account) => account.memberId),
  );
  push.members.forEach((member, index) => {
    if (!pushers.has(member)) {
      issues.push({
        path: `push.members[${index}]`,
        message: `"${member}" names no selected member with an account that can push (e.g. on WeChat): check the id against the hall and the selection`,
      });
    }
  });
  if (push.members.length === 0) {
    issues.push({ path: 'push.members', message: 'the list of push members is empty' });
  }
  if (issues.length > 0) throw invalidInput('push', issues);
}

/** Inputs of {@link planCampaign}. */
export interface PlanInput {
  readonly campaignId: string;
  readonly statement: Statement;
  readonly resolved: ResolvedHall;
  readonly adapters: ReadonlyMap<string, Adapter>;
  readonly selection?: Selection;
  readonly mode: 'original' | 'relay';
  readonly push?: PushPlan;
  /** Pushes each account already made (from the journal), for its quota. */
  readonly pushHistory?: ReadonlyMap<string, readonly PushRecord[]>;
  /** The time quotas are judged at. @default now */
  readonly now?: Date;
  /** For an update or correction: the statement it follows, for its reference sentence. */
  readonly earlier?: EarlierStatement;
}

/** Whether a push fits the quota: a routine statement never spends the last push of a period. */
export function pushDecision(
  quota: PushQuota | undefined,
  spendLast: boolean,
): { readonly allowed: boolean; readonly reason: string } {
  if (quota === undefined) return { allowed: true, reason: 'the platform states no push quota' };
  const period = quota.period === 'day' ? 'today' : 'this month';
  const when = `${quota.periodKey}, back at ${quota.resetsAt.toISOString()}`;
  if (quota.left <= 0) {
    return {
      allowed: false,
      reason: `no push left ${period} (${quota.used} of ${quota.limit} used; ${when})`,
    };
  }
  if (quota.left === 1 && !spendLast) {
    return {
      allowed: false,
      reason: `only the last push ${period} is left (${quota.used} of ${quota.limit} used; ${when}); a statement that is not crisis urgency does not spend it (set spendLast to allow it)`,
    };
  }
  return { allowed: true, reason: `${quota.left} of ${quota.limit} pushes left ${period}` };
}

/**
 * Renders and plans a campaign. In relay mode the lead's account on each platform is included
 * even when the selection leaves it out, since the relays need its post.
 */
export function planCampaign(input: PlanInput): Plan {
  const { resolved, statement, campaignId, adapters, mode } = input;
  const { hall } = resolved;
  const members = new Map(hall.members.map((member) => [member.id, member]));
  const selected = selectAccounts(resolved, input.selection);
  const deliveries: PlanEntry[] = [];
  const push = input.push ?? { policy: 'publish' };
  checkPushMembers(push, selected, adapters);
  const spendLast = push.spendLast ?? statement.urgency === 'crisis';
  const now = input.now ?? new Date();

  const entry = (
    account: Account,
    action: DeliveryAction,
    extra: { dependsOn?: string; note?: string; blocked?: PlanEntry['blocked'] } = {},
  ): PlanEntry => {
    const adapter = adapters.get(account.platform);
    const member = members.get(account.memberId);
    if (adapter === undefined || member === undefined) {
      throw new Error(`internal: account ${account.id} has no adapter or member`);
    }
    const renderFor = (relay: boolean): Rendition =>
      renderStatement(statement, {
        limits: adapter.limits,
        hall,
        member,
        handle: account.handle,
        relay,
        ...(input.earlier === undefined ? {} : { earlier: input.earlier }),
      });
    const id = `${campaignId}:${account.id}:${action}`;
    return {
      id,
      campaignId,
      accountId: account.id,
      memberId: account.memberId,
      platform: account.platform,
      action,
      rendition: renderFor(action === 'relay'),
      idempotencyKey: idempotencyKey(campaignId, account.id, action),
      ...(extra.dependsOn === undefined
        ? {}
        : { dependsOn: extra.dependsOn, fallbackRendition: renderFor(false) }),
      ...(extra.note === undefined ? {} : { note: extra.note }),
      ...(extra.blocked === undefined ? {} : { blocked: extra.blocked }),
      ...(action === 'push' && push.tag !== undefined ? { pushTag: push.tag } : {}),
    };
  };

  /** An original post, or a push where the policy and the quota allow one. */
  const original = (account: Account): PlanEntry => {
    const adapter = adapters.get(account.platform);
    const pushes =
      push.policy !== 'publish' &&
      adapter?.push !== undefined &&
      (push.members === undefined || push.members.includes(account.memberId));
    if (!pushes || adapter === undefined) return entry(account, 'post');
    const quota = adapter.pushQuota?.(account, now, input.pushHistory?.get(account.id) ?? []);
    const decision = pushDecision(quota, spendLast);
    if (decision.allowed) {
      const pushEntry = entry(account, 'push', { note: `push: ${decision.reason}` });
      return push.policy === 'push-else-publish'
        ? { ...pushEntry, publishIfNoPush: true }
        : pushEntry;
    }
    if (push.policy === 'push-else-publish') {
      return entry(account, 'post', { note: `published, not pushed: ${decision.reason}` });
    }
    return entry(account, 'push', {
      note: `not pushed: ${decision.reason}`,
      blocked: {
        code: 'QUOTA_EXHAUSTED',
        reason: `[release-hall] [${account.platform}] no push for account "${account.id}": ${decision.reason}. Nothing was sent; use push-else-publish to publish instead`,
      },
    });
  };

  const platforms = [...new Set(selected.map((account) => account.platform))];
  for (const platform of platforms) {
    const adapter = adapters.get(platform);
    const onPlatform = selected.filter((account) => account.platform === platform);
    const lead = resolved.accountById.get(`${hall.lead}/${platform}`);
    if (mode === 'relay' && adapter?.limits.supportsRelay === true && lead !== undefined) {
      const leadEntry = entry(lead, 'post');
      deliveries.push(leadEntry);
      for (const account of onPlatform) {
        if (account.id !== lead.id)
          deliveries.push(entry(account, 'relay', { dependsOn: leadEntry.id }));
      }
    } else {
      for (const account of onPlatform) deliveries.push(original(account));
    }
  }
  return { campaignId, mode, deliveries };
}
