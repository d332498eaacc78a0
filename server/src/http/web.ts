import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';
import { Id, StreamId } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../core/src/context.js';
import { AppError } from '../../../core/src/errors.js';
import type { TokenService } from '../../../core/src/identity/tokens.js';
import { staticAssetHeaders } from './security.js';

/** Where `scripts/build-web.ts` writes the bundles and their manifest. */
const WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web', 'dist');
const YEAR_SEC = 365 * 24 * 3600;

/**
 * The pages' policy: scripts and styles from this server only (no inline script, no inline style; Lit's
 * constructed stylesheets are not inline styles), sockets and fetches to this server, product images from
 * any https host, and no framing.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type Manifest = Record<string, { file: string }>;

/** Reads the build's manifest, again whenever a rebuild changed it (a development server keeps running). */
function manifestReader(): () => Manifest | undefined {
  let cached: { mtimeMs: number; manifest: Manifest } | undefined;
  return () => {
    try {
      const path = join(WEB_DIST, 'manifest.json');
      const { mtimeMs } = statSync(path);
      if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, manifest: JSON.parse(readFileSync(path, 'utf8')) as Manifest };
      return cached.manifest;
    } catch {
      return undefined;
    }
  };
}

const CONTENT_TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/**
 * Pages (`/console`, `/demo/streams/:id`), the widget and SDK bundles at fixed paths for shop pages, and the
 * fingerprinted assets they load. Pages take their token from the URL fragment or a form, never the URL.
 */
export function webRouter(ctx: AppContext, tokens: TokenService): Router {
  const router = express.Router();
  const manifest = manifestReader();
  const production = ctx.config.NODE_ENV === 'production';

  const asset = (name: string): string => {
    const entry = manifest()?.[name];
    if (!entry) throw new AppError('unavailable', 'the web assets are not built: run `npm run build:web`');
    return entry.file;
  };

  function page(res: Response, opts: { title: string; script: string; body: string }): void {
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${asset('page')}">
<script type="module" src="/assets/${asset(opts.script)}"></script>
</head>
<body>
${opts.body}
</body>
</html>
`;
    res.setHeader('content-security-policy', PAGE_CSP);
    res.setHeader('cache-control', 'no-store');
    res.type('html').send(html);
  }

  router.get('/', (_req, res) => res.redirect(302, '/console'));
  const consolePage = (_req: Request, res: Response) =>
    page(res, { title: 'stickyroom console', script: 'console', body: '<stickyroom-console></stickyroom-console>' });
  router.get('/console', consolePage);
  router.get('/console/streams/:id', consolePage);

  const dashboardPage = (_req: Request, res: Response) =>
    page(res, { title: 'stickyroom dashboard', script: 'dashboard', body: '<stickyroom-dashboard></stickyroom-dashboard>' });
  router.get('/dashboard', dashboardPage);
  router.get('/dashboard/streams/:id', (req, res, next) =>
    StreamId.safeParse(req.params.id).success ? dashboardPage(req, res) : next(new AppError('not_found', 'no such stream id')),
  );
  router.get('/dashboard/brands/:brandId', (req, res, next) =>
    Id.safeParse(req.params.brandId).success ? dashboardPage(req, res) : next(new AppError('not_found', 'no such brand id')),
  );

  if (!production) {
    router.get('/demo/streams/:id', (_req, res) =>
      page(res, { title: 'stickyroom demo', script: 'demo', body: '<stickyroom-demo></stickyroom-demo>' }),
    );
    // A throwaway viewer identity so the demo works without a token; never offered in production.
    router.post('/demo/token', (_req, res, next) => {
      const n = randomBytes(2).readUInt16BE(0) % 10000;
      tokens
        .sign({ role: 'viewer', sub: `guest-${randomBytes(6).toString('hex')}`, name: `Guest ${n}` }, '2h')
        .then((token) => res.setHeader('cache-control', 'no-store').json({ token }), next);
    });
  }

  // The fixed names a shop page includes; short cache, since a new build changes what they hold.
  const fixed = (name: string) => [
    staticAssetHeaders({ maxAgeSec: 300 }),
    (_req: Request, res: Response) => {
      res.type(CONTENT_TYPES.js!).send(readFileSync(join(WEB_DIST, asset(name))));
    },
  ];
  router.get('/widget/stickyroom-room.js', ...fixed('widget'));
  router.get('/sdk/stickyroom.js', ...fixed('sdk'));

  router.get('/assets/:file', staticAssetHeaders({ maxAgeSec: YEAR_SEC }), (req, res, next) => {
    const file = req.params.file;
    const files = Object.values(manifest() ?? {}).map((m) => m.file);
    if (typeof file !== 'string' || !files.includes(file)) return next(new AppError('not_found', 'no such asset'));
    const ext = file.slice(file.lastIndexOf('.') + 1);
    res.setHeader('cache-control', `public, max-age=${YEAR_SEC}, immutable`);
    res.type(CONTENT_TYPES[ext] ?? 'application/octet-stream').send(readFileSync(join(WEB_DIST, file)));
  });
  return router;
}
