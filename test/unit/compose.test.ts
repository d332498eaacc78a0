import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, loadConfig } from '../../core/src/config.js';

// No Docker engine runs in CI: this reads docker-compose.yml the way compose would and checks what it must hold.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; ports?: string[]; depends_on?: Record<string, { condition: string }>; volumes?: string[]; build?: string; image?: string }>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const nodes = ['server1', 'server2'] as const;

describe('docker-compose.yml', () => {
  it('runs redis with AOF persistence on a named volume', () => {
    const redis = services.redis!;
    expect(redis.command).toEqual(expect.arrayContaining(['redis-server', '--appendonly', 'yes']));
    expect(redis.volumes?.[0]).toMatch(/^redis-data:\/data$/);
    expect(compose.volumes).toHaveProperty('redis-data');
  });

  it('runs two server nodes and a worker from files that exist', () => {
    // the image has no SDK build: @stickyroom/sdk resolves to its source under this condition
    const run = 'node --conditions=@stickyroom/source --import tsx';
    for (const name of nodes) expect(services[name]!.command!.join(' ')).toBe(`${run} server/src/main.ts`);
    expect(services.worker!.command!.join(' ')).toBe(`${run} worker/src/main.ts`);
    expect(existsSync('server/src/main.ts')).toBe(true);
    expect(existsSync('worker/src/main.ts')).toBe(true);
    for (const name of [...nodes, 'worker']) expect(services[name]!.build).toBe('.');
  });

  it('exposes the two nodes on different host ports', () => {
    const hostPorts = nodes.map((n) => services[n]!.ports![0]!.split(':')[0]);
    expect(new Set(hostPorts).size).toBe(2);
  });

  it('points every node and the worker at the same Redis, prefix and secrets so rooms are shared', () => {
    const envs = [...nodes, 'worker'].map((n) => services[n]!.environment!);
    for (const env of envs) {
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
      expect(env.WEBHOOK_SECRET).toMatch(/^\$\{WEBHOOK_SECRET:\?/);
      expect(env.METRICS_TOKEN).toMatch(/^\$\{METRICS_TOKEN:\?/);
    }
    expect(new Set(envs.map((e) => e.REDIS_PREFIX)).size).toBe(1);
    for (const name of [...nodes, 'worker']) expect(services[name]!.depends_on?.redis?.condition).toBe('service_healthy');
  });

  it('sets only variables the config schema knows', () => {
    const known = new Set(Object.keys(ConfigSchema.shape));
    for (const name of [...nodes, 'worker']) {
      for (const key of Object.keys(services[name]!.environment!)) expect(known, key).toContain(key);
    }
  });

  it('gives every process an environment the production config accepts once .env supplies real secrets', () => {
    // .env.example's names, with 32 random bytes where it has placeholders (which production refuses)
    const dotenv: Record<string, string> = {};
    for (const name of Object.keys(parseEnv(readFileSync('.env.example', 'utf8')))) dotenv[name] = randomBytes(32).toString('hex');
    // compose interpolation: ${X:?msg} needs X, ${X:-default} falls back to default
    const interpolate = (v: string) =>
      v.replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) => {
        if (dotenv[name] !== undefined) return dotenv[name]!;
        if (op === '?') throw new Error(`.env.example lacks ${name}, which docker-compose.yml requires`);
        return op === '-' ? rest! : '';
      });
    for (const name of [...nodes, 'worker']) {
      const env = Object.fromEntries(Object.entries(services[name]!.environment!).map(([k, v]) => [k, interpolate(String(v))]));
      expect(env.NODE_ENV, name).toBe('production');
      expect(() => loadConfig(env), name).not.toThrow();
    }
  });

  it('builds an image that holds every runtime folder', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    for (const dir of ['client-sdk', 'core', 'server', 'worker']) expect(dockerfile).toMatch(new RegExp(`COPY ${dir} ${dir}`));
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    // the pages and the widget, built in the first stage
    expect(dockerfile).toMatch(/COPY --from=web \/app\/web\/dist web\/dist/);
  });
});
