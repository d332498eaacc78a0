import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable } from '../../core/src/config-doc.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('shows the configuration table the config schema makes (npx tsx scripts/config-table.ts --write)', () => {
    expect(readme).toContain(configTable());
  });
  it('states the start and test commands', () => {
    expect(readme).toMatch(/^npm start\b/m);
    expect(readme).toMatch(/^npm test\b/m);
  });
});
