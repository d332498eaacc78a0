import { hostname } from 'node:os';
import { instrument } from '@socket.io/admin-ui';
import bcrypt from 'bcryptjs';
import type { Server } from 'socket.io';
import type { Config } from '../../../core/src/config.js';
import type { Logger } from '../../../core/src/logger.js';
import type { AppIo } from './server.js';

/** The admin UI's namespace; the UI is pointed at `<server>/admin`. */
export const ADMIN_UI_NAMESPACE = '/admin';

/**
 * Socket.IO's admin UI (`@socket.io/admin-ui`) on its own namespace, behind basic authentication with
 * ADMIN_UI_USERNAME / ADMIN_UI_PASSWORD (config.ts refuses ADMIN_UI=on without a password, and a short one
 * in production). Read-only: it shows sockets and rooms but cannot make a socket join, leave or disconnect.
 * In production it sends aggregates only (its `production` mode), not every packet.
 *
 * Off (the default), nothing is instrumented and the namespace does not exist: a connection to it is
 * refused as an invalid namespace.
 */
export function serveAdminUi(io: AppIo, config: Config, log: Logger): void {
  const password = config.ADMIN_UI_PASSWORD;
  if (password === undefined) throw new Error('ADMIN_UI=on without ADMIN_UI_PASSWORD'); // config.ts refuses it first
  instrument(io as unknown as Server, {
    namespaceName: ADMIN_UI_NAMESPACE,
    auth: { type: 'basic', username: config.ADMIN_UI_USERNAME, password: bcrypt.hashSync(password, 10) },
    readonly: true,
    mode: config.NODE_ENV === 'production' ? 'production' : 'development',
    serverId: `${hostname()}#${process.pid}`,
  });
  log.info({ namespace: ADMIN_UI_NAMESPACE, username: config.ADMIN_UI_USERNAME }, 'Socket.IO admin UI is on (read-only, basic authentication)');
}
