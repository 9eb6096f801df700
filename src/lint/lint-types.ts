/**
 * The shapes of the statement linter: findings, and the renditions it checks.
 */
import type { Rendition } from '../adapter.js';
import type { Hall } from '../model/hall.js';
import type { ProfilesByPlatform } from '../render/fit-profile.js';
import type { PlannedDelivery } from '../run/types.js';
import type { DiscouragedEntry } from './discouraged-phrases.js';
import type { LintSettingsInput } from './lint-settings.js';

/** How serious a finding is: an `error` should stop publication, a `warning` asks for a look. */
export type LintSeverity = 'error' | 'warning';

/** Every rule of the linter. */
export const LINT_RULES = [
  'invalid-statement',
  'rebuttal-missing-rumor',
  'rebuttal-missing-facts',
  'rebuttal-missing-source',
  'missing-issuer',
  'missing-time',
  'missing-reference',
  'key-fact-not-in-text',
  'key-fact-inconsistent',
  'number-mismatch',
  'topic-on-share-only',
  'link-outside-safe-domain',
  'discouraged-phrase',
  'rendition-over-limit',
] as const;

/** A rule of the linter. */
export type LintRule = (typeof LINT_RULES)[number];

/** One finding: what is wrong, where, and how to fix it. */
export interface LintFinding {
  readonly severity: LintSeverity;
  readonly rule: LintRule;
  /** Where: a statement field (`facts[1]`), a hall field, or `renditions[<account id>].text`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
  /** The account whose rendition the finding is about, if any. */
  readonly accountId?: string;
  /**
   * The words of the text the finding is about, when it points at some (a discouraged phrase, a
   * link off the hall's site, a `#topic#`), so a page can mark them where they stand.
   */
  readonly phrase?: string;
}

/** The result of `lintStatement`. */
export interface LintResult {
  /** Errors first, then warnings, each in the order the rules ran. */
  readonly findings: readonly LintFinding[];
  readonly errors: number;
  readonly warnings: number;
  /** True when there is no error. */
  readonly ok: boolean;
}

/**
 * A rendition to check, as planned for one account. A planned delivery (`plan.deliveries[i]`)
 * has this shape.
 */
export interface LintRendition {
  readonly accountId: string;
  readonly platform: string;
  readonly memberId?: string;
  /**
   * Only posts carry the statement: relay comments (and any other action) are skipped by the
   * key-fact check. @default 'post'
   */
  readonly action?: PlannedDelivery['action'];
  readonly rendition: Rendition;
}

/** Options of `lintStatement`. */
export interface LintOptions {
  /** The hall: its `site.domain` for the link rule, its members' names, its `lint` settings. */
  readonly hall?: Hall;
  /** The renditions planned for each account (a plan's deliveries), for the cross-account checks. */
  readonly renditions?: readonly LintRendition[];
  /** Limits by platform: adapters, their `limits`, or text profiles (a `Map` or an object). */
  readonly profiles?: ProfilesByPlatform;
  /**
   * The discouraged phrases. Replaces the defaults; extend them with
   * `[...DEFAULT_DISCOURAGED_PHRASES, '新短语']`.
   * @default DEFAULT_DISCOURAGED_PHRASES
   */
  readonly discouraged?: readonly DiscouragedEntry[];
  /**
   * Hall-level settings: phrases discouraged on top of `discouraged`, rules switched off, rules
   * with another severity. Given here, they are checked (`INVALID_INPUT` naming the path) and
   * take the place of the hall's.
   * @default hall.lint
   */
  readonly settings?: LintSettingsInput;
}
