/**
 * The documentation is checked like code:
 *
 * - every ```ts / ```typescript block of README.md and docs/**\/*.md is type-checked against the
 *   package's own subpath exports (the `source` condition, as in tsconfig.json), so an example that
 *   imports a name from the wrong subpath, or calls something that does not exist, fails here;
 * - a block that is a fragment on purpose says so in its info string, with a reason:
 *   ```ts fragment: the reason
 *   and is reported as skipped with that reason;
 * - README.md stays a front door (at most 25,600 bytes), no table line is wider than 160
 *   characters, and every relative link points to a file (and heading) that exists.
 *
 * Blocks are written to `tests/.doc-blocks/` (git-ignored), two folders below the root like
 * `tests/adapters/`, so a block that imports `../../examples/…` resolves as the text says.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const blocksDir = join(root, 'tests', '.doc-blocks');

const README_MAX_BYTES = 25_600;
const TABLE_LINE_MAX = 160;

/** README.md and every markdown file under docs/, as paths relative to the root. */
function markdownFiles(): string[] {
  const found = ['README.md'];
  const walk = (folder: string): void => {
    for (const name of readdirSync(join(root, folder)).sort()) {
      const path = join(folder, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) found.push(path);
    }
  };
  try {
    walk('docs');
  } catch {
    // no docs/ yet
  }
  return found;
}

interface Fence {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly meta: string;
  readonly code: string;
}

