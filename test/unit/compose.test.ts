import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, loadConfig } from '../../core/src/config.js';

// No Docker engine runs in CI: this reads docker-compose.yml, the Dockerfile and the load balancer's config the
// way compose, docker build and nginx would, and checks what they must hold.
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  restart?: string;
  stop_grace_period?: string;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const nodes = Object.keys(services).filter((n) => /^server\d+$/.test(n));
const ours = [...nodes, 'worker'];
const nginx = readFileSync('deploy/nginx.conf', 'utf8')
  .split('\n')
  .map((l) => l.replace(/#.*$/, '').trim())
  .filter(Boolean)
  .join('\n');
const dockerfile = readFileSync('Dockerfile', 'utf8');
/** The Dockerfile's stages: name -> its lines (comments dropped). */
const stages = new Map<string, string[]>();
{
  let current: string[] = [];
  for (const raw of dockerfile.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM \S+ AS (\S+)$/i.exec(line);
    if (from) stages.set(from[1]!, (current = []));
    current.push(line);
  }
}
/** The command a healthcheck runs, as one string. */
const probe = (s: Service) => (s.healthcheck?.test ?? []).join(' ');

describe('docker-compose.yml', () => {
  it('runs redis with AOF persistence on a named volume, noeviction, and no published port', () => {
    const redis = services.redis!;
    const cmd = redis.command!.join(' ');
    expect(cmd).toMatch(/^redis-server /);
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.volumes?.[0]).toMatch(/^redis-data:\/data$/);
    expect(compose.volumes).toHaveProperty('redis-data');
    expect(redis.ports).toBeUndefined();
  });

  it('runs two or more server nodes and a worker, compiled, from files the build makes', () => {
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    for (const name of nodes) expect(services[name]!.command).toEqual(['node', 'dist/server/src/main.js']);
    expect(services.worker!.command).toEqual(['node', 'dist/worker/src/main.js']);
    // no TypeScript at run time
    for (const name of ours) expect(services[name]!.command!.join(' ')).not.toMatch(/tsx|\.ts\b|--conditions/);
    // the compiled entries are those of the sources that exist (scripts/build.ts keeps the layout)
    expect(existsSync('server/src/main.ts')).toBe(true);
    expect(existsSync('worker/src/main.ts')).toBe(true);
    for (const name of ours) expect(services[name]!.build).toBe('.');
  });

  it('publishes a port for the load balancer only', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([n]) => n)).toEqual(['lb']);
    expect(services.lb!.ports).toEqual(['${HTTP_PORT:-3000}:8080']);
  });

  it('has a healthcheck for every service, each against a route that exists', () => {
    for (const [name, s] of Object.entries(services)) expect(s.healthcheck?.test?.length, name).toBeGreaterThan(0);
    const routes = readFileSync('server/src/http/app.ts', 'utf8');
    for (const name of nodes) {
      expect(probe(services[name]!)).toMatch(/fetch\('http:\/\/127\.0\.0\.1:3000\/readyz'\)/);
      expect(routes).toMatch(/app\.get\('\/readyz'/);
    }
    // the worker's HTTP server (WORKER_HTTP_PORT, default 9465) serves /healthz
    expect(probe(services.worker!)).toMatch(/fetch\('http:\/\/127\.0\.0\.1:9465\/healthz'\)/);
    expect(probe(services.redis!)).toBe('CMD redis-cli ping');
    expect(probe(services.lb!)).toMatch(/http:\/\/127\.0\.0\.1:8080\/lb-healthz/);
    expect(nginx).toMatch(/location = \/lb-healthz \{\n(.*\n)*?return 200/);
    // the node images have node but neither curl nor wget: the probes are node one-liners that exit 0 or 1
    for (const name of ours) expect(services[name]!.healthcheck!.test[0]).toBe('CMD');
    for (const name of ours) expect(services[name]!.healthcheck!.test.slice(1, 3)).toEqual(['node', '-e']);
  });

  it('starts the balancer once the nodes are healthy, and every process once Redis is', () => {
    for (const name of nodes) expect(services.lb!.depends_on?.[name]?.condition).toBe('service_healthy');
    for (const name of ours) expect(services[name]!.depends_on?.redis?.condition).toBe('service_healthy');
    for (const name of Object.keys(services)) expect(services[name]!.restart, name).toBe('unless-stopped');
  });

  it('points every node and the worker at the same Redis, prefix and secrets so rooms are shared', () => {
    const envs = ours.map((n) => services[n]!.environment!);
    for (const env of envs) {
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.*32 bytes/);
      expect(env.WEBHOOK_SECRET).toMatch(/^\$\{WEBHOOK_SECRET:\?.*32 bytes/);
      expect(env.METRICS_TOKEN).toMatch(/^\$\{METRICS_TOKEN:\?.*32 bytes/);
      expect(env.JWT_SECRET_PREVIOUS).toBe('${JWT_SECRET_PREVIOUS:-}');
    }
    expect(new Set(envs.map((e) => e.REDIS_PREFIX)).size).toBe(1);
    // the nodes sit behind the balancer: they trust its X-Forwarded-* headers
    for (const name of nodes) expect(services[name]!.environment!.TRUST_PROXY).toBe('true');
  });

  it('sets only variables the config schema knows', () => {
    const known = new Set(Object.keys(ConfigSchema.shape));
    for (const name of ours) {
      for (const key of Object.keys(services[name]!.environment!)) expect(known, key).toContain(key);
    }
  });

  it("gives every process an environment the production config accepts once .env supplies real secrets, and refuses .env.example's placeholders", () => {
    const example = parseEnv(readFileSync('.env.example', 'utf8'));
    const interpolate = (v: string, dotenv: Record<string, string | undefined>) =>
      // compose interpolation: ${X:?msg} needs X, ${X:-default} falls back to default
      v.replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) => {
        if (dotenv[name] !== undefined) return dotenv[name]!;
        if (op === '?') throw new Error(`.env lacks ${name}, which docker-compose.yml requires`);
        return op === '-' ? rest! : '';
      });
    const envOf = (name: string, dotenv: Record<string, string | undefined>) =>
      Object.fromEntries(Object.entries(services[name]!.environment!).map(([k, v]) => [k, interpolate(String(v), dotenv)]));
    // .env.example's names, with 32 random bytes (hex) where it has placeholders
    const real = Object.fromEntries(Object.keys(example).map((k) => [k, randomBytes(32).toString('hex')]));
    for (const name of ours) {
      const env = envOf(name, real);
      expect(env.NODE_ENV, name).toBe('production');
      expect(() => loadConfig(env), name).not.toThrow();
      // .env.example copied as it is: refused, naming each placeholder
      expect(() => loadConfig(envOf(name, example)), name).toThrow(/JWT_SECRET: a placeholder[\s\S]*WEBHOOK_SECRET: a placeholder[\s\S]*METRICS_TOKEN: a placeholder/);
    }
  });

  it('says 32 bytes wherever it asks for a secret', () => {
    const example = readFileSync('.env.example', 'utf8');
    expect(example).toMatch(/32 bytes or more/);
    expect(example).not.toMatch(/16 characters/);
    expect(readFileSync('docker-compose.yml', 'utf8')).not.toMatch(/16 characters/);
  });

  it('gives the processes time to stop within their grace periods', () => {
    const seconds = (s: string | undefined) => Number(/^(\d+)s$/.exec(s ?? '')?.[1]);
    const defaults = loadConfig({});
    for (const name of nodes) expect(seconds(services[name]!.stop_grace_period) * 1000).toBeGreaterThan(defaults.SHUTDOWN_GRACE_MS);
    expect(seconds(services.worker!.stop_grace_period) * 1000).toBeGreaterThan(defaults.WORKER_SHUTDOWN_GRACE_MS);
  });
});

