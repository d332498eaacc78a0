import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../worker/src/worker.js';
import type { TestApp } from '../helpers/app.js';
import { startTwoNodesAndWorker, type TwoNodes } from '../helpers/two-nodes.js';

let nodes: TwoNodes;
let a: TestApp;
let b: TestApp;
let worker: RunningWorker;

beforeAll(async () => {
  nodes = await startTwoNodesAndWorker();
  ({ a, b, worker } = nodes);
});

afterAll(() => nodes.close());

describe('pushes made by the worker', () => {
  it('reach the viewers of a stream on every server node, once each', async () => {
    const streamId = await a.createStream('Relay', 'brand-a', { start: true });
    const onA = await a.joinedViewer(streamId, 'va');
    const onB = await b.joinedViewer(streamId, 'vb');
    const seen = { a: 0, b: 0 };
    onA.on('coupon:ended', () => seen.a++);
    onB.on('coupon:ended', () => seen.b++);
    worker.ctx.broadcast.toStream(streamId).emit('coupon:ended', { streamId, dropId: `${streamId}.relay1`, reason: 'ended', claimed: 0 });
    await expect.poll(() => seen).toEqual({ a: 1, b: 1 });
    // a second push arrives too: the first was not simply counted twice elsewhere
    worker.ctx.broadcast.toStream(streamId).emit('coupon:ended', { streamId, dropId: `${streamId}.relay2`, reason: 'ended', claimed: 0 });
    await expect.poll(() => seen).toEqual({ a: 2, b: 2 });
  });

  it('reach every socket of one user, and only that user', async () => {
    const streamId = await a.createStream('Relay user', 'brand-a', { start: true });
    const tab1 = await a.joinedViewer(streamId, 'winner');
    const tab2 = await b.joinedViewer(streamId, 'winner');
    const other = await b.joinedViewer(streamId, 'someone-else');
    const got: string[] = [];
    tab1.on('reward:granted', () => got.push('tab1'));
    tab2.on('reward:granted', () => got.push('tab2'));
    other.on('reward:granted', () => got.push('other'));
    worker.ctx.broadcast.toUser('winner').emit('reward:granted', { streamId, source: 'lottery', prize: 'A mug' });
    await expect.poll(() => got.sort()).toEqual(['tab1', 'tab2']);
  });
});
