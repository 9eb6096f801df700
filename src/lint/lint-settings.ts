/**
 * A hall's own lint settings (the `lint` block of the hall file): phrases it discourages on top of
 * the built-in list, rules it switches off, and rules whose severity it raises or lowers. Every
 * statement linted for the hall — `release-hall lint --hall`, `preview`, the publish gate — is
 * linted with them.
 */
import { z } from 'zod';
import { invalidInput } from '../errors.js';
import { issuesFromZod } from '../model/issues.js';
import { safeText } from '../model/text.js';
import type { DiscouragedPhrase } from './discouraged-phrases.js';
import { LINT_RULES, type LintRule, type LintSeverity } from './lint-types.js';

/**
 * The rule a hall may not switch off or lower: what the statement schema refuses, publish refuses
 * whatever the linter says.
 */
const FIXED_RULE = 'invalid-statement';

/** The rules a hall may switch off or give another severity. */
export const CONFIGURABLE_LINT_RULES: readonly LintRule[] = LINT_RULES.filter(
  (rule) => rule !== FIXED_RULE,
);

/** The most phrases a hall may add: each one is looked for in every text the linter reads. */
export const MAX_HALL_PHRASES = 500;
/** The longest phrase a hall may add, in characters. */
export const MAX_PHRASE_CHARACTERS = 100;

const isRule = (value: string): value is LintRule =>
  (LINT_RULES as readonly string[]).includes(value);

/** Why `value` is not a rule a hall may set, or undefined when it is one. */
function ruleProblem(value: string): string | undefined {
  if (value === FIXED_RULE) {
    return `expected a rule a hall can set, got "${FIXED_RULE}": publish refuses what the statement schema refuses, whatever the linter says`;
  }
  if (isRule(value)) return undefined;
  const close =
    value.length < 3
      ? undefined
      : CONFIGURABLE_LINT_RULES.find((rule) => rule.startsWith(value) || value.startsWith(rule));
  return `expected a rule of the linter, got ${JSON.stringify(value)}${close === undefined ? '' : ` (did you mean "${close}"?)`}; the rules: ${CONFIGURABLE_LINT_RULES.join(', ')}`;
}

/** Refuses an entry listed twice, naming where it was first. */
function refuseRepeats(
  values: readonly string[],
  where: (index: number) => string,
  context: z.RefinementCtx,
  path: (index: number) => PropertyKey[] = (index) => [index],
): void {
  const first = new Map<string, number>();
  values.forEach((value, index) => {
    const seen = first.get(value);
    if (seen === undefined) first.set(value, index);
    else {
      context.addIssue({
        code: 'custom',
        path: path(index),
        message: `already listed at ${where(seen)} (keep one entry)`,
      });
    }
  });
}

/** One phrase a hall discourages, as written in the hall file. */
const hallPhraseSchema = z.strictObject({
  /** The phrase, looked for as written (not a pattern), like the built-in phrases. */
  phrase: z
    .string()
    .trim()
    .pipe(
      safeText(MAX_PHRASE_CHARACTERS, 0).refine((phrase) => phrase !== '', {
        message: 'expected a phrase to look for, got an empty one',
      }),
    ),
  /** What to write instead: the finding's fix. */
  suggestion: safeText(500).optional(),
  /** Why it is discouraged, in a few words: the finding's message. */
  reason: safeText(200).optional(),
  /** @default 'by-urgency' (an error in a crisis statement, a warning otherwise) */
  severity: z.enum(['error', 'warning', 'by-urgency']).optional(),
});

