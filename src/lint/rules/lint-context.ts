/**
 * What every rule of the statement linter reads: the statement as written, its text fields, and
 * the context (hall, planned renditions, platform profiles) the linter was given.
 */
import type { InputIssue } from '../../errors.js';
import { issuesFromZod } from '../../model/issues.js';
import type { Hall } from '../../model/hall.js';
import { type Statement, type StatementInput, statementSchema } from '../../model/statement.js';
import type { ProfilesByPlatform } from '../../render/fit-profile.js';
import {
  DEFAULT_DISCOURAGED_PHRASES,
  type DiscouragedPhrase,
  toDiscouragedPhrase,
} from '../discouraged-phrases.js';
import { type PhraseFinder, phraseFinder } from '../find-phrases.js';
import { type ResolvedLintSettings, mergePhrases } from '../lint-settings.js';
import type {
  LintFinding,
  LintOptions,
  LintRendition,
  LintRule,
  LintSeverity,
} from '../lint-types.js';

/** One text field of the statement and its path (`facts[1]`). */
export interface Field {
  readonly path: string;
  readonly text: string;
}

/** A statement as written, read defensively: a field of the wrong type counts as missing. */
export interface WrittenStatement {
  readonly kind: unknown;
  readonly headline?: string;
  readonly body?: string;
  readonly issuer?: string;
  readonly issuedAt?: string;
  readonly link?: string;
  readonly urgency: unknown;
  readonly rumor?: string;
  readonly facts?: readonly string[];
  readonly evidence?: string;
  readonly advice?: string;
  readonly refersTo?: string;
  readonly keyFacts: readonly string[];
  readonly topics: readonly string[];
}

/** What the rules know besides the statement. */
export interface LintContext {
  readonly hall: Hall | undefined;
  readonly profiles: ProfilesByPlatform | undefined;
  readonly renditions: readonly LintRendition[];
  /** The phrases to look for: the built-in list (or `discouraged`) and the hall's. */
  readonly discouraged: readonly DiscouragedPhrase[];
  /** Finds the phrases of `discouraged` in a text, by index in the list. */
  readonly findPhrases: PhraseFinder;
  /** The hall's settings: rules switched off, rules with another severity. */
  readonly settings: ResolvedLintSettings;
  /** The statement as the schema reads it, or undefined when it does not pass. */
  readonly parsed: Statement | undefined;
  /** What the schema refuses in the statement (publish would refuse the same). */
  readonly schemaIssues: readonly InputIssue[];
  /** The statement's own text fields; the rumor is quoted, so kept apart. */
  readonly fields: readonly Field[];
  /** Every text field and the rumor, one per line. */
  readonly allText: string;
}

/** One rule of the linter: the findings it has about a statement. */
export type StatementRule = (
  statement: WrittenStatement,
  context: LintContext,
) => readonly LintFinding[];

export const blank = (value: string | undefined): boolean =>
  value === undefined || value.trim() === '';

/** A finding; `accountId` when it is about one account's rendition. */
export function finding(
  severity: LintSeverity,
  rule: LintRule,
  path: string,
  message: string,
  fix: string,
  accountId?: string,
  phrase?: string,
): LintFinding {
  return {
    severity,
    rule,
    path,
    message,
    fix,
    ...(accountId === undefined ? {} : { accountId }),
    ...(phrase === undefined ? {} : { phrase }),
  };
}

/** Reads the statement's fields that have the expected type. */
export function readStatement(input: Readonly<Record<string, unknown>>): WrittenStatement {
  const text = (key: string): { readonly [key: string]: string } => {
    const value = input[key];
    return typeof value === 'string' ? { [key]: value } : {};
  };
  const texts = (value: unknown): string[] | undefined =>
    Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : undefined;
  const facts = texts(input.facts);
  return {
    kind: input.kind,
    urgency: input.urgency,
    ...text('headline'),
    ...text('body'),
    ...text('issuer'),
    ...text('issuedAt'),
    ...text('link'),
    ...text('rumor'),
    ...text('evidence'),
    ...text('advice'),
    ...text('refersTo'),
    ...(facts === undefined ? {} : { facts }),
    keyFacts: texts(input.keyFacts) ?? [],
    topics: texts(input.topics) ?? [],
  };
}

/** The statement's own text fields, with their paths. The rumor is quoted, so kept apart. */
function textFields(statement: WrittenStatement): Field[] {
  const fields: Field[] = [];
  const add = (path: string, text: string | undefined): void => {
    if (text !== undefined) fields.push({ path, text });
  };
  add('headline', statement.headline);
  add('body', statement.body);
  statement.facts?.forEach((fact, index) => add(`facts[${index}]`, fact));
  add('evidence', statement.evidence);
  add('advice', statement.advice);
  return fields;
}

/** The context of one lint run. */
export function lintContext(
  input: StatementInput | Readonly<Record<string, unknown>>,
  statement: WrittenStatement,
  options: LintOptions,
  settings: ResolvedLintSettings,
): LintContext {
  const parsed = statementSchema.safeParse(input);
  const fields = textFields(statement);
  const base = (options.discouraged ?? DEFAULT_DISCOURAGED_PHRASES).map(toDiscouragedPhrase);
  const discouraged = mergePhrases(base, settings.phrases);
  return {
    hall: options.hall,
    profiles: options.profiles,
    renditions: options.renditions ?? [],
    discouraged,
    findPhrases: phraseFinder(discouraged),
    settings,
    parsed: parsed.success ? parsed.data : undefined,
    schemaIssues: parsed.success ? [] : issuesFromZod(parsed.error, input),
    fields,
    allText: [...fields.map((field) => field.text), statement.rumor ?? ''].join('\n'),
  };
}
