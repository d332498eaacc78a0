import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { openRaw, type RawSocket } from '../helpers/raw-socket.js';

// Issue 7, item 1: every packet socket.io-parser accepts is answered, ignored, or ends that one
// connection; nothing throws. A throw here would surface as an uncaught error and fail the run.
let t: TestApp;
let viewerToken: string;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '100000' });
  viewerToken = await t.token('viewer', 'odd-packets');
});
afterAll(async () => {
  await t.close();
});

const PROBE_ID = 777;
/** A known-good packet after the odd one: its ack proves the connection (and the node) still serve. */
async function stillServes(s: RawSocket): Promise<void> {
  s.send(`42${PROBE_ID}["no:such:event"]`);
  expect(await s.ack(PROBE_ID)).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
}

const viewerSocket = () => openRaw(t.url, { auth: { token: viewerToken } });
const bin = (n: number) => Buffer.alloc(n, 7);

describe('the reproduction', () => {
  it('survives socket.emit(1) from a viewer, and answers it when it carries an ack', async () => {
    const socket = ioClient(t.url, { auth: { token: viewerToken }, transports: ['websocket'] });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const raw = socket as unknown as {
        emit(e: unknown, ...a: unknown[]): void;
        timeout(ms: number): { emitWithAck(e: unknown, ...a: unknown[]): Promise<unknown> };
      };
      raw.emit(1); // the raw frame 42[1] that used to end the process
      expect(await raw.timeout(5000).emitWithAck(1)).toEqual({
        ok: false,
        error: { code: 'unknown_event', message: 'event names are strings, not a number' },
      });
      expect(await raw.timeout(5000).emitWithAck('points:get', { brandId: 'brand-a' })).toMatchObject({ ok: true });
    } finally {
      socket.close();
    }
  });
});

