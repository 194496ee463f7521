import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { AppError } from '../errors.js';

/** The repository/package root: the nearest folder above this file with our package.json. */
export function appRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'switchboard') return dir;
    if (path.dirname(dir) === dir) throw new Error('switchboard package root not found');
  }
}

interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  mtimeMs: number;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * Built front-end files, read once and kept gzipped in memory: they are small, and the widget
 * is fetched by every page view of every customer site.
 */
export class BuiltAssets {
  private readonly cache = new Map<string, Asset>();

  constructor(
    private readonly dir: string,
    private readonly what: string,
  ) {}

  /** The file at `rel` (no `..`), or null. A rebuilt file (newer mtime) is read again. */
  get(rel: string): Asset | null {
    if (rel.split('/').some((part) => part === '..' || part === '')) return null;
    const file = path.join(this.dir, rel);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) return null;
    const hit = this.cache.get(rel);
    if (hit && hit.mtimeMs === stat.mtimeMs) return hit;
    const body = fs.readFileSync(file);
    const asset = { body, gzip: zlib.gzipSync(body, { level: 9 }), type: TYPES[path.extname(file)] ?? 'application/octet-stream', mtimeMs: stat.mtimeMs };
    this.cache.set(rel, asset);
    return asset;
  }

  send(req: Request, res: Response, rel: string, cacheControl: string): void {
    const asset = this.get(rel);
    if (!asset) {
      const built = fs.existsSync(this.dir);
      throw new AppError('SB_ERR_NOT_FOUND', built ? 'No such file.' : `The ${this.what} is not built; run \`npm run build\`.`);
    }
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Vary', 'Accept-Encoding');
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.end(gzip ? asset.gzip : asset.body);
  }
}

/**
 * `GET /widget.js` (the loader every customer page embeds) and `GET /widget/<file>` (what the
 * loader pulls in on demand). Scripts load cross-origin by design, so CORS is open.
 */
export function widgetAssetRoutes(assets: BuiltAssets): Router {
  const r = Router();
  r.get('/widget.js', (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    // Short: a deploy must reach every site soon; the loader is tiny.
    assets.send(req, res, 'widget.js', 'public, max-age=300');
  });
  r.get('/widget/:file', (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    // The loader asks for `app.js?v=<content hash>`: that URL never changes meaning.
    const versioned = typeof req.query['v'] === 'string';
    assets.send(req, res, String(req.params['file']), versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
  });
  return r;
}

/** The inbox may only talk to its own origin and load its own code: an injected script has nowhere to go. */
const INBOX_CSP = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob: https:",
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The agent inbox, a single-page app: `/inbox/assets/*` are content-hashed files, every other
 * path under `/inbox/` is the app's `index.html` (client-side routes survive a reload).
 */
export function inboxAppRoutes(assets: BuiltAssets): Router {
  const r = Router();
  r.get(/^\/inbox$/, (_req, res) => res.redirect(301, '/inbox/'));
  r.get('/inbox/assets/:file', (req, res) => {
    assets.send(req, res, `assets/${String(req.params['file'])}`, 'public, max-age=31536000, immutable');
  });
  r.get(/^\/inbox\/.*/, (req, res) => {
    res.setHeader('Content-Security-Policy', INBOX_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    assets.send(req, res, 'index.html', 'no-cache');
  });
  return r;
}