/** The fenced code blocks of a markdown text (``` and ~~~, indented ones too). */
function fencesOf(file: string, text: string): Fence[] {
  const fences: Fence[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^( {0,3}|\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/u.exec(lines[index] ?? '');
    if (open === null) continue;
    const [, indent = '', marker = '```', lang = '', meta = ''] = open;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end += 1) {
      const line = lines[end] ?? '';
      const trimmed = line.trim();
      if (trimmed.startsWith(marker) && /^(`{3,}|~{3,})$/u.test(trimmed)) break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    fences.push({
      file,
      line: index + 1,
      lang: lang.toLowerCase(),
      meta: meta.trim(),
      code: body.join('\n'),
    });
    index = end;
  }
  return fences;
}

/** Every markdown line that is outside a code block, with its 1-based number. */
function proseLines(text: string): { line: number; text: string }[] {
  const result: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const marker = /^\s*(`{3,}|~{3,})/u.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) fence = marker;
    else if (fence !== undefined && marker !== undefined && line.trim().startsWith(fence))
      fence = undefined;
    else if (fence === undefined) result.push({ line: index + 1, text: line });
  });
  return result;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slugOf(heading: string): string {
  return heading
    .replace(/`([^`]*)`/gu, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/gu, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .replace(/ /gu, '-');
}

function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/u.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = slugOf(heading);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

const files = markdownFiles();
const texts = new Map(files.map((file) => [file, readFileSync(join(root, file), 'utf8')]));
const tsBlocks = files
  .flatMap((file) => fencesOf(file, texts.get(file) ?? ''))
  .filter((fence) => fence.lang === 'ts' || fence.lang === 'typescript');
const fragmentReason = (fence: Fence): string | undefined =>
  /^fragment\b:?\s*(.*)$/u.exec(fence.meta)?.[1];
const checked = tsBlocks.filter((fence) => fragmentReason(fence) === undefined);
const fragments = tsBlocks.filter((fence) => fragmentReason(fence) !== undefined);
const blockName = (fence: Fence): string => `${fence.file}:${fence.line}`;
const blockPath = (fence: Fence, index: number): string =>
  join(blocksDir, `${fence.file.replace(/[^A-Za-z0-9]+/gu, '-')}-${fence.line}-${index}.ts`);

describe('code blocks in README.md and docs/', () => {
  const diagnostics = new Map<string, string[]>();

  beforeAll(() => {
    rmSync(blocksDir, { recursive: true, force: true });
    mkdirSync(blocksDir, { recursive: true });
    const paths = checked.map((fence, index) => {
      const path = blockPath(fence, index);
      // `export {}` makes every block a module of its own (top-level await, no shared names).
      writeFileSync(path, `${fence.code}\nexport {};\n`);
      diagnostics.set(path, []);
      return path;
    });

    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (config === undefined) throw new Error('tsconfig.json could not be read');
    const program = ts.createProgram({
      rootNames: paths,
      options: {
        ...config.options,
        noEmit: true,
        declaration: false,
        sourceMap: false,
        incremental: false,
      },
    });
    const found = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...paths.flatMap((path) => {
        const source = program.getSourceFile(path);
        return source === undefined
          ? []
          : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
      }),
    ];
    for (const diagnostic of found) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const file = diagnostic.file?.fileName;
      const list = file === undefined ? undefined : diagnostics.get(resolve(file));
      const where =
        diagnostic.file !== undefined && diagnostic.start !== undefined
          ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
          : undefined;
      const text = `${where === undefined ? '' : `block line ${where.line + 1}: `}TS${diagnostic.code} ${message}`;
      if (list === undefined) for (const each of diagnostics.values()) each.push(text);
      else list.push(text);
    }
  }, 60_000);

  afterAll(() => {
    if (process.env.KEEP_DOC_BLOCKS === undefined)
      rmSync(blocksDir, { recursive: true, force: true });
  });

  it('finds the blocks to check', () => {
    expect(checked.length).toBeGreaterThan(5);
  });

  it.each(
    checked.map((fence, index) => ({ name: blockName(fence), path: blockPath(fence, index) })),
  )('$name compiles', ({ name, path }) => {
    const problems = diagnostics.get(path) ?? [];
    expect(
      problems,
      `${name} (written to ${relative(root, path)}):\n${problems.join('\n')}`,
    ).toEqual([]);
  });

  for (const fence of fragments) {
    const reason = fragmentReason(fence) ?? '';
    it(`${blockName(fence)} is marked as a fragment with a reason`, () => {
      expect(reason.length, `${blockName(fence)}: say why after "fragment:"`).toBeGreaterThan(0);
    });
    it.skip(`${blockName(fence)} is a fragment: ${reason}`, () => undefined);
  }
});

describe('markdown shape', () => {
  it(`README.md is at most ${README_MAX_BYTES} bytes`, () => {
    const bytes = Buffer.byteLength(texts.get('README.md') ?? '', 'utf8');
    expect(bytes, 'README.md is the front door: move long-form text to docs/').toBeLessThanOrEqual(
      README_MAX_BYTES,
    );
  });

  it(`no table line is wider than ${TABLE_LINE_MAX} characters`, () => {
    const wide = files.flatMap((file) =>
      proseLines(texts.get(file) ?? '')
        .filter(({ text }) => text.trimStart().startsWith('|') && [...text].length > TABLE_LINE_MAX)
        .map(({ line, text }) => `${file}:${line} (${[...text].length} characters)`),
    );
    expect(wide, 'text that does not fit a table cell goes in a list').toEqual([]);
  });

  it('every relative link points to an existing file and heading', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const { line, text } of proseLines(texts.get(file) ?? '')) {
        for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/gu)) {
          const target = match[1] ?? '';
          if (/^[a-z][a-z0-9+.-]*:/iu.test(target)) continue; // https:, mailto:
          const [pathPart = '', anchor] = target.split('#');
          const resolved =
            pathPart === ''
              ? join(root, file)
              : resolve(dirname(join(root, file)), decodeURI(pathPart));
          let exists = false;
          try {
            statSync(resolved);
            exists = true;
          } catch {
            broken.push(`${file}:${line}: ${target} (no such file)`);
          }
          if (!exists || anchor === undefined || !resolved.endsWith('.md')) continue;
          const anchors = anchorsOf(readFileSync(resolved, 'utf8'));
          if (!anchors.has(decodeURIComponent(anchor)))
            broken.push(`${file}:${line}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('README.md names the test command CI runs', () => {
    expect(texts.get('README.md')).toMatch(/^npm test\b/mu);
  });
});
