/**
 * Finding emergency templates: the ones shipped in the package's `templates/` folder, and a press
 * office's own in a folder it names, which come first (a file of the same kind replaces the
 * shipped one).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidInput } from '../errors.js';
import { readDataFile } from '../model/load.js';
import { parseEmergencyTemplate } from './parse-template.js';
import { TEMPLATE_KIND, type EmergencyTemplate } from './template-schema.js';

/** Options of {@link listEmergencyTemplates} and {@link loadEmergencyTemplate}. */
export interface EmergencyTemplateSearchOptions {
  /** A folder of the press office's own templates (`<kind>.yaml`), looked in first. */
  readonly directory?: string;
  /**
   * Whether the shipped templates are looked in after `directory`.
   * @default true
   */
  readonly shipped?: boolean;
}

/** The package's own `templates/` folder, from the source or the built layout. */
export function shippedTemplatesDirectory(): string {
  for (const relative of ['../../templates/', '../../../templates/']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(path, 'earthquake.yaml'))) return path;
  }
  throw invalidInput('emergency templates', [
    {
      path: 'templates/',
      message:
        'the shipped templates folder is missing from this installation: reinstall the package',
    },
  ]);
}

function directories(options: EmergencyTemplateSearchOptions): string[] {
  const found: string[] = [];
  if (options.directory !== undefined) found.push(options.directory);
  if (options.shipped ?? true) found.push(shippedTemplatesDirectory());
  return found;
}

/** The `.yaml`/`.yml` files of a folder by kind; a folder that cannot be read is refused. */
async function templateFiles(directory: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw invalidInput('emergency templates', [
      {
        path: directory,
        message:
          code === 'ENOENT'
            ? 'folder not found: check the path'
            : `cannot read the folder (${code ?? 'error'})`,
      },
    ]);
  }
  const files = new Map<string, string>();
  for (const name of names.sort()) {
    const match = /^(.+)\.ya?ml$/u.exec(name);
    if (match?.[1] !== undefined && !files.has(match[1]))
      files.set(match[1], join(directory, name));
  }
  return files;
}

/** Reads and checks one template file; its `kind` must be its file name. */
export async function readEmergencyTemplate(path: string): Promise<EmergencyTemplate> {
  const template = parseEmergencyTemplate(await readDataFile(path, 'emergency template'), path);
  const name = /([^/\\]+)\.ya?ml$/u.exec(path)?.[1];
  if (name !== undefined && name !== template.kind) {
    throw invalidInput(`emergency template ${path}`, [
      {
        path: 'kind',
        message: `kind "${template.kind}" differs from the file name "${name}": name the file ${template.kind}.yaml`,
      },
    ]);
  }
  return template;
}

/**
 * Every template, by kind: the press office's own (`directory`) and the shipped ones, sorted by
 * kind. A template file that does not pass its checks is refused with its problems.
 */
export async function listEmergencyTemplates(
  options: EmergencyTemplateSearchOptions = {},
): Promise<EmergencyTemplate[]> {
  const byKind = new Map<string, string>();
  for (const directory of directories(options)) {
    for (const [kind, path] of await templateFiles(directory)) {
      if (!byKind.has(kind)) byKind.set(kind, path);
    }
  }
  const kinds = [...byKind.keys()].sort();
  return Promise.all(kinds.map((kind) => readEmergencyTemplate(byKind.get(kind) ?? '')));
}

/**
 * The template of one kind (`earthquake`), from `directory` first, then the shipped ones.
 *
 * @throws ReleaseHallError `INVALID_INPUT` for a kind no folder holds (naming those there are), or
 *   a template file that does not pass its checks
 */
export async function loadEmergencyTemplate(
  kind: string,
  options: EmergencyTemplateSearchOptions = {},
): Promise<EmergencyTemplate> {
  const known: string[] = [];
  if (TEMPLATE_KIND.test(kind)) {
    for (const directory of directories(options)) {
      const files = await templateFiles(directory);
      const path = files.get(kind);
      if (path !== undefined) return readEmergencyTemplate(path);
      known.push(...files.keys());
    }
  } else {
    for (const directory of directories(options))
      known.push(...(await templateFiles(directory)).keys());
  }
  throw invalidInput('emergency template', [
    {
      path: 'kind',
      message: `no template of kind ${JSON.stringify(kind)}: use one of ${[...new Set(known)].sort().join(', ') || '(none)'}`,
    },
  ]);
}
