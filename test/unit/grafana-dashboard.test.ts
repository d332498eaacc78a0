import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Registry } from 'prom-client';
import { processMetrics } from '../../core/src/metrics.js';
import { createMetrics } from '../../server/src/metrics.js';
import { createWorkerMetrics } from '../../worker/src/metrics.js';

const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/stickyroom.json', import.meta.url), 'utf8')) as {
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
  templating: { list: { query?: unknown }[] };
};

/** Every series name a registry exposes: histograms as their _bucket, _sum and _count. */
async function seriesNames(registry: Registry): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of await registry.getMetricsAsJSON()) {
    out.set(m.name, m.name);
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) out.set(m.name + suffix, m.name);
  }
  return out;
}

const server = createMetrics().registry;
const worker = createWorkerMetrics().registry;
const names = new Map([...(await seriesNames(processMetrics())), ...(await seriesNames(server)), ...(await seriesNames(worker))]);
const appMetrics = [...(await server.getMetricsAsJSON()), ...(await worker.getMetricsAsJSON())].map((m) => m.name);

const panels = dashboard.panels.filter((p) => p.type !== 'row');
const named = (text: string) => [...text.matchAll(/\bstickyroom_[a-z0-9_]+/g)].map((m) => m[0]);

describe('the Grafana dashboard (deploy/grafana/stickyroom.json)', () => {
  it('queries only metrics the server or the worker exposes', () => {
    const unknown: string[] = [];
    for (const p of panels) {
      expect(p.targets?.length, `panel "${p.title}" has no query`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) for (const n of named(t.expr)) if (!names.has(n)) unknown.push(`${p.title}: ${n}`);
    }
    for (const v of dashboard.templating.list) for (const n of named(JSON.stringify(v.query ?? ''))) if (!names.has(n)) unknown.push(`variable: ${n}`);
    expect(unknown).toEqual([]);
  });

  it('graphs every metric of the server and the worker', () => {
    const graphed = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => named(t.expr))).map((n) => names.get(n)));
    expect(appMetrics.filter((m) => !graphed.has(m))).toEqual([]);
  });

  it('has the event-loop lag', () => {
    expect(panels.some((p) => p.targets?.some((t) => t.expr.includes('stickyroom_nodejs_eventloop_lag')))).toBe(true);
  });
});

describe('docs/operations.md, section Metrics', () => {
  it('names every metric of the server and the worker', () => {
    const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const section = /^## Metrics\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(doc)?.[1] ?? '';
    expect(section, 'no "## Metrics" section').not.toBe('');
    expect(appMetrics.filter((m) => !section.includes(`\`${m}\``))).toEqual([]);
  });
});
