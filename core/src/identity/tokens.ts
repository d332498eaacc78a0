import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { Id, Role, displayName } from '@stickyroom/sdk/protocol';
import { formatDuration } from '../duration.js';
import { AppError } from '../errors.js';

const Identity = z.object({ sub: Id, role: Role, brandId: Id.optional() });
/** Every token but a viewer's or an admin's names its brand. */
function brandRule<T extends z.ZodType<{ role: Role; brandId?: string | undefined }>>(schema: T) {
  return schema.refine((c) => c.role === 'viewer' || c.role === 'admin' || c.brandId !== undefined, {
    message: 'brandId is required for streamer, moderator and brand tokens',
    path: ['brandId'],
  });
}

/** What a verified token must say. `name` is anything: it is made fit to show (`displayName`), never refused. */
export const Claims = brandRule(Identity.extend({ name: z.unknown().optional(), exp: z.number(), iat: z.number().optional() }));

/** What `sign` puts in a token besides `iat` and `exp`. */
export const SignClaims = brandRule(Identity.extend({ name: z.string().optional() }));

/** Who is calling, as the verified token says. Payload ids are never trusted over this. */
export interface User {
  id: string;
  role: Role;
  brandId?: string;
  /** The `name` claim cleaned by the text rules, or the user id. */
  name: string;
  /** Token expiry in ms since the epoch: every verified token has one (the anonymous caller of public routes has none). */
  expiresAt?: number;
}

export const DEFAULT_MAX_TTL_SEC = 24 * 3600;

/** Clocks of the issuer and of this node may differ by this much (nbf, exp and the lifetime cap). */
const CLOCK_TOLERANCE_SEC = 5;

export interface TokenOptions {
  /** Longest lifetime accepted (JWT_MAX_TTL), in seconds. */
  maxTtlSec?: number;
  /** Wall-clock ms; tokens are checked against real time, not a test clock of the domain. */
  now?: () => number;
  /**
   * During a rotation (JWT_SECRET_PREVIOUS), the secret being replaced: a token whose signature the current
   * secret refuses is tried with this one, so tokens issued before the switch stay valid until they expire.
   * New tokens are signed with the current secret only.
   */
  previousSecret?: string;
}

/** A jose refusal in words the caller can act on. */
function refusal(err: unknown, nowSec: number): AppError {
  const no = (message: string) => new AppError('unauthorized', message);
  if (err instanceof joseErrors.JWTExpired) return no('token expired');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return no('bad token signature');
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return no('token algorithm must be HS256');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return no(`token has no ${err.claim}`);
    if (err.reason === 'invalid') return no(`token ${err.claim} is not a number of seconds`);
    if (err.claim === 'nbf') {
      const nbf = Number(err.payload.nbf);
      return no(`token not yet valid (nbf is ${formatDuration(nbf - nowSec)} from now)`);
    }
  }
  return no('malformed token');
}

export class TokenService {
  private readonly key: Uint8Array;
  private readonly previousKey: Uint8Array | undefined;
  private readonly maxTtlSec: number;
  private readonly now: () => number;

  constructor(secret: string, options: TokenOptions = {}) {
    this.key = new TextEncoder().encode(secret);
    this.previousKey = options.previousSecret === undefined ? undefined : new TextEncoder().encode(options.previousSecret);
    this.maxTtlSec = options.maxTtlSec ?? DEFAULT_MAX_TTL_SEC;
    this.now = options.now ?? Date.now;
  }

  /** The user a token names; an `unauthorized` AppError whose message says why not. */
  async verify(token: unknown): Promise<User> {
    if (typeof token !== 'string' || token.length === 0) throw new AppError('unauthorized', 'missing token');
    if (token.length > 4096) throw new AppError('unauthorized', 'malformed token');
    const nowMs = this.now();
    const nowSec = Math.floor(nowMs / 1000);
    const options = { algorithms: ['HS256'], requiredClaims: ['exp'], clockTolerance: CLOCK_TOLERANCE_SEC, currentDate: new Date(nowMs) };
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, options));
    } catch (err) {
      // jose checks the signature before the claims: only a signature the current secret refuses is retried
      if (!(err instanceof joseErrors.JWSSignatureVerificationFailed) || !this.previousKey) throw refusal(err, nowSec);
      try {
        ({ payload } = await jwtVerify(token, this.previousKey, options));
      } catch (again) {
        throw refusal(again, nowSec);
      }
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new AppError('unauthorized', `bad token claims: ${claims.error.issues[0]?.message ?? ''}`);
    const c = claims.data;
    // Counted from the earlier of iat and now, so an iat set in the future cannot stretch a token.
    const lifetime = c.exp - Math.min(c.iat ?? nowSec, nowSec);
    if (lifetime > this.maxTtlSec + CLOCK_TOLERANCE_SEC) {
      throw new AppError('unauthorized', `token lifetime ${formatDuration(lifetime)} exceeds JWT_MAX_TTL ${formatDuration(this.maxTtlSec)}`);
    }
    const user: User = { id: c.sub, role: c.role, name: displayName(c.name, c.sub), expiresAt: c.exp * 1000 };
    if (c.brandId !== undefined) user.brandId = c.brandId;
    return user;
  }

  /**
   * A token with `iat` and `exp`; `expiresIn` is seconds from now (negative: already expired, for tests)
   * or a jose duration such as `'12h'`. The lifetime cap is the verifier's business, not the signer's.
   */
  async sign(claims: z.input<typeof SignClaims>, expiresIn: string | number = '12h'): Promise<string> {
    const c = SignClaims.parse(claims);
    const nowSec = Math.floor(this.now() / 1000);
    return new SignJWT({ role: c.role, ...(c.brandId ? { brandId: c.brandId } : {}), ...(c.name !== undefined ? { name: c.name } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(c.sub)
      .setIssuedAt(nowSec)
      .setExpirationTime(typeof expiresIn === 'number' ? nowSec + expiresIn : expiresIn)
      .sign(this.key);
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

/**
 * The role the room sees beside a user's name. A badge claims standing in this room, so it shows only
 * where the token has it: staff and the brand team of the stream's own brand show their role, and an admin
 * (deployment staff, who may moderate every stream) shows `admin`. Everyone else is a `viewer` here,
 * a streamer of another brand included, whatever their token says elsewhere.
 */
export function roleInRoom(user: User, streamBrandId: string): Role {
  return canReadBrand(user, streamBrandId) ? user.role : 'viewer';
}
