import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config.js';

const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), WEBHOOK_SECRET: 'y'.repeat(32), METRICS_TOKEN: 'z'.repeat(32) };

describe('config of the worker port and the admin UI', () => {
  it('gives the worker port 9465 on every interface by default', () => {
    const c = loadConfig({});
    expect(c.WORKER_HTTP_PORT).toBe(9465);
    expect(c.WORKER_HTTP_HOST).toBe('0.0.0.0');
    expect(loadConfig({ WORKER_HTTP_PORT: '0', WORKER_HTTP_HOST: '127.0.0.1' })).toMatchObject({ WORKER_HTTP_PORT: 0, WORKER_HTTP_HOST: '127.0.0.1' });
    expect(() => loadConfig({ WORKER_HTTP_PORT: '70000' })).toThrow(/WORKER_HTTP_PORT/);
  });

  it('keeps the admin UI off by default and never serves it without a password', () => {
    expect(loadConfig({}).ADMIN_UI).toBe('off');
    expect(() => loadConfig({ ADMIN_UI: 'on' })).toThrow(/ADMIN_UI_PASSWORD: required when ADMIN_UI=on/);
    expect(() => loadConfig({ ADMIN_UI: 'on', ADMIN_UI_PASSWORD: 'short' })).toThrow(/ADMIN_UI_PASSWORD: at least 16 characters/);
    expect(() => loadConfig({ ADMIN_UI: 'yes' })).toThrow(/ADMIN_UI/);
    expect(loadConfig({ ADMIN_UI: 'on', ADMIN_UI_PASSWORD: 'p'.repeat(16) })).toMatchObject({ ADMIN_UI: 'on', ADMIN_UI_USERNAME: 'admin' });
  });

  it('wants a password of 32 characters or more for the admin UI in production', () => {
    expect(() => loadConfig({ ...prod, ADMIN_UI: 'on', ADMIN_UI_PASSWORD: 'p'.repeat(20) })).toThrow(/ADMIN_UI_PASSWORD: at least 32 characters when NODE_ENV=production/);
    expect(loadConfig({ ...prod, ADMIN_UI: 'on', ADMIN_UI_PASSWORD: 'p'.repeat(32) }).ADMIN_UI).toBe('on');
    // off, no password is needed
    expect(loadConfig(prod).ADMIN_UI).toBe('off');
  });
});
