import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, isPlaceholderSecret, loadConfig, SECRETS } from '../../core/src/config.js';

describe('config', () => {
  it('has working defaults for a developer machine', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.devSecrets).toBe(true);
  });
  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_PREFIX: '{bad}' })).toThrow(/REDIS_PREFIX/);
  });
  it('refuses the development secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), WEBHOOK_SECRET: 'y'.repeat(32), METRICS_TOKEN: 'z'.repeat(32) }).devSecrets).toBe(false);
  });
  it('refuses to run production with /metrics open, naming METRICS_TOKEN', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), WEBHOOK_SECRET: 'y'.repeat(32) };
    expect(() => loadConfig(prod)).toThrow(/METRICS_TOKEN: required when NODE_ENV=production/);
    expect(() => loadConfig({ ...prod, METRICS_TOKEN: '' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ ...prod, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: at least 16 characters/);
    expect(loadConfig({ ...prod, METRICS_TOKEN: 'm'.repeat(32) }).METRICS_TOKEN).toBe('m'.repeat(32));
    // development keeps /metrics open unless a token is set
    expect(loadConfig({}).METRICS_TOKEN).toBeUndefined();
  });
  it('refuses in production every secret shorter than 32 bytes, naming it; development keeps 16', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), WEBHOOK_SECRET: 'y'.repeat(32), METRICS_TOKEN: 'z'.repeat(32) };
    expect(() => loadConfig(prod)).not.toThrow();
    for (const name of SECRETS) {
      const refused = (value: string) => {
        try {
          loadConfig({ ...prod, [name]: value });
        } catch (err) {
          return (err as ConfigError).issues;
        }
        return [];
      };
      expect(refused('s'.repeat(31)), name).toEqual([`${name}: 31 bytes; at least 32 when NODE_ENV=production (generate one: openssl rand -hex 32)`]);
      // bytes, not characters: 16 two-byte characters are 32 bytes
      expect(refused('é'.repeat(16)), name).toEqual([]);
      expect(() => loadConfig({ [name]: 's'.repeat(16) }), name).not.toThrow();
    }
  });
  it('refuses in production the placeholders of .env.example and anything saying change-me, naming the variable', () => {
    const example = Object.entries(parseEnv(readFileSync('.env.example', 'utf8')));
    expect(example.map(([k]) => k)).toEqual(expect.arrayContaining(['JWT_SECRET', 'WEBHOOK_SECRET', 'METRICS_TOKEN']));
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), WEBHOOK_SECRET: 'y'.repeat(32), METRICS_TOKEN: 'z'.repeat(32) };
    for (const [name, value] of example.filter(([k]) => (SECRETS as readonly string[]).includes(k))) {
      expect(isPlaceholderSecret(String(value)), name).toBe(true);
      expect(() => loadConfig({ ...prod, [name]: value }), name).toThrow(new RegExp(`^invalid configuration:\\n  ${name}: a placeholder or development value is refused`));
    }
    expect(() => loadConfig({ ...prod, JWT_SECRET: 'please-CHANGE-ME-before-going-live-0123456789' })).toThrow(/JWT_SECRET: a placeholder/);
    // the development defaults, which apply when a secret is not set at all
    expect(() => loadConfig({ ...prod, JWT_SECRET: '' })).toThrow(/JWT_SECRET: a placeholder or development value/);
    expect(() => loadConfig({ ...prod, WEBHOOK_SECRET: undefined })).toThrow(/WEBHOOK_SECRET: a placeholder or development value/);
  });
  it('takes JWT_SECRET_PREVIOUS as a secret like the others, and not equal to JWT_SECRET', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), WEBHOOK_SECRET: 'y'.repeat(32), METRICS_TOKEN: 'z'.repeat(32) };
    expect(loadConfig({ ...prod, JWT_SECRET_PREVIOUS: 'p'.repeat(32) }).JWT_SECRET_PREVIOUS).toBe('p'.repeat(32));
    expect(() => loadConfig({ ...prod, JWT_SECRET_PREVIOUS: 'p'.repeat(20) })).toThrow(/JWT_SECRET_PREVIOUS: 20 bytes/);
    expect(() => loadConfig({ ...prod, JWT_SECRET_PREVIOUS: 'x'.repeat(32) })).toThrow(/JWT_SECRET_PREVIOUS: the same as JWT_SECRET/);
    expect(loadConfig({}).JWT_SECRET_PREVIOUS).toBeUndefined();
  });
  it('reads JWT_MAX_TTL as a duration (24h by default) and refuses nonsense, naming it', () => {
    expect(loadConfig({}).JWT_MAX_TTL).toBe(86_400);
    expect(loadConfig({ JWT_MAX_TTL: '90m' }).JWT_MAX_TTL).toBe(5400);
    expect(loadConfig({ JWT_MAX_TTL: '3600' }).JWT_MAX_TTL).toBe(3600);
    expect(() => loadConfig({ JWT_MAX_TTL: 'forever' })).toThrow(/JWT_MAX_TTL: a duration like 24h/);
    expect(() => loadConfig({ JWT_MAX_TTL: '10s' })).toThrow(/JWT_MAX_TTL: at least 60 s/);
    expect(() => loadConfig({ JWT_MAX_TTL: '365d' })).toThrow(/JWT_MAX_TTL: at most 30 days/);
  });
  it('sends the newest 20 chat messages on join by default, 1 to 50 when set, naming CHAT_JOIN_HISTORY otherwise', () => {
    expect(loadConfig({}).CHAT_JOIN_HISTORY).toBe(20);
    expect(loadConfig({ CHAT_JOIN_HISTORY: '50' }).CHAT_JOIN_HISTORY).toBe(50);
    for (const bad of ['0', '51', '2.5', 'all']) expect(() => loadConfig({ CHAT_JOIN_HISTORY: bad }), bad).toThrow(/CHAT_JOIN_HISTORY/);
  });
  it('splits the origin list', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });
});
