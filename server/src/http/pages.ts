import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { StreamId } from '@stickyroom/sdk/protocol';
import { dashboardHeaders, dashboardHtml } from '../pages/dashboard.page.js';

/**
 * The pages (outside /api). `GET /dashboard/streams/:id`: the brand team's page for one stream. The page
 * itself holds no data and takes no token; its script calls the summary API with the token from the URL
 * fragment or the form.
 */
export function pageRoutes(): Router {
  const router = Router();
  router.get('/dashboard/streams/:id', (req, res) => {
    const id = StreamId.safeParse(req.params.id);
    if (!id.success) {
      res.status(404).type('text/plain').send('no such stream id');
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    for (const [name, value] of Object.entries(dashboardHeaders(nonce))) res.setHeader(name, value);
    res.type('html').send(dashboardHtml(id.data, nonce));
  });
  return router;
}
