import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, type JWTPayload } from 'jose';
import { io as connect } from 'socket.io-client';
import type { StickyroomError } from '@stickyroom/sdk';
import { NAME_MAX_CHARS } from '@stickyroom/sdk/protocol';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const HOUR = 3600;
const nowSec = () => Math.floor(Date.now() / 1000);

/** A token with exactly these claims (and a viewer's role and sub unless given): what a careless issuer mints. */
function mint(claims: JWTPayload): Promise<string> {
  return new SignJWT({ role: 'viewer', sub: 'careless', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

/** The SDK's refusal of a token, or 'connected'. */
async function sdkConnect(token: string): Promise<{ code: string; message: string } | 'connected'> {
  try {
    (await t.viewer('probe', { token })).close();
    return 'connected';
  } catch (err) {
    const e = err as StickyroomError;
    return { code: e.code, message: e.message };
  }
}

/** The raw handshake refusal: `connect_error` message and data. */
function rawConnect(token: string): Promise<{ message: string; data: unknown } | 'connected'> {
  const socket = connect(t.url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.on('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      socket.disconnect();
      resolve({ message: err.message, data: err.data });
    });
  });
}

describe('token lifetime (JWT_MAX_TTL, 24h by default)', () => {
  it('refuses a token without exp, saying so on the socket, through the SDK and over HTTP', async () => {
    const token = await mint({ iat: nowSec() });
    expect(await rawConnect(token)).toEqual({ message: 'token has no exp', data: { code: 'unauthorized' } });
    expect(await sdkConnect(token)).toEqual({ code: 'unauthorized', message: 'token has no exp' });
    const res = await t.http('GET', '/api/streams/any', { token });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthorized', message: 'token has no exp' });
  });

  it('refuses a token that lives ten years, naming its lifetime and the cap', async () => {
    const iat = nowSec();
    const token = await mint({ iat, exp: iat + 87_600 * HOUR });
    const message = 'token lifetime 87600h exceeds JWT_MAX_TTL 24h';
    expect(await rawConnect(token)).toEqual({ message, data: { code: 'unauthorized' } });
    expect(await sdkConnect(token)).toEqual({ code: 'unauthorized', message });
    expect((await t.http('GET', '/api/streams/any', { token })).body.error.message).toBe(message);
  });

  it('counts from now when the token has no iat, and from now when iat is set in the future', async () => {
    expect(await sdkConnect(await mint({ exp: nowSec() + 48 * HOUR }))).toEqual({
      code: 'unauthorized',
      message: expect.stringMatching(/^token lifetime 4[78]h\S* exceeds JWT_MAX_TTL 24h$/),
    });
    // iat a year ahead makes exp - iat one hour: the token still lives a year from now
    const exp = nowSec() + 365 * 24 * HOUR;
    expect(await sdkConnect(await mint({ iat: exp - HOUR, exp }))).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/exceeds JWT_MAX_TTL 24h$/) });
  });

  it('accepts a token of exactly the cap, and one without iat within it', async () => {
    expect(await sdkConnect(await t.tokens.sign({ sub: 'daylong', role: 'viewer' }, 24 * HOUR))).toBe('connected');
    expect(await sdkConnect(await mint({ exp: nowSec() + HOUR }))).toBe('connected');
  });

  it('refuses a token whose nbf is ahead as not yet valid, not as malformed', async () => {
    const iat = nowSec();
    const token = await mint({ iat, nbf: iat + HOUR, exp: iat + 2 * HOUR });
    const res = await sdkConnect(token);
    expect(res).toEqual({ code: 'unauthorized', message: expect.stringMatching(/^token not yet valid \(nbf is (1h|59m\d*s?) from now\)$/) });
    expect((await t.http('GET', '/api/streams/any', { token })).body.error.message).toMatch(/^token not yet valid/);
  });

  it('says what is wrong with an exp that is not a number, or another algorithm', async () => {
    expect(await sdkConnect(await mint({ exp: 'tomorrow' as unknown as number }))).toEqual({ code: 'unauthorized', message: 'token exp is not a number of seconds' });
    const hs512 = await new SignJWT({ role: 'viewer', sub: 'x' })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect(await sdkConnect(hs512)).toEqual({ code: 'unauthorized', message: 'token algorithm must be HS256' });
  });
});

