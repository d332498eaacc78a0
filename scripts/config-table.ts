/**
 * Prints README's configuration table from the config schema, or with --write replaces it in README.md
 * between the config-table markers. A test fails when README and the schema drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '../core/src/config-doc.js';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';
const table = configTable();
if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error('README.md has no config-table markers');
  writeFileSync('README.md', `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`);
} else {
  process.stdout.write(`${table}\n`);
}
