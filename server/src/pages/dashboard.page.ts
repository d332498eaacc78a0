import { DASHBOARD_SCRIPT } from './dashboard.client.js';

const STYLE = `
:root { font-family: system-ui, -apple-system, Segoe UI, sans-serif; color: #111827; background: #f9fafb; }
main { max-width: 800px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.2rem; color: #4b5563; margin: 0 0 4px; } h2 { margin: 8px 0 2px; } .meta, .legend, #status { color: #4b5563; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; margin: 12px 0; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px; }
.card .label { font-size: .8rem; color: #6b7280; } .card .value { font-size: 1.4rem; font-weight: 600; } .card .detail { font-size: .8rem; color: #4b5563; }
svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; margin: 6px 0; }
.ctitle { font-size: 12px; font-weight: 600; fill: #374151; } .tick { font-size: 11px; fill: #6b7280; }
.axis { stroke: #9ca3af; } .grid { stroke: #e5e7eb; stroke-dasharray: 3 3; }
.mline { stroke: #f59e0b; stroke-dasharray: 4 3; } .mlabel { font-size: 10px; font-weight: 700; fill: #b45309; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .85rem; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 6px; text-align: left; word-break: break-all; }
form { margin: 12px 0; } input { width: 60%; padding: 6px; } button { padding: 6px 12px; }
`;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The self-contained page: inline style and script allowed by a per-response nonce, data only from our own API. */
export function dashboardHtml(streamId: string, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Stream summary · stickyroom</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body data-stream="${escapeHtml(streamId)}">
<main>
<h1>stickyroom · stream summary</h1>
<p id="status">Loading…</p>
<form id="auth" hidden autocomplete="off">
<label>Token <input name="token" type="password" required placeholder="brand or staff token (JWT)"></label>
<button type="submit">Show summary</button>
</form>
<div id="content"></div>
</main>
<script nonce="${nonce}">${DASHBOARD_SCRIPT}</script>
</body>
</html>`;
}

/** Headers of the page: its own script and style only (by nonce), nothing framed, no referrer, never cached. */
export function dashboardHeaders(nonce: string): Record<string, string> {
  return {
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}
