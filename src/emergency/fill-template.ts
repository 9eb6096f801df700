/**
 * Filling an emergency template: every value checked against its field, then the statement built
 * as data (never as text to be parsed again), so a value can only ever be the text of a field.
 */
import { type InputIssue, invalidInput } from '../errors.js';
import { issuesFromZod } from '../model/issues.js';
import { type StatementInput, statementSchema } from '../model/statement.js';
import { formatStatementTime } from '../render/format-time.js';
import { HALL_OFFSET, checkValue } from './check-value.js';
import { fillPlaceholders, onlyPlaceholders, placeholdersOf } from './placeholders.js';
import type { EmergencyTemplate, EmergencyTemplateField } from './template-schema.js';

/** The values of a template's fields, by field name (`{ magnitude: '5.2' }`). */
export type EmergencyTemplateValues = Readonly<Record<string, string | number | undefined>>;

/** Options of {@link fillEmergencyTemplate}. */
export interface FillEmergencyTemplateOptions {
  /**
   * The time a `default: now` field takes.
   * @default the time of the call
   */
  readonly now?: Date;
}

/** A time in Beijing, written with its offset: 2026-11-26T09:30:00+08:00. */
export function beijingIso(date: Date): string {
  const shifted = new Date(Math.floor(date.getTime() / 1000) * 1000 + 8 * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}${HALL_OFFSET}`;
}

/** A value shown in a message: quoted, one line, at most 60 characters. */
function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

const hint = (field: EmergencyTemplateField): string => `e.g. ${field.name}=${field.example}`;

/** Every field's value, or the issues that keep the template from being filled. */
function resolveValues(
  template: EmergencyTemplate,
  values: EmergencyTemplateValues,
  now: Date,
): { readonly resolved: Map<string, string>; readonly issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const resolved = new Map<string, string>();
  const names = new Set(template.fields.map((field) => field.name));
  for (const key of Object.keys(values)) {
    if (!names.has(key) && values[key] !== undefined) {
      issues.push({
        path: key,
        message: `not a field of the ${template.kind} template (its fields: ${[...names].join(', ')}): remove it or check the spelling`,
      });
    }
  }
  for (const field of template.fields) {
    const given = values[field.name];
    if (given === undefined) {
      if (field.required) {
        issues.push({
          path: field.name,
          message: `missing: ${field.description}; ${hint(field)}`,
        });
      } else if (field.default === 'now' && field.type === 'time') {
        resolved.set(field.name, beijingIso(now));
      } else if (field.default === undefined || field.default === '') {
        resolved.set(field.name, '');
      } else {
        const checked = checkValue(field, field.default);
        // The default passed this check when the template was read.
        resolved.set(field.name, checked.ok ? checked.value : field.default);
      }
      continue;
    }
    const typed = String(given);
    const checked = checkValue(field, typed);
    if (checked.ok) resolved.set(field.name, checked.value);
    else {
      issues.push({
        path: field.name,
        message: `${checked.problem}, got ${show(typed)} (${field.description}); ${hint(field)}`,
      });
    }
  }
  return { resolved, issues };
}

/**
 * Fills an emergency template with the values of its fields and returns the statement it
 * produces, as data ready to be written to a statement file or handed to a publisher.
 *
 * A value is trimmed, normalised to NFC and refused when it holds an invisible or reordering
 * character; a `text` value loses its closing full stop (the template writes the punctuation). A
 * statement field, or a list entry, that holds only placeholders of optional fields left empty
 * (and punctuation) is left out. A time is written 11月26日9时30分 in text (`{{time|full}}`: 2026年11月26日 9时30分;
 * `{{time|iso}}`: 2026-11-26T09:30:00+08:00).
 *
 * @throws ReleaseHallError `INVALID_INPUT` naming every missing required field (with its
 *   description and an example), every value that fails its check, and every value for a field the
 *   template does not have; or, for a template that produces what the statement schema refuses,
 *   each refused statement field.
 */
export function fillEmergencyTemplate(
  template: EmergencyTemplate,
  values: EmergencyTemplateValues,
  options: FillEmergencyTemplateOptions = {},
): StatementInput {
  const { resolved, issues } = resolveValues(template, values, options.now ?? new Date());
  if (issues.length > 0) throw invalidInput(`values for the ${template.kind} template`, issues);

  const types = new Map(template.fields.map((field) => [field.name, field.type]));
  const valueOf = (name: string, format: string | undefined): string => {
    const value = resolved.get(name) ?? '';
    if (types.get(name) !== 'time' || value === '' || format === 'iso') return value;
    return formatStatementTime(value, format === 'full' ? 'full' : 'short');
  };
  const fill = (text: string): string => fillPlaceholders(text, valueOf).normalize('NFC');
  const leftEmpty = (text: string): boolean =>
    onlyPlaceholders(text) &&
    placeholdersOf(text).every(({ name }) => (resolved.get(name) ?? '') === '');

  const statement: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template.statement)) {
    if (typeof value === 'number') statement[key] = value;
    else if (typeof value === 'string') {
      if (!leftEmpty(value)) statement[key] = fill(value);
    } else {
      const entries = value.filter((entry) => !leftEmpty(entry)).map(fill);
      if (entries.length > 0 || value.length === 0) statement[key] = entries;
    }
  }

  const checked = statementSchema.safeParse(statement);
  if (!checked.success) {
    throw invalidInput(
      `statement produced by the ${template.kind} template (correct the template)`,
      issuesFromZod(checked.error, statement, ['statement']),
    );
  }
  return statement as StatementInput;
}
