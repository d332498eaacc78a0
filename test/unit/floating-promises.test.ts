import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { floatingPromises } from '../helpers/floating-promises.js';

const FIXTURE = 'test/helpers/floating-promises.fixture.ts';
const roots = ['server/src/main.ts', 'worker/src/main.ts', ...readdirSync('scripts', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `scripts/${f}`), FIXTURE];
// One program for both: type-checking the service is the slow part.
const found = floatingPromises(roots, (file) => /\/(core|server|worker)\/src\/|\/scripts\/|floating-promises\.fixture\.ts$/.test(file));
const inFixture = found.filter((f) => f.includes('floating-promises.fixture'));

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
