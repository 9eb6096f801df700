/**
 * The mass-send ("push") quota of a WeChat account, as a pure calculator (platforms.md §1.6).
 *
 * - a verified subscription account: one push per calendar day, to all or to one tag;
 * - a verified service account: four pushes per calendar month (each follower receives at most
 *   four mass messages a month, web console and API together).
 *
 * Days and months are Asia/Shanghai calendar periods. Whether these quotas changed recently (for
 * example for service accounts) is [unconfirmed]: the values are overridable per account, and the
 * live quota can be read from the MP console or `openapi/quota/get`.
 *
 * No I/O here: the caller (the core journal, later) stores the pushes and asks this module what is
 * left at a given time.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, format, startOfDay, startOfMonth } from 'date-fns';

/** The time zone of WeChat's calendar quotas. */
export const WECHAT_QUOTA_TIME_ZONE = 'Asia/Shanghai';

/** The kind of an Official Account; `kind` is a base account field in the hall file. */
export type WechatAccountKind = 'subscription' | 'service';

/** A quota: so many pushes (to all or to a tag) per calendar period. */
export interface PushQuotaRule {
  readonly period: 'day' | 'month';
  /** Pushes allowed per period (0 blocks pushing). */
  readonly pushes: number;
}

/** The documented defaults (§1.6). */
export const DEFAULT_PUSH_QUOTAS: Readonly<Record<WechatAccountKind, PushQuotaRule>> = {
  subscription: { period: 'day', pushes: 1 },
  service: { period: 'month', pushes: 4 },
};

/** A push already made (or attempted) by the account. */
export interface PushRecord {
  /** When it was submitted. */
  readonly at: Date | number | string;
  /**
   * Sent to all followers; `false` for a push to a tag. Both count: a subscription account's
   * one push a day is "to all or to one tag", and a service account's followers receive at most
   * four mass messages a month whoever the send was addressed to (§1.6). A tag push stays out of
   * the history list, but the ledger counts it against the account as a whole [derived: the
   * safe side, since it does not know which followers a tag reaches]. @default true
   */
  readonly toAll?: boolean;
  /**
   * WeChat refused it before it was taken (`45028`, `45009`, a bad request): it used no quota.
   * A send that was taken and then failed (admin refused, review) counts: whether it gives the
   * quota back is [unconfirmed], so the ledger stays on the safe side. @default false
   */
  readonly refused?: boolean;
}

/** What the ledger says about one account at one time. */
export interface PushQuotaStatus {
  readonly rule: PushQuotaRule;
  /** The calendar period of `at`: `2026-11-27` (day) or `2026-11` (month), Shanghai time. */
  readonly periodKey: string;
  /** Start of the period (inclusive), as an instant. */
  readonly periodStart: Date;
  /** Start of the next period, when the quota is back. */
  readonly resetsAt: Date;
  /** Counted pushes in the period. */
  readonly used: number;
  /** Pushes left in the period (never negative). */
  readonly left: number;
}

function instant(value: Date | number | string): number {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`expected a time, got ${String(value)}`);
  return ms;
}

function shanghai(ms: number): TZDate {
  return new TZDate(ms, WECHAT_QUOTA_TIME_ZONE);
}

/**
 * The quota rule of an account: the default of its kind with the account's overrides.
 * An account without a kind is treated as a subscription account, the stricter rule. [derived]
 */
export function pushQuotaRule(
  kind: WechatAccountKind | undefined,
  override: Partial<PushQuotaRule> = {},
): PushQuotaRule {
  const base = DEFAULT_PUSH_QUOTAS[kind ?? 'subscription'];
  const pushes = override.pushes ?? base.pushes;
  if (!Number.isInteger(pushes) || pushes < 0) {
    throw new RangeError(`expected a whole number of pushes ≥ 0, got ${String(pushes)}`);
  }
  return { period: override.period ?? base.period, pushes };
}

/** The calendar period of a time in Shanghai: `2026-11-27` for a day, `2026-11` for a month. */
export function quotaPeriodKey(
  period: PushQuotaRule['period'],
  at: Date | number | string,
): string {
  return format(shanghai(instant(at)), period === 'day' ? 'yyyy-MM-dd' : 'yyyy-MM');
}

/** Start (inclusive) and end (exclusive) of the Shanghai calendar period holding `at`. */
export function quotaPeriodBounds(
  period: PushQuotaRule['period'],
  at: Date | number | string,
): { readonly start: Date; readonly end: Date } {
  const local = shanghai(instant(at));
  const start = period === 'day' ? startOfDay(local) : startOfMonth(local);
  const end = period === 'day' ? addDays(start, 1) : addMonths(start, 1);
  return { start: new Date(start.getTime()), end: new Date(end.getTime()) };
}

/**
 * How many pushes are left at time `at`, given the account's past pushes.
 *
 * @example
 * pushesLeft({ kind: 'subscription', at: '2026-11-26T16:30:00Z', pushes: [{ at: '2026-11-26T15:00:00Z' }] })
 * // → left 1: 16:30Z is already 11-27 in Shanghai, the 15:00Z push was on 11-26
 */
export function pushesLeft(input: {
  readonly kind: WechatAccountKind | undefined;
  readonly at: Date | number | string;
  readonly pushes: readonly PushRecord[];
  readonly override?: Partial<PushQuotaRule> | undefined;
}): PushQuotaStatus {
  const rule = pushQuotaRule(input.kind, input.override);
  const at = instant(input.at);
  const { start, end } = quotaPeriodBounds(rule.period, at);
  const used = input.pushes.filter((push) => {
    if (push.refused === true) return false;
    const when = instant(push.at);
    return when >= start.getTime() && when < end.getTime();
  }).length;
  return {
    rule,
    periodKey: quotaPeriodKey(rule.period, at),
    periodStart: start,
    resetsAt: end,
    used,
    left: Math.max(0, rule.pushes - used),
  };
}

/**
 * Whether a push may be made now. A routine statement never spends the last push of the period
 * unless the caller allows it (`spendLast`); the planner passes `spendLast` for crisis urgency.
 */
export function mayPush(
  status: PushQuotaStatus,
  options: { readonly spendLast?: boolean } = {},
): { readonly allowed: boolean; readonly reason: string } {
  const period = status.rule.period === 'day' ? 'day' : 'month';
  if (status.left === 0) {
    return {
      allowed: false,
      reason: `no push left this ${period} (${status.used} of ${status.rule.pushes} used in ${status.periodKey}, Asia/Shanghai); the quota is back at ${status.resetsAt.toISOString()}`,
    };
  }
  if (status.left === 1 && options.spendLast !== true) {
    return {
      allowed: false,
      reason: `only the last push of this ${period} is left (${status.periodKey}, Asia/Shanghai); a routine statement does not spend it`,
    };
  }
  return {
    allowed: true,
    reason: `${status.left} of ${status.rule.pushes} pushes left this ${period}`,
  };
}
