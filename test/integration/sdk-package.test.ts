import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * The SDK as someone outside this repository gets it: `npm pack`, installed from the tarball into a scratch
 * project under the OS temp dir, run with plain `node` (ESM and CommonJS) and type-checked with the repo's
 * TypeScript without the DOM lib.
 */
const repo = process.cwd();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
let t: TestApp;
let scratch: string;
let consumer: string;

function run(file: string, args: string[], cwd: string, timeout = 180_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout, env: { ...process.env, NODE_OPTIONS: '' } }, (error, out, err) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

async function mustRun(file: string, args: string[], cwd: string): Promise<string> {
  const r = await run(file, args, cwd);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}\n${r.out}\n${r.err}`);
  return r.out;
}

const ESM_SCRIPT = `import { createViewerClient, HEARTBEAT_INTERVAL_MS } from '@stickyroom/sdk';
import { ChatSend } from '@stickyroom/sdk/protocol';

const [url, token, streamId, text] = process.argv.slice(2);
const viewer = await createViewerClient({ url, token }).connect();
const room = await viewer.join(streamId);
if (!ChatSend.safeParse({ streamId, text }).success) throw new Error('the schema refused the text');
const { message } = await viewer.chat(streamId, text);
viewer.close();
console.log(JSON.stringify({ status: room.stream.status, messageId: message.id, heartbeatMs: HEARTBEAT_INTERVAL_MS, resolved: import.meta.resolve('@stickyroom/sdk') }));
`;

const CJS_SCRIPT = `const { createViewerClient, verifyDraw } = require('@stickyroom/sdk');
const { ChatSend } = require('@stickyroom/sdk/protocol');

async function main() {
  const [url, token, streamId, text] = process.argv.slice(2);
  const viewer = await createViewerClient({ url, token }).connect();
  const room = await viewer.join(streamId);
  if (!ChatSend.safeParse({ streamId, text }).success) throw new Error('the schema refused the text');
  const { message } = await viewer.chat(streamId, text);
  viewer.close();
  const check = await verifyDraw({ commitment: '00', seed: 'ab', winnerCount: 1, winners: ['x'], entries: ['x'] });
  console.log(JSON.stringify({ status: room.stream.status, messageId: message.id, drawChecked: check.commitmentMatches === false && check.winnersMatch, resolved: require.resolve('@stickyroom/sdk') }));
}
main().catch((err) => { console.error(err); process.exit(1); });
`;

/** A consumer's TypeScript: both entries, the clients, the schema and the types a page or a service would use. */
const CONSUMER_TS = `import { createStreamerClient, createViewerClient, verifyDraw, StickyroomError, HEARTBEAT_INTERVAL_MS, type ChatMessage, type JoinData } from '@stickyroom/sdk';
import { ChatSend, type LotteryDrawn } from '@stickyroom/sdk/protocol';

export async function run(url: string, token: string, streamId: string): Promise<string> {
  const viewer = await createViewerClient({ url, token }).connect();
  const room: JoinData = await viewer.join(streamId);
  const seen: string[] = [];
  viewer.on('chat:message', (m: ChatMessage) => seen.push(m.text.toUpperCase()));
  viewer.on('lottery:drawn', (d: LotteryDrawn) => seen.push(d.winners.join()));
  const { message } = await viewer.chat(streamId, 'hi');
  const streamer = await createStreamerClient({ url, token }).connect();
  const { quiz } = await streamer.createQuiz(streamId, { question: '2 + 2?', options: ['3', '4'], correctOption: 1, durationSec: 30 });
  const ok: boolean = ChatSend.safeParse({ streamId, text: 'x' }).success;
  const check = await verifyDraw({ commitment: '', seed: '', winnerCount: 1, winners: [], entries: [] });
  const err = new StickyroomError('rate_limited', 'slow down');
  return [room.stream.status, message.id, quiz.id, ok, check.valid, err.code, err.retryAfterMs ?? 0, HEARTBEAT_INTERVAL_MS, ...seen].join(' ');
}
`;

/** The README's example file that opens with `// <name>`, exactly as a reader would copy it. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(repo, 'client-sdk/README.md'), 'utf8');
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.startsWith(`// ${name}\n`));
  if (!block) throw new Error(`client-sdk/README.md has no example ${name}`);
  return block;
}