describe('the load balancer (deploy/nginx.conf)', () => {
  it('is the distribution nginx image with the config from the repo, read-only', () => {
    expect(services.lb!.image).toMatch(/^nginx:[\d.]+-alpine$/);
    expect(services.lb!.volumes).toEqual(['./deploy/nginx.conf:/etc/nginx/nginx.conf:ro']);
    expect(nginx).toMatch(/^\s*listen 8080;/m);
  });

  it('balances over exactly the server nodes of the compose file, on the port they listen on', () => {
    const upstream = /upstream stickyroom \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    const servers = [...upstream.matchAll(/^server (\S+?):(\d+)\b/gm)].map((m) => ({ host: m[1]!, port: m[2]! }));
    expect(servers.map((s) => s.host).sort()).toEqual([...nodes].sort());
    for (const s of servers) expect(s.port).toBe(services[s.host]!.environment!.PORT);
    expect(nginx).toMatch(/proxy_pass http:\/\/stickyroom;/);
  });

  it('keeps a client on one node (the long-polling fallback needs it)', () => {
    const upstream = /upstream stickyroom \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    expect(upstream).toMatch(/^(ip_hash|hash \$binary_remote_addr consistent|hash \$remote_addr consistent|hash \$cookie_\w+ consistent);/m);
  });

  it('passes WebSocket upgrades through, over HTTP/1.1, and holds idle sockets longer than Socket.IO pings', () => {
    expect(nginx).toMatch(/map \$http_upgrade \$connection_upgrade \{\ndefault upgrade;\n'' close;\n\}/);
    expect(nginx).toMatch(/proxy_http_version 1\.1;/);
    expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(nginx).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    // Socket.IO's pingInterval + pingTimeout is 45 s
    const read = Number(/proxy_read_timeout (\d+)s;/.exec(nginx)?.[1]);
    expect(read).toBeGreaterThan(45);
  });

  it('forwards the client address and scheme, which the nodes trust (TRUST_PROXY)', () => {
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    expect(nginx).toMatch(/proxy_set_header Host \$host;/);
  });

  it('does not serve /metrics through the balancer (each node is scraped on its own)', () => {
    expect(nginx).toMatch(/location = \/metrics \{\nreturn 404;\n\}/);
  });
});

