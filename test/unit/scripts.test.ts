import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFUSALS } from '../../core/src/redis/refusals.js';
import { scriptDefs } from '../../core/src/redis/scripts.js';

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath, e.name));
}

const sources = files('core/src', '.ts').map((f) => ({ file: f, text: readFileSync(f, 'utf8') }));
const wrappers = sources.flatMap(({ file, text }) => [...text.matchAll(/defineScript\(\{\s*file: '([^']+)'/g)].map((m) => ({ file, lua: m[1]! })));

describe('Lua scripts', () => {
  // A prelude (the event gate's) is not a script of its own: it is prepended to every script's gated variant.
  // Neither is an include (`*.include.lua`): the loader expands it into the scripts that name it.
  const scriptFiles = () => files('core/src', '.lua').filter((f) => !f.endsWith('.prelude.lua') && !f.endsWith('.include.lua'));

  it('each have exactly one typed wrapper (defineScript), and every wrapper names a script that exists', () => {
    const lua = scriptFiles().map((f) => f.split('/').pop()!);
    expect(lua.length).toBeGreaterThan(20);
    expect(scriptDefs().map((d) => d.file).sort()).toEqual([...lua].sort());
    for (const name of lua) expect(wrappers.filter((w) => w.lua === name).map((w) => w.file), name).toHaveLength(1);
    for (const w of wrappers) expect(lua, w.file).toContain(w.lua);
  });

  it('open with a header naming their keys and what they answer', () => {
    for (const f of files('core/src', '.lua')) {
      const text = readFileSync(f, 'utf8');
      expect(text.startsWith('--[['), f).toBe(true);
      if (f.endsWith('.include.lua')) expect(text, f).toMatch(/Input:/);
      else expect(text, f).toMatch(f.endsWith('.prelude.lua') ? /KEYS\[#KEYS\]/ : /KEYS\[1\]/);
      expect(text, f).toMatch(/Output:/);
    }
  });

  it('are called through their wrappers only, never by name', () => {
    for (const { file, text } of sources) {
      if (file.endsWith('redis/scripts.ts')) continue;
      expect(text, file).not.toMatch(/runScript|queueScript|defineCommand/);
    }
  });

  it('refuse only with refusals of the one table, and the table holds none that no script answers', () => {
    const used = new Set<string>();
    for (const { text } of sources) {
      for (const block of text.matchAll(/refusals: \{([^}]*)\}/g)) {
        for (const m of block[1]!.matchAll(/\[-\d+\]: '([a-z_]+)'/g)) used.add(m[1]!);
      }
    }
    for (const name of used) expect(Object.keys(REFUSALS), name).toContain(name);
    expect([...used].sort()).toEqual(Object.keys(REFUSALS).sort());
  });

  it('write the activity ledger from one source: every script whose change is an activity includes it, none copies it', () => {
    const ledger = readFileSync('core/src/activity/activity-ledger.include.lua', 'utf8');
    const recording = [
      'activity-record-5.lua',
      'chat-send-13.lua',
      'coupon-claim-15.lua',
      'lottery-enter-8.lua',
      'product-click-12.lua',
      'presence-touch-13.lua',
      'qa-ask-16.lua',
      'qa-upvote-10.lua',
      'quiz-answer-9.lua',
    ];
    for (const def of scriptDefs()) {
      const includes = def.lua.split(ledger).length - 1;
      expect(includes, def.file).toBe(recording.includes(def.file) ? 1 : 0);
      // the write's own lines (first sighting, change sequence) appear only through the include
      const rest = def.lua.split(ledger).join('');
      expect(rest, def.file).not.toMatch(/'HSETNX', [^\n]*'firstAt'/);
    }
    for (const f of scriptFiles()) {
      const raw = readFileSync(f, 'utf8');
      expect(raw, f).not.toMatch(/'HSETNX', [^\n]*'firstAt'/);
    }
  });
});