function tsconfig(name: string, module: string, moduleResolution: string, types: string[]): string {
  const compilerOptions = {
    noEmit: true,
    strict: true,
    // the SDK's own declarations are checked too
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2022'],
    module,
    moduleResolution,
    types,
    // a Node service has @types/node; the scratch project takes the repo's rather than downloading it
    typeRoots: [join(repo, 'node_modules/@types')],
  };
  writeFileSync(join(consumer, name), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
  return name;
}

beforeAll(async () => {
  t = await startTestApp();
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'stickyroom-sdk-')));
  consumer = join(scratch, 'consumer');
  mkdirSync(consumer);
  // prepack builds dist/ first
  await mustRun('npm', ['pack', '--pack-destination', scratch], join(repo, 'client-sdk'));
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true }));
  await mustRun('npm', ['install', join(scratch, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
  writeFileSync(join(consumer, 'esm.mjs'), ESM_SCRIPT);
  writeFileSync(join(consumer, 'cjs.cjs'), CJS_SCRIPT);
  writeFileSync(join(consumer, 'consumer.ts'), CONSUMER_TS);
  for (const name of ['streamer.mjs', 'viewer.mjs']) writeFileSync(join(consumer, name), readmeExample(name));
}, 300_000);

afterAll(async () => {
  await t?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the SDK package, installed from its tarball outside the repo', () => {
  it('connects, joins and chats from plain node, as an ES module and as CommonJS', async () => {
    const streamId = await t.createStream('Packed SDK', 'brand-a', { start: true });
    const watcher = await t.joinedViewer(streamId, 'watcher');
    const seen: ChatMessage[] = [];
    watcher.on('chat:message', (m) => seen.push(m));

    const [esm, cjs] = await Promise.all([
      mustRun(process.execPath, ['esm.mjs', t.url, await t.token('viewer', 'esm-user'), streamId, 'hello from ESM'], consumer),
      mustRun(process.execPath, ['cjs.cjs', t.url, await t.token('viewer', 'cjs-user'), streamId, 'hello from CommonJS'], consumer),
    ]);
    const fromEsm = JSON.parse(esm) as { status: string; messageId: string; heartbeatMs: number; resolved: string };
    const fromCjs = JSON.parse(cjs) as { status: string; messageId: string; drawChecked: boolean; resolved: string };

    // the tarball's build, not the repo's source
    expect(fromEsm.resolved).toBe(`file://${consumer}/node_modules/@stickyroom/sdk/dist/esm/index.js`);
    expect(fromCjs.resolved).toBe(`${consumer}/node_modules/@stickyroom/sdk/dist/cjs/index.js`);
    expect(fromEsm).toMatchObject({ status: 'live', heartbeatMs: 15_000 });
    expect(fromCjs).toMatchObject({ status: 'live', drawChecked: true });
    await expect.poll(() => seen.map((m) => `${m.userId}: ${m.text}`).sort()).toEqual(['cjs-user: hello from CommonJS', 'esm-user: hello from ESM']);
    expect(seen.map((m) => m.id).sort()).toEqual([fromCjs.messageId, fromEsm.messageId].sort());
  }, 120_000);

  it("runs the README's example as written: a streamer opens a quiz and a drop, a viewer chats, answers and claims", async () => {
    const streamId = await t.createStream('README stream', 'brand-a', { start: true });
    const watcher = await t.joinedViewer(streamId, 'readme-watcher');
    const seen: string[] = [];
    watcher.on('chat:message', (m) => seen.push(`${m.name}: ${m.text}`));
    const env = { STICKYROOM_URL: t.url, STREAM_ID: streamId };
    const withEnv = async (extra: Record<string, string>, script: string) => {
      const r = await new Promise<{ code: number; out: string; err: string }>((resolve) =>
        execFile(process.execPath, [script], { cwd: consumer, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '', ...env, ...extra } }, (error, out, err) =>
          resolve({ code: error ? 1 : 0, out, err }),
        ),
      );
      if (r.code !== 0) throw new Error(`${script}: ${r.out}\n${r.err}`);
      return r.out;
    };
    const streamerOut = await withEnv({ STREAMER_TOKEN: await t.token('streamer', 'host1', { name: 'Host' }) }, 'streamer.mjs');
    expect(streamerOut).toMatch(/^quiz \S+ open until .+\ncoupon drop \S+: 100 left\n$/);
    const viewerOut = await withEnv({ VIEWER_TOKEN: await t.token('viewer', 'alice', { name: 'Alice' }) }, 'viewer.mjs');
    expect(viewerOut).toMatch(/^README stream: \d+ watching\n/);
    // the viewer's own chat message may be printed (as it arrives) before or after the coupon line
    expect(viewerOut).toMatch(/\nyour coupon code: \S+\n/);
    expect(viewerOut).not.toContain('refused');
    await expect.poll(() => seen).toContain('Alice: hello!');
  }, 120_000);

  it('type-checks in a consumer without the DOM lib, with moduleResolution node16 and bundler', async () => {
    const check = (config: string) => run(process.execPath, [tsc, '-p', config], consumer);
    const [node16, bundler, bare] = await Promise.all([
      check(tsconfig('tsconfig.node16.json', 'node16', 'node16', ['node'])),
      check(tsconfig('tsconfig.bundler.json', 'esnext', 'bundler', ['node'])),
      // no global types at all: the dependencies need some (setTimeout, URL), the SDK's declarations none
      check(tsconfig('tsconfig.bare.json', 'esnext', 'bundler', [])),
    ]);
    expect(node16.out + node16.err).toBe('');
    expect(node16.code).toBe(0);
    expect(bundler.out + bundler.err).toBe('');
    expect(bundler.code).toBe(0);
    const failing = [...bare.out.matchAll(/^(\S+)\(\d+,\d+\): error/gm)].map((m) => m[1]!);
    expect(failing.filter((file) => !file.startsWith('node_modules/') || file.startsWith('node_modules/@stickyroom/'))).toEqual([]);
  }, 180_000);
});
