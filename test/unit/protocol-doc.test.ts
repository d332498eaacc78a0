import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, PROTOCOL_VERSION, PUSH_NAMES, SESSION_END_REASONS, requestSchemas } from '@stickyroom/sdk/protocol';

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
  it('names the current protocol version and says what each version changed', () => {
    expect(doc).toContain(`\`client-sdk/src/protocol\`, now ${PROTOCOL_VERSION})`);
    for (let v = 2; v <= PROTOCOL_VERSION; v++) expect(doc, `version ${v}`).toContain(`\n- **${v}**: `);
  });
  it('names every field of a request documented under its own heading', () => {
    for (const [event, schema] of Object.entries(requestSchemas)) {
      const at = doc.indexOf(`### \`${event}\``);
      if (at < 0 || !('shape' in schema)) continue;
      const section = doc.slice(at, doc.indexOf('\n#', at + 1));
      for (const field of Object.keys(schema.shape as object)) expect(section, `${event}: ${field}`).toContain(field);
    }
  });
  it('explains every error code', () => {
    for (const code of ERROR_CODES) expect(doc, code).toContain(`| \`${code}\``);
  });
});
