// Serves the built account web app (backend/web, built by Vite into dist/) at `/`, with the single-page-app
// fallback: any other GET for an HTML page that is not an API path gets index.html, and the page's own
// router takes over. The page runs under a strict Content-Security-Policy: scripts only from this origin
// (no inline script, no CDN), styles only from files, images from here or data: URLs (the 2FA QR code).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type RequestHandler, type Response } from 'express';
import { pageCsp } from '../../http/security-headers';

const PAGE_CSP = pageCsp();

/** Paths that belong to the API and services: never answered with the page. */
const NOT_PAGES = /^\/(api|oauth|\.well-known|health|metrics)(\/|$)/;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sessionary: web app not built</title></head>
<body><main><h1>The account web app has not been built</h1>
<p>The API is running, but <code>backend/web/dist</code> is missing. Build the page with
<code>npm run build:web</code> (<code>npm install</code> does this too) and reload.</p>
<p>Set <code>WEB_UI=off</code> to run the API without the page.</p></main></body></html>`;

function page(res: Response): Response {
  return res.setHeader('Content-Security-Policy', PAGE_CSP).setHeader('Cache-Control', 'no-cache');
}

export function webUi(distDir: string): Router {
  const index = join(distDir, 'index.html');
  let built = existsSync(index);
  const router = Router();
  // Hashed file names under /assets never change: cache them for good.
  router.use(
    '/assets',
    express.static(join(distDir, 'assets'), { index: false, fallthrough: true, immutable: true, maxAge: '365d' }),
  );
  router.use(express.static(distDir, { index: false, setHeaders: (res) => res.setHeader('Content-Security-Policy', PAGE_CSP) }));

  const fallback: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_PAGES.test(req.path) || req.path.startsWith('/assets/')) return next();
    if (!req.accepts('html')) return next();
    built ||= existsSync(index);
    if (!built) {
      page(res).status(503).type('html').send(NOT_BUILT);
      return;
    }
    page(res).sendFile(index, (err) => {
      if (err && !res.headersSent) next(err);
    });
  };
  router.use(fallback);
  return router;
}
