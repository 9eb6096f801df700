/**
 * Checking an emergency template as read from its file: the schema, then what the schema cannot
 * say (a placeholder naming no field, an optional field without a default, a default that fails
 * its own check). Every problem is named at once, with its place in the file.
 */
import { type InputIssue, invalidInput } from '../errors.js';
import { issuesFromZod } from '../model/issues.js';
import { checkValue } from './check-value.js';
import { formatAllowed, placeholdersOf, strayBraces } from './placeholders.js';
import {
  type EmergencyTemplate,
  type EmergencyTemplateField,
  emergencyTemplateSchema,
} from './template-schema.js';

function fieldIssues(field: EmergencyTemplateField, index: number): InputIssue[] {
  const path = `fields[${index}]`;
  const issues: InputIssue[] = [];
  if (field.required && field.default !== undefined) {
    issues.push({
      path: `${path}.default`,
      message: `field "${field.name}" is required and has a default: drop the default or set required: false`,
    });
  }
  if (!field.required && field.default === undefined) {
    issues.push({
      path: `${path}.default`,
      message: `optional field "${field.name}" has no default: give one ("" leaves out a statement part that is only this field)`,
    });
  }
  if ((field.type === 'choice') !== (field.choices !== undefined)) {
    issues.push({
      path: `${path}.choices`,
      message:
        field.type === 'choice'
          ? `field "${field.name}" is a choice without choices: list them`
          : `field "${field.name}" has choices but is of type ${field.type}: set type: choice or drop them`,
    });
  }
  const example = checkValue(field, field.example);
  if (!example.ok) {
    issues.push({ path: `${path}.example`, message: `the example ${example.problem}` });
  }
  const isNow = field.type === 'time' && field.default === 'now';
  if (field.default !== undefined && field.default !== '' && !isNow) {
    const checked = checkValue(field, field.default);
    if (!checked.ok) {
      issues.push({ path: `${path}.default`, message: `the default ${checked.problem}` });
    }
  }
  return issues;
}

function statementIssues(template: EmergencyTemplate): InputIssue[] {
  const issues: InputIssue[] = [];
  const fields = new Map(template.fields.map((field) => [field.name, field]));
  const used = new Set<string>();
  for (const [key, value] of Object.entries(template.statement)) {
    const texts =
      typeof value === 'string'
        ? [{ path: `statement.${key}`, text: value }]
        : Array.isArray(value)
          ? value.map((text, index) => ({ path: `statement.${key}[${index}]`, text }))
          : [];
    for (const { path, text } of texts) {
      if (strayBraces(text)) {
        issues.push({
          path,
          message: 'holds "{{" or "}}" that is not a placeholder: write placeholders as {{field}}',
        });
      }
      for (const { name, format } of placeholdersOf(text)) {
        used.add(name);
        const field = fields.get(name);
        if (field === undefined) {
          issues.push({
            path,
            message: `placeholder {{${name}}} names no field: declare "${name}" under fields or correct the name`,
          });
        } else if (!formatAllowed(field.type, format)) {
          issues.push({
            path,
            message: `{{${name}|${format}}}: a ${field.type} field takes no format (a time takes short, full or iso)`,
          });
        }
      }
    }
  }
  template.fields.forEach((field, index) => {
    if (!used.has(field.name)) {
      issues.push({
        path: `fields[${index}].name`,
        message: `field "${field.name}" is used by no placeholder of the statement: use it or remove it`,
      });
    }
  });
  return issues;
}

/**
 * Checks an emergency template (already parsed from YAML or JSON). Throws `INVALID_INPUT` naming
 * every problem.
 *
 * @param input - the parsed template file
 * @param source - where it was read from, for messages and `template.source`
 */
export function parseEmergencyTemplate(input: unknown, source?: string): EmergencyTemplate {
  const subject = source === undefined ? 'emergency template' : `emergency template ${source}`;
  const parsed = emergencyTemplateSchema.safeParse(input);
  if (!parsed.success) throw invalidInput(subject, issuesFromZod(parsed.error, input));
  const template: EmergencyTemplate = {
    ...parsed.data,
    ...(source === undefined ? {} : { source }),
  };
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  template.fields.forEach((field, index) => {
    if (seen.has(field.name)) {
      issues.push({
        path: `fields[${index}].name`,
        message: `field "${field.name}" is declared twice: give each field its own name`,
      });
    }
    seen.add(field.name);
    issues.push(...fieldIssues(field, index));
  });
  issues.push(...statementIssues(template));
  if (issues.length > 0) throw invalidInput(subject, issues);
  return template;
}