describe('packets the parser accepts, with an ack id: answered with a typed error', () => {
  const cases: [string, string, string][] = [
    ['a number as event name', '421[1]', 'unknown_event'],
    ['a float as event name, with args', '421[-1.5e300,{"streamId":"x"}]', 'unknown_event'],
    ['"error" as event name', '421["error",{"message":"boom"}]', 'unknown_event'],
    ['a prototype key as event name', '421["__proto__"]', 'unknown_event'],
    ['"constructor" as event name', '421["constructor",{}]', 'unknown_event'],
    ['a 10,000-character event name', `421["${'x'.repeat(10_000)}"]`, 'unknown_event'],
    ['a real event with no payload', '421["room:join"]', 'invalid_payload'],
    ['a real event with a number payload', '421["room:join",1]', 'invalid_payload'],
    ['a real event with null and extra args', '421["chat:send",null,2,"three"]', 'invalid_payload'],
    ['a real event with an array payload', '421["reaction:send",[{"streamId":"x"}]]', 'invalid_payload'],
    ['a staff event from a viewer', '421["stream:end",{"streamId":"x"}]', 'forbidden'],
    ['a deeply nested payload', `421["room:join",${'['.repeat(3000)}${']'.repeat(3000)}]`, 'invalid_payload'],
    ['an ack id past 2^53', '4299999999999999999999["room:join"]', ''],
  ];
  for (const [name, frame, code] of cases) {
    it(name, async () => {
      const s = await viewerSocket();
      try {
        s.send(frame);
        const id = Number(/^42(\d+)/.exec(frame)![1]);
        if (code) expect(await s.ack(id)).toMatchObject({ ok: false, error: { code } });
        await stillServes(s);
      } finally {
        s.close();
      }
    });
  }

  it('a binary event whose payload is a 16,000-byte buffer', async () => {
    const s = await viewerSocket();
    try {
      s.send('451-5["room:join",{"_placeholder":true,"num":0}]');
      s.send(bin(16_000));
      expect(await s.ack(5)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      await stillServes(s);
    } finally {
      s.close();
    }
  });

  it('a binary event with buffers inside a valid-looking payload', async () => {
    const s = await viewerSocket();
    try {
      s.send('452-6["chat:send",{"streamId":{"_placeholder":true,"num":0},"text":{"_placeholder":true,"num":1}}]');
      s.send(bin(10));
      s.send(bin(10));
      expect(await s.ack(6)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      await stillServes(s);
    } finally {
      s.close();
    }
  });
});

describe('packets the parser accepts without an ack id, or that need no answer: ignored', () => {
  const cases: [string, (string | Buffer)[]][] = [
    ['a number as event name', ['42[1]']],
    ['a real event with no payload', ['42["room:join"]']],
    ['"error" as event name', ['42["error"]']],
    ['an ACK for an id the server never sent', ['43999[1,2,3]']],
    ['an ACK with no data', ['435[]']],
    ['a binary ACK for an unknown id', ['461-12[{"_placeholder":true,"num":0}]', bin(3)]],
    ['a CONNECT to an unknown namespace (refused there, this one lives on)', ['40/admin,{"token":1}']],
  ];
  for (const [name, frames] of cases) {
    it(name, async () => {
      const s = await viewerSocket();
      try {
        for (const f of frames) s.send(f);
        await stillServes(s);
        expect(s.messages.filter((m) => !m.startsWith(`43${PROBE_ID}[`) && !m.startsWith('44/admin,'))).toEqual([]);
      } finally {
        s.close();
      }
    });
  }
});

describe('packets after a DISCONNECT', () => {
  it('are dropped like socket.io drops them, even when they arrive in the same read as the DISCONNECT', async () => {
    const id = await t.createStream('after disconnect', 'brand-a', { start: true });
    for (let i = 0; i < 20; i++) {
      const s = await viewerSocket();
      s.send('41');
      s.send(`421["room:join",{"streamId":"${id}"}]`);
      s.send('422["no:such:event"]'); // would be answered at once, if it were handled at all
      await s.roundTrip();
      expect(s.messages).toEqual([]);
      s.send('42["anything"]'); // a packet for a namespace this connection left: socket.io closes it
      await s.closed;
    }
    expect(t.app.io.of('/').adapter.rooms.get(`s:${id}`)?.size ?? 0).toBe(0);
  });
});

describe('packets the parser or socket.io refuses: that connection is closed, nothing else', () => {
  const cases: [string, (string | Buffer)[]][] = [
    ['malformed JSON', ['42[{]']],
    ['null as event name', ['42[null]']],
    ['true as event name', ['42[true]']],
    ['an object as event name', ['42[{"a":1}]']],
    ['an array as event name', ['42[[1]]']],
    ['an empty array', ['42[]']],
    ['an object instead of an array', ['42{"0":"room:join"}']],
    ['a reserved event name', ['42["disconnect"]']],
    ['an unknown packet type', ['47["x"]']],
    ['a second CONNECT on the same namespace', ['40{"token":"again"}']],
    ['a CONNECT_ERROR from the client', ['44{"message":"x"}']],
    ['an event for a namespace it never joined', ['42/admin,["x"]']],
    ['a binary event with a placeholder past its attachments', ['451-["x",{"_placeholder":true,"num":5}]', bin(2)]],
    ['a binary event followed by text instead of its buffer', ['451-["x",{"_placeholder":true,"num":0}]', '42["x"]']],
    ['a binary event with 0 attachments', ['450-["x"]']],
    ['a binary event with too many attachments', ['4511-["x"]']],
    ['a buffer nobody announced', [bin(4)]],
    ['a frame over MAX_PAYLOAD_BYTES', [`42["x","${'y'.repeat(20_000)}"]`]],
  ];
  for (const [name, frames] of cases) {
    it(name, async () => {
      const bystander = await viewerSocket();
      const s = await viewerSocket();
      try {
        for (const f of frames) s.send(f);
        await s.closed;
        await stillServes(bystander);
      } finally {
        s.close();
        bystander.close();
      }
    });
  }
});

describe('the handshake', () => {
  const auths: [string, unknown][] = [
    ['no auth at all', undefined],
    ['a number as token', { token: 1 }],
    ['an object as token', { token: { sub: 'admin' } }],
    ['a 10 kB token', { token: 'x'.repeat(10_000) }],
    ['a forged token', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwicm9sZSI6ImFkbWluIn0.' }],
  ];
  for (const [name, auth] of auths) {
    it(`refuses ${name} with connect_error unauthorized, and stays up`, async () => {
      const s = await openRaw(t.url, { auth });
      try {
        expect(s.connectReply).toMatch(/^44\{/);
        expect(JSON.parse(s.connectReply!.slice(2))).toMatchObject({ data: { code: 'unauthorized' } });
      } finally {
        s.close();
      }
      const ok = await viewerSocket();
      await stillServes(ok);
      ok.close();
    });
  }

  it('closes a connection that sends events before it connected', async () => {
    const s = await openRaw(t.url, { auth: 'skip' });
    s.send('42["room:join",{"streamId":"x"}]');
    await s.closed;
  });
});

// Issue 7, item 9: a 16,000-byte binary payload once got a 166,678-byte ack listing every key.
describe('refusals stay short, whatever was sent', () => {
  const MAX_ACK_BYTES = 500;

  it('answers a 16,000-byte binary payload in a few hundred bytes', async () => {
    const s = await viewerSocket();
    try {
      s.send('451-8["room:join",{"_placeholder":true,"num":0}]');
      s.send(bin(16_000));
      const m = await s.next((x) => x.startsWith('438['));
      expect(Buffer.byteLength(m)).toBeLessThan(MAX_ACK_BYTES);
      expect(JSON.parse(m.slice(3))[0]).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringMatching(/^streamId: .*Unrecognized keys: "0", "1"/) } });
    } finally {
      s.close();
    }
  });

  it('answers an object of 1,000 unknown keys, and a key of 10,000 characters, in a few hundred bytes', async () => {
    const s = await viewerSocket();
    try {
      const manyKeys = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
      s.send(`429${JSON.stringify(['room:join', { streamId: 's', ...manyKeys }])}`);
      s.send(`4210${JSON.stringify(['reaction:send', { streamId: 's', kind: 'like', ['k'.repeat(10_000)]: 1 }])}`);
      for (const id of [9, 10]) {
        const m = await s.next((x) => x.startsWith(`43${id}[`));
        expect(Buffer.byteLength(m)).toBeLessThan(MAX_ACK_BYTES);
      }
    } finally {
      s.close();
    }
  });

  it('answers an HTTP body of 3,000 unknown keys in a few hundred bytes', async () => {
    const body = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field${i}`, i]));
    const res = await t.http('POST', '/api/streams', { token: await t.token('streamer', 'host', { brandId: 'brand-a' }), body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
    expect(Buffer.byteLength(res.text)).toBeLessThan(MAX_ACK_BYTES);
  });
});
