/**
 * Builds the SDK into dist/:
 *   dist/esm/      ES modules, one file per source file, with .d.ts
 *   dist/cjs/      CommonJS (its own package.json says so), with .d.ts read as CommonJS declarations
 *   dist/browser/stickyroom.js   one minified ES module for a page, socket.io-client included
 *
 * esbuild writes the JavaScript (a transpile per file takes milliseconds and needs no second tsc run per
 * module format); tsc writes only the declarations, from a config without the DOM lib, so a DOM type in
 * the SDK's public surface fails the build.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';

const sdk = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(sdk, 'dist');

/** The browser bundle's budget, socket.io-client included (issue 9). */
export const BROWSER_BUNDLE_BUDGET_GZIP = 45 * 1024;

/** The browser bundle: what a page loads with `<script type="module">`. */
export const browserBundle: BuildOptions & { entryPoints: string[] } = {
  entryPoints: [join(sdk, 'src/index.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  metafile: true,
};

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));

const files = (dir: string, suffix: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name));

const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;

/** What a program loads from the SDK at run time through one entry: the entry's files, dependencies left out. */
async function runtimeSize(entry: string, format: 'esm' | 'cjs'): Promise<{ raw: number; gzip: number; zod: boolean }> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format,
    platform: 'node',
    minify: true,
    write: false,
    metafile: true,
    packages: 'external',
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  const zod = Object.values(out.metafile.outputs).some((o) => o.imports.some((i) => i.path === 'zod' || i.path.startsWith('zod/')));
  return { raw: code.length, gzip: gzipSync(code).length, zod };
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(dist, { recursive: true, force: true });
  const entryPoints = sources(join(sdk, 'src'));
  const transpile: BuildOptions = { entryPoints, outbase: join(sdk, 'src'), bundle: false, platform: 'neutral', target: 'es2022', logLevel: 'warning' };
  await Promise.all([
    build({ ...transpile, format: 'esm', outdir: join(dist, 'esm') }),
    build({ ...transpile, format: 'cjs', outdir: join(dist, 'cjs') }),
  ]);
  writeFileSync(join(dist, 'cjs/package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(sdk, 'tsconfig.build.json')], { stdio: 'inherit' });
  // The same declarations under dist/cjs, where the package.json above makes TypeScript read them as CommonJS.
  for (const file of files(join(dist, 'esm'), '.d.ts')) {
    const to = join(dist, 'cjs', relative(join(dist, 'esm'), file));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(file, to);
  }

  const browser = await build({ ...browserBundle, outfile: join(dist, 'browser/stickyroom.js') });
  const bundle = readFileSync(join(dist, 'browser/stickyroom.js'));
  const gzip = gzipSync(bundle).length;
  const zodInBundle = Object.keys(browser.metafile?.inputs ?? {}).some((p) => p.includes('node_modules/zod/'));

  const rows: [string, { raw: number; gzip: number; zod: boolean }][] = [
    ['esm  @stickyroom/sdk', await runtimeSize(join(dist, 'esm/index.js'), 'esm')],
    ['cjs  @stickyroom/sdk', await runtimeSize(join(dist, 'cjs/index.js'), 'cjs')],
    ['esm  @stickyroom/sdk/protocol', await runtimeSize(join(dist, 'esm/protocol/index.js'), 'esm')],
    ['cjs  @stickyroom/sdk/protocol', await runtimeSize(join(dist, 'cjs/protocol/index.js'), 'cjs')],
  ];
  const lines = [
    `@stickyroom/sdk built in ${Date.now() - started} ms (sizes minified; dependencies not counted except in the browser bundle)`,
    ...rows.map(([name, s]) => `  ${name.padEnd(32)} ${kB(s.raw).padStart(9)}  ${kB(s.gzip).padStart(8)} gzip${s.zod ? '  (loads zod)' : ''}`),
    `  ${'browser/stickyroom.js'.padEnd(32)} ${kB(bundle.length).padStart(9)}  ${kB(gzip).padStart(8)} gzip  (socket.io-client included; budget ${kB(BROWSER_BUNDLE_BUDGET_GZIP)})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (zodInBundle) throw new Error('zod is in the browser bundle: a value import from a schema file reached the client');
  if (gzip > BROWSER_BUNDLE_BUDGET_GZIP) throw new Error(`the browser bundle is ${kB(gzip)} gzip, over its ${kB(BROWSER_BUNDLE_BUDGET_GZIP)} budget`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