/** A stream of brand-a, live, and what its room sees of `sender`'s chat message. */
async function seenInRoom(sender: { chat(streamId: string, text: string): Promise<{ message: { role?: string; name: string } }>; join(id: string): Promise<unknown> }, text: string) {
  const id = await t.createStream('roles', 'brand-a', { start: true });
  const watcher = await t.joinedViewer(id, `watcher-${text.length}-${Math.random().toString(36).slice(2, 8)}`);
  await sender.join(id);
  const seen = watcher.once('chat:message', (m) => m.text === text);
  const { message } = await sender.chat(id, text);
  const pushed = await seen;
  expect(pushed).toEqual(message);
  return { role: pushed.role, name: pushed.name };
}

describe('what the room sees of a sender', () => {
  it('shows a streamer of another brand as a viewer, whatever name it claims', async () => {
    const intruder = await t.streamer('b-host', 'brand-b', { name: 'Official Host' });
    expect(await seenInRoom(intruder, 'welcome everyone')).toEqual({ role: 'viewer', name: 'Official Host' });
    const otherMod = await t.streamer('b-mod', 'brand-b', { role: 'moderator' });
    expect((await seenInRoom(otherMod, 'i moderate here')).role).toBe('viewer');
  });

  it('shows staff and the brand team of the stream\'s own brand with their role', async () => {
    expect((await seenInRoom(await t.streamer('a-host', 'brand-a'), 'hello from the host')).role).toBe('streamer');
    expect((await seenInRoom(await t.streamer('a-mod', 'brand-a', { role: 'moderator' }), 'mod here')).role).toBe('moderator');
    const team = await t.viewer('a-team', { token: await t.token('brand', 'a-team', { brandId: 'brand-a' }) });
    expect((await seenInRoom(team, 'brand team here')).role).toBe('brand');
    const otherTeam = await t.viewer('b-team', { token: await t.token('brand', 'b-team', { brandId: 'brand-b' }) });
    expect((await seenInRoom(otherTeam, 'other brand team')).role).toBe('viewer');
  });

  it('shows an admin as admin in any brand\'s stream', async () => {
    expect((await seenInRoom(await t.streamer('ops', 'deployment', { role: 'admin' }), 'admin here')).role).toBe('admin');
  });

  it('shows a viewer as a viewer', async () => {
    expect(await seenInRoom(await t.viewer('plain', { name: 'Plain Viewer' }), 'just watching')).toEqual({ role: 'viewer', name: 'Plain Viewer' });
  });
});

describe('display names follow the text rules', () => {
  const named = async (sub: string, name: string) => t.viewer(sub, { token: await t.tokens.sign({ sub, role: 'viewer', name }) });

  it('removes a bidi override from a name and keeps markup as text', async () => {
    expect((await seenInRoom(await named('rlo', 'Bob\u202Etsoh\u202C'), 'hi from bob')).name).toBe('Bobtsoh');
    expect((await seenInRoom(await named('tag', '<script>alert(1)</script>'), 'hi from tag')).name).toBe('<script>alert(1)</script>');
  });

  it('shows the user id for a name that shows nothing, instead of refusing the connection', async () => {
    expect((await seenInRoom(await named('blank-1', '⠀⠀'), 'hi from blank one')).name).toBe('blank-1');
    expect((await seenInRoom(await named('blank-2', 'ㅤ\u200B'), 'hi from blank two')).name).toBe('blank-2');
    const notText = await t.viewer('nums', { token: await mint({ sub: 'nums', name: 12345, iat: nowSec(), exp: nowSec() + HOUR }) });
    expect((await seenInRoom(notText, 'hi from nums')).name).toBe('nums');
  });

  it(`cuts a long name to ${NAME_MAX_CHARS} characters instead of refusing the token`, async () => {
    expect((await seenInRoom(await named('long', 'N'.repeat(500)), 'hi from long')).name).toBe('N'.repeat(NAME_MAX_CHARS));
  });

  it('cleans the name on questions, pins and the moderation log too', async () => {
    const id = await t.createStream('names everywhere', 'brand-a', { start: true });
    const asker = await named('asker', '\u2066Asker\u2069⠀');
    await asker.join(id);
    const { question } = await asker.ask(id, 'is it real?');
    expect(question.name).toBe('Asker');

    const host = await t.streamer('pin-host', 'brand-a', { name: '\u202EHost\u0007' });
    await host.join(id);
    const pinned = asker.once('chat:pinned', (e) => e.pinned !== null);
    const { message } = await asker.chat(id, 'pin me');
    await host.pinMessage(id, message.id);
    expect((await pinned).pinned).toMatchObject({ pinnedBy: 'Host', message: { name: 'Asker' } });
    const log = await t.http('GET', `/api/streams/${id}/moderation`, { token: await t.token('brand', 'analyst', { brandId: 'brand-a' }) });
    expect(log.body.actions[0].by).toEqual({ id: 'pin-host', name: 'Host', role: 'streamer' });
  });
});

