/**
 * The built front-end (`dashboard/dist`, made by `npm run build:dashboard` and committed), read into
 * memory once at start: a few small files, served with their content type and a strong ETag.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardError } from './errors.js';

/** Where the committed bundle lives in this package. */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  /** Vite names files under assets/ by content hash: they never change, so they may be cached for good. */
  readonly immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** The whole bundle is a few hundred KB; anything far larger is not what the build makes. */
const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

/** URL path ("/", "/assets/index-abc.js") to asset. */
export async function loadAssets(dir: string = DASHBOARD_DIST): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  let total = 0;
  let files: string[];
  try {
    files = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
  } catch (err) {
    throw new DashboardError(
      'ASSETS_MISSING',
      `dashboard front-end not found in ${dir}: run npm run build:dashboard`,
      { dir },
      { cause: err },
    );
  }
  for (const file of files) {
    const body = await readFile(file);
    total += body.length;
    if (total > MAX_BUNDLE_BYTES) {
      throw new DashboardError(
        'ASSETS_MISSING',
        `dashboard bundle in ${dir} is over ${MAX_BUNDLE_BYTES} bytes`,
      );
    }
    const path = `/${relative(dir, file).split(sep).join('/')}`;
    out.set(path, {
      body,
      type: TYPES[extname(file)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: path.startsWith('/assets/'),
    });
  }
  const index = out.get('/index.html');
  if (!index) {
    throw new DashboardError('ASSETS_MISSING', `no index.html in ${dir}: run npm run build:dashboard`, {
      dir,
    });
  }
  out.set('/', index);
  return out;
}
