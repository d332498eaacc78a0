import { Decoder } from 'socket.io-parser';
import { PUSH_NAMES, requestSchemas } from '@stickyroom/sdk/protocol';
import { Mulberry32 } from '../../scripts/simulate/rng.js';

/**
 * Random raw Socket.IO frames for the protocol fuzzer, from a seed, and what the server must do with
 * each: answer it, leave the connection open, or close that connection. The expectation comes from
 * socket.io-parser's own Decoder, fed the same frames (a mirror of the server's decoder), plus the
 * rules of socket.io's Client for packets the parser accepts but the connection cannot take.
 */

/** The fuzzer's generator: mulberry32 (shared with the simulator), with integers below n. */
export class Rng extends Mulberry32 {
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Ids of the stream under attack and of what lives in it, so payloads reach past the schema checks. */
export interface Targets {
  streamId: string;
  brandId: string;
  quizId: string;
  lotteryId: string;
  dropId: string;
  productId: string;
  messageId: string;
  questionId: string;
  /** A viewer of the stream the attackers would like to mute or ban. */
  victimId: string;
}

/** What the server must do with one packet. */
export type Expect =
  | { kind: 'answer'; id: number } // an ack with this id (an EVENT with an ack id)
  | { kind: 'open' } // no answer needed, the connection stays
  | { kind: 'close' } // this connection ends (parser refused it, or socket.io cannot take it)
  | { kind: 'any' }; // either, as long as the node lives (engine.io-level oddities)

export interface Packet {
  /** The WebSocket messages that make the packet (a binary event is a text header plus buffers). */
  frames: (string | Buffer)[];
  /** For a failure message. */
  label: string;
}

const EVENTS = Object.keys(requestSchemas);
const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];
const FIELDS = [
  'streamId', 'quizId', 'lotteryId', 'dropId', 'questionId', 'messageId', 'productId', 'userId', 'brandId', 'text',
  'kind', 'count', 'option', 'visible', 'seconds', 'unban', 'slowModeSec', 'nonce', 'opId', 'lastMessageId',
  '__proto__', 'constructor', 'prototype', 'toString', '',
];
const NASTY_STRINGS = [
  '', ' ', '<script>alert(1)</script>', '\u202eevil', '\u0000', '\ud800', 'a\u0301\u0301\u0301', '⠀⠀', 'ѕсаm',
  '../../etc/passwd', '{"$gt":""}', '*', '%s%s%n', 'null', 'undefined', '-1', '1e309', '\\u0000',
];

/** A JSON text for a random value: any type, nested, sometimes big (the frame cap is 16 kB). */
function jsonValue(r: Rng, t: Targets, depth = 0): string {
  const roll = r.int(depth > 3 ? 6 : 10);
  switch (roll) {
    case 0:
      return 'null';
    case 1:
      return r.chance(0.5) ? 'true' : 'false';
    case 2:
      return r.pick(['0', '-0', '1', '-1', '1.5', '1e308', '-1e308', '9007199254740993', '123456789012345678901234567890', '5e-324', String(r.int(1e9))]);
    case 3:
      return JSON.stringify(r.pick([...NASTY_STRINGS, ...Object.values(t)]));
    case 4:
      return JSON.stringify(randomString(r, r.chance(0.1) ? 4000 : 40));
    case 5:
      return JSON.stringify(r.pick(Object.values(t)));
    case 6:
    case 7: {
      const n = r.int(5);
      return `[${Array.from({ length: n }, () => jsonValue(r, t, depth + 1)).join(',')}]`;
    }
    default: {
      const n = r.int(5);
      const pairs = Array.from({ length: n }, () => `${JSON.stringify(r.pick(FIELDS))}:${jsonValue(r, t, depth + 1)}`);
      return `{${pairs.join(',')}}`;
    }
  }
}

function randomString(r: Rng, max: number): string {
  const n = r.int(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = r.int(10);
    s += c < 6 ? String.fromCharCode(32 + r.int(95)) : c < 8 ? String.fromCharCode(r.int(0x3000)) : String.fromCharCode(0xd800 + r.int(0x800));
  }
  return s;
}