/** The `lint` settings of a hall. */
export const lintSettingsSchema = z
  .strictObject({
    /** Phrases discouraged on top of the built-in list. */
    discouragedPhrases: z
      .array(hallPhraseSchema)
      .max(MAX_HALL_PHRASES, `expected at most ${MAX_HALL_PHRASES} phrases`)
      .superRefine((phrases, context) =>
        refuseRepeats(
          phrases.map((entry) => entry.phrase),
          (index) => `lint.discouragedPhrases[${index}]`,
          context,
          (index) => [index, 'phrase'],
        ),
      )
      .default([]),
    /** Rules switched off: they report nothing for this hall. */
    off: z
      .array(z.string())
      .superRefine((rules, context) => {
        rules.forEach((rule, index) => {
          const problem = ruleProblem(rule);
          if (problem !== undefined) {
            context.addIssue({ code: 'custom', path: [index], message: problem });
          }
        });
        refuseRepeats(rules, (index) => `lint.off[${index}]`, context);
      })
      .default([]),
    /** Rules reported with another severity than their own. */
    severity: z
      .record(z.string(), z.enum(['error', 'warning']))
      .superRefine(
        (severities, context) => {
          for (const rule of Object.keys(severities)) {
            const problem = ruleProblem(rule);
            if (problem !== undefined) {
              context.addIssue({ code: 'custom', path: [rule], message: problem });
            }
          }
        },
        // The rule names are told even when a severity is wrong too.
        { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
      )
      .default({}),
  })
  .superRefine((settings, context) => {
    settings.off.forEach((rule, index) => {
      if (Object.hasOwn(settings.severity, rule) && ruleProblem(rule) === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['severity', rule],
          message: `"${rule}" is switched off at lint.off[${index}], got a severity for it too: keep one of the two`,
        });
      }
    });
  });

/** The `lint` settings of a hall, as written. */
export type LintSettingsInput = z.input<typeof lintSettingsSchema>;
/** The `lint` settings of a hall, checked. */
export type LintSettings = z.output<typeof lintSettingsSchema>;

/** Lint settings ready for a lint run. */
export interface ResolvedLintSettings {
  /** The hall's phrases in the linter's form. */
  readonly phrases: readonly DiscouragedPhrase[];
  readonly off: ReadonlySet<LintRule>;
  readonly severity: ReadonlyMap<LintRule, LintSeverity>;
}

/** No settings: every rule on, at its own severity, no extra phrase. */
export const NO_LINT_SETTINGS: ResolvedLintSettings = {
  phrases: [],
  off: new Set(),
  severity: new Map(),
};

/** A hall phrase in the linter's form. */
function toPhrase(entry: LintSettings['discouragedPhrases'][number]): DiscouragedPhrase {
  return {
    match: entry.phrase,
    reason: entry.reason ?? `"${entry.phrase}" is on the hall's list of discouraged phrases`,
    fix: entry.suggestion ?? `rephrase without "${entry.phrase}"`,
    ...(entry.severity === undefined ? {} : { severity: entry.severity }),
  };
}

/** Settings already checked (a hall's `lint`) made ready for a lint run. */
export function resolveLintSettings(settings: LintSettings | undefined): ResolvedLintSettings {
  if (settings === undefined) return NO_LINT_SETTINGS;
  return {
    phrases: settings.discouragedPhrases.map(toPhrase),
    off: new Set(settings.off.filter(isRule)),
    severity: new Map(
      Object.entries(settings.severity).flatMap(([rule, severity]) =>
        isRule(rule) ? [[rule, severity] as const] : [],
      ),
    ),
  };
}

/**
 * Checks settings given to `lintStatement` directly (a hall's are checked with the hall). Throws
 * `INVALID_INPUT` naming each problem's path (`lint.off[0]`).
 */
export function parseLintSettings(input: unknown): LintSettings {
  const parsed = lintSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw invalidInput('lint settings', issuesFromZod(parsed.error, input, ['lint']));
  }
  return parsed.data;
}

/**
 * The phrases a lint run looks for: `base` (the built-in list, or the one given to the linter)
 * with the hall's phrases added. A hall phrase written exactly like a plain phrase of `base`
 * takes its place (the hall's reason, suggestion and severity win); the others are added after.
 */
export function mergePhrases(
  base: readonly DiscouragedPhrase[],
  hall: readonly DiscouragedPhrase[],
): DiscouragedPhrase[] {
  if (hall.length === 0) return [...base];
  const byPhrase = new Map(hall.map((phrase) => [phrase.match as string, phrase]));
  const merged = base.map((phrase) => {
    if (typeof phrase.match !== 'string') return phrase;
    const replacement = byPhrase.get(phrase.match);
    if (replacement === undefined) return phrase;
    byPhrase.delete(phrase.match);
    return replacement;
  });
  return [...merged, ...byPhrase.values()];
}
