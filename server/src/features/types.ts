import type { Router } from 'express';
import type { AppContext } from '../../../core/src/context.js';
import type { AppSocket, HandlerDef } from '../io/handler.js';

/**
 * A feature's transport: its socket handlers and HTTP routes over core. Its domain hooks (join parts,
 * stream end, chat messages) are core's (core/src/<feature>/<feature>.hooks.ts), never the server's.
 */
export interface Feature {
  name: string;
  handlers?: HandlerDef[];
  /** Mounted under /api, after the JSON body parser. */
  routes?: (router: Router, ctx: AppContext) => void;
  /**
   * Mounted under /api before any body parser: routes that must see the raw bytes first (a webhook that
   * checks a signature over them) read and parse their body themselves.
   */
  rawBodyRoutes?: (router: Router, ctx: AppContext) => void;
  onDisconnect?: (ctx: AppContext, socket: AppSocket) => void;
}
