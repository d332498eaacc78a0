import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, PUSH_NAMES, SESSION_END_REASONS, requestSchemas } from '@stickyroom/sdk/protocol';

const doc = readFileSync('docs/protocol.md', 'utf8');

describe('docs/protocol.md', () => {
  it('documents every client → server event of the schemas, under a heading or as a table row', () => {
    const places = doc.split('\n').filter((l) => l.startsWith('#') || l.startsWith('| `'));
    for (const event of Object.keys(requestSchemas)) {
      expect(places.some((l) => l.startsWith('#') ? l.includes(`\`${event}\``) : l.startsWith(`| \`${event}\``)), event).toBe(true);
    }
  });
  it('lists every server → client push in the push table', () => {
    const table = doc.slice(doc.indexOf('## Server → client pushes'));
    for (const push of PUSH_NAMES) expect(table, push).toContain(`| \`${push}\` |`);
  });
  it('names every reason of session:ended in its push row', () => {
    const row = doc.split('\n').find((l) => l.startsWith('| `session:ended` |'))!;
    for (const reason of SESSION_END_REASONS) expect(row, reason).toContain(`'${reason}'`);
  });
  it('explains every error code', () => {
    for (const code of ERROR_CODES) expect(doc, code).toContain(`| \`${code}\``);
  });
});