describe('Dockerfile', () => {
  it('builds in a first stage with the dev dependencies and npm run build', () => {
    const build = stages.get('build')!;
    expect(build[0]).toMatch(/^FROM node:20[\w.-]* AS build$/);
    expect(build).toContain('RUN npm ci --no-audit --no-fund');
    expect(build).toContain('RUN npm run build');
    // everything the build reads
    for (const f of ['tsconfig.json tsconfig.build.json ./', 'client-sdk client-sdk', 'core core', 'server server', 'worker worker', 'web web', 'scripts scripts']) {
      expect(build, f).toContain(`COPY ${f}`);
    }
    for (const f of ['tsconfig.build.json', 'scripts/build.ts']) expect(existsSync(f), f).toBe(true);
  });

  it('runs the compiled code with production dependencies only, as a non-root user', () => {
    const runtime = stages.get('runtime')!;
    expect(runtime[0]).toMatch(/^FROM node:20[\w.-]* AS runtime$/);
    expect([...stages.keys()].at(-1)).toBe('runtime');
    expect(runtime).toContain('ENV NODE_ENV=production');
    expect(runtime.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(runtime).toContain('COPY --from=build /app/dist dist');
    // the SDK resolves to its built dist through the workspace link
    expect(runtime).toContain('COPY --from=build /app/client-sdk/dist client-sdk/dist');
    expect(runtime).toContain('COPY client-sdk/package.json client-sdk/package.json');
    // no source in the runtime image
    expect(runtime.filter((l) => /^COPY (core|server|worker|web|scripts) /.test(l))).toEqual([]);
    const user = runtime.filter((l) => l.startsWith('USER '));
    expect(user).toEqual(['USER node']);
    // USER comes before the command, after the last install step
    expect(runtime.indexOf('USER node')).toBeGreaterThan(runtime.findIndex((l) => l.startsWith('RUN ')));
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/server/src/main.js"]');
  });

  it('keeps the local dist/, node_modules and .env out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.env', 'client-sdk/dist', 'web/dist']) expect(ignored, p).toContain(p);
  });
});
