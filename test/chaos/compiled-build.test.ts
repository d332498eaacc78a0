import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient, type StickyroomClient } from '@stickyroom/sdk';
import { TokenService } from '../../core/src/identity/tokens.js';
import { runNode, type RunningProcess } from '../helpers/process.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * Production runs the compiled JavaScript of `npm run build` (dist/), with no tsx and without the
 * `@stickyroom/source` condition: the SDK resolves to its built dist, the Lua scripts and the web pages are
 * found next to the compiled code. This builds it (the SDK's dist comes from `npm run pretest`) and runs it.
 */
const prefix = uniquePrefix('dist');
const SECRET = 'compiled-build-secret-0123456789abcdef';
const tokens = new TokenService(SECRET);
const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, JWT_SECRET: SECRET, WEBHOOK_SECRET: 'compiled-build-webhook-0123456789abcdef', LOG_LEVEL: 'info' };
const dist = resolve('dist');
const running: RunningProcess[] = [];
const clients: StickyroomClient[] = [];
let cwd: string | undefined;

beforeAll(() => {
  const build = spawnSync(process.execPath, ['--conditions=@stickyroom/source', '--import', 'tsx', 'scripts/build.ts'], { encoding: 'utf8' });
  expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
}, 240_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(running.map((p) => p.stop()));
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  await dropPrefix(prefix);
});

function start(args: string[], extra: Record<string, string> = {}, dir?: string, base: Record<string, string> = env): RunningProcess {
  const p = runNode(args, { ...base, ...extra }, dir);
  running.push(p);
  return p;
}

describe('the compiled build (npm run build, node dist/...)', () => {
  it('lays out the entries, the Lua scripts beside their features, and the web pages', () => {
    for (const f of ['server/src/main.js', 'worker/src/main.js', 'scripts/start.js', 'core/src/redis/scripts/event-gate.prelude.lua', 'web/dist/manifest.json']) {
      expect(existsSync(join(dist, f)), f).toBe(true);
    }
    // compiled code imports the SDK by its package name, which (without the source condition) is its built dist
    expect(readFileSync(join(dist, 'core/src/identity/tokens.js'), 'utf8')).toMatch(/from '@stickyroom\/sdk\/protocol'/);
    const resolved = spawnSync(process.execPath, ['--input-type=module', '-e', "process.stdout.write(import.meta.resolve('@stickyroom/sdk/protocol'))"], { encoding: 'utf8', cwd: dist });
    expect(resolved.stdout).toMatch(/client-sdk\/dist\/esm\/protocol\/index\.js$/);
  });

  it('imports nothing at run time that the production install (npm ci --omit=dev) leaves out', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(pkg.dependencies), '@stickyroom/sdk']);
    const bare = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) {
          if (path !== join(dist, 'web')) walk(path);
        } else if (e.name.endsWith('.js')) {
          const code = readFileSync(path, 'utf8');
          // import ... from 'x', export ... from 'x', import 'x', import('x')
          for (const re of [/\bfrom\s+'([^'.][^']*)'/g, /^import\s+'([^'.][^']*)'/gm, /\bimport\(\s*'([^'.][^']*)'\s*\)/g]) {
            for (const m of code.matchAll(re)) bare.add(m[1]!);
          }
        }
      }
    };
    walk(dist);
    const packages = [...bare].filter((s) => !s.startsWith('node:')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
    expect(packages.length).toBeGreaterThan(5);
    expect(packages.filter((p) => !allowed.has(p))).toEqual([]);
  });

  it('serves a join and the pages from node dist/server/src/main.js', async () => {
    const server = start([join(dist, 'server/src/main.js')], { PORT: '0', HOST: '127.0.0.1' });
    const { port } = JSON.parse(await server.waitFor(/stickyroom server listening/, 30_000)) as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const streamer = await tokens.sign({ sub: 'host', role: 'streamer', brandId: 'acme' });
    const created = await fetch(`${url}/api/streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${streamer}` },
      body: JSON.stringify({ title: 'Compiled' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const viewer = createViewerClient({ url, token: await tokens.sign({ sub: 'v-dist', role: 'viewer' }), transports: ['websocket'], heartbeats: false });
    clients.push(viewer);
    await viewer.connect();
    // a join runs Lua scripts: they were found under dist/core/src
    expect((await viewer.join(id)).stream).toMatchObject({ id, status: 'scheduled' });
    // the pages and the widget come from dist/web/dist
    expect((await fetch(`${url}/console`)).status).toBe(200);
    const widget = await fetch(`${url}/widget/stickyroom-room.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
  });

  it('runs the worker from node dist/worker/src/main.js', async () => {
    const worker = start([join(dist, 'worker/src/main.js')]);
    await worker.waitFor(/stickyroom worker running/, 30_000);
    expect(worker.output.join('\n')).not.toMatch(/"level":(50|60)/);
  });

  it('npm run start:prod (node dist/scripts/start.js) reads .env from its working directory, says so, and runs both compiled', async () => {
    cwd = mkdtempSync(join(tmpdir(), 'stickyroom-env-'));
    writeFileSync(join(cwd, '.env'), `# from the test\nPORT=0\nHOST=127.0.0.1\nREDIS_PREFIX=${prefix}\nLOG_LEVEL=debug\n`);
    // LOG_LEVEL set in the environment wins over the file; the rest comes from the file
    const { REDIS_PREFIX: _, ...rest } = env;
    const launcher = start([join(dist, 'scripts/start.js')], { LOG_LEVEL: 'info' }, cwd, rest);
    const read = JSON.parse(await launcher.waitFor(/variable\(s\) from/, 30_000)) as { msg: string; file: string; set: string[]; keptFromEnvironment: string[] };
    expect(read.file).toBe(join(cwd, '.env'));
    expect(read.msg).toBe(`read 3 variable(s) from ${join(cwd, '.env')} (1 already set in the environment kept their values)`);
    expect([...read.set].sort()).toEqual(['HOST', 'PORT', 'REDIS_PREFIX']);
    expect(read.keptFromEnvironment).toEqual(['LOG_LEVEL']);
    const listening = JSON.parse(await launcher.waitFor(/stickyroom server listening/, 30_000)) as { port: number };
    expect(listening.port).toBeGreaterThan(0);
    await launcher.waitFor(/stickyroom worker running/, 30_000);
    // compiled children: no tsx in the process tree
    const ps = spawnSync('ps', ['-o', 'args=', '--ppid', String(launcher.child.pid)], { encoding: 'utf8' }).stdout;
    expect(ps).toMatch(/dist\/server\/src\/main\.js/);
    expect(ps).toMatch(/dist\/worker\/src\/main\.js/);
    expect(ps).not.toMatch(/tsx/);
    expect(await launcher.stop()).toBe(0);
  });
});
