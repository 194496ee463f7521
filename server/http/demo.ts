import { Router } from 'express';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The demo page's HTML: a plain page with the widget embedded exactly as a customer would. */
export function demoHtml(publicUrl: string, websiteToken: string | undefined): string {
  const snippet = websiteToken
    ? `<script src="${escapeHtml(publicUrl)}/widget.js" data-inbox="${escapeHtml(websiteToken)}" defer></script>`
    : '';
  const body = websiteToken
    ? `<p>This page embeds the Switchboard widget with one script tag. Open the chat with the button in the corner, write a message, and answer it from the <a href="/inbox/">agent inbox</a>.</p>
<pre><code>${escapeHtml(snippet)}</code></pre>`
    : '<p>There is no web inbox yet. Create one with <code>npx switchboard inbox create --channel web</code> or in the agent inbox.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard widget demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1f2933}pre{background:#f3f4f6;padding:1rem;overflow:auto;border-radius:6px}</style>
</head>
<body>
<h1>Acme Outdoor Gear</h1>
${body}
${snippet}
</body>
</html>
`;
}

/** `GET /demo[?inbox=<websiteToken>]`: the widget on a page, so a newcomer sees it at once. */
export function demoRoutes(deps: { publicUrl: () => string; defaultWebsiteToken: () => Promise<string | undefined> }): Router {
  const r = Router();
  r.get('/demo', async (req, res) => {
    const asked = typeof req.query['inbox'] === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(req.query['inbox']) ? req.query['inbox'] : undefined;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(demoHtml(deps.publicUrl(), asked ?? (await deps.defaultWebsiteToken())));
  });
  return r;
}
