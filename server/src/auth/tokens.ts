import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { Id, Role } from '@stickyroom/sdk/protocol';
import { AppError } from '../errors.js';

export const Claims = z
  .object({
    sub: Id,
    role: Role,
    brandId: Id.optional(),
    name: z.string().max(80).optional(),
    exp: z.number().int().optional(),
  })
  .refine((c) => c.role === 'viewer' || c.role === 'admin' || c.brandId !== undefined, {
    message: 'brandId is required for streamer, moderator and brand tokens',
    path: ['brandId'],
  });

/** Who is calling, as the verified token says. Payload ids are never trusted over this. */
export interface User {
  id: string;
  role: Role;
  brandId?: string;
  name: string;
  /** Token expiry in ms since the epoch, if the token has one. */
  expiresAt?: number;
}

export class TokenService {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async verify(token: unknown): Promise<User> {
    if (typeof token !== 'string' || token.length === 0) throw new AppError('unauthorized', 'missing token');
    if (token.length > 4096) throw new AppError('unauthorized', 'malformed token');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new AppError('unauthorized', 'token expired');
      if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw new AppError('unauthorized', 'bad token signature');
      throw new AppError('unauthorized', 'malformed token');
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new AppError('unauthorized', `bad token claims: ${claims.error.issues[0]?.message ?? ''}`);
    const c = claims.data;
    const user: User = { id: c.sub, role: c.role, name: c.name ?? c.sub };
    if (c.brandId !== undefined) user.brandId = c.brandId;
    if (c.exp !== undefined) user.expiresAt = c.exp * 1000;
    return user;
  }

  async sign(claims: z.input<typeof Claims>, expiresIn: string | number = '12h'): Promise<string> {
    const c = Claims.parse(claims);
    const jwt = new SignJWT({ role: c.role, ...(c.brandId ? { brandId: c.brandId } : {}), ...(c.name ? { name: c.name } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(c.sub)
      .setIssuedAt();
    if (expiresIn !== 0) jwt.setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn);
    return jwt.sign(this.key);
  }
}

export const STAFF_ROLES = ['streamer', 'moderator', 'admin'] as const;

/** Streamers and moderators act only on their brand's streams; admins on any. */
export function canControlBrand(user: User, brandId: string): boolean {
  if (user.role === 'admin') return true;
  return (user.role === 'streamer' || user.role === 'moderator') && user.brandId === brandId;
}

/** Brand tokens (and staff of the brand) read only their brand's data. */
export function canReadBrand(user: User, brandId: string): boolean {
  if (user.role === 'admin') return true;
  return user.role !== 'viewer' && user.brandId === brandId;
}
