import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_BUNDLE_BUDGET_GZIP, browserBundle } from '../../client-sdk/scripts/build.js';

// The browser bundle as the SDK's build makes it (same options), in memory: a size check, not a timing.
let code: Uint8Array;
let inputs: string[];
let exported: string[];

const fromPackage = (name: string) => (path: string) => path.includes(`node_modules/${name}/`);

beforeAll(async () => {
  const out = await build({ ...browserBundle, write: false, outdir: 'dist-in-memory', logLevel: 'silent' });
  code = out.outputFiles[0]!.contents;
  const output = Object.values((out.metafile as Metafile).outputs)[0]!;
  // the modules whose code is in the bundle (a module parsed and then shaken out counts 0 bytes)
  inputs = Object.entries(output.inputs).flatMap(([path, { bytesInOutput }]) => (bytesInOutput > 0 ? [path] : []));
  exported = output.exports;
});

describe('the SDK browser bundle', () => {
  it(`stays within ${BROWSER_BUNDLE_BUDGET_GZIP / 1024} kB gzip, socket.io-client included`, () => {
    expect(inputs.some(fromPackage('socket.io-client'))).toBe(true);
    expect(gzipSync(code).length).toBeLessThanOrEqual(BROWSER_BUNDLE_BUDGET_GZIP);
  });

  it('carries no zod: the client reads plain values from protocol/constants.ts, never a schema file', () => {
    expect(inputs.filter(fromPackage('zod'))).toEqual([]);
  });

  it('offers the clients and the draw check, and the bundled verifyDraw verifies a draw', async () => {
    expect(exported).toEqual(expect.arrayContaining(['createViewerClient', 'createStreamerClient', 'verifyDraw', 'StickyroomError']));
    const sdk = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as typeof import('@stickyroom/sdk');
    const seed = 'ab'.repeat(32);
    const entries = ['amy', 'bo', 'cy', 'di'];
    const { winners, entrantsHash } = await sdk.deriveWinners(seed, entries, 2);
    const draw = { commitment: await sdk.commitmentOf(seed), seed, winnerCount: 2, winners, entrantsHash, entries };
    expect(await sdk.verifyDraw(draw)).toMatchObject({ valid: true });
    expect(await sdk.verifyDraw({ ...draw, winners: [...winners].reverse() })).toMatchObject({ valid: false, winnersMatch: false });
  });
});

describe('the SDK entry point in Node', () => {
  it('loads socket.io-client and nothing else at run time (zod only through @stickyroom/sdk/protocol)', async () => {
    const out = await build({ ...browserBundle, platform: 'node', packages: 'external', write: false, outdir: 'dist-in-memory', logLevel: 'silent' });
    const packages = Object.values(out.metafile!.outputs)[0]!.imports.map((i) => i.path);
    expect([...new Set(packages)]).toEqual(['socket.io-client']);
  });
});