/** Big on purpose: deep nesting and wide objects, under the 16 kB frame cap. */
function hugeValue(r: Rng): string {
  switch (r.int(4)) {
    case 0: {
      const d = 500 + r.int(4000);
      return `${'['.repeat(d)}${']'.repeat(d)}`;
    }
    case 1: {
      const d = 500 + r.int(1500);
      return `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`;
    }
    case 2:
      return `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    default:
      return `[${Array.from({ length: 2000 }, () => String(r.int(10))).join(',')}]`;
  }
}

/** A payload shaped like the event's schema, with the target's ids, so authorization is what refuses it. */
function targetedPayload(r: Rng, event: string, t: Targets): unknown {
  const s = t.streamId;
  switch (event) {
    case 'room:join':
      return { streamId: 'decoy-stream' }; // joining the target would change its presence: never
    case 'stream:start':
    case 'stream:end':
    case 'room:leave':
      return { streamId: s };
    case 'chat:send':
    case 'qa:ask':
      return { streamId: s, text: r.pick(NASTY_STRINGS) || 'hello' };
    case 'chat:delete':
      return { streamId: s, messageId: t.messageId };
    case 'chat:pin':
      return { streamId: s, messageId: r.chance(0.5) ? t.messageId : null };
    case 'chat:mute':
      return { streamId: s, userId: t.victimId, seconds: 600 };
    case 'chat:ban':
      return { streamId: s, userId: t.victimId, unban: r.chance(0.5) };
    case 'chat:settings':
      return { streamId: s, slowModeSec: 60, blockedWords: ['hello'] };
    case 'reaction:send':
      return { streamId: s, kind: 'like', count: 50 };
    case 'presence:heartbeat':
      return { streamId: s, visible: true };
    case 'product:click':
      return { streamId: s, productId: t.productId };
    case 'product:pin':
      return { streamId: s, product: r.chance(0.5) ? null : { id: 'evil', title: 'Free money', price: 0, currency: 'USD' } };
    case 'quiz:create':
      return { streamId: s, question: 'Q?', options: ['a', 'b'], correctOption: 0, durationSec: 60, reward: { points: 1_000_000 } };
    case 'quiz:answer':
      return { quizId: t.quizId, option: r.int(2) };
    case 'quiz:close':
      return { quizId: t.quizId };
    case 'lottery:create':
      return { streamId: s, prize: 'Car', winners: 1, durationSec: 60 };
    case 'lottery:enter':
      return { lotteryId: t.lotteryId };
    case 'lottery:draw':
      return { lotteryId: t.lotteryId };
    case 'coupon:drop':
      return { streamId: s, title: 'All free', discount: { type: 'percent', value: 100 }, quantity: 1_000_000, durationSec: 60 };
    case 'coupon:claim':
      return { dropId: t.dropId };
    case 'coupon:end':
      return { dropId: t.dropId };
    case 'qa:upvote':
      return { questionId: t.questionId };
    case 'qa:answered':
      return { questionId: t.questionId, reward: { points: 1_000_000 } };
    case 'points:get':
      return { brandId: t.brandId };
    default:
      return { streamId: s };
  }
}

/** An event name of any JSON type (one in a hundred is a type the parser refuses, which ends the connection). */
function eventName(r: Rng): string {
  const roll = r.int(200);
  if (roll < 120) return JSON.stringify(r.pick(EVENTS));
  if (roll < 132) return JSON.stringify(r.pick(PUSH_NAMES));
  if (roll < 138) return JSON.stringify(r.pick([...RESERVED, 'error', 'error', '__proto__', 'constructor', 'toString', '']));
  if (roll < 160) return JSON.stringify(randomString(r, r.chance(0.1) ? 6000 : 30));
  if (roll < 198) return r.pick(['1', '0', '-1', '1.5', '1e308', '-0', '123456789012345678901234567890']);
  return r.pick(['null', 'true', 'false', '{}', '{"a":1}', '[]', '["chat:send"]']);
}

/** Arguments after the name: none, a targeted payload, random values, or something huge. */
function eventArgs(r: Rng, name: string, t: Targets): string[] {
  const roll = r.int(10);
  if (roll === 0) return [];
  let event: string | undefined;
  try {
    const parsed: unknown = JSON.parse(name);
    event = typeof parsed === 'string' ? parsed : undefined;
  } catch {
    event = undefined;
  }
  if (roll < 6 && event !== undefined) {
    // a random field of the targeted payload swapped for a random value, sometimes
    const p = targetedPayload(r, event, t) as Record<string, unknown>;
    let text = JSON.stringify(p);
    if (r.chance(0.3)) {
      const keys = Object.keys(p);
      if (keys.length) text = text.replace(JSON.stringify(p[r.pick(keys)!]), jsonValue(r, t));
    }
    if (event === 'room:join' && text.includes(t.streamId)) text = JSON.stringify({ streamId: 'decoy-stream' });
    return r.chance(0.1) ? [text, jsonValue(r, t)] : [text];
  }
  if (roll < 8) {
    const v = jsonValue(r, t);
    // never a join of the target stream, whatever the random value holds
    if (event === 'room:join' && v.includes(t.streamId)) return ['{}'];
    return [v];
  }
  if (roll < 9) return [hugeValue(r)];
  return Array.from({ length: 2 + r.int(4) }, () => jsonValue(r, t));
}

/** Decides what the server does with a packet, by decoding it exactly as socket.io does. */
export class Oracle {
  private decoder = new Decoder();
  private failed = false;
  /** A binary packet is still waiting for buffers: the next text frame will end the connection. */
  waiting = false;
  /** `connected`: the socket is connected to `/` (false for a connection whose CONNECT was refused). */
  constructor(
    private readonly connected: boolean,
    private readonly maxFrameBytes: number,
  ) {}

  /**
   * Feeds one packet's frames; the expectation for the packet. An engine.io packet other than a message
   * (ping, noop, upgrade, garbage) may or may not end the connection: `any`, and the session stops there.
   */
  judge(frames: (string | Buffer)[]): Expect {
    if (this.failed) return { kind: 'close' };
    let decoded: { type: number; nsp: string; id?: number } | undefined;
    this.decoder.on('decoded', (p: { type: number; nsp: string; id?: number }) => (decoded = p));
    try {
      for (const f of frames) {
        const bytes = typeof f === 'string' ? Buffer.byteLength(f) : f.length;
        if (bytes > this.maxFrameBytes) return this.fail();
        if (typeof f === 'string') {
          if (f[0] !== '4') return { kind: 'any' };
          this.decoder.add(f.slice(1));
        } else {
          this.decoder.add(f);
        }
      }
    } catch {
      return this.fail();
    } finally {
      this.decoder.off('decoded');
    }
    this.waiting = !decoded;
    if (!decoded) return { kind: 'open' }; // a binary packet still waiting for its buffers
    const p = decoded as { type: number; nsp: string; id?: number };
    if (p.nsp !== '/') return p.type === 0 ? { kind: 'open' } : this.fail(); // CONNECT elsewhere: refused there
    if (!this.connected) return p.type === 0 ? { kind: 'open' } : this.fail();
    if (p.type === 0 || p.type === 4) return this.fail(); // a second CONNECT, or a CONNECT_ERROR from a client
    // DISCONNECT: the socket leaves `/`, and a packet after it ends the connection, unless it arrived
    // in the same read as the DISCONNECT (socket.io handles packets a tick late): either may happen.
    if (p.type === 1) return { kind: 'any' };
    if (p.type === 2 && p.id !== undefined) {
      return Number.isSafeInteger(p.id) && p.id < 2 ** 31 ? { kind: 'answer', id: p.id } : { kind: 'open' };
    }
    return { kind: 'open' };
  }

  private fail(): Expect {
    this.failed = true;
    return { kind: 'close' };
  }
}

/** One random packet for an authenticated connection (mostly events) or an unauthenticated one. */
export function randomPacket(r: Rng, t: Targets, opts: { nextId: () => number; authenticated: boolean }): Packet {
  const roll = r.int(1000);
  const nsp = r.chance(0.005) ? r.pick(['/admin', '/x', '/', '/../', '/\u0000']) + ',' : '';
  const ack = () => (r.chance(0.6) ? String(opts.nextId()) : r.chance(0.02) ? '99999999999999999999' : '');

  if (!opts.authenticated && roll < 600) {
    // CONNECT with an odd auth payload: refused with CONNECT_ERROR, the connection stays
    const auth = r.pick(['', '{}', '{"token":null}', '{"token":1}', '{"token":{}}', '{"token":["x"]}', `{"token":${JSON.stringify(randomString(r, 300))}}`, '{"token":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."}', jsonValue(r, t)]);
    return { frames: [`40${nsp}${auth}`], label: 'connect' };
  }
  if (roll < 790) {
    const name = eventName(r);
    const args = eventArgs(r, name, t);
    return { frames: [`42${nsp}${ack()}[${[name, ...args].join(',')}]`], label: 'event' };
  }
  if (roll < 830) {
    // a binary event: placeholders in the args, buffers after (sometimes the wrong number of them)
    const n = 1 + r.int(3);
    const name = JSON.stringify(r.pick(EVENTS));
    const holders = Array.from({ length: n }, (_, i) => `{"_placeholder":true,"num":${r.chance(0.05) ? n + 3 : i}}`);
    const payload = r.chance(0.5) ? `{"streamId":${holders[0]},"text":${holders[1] ?? '"x"'}}` : `[${holders.join(',')}]`;
    const declared = r.chance(0.05) ? r.pick([0, n + 1, 11, -1]) : n;
    const sent = r.chance(0.05) ? Math.max(0, n - 1) : n;
    const frames: (string | Buffer)[] = [`45${declared}-${nsp}${ack()}[${name},${payload}]`];
    for (let i = 0; i < sent; i++) frames.push(Buffer.alloc(r.chance(0.1) ? 8000 : r.int(64), r.int(256)));
    return { frames, label: 'binary event' };
  }
  if (roll < 870) {
    // ACK / BINARY_ACK for ids the server never used
    if (r.chance(0.5)) return { frames: [`43${nsp}${r.int(1e6)}${r.chance(0.8) ? `[${jsonValue(r, t)}]` : ''}`], label: 'ack' };
    return { frames: [`461-${nsp}${r.int(1e6)}[{"_placeholder":true,"num":0}]`, Buffer.alloc(r.int(32))], label: 'binary ack' };
  }
  if (roll < 880) {
    return { frames: [`40${nsp}${r.chance(0.5) ? jsonValue(r, t) : ''}`], label: 'connect again' };
  }
  if (roll < 888) return { frames: [`41${nsp}`], label: 'disconnect' };
  if (roll < 891) return { frames: [`44${nsp}${r.chance(0.5) ? '{"message":"x"}' : '"x"'}`], label: 'connect_error' };
  if (roll < 901) {
    // malformed: cut short, junk, a type that does not exist, a buffer nobody announced
    const base = `42${ack()}[${eventName(r)},${jsonValue(r, t)}]`;
    const bad = r.pick([
      base.slice(0, 2 + r.int(base.length - 2)),
      `42${r.pick(['[', '{', '"', 'x', '[}', '[1,]', '[,]', '[\'a\']', '[NaN]', '[undefined]'])}`,
      `4${r.pick(['7', '8', '9', 'a', '-', ' '])}${base.slice(2)}`,
      `45${r.pick(['', 'x', '-', '1', '1.5-', '-1-'])}[${eventName(r)}]`,
    ]);
    if (r.chance(0.15)) return { frames: [Buffer.alloc(1 + r.int(100), 1)], label: 'stray buffer' };
    return { frames: [bad], label: 'malformed' };
  }
  if (roll < 911) {
    // engine.io packets other than a message
    const f = r.pick(['2', '3', '6', '5', '2probe', '3probe', '']);
    return { frames: [f], label: `engine.io ${JSON.stringify(f)}` };
  }
  if (roll < 913) return { frames: [`42["x","${'y'.repeat(17_000)}"]`], label: 'over the frame cap' };
  // an event with a huge but legal payload
  return { frames: [`42${ack()}[${JSON.stringify(r.pick(EVENTS))},${hugeValue(r)}]`], label: 'huge' };
}
