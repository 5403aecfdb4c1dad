/**
 * GET /docs: Swagger UI over /openapi.json, served from the swagger-ui-dist package rather than
 * a CDN, so the page works on a machine with no internet and under a strict CSP (no inline
 * script).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';

const assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>balance-service API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
`;

// biome-ignore lint/suspicious/noExplicitAny: mounts on any Hono app, whatever its env
export function registerDocs(app: Hono<any>): void {
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/init.js', (c) =>
    c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  // One static route per asset, not `/docs/:asset`: beside `/docs/init.js` a parameter makes
  // hono's RegExpRouter refuse the app, and every request then goes through its slower
  // TrieRouter (README, Performance).
  for (const [asset, type] of Object.entries(ASSETS)) {
    let body: string | undefined;
    app.get(`/docs/${asset}`, async (c) => {
      body ??= await readFile(join(assetsDir, asset), 'utf8');
      return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
    });
  }
}
