/**
 * `release-hall new`: write a statement from an emergency template and the values given. The
 * statement is linted before it is written, so a template never yields what publish would refuse.
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import {
  type EmergencyTemplate,
  type InputIssue,
  type StatementInput,
  fillEmergencyTemplate,
  lintStatement,
  listEmergencyTemplates,
  loadEmergencyTemplate,
} from 'release-hall';
import { invalidInput } from 'release-hall/adapter-kit';
import type { NewFlags } from '../flags.js';

/** The `--set key=value` pairs as values by field, or the issues with them. */
export function parseSetFlags(
  pairs: readonly string[],
  issuer: string | undefined,
): { values: Record<string, string>; issues: InputIssue[] } {
  const values: Record<string, string> = {};
  const issues: InputIssue[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at === -1 ? '' : pair.slice(0, at).trim();
    if (key === '') {
      issues.push({
        path: `--set ${pair}`,
        message: 'expected key=value, e.g. --set magnitude=4.5',
      });
      continue;
    }
    const value = pair.slice(at + 1);
    if (values[key] !== undefined && values[key] !== value) {
      issues.push({ path: key, message: 'given twice with different values: give it once' });
      continue;
    }
    values[key] = value;
  }
  if (issuer !== undefined) {
    if (values.issuer !== undefined && values.issuer !== issuer) {
      issues.push({
        path: 'issuer',
        message: '--issuer and --set issuer= say different things: give one of them',
      });
    } else values.issuer = issuer;
  }
  return { values, issues };
}

function describeTemplates(templates: readonly EmergencyTemplate[], own?: string): string {
  const lines: string[] = [];
  for (const template of templates) {
    // A press office's own template says where it is; a shipped one needs no path.
    const mine = own !== undefined && template.source?.startsWith(own) === true;
    lines.push(`${template.kind}  ${template.title}${mine ? `  (${template.source})` : ''}`);
    const required = template.fields.filter((field) => field.required);
    const optional = template.fields.filter((field) => !field.required);
    lines.push(
      `  required: ${required.map((field) => `${field.name} (${field.description})`).join(', ')}`,
    );
    if (optional.length > 0) {
      lines.push(
        `  optional: ${optional
          .map(
            (field) =>
              `${field.name}${field.default === undefined || field.default === '' ? '' : ` = ${field.default}`}`,
          )
          .join(', ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function listJson(templates: readonly EmergencyTemplate[]): string {
  const shown = templates.map((template) => ({
    kind: template.kind,
    title: template.title,
    description: template.description,
    source: template.source,
    fields: template.fields,
  }));
  return `${JSON.stringify(shown, null, 2)}\n`;
}

/** Writes the file, refusing to replace one that exists unless forced. */
async function writeStatement(path: string, text: string, force: boolean): Promise<void> {
  try {
    await writeFile(path, text, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw invalidInput('output', [
      {
        path,
        message:
          code === 'EEXIST'
            ? 'the file exists: choose another name, or add --force to replace it'
            : code === 'ENOENT'
              ? 'its folder does not exist: create it first'
              : `cannot write the file (${code ?? 'error'})`,
      },
    ]);
  }
}

/**
 * The statement as file text. YAML is written for YAML 1.1 readers too: a value such a reader
 * would take for a time, a number or a boolean is quoted.
 */
export function serialiseStatement(statement: StatementInput, json: boolean): string {
  return json
    ? `${JSON.stringify(statement, null, 2)}\n`
    : stringify(statement, { lineWidth: 0, version: '1.1' });
}

export async function newCommand(kind: string | undefined, flags: NewFlags): Promise<number> {
  const search = flags.templates === undefined ? {} : { directory: flags.templates };
  if (flags.list) {
    const templates = await listEmergencyTemplates(search);
    process.stdout.write(
      flags.json ? listJson(templates) : describeTemplates(templates, flags.templates),
    );
    return 0;
  }
  if (kind === undefined) {
    throw invalidInput('command', [
      {
        path: 'kind',
        message:
          'name a template kind, e.g. release-hall new earthquake (release-hall new --list shows them)',
      },
    ]);
  }
  const { values, issues } = parseSetFlags(flags.set ?? [], flags.issuer);
  if (issues.length > 0) throw invalidInput('--set values', issues);
  const template = await loadEmergencyTemplate(kind, search);
  const statement = fillEmergencyTemplate(template, values);

  const lint = lintStatement(statement);
  if (!lint.ok) {
    throw invalidInput(
      `statement produced by the ${template.kind} template (publish would refuse it; correct the values or the template)`,
      lint.findings
        .filter((finding) => finding.severity === 'error')
        .map((finding) => ({
          path: finding.path,
          message: `${finding.message} (fix: ${finding.fix})`,
        })),
    );
  }
  for (const finding of lint.findings) {
    process.stderr.write(`warning ${finding.path}: ${finding.message} (fix: ${finding.fix})\n`);
  }

  const json = flags.json === true || /\.json$/iu.test(flags.output ?? '');
  const text = serialiseStatement(statement, json);
  if (flags.output === undefined) {
    process.stdout.write(text);
    return 0;
  }
  await writeStatement(flags.output, text, flags.force === true);
  process.stdout.write(
    `${flags.output}: ${template.kind} statement "${statement.headline}" written (lint: 0 errors, ${lint.warnings} warnings)\n`,
  );
  return 0;
}
