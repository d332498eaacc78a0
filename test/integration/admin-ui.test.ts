import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestApp, type TestApp } from '../helpers/app.js';

const PASSWORD = 'admin-ui-password-0123456789';

let t: TestApp | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await t?.close();
  t = undefined;
});

/** Connects to the admin UI's namespace as the UI does; resolves how the server answered. */
function connectAdmin(url: string, auth?: { username: string; password: string }): Promise<'connected' | string> {
  const socket = connect(`${url}/admin`, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

describe('Socket.IO admin UI', () => {
  it('is off by default: its namespace does not exist', async () => {
    t = await startTestApp();
    expect(await connectAdmin(t.url, { username: 'admin', password: PASSWORD })).toBe('Invalid namespace');
  });

  it('with ADMIN_UI=on, admits the configured credentials only', async () => {
    t = await startTestApp({ ADMIN_UI: 'on', ADMIN_UI_PASSWORD: PASSWORD });
    expect(await connectAdmin(t.url)).toBe('invalid credentials');
    expect(await connectAdmin(t.url, { username: 'admin', password: 'wrong-password-0123456789' })).toBe('invalid credentials');
    expect(await connectAdmin(t.url, { username: 'root', password: PASSWORD })).toBe('invalid credentials');
    expect(await connectAdmin(t.url, { username: 'admin', password: PASSWORD })).toBe('connected');
    // viewers still connect to the main namespace with their tokens, as before
    const v = await t.viewer('viewer-beside-admin');
    expect(v.socket.connected).toBe(true);
  });
});
