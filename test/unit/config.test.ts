import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/src/config.js';

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
    expect(loadConfig({ ...prod, METRICS_TOKEN: 'm'.repeat(16) }).METRICS_TOKEN).toBe('m'.repeat(16));
    // development keeps /metrics open unless a token is set
    expect(loadConfig({}).METRICS_TOKEN).toBeUndefined();
  });
  it('reads JWT_MAX_TTL as a duration (24h by default) and refuses nonsense, naming it', () => {
    expect(loadConfig({}).JWT_MAX_TTL).toBe(86_400);
    expect(loadConfig({ JWT_MAX_TTL: '90m' }).JWT_MAX_TTL).toBe(5400);
    expect(loadConfig({ JWT_MAX_TTL: '3600' }).JWT_MAX_TTL).toBe(3600);
    expect(() => loadConfig({ JWT_MAX_TTL: 'forever' })).toThrow(/JWT_MAX_TTL: a duration like 24h/);
    expect(() => loadConfig({ JWT_MAX_TTL: '10s' })).toThrow(/JWT_MAX_TTL: at least 60 s/);
    expect(() => loadConfig({ JWT_MAX_TTL: '365d' })).toThrow(/JWT_MAX_TTL: at most 30 days/);
  });
  it('splits the origin list', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });
});
