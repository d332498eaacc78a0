/**
 * Builds the pages and the widget (web/) and the SDK's browser bundle into web/dist: minified ESM,
 * file names fingerprinted by content, and web/dist/manifest.json mapping each entry to its file, which the
 * server reads. `npm start` and `npm test` run it first; `npm run build:web` on demand.
 */
import { access, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_DIST = join(root, 'web', 'dist');

/** Entry name (what the server asks for) → source. */
const ENTRIES = {
  widget: 'web/widget/index.ts',
  console: 'web/console/index.ts',
  demo: 'web/demo/index.ts',
  dashboard: 'web/dashboard/index.ts',
  sdk: 'client-sdk/src/index.ts',
  page: 'web/pages/page.css',
} as const;

export type WebManifest = Record<string, { file: string; bytes: number; gzip: number }>;

export async function buildWeb(outdir = WEB_DIST): Promise<WebManifest> {
  const entryPoints: Record<string, string> = {};
  for (const [name, src] of Object.entries(ENTRIES)) {
    if (await exists(join(root, src))) entryPoints[name] = join(root, src);
  }
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // the SDK from its source, like everything inside the repo (no build of client-sdk needed first)
    conditions: ['@stickyroom/source'],
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    entryNames: '[name]-[hash]',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  // Files appear whole (written aside, then renamed) and a running server keeps finding the ones its
  // manifest names, so a build while a server or another build runs is harmless.
  const contents = new Map(result.outputFiles.map((f) => [basename(f.path), f.contents]));
  const manifest: WebManifest = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = Object.entries(entryPoints).find(([, src]) => src.endsWith(meta.entryPoint!))?.[0];
    const file = basename(out);
    const bytes = contents.get(file);
    if (!name || !bytes) continue;
    if (!(await exists(join(outdir, file)))) await writeWhole(join(outdir, file), bytes);
    manifest[name] = { file, bytes: bytes.length, gzip: gzipSync(bytes).length };
  }
  await writeWhole(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await pruneOld(outdir, new Set(Object.values(manifest).map((m) => m.file)));
  return manifest;
}

async function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Earlier builds' files, once nobody can still be loading them (an hour). */
async function pruneOld(outdir: string, keep: Set<string>): Promise<void> {
  const hourAgo = Date.now() - 3600_000;
  for (const name of await readdir(outdir)) {
    if (keep.has(name) || name === 'manifest.json') continue;
    const path = join(outdir, name);
    if ((await stat(path)).mtimeMs < hourAgo) await rm(path, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const manifest = await buildWeb();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  for (const [name, m] of Object.entries(manifest)) {
    process.stdout.write(`${name.padEnd(10)} ${m.file.padEnd(28)} ${kb(m.bytes).padStart(9)}  gzip ${kb(m.gzip)}\n`);
  }
}