describe('chat and question text', () => {
  type Raw = { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<any> } };

  it('refuses invisible-only text and lone surrogates with invalid_payload and a clear message', async () => {
    const id = await t.createStream('blank', 'brand-a', { start: true });
    const v = await t.joinedViewer(id, 'blanker');
    const raw = (v.socket as unknown as Raw).timeout(5000);
    for (const text of ['⠀⠀', 'ㅤ', '\u115F\u1160', '\uFFA0', '\u200B']) {
      expect(await raw.emitWithAck('chat:send', { streamId: id, text })).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('must not be empty') } });
      expect(await raw.emitWithAck('qa:ask', { streamId: id, text })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(await raw.emitWithAck('chat:send', { streamId: id, text: 'hi \uD800' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: expect.stringContaining('lone surrogate') },
    });
    expect(await raw.emitWithAck('chat:send', { streamId: id, text: `a${'\u0301'.repeat(499)}` })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: expect.stringContaining('combining marks') },
    });
    expect(await t.chatTexts(id)).toEqual([]);
  });

  it('keeps the joiner of a ZWJ emoji sequence in the stored text', async () => {
    const id = await t.createStream('family', 'brand-a', { start: true });
    const v = await t.joinedViewer(id, 'family');
    expect((await v.chat(id, 'we are 👨‍👩‍👧')).message.text).toBe('we are 👨‍👩‍👧');
    expect(await t.chatTexts(id)).toEqual(['we are 👨‍👩‍👧']);
  });

  it('catches a blocked word behind a soft hyphen, an accent or Cyrillic letters, in chat and in questions', async () => {
    const id = await t.createStream('disguises', 'brand-a', { start: true });
    const host = await t.streamer('disguise-host', 'brand-a');
    await host.chatSettings(id, { blockedWords: ['scam'] });
    const disguises = ['sc\u00ADam', 's\u0301cam', 'ѕсаm', 'total ＳＣΑＭ!'];
    for (const [i, text] of disguises.entries()) {
      const v = await t.joinedViewer(id, `disguiser-${i}`);
      await expect(v.chat(id, text)).rejects.toMatchObject({ code: 'invalid_payload', reason: 'blocked_word' });
      await expect(v.ask(id, text)).rejects.toMatchObject({ code: 'invalid_payload', reason: 'blocked_word' });
    }
    expect(await t.chatTexts(id)).toEqual([]);
  });

  it('stores and shows the text as written, not its skeleton', async () => {
    const id = await t.createStream('as written', 'brand-a', { start: true });
    const host = await t.streamer('written-host', 'brand-a');
    await host.chatSettings(id, { blockedWords: ['spam'] });
    const v = await t.joinedViewer(id, 'writer');
    for (const text of ['Ｈｅｌｌｏ Ѕрring', 'Straße déjà vu', 'sc\u00ADampi']) expect((await v.chat(id, text)).message.text).toBe(text);
    expect(await t.chatTexts(id)).toEqual(['Ｈｅｌｌｏ Ѕрring', 'Straße déjà vu', 'sc\u00ADampi']);
  });
});
