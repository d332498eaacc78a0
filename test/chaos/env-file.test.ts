import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from '../helpers/process.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** `npm start` (scripts/start.ts) reads .env from its working directory when there is one, and says which way it went. */
const prefix = uniquePrefix('envfile');
// run from another directory: tsx is named by its path, as `--import tsx` would look for it there
const launcher = ['--conditions=@stickyroom/source', '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, resolve('scripts/start.ts')];
const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'stickyroom-env-'));
  dirs.push(d);
  return d;
};

afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropPrefix(prefix);
});

describe.concurrent('npm start and .env', () => {
  it('says there is no .env and runs on the environment alone', async () => {
    const p = runNode(launcher, { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, dir());
    try {
      const line = JSON.parse(await p.waitFor(/no \.env file/, 30_000)) as { msg: string };
      expect(line.msg).toBe('no .env file: configuration from the environment only');
      await p.waitFor(/stickyroom server listening/, 30_000);
    } finally {
      expect(await p.stop()).toBe(0);
    }
  });

  it('feeds .env to the configuration: a bad value in it stops the start, naming the variable', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), 'PORT=eighty\n');
    const p = runNode(launcher, { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix }, cwd);
    expect(await new Promise((r) => p.child.once('close', r))).toBe(2);
    expect(p.output.join('\n')).toMatch(/stickyroom: invalid configuration:\n\s+PORT: /);
  });
});
