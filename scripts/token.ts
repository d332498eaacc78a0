/**
 * Prints a signed development token alone on stdout, always with `exp`, never longer-lived than
 * JWT_MAX_TTL (the server would refuse it).
 *   npm run token -- --role viewer --sub alice [--brand acme] [--name "Alice"] [--ttl 12h]
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Id, Role } from '@stickyroom/sdk/protocol';
import { TokenService } from '../core/src/identity/tokens.js';
import { ConfigError, loadConfig } from '../core/src/config.js';
import { DURATION, formatDuration, parseDuration } from '../core/src/duration.js';

const Args = z
  .object({
    role: Role,
    sub: Id,
    brand: Id.optional(),
    name: z.string().min(1).max(80).optional(),
    ttl: z
      .string()
      .regex(DURATION, 'a duration like 90m, 12h or 3600 (seconds)')
      .refine((t) => parseDuration(t) > 0, 'at least 1 second')
      .optional(),
  })
  .refine((a) => a.role === 'viewer' || a.role === 'admin' || a.brand !== undefined, {
    message: '--brand is required for streamer, moderator and brand tokens',
    path: ['brand'],
  });

function fail(message: string): never {
  process.stderr.write(`token: ${message}\nusage: npm run token -- --role <viewer|streamer|moderator|brand|admin> --sub <id> [--brand <brandId>] [--name <name>] [--ttl 12h (at most JWT_MAX_TTL)]\n`);
  process.exit(2);
}

let raw;
try {
  raw = parseArgs({
    options: { role: { type: 'string' }, sub: { type: 'string' }, brand: { type: 'string' }, name: { type: 'string' }, ttl: { type: 'string' } },
    strict: true,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
const parsed = Args.safeParse(raw);
if (!parsed.success) fail(parsed.error.issues.map((i) => `--${i.path.join('.') || 'args'}: ${i.message}`).join('; '));
const args = parsed.data;

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

// 12 hours unless asked otherwise, and never more than the server accepts.
const ttlSec = args.ttl === undefined ? Math.min(12 * 3600, config.JWT_MAX_TTL) : parseDuration(args.ttl);
if (ttlSec > config.JWT_MAX_TTL) {
  fail(`--ttl ${args.ttl ?? ''} exceeds JWT_MAX_TTL ${formatDuration(config.JWT_MAX_TTL)}: the server would refuse the token (raise JWT_MAX_TTL, or ask for less)`);
}

const token = await new TokenService(config.JWT_SECRET, { maxTtlSec: config.JWT_MAX_TTL }).sign(
  { sub: args.sub, role: args.role, ...(args.brand ? { brandId: args.brand } : {}), ...(args.name ? { name: args.name } : {}) },
  ttlSec,
);
process.stdout.write(`${token}\n`);
