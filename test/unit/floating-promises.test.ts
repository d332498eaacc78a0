import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { floatingPromises } from '../helpers/floating-promises.js';

const FIXTURE = 'test/helpers/floating-promises.fixture.ts';
const roots = ['server/src/main.ts', 'worker/src/main.ts', ...readdirSync('scripts', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `scripts/${f}`), FIXTURE];
let found: string[] = [];
let inFixture: string[] = [];
// One program for both: type-checking the service is the slow part. In a hook rather than when the file
// loads, so the file's recorded time counts it and vitest starts this file first of its project, not last.
beforeAll(() => {
  found = floatingPromises(roots, (file) => /\/(core|server|worker)\/src\/|\/scripts\/|floating-promises\.fixture\.ts$/.test(file));
  inFixture = found.filter((f) => f.includes('floating-promises.fixture'));
}, 120_000);

describe('promises nobody handles (issue 7: one took a node down)', () => {
  it('are none in core, the server, the worker and the scripts', () => {
    expect(found.filter((f) => !f.includes('floating-promises.fixture'))).toEqual([]);
  });

  it('are found when they are there', () => {
    expect(inFixture.map((f) => f.split(': ')[1])).toEqual([
      'promise not handled',
      'promise voided',
      'promise not handled',
      'promise not handled',
      'async callback where nothing awaits it',
      'async callback where nothing awaits it',
    ]);
  });
});
