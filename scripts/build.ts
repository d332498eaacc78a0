/**
 * `npm run build`: the production build, into dist/ (after the SDK's own build, which package.json runs
 * first). The layout mirrors the repository, so code that finds files relative to itself finds them in the
 * same place compiled:
 *
 *   dist/server/src/main.js   a server node         (node dist/server/src/main.js)
 *   dist/worker/src/main.js   a worker              (node dist/worker/src/main.js)
 *   dist/scripts/start.js     both, like npm start  (npm run start:prod)
 *   dist/core/src/**\/*.lua   the Lua scripts, next to their compiled feature (core/src/redis/scripts.ts reads them there)
 *   dist/web/dist/            the pages and the widget (server/src/http/web.ts reads them at ../../../web/dist)
 *
 * Compiled code is run without the `@stickyroom/source` condition, so `@stickyroom/sdk` resolves to the SDK's
 * built dist, as it would for anyone who installs the package.
 */
import { spawnSync } from 'node:child_process';
import { cp, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb } from './build-web.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');

await rm(out, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  process.stderr.write('stickyroom build: tsc failed (see above)\n');
  process.exit(1);
}

/** Every Lua file (scripts, includes, preludes) under core/src, copied to the same place under dist/. */
async function copyLua(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) n += await copyLua(path);
    else if (entry.name.endsWith('.lua')) {
      await cp(path, join(out, relative(root, path)));
      n++;
    }
  }
  return n;
}
const lua = await copyLua(join(root, 'core/src'));

const manifest = await buildWeb(join(out, 'web/dist'));

process.stdout.write(`stickyroom build: dist/ holds the compiled server, worker and launcher, ${lua} Lua files and ${Object.keys(manifest).length} web entries\n`);
