/**
 * Builds a benchmark module into one plain JavaScript file (esbuild, the `source` condition, the
 * package's dependencies left as imports), so CPU and memory scenarios run in a plain Node process,
 * as compiled code runs in production: no TypeScript loader thread, no source-mapped stack traces.
 * Under tsx those add about 55 MB of RSS and a loader round trip to every error stack formatted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository root (child processes run from it). */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Where the bundles go: inside the repository, so their imports resolve from its node_modules. */
const outputDirectory = join(repositoryRoot, 'node_modules', '.cache', 'release-hall-bench');

const built = new Map<string, Promise<string>>();

/** The package's dependencies: resolved at run time, not bundled. */
function externalPackages(): string[] {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ];
}

/**
 * Bundles `tests/bench/<name>.ts` (once per process) and resolves with the path of the bundle.
 *
 * @param name - the module's file name without `.ts`, e.g. `scale-child`
 */
export function bundleScript(name: string): Promise<string> {
  let bundle = built.get(name);
  if (bundle === undefined) {
    const outfile = join(outputDirectory, `${name}.mjs`);
    bundle = build({
      entryPoints: [fileURLToPath(new URL(`./${name}.ts`, import.meta.url))],
      absWorkingDir: repositoryRoot,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['source'],
      external: externalPackages(),
      outfile,
      logLevel: 'warning',
    }).then(() => outfile);
    built.set(name, bundle);
  }
  return bundle;
}
