import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '@stickyroom/sdk/protocol';
import type { User } from '../../../core/src/identity/tokens.js';
import { AppError } from '../../../core/src/errors.js';

type Shape = Record<string, z.ZodType>;

/** Largest request body any route takes (the order webhook reads its raw body with the same limit). */
export const JSON_BODY_LIMIT = '64kb';

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends Shape | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path under /api, e.g. `/streams/:id`. */
  path: string;
  summary: string;
  tags?: string[];
  body?: B;
  query?: Q;
  params?: P;
  /** Roles allowed; omitted means any authenticated caller. `auth: false` routes take no token. */
  roles?: readonly Role[];
  auth?: boolean;
  /** Authenticated by a signature of the raw body in this header (checked before the route runs; OpenAPI only). */
  signatureHeader?: string;
  /** Documented response body (OpenAPI only). */
  response?: z.ZodType;
  /** Content type of a non-JSON answer (e.g. text/csv); with `response` too, the route answers either (OpenAPI only). */
  produces?: string;
}

export interface RouteInput<B, Q, P> {
  user: User;
  body: B;
  query: Q;
  params: P;
  req: Request;
}

export interface RouteResult {
  status?: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
type OutShape<T> = T extends Shape ? { [K in keyof T]: z.output<T[K]> } : Record<string, never>;

/** Every route defined, for the OpenAPI document. */
export const routeRegistry: RouteSpec<z.ZodType | undefined, z.ZodType | undefined, Shape | undefined>[] = [];

/** Registers an Express route whose params, query and body pass zod, whose caller is authenticated. */
export function defineRoute<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends Shape | undefined = undefined,
>(
  router: Router,
  spec: RouteSpec<B, Q, P>,
  run: (input: RouteInput<Out<B>, Out<Q>, OutShape<P>>) => Promise<RouteResult>,
): void {
  if (!routeRegistry.some((r) => r.method === spec.method && r.path === spec.path)) {
    routeRegistry.push(spec as RouteSpec<z.ZodType | undefined, z.ZodType | undefined, Shape | undefined>);
  }
  const params = spec.params ? z.object(spec.params as Shape) : undefined;
  router[spec.method](spec.path, (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const user = spec.auth === false ? anonymous : await authenticate(req);
      if (spec.roles && !spec.roles.includes(user.role)) throw new AppError('forbidden', `a ${user.role} token may not do this`);
      const input = {
        user,
        req,
        params: params ? params.parse(req.params) : {},
        query: spec.query ? spec.query.parse(req.query) : undefined,
        body: spec.body ? spec.body.parse(req.body ?? {}) : undefined,
      } as RouteInput<Out<B>, Out<Q>, OutShape<P>>;
      const out = await run(input);
      for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
      res.status(out.status ?? 200);
      if (out.contentType) res.type(out.contentType).send(out.body);
      else res.json(out.body);
    })().catch(next);
  });
}

const anonymous: User = { id: 'anonymous', role: 'viewer', name: 'anonymous' };

/** What the HTTP app puts on every request: the token check of this server (see createHttpApp). */
export interface TokenRequest extends Request {
  verifyToken?: (token: string) => Promise<User>;
}

export async function authenticate(req: Request): Promise<User> {
  const verify = (req as TokenRequest).verifyToken;
  if (!verify) throw new Error('the HTTP app sets verifyToken on every request');
  const header = req.headers.authorization;
  if (!header) throw new AppError('unauthorized', 'missing Authorization: Bearer <token>');
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new AppError('unauthorized', 'malformed Authorization header, expected Bearer <token>');
  return verify(m[1]!);
}
