import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layers, as the imports show them. Every import of every .ts file (static, type-only, `export from`,
 * dynamic) is read with the TypeScript pre-processor, so a comment or a string is never taken for one.
 */
const root = process.cwd();

interface Import {
  /** Repository path of the importing file. */
  from: string;
  /** Repository path of the imported file (relative imports), or the package name. */
  to: string;
  pkg: boolean;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('node_modules'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function importsOf(dirs: string[]): Import[] {
  return dirs.flatMap(tsFiles).flatMap((from) =>
    ts.preProcessFile(readFileSync(from, 'utf8'), true, true).importedFiles.map(({ fileName: spec }): Import => {
      if (spec.startsWith('.')) return { from, to: relative(root, resolve(dirname(from), spec)), pkg: false };
      return { from, to: packageName(spec), pkg: true };
    }),
  );
}

const all = importsOf(['core', 'server', 'worker', 'client-sdk/src']);
const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const show = (list: Import[]) => list.map((i) => `${i.from} -> ${i.to}`);

/** Packages that are transport: only server/src/io, server/src/http and server/src/features may use them. */
const TRANSPORT_PACKAGES = ['socket.io', 'socket.io-client', 'express', 'cors'];
const isTransportPackage = (name: string) => TRANSPORT_PACKAGES.includes(name) || name.startsWith('@socket.io/');

const TRANSPORT_DIRS = ['server/src/io', 'server/src/http', 'server/src/features'];

/** Each rule, as the imports that break it, with one import that would (so a rule cannot pass vacuously). */
const RULES: { rule: string; breaks: (i: Import) => boolean; example: Import }[] = [
  {
    rule: 'nothing under worker/ imports server/',
    breaks: (i) => under(i.from, 'worker') && !i.pkg && under(i.to, 'server'),
    example: { from: 'worker/src/context.ts', to: 'server/src/features/index.ts', pkg: false },
  },
  {
    rule: 'nothing under server/ imports worker/',
    breaks: (i) => under(i.from, 'server') && !i.pkg && under(i.to, 'worker'),
    example: { from: 'server/src/app.ts', to: 'worker/src/worker.ts', pkg: false },
  },
  {
    rule: 'core imports neither server/ nor worker/ nor any transport package',
    breaks: (i) => under(i.from, 'core') && (i.pkg ? isTransportPackage(i.to) : under(i.to, 'server') || under(i.to, 'worker')),
    example: { from: 'core/src/chat/chat.service.ts', to: '@socket.io/redis-adapter', pkg: true },
  },
  {
    rule: 'the SDK imports nothing of core/, server/ or worker/',
    breaks: (i) => under(i.from, 'client-sdk') && !i.pkg && !under(i.to, 'client-sdk'),
    example: { from: 'client-sdk/src/client.ts', to: 'core/src/errors.ts', pkg: false },
  },
  {
    rule: 'in server/, only io/, http/ and features/ import socket.io or express',
    breaks: (i) => under(i.from, 'server') && i.pkg && isTransportPackage(i.to) && !TRANSPORT_DIRS.some((d) => under(i.from, d)),
    example: { from: 'server/src/pages/dashboard.page.ts', to: 'express', pkg: true },
  },
  {
    rule: 'the stickiness model is pure: no package but the protocol, nothing of core but config types',
    breaks: (i) =>
      under(i.from, 'core/src/stickiness') &&
      (i.pkg ? i.to !== '@stickyroom/sdk' : !under(i.to, 'core/src/stickiness') && i.to !== 'core/src/config.js'),
    example: { from: 'core/src/stickiness/formula.ts', to: 'ioredis', pkg: true },
  },
];

describe('layering', () => {
  it('reads the imports of every layer', () => {
    for (const dir of ['core/', 'server/', 'worker/', 'client-sdk/']) expect(all.some((i) => i.from.startsWith(dir)), dir).toBe(true);
    expect(all.length).toBeGreaterThan(300);
  });

  for (const { rule, breaks, example } of RULES) {
    it(rule, () => {
      expect(breaks(example), `the rule catches ${example.from} -> ${example.to}`).toBe(true);
      expect(show(all.filter(breaks))).toEqual([]);
    });
  }
});
