/**
 * The public surface: every name each subpath exports (values and types), snapshotted so the
 * surface changes only on purpose, and the promise that importing the core loads no native code.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { source: string }>;
};

/** Every subpath with its source entry. */
const entries = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
  typeof target === 'string' ? [] : [[subpath, join(root, target.source)] as const],
);

function exportedNames(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`not in the program: ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) return [];
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return `${symbol.name}${target.flags & ts.SymbolFlags.Value ? '' : ' (type)'}`;
    })
    .sort();
}

describe('public surface', () => {
  it('each subpath exports exactly the names in the snapshot', () => {
    const program = ts.createProgram(
      entries.map(([, file]) => file),
      {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        customConditions: ['source'],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
    );
    const surface = Object.fromEntries(
      entries.map(([subpath, file]) => [subpath, exportedNames(program, file)]),
    );
    expect(surface['.']?.length).toBeGreaterThan(50);
    expect(surface['.']).not.toContain('SqliteJournal');
    expect(surface['.']).not.toContain('httpCall');
    expect(surface['./journal/sqlite']).toContain('SqliteJournal');
    expect(surface['./adapter-kit']).toContain('httpCall');
    expect(surface['.']).not.toContain('RedisJournal');
    expect(surface['./journal/redis']).toContain('createRedisJournal');
    expect(surface['./redis']).toContain('createRedisRateWindows');
    expect(surface['./service']).toContain('createServiceApp');
    expect(surface['.']).not.toContain('createServiceApp');
    expect(surface['./adapters/wechat/redis-token-store']).toContain('createRedisTokenStore');
    expect(surface).toMatchSnapshot();
  });

  it('importing release-hall loads no native module (better-sqlite3) and no Redis client (ioredis); their subpaths do', async () => {
    const probe = (subpath: string, module: string): string => `
      const { default: Module } = await import('node:module');
      await import(${JSON.stringify(subpath)});
      console.log(JSON.stringify(Object.keys(Module._cache).filter((file) => file.includes(${JSON.stringify(`node_modules/${module}/`)}))));
    `;
    const run = async (subpath: string, module: string): Promise<string[]> => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          probe(subpath, module),
        ],
        { cwd: root },
      );
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[];
    };
    expect(await run('release-hall', 'better-sqlite3')).toEqual([]);
    expect(await run('release-hall', 'ioredis')).toEqual([]);
    expect(await run('release-hall/adapters/wechat', 'ioredis')).toEqual([]);
    expect((await run('release-hall/journal/sqlite', 'better-sqlite3')).length).toBeGreaterThan(0);
    expect((await run('release-hall/journal/redis', 'ioredis')).length).toBeGreaterThan(0);
  });
});
